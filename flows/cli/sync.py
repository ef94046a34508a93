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
from domain.sync.dry_run import PlanReport, plan_shop
from domain.usecases import shops
from domain.usecases.shops import Mistake, Refused
from flows.cli.keys import require_key
from flows.cli.output import dump, err, out, problem
from flows.cli.prefect_api import ensure_prefect_api

SHOWN = (
    ("orders_seen", "read from Temu"), ("orders_new", "new"), ("pushed", "sent to ShipStation"),
    ("missing_ship_to_seen", "without ship-to"), ("labels_seen", "labels"),
    ("confirmed", "confirmed to Temu"),
)  # fmt: skip


PAUSED_FIX = (
    "to resume it: get a new access token in Temu's seller centre (re-authorise the app), then "
    "run `temuship reauthorize {shop} --access-token ...` (or TEMU_ACCESS_TOKEN=...)"
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
        if r["status"] == "paused":
            out.print(f"  {PAUSED_FIX.format(shop=r['shop'])}", highlight=False, markup=False)
        for kind, ident, reason in r.get("attention", [])[:10]:
            out.print(f"  {kind} {ident}: {reason}", highlight=False)


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
        out.print(f"[bold]{r.shop_id}[/bold] (plan only: nothing was sent or written)")
        if r.blocked:
            out.print(f"  [red]would not sync:[/red] {r.blocked}")
            continue
        out.print(_shipstation_plan(services, r))
        for sn, status in r.to_shipstation[:10]:
            out.print(f"    {sn} -> {status}")
        out.print(f"  Temu: {len(r.to_temu)} shipment confirmation(s)")
        for tracking, sn, lines in r.to_temu[:10]:
            out.print(f"    tracking {tracking} for {sn} ({lines} line(s))")
        for item in r.summary.attention[:10]:
            out.print(
                f"  needs a person: {item.kind.value} {item.subject}: {item.reason}",
                highlight=False,
            )
    return 0


def _shipstation_plan(services: Services, report: PlanReport) -> str:
    """V1 upserts every order with createorders; V2 creates the new ones (in batches of up to
    100) and brings the others to their content and status one by one."""
    count = len(report.to_shipstation)
    with services.uow() as uow:
        shop = uow.shops.get(report.shop_id, decrypt=False)
    if shop is not None and shop.shipstation.api is ShipStationApi.V2:
        new = report.new_to_shipstation
        return (f"  ShipStation V2: {count} order(s): {new} to create (in calls of up to 100), "
                f"{count - new} it has to update or give a new status")  # fmt: skip
    return f"  ShipStation: {count} order(s) in {(count + 99) // 100} createorders call(s)"


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
    out.print(f"[green]{name} resumed[/green]: token valid until {token.expires_at:%Y-%m-%d}.")
    from flows.reauthorize import complete_waiting_runs

    ensure_prefect_api()
    for run_name in complete_waiting_runs(name):
        out.print(f"Completed the waiting re-authorisation run {run_name}.")
    if not catch_up:
        return 0
    return do_sync(services, [name], None, as_json=False)
