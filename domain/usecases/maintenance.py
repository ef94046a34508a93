"""Repairs safe to run at any time (every step is an idempotent upsert): the reconciliation
sweep, a window re-read, named orders re-read and, if asked, sent again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.errors import TemushipError
from domain.ports import Services

MAX_SWEEP_DAYS = 90
MAX_ORDERS = 1000


def sweep_start(services: Services, days: int) -> datetime:
    """The start of a reconciliation sweep over the last `days` days."""
    if not 1 <= days <= MAX_SWEEP_DAYS:
        raise TemushipError(f"days must be 1 to {MAX_SWEEP_DAYS}, not {days}")
    return services.clock.now() - timedelta(days=days)


def window(since: datetime, until: datetime | None) -> tuple[datetime, datetime | None]:
    """A re-read window from the UI or CLI, in UTC; `until` (default: now) after `since`."""
    start, end = as_utc(since), as_utc(until) if until else None
    if end is not None and end <= start:
        raise TemushipError(f"until ({end:%Y-%m-%d %H:%M}) must be after since ({start})")
    return start, end


def named_orders(parent_order_sns: list[str]) -> list[str]:
    """The parent orders to re-read: stripped, de-duplicated, 1 to MAX_ORDERS of them."""
    sns = list(dict.fromkeys(sn.strip() for sn in parent_order_sns if sn.strip()))
    if not sns or len(sns) > MAX_ORDERS:
        raise TemushipError(f"name 1 to {MAX_ORDERS} parent orders, not {len(sns)}")
    return sns


def mark_for_resend(services: Services, shop_id: str, sns: list[str]) -> int:
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


def all_shop_ids(services: Services) -> list[str]:
    with services.uow() as uow:
        return uow.shops.ids()
