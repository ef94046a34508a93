"""The sync flows: one shop (gate, pull, push, labels, confirm, summarise), and all shops."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run

from adapters.db.errors import ConcurrentUpdate
from domain.errors import PermissionMissing, RateLimited, ShopPaused, TokenError, TransientError
from flows import wiring
from flows.reporting import publish_outcome
from flows.sync_run import ShopSync, Stream

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


@step("temu-page", "temu {stream}: page {page}")
def import_page(run: ShopSync, stream: Stream, page: int) -> bool:
    """Import one page of Temu orders (up to 100) into our store."""
    return run.import_page(stream, page)


@step("push-to-shipstation")
def push_orders(run: ShopSync) -> None:
    """Send the changed orders to ShipStation in batches of up to 100."""
    run.push()


@step("read-labels")
def read_labels(run: ShopSync) -> None:
    """Turn ShipStation labels created since the cursor into confirmations."""
    run.record_labels()


@step("confirm-to-temu")
def confirm_shipments(run: ShopSync) -> None:
    """Send the outbox's open confirmations to Temu, one call per parent order."""
    run.confirm()


def _run_steps(run: ShopSync) -> None:
    run.gate()
    for stream in run.streams():
        page = 1
        while import_page(run, stream, page):
            page += 1
    run.commit_temu_cursor()
    push_orders(run)
    read_labels(run)
    confirm_shipments(run)


@flow(name="sync-shop", flow_run_name="sync {shop_id}", log_prints=True)
def sync_shop(
    shop_id: str, since: datetime | None = None, wait_for_lock_seconds: int = 0
) -> dict[str, Any]:
    """Sync one shop once: Temu orders in, ShipStation labels back to Temu."""
    run = ShopSync(wiring.current(), shop_id, run_id=run_id(), since=since)
    return execute(run, wait_for_lock_seconds)


def run_id() -> str:
    return str(flow_run.get_id() or "")


def execute(run: ShopSync, wait_seconds: float = 0) -> dict[str, Any]:
    """Run one shop's sync under its lock, publish the outcome. If another run holds the
    lock, wait up to `wait_seconds` for it, then skip."""
    logger = get_run_logger()
    deadline = time.monotonic() + wait_seconds
    while True:
        with run.services.shop_lock(run.shop_id) as acquired:
            if acquired:
                _guarded(run)
                break
        if time.monotonic() >= deadline:
            run.outcome.status = "skipped"
            run.outcome.reason = "another sync of this shop is running"
            break
        logger.info("shop %s: another sync is running; waiting for it", run.shop_id)
        time.sleep(min(LOCK_POLL_SECONDS, max(0.0, deadline - time.monotonic())))
    publish_outcome(run.outcome)
    logger.info("shop %s: %s %s", run.shop_id, run.outcome.status, dict(run.outcome.counts))
    if run.outcome.status == "failed":
        raise RuntimeError(f"shop {run.shop_id} failed: {run.outcome.reason}")
    return run.outcome.to_dict()


def _guarded(run: ShopSync) -> None:
    try:
        _run_steps(run)
        run.finish()
    except (TokenError, PermissionMissing) as err:
        run.pause(err)
        run.finish(str(err))
    except ShopPaused as err:
        run.outcome.status, run.outcome.reason = "paused", str(err)
    except Exception as err:  # recorded on the shop and in the artifact, then the run fails
        run.outcome.status, run.outcome.reason = "failed", f"{type(err).__name__}: {err}"
        run.finish(run.outcome.reason)


@flow(name="sync-all-shops", flow_run_name="sync all shops")
def sync_all_shops(
    shop_ids: list[str] | None = None, since: datetime | None = None
) -> list[dict[str, Any]]:
    """Sync every shop (or the named ones); one failing shop does not stop the others."""
    return sync_each(shop_ids or all_shop_ids(), since)


def all_shop_ids() -> list[str]:
    with wiring.current().uow() as uow:
        return [shop.shop_id for shop in uow.shops.list()]


def sync_each(
    shop_ids: list[str], since: datetime | None, wait_for_lock_seconds: int = 0
) -> list[dict[str, Any]]:
    """One sync-shop subflow per shop; a failed one is reported, the rest still run."""
    results = []
    for shop_id in shop_ids:
        state = sync_shop(
            shop_id, since=since, wait_for_lock_seconds=wait_for_lock_seconds, return_state=True
        )
        if state.is_completed():
            results.append(state.result())
        else:
            results.append(
                {
                    "shop": shop_id,
                    "status": "failed",
                    "reason": state.message,
                    "counts": {},
                    "attention": [],
                }
            )
    return results
