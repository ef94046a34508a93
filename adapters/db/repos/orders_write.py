"""Bulk writes of order aggregates: state, history, lines and outbox in a few statements."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import Connection, insert

from adapters.db.errors import ConcurrentUpdate
from adapters.db.repos.order_rows import confirmation_row, history_row, line_rows, order_row
from adapters.db.tables import CONFIRMATIONS, ORDER_HISTORY, ORDER_LINES, ORDERS
from adapters.db.upsert import dialect_insert, upsert
from domain.order import Order

Key = tuple[str, str]
ORDER_KEYS = ("shop_id", "parent_order_sn")
NOT_UPDATED = frozenset({"id", *ORDER_KEYS, "created_at", "version"})


def save_orders(connection: Connection, orders: Sequence[Order]) -> None:
    """Write orders with optimistic locking; then mark them saved (versions, history cleared)."""
    if not orders:
        return
    _refuse_duplicates(orders)
    now = datetime.now(UTC)
    versions = _upsert_orders(connection, orders, now)
    _append_history(connection, orders)
    lines = {(r["shop_id"], r["order_sn"]): r for o in orders for r in line_rows(o)}
    upsert(connection, ORDER_LINES, list(lines.values()), ("shop_id", "order_sn"))
    outbox = {(c.shop_id, c.shipment_id): c for o in orders for c in o.confirmations}
    rows = [confirmation_row(c, now) for c in outbox.values()]
    upsert(connection, CONFIRMATIONS, rows, ("shop_id", "shipment_id", "parent_order_sn"))
    for order in orders:
        order.version = versions[(order.shop_id, order.parent_order_sn)]
        order.new_history.clear()


def _refuse_duplicates(orders: Sequence[Order]) -> None:
    keys = [(o.shop_id, o.parent_order_sn) for o in orders]
    if len(set(keys)) != len(keys):
        raise ValueError("save_many got the same order twice; save each order once per call")


def _upsert_orders(
    connection: Connection, orders: Sequence[Order], now: datetime
) -> dict[Key, int]:
    """One upsert that updates a row only if its version is the one the order was read with."""
    rows = [order_row(o, now) for o in orders]
    stmt = dialect_insert(connection, ORDERS)
    update = {c: stmt.excluded[c] for c in rows[0] if c not in NOT_UPDATED}
    stmt = stmt.on_conflict_do_update(
        index_elements=list(ORDER_KEYS),
        set_={**update, "version": ORDERS.c.version + 1},
        where=ORDERS.c.version == stmt.excluded.version - 1,
    ).returning(ORDERS.c.shop_id, ORDERS.c.parent_order_sn, ORDERS.c.version)
    written = {(r.shop_id, r.parent_order_sn): r.version for r in connection.execute(stmt, rows)}
    stale = [o for o in orders if (o.shop_id, o.parent_order_sn) not in written]
    if stale:
        raise ConcurrentUpdate(stale[0].shop_id, [o.parent_order_sn for o in stale])
    return written


def _append_history(connection: Connection, orders: Sequence[Order]) -> None:
    rows = [
        history_row(o.shop_id, o.parent_order_sn, entry) for o in orders for entry in o.new_history
    ]
    if rows:
        connection.execute(insert(ORDER_HISTORY), rows)
