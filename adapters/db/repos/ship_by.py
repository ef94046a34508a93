"""The ship-by watch's query: orders waiting for shipment whose Temu ship-by time is at or
before a moment."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import ColumnElement, Connection, or_, select

from adapters.db.repos.codec import dump_time
from adapters.db.repos.orders_read import load_orders
from adapters.db.tables import ORDERS
from domain.model import OrderState
from domain.order import Order


def due_to_ship(
    connection: Connection,
    shop_id: str,
    by: datetime,
    states: Collection[OrderState],
    temu_codes: Collection[int] = (),
) -> list[Order]:
    """Orders of the shop in one of `states` (or whose last Temu status is one of `temu_codes`)
    with a ship-by time at or before `by`, earliest ship-by first. The ship-by time sits in the
    snapshot as ISO 8601 UTC text (codec.dump_time: one zone, one layout), so comparing the
    text compares the times, on SQLite and PostgreSQL alike."""
    o = ORDERS.c
    ship_by = o.snapshot["ship_by"].as_string()
    waiting: ColumnElement[bool] = o.state.in_([state.value for state in states])
    if temu_codes:
        waiting = or_(waiting, o.temu_status.in_(list(temu_codes)))
    query = (
        select(o.parent_order_sn)
        .where(o.shop_id == shop_id, waiting, ship_by.is_not(None), ship_by <= dump_time(by))
        .order_by(ship_by, o.parent_order_sn)
    )
    sns = list(connection.execute(query).scalars())
    found = load_orders(connection, shop_id, sns)
    return [found[sn] for sn in sns if sn in found]
