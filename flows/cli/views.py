"""`temuship status` and `temuship history`: domain/usecases/reports.py, as tables or JSON."""

from __future__ import annotations

from typing import Any

from domain.ports import Services
from domain.usecases.reports import order_history, shop_status
from flows.cli.output import dump, err, out


def show_status(services: Services, name: str | None, as_json: bool) -> None:
    with services.uow() as uow:
        names = [name] if name else [shop.shop_id for shop in uow.shops.list()]
    reports = [shop_status(services, shop_id) for shop_id in names]
    if as_json:
        dump(reports)
        return
    if not reports:
        out.print("No shops yet: run `temuship connect` (or try `temuship demo`).")
    for report in reports:
        _print_status(report)


def _print_status(report: dict[str, Any]) -> None:
    if "error" in report:
        err.print(f"[red]{report['shop']}: {report['error']}[/red]")
        return
    token = report["token"]
    paused = f"paused: {report['paused_reason']}" if report["paused"] else "running"
    out.print(f"[bold]{report['shop']}[/bold] ({paused}; sync {report['sync_state']})")
    out.print(
        f"  token {token['state']}, expires {token['expires_at']} ({token['days_left']} days)",
        highlight=False,
    )
    out.print(f"  last good sync: {report['last_successful_sync'] or 'never'}")
    if report["last_error"]:
        out.print(f"  last error: {report['last_error']}", highlight=False)
    states = ", ".join(f"{k} {v}" for k, v in sorted(report["orders_by_state"].items()))
    out.print(f"  orders: {states or 'none'}; missing ship-to: {report['missing_ship_to']}")
    out.print(f"  confirmations: {report['confirmations_by_status']}", highlight=False)
    for kind in ("held", "push_failed", "confirmation_problems"):
        for row in report[kind][:10]:
            out.print(f"  {kind}: {row}", highlight=False)


def show_history(
    services: Services, parent_order_sn: str, as_json: bool, shop_id: str | None = None
) -> int:
    entries = order_history(services, parent_order_sn, shop_id)
    if as_json:
        dump(entries)
        return 0 if entries else 1
    if not entries:
        err.print(f"[red]no history for {parent_order_sn}[/red]")
        return 1
    for e in entries:
        refused = " [red](refused)[/red]" if not e["accepted"] else ""
        conflict = " [red](conflict)[/red]" if e["conflict"] else ""
        code = f", Temu {e['temu_code']}" if e["temu_code"] is not None else ""
        run = f", run {e['run_id']}" if e["run_id"] else ""
        out.print(
            f"{e['at'][:19].replace('T', ' ')}  {e['from']} -> {e['to']}  "
            f"[bold]{e['event']}[/bold]{refused}{conflict}  ({e['source']}{code}{run})"
            + (f"\n    {e['reason']}" if e["reason"] else ""),
            highlight=False,
        )
    return 0
