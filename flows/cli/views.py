"""`temuship status` and `temuship history`: domain/usecases/reports.py, as sentences and
aligned tables (the words of flows/shop_view.py, the dashboard's) or JSON. An unknown shop or
order exits 2 (flows/cli/boundary.py)."""

from __future__ import annotations

import re
from typing import Any

from domain.ports import Services
from domain.usecases.reports import order_history, shop_status
from domain.usecases.shops import known_shops
from flows import shop_view as view
from flows.cli.keys import key_refusal
from flows.cli.output import command, dump, out, pasteable, problem, say, show, table
from flows.ui_links import dashboard_path, dashboard_url, default_ui_base
from flows.wording import ORDER_STATE_WORDS, plural, state_words, when

SHOWN = 10  # rows of each list; `--json` has more
STATES = re.compile("|".join(rf"\b{state}\b" for state in ORDER_STATE_WORDS if "_" in state))


def show_status(services: Services, name: str | None, as_json: bool) -> int:
    """Every shop's status (no credential is decrypted); then, when this process's key is not
    the database's, that line too, and exit 1: no sync could open the credentials."""
    names = known_shops(services, [name] if name else [])  # an unknown shop: Mistake, exit 2
    from flows.serve.report import label_line, label_status

    reports = [shop_status(services, shop_id) for shop_id in names]
    if as_json:
        dump([r | {"labels": label_status(services, r["shop"]),
                   "dashboard": dashboard_url(r["shop"])} for r in reports])  # fmt: skip
    else:
        if not reports:
            say(f"No shops yet: connect one with `{command()} connect` "
                f"(or try `{command()} demo`).")  # fmt: skip
        for report in reports:
            if "error" in report:
                problem(f"{report['shop']}: {report['error']}")
                continue
            print_status(report, label_line(services, report["shop"])[1])
    refusal = key_refusal(services) if reports else None
    if refusal is not None:
        problem(str(refusal))
        return 1
    return 0


def print_status(report: dict[str, Any], labels: str, dashboard: str | None = None) -> None:
    """One shop: the headline, what needs a person, the table, then the lists."""
    shop = report["shop"]
    out.print(f"[bold]Shop {shop}[/bold]")
    say(view.headline(report))
    say(view.needs_person_line(report))
    grid = table("", "")
    labelled = ("Labels", labels.removeprefix("labels: "))
    for what, words in [*view.rows(report, local=True), labelled]:
        grid.add_row(what, pasteable(words))
    dashboard = (
        dashboard
        or dashboard_url(shop)
        or (
            f"{default_ui_base()}/{dashboard_path(shop)} (the Prefect UI's default address, "
            f"while `{command()} serve` or `{command('prefect')} server start` runs)"
        )
    )
    grid.add_row("Dashboard", dashboard)
    show(grid)
    _lists(report)
    say("")


def _lists(report: dict[str, Any]) -> None:
    for title, count, rows in view.problems(report):
        if rows:
            four: tuple[str, ...] = ("order", "shipment", "status", "why")
            _print_rows(f"{title}: {count}", four if len(rows[0]) == 4 else four[::3], rows, count)
    at_risk = report.get("ship_by_at_risk") or []
    if at_risk:
        risks = [view.ship_by_item(risk, local=True) for risk in at_risk]
        title = f"Orders to ship now, earliest ship-by first: {len(risks)}"
        _print_rows(title, ("order", "ship by", "left"), risks, len(risks))
    shipments = (report.get("recent_shipments") or [])[:5]
    if shipments:
        labels = [(r["order"], r["shipment"], r["tracking"] or "", _label(r), r["status"])
                  for r in shipments]  # fmt: skip
        heads = ("order", "shipment", "tracking", "carrier and cost", "to Temu")
        _print_rows(f"The latest {plural(len(labels), 'label')}", heads, labels, len(labels))


def _label(row: dict[str, Any]) -> str:
    return ", ".join(str(row[k]) for k in ("carrier", "cost") if row.get(k))  # service: --json


def _print_rows(
    title: str, columns: tuple[str, ...], rows: list[Any], count: int, shown: int = SHOWN
) -> None:
    grid = table(*columns)
    for row in rows[:shown]:
        grid.add_row(*(str(cell) for cell in row))
    say("")
    out.print(f"[bold]{title}[/bold]")
    show(grid)
    if count > shown:
        say(f"…and {count - shown} more (`--json` lists them).")


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
    say(f"{parent_order_sn}: {plural(len(entries), 'event')}, oldest first.")
    grid = table("when", "what happened")
    for e in entries:
        change = state_words(e["to"])
        if e["from"] != e["to"]:
            change = f"{state_words(e['from'])} → {change}"
        said = f"{_event(e)}: {change} (by {_source(e)})"
        if e["reason"]:
            said += f"\n{in_words(str(e['reason']))}"
        grid.add_row(when(e["at"]), said)
    show(grid)
    runs = sorted({e["run_id"] for e in entries if e["run_id"]})
    if runs:
        say(f"Prefect flow runs: {', '.join(runs)}.")
    return 0


def in_words(text: str) -> str:
    """A stored reason with the order states it names in words (`sent as on hold`)."""
    return STATES.sub(lambda found: state_words(found.group(0)), text)


def _event(entry: dict[str, Any]) -> str:
    words = str(entry["event"]).replace("_", " ").capitalize()
    words = words.replace("shipstation", "ShipStation").replace("temu", "Temu")
    if not entry["accepted"]:
        words += " (refused)"
    if entry["conflict"]:
        words += " (conflict)"
    return words


def _source(entry: dict[str, Any]) -> str:
    source = {"temu": "Temu", "shipstation": "ShipStation"}.get(entry["source"], entry["source"])
    code = entry["temu_code"]
    return f"{source}; Temu status {code}" if code is not None else source
