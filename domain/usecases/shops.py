"""Connecting, checking and mapping carriers for a shop, and taking its new token: both APIs
asked, nothing guessed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import TypeVar

from domain.carriers import carrier_region, resolve_carrier
from domain.errors import (
    ConnectionLost,
    ExternalApiError,
    PermissionMissing,
    RateLimited,
    SecretKeyError,
    TemushipError,
    TransientError,
    Unreachable,
)
from domain.history import EventContext
from domain.model import Source, order_key
from domain.ports import Services, ShipFrom, Store, TimeWindow, UnitOfWork
from domain.secrets import Secret
from domain.shop import ShipStationApi, ShipStationCredentials, Shop
from domain.token import Token, TokenInfo
from domain.usecases import tokens
from domain.usecases.tokens import OPTIONAL_APIS, require_apis
from domain.words import plural

T = TypeVar("T")
MAX_V2_NAME = 50 - len(order_key("", "PO-211-00000000000000000"))  # a Temu PO is 24 characters


class Refused(TemushipError):
    """A side rejected what the user gave: the message says which side and what to do."""


class Mistake(Refused):
    """What the person asked for cannot be done as asked (an unknown shop, a name taken, a
    mall connected twice): refused before anything is sent or written."""


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


def pick_warehouse(warehouses: list[ShipFrom], wanted: str | None) -> str:
    """The warehouse named, else the account's default (V2 ships every order from one)."""
    if wanted is not None:
        if not any(w.warehouse_id == wanted for w in warehouses):
            raise Refused(
                f"ShipStation has no warehouse {wanted}; warehouses: {_places(warehouses)}"
            )
        return wanted
    default = [w for w in warehouses if w.is_default] or warehouses[:1]
    if not default:
        raise Refused("the ShipStation account has no warehouse: add a ship-from location first")
    return default[0].warehouse_id


def _places(warehouses: list[ShipFrom]) -> str:
    return ", ".join(f"{w.warehouse_id} {w.name}" for w in warehouses) or "none"


def checked_account(services: Services, shop: Shop) -> ShipStationCredentials:
    """The shop's ShipStation credentials once the account took them (a read-only call): V1's
    store (named, or the only one), V2's warehouse (named, or the default)."""
    given = shop.shipstation
    gateway = services.shipstation_for(shop)
    if given.api is ShipStationApi.V2:
        refuse_long_v2_name(shop.shop_id)
        warehouses = _asked("ShipStation", gateway.warehouses)
        return replace(given, warehouse_id=pick_warehouse(warehouses, given.warehouse_id))
    stores = _asked("ShipStation", gateway.stores)
    return replace(given, store_id=pick_store(stores, given.store_id))


def refuse_long_v2_name(shop_id: str) -> None:
    """V2's external_shipment_id holds 50 characters: the shop's order keys must fit."""
    if len(shop_id) > MAX_V2_NAME:
        raise Mistake(
            f"{shop_id!r} is {len(shop_id)} characters: ShipStation V2 keeps an order's key in "
            f"50 characters, so a V2 shop's name has at most {MAX_V2_NAME}; connect it under a "
            "shorter name"
        )


def _stores(stores: list[Store]) -> str:
    return ", ".join(f"{s.store_id} {s.name}" for s in stores) or "none"


def connect(services: Services, shop: Shop, replace_existing: bool = False) -> Token:
    """Validate both sides, then save the shop (credentials encrypted) and its token.

    A name already connected is refused unless `replace_existing` (its cursors, orders and
    history are kept); a Temu mall already connected under another name is refused."""
    with services.uow() as uow:
        existing = shop.shop_id in uow.shops.ids()
    if existing and not replace_existing:
        raise Mistake(
            f"a shop named {shop.shop_id!r} is already connected: pass --replace to give it "
            "new credentials (its orders, cursors and history are kept)"
        )
    info = _asked("Temu", lambda: services.temu_for(shop).token_info())
    shop.shipstation = checked_account(services, shop)
    try:
        require_apis(info)
    except PermissionMissing as err:
        raise Refused(str(err)) from err
    _refuse_second_name(services, shop.shop_id, info)
    ctx = EventContext(services.clock.now(), Source.OPERATOR, "connect")
    try:
        return save_connected(services.uow(), shop, info, ctx)
    except ExternalApiError as err:
        raise Refused(str(err)) from err


def _asked(side: str, call: Callable[[], T]) -> T:
    """Ask one side; a refusal names the side and says whether it answered at all."""
    try:
        return call()
    except (TransientError, RateLimited) as err:
        said = err.message if isinstance(err, Unreachable | ConnectionLost) else str(err)
        raise Refused(f"{side} did not answer: {said}; nothing was saved, try again") from err
    except ExternalApiError as err:
        raise Refused(f"{side} refused the credentials: {err}") from err


def _refuse_second_name(services: Services, shop_id: str, info: TokenInfo) -> None:
    """One Temu mall, one shop: a second name would import every order twice."""
    if info.mall_id is None:
        return
    with services.uow() as uow:
        others = [s for s in uow.tokens.shops_of_mall(info.mall_id) if s != shop_id]
    if others:
        raise Mistake(
            f"Temu mall {info.mall_id} is already connected as shop {others[0]!r}: a second "
            f"name would send every order to ShipStation twice. To renew its credentials, run "
            f"`temuship connect {others[0]} --replace ...`"
        )


def disconnect(services: Services, shop_id: str, delete_orders: bool) -> None:
    """Remove a shop and its stored credentials; its orders and history too if asked. Its
    credentials are opened first: a process with another key than the database's is refused
    (WrongSecretKey) and removes nothing."""
    known_shops(services, [shop_id])
    with services.uow() as uow:
        uow.shops.get(shop_id)
        uow.shops.delete(shop_id, delete_orders)
        uow.commit()


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

    try:
        with services.uow() as uow:
            shop = uow.shops.get(shop_id)
    except SecretKeyError as err:  # another key, or one refused: the other probes need it
        return [CheckLine(False, "credentials", str(err))]
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
        return f"{found[0].store_id} {found[0].name} (ShipStation {ss.speaks.label})"

    def warehouse() -> str:
        wanted = shop.shipstation.warehouse_id
        found = [w for w in ss.warehouses() if w.warehouse_id == wanted]
        if not found:
            raise Refused(f"warehouse {wanted} not found: `temuship connect --replace` names one")
        store = shop.shipstation.store_id
        kept = f", store {store}" if store is not None else ""
        return f"{found[0].warehouse_id} {found[0].name}{kept} (ShipStation V2)"

    def temu_page() -> str:
        page = temu.list_orders(TimeWindow(now - timedelta(days=1), now), 1, page_size=10)
        return f"{plural(page.total, 'order')} updated in the last day"

    def ss_page() -> str:
        first = next(iter(ss.labels_since(now - timedelta(days=1))), None)
        return f"{plural(len(first.labels) if first else 0, 'label')} in the last day"

    probe("temu token", token)
    if shop.shipstation.api is ShipStationApi.V2:
        probe("shipstation warehouse", warehouse)
    else:
        probe("shipstation store", store)
    probe("temu orders", temu_page)
    probe("shipstation labels", ss_page)
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
    return tokens.accept_new_token(
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
        known = uow.shops.ids()
    unknown = [n for n in names if n not in known]
    if unknown:
        raise Mistake(f"no shop named {', '.join(unknown)}: run `temuship connect` first")
    return names or known


def map_carriers(
    services: Services, shop_id: str, overrides: dict[str, int], remove: list[str]
) -> None:
    """Set per-shop overrides (ShipStation carrier code -> Temu carrier id) after checking the
    shop and every Temu carrier id exist; remove the `remove` codes. All or nothing."""
    known_shops(services, [shop_id])
    with services.uow() as uow:
        shop, token = uow.shops.get(shop_id), uow.tokens.get(shop_id)
        current = uow.carriers.overrides(shop_id)
    if overrides and shop is not None:
        ids = {c.carrier_id for c in services.temu_for(shop).carriers(carrier_region(token))}
        unknown = sorted(str(i) for i in set(overrides.values()) - ids)
        if unknown:
            raise Mistake(f"Temu has no carrier {', '.join(unknown)}: `temuship carriers "
                          f"{shop_id}` lists the Temu carrier ids")  # fmt: skip
    missing = [code for code in remove if code not in current]
    if missing:
        raise Mistake(f"{shop_id} has no override for {', '.join(missing)}")
    with services.uow() as uow:
        for code, carrier_id in overrides.items():
            uow.carriers.set_override(shop_id, code, carrier_id)
        for code in remove:
            uow.carriers.remove_override(shop_id, code)
        uow.commit()


def reauthorize(services: Services, shop_id: str, access_token: str, run_id: str) -> Token:
    """A new token given by a person: validated against Temu first, so a refused one leaves
    the shop's token and pause exactly as they were (see `take_new_token`)."""
    known_shops(services, [shop_id])
    return take_new_token(services, shop_id, access_token, run_id)
