"""Repairs safe to start from the Prefect UI at any time: every step is an idempotent upsert.

- `reconcile`: the daily sweep over the last two days, beside the incremental cursor;
- `resync-window`: re-read the orders Temu updated in a time window;
- `rerun-orders`: re-read named orders (by parentOrderSn) and send them again if changed.

None of them moves a cursor past what it read; each waits for a running sync of the shop.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from prefect import flow

from domain.errors import TemushipError
from flows import wiring
from flows.sync import all_shop_ids, execute, run_id, sync_each
from flows.sync_run import ShopSync

WAIT_FOR_LOCK = 600
MAX_ORDERS = 1000


@flow(name="reconcile", flow_run_name="reconcile the last {days} days")
def reconcile(shop_ids: list[str] | None = None, days: int = 2) -> list[dict[str, Any]]:
    """Re-read every order Temu updated in the last `days` days: repairs what a cursor missed."""
    if not 1 <= days <= 90:
        raise TemushipError(f"days must be 1 to 90, not {days}")
    since = wiring.current().clock.now() - timedelta(days=days)
    return sync_each(shop_ids or all_shop_ids(), since, WAIT_FOR_LOCK)


@flow(name="resync-window", flow_run_name="resync {shop_id}")
def resync_window(
    shop_id: str,
    since: datetime,
    until: datetime | None = None,
    wait_for_lock_seconds: int = WAIT_FOR_LOCK,
) -> dict[str, Any]:
    """Re-read the Temu orders updated between `since` and `until` (default: now), UTC."""
    start, end = as_utc(since), as_utc(until) if until else None
    if end is not None and end <= start:
        raise TemushipError(f"until ({end:%Y-%m-%d %H:%M}) must be after since ({start})")
    run = ShopSync(wiring.current(), shop_id, run_id=run_id(), since=start, until=end)
    return execute(run, wait_for_lock_seconds)


@flow(name="rerun-orders", flow_run_name="rerun orders of {shop_id}")
def rerun_orders(
    shop_id: str,
    parent_order_sns: list[str],
    resend: bool = False,
    wait_for_lock_seconds: int = WAIT_FOR_LOCK,
) -> dict[str, Any]:
    """Re-read these Temu orders (PO-...), apply and push them; `resend` sends them to
    ShipStation even if unchanged."""
    sns = list(dict.fromkeys(sn.strip() for sn in parent_order_sns if sn.strip()))
    if not sns or len(sns) > MAX_ORDERS:
        raise TemushipError(f"name 1 to {MAX_ORDERS} parent orders, not {len(sns)}")
    if resend:
        mark_for_resend(wiring.current(), shop_id, sns)
    run = ShopSync(wiring.current(), shop_id, run_id=run_id(), parent_order_sns=sns)
    return execute(run, wait_for_lock_seconds)


def mark_for_resend(services: wiring.Services, shop_id: str, sns: list[str]) -> int:
    """Forget the digest of what was last sent, so the next push sends these orders again."""
    with services.uow() as uow:
        stored = list(uow.orders.get_many(shop_id, sns).values())
        for order in stored:
            order.pushed_digest, order.push_pending = None, True
        uow.orders.save_many(stored)
        uow.commit()
    return len(stored)


def as_utc(moment: datetime) -> datetime:
    """A time from the UI or CLI: naive means UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
