"""Order -> ShipStation V1 order payload. Pure and deterministic, so its digest is stable."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from adapters.shipstation.dates import to_pacific
from adapters.shipstation.order_content import (
    checked,
    custom_fields,
    internal_notes,
    number,
    rendered_lines,
)
from domain.model import Address, OrderLine, TemuOrder
from domain.order import Order

SOURCE = "Temu"


def render_order(order: Order, store_id: int | None) -> dict[str, Any]:
    """The whole V1 payload for an order: every field, always, since V1 has no partial update."""
    snapshot, ship_to = checked(order)
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
        "items": [_item(line) for line in rendered_lines(snapshot)],
        "shippingAmount": number(snapshot.shipping_amount),
        "internalNotes": internal_notes(snapshot),
        "advancedOptions": _advanced_options(snapshot, store_id),
    }
    return payload


def _pacific_or_none(moment: datetime | None) -> str | None:
    return to_pacific(moment) if moment else None


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


def _item(line: OrderLine) -> dict[str, Any]:
    return {
        "lineItemKey": line.order_sn,
        "sku": line.sku,
        "name": line.name,
        "imageUrl": line.image_url,
        "quantity": line.quantity,
        "unitPrice": number(line.unit_price),
        "options": [{"name": name, "value": value} for name, value in line.options],
    }


def _advanced_options(snapshot: TemuOrder, store_id: int | None) -> dict[str, Any]:
    # V1 has no deliver-by or pickup fields: custom fields are searchable and printable.
    field1, field2, field3 = custom_fields(snapshot)
    options: dict[str, Any] = {
        "source": SOURCE,
        "customField1": field1,
        "customField2": field2,
        "customField3": field3,
    }
    if store_id is not None:
        options["storeId"] = store_id
    return options
