"""`temuship sync`, `temuship sync --plan` and `temuship reauthorize`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from domain.errors import ExternalApiError, PermissionMissing
from domain.ports import Services
from domain.usecases import shops, sync
from domain.usecases.dry_run import plan_shop
from domain.usecases.shops import Mistake, Refused
from flows.cli.output import dump, err, out
from flows.cli.prefect_api import ensure_prefect_api

SHOWN = (
    ("orders_seen", "read from Temu"), ("orders_new", "new"), ("pushed", "sent to ShipStation"),
    ("missing_ship_to_seen", "without ship-to"), ("labels_seen", "labels"),
    ("confirmed", "confirmed to Temu"),
)  # fmt: skip


def do_sync(services: Services, names: list[str], since: datetime | None, as_json: bool) -> int:
    from flows.sync import sync_shop

    try:
        shop_ids = shops.known_shops(services, names)
    except Mistake as error:
        err.print(f"[red]{error}[/red]")
        return 2
    if shop_ids:  # Prefect (its temporary server, or PREFECT_API_URL) answering, retried once
        ensure_prefect_api()
    results = []
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=as_json,
    ) as progress:
        task = progress.add_task("syncing", total=len(shop_ids))
        for shop_id in shop_ids:
            progress.update(task, description=f"syncing {shop_id}")
            results.append(_one(sync_shop, shop_id, since))
            progress.advance(task)
    if as_json:
        dump(results)
    else:
        print_results(results)
    return 0 if all(r["status"] in ("ok", "skipped") for r in results) else 1


def _one(sync_shop: Any, shop_id: str, since: datetime | None) -> dict[str, Any]:
    from flows.sync import failed

    state = sync_shop(shop_id, since=since, return_state=True)
    return dict(state.result()) if state.is_completed() else failed(shop_id, state.message)


def print_results(results: list[dict[str, Any]]) -> None:
    """One line per shop (readable in any terminal width), then what needs a person."""
    for r in results:
        colour = {"ok": "green", "skipped": "yellow"}.get(r["status"], "red")
        counts = r.get("counts", {})
        figures = " · ".join(f"{label} {counts.get(key, 0)}" for key, label in SHOWN)
        attention = len(r.get("attention", []))
        out.print(
            f"[bold]{r['shop']}[/bold] [{colour}]{r['status']}[/{colour}]: {figures}"
            f" · needs a person {attention}",
            highlight=False,
        )
    for r in results:
        if r.get("reason"):
            out.print(f"[bold]{r['shop']}[/bold]: {r['reason']}", highlight=False)
        for kind, ident, reason in r.get("attention", [])[:10]:
            out.print(f"  {kind} {ident}: {reason}", highlight=False)


def do_plan(services: Services, names: list[str], since: datetime | None, as_json: bool) -> int:
    try:
        reports = [
            plan_shop(services, sync.new_request(services, shop_id, since=since))
            for shop_id in shops.known_shops(services, names)
        ]
    except Mistake as error:
        err.print(f"[red]{error}[/red]")
        return 2  # any other failure: flows/cli/boundary.py says what and what to do, exit 1
    if as_json:
        dump([r.to_dict() for r in reports])
        return 0
    for r in reports:
        out.print(f"[bold]{r.shop_id}[/bold] (plan only: nothing was sent or written)")
        if r.blocked:
            out.print(f"  [red]would not sync:[/red] {r.blocked}")
            continue
        calls = (len(r.to_shipstation) + 99) // 100
        out.print(
            f"  ShipStation: {len(r.to_shipstation)} order(s) in {calls} createorders call(s)"
        )
        for sn, status in r.to_shipstation[:10]:
            out.print(f"    {sn} -> {status}")
        out.print(f"  Temu: {len(r.to_temu)} shipment confirmation(s)")
        for tracking, sn, lines in r.to_temu[:10]:
            out.print(f"    tracking {tracking} for {sn} ({lines} line(s))")
        for kind, ident, reason in r.summary.attention[:10]:
            out.print(f"  needs a person: {kind} {ident}: {reason}", highlight=False)
    return 0


def do_reauthorize(services: Services, name: str, access_token: str, catch_up: bool) -> int:
    try:
        healthy = shops.token_usable(services, name)
        token = shops.reauthorize(services, name, access_token, "cli")
    except Refused as refusal:
        err.print(f"[red]{refusal}[/red]")
        return 2
    except (ExternalApiError, PermissionMissing) as error:
        stays = (
            "it keeps its current token and goes on syncing"
            if healthy
            else "it stays paused until Temu accepts a token"
        )
        err.print(f"[red]Temu refused the new token for {name}; {stays}:[/red] {error}")
        return 1
    out.print(f"[green]{name} resumed[/green]: token valid until {token.expires_at:%Y-%m-%d}.")
    from flows.reauthorize import complete_waiting_runs

    ensure_prefect_api()
    for run_name in complete_waiting_runs(name):
        out.print(f"Completed the waiting re-authorisation run {run_name}.")
    if not catch_up:
        return 0
    return do_sync(services, [name], None, as_json=False)
