"""Announcements made once: which orders were announced, per kind (e.g. `ship_by_at_risk`) and
horizon. Inserted with ON CONFLICT DO NOTHING ... RETURNING, so of two runs noting the same
order at once only one is told to announce it."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import Connection, delete, select

from adapters.db.repos.orders_read import chunks
from adapters.db.tables import ANNOUNCEMENTS
from adapters.db.upsert import dialect_insert


def announced(connection: Connection, shop_id: str, kind: str, horizon_hours: int) -> set[str]:
    a = ANNOUNCEMENTS.c
    query = select(a.parent_order_sn).where(
        a.shop_id == shop_id, a.kind == kind, a.horizon_hours == horizon_hours
    )
    return set(connection.execute(query).scalars())


def remember(
    connection: Connection,
    shop_id: str,
    kind: str,
    horizon_hours: int,
    sns: Collection[str],
    at: datetime,
) -> set[str]:
    """Note the orders as announced; the ones not noted before (by any run) are returned."""
    a = ANNOUNCEMENTS.c
    new: set[str] = set()
    for chunk in chunks(sns):
        rows = [
            {"shop_id": shop_id, "kind": kind, "horizon_hours": horizon_hours,
             "parent_order_sn": sn, "announced_at": at}
            for sn in chunk
        ]  # fmt: skip
        stmt = (
            dialect_insert(connection, ANNOUNCEMENTS)
            .values(rows)
            .on_conflict_do_nothing()
            .returning(a.parent_order_sn)
        )
        new.update(connection.execute(stmt).scalars())
    return new


def forget(
    connection: Connection, shop_id: str, kind: str, horizon_hours: int, sns: Collection[str]
) -> None:
    a = ANNOUNCEMENTS.c
    for chunk in chunks(sns):
        connection.execute(
            delete(ANNOUNCEMENTS).where(
                a.shop_id == shop_id,
                a.kind == kind,
                a.horizon_hours == horizon_hours,
                a.parent_order_sn.in_(chunk),
            )
        )
