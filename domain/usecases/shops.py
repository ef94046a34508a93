"""Connecting, checking and mapping carriers for a shop, and taking its new token: both APIs
asked, nothing guessed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta

from domain.carriers import resolve_carrier
from domain.errors import ExternalApiError, PermissionMissing, TemushipError
from domain.history import EventContext
from domain.model import Source
from domain.ports import Services, Store, TimeWindow, UnitOfWork
from domain.secrets import Secret
from domain.shop import Shop
from domain.token import Token, TokenInfo
from domain.usecases import tokens
from domain.usecases.shipments import carrier_region
from domain.usecases.tokens import OPTIONAL_APIS, require_apis


class Refused(TemushipError):
    """A side rejected what the user gave: the message says which side and what to do."""


def pick_store(stores: list[Store], wanted: int | None) -> int:
    if wanted is not None:
        if not any(s.store_id == wanted for s in stores):
            raise Refused(f"ShipStation has no store {wanted}; stores: {_stores(stores)}")
        return wanted
    if len(stores) == 1:
        return stores[0].store_id
    raise Refused(
        "pass --shipstation-store-id (create a Manual Store for Temu in ShipStation); "
        f"stores: {_stores(stores)}"
    )


def _stores(stores: list[Store]) -> str:
    return ", ".join(f"{s.store_id} {s.name}" for s in stores) or "none"


def connect(services: Services, shop: Shop) -> Token:
    """Validate both sides, then save the shop (credentials encrypted) and its token."""
    try:
        info = services.temu_for(shop).token_info()
    except ExternalApiError as err:
        raise Refused(f"Temu refused the credentials: {err}") from err
    try:
        stores = services.shipstation_for(shop).stores()
    except ExternalApiError as err:
        raise Refused(f"ShipStation refused the credentials: {err}") from err
    shop.shipstation = replace(
        shop.shipstation, store_id=pick_store(stores, shop.shipstation.store_id)
    )
    ctx = EventContext(services.clock.now(), Source.OPERATOR, "connect")
    try:
        return save_connected(services.uow(), shop, info, ctx)
    except ExternalApiError as err:
        raise Refused(str(err)) from err


@dataclass
class CheckLine:
    ok: bool
    item: str
    detail: str


def check(services: Services, shop_id: str) -> list[CheckLine]:
    """Credentials, token, store, one page from each API: a line each, nothing written."""
    lines: list[CheckLine] = []

    def probe(item: str, fn: Callable[[], str]) -> None:
        try:
            lines.append(CheckLine(True, item, fn()))
        except Exception as err:  # every failure is one red line, with its reason
            lines.append(CheckLine(False, item, f"{type(err).__name__}: {err}"))

    with services.uow() as uow:
        shop = uow.shops.get(shop_id)
    if shop is None:
        return [CheckLine(False, "shop", f"no shop named {shop_id!r}")]
    lines.append(CheckLine(True, "credentials", "decrypted"))
    temu, ss = services.temu_for(shop), services.shipstation_for(shop)
    now = services.clock.now()

    def token() -> str:
        info = temu.token_info()
        require_apis(info)
        expiry = f"{info.expires_at:%Y-%m-%d}" if info.expires_at else "not given (90-day rule)"
        extra = "" if info.scopes >= OPTIONAL_APIS else "; no amount permission (no prices)"
        return f"mall {info.mall_id}, region {info.region_id}, expires {expiry}{extra}"

    def store() -> str:
        found = [s for s in ss.stores() if s.store_id == shop.shipstation.store_id]
        if not found:
            raise Refused(f"store {shop.shipstation.store_id} not found")
        return f"{found[0].store_id} {found[0].name}"

    def temu_page() -> str:
        page = temu.list_orders(TimeWindow(now - timedelta(days=1), now), 1, page_size=10)
        return f"{page.total} order(s) updated in the last day"

    def ss_page() -> str:
        first = next(iter(ss.shipments_since(now - timedelta(days=1))), None)
        return f"{len(first.labels) if first else 0} label(s) in the last day"

    probe("temu token", token)
    probe("shipstation store", store)
    probe("temu orders", temu_page)
    probe("shipstation shipments", ss_page)
    return lines


def carrier_table(services: Services, shop_id: str) -> list[dict[str, object]]:
    """ShipStation carriers and the Temu carrier each maps to (by name or override)."""
    with services.uow() as uow:
        shop, token = uow.shops.get(shop_id), uow.tokens.get(shop_id)
        overrides = uow.carriers.overrides(shop_id)
    if shop is None:
        raise Refused(f"no shop named {shop_id!r}")
    temu_carriers = services.temu_for(shop).carriers(carrier_region(token))
    names = {c.carrier_id: c.name for c in temu_carriers}
    rows: list[dict[str, object]] = []
    codes = [c.code for c in services.shipstation_for(shop).carriers()]
    for code in dict.fromkeys([*codes, *overrides]):
        carrier_id = resolve_carrier(code, temu_carriers, overrides)
        rows.append(
            {
                "shipstation": code,
                "temu_id": carrier_id,
                "temu_name": names.get(carrier_id or -1, "") if carrier_id else "",
                "how": "override"
                if code in overrides
                else ("by name" if carrier_id else "unmapped"),
            }
        )
    return rows


def take_new_token(services: Services, shop_id: str, access_token: str, run_id: str) -> Token:
    """Validate a new Temu token against Temu, store it encrypted, resume the shop. Raises
    Refused for an unknown shop, Temu's error (the shop stays paused) for a refused token."""
    with services.uow() as uow:
        shop = uow.shops.get(shop_id)
    make = services.temu_for_token
    if shop is None or make is None:
        raise Refused(f"no shop named {shop_id!r}")
    ctx = EventContext(services.clock.now(), Source.OPERATOR, run_id)
    return tokens.reauthorize(
        services.uow(),
        shop_id,
        Secret(access_token),
        lambda secret: make(shop, secret).token_info(),
        ctx,
    )


def save_connected(uow: UnitOfWork, shop: Shop, info: TokenInfo, ctx: EventContext) -> Token:
    """Save a validated shop and its token; refuse a token that lacks an API we call."""
    require_apis(info)
    token = Token.from_info(shop.shop_id, info, ctx.at)
    with uow:
        existing = uow.shops.get(shop.shop_id)
        if existing is not None:
            shop.created_at = existing.created_at
            shop.last_sync_at = existing.last_sync_at
            shop.amounts_permission = existing.amounts_permission
        shop.paused_reason = None
        uow.shops.save(shop)
        uow.tokens.save(token)
        uow.commit()
    return token


def token_usable(services: Services, shop_id: str) -> bool:
    """The shop has a usable token and is not paused (raises for an unknown shop)."""
    with services.uow() as uow:
        shop, token = uow.shops.get(shop_id), uow.tokens.get(shop_id)
    if shop is None or token is None:
        raise Refused(f"no shop named {shop_id!r}: run `temuship connect` first")
    return token.usable and not shop.paused


def answer_token_request(
    services: Services, shop_id: str, text: str, run_id: str
) -> tuple[str | None, str | None]:
    """A re-authorisation form's answer: ('form' | 'cli', None) when the shop is active again
    (an empty answer means the token came by `temuship reauthorize`), else (None, why)."""
    if not text:
        if token_usable(services, shop_id):
            return "cli", None
        return None, "no token was entered"
    try:
        take_new_token(services, shop_id, text, run_id)
    except (Refused, ExternalApiError, PermissionMissing) as err:
        return None, str(err)
    return "form", None


def known_shops(services: Services, names: list[str]) -> list[str]:
    """The named shops (default: every shop); refuses a name that is not connected."""
    with services.uow() as uow:
        known = [shop.shop_id for shop in uow.shops.list()]
    unknown = [n for n in names if n not in known]
    if unknown:
        raise Refused(f"no shop named {', '.join(unknown)}: run `temuship connect` first")
    return names or known


def map_carriers(services: Services, shop_id: str, overrides: dict[str, int]) -> None:
    """Set per-shop overrides: ShipStation carrier code -> Temu carrier id."""
    with services.uow() as uow:
        for code, carrier_id in overrides.items():
            uow.carriers.set_override(shop_id, code, carrier_id)
        uow.commit()


def reauthorize(services: Services, shop_id: str, access_token: str, run_id: str) -> Token:
    """A new token given by a person: mark the re-authorisation, then take the token (see
    `take_new_token`)."""
    ctx = EventContext(services.clock.now(), Source.OPERATOR, run_id)
    tokens.start_reauthorization(services.uow(), shop_id, ctx)
    return take_new_token(services, shop_id, access_token, run_id)
