"""The simulated ShipStation's orders: createorders validation, upsert by orderKey, listing."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from adapters.sandbox.shipstation.dates import normalised, pacific_text

REQUIRED = ("orderNumber", "orderDate", "orderStatus", "billTo", "shipTo")
STATUSES = frozenset(
    {
        "awaiting_payment",
        "awaiting_shipment",
        "pending_fulfillment",
        "shipped",
        "on_hold",
        "cancelled",
    }
)
LOCKED = frozenset({"shipped", "cancelled"})
LOCKED_MESSAGE = "The order cannot be updated because it is not in an open status."
ORDER_FIELDS = (
    "orderNumber", "orderKey", "orderDate", "paymentDate", "shipByDate", "orderStatus",
    "customerUsername", "customerEmail", "billTo", "shipTo", "items", "amountPaid", "taxAmount",
    "shippingAmount", "customerNotes", "internalNotes", "gift", "giftMessage", "paymentMethod",
    "requestedShippingService", "carrierCode", "serviceCode", "packageCode", "confirmation",
    "shipDate", "holdUntilDate", "weight", "dimensions", "insuranceOptions",
    "internationalOptions", "advancedOptions", "tagIds",
)  # fmt: skip
DATE_FIELDS = ("orderDate", "paymentDate", "shipByDate", "holdUntilDate")


def validate(body: Any, max_orders: int = 100) -> dict[str, list[str]]:
    """ModelState for a createorders body; empty when every order can be read."""
    if not isinstance(body, list):
        return {"apiOrders": ["Cannot deserialize the current JSON object into a list."]}
    if len(body) > max_orders:
        return {"apiOrders": [f"At most {max_orders} orders can be created at a time."]}
    state: dict[str, list[str]] = {}
    for index, order in enumerate(body):
        for key, message in _order_errors(order):
            state.setdefault(f"apiOrders[{index}].{key}", []).append(message)
    return state


def _order_errors(order: Any) -> list[tuple[str, str]]:
    if not isinstance(order, dict):
        return [("", "An order must be a JSON object.")]
    errors = [(f, f"The {f} field is required.") for f in REQUIRED if order.get(f) in (None, "")]
    for name in DATE_FIELDS:
        if order.get(name) and not _is_date(order[name]):
            errors.append((name, f"The value '{order[name]}' is not valid for {name}."))
    if order.get("orderStatus") and order["orderStatus"] not in STATUSES:
        errors.append(("orderStatus", f"'{order['orderStatus']}' is not a valid orderStatus."))
    for i, item in enumerate(order.get("items") or []):
        if not isinstance(item, dict) or not item.get("name"):
            errors.append((f"items[{i}].name", "The name field is required."))
    return errors


def _is_date(value: Any) -> bool:
    try:
        normalised(str(value))
    except ValueError:
        return False
    return True


def _decimal(value: Any) -> Decimal:
    return Decimal(str(value)) if value is not None else Decimal(0)


def order_total(order: dict[str, Any]) -> float:
    items = sum(
        (_decimal(i.get("unitPrice")) * int(i.get("quantity") or 0) for i in order["items"]),
        Decimal(0),
    )
    extra = _decimal(order.get("shippingAmount")) + _decimal(order.get("taxAmount"))
    return float(items + extra)


def stored_order(
    raw: dict[str, Any], order_id: int, created: datetime, now: datetime, store_id: int
) -> dict[str, Any]:
    """The whole order as ShipStation keeps it: fields left out are cleared, not kept."""
    order = {name: raw.get(name) for name in ORDER_FIELDS}
    for name in DATE_FIELDS:
        if order[name]:
            order[name] = normalised(str(order[name]))
    order["items"] = [dict(item) for item in raw.get("items") or []]
    options = dict(raw.get("advancedOptions") or {})
    options["storeId"] = store_id  # create-only: an update cannot move an order
    order.update(
        orderId=order_id,
        advancedOptions=options,
        createDate=pacific_text(created),
        modifyDate=pacific_text(now),
        orderTotal=order_total(order),
    )
    return order
