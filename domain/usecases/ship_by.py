"""The ship-by watch: orders whose Temu ship-by time (`expectShipLatestTime`) is near or past
while they still wait for a label; each is announced once per horizon.

An order is at risk when
- it waits for a label: at least one shippable line that no label covers (no pending, sent or
  confirmed confirmation: a voided one, or one Temu refused, covers nothing), and its state
  is on_hold or awaiting_shipment, or it is shipped in our books while Temu still says
  awaiting shipment (its label was voided before the confirmation left, or Temu refused the
  confirmation: "shipped" never goes back, but in Temu's eyes the lines are not shipped), and
- Temu gave it a ship-by time (`expectShipLatestTime`) at most `horizon_hours` away, or past
  (`late`). Orders without a ship-by time, or still missing their ship-to, are not listed.

The event `temuship.order.ship_by_at_risk` goes out once per order and horizon: the store
remembers it. A label for every line, a cancellation or a later ship-by time takes the order
off the list, and the next watch forgets the note: should the order qualify again (a voided
label, say), it is announced again. A partial label leaves it on the list (lines remain).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from domain.model import OrderState
from domain.order import Order
from domain.ports import Services, UnitOfWork
from domain.status import codes_for

EVENT = "temuship.order.ship_by_at_risk"
KIND = "ship_by_at_risk"
DEFAULT_HORIZON_HOURS = 24
WAITING_FOR_LABEL = (OrderState.ON_HOLD, OrderState.AWAITING_SHIPMENT)
TEMU_AWAITING_SHIPMENT = codes_for(frozenset({OrderState.AWAITING_SHIPMENT}))


@dataclass(frozen=True)
class AtRisk:
    """One order near or past its ship-by time, with no label for some of its lines."""

    parent_order_sn: str
    ship_by: datetime
    hours_left: float
    """Negative when late."""
    late: bool
    lines_left: int

    def to_dict(self) -> dict[str, Any]:
        """What `temuship status --json` and the event show: no address, no token."""
        return {
            "order": self.parent_order_sn,
            "ship_by": self.ship_by.isoformat(),
            "hours_left": round(self.hours_left, 1),
            "late": self.late,
        }


@dataclass(frozen=True)
class ShipByReport:
    """One shop's watch: the orders at risk (earliest ship-by first) and the newly announced."""

    shop_id: str
    horizon_hours: int
    checked_at: datetime
    orders: tuple[AtRisk, ...] = ()
    announced: tuple[str, ...] = field(default=())
    """The orders this watch announced (an event each); the others were announced before."""

    @property
    def late(self) -> tuple[AtRisk, ...]:
        return tuple(o for o in self.orders if o.late)


def waits_for_label(order: Order) -> bool:
    """Its state says it is not shipped yet, or Temu says so of an order a voided label had
    shipped (the lines a label still covers are checked apart)."""
    if order.state in WAITING_FOR_LABEL:
        return True
    return order.state is OrderState.SHIPPED and order.temu_status in TEMU_AWAITING_SHIPMENT


def at_risk(order: Order, now: datetime, horizon_hours: float) -> AtRisk | None:
    """The order, if it waits for a label and its ship-by time is within the horizon or past."""
    ship_by = order.snapshot.ship_by if order.snapshot else None
    if ship_by is None or not waits_for_label(order):
        return None
    if ship_by > now + timedelta(hours=horizon_hours):
        return None
    lines_left = len(order.remaining_line_sns())
    if not lines_left:
        return None
    hours_left = (ship_by - now).total_seconds() / 3600
    return AtRisk(order.parent_order_sn, ship_by, hours_left, ship_by < now, lines_left)


def at_risk_orders(
    uow: UnitOfWork, shop_id: str, now: datetime, horizon_hours: int = DEFAULT_HORIZON_HOURS
) -> list[AtRisk]:
    """The shop's orders at risk, earliest ship-by first (inside an open unit of work)."""
    candidates = uow.orders.due_to_ship(
        shop_id, now + timedelta(hours=horizon_hours), WAITING_FOR_LABEL, TEMU_AWAITING_SHIPMENT
    )
    found = [risk for order in candidates if (risk := at_risk(order, now, horizon_hours))]
    return sorted(found, key=lambda r: (r.ship_by, r.parent_order_sn))


def watch_shop(
    services: Services, shop_id: str, horizon_hours: int = DEFAULT_HORIZON_HOURS
) -> ShipByReport:
    """List the shop's orders at risk and announce each not announced yet for this horizon
    (event `temuship.order.ship_by_at_risk`, after the note is committed). Called at the end
    of every sync and by the hourly `ship-by-watch` flow; safe to run at the same time twice."""
    if horizon_hours < 0:
        raise ValueError(f"horizon_hours must be 0 or more, not {horizon_hours}")
    now = services.clock.now()
    with services.uow() as uow:
        orders = at_risk_orders(uow, shop_id, now, horizon_hours)
        current = {o.parent_order_sn for o in orders}
        noted = uow.orders.announced(shop_id, KIND, horizon_hours)
        if noted - current:  # off the list (a label, a cancellation): may be announced again
            uow.orders.forget_announced(shop_id, KIND, horizon_hours, noted - current)
        new = uow.orders.remember_announced(shop_id, KIND, horizon_hours, current - noted, now)
        uow.commit()
    report = ShipByReport(
        shop_id, horizon_hours, now, tuple(orders),
        tuple(o.parent_order_sn for o in orders if o.parent_order_sn in new),
    )  # fmt: skip
    for risk in orders:
        if risk.parent_order_sn in new:
            payload = {"shop": shop_id, **risk.to_dict(), "horizon_hours": horizon_hours}
            services.events.emit(EVENT, shop_id, payload)
    return report
