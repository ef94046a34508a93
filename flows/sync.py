"""The sync flows: one shop, and every shop. The sequence is the use case's
(`domain/sync/run.py`); here each step becomes a Prefect task with its retry policy, and the
run holds the shop's lock."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from prefect.states import Completed, State

import domain.sync as sync
from adapters.db.errors import ConcurrentUpdate
from domain.errors import RateLimited, TransientError, Unreachable
from domain.ports import Services
from domain.sync import RunStatus, Step, StepCall, StepResult, SyncRequest, SyncSummary
from domain.usecases.maintenance import all_shop_ids
from flows import wiring
from flows.progress import Progress
from flows.reporting import STATE_NAMES, publish_summary, summary_line, update_dashboard

LOCK_POLL_SECONDS = 2.0
REMINDER = "temuship.token.reminder"  # a paused shop's token: no run asks for it (prefect.yaml)


def _retry_transient(task: Any, task_run: Any, state: Any) -> bool:
    try:
        state.result()
    except Unreachable:
        return False  # the client tried already; the run goes on without that API
    except (TransientError, RateLimited, ConcurrentUpdate):
        return True  # a retry reloads the orders another writer changed
    except Exception:
        return False
    return False


def _run_step(step: StepCall) -> StepResult:
    """One step of the sync use case (domain/sync/steps.py), as a Prefect task."""
    return step.call()


TASKS: dict[Step, Any] = {
    step: task(
        name=step.value,
        task_run_name="{step.label}",
        cache_policy=NO_CACHE,  # ids and counts only
        retries=2,
        retry_delay_seconds=[5, 30],
        retry_condition_fn=_retry_transient,
    )(_run_step)
    for step in Step
}
"""One task per step (named after it), transient failures retried."""


class TaskRunner:
    """Runs each step of the use case as its Prefect task and moves the progress artifact."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress

    def __call__(self, call: StepCall) -> StepResult:
        result: StepResult = TASKS[call.step](call)
        self.progress.moved(call, result)
        return result


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
    return run_locked(services, request, wait_for_lock_seconds)


def run_id() -> str:
    return str(flow_run.get_id() or "")


def run_locked(services: Services, request: SyncRequest, wait_seconds: float = 0) -> Any:
    """Run one shop's sync under its lock, publish the summary and the shop's dashboard; a
    failed run fails the flow. The flow ends in a Completed state whose name says what
    happened ("Shop paused", "Partly done", "Skipped"; else "Completed") and whose message is
    the outcome in words; its result is the summary dict (`state.result()`)."""
    logger = get_run_logger()
    was_paused = shop_paused(services, request.shop_id)
    with shop_lock(services, request.shop_id, wait_seconds) as held:
        if held:
            runner = TaskRunner(Progress(services, request))
            summary = sync.sync_shop(services, request, runner)
        else:
            summary = sync.skipped(request.shop_id, "another sync of this shop is running")
    publish_summary(summary)
    if summary.status is RunStatus.PAUSED and was_paused:
        remind_reauthorization(services, request.shop_id)
    update_dashboard(services, request.shop_id, logger.warning)
    words = f"shop {request.shop_id}: {summary_line(summary)}"
    if summary.status is RunStatus.FAILED:
        raise RuntimeError(f"shop {request.shop_id} failed: {summary.reason}")
    (logger.info if summary.status is RunStatus.OK else logger.warning)(words)
    name = STATE_NAMES.get(summary.status, "Completed")
    final: State[Any] = Completed(name=name, message=words, data=summary.to_dict())
    return final  # the flow returns it: its state, and `.result()` gives the dict


def shop_paused(services: Services, shop_id: str) -> bool:
    with services.uow() as uow:
        shop = uow.shops.get(shop_id, decrypt=False)
    return bool(shop is not None and shop.paused)


def remind_reauthorization(services: Services, shop_id: str) -> bool:
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


def needs_token(services: Services, shop_id: str) -> bool:
    """The shop's token is what keeps it paused (expired, being renewed, rejected)."""
    with services.uow() as uow:
        token = uow.tokens.get(shop_id)
    return token is not None and not token.usable


@contextmanager
def shop_lock(services: Services, shop_id: str, wait_seconds: float) -> Iterator[bool]:
    """The shop's lock: never two syncs of one shop at once. Waits up to `wait_seconds` for a
    running sync to end; yields whether the lock is held."""
    deadline = time.monotonic() + wait_seconds
    while True:
        with services.shop_lock(shop_id) as acquired:
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
    services = wiring.current()
    return all_shops_state(sync_each(shop_ids or all_shop_ids(services), since))


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
    return SyncSummary(shop_id, status=RunStatus.FAILED, reason=reason).to_dict()
