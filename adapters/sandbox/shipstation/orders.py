"""The simulated ShipStation's orders: createorders validation, upsert by orderKey, listing."""

from __future__ import annotations

import json
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


MAX_ORDER_NUMBER = 50  # shipstation.md §3.3: orderNumber, required, at most 50 characters
INVALID = "The request is invalid."
# JSON numbers of the order model (shipstation.md §3.3): integers, and decimals (money, sizes).
ORDER_INTS = ("tagIds[]",)
ORDER_DECIMALS = ("amountPaid", "taxAmount", "shippingAmount", "weight.value",
                  "dimensions.length", "dimensions.width", "dimensions.height",
                  "insuranceOptions.insuredValue")  # fmt: skip
OPTION_INTS = ("advancedOptions.warehouseId", "advancedOptions.storeId")
ITEM_INTS = ("quantity", "productId")
ITEM_DECIMALS = ("unitPrice", "taxAmount", "shippingAmount", "weight.value")
Errors = list[tuple[str, str]]


def validate(body: Any, max_orders: int = 100, strict: bool = True) -> dict[str, list[str]]:
    """ModelState for a createorders body (keys `apiOrders[i].field`); empty when valid.

    `strict` also refuses what the docs leave open: a shipTo without a 2-letter country and
    numbers sent as strings ("quantity": "2"), which a lenient JSON reader would convert."""
    if not isinstance(body, list):
        return {"apiOrders": ["Cannot deserialize the current JSON object into a list."]}
    if len(body) > max_orders:
        return {"apiOrders": [f"At most {max_orders} orders can be created at a time."]}
    state: dict[str, list[str]] = {}
    for index, order in enumerate(body):
        for key, message in order_errors(order, strict, f"[{index}]"):
            state.setdefault(f"apiOrders[{index}]{key}", []).append(message)
    return state


def validate_one(body: Any, strict: bool = True) -> dict[str, list[str]]:
    """ModelState for a createorder body: one order, keys `apiOrder.field`."""
    if not isinstance(body, dict):
        return {"apiOrder": ["Cannot deserialize the current JSON array into an Order."]}
    state: dict[str, list[str]] = {}
    for key, message in order_errors(body, strict, ""):
        state.setdefault(f"apiOrder{key}", []).append(message)
    return state


def order_errors(order: Any, strict: bool, path: str) -> Errors:
    """(".field" key suffix, message) for each problem of one order; `path` is its JSON path."""
    if not isinstance(order, dict):
        return [("", "An order must be a JSON object.")]
    errors = [(f".{f}", f"The {f} field is required.") for f in REQUIRED
              if order.get(f) in (None, "")]  # fmt: skip
    number = order.get("orderNumber")
    if isinstance(number, str) and len(number) > MAX_ORDER_NUMBER:
        errors.append((".orderNumber", "The field orderNumber must be a string with a maximum "
                       f"length of {MAX_ORDER_NUMBER}."))  # fmt: skip
    for name in DATE_FIELDS:
        if order.get(name) and not _is_date(order[name]):
            errors.append((f".{name}", f"The value '{order[name]}' is not valid for {name}."))
    if order.get("orderStatus") and order["orderStatus"] not in STATUSES:
        errors.append((".orderStatus", f"'{order['orderStatus']}' is not a valid orderStatus."))
    errors += _address_errors(order, "billTo", strict=False, path=path)
    errors += _address_errors(order, "shipTo", strict=strict, path=path)
    errors += _number_errors(order, ORDER_INTS + OPTION_INTS, ORDER_DECIMALS, strict, path)
    items = order.get("items")
    if items is not None and not isinstance(items, list):
        where = f"{path}.items".lstrip(".")
        errors.append((".items", _conversion(items, "List<OrderItem>", where)))
        items = []
    for i, item in enumerate(items or []):
        where = f".items[{i}]"
        if not isinstance(item, dict):
            errors.append((where, _conversion(item, "OrderItem", f"{path}{where}".lstrip("."))))
            continue
        if not item.get("name"):
            errors.append((f"{where}.name", "The name field is required."))
        for key, message in _number_errors(item, ITEM_INTS, ITEM_DECIMALS, strict, path + where):
            errors.append((where + key, message))
    return errors


def _address_errors(order: dict[str, Any], name: str, strict: bool, path: str) -> Errors:
    address = order.get(name)
    if address in (None, ""):
        return []  # reported as a missing required field
    if not isinstance(address, dict):
        return [(f".{name}", _conversion(address, "Address", f"{path}.{name}".lstrip(".")))]
    if not strict:
        return []
    country = address.get("country")
    if country in (None, ""):
        return [(f".{name}.country", "The country field is required.")]
    if not (isinstance(country, str) and len(country) == 2 and country.isalpha()):
        return [(f".{name}.country", f"'{country}' is not a 2-letter ISO country code.")]
    return []


def _number_errors(
    row: dict[str, Any], ints: tuple[str, ...], decimals: tuple[str, ...], strict: bool, path: str
) -> Errors:
    errors = []
    for dotted, integer in [(d, True) for d in ints] + [(d, False) for d in decimals]:
        for key, value in _values(row, dotted):
            message = _number_error(value, integer, strict, f"{path}.{key}".lstrip("."))
            if message:
                errors.append((f".{key}", message))
    return errors


def _values(row: dict[str, Any], dotted: str) -> list[tuple[str, Any]]:
    """The values at `a.b` (or every element of a list at `a[]`), with their key."""
    head, _, rest = dotted.partition(".")
    many = head.endswith("[]")
    name = head.removesuffix("[]")
    value = row.get(name)
    if value is None:
        return []
    if rest:
        inner = _values(value, rest) if isinstance(value, dict) else []
        return [(f"{name}.{key}", v) for key, v in inner]
    if many:
        return [(f"{name}[{i}]", v) for i, v in enumerate(value if isinstance(value, list) else [])]
    return [(name, value)]


def _number_error(value: Any, integer: bool, strict: bool, where: str) -> str | None:
    """Json.NET's view of a JSON value where a number belongs (None when it reads one)."""
    kind = "Int32" if integer else "Decimal"
    if value is None:
        return None
    if isinstance(value, bool | dict | list):
        return _conversion(value, kind, where)
    if isinstance(value, int | float):
        if integer and isinstance(value, float) and not value.is_integer():
            return f"Input string '{value}' is not a valid integer. Path '{where}'."
        return None
    text = str(value).strip()
    try:
        number = Decimal(text)
    except ArithmeticError:
        number = None
    if number is None or not number.is_finite() or (integer and number != int(number)):
        noun = "integer" if integer else "decimal"
        return f"Could not convert string to {noun}: {value}. Path '{where}'."
    if strict:  # a number that came as a string
        return f"Error converting value \"{value}\" to type 'System.{kind}'. Path '{where}'."
    return None


def _conversion(value: Any, kind: str, where: str) -> str:
    shown = json.dumps(value) if not isinstance(value, str) else value
    return f"Error converting value {shown} to type '{kind}'. Path '{where}'."


def _is_date(value: Any) -> bool:
    try:
        normalised(str(value))
    except ValueError:
        return False
    return True


def _decimal(value: Any) -> Decimal:
    return Decimal(str(value)) if value is not None else Decimal(0)


def _as_numbers(row: dict[str, Any], ints: tuple[str, ...], decimals: tuple[str, ...]) -> Any:
    """Numbers that came as strings (accepted when not strict) kept as numbers, as V1 would."""
    for dotted, kind in [(d, int) for d in ints] + [(d, float) for d in decimals]:
        head, _, rest = dotted.partition(".")
        holder, name = (row.get(head), rest) if rest else (row, head)
        if isinstance(holder, dict) and isinstance(holder.get(name), str):
            holder[name] = kind(Decimal(holder[name].strip()))
    return row


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
    order["items"] = [_as_numbers(dict(item), ITEM_INTS, ITEM_DECIMALS)
                      for item in raw.get("items") or []]  # fmt: skip
    _as_numbers(order, ORDER_INTS, ORDER_DECIMALS)
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
