"""Repairs safe to start from the Prefect UI at any time: every step is an idempotent upsert.

- `reconcile`: the daily sweep over the last two days, beside the incremental cursor;
- `resync-window`: re-read the orders Temu updated in a time window;
- `rerun-orders`: re-read named orders (by parentOrderSn) and send them again if changed.

None of them moves a cursor past what it read; each waits for a running sync of the shop.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from prefect import flow

import domain.sync as sync
from domain.usecases import maintenance
from flows import wiring
from flows.sync import all_shops_state, run_id, run_locked, sync_each

WAIT_FOR_LOCK = 600


@flow(name="reconcile", flow_run_name="reconcile the last {days} days")
def reconcile(shop_ids: list[str] | None = None, days: int = 2) -> list[dict[str, Any]]:
    """Re-read every order Temu updated in the last `days` days: repairs what a cursor missed.

    Args:
        shop_ids: The shops to sweep (default: every connected shop).
        days: How many days back to re-read, 1 to 90.
    """
    services = wiring.current()
    since = maintenance.sweep_start(services, days)
    shops = shop_ids or maintenance.all_shop_ids(services)
    return all_shops_state(sync_each(shops, since, WAIT_FOR_LOCK))


@flow(name="resync-window", flow_run_name="resync {shop_id}")
def resync_window(
    shop_id: str,
    since: datetime,
    until: datetime | None = None,
    wait_for_lock_seconds: int = WAIT_FOR_LOCK,
) -> dict[str, Any]:
    """Re-read the Temu orders updated between `since` and `until`, and apply them.

    Args:
        shop_id: The shop's name, as given to `temuship connect`.
        since: The window's start (UTC when no time zone is given).
        until: The window's end (default: now).
        wait_for_lock_seconds: How long to wait for a running sync of the shop to end.
    """
    start, end = maintenance.window(since, until)
    services = wiring.current()
    request = sync.new_request(services, shop_id, run_id=run_id(), since=start, until=end)
    return run_locked(services, request, wait_for_lock_seconds)


@flow(name="rerun-orders", flow_run_name="rerun orders of {shop_id}")
def rerun_orders(
    shop_id: str,
    parent_order_sns: list[str],
    resend: bool = False,
    wait_for_lock_seconds: int = WAIT_FOR_LOCK,
) -> dict[str, Any]:
    """Re-read these Temu orders, apply them and push what changed.

    Args:
        shop_id: The shop's name, as given to `temuship connect`.
        parent_order_sns: Temu parent order numbers (PO-...), 1 to 1000.
        resend: Send them to ShipStation again even if nothing changed.
        wait_for_lock_seconds: How long to wait for a running sync of the shop to end.
    """
    sns = maintenance.named_orders(parent_order_sns)
    services = wiring.current()
    if resend:
        maintenance.mark_for_resend(services, shop_id, sns)
    request = sync.new_request(services, shop_id, run_id=run_id(), parent_order_sns=sns)
    return run_locked(services, request, wait_for_lock_seconds)
