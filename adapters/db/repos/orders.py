"""The order repository (domain.ports.OrderRepository) over one connection's transaction."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime

from sqlalchemy import Connection, insert, select

from adapters.db.repos import announcements, orders_read, ship_by
from adapters.db.repos.order_rows import load_history
from adapters.db.repos.orders_write import save_orders
from adapters.db.tables import ORDER_HISTORY, ORDER_LINES, ORDERS, READ_FAILURES
from domain.confirmation import ShipmentConfirmation
from domain.history import HistoryEntry
from domain.model import OrderState
from domain.order import Order
from domain.ports import OrderReadFailure


class SqlOrderRepository:
    """Orders, their lines, history and outbox, read and written in bulk."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def get_many(self, shop_id: str, parent_order_sns: Collection[str]) -> dict[str, Order]:
        return orders_read.load_orders(self._connection, shop_id, parent_order_sns)

    def save_many(self, orders: Sequence[Order]) -> None:
        """Bulk-write state, snapshot, new history and confirmations; raises ConcurrentUpdate."""
        save_orders(self._connection, orders)

    def owners_of_lines(self, shop_id: str, order_sns: Collection[str]) -> dict[str, str]:
        owners: dict[str, str] = {}
        for chunk in orders_read.chunks(order_sns):
            query = select(ORDER_LINES.c.order_sn, ORDER_LINES.c.parent_order_sn).where(
                ORDER_LINES.c.shop_id == shop_id, ORDER_LINES.c.order_sn.in_(chunk)
            )
            owners.update({row.order_sn: row.parent_order_sn for row in self._run(query)})
        return owners

    def push_queue(self, shop_id: str, limit: int, after: str | None = None) -> list[Order]:
        return orders_read.push_queue(self._connection, shop_id, limit, after)

    def sent_orders(self, shop_id: str, limit: int, after: str | None = None) -> list[Order]:
        return orders_read.sent_orders(self._connection, shop_id, limit, after)

    def holds_ending(self, shop_id: str, by: date) -> list[str]:
        o = ORDERS.c
        query = (
            select(o.parent_order_sn)
            .where(o.shop_id == shop_id, o.hold_until.is_not(None), o.hold_until <= by)
            .where(o.state == OrderState.ON_HOLD.value, o.push_pending.is_(False))
            .order_by(o.parent_order_sn)
        )
        return list(self._connection.execute(query).scalars())

    def open_confirmations(self, shop_id: str) -> list[ShipmentConfirmation]:
        return orders_read.open_confirmations(self._connection, shop_id)

    def missing_ship_to(self, shop_id: str) -> list[str]:
        o = ORDERS.c
        query = (
            select(o.parent_order_sn)
            .where(o.shop_id == shop_id, o.state == OrderState.MISSING_SHIP_TO.value)
            .order_by(o.parent_order_sn)
        )
        return list(self._connection.execute(query).scalars())

    def due_to_ship(
        self,
        shop_id: str,
        by: datetime,
        states: Collection[OrderState],
        temu_codes: Collection[int] = (),
    ) -> list[Order]:
        """Orders due to ship by `by`, in one of `states` or `temu_codes` (the ship-by watch)."""
        return ship_by.due_to_ship(self._connection, shop_id, by, states, temu_codes)

    def announced(self, shop_id: str, kind: str, horizon_hours: int) -> set[str]:
        return announcements.announced(self._connection, shop_id, kind, horizon_hours)

    def remember_announced(
        self, shop_id: str, kind: str, horizon_hours: int, sns: Collection[str], at: datetime
    ) -> set[str]:
        return announcements.remember(self._connection, shop_id, kind, horizon_hours, sns, at)

    def forget_announced(
        self, shop_id: str, kind: str, horizon_hours: int, sns: Collection[str]
    ) -> None:
        announcements.forget(self._connection, shop_id, kind, horizon_hours, sns)

    def history(self, shop_id: str | None, parent_order_sn: str) -> list[HistoryEntry]:
        """An order's history, oldest first (any shop when shop_id is None)."""
        query = select(ORDER_HISTORY).where(ORDER_HISTORY.c.parent_order_sn == parent_order_sn)
        if shop_id is not None:
            query = query.where(ORDER_HISTORY.c.shop_id == shop_id)
        query = query.order_by(ORDER_HISTORY.c.at, ORDER_HISTORY.c.id)
        return [load_history(row._mapping) for row in self._run(query)]

    def record_read_failure(self, shop_id: str, failure: OrderReadFailure, at: datetime) -> None:
        """Keep the raw payload of an order that could not be read, for replay."""
        row = {
            "shop_id": shop_id,
            "parent_order_sn": failure.parent_order_sn,
            "reason": failure.reason,
            "raw": dict(failure.raw) if failure.raw is not None else None,
            "at": at,
        }
        self._connection.execute(insert(READ_FAILURES), [row])

    def read_failures(
        self, shop_id: str, limit: int = 100
    ) -> list[tuple[datetime, OrderReadFailure]]:
        """The latest read failures of a shop, newest first (not part of the port)."""
        query = (
            select(READ_FAILURES)
            .where(READ_FAILURES.c.shop_id == shop_id)
            .order_by(READ_FAILURES.c.at.desc(), READ_FAILURES.c.id.desc())
            .limit(limit)
        )
        return [
            (row.at, OrderReadFailure(row.parent_order_sn, row.reason, row.raw))
            for row in self._run(query)
        ]

    def _run(self, query: object) -> list:
        return list(self._connection.execute(query))  # type: ignore[call-overload]
