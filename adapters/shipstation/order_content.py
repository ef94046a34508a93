"""What both ShipStation APIs (V1 and V2) are told of an order, whatever their wire: which
lines to send, the internal notes, the custom fields, exact amounts. Pure."""

from __future__ import annotations

from datetime import datetime

from adapters.shipstation.dates import PACIFIC
from domain.errors import InvalidPayload
from domain.model import SHIPSTATION_STATES, Address, OrderLine, TemuOrder
from domain.money import Money
from domain.order import Order

CANCELLED_LINE = 3  # Temu O-order status 3: nothing left to ship on that line


def checked(order: Order) -> tuple[TemuOrder, Address]:
    """The order's snapshot and ship-to, or InvalidPayload when it may not be sent."""
    if order.state not in SHIPSTATION_STATES:
        raise InvalidPayload(order.key, f"state {order.state.value} is not a ShipStation status")
    if order.ship_to is None or order.snapshot is None:
        raise InvalidPayload(order.key, "no ship-to address or Temu snapshot: cannot be imported")
    return order.snapshot, order.ship_to


def number(money: Money | None) -> float | None:
    # Decimal -> float only here, through its exact decimal text: 8.99 stays 8.99 in JSON.
    return float(str(money.amount)) if money is not None else None


def live_lines(snapshot: TemuOrder) -> tuple[OrderLine, ...]:
    """The lines the buyer still has: not cancelled, with something ordered."""
    return tuple(ln for ln in snapshot.lines if ln.quantity > 0 and ln.status != CANCELLED_LINE)


def rendered_lines(snapshot: TemuOrder) -> tuple[OrderLine, ...]:
    live = live_lines(snapshot)
    to_ship = tuple(ln for ln in live if ln.shippable)
    if to_ship:
        # A partly shipped order (Temu 41/51) carries only the lines still to ship, so nobody
        # picks the others again and a label for these closes the order in ShipStation; the
        # internal notes name the lines Temu shipped.
        return to_ship
    # Shipped or fully cancelled: every line, so ShipStation shows what was ordered.
    return live or snapshot.lines


def shipped_by_temu(snapshot: TemuOrder) -> list[str]:
    live = live_lines(snapshot)
    if not any(ln.shippable for ln in live):
        return []
    return [
        f"{ln.order_sn} ({ln.sku or ln.name} x{ln.quantity})" for ln in live if not ln.shippable
    ]


def deliver_by_text(moment: datetime) -> str:
    return moment.astimezone(PACIFIC).isoformat(timespec="seconds")


def custom_fields(snapshot: TemuOrder) -> tuple[str | None, str | None, str | None]:
    """Custom fields 1-3: deliver-by, pickup/drop-off, Temu region (searchable, printable)."""
    pudo, deliver_by = snapshot.pudo, snapshot.deliver_by
    return (
        f"deliver_by={deliver_by_text(deliver_by)}" if deliver_by else None,
        f"pudo={pudo.describe()}" if pudo and pudo.is_pickup_or_dropoff else None,
        f"temu_region={snapshot.region_id}" if snapshot.region_id else None,
    )


def internal_notes(snapshot: TemuOrder) -> str | None:
    notes = []
    if snapshot.deliver_by:
        notes.append(f"Temu deliver-by {deliver_by_text(snapshot.deliver_by)}")
    if snapshot.pudo and snapshot.pudo.is_pickup_or_dropoff:
        notes.append(f"Temu pickup/drop-off: {snapshot.pudo.describe()}")
    notes.extend(f"Temu warning: {warning}" for warning in snapshot.warnings)
    if shipped := shipped_by_temu(snapshot):
        notes.append(f"Already shipped by Temu, not listed here: {', '.join(shipped)}")
    return "\n".join(notes) or None
