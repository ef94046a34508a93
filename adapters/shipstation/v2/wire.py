"""Order -> the whole ShipStation V2 shipment. Pure and deterministic, so its digest is stable.

What V2 is told of an order (its lines, notes and custom fields) is what V1 is told
(adapters.shipstation.order_content); only the wire differs. The shipment is created
`pending`; holds, cancellations and shipping go through their own endpoints, never in here.
Fields without a value are left out rather than sent as null.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from adapters.shipstation.order_content import (
    checked,
    custom_fields,
    internal_notes,
    live_lines,
    number,
    rendered_lines,
)
from domain.errors import InvalidPayload
from domain.model import Address, OrderLine, TemuOrder
from domain.money import Money
from domain.order import Order

MAX_EXTERNAL_ID = 50  # V2 truncates a longer external_shipment_id: never let it
MAX_CUSTOM_FIELD = 100
CREATED_STATUS = "pending"


def render_shipment(
    order: Order, *, warehouse_id: str | None, store_id: str | int | None
) -> dict[str, Any]:
    """The whole V2 shipment for an order, as `POST /v2/shipments` takes one."""
    snapshot, ship_to = checked(order)
    payload: dict[str, Any] = {
        "external_shipment_id": _external_id(order),
        "shipment_number": order.parent_order_sn,
        "create_sales_order": True,
        "shipment_status": CREATED_STATUS,
        "ship_to": _address(ship_to),
        "items": [_item(line) for line in rendered_lines(snapshot)],
        "ship_by_date": _utc(snapshot.ship_by),
        "internal_notes": internal_notes(snapshot),
        "advanced_options": _advanced_options(snapshot),
        "amount_paid": _money(_amount_paid(snapshot)),
        "shipping_paid": _money(snapshot.shipping_amount),
        "store_id": str(store_id) if store_id is not None else None,
        "warehouse_id": warehouse_id,
    }
    return _present(payload)


def _external_id(order: Order) -> str:
    key = order.key
    if len(key) > MAX_EXTERNAL_ID:
        room = MAX_EXTERNAL_ID - (len(key) - len(order.shop_id))
        raise InvalidPayload(
            order.key,
            f"the order key has {len(key)} characters and V2's external_shipment_id holds "
            f"{MAX_EXTERNAL_ID}: a shop name of at most {max(room, 0)} characters fits",
        )
    return key


def _present(fields: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in fields.items() if value is not None}


def _address(address: Address) -> dict[str, Any]:
    # Temu's phone is a proxy number: sent when Temu gives one, left out otherwise.
    return _present(
        {
            "name": address.name,
            "phone": address.phone,
            "email": address.email,
            "company_name": address.company,
            "address_line1": address.street1,
            "address_line2": address.street2,
            "address_line3": address.street3,
            "city_locality": address.city,
            "state_province": address.state,
            "postal_code": address.postal_code,
            "country_code": address.country,
            "address_residential_indicator": "unknown",
        }
    )


def _item(line: OrderLine) -> dict[str, Any]:
    return _present(
        {
            "external_order_item_id": line.order_sn,
            "sku": line.sku,
            "name": line.name,
            "quantity": line.quantity,
            "unit_price": number(line.unit_price),
            "image_url": line.image_url,
            "options": [{"name": name, "value": value} for name, value in line.options],
        }
    )


def _advanced_options(snapshot: TemuOrder) -> dict[str, Any]:
    names = ("custom_field1", "custom_field2", "custom_field3")
    fields = zip(names, custom_fields(snapshot), strict=True)
    return {name: _clip(text) for name, text in fields if text is not None}


def _clip(text: str) -> str:
    return text if len(text) <= MAX_CUSTOM_FIELD else text[: MAX_CUSTOM_FIELD - 1] + "…"


def _amount_paid(snapshot: TemuOrder) -> Money | None:
    """What the buyer paid for the lines they still have, plus shipping; None unless every
    such line has a price (a partial sum would be wrong, not approximate)."""
    lines = live_lines(snapshot)
    if not lines or any(line.unit_price is None for line in lines):
        return None
    parts = [line.unit_price * line.quantity for line in lines if line.unit_price is not None]
    if snapshot.shipping_amount is not None:
        parts.append(snapshot.shipping_amount)
    total = parts[0]
    try:
        for part in parts[1:]:
            total = total + part
    except ValueError:  # several currencies: no one total
        return None
    return total


def _money(money: Money | None) -> dict[str, Any] | None:
    if money is None:
        return None
    return {"currency": money.currency.lower(), "amount": number(money)}


def _utc(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
