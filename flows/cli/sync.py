"""`temuship sync`, `temuship sync --plan` and `temuship reauthorize`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from typing import Any

from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

import domain.sync as sync
from domain.errors import (
    ConnectionLost,
    ExternalApiError,
    PermissionMissing,
    RateLimited,
    TransientError,
    Unreachable,
)
from domain.ports import Services, TimeWindow
from domain.shop import ShipStationApi, Shop
from domain.sync import RunStatus
from domain.sync.dry_run import PlanReport, plan_shop
from domain.usecases import shops
from domain.usecases.shops import Mistake, Refused
from flows.cli.keys import require_key
from flows.cli.output import command, dump, err, out, problem, say, show, table
from flows.cli.prefect_api import ensure_prefect_api
from flows.wording import (
    items_by_kind,
    items_list,
    needs_person_sentence,
    needs_person_words,
    plural,
    state_words,
    when,
)

SHOWN = 10  # items for a person listed per shop; `--json` has them all (up to 500)
PAUSED_FIX = (
    "To resume it, get a new access token in Temu's seller centre (authorise the app again), "
    "then run: {command} reauthorize {shop} --access-token ... (or set TEMU_ACCESS_TOKEN)."
)


def do_sync(services: Services, names: list[str], since: datetime | None, as_json: bool) -> int:
    try:
        shop_ids = shops.known_shops(services, names)
    except Mistake as error:
        problem(str(error))
        return 2
    if shop_ids:
        require_key(services)  # another key: one line, before Prefect starts or Temu is asked
        ensure_prefect_api()  # its temporary server, or PREFECT_API_URL, answering (retried once)
    from flows import wiring
    from flows.sync import sync_shop  # Prefect is imported once the checks have passed

    results = []
    with _progress(as_json) as progress:
        task = progress.add_task("syncing", total=len(shop_ids))
        for shop_id in shop_ids:
            progress.update(task, description=f"syncing {shop_id}")
            watched = replace(services, temu_for=_watching(services.temu_for, progress, task))
            with wiring.using(watched):  # the flow's steps take their services from here
                results.append(_one(sync_shop, shop_id, since))
            progress.advance(task)
    if as_json:
        dump(results)
    else:
        print_results(results)
    return 0 if all(r["status"] in ("ok", "skipped") for r in results) else 1


@contextmanager
def _progress(quiet: bool) -> Iterator[Progress]:
    """One line on stderr while shops are read: which, for how long, which Temu window."""
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=quiet,
    ) as progress:
        yield progress


class _WatchedTemu:
    """A shop's Temu gateway that shows on the progress line which orders it is reading (an
    update-time window, or one open status), page by page; otherwise the gateway itself."""

    def __init__(self, inner: Any, shop_id: str, show: Callable[[str], None]) -> None:
        self._inner, self._shop_id, self._show = inner, shop_id, show

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def list_orders(self, window: TimeWindow | None, page: int, **options: Any) -> Any:
        if window is not None:
            what = f"orders updated {window.start:%Y-%m-%d %H:%M} to {window.end:%Y-%m-%d %H:%M}"
        else:
            what = f"open orders (status {options.get('status')})"
        self._show(f"{self._shop_id}: Temu {what}, page {page}")
        return self._inner.list_orders(window, page, **options)


def _watching(
    temu_for: Callable[[Shop], Any], progress: Progress, task: TaskID
) -> Callable[[Shop], Any]:
    def watched(shop: Shop) -> Any:
        def show(text: str) -> None:
            progress.update(task, description=text)

        return _WatchedTemu(temu_for(shop), shop.shop_id, show)

    return watched


def _one(sync_shop: Any, shop_id: str, since: datetime | None) -> dict[str, Any]:
    from flows.sync import summary_of

    return summary_of(shop_id, sync_shop(shop_id, since=since, return_state=True))


def print_results(results: list[dict[str, Any]]) -> None:
    """Each shop's run in sentences, then its items for a person in a table (the order
    number beside every shipment id)."""
    for r in results:
        print_run(r)


def print_run(r: dict[str, Any], shown: int = SHOWN) -> None:
    say(f"{r['shop']}: {run_sentence(r)}")
    if r["status"] == "paused":
        say(PAUSED_FIX.format(command=command(), shop=r["shop"]))
    needing = r.get("needs_person", len(r.get("attention") or []))
    if needing or r["status"] in ("ok", "skipped"):
        say(needs_person_sentence(needing, items_list(r)))
    print_items(r, shown)
    if needing > shown:
        say(f"`{command()} status {r['shop']}` lists what needs a person now; `--json` gives "
            "every item of this run.")  # fmt: skip
    say("")


def print_items(result: dict[str, Any], shown: int = SHOWN) -> None:
    """A run's items for a person, kind by kind: a line saying how many, then a table of the
    first `shown` with the order number, the shipment id of a label, and why."""
    items = result.get("items") or []
    for kind, count in items_by_kind(result):
        rows = [i for i in items if i["kind"] == kind][:shown]
        if kind == "shop_paused" or not rows:
            continue
        say(f"{needs_person_words(kind, count)}:")
        labels = any(i["shipment"] for i in rows)
        grid = table("order", "shipment", "why") if labels else table("order", "why")
        for i in rows:
            cells = (i["order"] or "-", i["shipment"], i["reason"]) if labels else (
                i["order"] or "-", i["reason"])  # fmt: skip
            grid.add_row(*cells)
        show(grid)
        if count > len(rows):
            say(f"…and {count - len(rows)} more.")


def run_sentence(r: dict[str, Any]) -> str:
    """What a run did, in a sentence: orders counted once each however often read."""
    c = r.get("counts") or {}
    status = RunStatus(r["status"])
    if status in (RunStatus.PAUSED, RunStatus.SKIPPED, RunStatus.FAILED):
        return f"{status.words}. Why: {r.get('reason') or 'no reason given'}"
    read = c.get("orders_read", 0)
    said = (
        f"{plural(read, 'Temu order')} read ({c.get('orders_new', 0)} new to temuship, "
        f"{c.get('orders_state_changed', 0)} changed state), {c.get('pushed', 0)} sent to "
        f"ShipStation, {plural(c.get('labels_seen', 0), 'label')} read, "
        f"{c.get('confirmed', 0)} confirmed to Temu"
    )
    if waiting := c.get("orders_without_ship_to", 0):
        said += f"; {plural(waiting, 'order')} waiting for Temu's ship-to address"
    if status is RunStatus.PARTIAL:
        return f"partly done: {said}. Why: {r.get('reason')}; the next sync finishes the rest."
    return f"done: {said}."


def do_plan(services: Services, names: list[str], since: datetime | None, as_json: bool) -> int:
    try:
        shop_ids = shops.known_shops(services, names)
    except Mistake as error:
        problem(str(error))
        return 2  # any other failure: flows/cli/boundary.py says what and what to do, exit 1
    if shop_ids:
        require_key(services)
    reports = []
    with _progress(as_json) as progress:
        task = progress.add_task("planning", total=len(shop_ids))
        for shop_id in shop_ids:
            progress.update(task, description=f"planning {shop_id}")
            watched = replace(services, temu_for=_watching(services.temu_for, progress, task))
            reports.append(plan_shop(watched, sync.new_request(watched, shop_id, since=since)))
            progress.advance(task)
    if as_json:
        dump([r.to_dict() for r in reports])
        return 0
    for r in reports:
        print_plan(r, _is_v2(services, r.shop_id))
    return 0


def _is_v2(services: Services, shop_id: str) -> bool:
    with services.uow() as uow:
        shop = uow.shops.get(shop_id, decrypt=False)
    return shop is not None and shop.shipstation.api is ShipStationApi.V2


def print_plan(r: PlanReport, v2: bool = False) -> None:
    out.print(f"[bold]{r.shop_id}[/bold]:", end=" ")
    if r.blocked:
        say(f"would not sync (plan only: nothing was sent or written). Why: {r.blocked}")
        return
    say(f"plan only: nothing was sent or written. A sync now would send "
        f"{_shipstation_plan(r, v2)} and "
        f"{plural(len(r.to_temu), 'shipment confirmation')} to Temu.")  # fmt: skip
    if r.to_shipstation:
        grid = table("order", "sent as")
        for sn, status in r.to_shipstation[:SHOWN]:
            grid.add_row(sn, state_words(status))
        show(grid)
        _more(len(r.to_shipstation), "orders")
    if r.to_temu:
        grid = table("order", "tracking", "lines")
        for tracking, sn, lines in r.to_temu[:SHOWN]:
            grid.add_row(sn, tracking, str(lines))
        show(grid)
        _more(len(r.to_temu), "confirmations")
    if r.summary.attention:
        said = r.summary.to_dict()
        say(needs_person_sentence(r.summary.needs_person, items_list(said)))
        print_items(said)
    say("")


def _shipstation_plan(report: PlanReport, v2: bool) -> str:
    """V1 upserts every order with createorders; V2 creates the new ones (in calls of up to
    100) and brings the others to their content and status one by one."""
    count = len(report.to_shipstation)
    if v2:
        new = report.new_to_shipstation
        return (f"{plural(count, 'order')} to ShipStation V2 ({new} to create, in calls of up "
                f"to 100; {count - new} to update or give a new status)")  # fmt: skip
    calls = (count + 99) // 100
    return f"{plural(count, 'order')} to ShipStation in {plural(calls, 'createorders call')}"


def _more(count: int, what: str) -> None:
    if count > SHOWN:
        say(f"…and {count - SHOWN} more {what} (`--json` lists them all).")


def do_reauthorize(services: Services, name: str, access_token: str, catch_up: bool) -> int:
    shops.known_shops(services, [name])  # an unknown shop: Mistake, exit 2
    require_key(services)
    healthy = shops.token_usable(services, name)
    stays = (
        "it keeps its current token and goes on syncing"
        if healthy
        else "it stays paused until Temu accepts a token"
    )
    try:
        token = shops.reauthorize(services, name, access_token, "cli")
    except Refused as refusal:
        problem(str(refusal))
        return 2 if isinstance(refusal, Mistake) else 1
    except (TransientError, RateLimited) as error:  # no answer: nothing was decided
        said = error.message if isinstance(error, Unreachable | ConnectionLost) else str(error)
        problem(
            f"Temu did not answer, so the new token for {name} was not checked; {stays}: {said}"
        )
        return 1
    except (ExternalApiError, PermissionMissing) as error:
        problem(f"Temu refused the new token for {name}; {stays}: {error}")
        return 1
    out.print(f"[green]{name} is resumed[/green]:", end=" ")
    say(f"Temu accepted the new token, valid until {when(token.expires_at)}.")
    from flows.reauthorize import complete_waiting_runs

    ensure_prefect_api()
    for run_name in complete_waiting_runs(name):
        say(f"Completed the re-authorisation run that waited for the token ({run_name}).")
    if not catch_up:
        return 0
    return do_sync(services, [name], None, as_json=False)
