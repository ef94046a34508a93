"""The sync flows: one shop, and every shop. The sequence is the use case's
(`domain/usecases/sync.py`); here each step becomes a Prefect task with its retry policy, and
the run holds the shop's lock."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run

from adapters.db.errors import ConcurrentUpdate
from domain.errors import RateLimited, TransientError
from domain.usecases import sync
from domain.usecases.maintenance import all_shop_ids
from domain.usecases.sync import StepResult, Stream, SyncRequest, SyncSummary
from flows import wiring
from flows.reporting import publish_summary

LOCK_POLL_SECONDS = 2.0


def _retry_transient(task: Any, task_run: Any, state: Any) -> bool:
    try:
        state.result()
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


@flow(name="sync-shop", flow_run_name="sync {shop_id}", log_prints=True)
def sync_shop(
    shop_id: str, since: datetime | None = None, wait_for_lock_seconds: int = 0
) -> dict[str, Any]:
    """Sync one shop once: Temu orders in, ShipStation labels back to Temu.

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


def run_locked(request: SyncRequest, wait_seconds: float = 0) -> dict[str, Any]:
    """Run one shop's sync under its lock and publish the summary; a failed run fails the flow."""
    with shop_lock(request.shop_id, wait_seconds) as held:
        if held:
            summary = sync.sync_shop(wiring.current(), request, as_task)
        else:
            summary = sync.skipped(request.shop_id, "another sync of this shop is running")
    publish_summary(summary)
    if summary.status == "failed":
        raise RuntimeError(f"shop {request.shop_id} failed: {summary.reason}")
    return summary.to_dict()


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
    return sync_each(shop_ids or all_shop_ids(wiring.current()), since)


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


def failed(shop_id: str, reason: str | None) -> dict[str, Any]:
    return SyncSummary(shop_id, status="failed", reason=reason).to_dict()
