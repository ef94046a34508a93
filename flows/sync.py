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
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import deployment as runtime_deployment
from prefect.runtime import flow_run
from prefect.states import Completed, Failed, State

import domain.sync as sync
from adapters.db.errors import ConcurrentUpdate
from domain.errors import RateLimited, TransientError, Unreachable
from domain.ports import Services
from domain.sync import RunStatus, Step, StepCall, StepResult, SyncRequest, SyncSummary
from domain.usecases.maintenance import all_shop_ids
from domain.usecases.turns import record_turn
from flows import fan_out, wiring
from flows.progress import Progress
from flows.reporting import (
    dashboard_url,
    final_state_name,
    publish_summary,
    summary_line,
    update_dashboard,
)
from flows.wording import items_list, plural

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

    Returns the run's summary (a dict); the run's state is named after what happened: a
    Completed "Completed" (nothing needs a person) or "Skipped", else a Failed "Shop paused",
    "Partly done", "Needs a person" or "Failed" (`summary_of` reads the summary from any).

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
    """Run one shop's sync under its lock, publish the summary and the shop's dashboard. The
    flow ends in a state named after what happened, whose message is the outcome in words and
    whose result is the summary dict: Completed only when nothing needs a person (or the run
    was skipped), else Failed ("Shop paused", "Partly done", "Needs a person", "Failed"), so
    the UI never shows a green run beside a paused shop or work left for a person."""
    logger = get_run_logger()
    if link := dashboard_url(request.shop_id):
        logger.info("shop %s at a glance (its dashboard): %s", request.shop_id, link)
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
    name, green = final_state_name(summary)
    (logger.info if green else logger.warning)(words)
    return ended(green, name, words, summary.to_dict())


class RunOutcome(Exception):
    """The result of a run that ended Failed-type (a paused shop, work left for a person, a
    run that could not finish): what happened in words, and the summary (`.summary`: the
    dict, or for a run over every shop the list). A direct call of the flow raises it."""

    def __init__(self, words: str, summary: Any) -> None:
        super().__init__(words, summary)
        self.summary = summary

    def __str__(self) -> str:
        return str(self.args[0])


def ended(green: bool, name: str, words: str, summary: Any) -> State[Any]:
    """A run's final state: Completed with the summary as its result, or Failed with a
    RunOutcome carrying it (the engine turns a Failed state's result into an exception)."""
    if green:
        return Completed(name=name, message=words, data=summary)
    return Failed(name=name, message=words, data=RunOutcome(words, summary))


def run_sync_shop(shop_id: str, **options: Any) -> dict[str, Any]:
    """Run the sync-shop flow here and return its summary dict, whatever its state (called
    directly, a flow that ends Failed raises its RunOutcome)."""
    return summary_of(shop_id, sync_shop(shop_id, return_state=True, **options))


def summary_of(shop_id: str, state: State[Any]) -> dict[str, Any]:
    """The summary dict of a finished sync-shop run, whatever its state: the one its state
    carries (Completed, or Failed with a RunOutcome), else (a crash, a cancellation) a failed
    one saying why."""
    if state.is_completed() or state.is_failed():
        found = state.result(raise_on_failure=False)
        found = found.summary if isinstance(found, RunOutcome) else found
        if isinstance(found, dict):
            return found
    return failed(shop_id, state.message)


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
    shop_ids: list[str] | None = None,
    since: datetime | None = None,
    one_run_per_shop: bool | None = None,
    spread_seconds: int = 0,
) -> Any:
    """Sync every shop (or the named ones); one failing shop does not stop the others.

    Run from a deployment, it starts one `sync-shop/one-shop` run per shop and ends: the
    shops sync side by side on the workers, and a shop whose last run is still in flight is
    skipped this turn (counted in the result and the `sync-all-shops` artifact). Called
    directly, it syncs the shops here, one after another.

    Args:
        shop_ids: The shops to sync (default: every connected shop, read at each run).
        since: Re-read Temu orders updated since this time (UTC); default: from each cursor.
        one_run_per_shop: Start a run per shop (default: when run from a deployment).
        spread_seconds: Spread those starts over this many seconds.
    """
    services = wiring.current()
    shops = shop_ids or all_shop_ids(services)
    if one_run_per_shop is None:
        one_run_per_shop = runtime_deployment.get_id() is not None
    deployment = fan_out.one_shop_deployment() if one_run_per_shop else None
    if deployment is None:
        if one_run_per_shop:
            get_run_logger().warning(
                "%s is not deployed: syncing the shops in this run, one after another "
                "(deploy it: prefect --no-prompt deploy --all)", fan_out.ONE_SHOP,
            )  # fmt: skip
        return all_shops_state(sync_each(shops, since))
    turn = fan_out.start_runs(deployment, shops, since, run_id(), spread_seconds)
    record_turn(services, turn.started, turn.skipped)
    return fan_out_state(turn)


def fan_out_state(turn: fan_out.FanOut) -> Any:
    """A turn's state: Completed when every shop's run started or was skipped (a skip is
    counted, not a failure: the shop's earlier run does the job), else Failed "Failed shops".
    Its result is the turn's counts and runs; the artifact lists every shop."""
    create_table_artifact(fan_out.turn_rows(turn), key="sync-all-shops",
                          description=turn_words(turn))  # fmt: skip
    words = turn_words(turn)
    (get_run_logger().warning if turn.failed or turn.skipped else get_run_logger().info)(words)
    return ended(not turn.failed, "Failed shops" if turn.failed else "Completed", words,
                 turn.to_dict())  # fmt: skip


def turn_words(turn: fan_out.FanOut) -> str:
    words = f"{plural(len(turn.started), 'run')} of {fan_out.ONE_SHOP} started"
    if turn.skipped:
        words += (f"; skipped (a run of an earlier turn still in flight): "
                  f"{', '.join(sorted(turn.skipped))}")  # fmt: skip
    if turn.failed:
        words += "; not started: " + "; ".join(f"{s} ({w})" for s, w in turn.failed.items())
    return words


def sync_each(
    shop_ids: list[str], since: datetime | None, wait_for_lock_seconds: int = 0
) -> list[dict[str, Any]]:
    """One sync-shop subflow per shop; a failed one is reported, the rest still run."""
    results = []
    for shop_id in shop_ids:
        state = sync_shop(
            shop_id, since=since, wait_for_lock_seconds=wait_for_lock_seconds, return_state=True
        )
        results.append(summary_of(shop_id, state))
    return results


def all_shops_state(results: list[dict[str, Any]]) -> Any:
    """The state of a run over several shops: Completed when every shop's run was (synced
    with nothing for a person, or skipped), else Failed, named after the worst ("Failed
    shops", "Shop paused", "Partly done", "Needs a person"; the other shops still ran), with
    the shops in words. Its result is the list of summaries."""
    logger = get_run_logger()
    trouble = [r for r in results if r.get("status") not in ("ok", "skipped", None)
               or r.get("needs_person")]  # fmt: skip
    words = "; ".join(f"{r['shop']}: {_said(r)}" for r in trouble)
    words = words or f"{plural(len(results), 'shop')} synced, nothing needs a person"
    (logger.warning if trouble else logger.info)(words)
    statuses = {r.get("status") for r in trouble}
    name = next((n for s, n in (("failed", "Failed shops"), ("paused", "Shop paused"),
                                ("partial", "Partly done"), ("ok", "Needs a person"))
                 if s in statuses), "Completed")  # fmt: skip
    return ended(not trouble, name, words, results)


def _said(result: dict[str, Any]) -> str:
    """`done; needs a person: 3 orders late to ship` or `the shop is paused...: why`."""
    said = RunStatus(result.get("status") or "failed").words
    said += f" ({result['reason']})" if result.get("reason") else ""
    others = [w for w in items_list(result) if "shop paused" not in w]
    return said + (f"; needs a person: {'; '.join(others)}" if others else "")


def failed(shop_id: str, reason: str | None) -> dict[str, Any]:
    return SyncSummary(shop_id, status=RunStatus.FAILED, reason=reason).to_dict()
