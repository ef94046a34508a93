"""The sync flows: one shop, and every shop. The sequence is the use case's
(`domain/usecases/sync.py`); here each step becomes a Prefect task with its retry policy, and
the run holds the shop's lock."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, cast

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_progress_artifact, update_progress_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from prefect.states import Completed, State

from adapters.db.errors import ConcurrentUpdate
from domain.errors import RateLimited, TransientError, Unreachable
from domain.usecases import sync
from domain.usecases.maintenance import all_shop_ids
from domain.usecases.sync import StepResult, Stream, SyncRequest, SyncSummary
from flows import wiring
from flows.reporting import (
    STATE_NAMES,
    artifact_key,
    publish_summary,
    summary_line,
    update_dashboard,
)

LOCK_POLL_SECONDS = 2.0
REMINDER = "temuship.token.reminder"  # a paused shop's token: no run asks for it (prefect.yaml)


def _retry_transient(task: Any, task_run: Any, state: Any) -> bool:
    try:
        state.result()
    except Unreachable:
        return False  # the client tried already; the run goes on without that API (sync.py)
    except (TransientError, RateLimited, ConcurrentUpdate):
        return True  # a retry reloads the orders another writer changed
    except Exception:
        return False
    return False


def step(name: str, run_name: str | None = None) -> Any:
    """A coarse task: no result cache (ids and counts only), transient failures retried."""
    return task(
        name=name,
        task_run_name=run_name,
        cache_policy=NO_CACHE,
        retries=2,
        retry_delay_seconds=[5, 30],
        retry_condition_fn=_retry_transient,
    )


@step("gate")
def gate(request: SyncRequest) -> StepResult:
    """The token against the clock, then the shop's pause."""
    return sync.gate(wiring.current(), request)


@step("temu-page", "temu {stream}: page {page}")
def import_page(request: SyncRequest, stream: Stream, page: int) -> StepResult:
    """Import one page of Temu orders (up to 100) into our store."""
    return sync.import_page(wiring.current(), request, stream, page)


@step("push-to-shipstation")
def push(request: SyncRequest) -> StepResult:
    """Send the changed orders to ShipStation in batches of up to 100."""
    return sync.push(wiring.current(), request)


@step("read-labels")
def read_labels(request: SyncRequest) -> StepResult:
    """Turn ShipStation labels created since the cursor into confirmations."""
    return sync.read_labels(wiring.current(), request)


@step("confirm-to-temu")
def confirm(request: SyncRequest) -> StepResult:
    """Send the outbox's open confirmations to Temu, one call per parent order."""
    return sync.confirm(wiring.current(), request)


TASKS: dict[Callable[..., StepResult], Any] = {
    sync.gate: gate,
    sync.import_page: import_page,
    sync.push: push,
    sync.read_labels: read_labels,
    sync.confirm: confirm,
}


def as_task(step: Callable[..., StepResult], *args: Any) -> StepResult:
    """The use case's step, run as its Prefect task."""
    result: StepResult = TASKS[step](*args)
    return result


class Progress:
    """The run's progress artifact (`sync-progress-<shop>`), moved on after every Temu page and
    every later step. Temu's reading takes 0-70 %: each stream of `sync.streams` an equal share,
    an update-time span by how far its windows have got, a window by its pages (Temu's total);
    then ShipStation 80 %, labels 90 %, confirmations 100 %."""

    TEMU_SHARE, PAGE = 70.0, 100
    AFTER = {sync.push: (80.0, "orders sent to ShipStation"),
             sync.read_labels: (90.0, "ShipStation labels read"),
             sync.confirm: (100.0, "confirmations sent to Temu")}  # fmt: skip

    def __init__(self, request: SyncRequest) -> None:
        self.request, self.artifact_id = request, cast(Any, None)
        self.streams: list[Stream] | None = None
        self.orders = 0

    def __call__(self, step: Callable[..., StepResult], *args: Any) -> StepResult:
        result = as_task(step, *args)
        try:
            self._moved(step, args, result)
        except Exception as err:  # a display only: never fails the sync
            get_run_logger().debug("progress not updated: %s", err)
        return result

    def _moved(self, step: Callable[..., StepResult], args: tuple[Any, ...], result: Any) -> None:
        if step is sync.import_page:
            _, stream, page = args
            self.orders += dict(result.counts).get("orders_seen", 0)
            pages = -(-result.total // self.PAGE) if result.total else page
            within = 1.0 if not result.more else min(1.0, page / max(pages, 1))
            self._show(self.TEMU_SHARE * self._share(stream, within),
                       f"Temu: {stream}, page {page} of {max(pages, page)}; "
                       f"{self.orders} order(s) read so far")  # fmt: skip
        elif step in self.AFTER:
            percent, words = self.AFTER[step]
            self._show(percent, f"{words}; {self.orders} Temu order(s) read")

    def _share(self, stream: Stream, within: float) -> float:
        """How much of Temu's reading is done once `within` of this stream's pages are read."""
        if self.streams is None:  # what the use case walks (a DB read)
            self.streams = sync.streams(wiring.current(), self.request)
        total = max(1, len(self.streams))
        for index, planned in enumerate(self.streams):
            if planned == stream:
                return (index + within) / total
            span, window = planned.window, stream.window
            if span and window and span.start <= window.start < span.end:
                length = (span.end - span.start).total_seconds() or 1.0
                done = (window.start - span.start).total_seconds()
                done += (window.end - window.start).total_seconds() * within
                return (index + min(1.0, done / length)) / total
        return 1.0  # a stream read after the planned ones (held orders)

    def _show(self, percent: float, words: str) -> None:
        percent = round(min(100.0, max(0.0, percent)), 1)
        description = f"sync of {self.request.shop_id}: {words}"
        if self.artifact_id is None:
            key = artifact_key("sync-progress", self.request.shop_id)
            self.artifact_id = create_progress_artifact(percent, key=key, description=description)
        else:
            update_progress_artifact(self.artifact_id, percent, description=description)


@flow(name="sync-shop", flow_run_name="sync {shop_id}", log_prints=True)
def sync_shop(
    shop_id: str, since: datetime | None = None, wait_for_lock_seconds: int = 0
) -> dict[str, Any]:
    """Sync one shop once: Temu orders in, ShipStation labels back to Temu.

    Returns the run's summary (a dict); the run's state is named after what happened
    ("Shop paused", "Partly done", "Skipped", else "Completed").

    Args:
        shop_id: The shop's name, as given to `temuship connect`.
        since: Re-read Temu orders updated since this time (UTC); default: from the cursor.
        wait_for_lock_seconds: If another sync of this shop is running, wait this long for it
            before skipping.
    """
    services = wiring.current()
    request = sync.new_request(services, shop_id, run_id=run_id(), since=since)
    return run_locked(request, wait_for_lock_seconds)


def run_id() -> str:
    return str(flow_run.get_id() or "")


def run_locked(request: SyncRequest, wait_seconds: float = 0) -> Any:
    """Run one shop's sync under its lock, publish the summary and the shop's dashboard; a
    failed run fails the flow. The flow ends in a Completed state whose name says what
    happened ("Shop paused", "Partly done", "Skipped"; else "Completed") and whose message is
    the outcome in words; its result is the summary dict (`state.result()`)."""
    logger, services = get_run_logger(), wiring.current()
    was_paused = shop_paused(services, request.shop_id)
    with shop_lock(request.shop_id, wait_seconds) as held:
        if held:
            summary = sync.sync_shop(services, request, Progress(request))
        else:
            summary = sync.skipped(request.shop_id, "another sync of this shop is running")
    publish_summary(summary)
    if summary.status == "paused" and was_paused:
        remind_reauthorization(services, request.shop_id)
    update_dashboard(services, request.shop_id, logger.warning)
    words = f"shop {request.shop_id}: {summary_line(summary)}"
    if summary.status == "failed":
        raise RuntimeError(f"shop {request.shop_id} failed: {summary.reason}")
    (logger.info if summary.status == "ok" else logger.warning)(words)
    name = STATE_NAMES.get(summary.status, "Completed")
    final: State[Any] = Completed(name=name, message=words, data=summary.to_dict())
    return final  # the flow returns it: its state, and `.result()` gives the dict


def shop_paused(services: Any, shop_id: str) -> bool:
    with services.uow() as uow:
        shop = uow.shops.get(shop_id, decrypt=False)
    return bool(shop is not None and shop.paused)


def remind_reauthorization(services: Any, shop_id: str) -> bool:
    """A shop paused for its token with no re-authorisation run waiting (the last one timed
    out, failed or was cancelled): announce it (`temuship.token.reminder`; the expiry itself
    is announced once) so the trigger starts a run. The
    flow itself ends at once when another run of the shop waits, so there is never a gap and
    never two waiting runs. True if announced."""
    from domain.usecases.shops import token_usable
    from flows.runs import active_runs

    try:
        if token_usable(services, shop_id) or not needs_token(services, shop_id):
            return False
        if active_runs(shop_id):
            return False
    except Exception as err:  # no Prefect API, no shop: nothing to remind
        get_run_logger().debug("no re-authorisation reminder for %s: %s", shop_id, err)
        return False
    services.events.emit(REMINDER, shop_id, {"shop": shop_id, "by": "reminder"})
    get_run_logger().warning(
        "shop %s is paused for its Temu token and no re-authorisation run waits for it: "
        "asked for one (event %s)", shop_id, REMINDER,
    )  # fmt: skip
    return True


def needs_token(services: Any, shop_id: str) -> bool:
    """The shop's token is what keeps it paused (expired, being renewed, rejected)."""
    with services.uow() as uow:
        token = uow.tokens.get(shop_id)
    return token is not None and not token.usable


@contextmanager
def shop_lock(shop_id: str, wait_seconds: float) -> Iterator[bool]:
    """The shop's lock: never two syncs of one shop at once. Waits up to `wait_seconds` for a
    running sync to end; yields whether the lock is held."""
    deadline = time.monotonic() + wait_seconds
    while True:
        with wiring.current().shop_lock(shop_id) as acquired:
            if acquired or time.monotonic() >= deadline:
                yield acquired
                return
        get_run_logger().info("shop %s: another sync is running; waiting for it", shop_id)
        time.sleep(min(LOCK_POLL_SECONDS, max(0.0, deadline - time.monotonic())))


@flow(name="sync-all-shops", flow_run_name="sync all shops")
def sync_all_shops(
    shop_ids: list[str] | None = None, since: datetime | None = None
) -> list[dict[str, Any]]:
    """Sync every shop (or the named ones); one failing shop does not stop the others.

    Args:
        shop_ids: The shops to sync (default: every connected shop).
        since: Re-read Temu orders updated since this time (UTC); default: from each cursor.
    """
    return all_shops_state(sync_each(shop_ids or all_shop_ids(wiring.current()), since))


def sync_each(
    shop_ids: list[str], since: datetime | None, wait_for_lock_seconds: int = 0
) -> list[dict[str, Any]]:
    """One sync-shop subflow per shop; a failed one is reported, the rest still run."""
    results = []
    for shop_id in shop_ids:
        state = sync_shop(
            shop_id, since=since, wait_for_lock_seconds=wait_for_lock_seconds, return_state=True
        )
        results.append(state.result() if state.is_completed() else failed(shop_id, state.message))
    return results


def all_shops_state(results: list[dict[str, Any]]) -> Any:
    """The state of a run over several shops: "Completed" when every shop synced, else named
    after the worst ("Failed shops" still completes: the others ran), with the shops in words.
    Its result is the list of summaries."""
    logger = get_run_logger()
    trouble = [r for r in results if r.get("status") not in ("ok", None)]
    words = "; ".join(f"{r['shop']} {r['status']}: {r.get('reason') or ''}" for r in trouble)
    words = words or f"{len(results)} shop(s) synced"
    (logger.warning if trouble else logger.info)(words)
    statuses = {r.get("status") for r in trouble}
    name = next((n for s, n in (("failed", "Failed shops"), ("paused", "Shop paused"),
                                ("partial", "Partly done"), ("skipped", "Skipped"))
                 if s in statuses), "Completed")  # fmt: skip
    final: State[Any] = Completed(name=name, message=words, data=results)
    return final


def failed(shop_id: str, reason: str | None) -> dict[str, Any]:
    return SyncSummary(shop_id, status="failed", reason=reason).to_dict()
