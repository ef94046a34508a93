"""`temuship connect` and `temuship carriers`."""

from __future__ import annotations

import re

import typer
from rich.table import Table

from domain.ports import Services
from domain.secrets import Secret
from domain.shop import Region, ShipStationCredentials, Shop, TemuCredentials
from domain.usecases.shops import Refused, carrier_table, connect, map_carriers
from flows.cli.output import dump, err, out

NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


def do_connect(
    services: Services,
    name: str,
    region: str,
    app_key: str,
    app_secret: str,
    access_token: str,
    ss_key: str,
    ss_secret: str,
    store_id: int | None,
    temu_url: str | None,
    ss_url: str | None,
    backfill_days: int,
    warehouse: str | None,
) -> None:
    if not NAME.match(name):
        err.print(f"[red]Shop names use lower-case letters, digits and '-': {name!r}[/red]")
        raise typer.Exit(2)
    try:
        region_value = Region(region.lower())
    except ValueError:
        err.print(f"[red]--region must be us, eu or global, not {region!r}[/red]")
        raise typer.Exit(2) from None
    shop = Shop(
        name,
        TemuCredentials(app_key, Secret(app_secret), Secret(access_token), region_value, temu_url),
        ShipStationCredentials(ss_key, Secret(ss_secret), store_id, ss_url),
        created_at=services.clock.now(),
        backfill_days=backfill_days,
        warehouse_id=warehouse,
    )
    try:
        token = connect(services, shop)
    except Refused as refusal:
        err.print(f"[red]Not connected:[/red] {refusal}", highlight=False)
        raise typer.Exit(1) from None
    now = services.clock.now()
    source = "from Temu" if token.expiry_known else "90 days from now: Temu gave none"
    out.print(
        f"[green]Connected[/green] {name}: Temu mall {token.mall_id}, region "
        f"{token.region_id}; ShipStation store {shop.shipstation.store_id}."
    )
    out.print(
        f"Token expires {token.expires_at:%Y-%m-%d %H:%M} UTC ({source}), "
        f"{token.days_left(now):.0f} days left. Credentials are stored encrypted."
    )


def do_carriers(services: Services, name: str, maps: list[str], as_json: bool) -> int:
    overrides = {}
    for item in maps:
        code, _, carrier = item.partition("=")
        if not code.strip() or not carrier.strip().isdigit():
            err.print(f"[red]--map takes CODE=TEMU_CARRIER_ID, not {item!r}[/red]")
            return 2
        overrides[code.strip()] = int(carrier)
    map_carriers(services, name, overrides)
    try:
        rows = carrier_table(services, name)
    except Refused as refusal:
        err.print(f"[red]{refusal}[/red]")
        return 1
    if as_json:
        dump(rows)
        return 0
    table = Table("ShipStation carrier", "Temu carrier id", "Temu name", "how")
    for row in rows:
        table.add_row(*(str(row[k] or "") for k in ("shipstation", "temu_id", "temu_name", "how")))
    out.print(table)
    if any(row["how"] == "unmapped" for row in rows):
        out.print(f"Map the rest with: temuship carriers {name} --map CODE=TEMU_CARRIER_ID")
    return 0
