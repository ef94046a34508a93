"""Reads of order aggregates: a query for the orders and one for their outbox rows per chunk."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, select

from adapters.db.repos.order_rows import load_confirmation, load_order
from adapters.db.tables import CONFIRMATIONS, ORDERS
from domain.confirmation import OPEN_CONFIRMATION_STATES, ShipmentConfirmation
from domain.order import Order

CHUNK = 500


def chunks(values: Collection[str], size: int = CHUNK) -> Iterator[list[str]]:
    ordered = sorted(set(values))
    for start in range(0, len(ordered), size):
        yield ordered[start : start + size]


def load_orders(connection: Connection, shop_id: str, sns: Collection[str]) -> dict[str, Order]:
    """The stored orders among `sns`, by parent_order_sn, each with its confirmations."""
    found: dict[str, Order] = {}
    for chunk in chunks(sns):
        query = select(ORDERS).where(
            ORDERS.c.shop_id == shop_id, ORDERS.c.parent_order_sn.in_(chunk)
        )
        found.update(_with_confirmations(connection, shop_id, connection.execute(query).all()))
    return found


def push_queue(connection: Connection, shop_id: str, limit: int, after: str | None) -> list[Order]:
    return _page(connection, shop_id, ORDERS.c.push_pending.is_(True), limit, after)


def sent_orders(connection: Connection, shop_id: str, limit: int, after: str | None) -> list[Order]:
    return _page(connection, shop_id, ORDERS.c.pushed_digest.is_not(None), limit, after)


def _page(
    connection: Connection, shop_id: str, which: Any, limit: int, after: str | None
) -> list[Order]:
    query = select(ORDERS).where(ORDERS.c.shop_id == shop_id, which)
    if after is not None:
        query = query.where(ORDERS.c.parent_order_sn > after)
    query = query.order_by(ORDERS.c.parent_order_sn).limit(limit)
    rows = connection.execute(query).all()
    return list(_with_confirmations(connection, shop_id, rows).values())


def open_confirmations(connection: Connection, shop_id: str) -> list[ShipmentConfirmation]:
    query = (
        select(CONFIRMATIONS)
        .where(
            CONFIRMATIONS.c.shop_id == shop_id,
            CONFIRMATIONS.c.status.in_([s.value for s in OPEN_CONFIRMATION_STATES]),
        )
        .order_by(CONFIRMATIONS.c.id)
    )
    return [load_confirmation(row._mapping) for row in connection.execute(query)]


def _with_confirmations(
    connection: Connection, shop_id: str, rows: Sequence[Any]
) -> dict[str, Order]:
    sns = [row.parent_order_sn for row in rows]
    outbox = _confirmations_of(connection, shop_id, sns)
    return {
        row.parent_order_sn: load_order(row._mapping, outbox[row.parent_order_sn]) for row in rows
    }


def _confirmations_of(
    connection: Connection, shop_id: str, sns: Collection[str]
) -> dict[str, list[ShipmentConfirmation]]:
    found: dict[str, list[ShipmentConfirmation]] = defaultdict(list)
    for chunk in chunks(sns):
        query = (
            select(CONFIRMATIONS)
            .where(CONFIRMATIONS.c.shop_id == shop_id, CONFIRMATIONS.c.parent_order_sn.in_(chunk))
            .order_by(CONFIRMATIONS.c.id)
        )
        for row in connection.execute(query):
            found[row.parent_order_sn].append(load_confirmation(row._mapping))
    return found
