"""Read models for `temuship status`: counts and the items that need a person, per shop."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, select

from adapters.db.repos.codec import load_money
from adapters.db.tables import CONFIRMATIONS, ORDER_HISTORY, ORDERS, READ_FAILURES
from domain.ports import ShopReport

OPEN = ("pending", "sent")  # a confirmation not settled yet: with a reason, it waits for a fix


class SqlReportRepository:
    """Read models for `temuship status`, on the unit of work's connection."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def shop_report(self, shop_id: str, limit: int = 20) -> ShopReport:
        return shop_report(self._connection, shop_id, limit)


def _recent_shipments(conn: Connection, shop_id: str, limit: int) -> list[dict[str, str | None]]:
    c = CONFIRMATIONS.c
    query = (
        select(
            c.shipment_id,
            c.parent_order_sn,
            c.tracking_number,
            c.carrier_code,
            c.service_code,
            c.shipment_cost,
            c.status,
        )
        .where(c.shop_id == shop_id)
        .order_by(c.created_at.desc(), c.shipment_id.desc())
        .limit(limit)
    )
    return [
        {"shipment": sid, "order": sn, "tracking": tracking, "carrier": carrier,
         "service": service, "cost": str(load_money(cost)) if cost else None, "status": status}
        for sid, sn, tracking, carrier, service, cost, status in conn.execute(query)
    ]  # fmt: skip


def shop_report(conn: Connection, shop_id: str, limit: int = 20) -> ShopReport:
    """Counts by state and status, and the first `limit` items of each kind needing a person."""
    o, c = ORDERS.c, CONFIRMATIONS.c
    report = ShopReport()
    rows = conn.execute(select(o.state, func.count()).where(o.shop_id == shop_id).group_by(o.state))
    report.orders_by_state = {state: count for state, count in rows}
    report.missing_ship_to = report.orders_by_state.get("missing_ship_to", 0)
    report.held = [
        (sn, why)
        for sn, why in conn.execute(
            select(o.parent_order_sn, o.held_reason)
            .where(o.shop_id == shop_id, o.held_reason.is_not(None))
            .limit(limit)
        )
    ]
    report.push_failed = [
        (sn, err)
        for sn, err in conn.execute(
            select(o.parent_order_sn, o.push_error)
            .where(o.shop_id == shop_id, o.push_error.is_not(None))
            .limit(limit)
        )
    ]
    rows = conn.execute(
        select(c.status, func.count()).where(c.shop_id == shop_id).group_by(c.status)
    )
    report.confirmations_by_status = {status: count for status, count in rows}
    report.confirmation_problems = [
        (sid, sn, status, err or "")
        for sid, sn, status, err in conn.execute(
            select(c.shipment_id, c.parent_order_sn, c.status, c.last_error)
            .where(
                c.shop_id == shop_id,
                (c.status == "failed") | (c.status.in_(OPEN) & c.last_error.is_not(None)),
            )
            .order_by(c.shipment_id)
            .limit(limit)
        )
    ]
    report.recent_shipments = _recent_shipments(conn, shop_id, limit)
    _count_all(conn, shop_id, report)
    report.conflicts = conn.execute(
        select(func.count())
        .select_from(ORDER_HISTORY)
        .where(ORDER_HISTORY.c.shop_id == shop_id, ORDER_HISTORY.c.conflict.is_(True))
    ).scalar_one()
    report.read_failures = conn.execute(
        select(func.count()).select_from(READ_FAILURES).where(READ_FAILURES.c.shop_id == shop_id)
    ).scalar_one()
    return report


def _count_all(conn: Connection, shop_id: str, report: ShopReport) -> None:
    """What needs a person, counted whole (the lists hold the first `limit` items)."""
    o, c, h, r = ORDERS.c, CONFIRMATIONS.c, ORDER_HISTORY.c, READ_FAILURES.c

    def count(query: Any) -> int:
        return int(conn.execute(query).scalar_one())

    orders = select(func.count()).select_from(ORDERS).where(o.shop_id == shop_id)
    report.held_count = count(orders.where(o.held_reason.is_not(None)))
    report.push_failed_count = count(orders.where(o.push_error.is_not(None)))
    report.confirmations_waiting = count(
        select(func.count())
        .select_from(CONFIRMATIONS)
        .where(c.shop_id == shop_id, c.status.in_(OPEN), c.last_error.is_not(None))
    )
    report.conflict_orders = count(
        select(func.count(func.distinct(h.parent_order_sn))).where(
            h.shop_id == shop_id, h.conflict.is_(True)
        )
    )
    unnamed = count(select(func.count()).where(r.shop_id == shop_id, r.parent_order_sn.is_(None)))
    report.read_failure_orders = unnamed + count(
        select(func.count(func.distinct(r.parent_order_sn))).where(r.shop_id == shop_id)
    )
