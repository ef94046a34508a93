"""Map a ShipStation carrierCode to a Temu carrier id, by name, with per-shop overrides."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from domain.ports import TemuCarrier
from domain.token import Token

US_REGION_ID = 211
"""Temu's regionId for the US: the carrier list asked for when the token names no region."""

# ShipStation carrier codes -> the carrier's common name, as Temu's list names it.
CARRIER_NAMES: Mapping[str, str] = {
    "stamps_com": "usps",
    "endicia": "usps",
    "usps": "usps",
    "ups": "ups",
    "ups_walleted": "ups",
    "fedex": "fedex",
    "fedex_walleted": "fedex",
    "dhl_express": "dhl express",
    "dhl_express_worldwide": "dhl express",
    "dhl_ecommerce": "dhl ecommerce",
    "dhl_global_mail": "dhl ecommerce",
    "ontrac": "ontrac",
    "lasership": "lasership",
    "amazon_shipping_us": "amazon shipping",
    "canada_post": "canada post",
    "royal_mail": "royal mail",
    "dpd": "dpd",
    "gls": "gls",
}


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def carrier_name(carrier_code: str) -> str:
    return CARRIER_NAMES.get(carrier_code.lower(), carrier_code.replace("_", " "))


def resolve_carrier(
    carrier_code: str, temu_carriers: Sequence[TemuCarrier], overrides: Mapping[str, int]
) -> int | None:
    """The Temu carrier id for a ShipStation carrier, or None when nothing matches for sure."""
    if carrier_code in overrides:
        return overrides[carrier_code]
    wanted = _norm(carrier_name(carrier_code))
    exact = [c for c in temu_carriers if wanted in (_norm(c.name), _norm(c.brand or ""))]
    if len(exact) == 1:
        return exact[0].carrier_id
    prefixed = [c for c in temu_carriers if _norm(c.name).startswith(wanted)]
    if not exact and len(prefixed) == 1:
        return prefixed[0].carrier_id
    return exact[0].carrier_id if exact and len({c.carrier_id for c in exact}) == 1 else None


def unmapped_message(shop_id: str, carrier_code: str) -> str:
    return (
        f"ShipStation carrier '{carrier_code}' has no Temu carrier: map it with "
        f"`temuship carriers {shop_id} --map {carrier_code}=TEMU_CARRIER_ID`"
    )


def carrier_region(token: Token | None) -> int:
    """The region whose Temu carriers a confirmation may name."""
    return token.region_id if token is not None and token.region_id else US_REGION_ID


def shipstation_code_for(temu_carrier: str | None) -> str:
    """The ShipStation carrier code of a carrier Temu names (for marking an order shipped with
    Temu's tracking): by name, else "other"."""
    wanted = _norm(temu_carrier or "")
    for code, name in CARRIER_NAMES.items():
        if name and wanted and (wanted == _norm(name) or wanted.startswith(_norm(name))):
            return code if code != "stamps_com" else "usps"
    return "other"
