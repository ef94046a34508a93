"""`temuship connect`: a new shop, new credentials for one (`--replace`), or a move of its
ShipStation side to another account or API (`--replace` with the ShipStation options only: the
Temu side is not asked for again and stays as it was)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import typer

from domain.ports import Services
from domain.secrets import Secret
from domain.shop import (
    Region,
    ShipStationApi,
    ShipStationCredentials,
    Shop,
    TemuCredentials,
    v2_credentials,
)
from domain.token import Token
from domain.usecases.moving import Moved, new_shipstation_account
from domain.usecases.shops import Mistake, Refused, checked_account, connect
from flows.cli.keys import require_key
from flows.cli.output import command, out, problem, say
from flows.cli.rules import NAME, NAME_RULE
from flows.wording import plural, when


@dataclass(frozen=True)
class ConnectRequest:
    """What `temuship connect` was given (secrets as typed: wrapped before use). A side left
    out entirely (no --app-key; no --shipstation-key) is kept as it is, with --replace."""

    name: str
    region: str = "us"
    app_key: str | None = None
    app_secret: str | None = None
    access_token: str | None = None
    shipstation_key: str | None = None
    shipstation_secret: str | None = None
    shipstation_api: str | None = None
    store_id: int | None = None
    warehouse_id: str | None = None
    temu_url: str | None = None
    shipstation_url: str | None = None
    backfill_days: int = 7
    warehouse: str | None = None
    replace_existing: bool = False


def checked_url(option: str, url: str | None) -> str | None:
    """An API base URL from the command line: http(s) with a host, or refused (exit 2)."""
    if url is None:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        problem(f"{option} must be an http:// or https:// URL, not {url!r}")
        raise typer.Exit(2)
    return url.rstrip("/")


def do_connect(open_services: Callable[[], Services], asked: ConnectRequest) -> None:
    """Checked before anything is opened or asked (exit 2), then connected (or moved)."""
    if not NAME.match(asked.name):
        refuse(f"Shop names use {NAME_RULE}: {asked.name!r}")
    temu = _temu_side(asked)
    shipstation = _shipstation_side(asked)
    if not asked.replace_existing and (temu is None or shipstation is None):
        missing = "--app-key, --app-secret, --access-token" if temu is None else "--shipstation-key"
        refuse(f"a new shop needs {missing} (only `--replace` keeps a side as it was)")
    if temu is None and shipstation is None:
        refuse("--replace with neither --app-key nor --shipstation-key changes nothing")
    # The database is opened (made, on a new machine) only once the input is right.
    services = open_services()
    require_key(services, writing=True)  # refused before Temu or ShipStation is asked
    if temu is None and shipstation is not None:
        _show_moved(_move(services, asked.name, shipstation))
        return
    shop = _new_shop(services, asked, temu, shipstation)
    try:
        token = connect(services, shop, asked.replace_existing)
    except Refused as refusal:
        problem(f"Not connected: {refusal}")
        raise typer.Exit(2 if isinstance(refusal, Mistake) else 1) from None
    _show_connected(services, shop, token)


def refuse(message: str) -> None:
    problem(message)
    raise typer.Exit(2)


def _temu_side(asked: ConnectRequest) -> TemuCredentials | None:
    """The Temu credentials given (all of them), or None when --app-key is left out."""
    if asked.app_key is None:
        return None
    if not asked.app_secret or not asked.access_token:
        refuse("--app-key needs --app-secret and --access-token too (or TEMU_APP_SECRET, "
               "TEMU_ACCESS_TOKEN)")  # fmt: skip
    try:
        region = Region(asked.region.lower())
    except ValueError:
        refuse(f"--region must be us, eu or global, not {asked.region!r}")
    temu_url = checked_url("--temu-url", asked.temu_url)
    secret, token = Secret(asked.app_secret or ""), Secret(asked.access_token or "")
    return TemuCredentials(asked.app_key, secret, token, region, temu_url)


def _shipstation_side(asked: ConnectRequest) -> ShipStationCredentials | None:
    """V1 (a key and a secret) or V2 (one key); without --shipstation-api, a secret says V1."""
    if asked.shipstation_key is None:
        return None
    try:
        api = ShipStationApi(asked.shipstation_api or ("v1" if asked.shipstation_secret else "v2"))
    except ValueError:
        refuse(f"--shipstation-api must be v1 or v2, not {asked.shipstation_api!r}")
    url = checked_url("--shipstation-url", asked.shipstation_url)
    if api is ShipStationApi.V2:
        if asked.shipstation_secret:
            refuse("a ShipStation V2 key has no secret: leave out --shipstation-secret (and "
                   "SHIPSTATION_API_SECRET), or connect with --shipstation-api v1")  # fmt: skip
        key = Secret(asked.shipstation_key)
        return v2_credentials(key, asked.store_id, url, asked.warehouse_id)
    if not asked.shipstation_secret:
        refuse("ShipStation V1 needs --shipstation-secret too (or SHIPSTATION_API_SECRET)")
    if asked.warehouse_id is not None:
        refuse("--shipstation-warehouse-id is for V2 shops: V1 orders name a store")
    secret = Secret(asked.shipstation_secret or "")
    return ShipStationCredentials(asked.shipstation_key, secret, asked.store_id, url)


def _existing(services: Services, name: str) -> Shop:
    with services.uow() as uow:
        shop = uow.shops.get(name)
    if shop is None:
        refuse(f"no shop named {name}: `--replace` keeps a side of a connected shop only")
    assert shop is not None
    return shop


def _new_shop(
    services: Services,
    asked: ConnectRequest,
    temu: TemuCredentials | None,
    shipstation: ShipStationCredentials | None,
) -> Shop:
    kept = _existing(services, asked.name) if temu is None or shipstation is None else None
    return Shop(
        asked.name,
        temu or kept.temu,  # type: ignore[union-attr]
        shipstation or kept.shipstation,  # type: ignore[union-attr]
        created_at=services.clock.now(),
        backfill_days=asked.backfill_days,
        warehouse_id=asked.warehouse,
    )


def _move(services: Services, name: str, shipstation: ShipStationCredentials) -> Moved:
    shop = _existing(services, name)
    try:
        checked = checked_account(services, Shop(name, shop.temu, shipstation, shop.created_at))
    except Refused as refusal:
        problem(f"Not connected: {refusal}; {name} keeps its ShipStation account as it was")
        raise typer.Exit(2 if isinstance(refusal, Mistake) else 1) from None
    return new_shipstation_account(services, shop, checked)


def _show_moved(moved: Moved) -> None:
    what = (
        f"from ShipStation {moved.before.label} to {moved.after.label}"
        if moved.before is not moved.after
        else f"to another ShipStation {moved.after.label} account"
    )
    out.print("[green]Moved[/green]", end=" ")
    say(f"the shop {moved.shop_id} {what}; its Temu side is as it was. Its cursors, orders, "
        f"history and pending confirmations are kept: {plural(moved.carried, 'order')} "
        f"ShipStation has stay as they are, {moved.left} will be sent at the next "
        "sync.")  # fmt: skip


def _show_connected(services: Services, shop: Shop, token: Token) -> None:
    now = services.clock.now()
    source = "as Temu says" if token.expiry_known else "90 days from now: Temu gave no date"
    ss = shop.shipstation
    where = (
        f"ShipStation V2 (warehouse {ss.warehouse_id}"
        + (f", store {ss.store_id})" if ss.store_id is not None else ")")
        if ss.api is ShipStationApi.V2
        else f"ShipStation store {ss.store_id} (V1)"
    )
    out.print("[green]Connected[/green]", end=" ")
    say(f"the shop {shop.shop_id}: Temu mall {token.mall_id} (region {token.region_id}) and "
        f"{where}. Its Temu token expires {when(token.expires_at)} ({source}), in "
        f"{plural(round(token.days_left(now)), 'day')}; the credentials are stored "
        "encrypted.")  # fmt: skip
    say(f"Next: `{command()} sync {shop.shop_id}` syncs it once now; `{command()} serve` keeps "
        "it in sync (README: Running it).")  # fmt: skip
