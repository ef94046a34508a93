"""Order -> ShipStation V1 order payload. Pure and deterministic, so its digest is stable."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from adapters.shipstation.dates import PACIFIC, to_pacific
from domain.errors import InvalidPayload
from domain.model import SHIPSTATION_STATES, Address, OrderLine, TemuOrder
from domain.money import Money
from domain.order import Order

SOURCE = "Temu"
CANCELLED_LINE = 3  # Temu O-order status 3: nothing left to ship on that line


def render_order(order: Order, store_id: int | None) -> dict[str, Any]:
    """The whole V1 payload for an order: every field, always, since V1 has no partial update."""
    snapshot, ship_to = _checked(order)
    payload: dict[str, Any] = {
        "orderNumber": order.parent_order_sn,
        "orderKey": order.key,
        "orderDate": to_pacific(snapshot.created_at),
        # Temu takes payment at checkout: the order time is the payment time.
        "paymentDate": to_pacific(snapshot.created_at),
        "shipByDate": _pacific_or_none(snapshot.ship_by),
        "orderStatus": order.state.value,
        "billTo": _bill_to(ship_to),
        "shipTo": _address(ship_to),
        "items": [_item(line) for line in _rendered_lines(snapshot)],
        "shippingAmount": _number(snapshot.shipping_amount),
        "internalNotes": _internal_notes(snapshot),
        "advancedOptions": _advanced_options(snapshot, store_id),
    }
    return payload


def _checked(order: Order) -> tuple[TemuOrder, Address]:
    if order.state not in SHIPSTATION_STATES:
        raise InvalidPayload(order.key, f"state {order.state.value} is not a ShipStation status")
    if order.ship_to is None or order.snapshot is None:
        raise InvalidPayload(order.key, "no ship-to address or Temu snapshot: cannot be imported")
    return order.snapshot, order.ship_to


def _pacific_or_none(moment: datetime | None) -> str | None:
    return to_pacific(moment) if moment else None


def _number(money: Money | None) -> float | None:
    # Decimal -> float only here, through its exact decimal text: 8.99 stays 8.99 in JSON.
    return float(str(money.amount)) if money is not None else None


def _address(address: Address) -> dict[str, Any]:
    return {
        "name": address.name,
        "company": address.company,
        "street1": address.street1,
        "street2": address.street2,
        "street3": address.street3,
        "city": address.city,
        "state": address.state,
        "postalCode": address.postal_code,
        "country": address.country,
        "phone": address.phone,
        "residential": None,
    }


def _bill_to(ship_to: Address) -> dict[str, Any]:
    # V1 requires billTo; a name-only one is accepted (the docs' own sample) and leaks nothing.
    empty = dict.fromkeys(_address(ship_to), None)
    return {**empty, "name": ship_to.name}


def _rendered_lines(snapshot: TemuOrder) -> tuple[OrderLine, ...]:
    live = tuple(ln for ln in snapshot.lines if ln.quantity > 0 and ln.status != CANCELLED_LINE)
    to_ship = tuple(ln for ln in live if ln.shippable)
    if to_ship:
        # A partly shipped order (Temu 41/51) carries only the lines still to ship, so nobody
        # picks the others again and a label for these closes the order in ShipStation; the
        # internal notes name the lines Temu shipped.
        return to_ship
    # Shipped or fully cancelled: every line, so ShipStation shows what was ordered.
    return live or snapshot.lines


def _shipped_by_temu(snapshot: TemuOrder) -> list[str]:
    live = [ln for ln in snapshot.lines if ln.quantity > 0 and ln.status != CANCELLED_LINE]
    if not any(ln.shippable for ln in live):
        return []
    return [
        f"{ln.order_sn} ({ln.sku or ln.name} x{ln.quantity})" for ln in live if not ln.shippable
    ]


def _item(line: OrderLine) -> dict[str, Any]:
    return {
        "lineItemKey": line.order_sn,
        "sku": line.sku,
        "name": line.name,
        "imageUrl": line.image_url,
        "quantity": line.quantity,
        "unitPrice": _number(line.unit_price),
        "options": [{"name": name, "value": value} for name, value in line.options],
    }


def _deliver_by_text(moment: datetime) -> str:
    return moment.astimezone(PACIFIC).isoformat(timespec="seconds")


def _advanced_options(snapshot: TemuOrder, store_id: int | None) -> dict[str, Any]:
    pudo = snapshot.pudo
    deliver_by = snapshot.deliver_by
    options: dict[str, Any] = {
        "source": SOURCE,
        # V1 has no deliver-by or pickup fields: custom fields are searchable and printable.
        "customField1": f"deliver_by={_deliver_by_text(deliver_by)}" if deliver_by else None,
        "customField2": f"pudo={pudo.describe()}" if pudo and pudo.is_pickup_or_dropoff else None,
        "customField3": f"temu_region={snapshot.region_id}" if snapshot.region_id else None,
    }
    if store_id is not None:
        options["storeId"] = store_id
    return options


def _internal_notes(snapshot: TemuOrder) -> str | None:
    notes = []
    if snapshot.deliver_by:
        notes.append(f"Temu deliver-by {_deliver_by_text(snapshot.deliver_by)}")
    if snapshot.pudo and snapshot.pudo.is_pickup_or_dropoff:
        notes.append(f"Temu pickup/drop-off: {snapshot.pudo.describe()}")
    notes.extend(f"Temu warning: {warning}" for warning in snapshot.warnings)
    if shipped := _shipped_by_temu(snapshot):
        notes.append(f"Already shipped by Temu, not listed here: {', '.join(shipped)}")
    return "\n".join(notes) or None
