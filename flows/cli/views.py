"""`temuship status` and `temuship history`: domain/usecases/reports.py, as tables or JSON. An
unknown shop or order exits 2 (flows/cli/boundary.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from domain.ports import Services
from domain.usecases.reports import order_history, shop_status
from domain.usecases.shops import known_shops
from flows.cli.keys import key_refusal
from flows.cli.output import dump, out, problem
from flows.wording import shipstation_words, token_validity


def show_status(services: Services, name: str | None, as_json: bool) -> int:
    """Every shop's status (no credential is decrypted); then, when this process's key is not
    the database's, that line too, and exit 1: no sync could open the credentials."""
    names = known_shops(services, [name] if name else [])  # an unknown shop: Mistake, exit 2
    from flows.serve.report import label_line, label_status

    reports = [shop_status(services, shop_id) for shop_id in names]
    if as_json:
        dump([report | {"labels": label_status(services, report["shop"])} for report in reports])
    else:
        if not reports:
            out.print("No shops yet: run `temuship connect` (or try `temuship demo`).")
        for report in reports:
            _print_status(report)
            if "error" not in report:
                out.print(f"  {label_line(services, report['shop'])[1]}", highlight=False)
    refusal = key_refusal(services) if reports else None
    if refusal is not None:
        problem(str(refusal))
        return 1
    return 0


def _print_status(report: dict[str, Any]) -> None:
    if "error" in report:
        problem(f"{report['shop']}: {report['error']}")
        return
    token = report["token"]
    paused = f"paused: {report['paused_reason']}" if report["paused"] else "running"
    out.print(f"[bold]{report['shop']}[/bold] ({paused}; sync {report['sync_state']})")
    if token["state"] in ("active", "expiring"):
        line = f"{token['state']}, expires {token['expires_at']} ({token['days_left']} days)"
    else:
        line = f"{token['state']}{token_validity(token)}"
    out.print(f"  token {line}", highlight=False)
    out.print(f"  ShipStation {shipstation_words(report['shipstation'])}", highlight=False)
    out.print(f"  last good sync: {report['last_successful_sync'] or 'never'}")
    if report["last_error"]:
        out.print(f"  last error: {report['last_error']}", highlight=False)
    states = ", ".join(f"{k} {v}" for k, v in sorted(report["orders_by_state"].items()))
    out.print(f"  orders: {states or 'none'}; missing ship-to: {report['missing_ship_to']}")
    out.print(f"  confirmations: {report['confirmations_by_status']}", highlight=False)
    for row in report.get("recent_shipments", [])[:5]:
        cost = f", {row['cost']}" if row["cost"] else ""
        out.print(
            f"  shipment {row['shipment']} for {row['order']}: {row['carrier']} "
            f"{row['service'] or ''}{cost}, tracking {row['tracking']} ({row['status']})",
            highlight=False,
        )
    for kind in ("held", "push_failed", "confirmation_problems"):
        for row in report[kind][:10]:
            out.print(f"  {kind}: {row}", highlight=False)
    _print_ship_by(report)


def _print_ship_by(report: dict[str, Any], shown: int = 10) -> None:
    """One line per order near or past its Temu ship-by time with no label yet."""
    at_risk = report.get("ship_by_at_risk") or []
    if not at_risk:
        return
    late = sum(1 for row in at_risk if row["late"])
    out.print(
        f"  ship-by at risk (within {report.get('ship_by_horizon_hours', 24)} h, no label): "
        f"{len(at_risk)}, {late} late",
        highlight=False,
    )
    for row in at_risk[:shown]:
        out.print(f"    {ship_by_line(row)}", highlight=False, markup=False)
    if len(at_risk) > shown:
        out.print(f"    …and {len(at_risk) - shown} more (`temuship status --json`)")


def ship_by_line(row: dict[str, Any]) -> str:
    """`PO-… ship by 2026-12-01 14:00 UTC, in 5 h` or `… LATE by 3 h`."""
    when = datetime.fromisoformat(row["ship_by"]).astimezone(UTC)
    hours = abs(row["hours_left"])
    amount = f"{hours:.0f}" if hours >= 1 else f"{hours:.1f}"
    left = f"LATE by {amount} h" if row["late"] else f"in {amount} h"
    return f"{row['order']} ship by {when:%Y-%m-%d %H:%M} UTC, {left}"


def show_history(
    services: Services, parent_order_sn: str, as_json: bool, shop_id: str | None = None
) -> int:
    if shop_id is not None:
        known_shops(services, [shop_id])  # an unknown shop: Mistake, exit 2
    entries = order_history(services, parent_order_sn, shop_id)
    if not entries:  # an unknown order is bad usage, as an unknown shop is
        of_shop = f" in shop {shop_id}" if shop_id else ""
        problem(f"no history for {parent_order_sn}{of_shop}: no such order")
        return 2
    if as_json:
        dump(entries)
        return 0
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
