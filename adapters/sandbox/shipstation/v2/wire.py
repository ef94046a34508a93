"""How one account's data is written on each API: ids, instants, money, statuses, addresses.

V1 keeps the account (orders by orderKey, labels as V1 "shipments"); V2 reads and writes the
same rows through these translations (shipstation-v2.md §3, §10):
orderKey = external_shipment_id, orderId N = shipment_id "se-N", orderNumber = shipment_number,
V1 shipmentId M (a label) = label_id "se-M", lineItemKey = items[].external_order_item_id,
storeId N = store_id "se-N" (a request may send "N").
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from adapters.sandbox.shipstation.dates import parse
from adapters.sandbox.shipstation.v2.errors import bad_field

Row = dict[str, Any]

# The one place V1's orderStatus and V2's shipment_status meet. pending_fulfillment <->
# processing is our inference (both: in someone else's hands); the rest are the reference's.
STATUS_V1_TO_V2 = {
    "awaiting_payment": "awaiting_payment",
    "awaiting_shipment": "pending",
    "pending_fulfillment": "processing",
    "on_hold": "on_hold",
    "cancelled": "cancelled",
    "shipped": "label_purchased",
}
STATUS_V2_TO_V1 = {v2: v1 for v1, v2 in STATUS_V1_TO_V2.items()}
SE_ID = re.compile(r"^se(-[a-z0-9]+)+$")
_SE_NUMBER = re.compile(r"^se-(\d+)$")
_ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)$")
_DAY = re.compile(r"^\d{4}-\d\d-\d\d$")


def se(number: int | None) -> str | None:
    return None if number is None else f"se-{number}"


def se_number(text: Any, plain_too: bool = False) -> int | None:
    """N from "se-N" (or from "N" when `plain_too`); None when it is neither."""
    value = str(text).strip()
    match = _SE_NUMBER.match(value)
    if match:
        return int(match[1])
    return int(value) if plain_too and value.isdigit() else None


def iso(moment: datetime | None) -> str | None:
    """An instant as V2 writes it: UTC, milliseconds, Z."""
    if moment is None:
        return None
    utc = moment.astimezone(UTC)
    return f"{utc:%Y-%m-%dT%H:%M:%S}.{utc.microsecond // 1000:03d}Z"


def to_ms(moment: datetime) -> datetime:
    """An instant cut to what V2 shows of it, so filters compare what a client saw."""
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def from_iso(text: Any, field: str) -> datetime:
    """A request instant: ISO 8601 with Z or an offset (a bare local time is refused)."""
    value = str(text).strip()
    if not _ISO.match(value):
        raise bad_field(field, f"'{value}' is not an ISO 8601 date-time with Z or an offset.")
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def day_of(text: Any, field: str) -> date:
    value = str(text).strip()
    if not _DAY.match(value):
        raise bad_field(field, f"'{value}' is not a date (YYYY-MM-DD).")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise bad_field(field, f"'{value}' is not a calendar date.") from None


def v1_instant(text: str | None) -> datetime | None:
    """A stored V1 date (Pacific wall time) as an instant."""
    return parse(text) if text else None


def money(amount: Any, currency: str = "usd") -> Row | None:
    return None if amount is None else {"currency": currency, "amount": float(amount)}


def v2_address(v1: Row | None, email: str | None = None, extra: Row | None = None) -> Row | None:
    if not v1:
        return None
    residential = v1.get("residential")
    flag = "unknown" if residential is None else ("yes" if residential else "no")
    return {
        "name": v1.get("name"), "phone": v1.get("phone"), "email": email,
        "company_name": v1.get("company"), "address_line1": v1.get("street1"),
        "address_line2": v1.get("street2"), "address_line3": v1.get("street3"),
        "city_locality": v1.get("city"), "state_province": v1.get("state"),
        "postal_code": v1.get("postalCode"), "country_code": v1.get("country"),
        "address_residential_indicator": flag,
        "instructions": (extra or {}).get("instructions"),
    }  # fmt: skip


def v1_address(v2: Row) -> Row:
    flag = str(v2.get("address_residential_indicator"))
    return {
        "name": v2.get("name"), "company": v2.get("company_name"),
        "street1": v2.get("address_line1"), "street2": v2.get("address_line2"),
        "street3": v2.get("address_line3"), "city": v2.get("city_locality"),
        "state": v2.get("state_province"), "postalCode": v2.get("postal_code"),
        "country": v2.get("country_code"), "phone": v2.get("phone"),
        "residential": {"yes": True, "no": False}.get(flag), "addressVerified": None,
    }  # fmt: skip


_UNITS = {"ounce": "ounces", "pound": "pounds", "gram": "grams"}


def v1_weight(weight: Any) -> Row | None:
    if not isinstance(weight, dict) or weight.get("value") is None:
        return None
    unit, value = weight.get("unit") or "ounce", float(weight["value"])
    if unit == "kilogram":  # V1 has no kilograms
        unit, value = "gram", value * 1000
    return {"value": value, "units": _UNITS.get(unit, "ounces"), "WeightUnits": None}


def v2_weight(weight: Row | None) -> Row | None:
    if not weight or weight.get("value") is None:
        return None
    back = {v1: v2 for v2, v1 in _UNITS.items()}
    return {"value": float(weight["value"]), "unit": back.get(str(weight.get("units")), "ounce")}
