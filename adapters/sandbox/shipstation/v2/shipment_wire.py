"""A V2 shipment written as the V1 order the account keeps, and that order read back as V2."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from adapters.sandbox.shipstation.dates import pacific_text
from adapters.sandbox.shipstation.v2.reference import Catalog, warehouse_number
from adapters.sandbox.shipstation.v2.wire import (
    STATUS_V1_TO_V2,
    STATUS_V2_TO_V1,
    iso,
    money,
    se,
    v1_address,
    v1_instant,
    v1_weight,
    v2_address,
    v2_weight,
)

Row = dict[str, Any]
# (V2 item field, V1 item field) for what both APIs carry.
ITEM_FIELDS = (
    ("sku", "sku"), ("name", "name"), ("quantity", "quantity"), ("unit_price", "unitPrice"),
    ("tax_amount", "taxAmount"), ("shipping_amount", "shippingAmount"),
    ("image_url", "imageUrl"), ("external_order_item_id", "lineItemKey"), ("upc", "upc"),
    ("inventory_location", "warehouseLocation"), ("fullfilment_sku", "fulfillmentSku"),
)  # fmt: skip
ITEM_EXTRAS = ("external_order_id", "product_id")
CUSTOM_FIELDS = ("custom_field1", "custom_field2", "custom_field3")
# Kept beside the V1 order (V1 has no field for them), cleared when V1 replaces the order.
SHIPMENT_EXTRAS = ("ship_from", "packages", "notes_to_buyer", "customs", "tags",
                   "external_order_id", "create_sales_order", "validate_address")  # fmt: skip


def v1_order(shipment: Row, key: str, status: str, now: datetime, catalog: Catalog) -> Row:
    """The V1 order (createorders' shape) a V2 shipment is kept as, with `_v2` extras."""
    ship_to = shipment["ship_to"]
    options = shipment.get("advanced_options") or {}
    return {
        "orderNumber": shipment.get("shipment_number") or key, "orderKey": key,
        "orderDate": pacific_text(now), "orderStatus": STATUS_V2_TO_V1[status],
        "customerEmail": ship_to.get("email"), "billTo": v1_address({"name": ship_to.get("name")}),
        "shipTo": v1_address(ship_to), "items": [_v1_item(i) for i in shipment.get("items") or []],
        "amountPaid": _amount(shipment.get("amount_paid")),
        "shippingAmount": _amount(shipment.get("shipping_paid")),
        "taxAmount": _amount(shipment.get("tax_paid")),
        "customerNotes": shipment.get("notes_from_buyer"),
        "internalNotes": shipment.get("internal_notes"), "gift": bool(shipment.get("is_gift")),
        "giftMessage": shipment.get("notes_for_gift"),
        "requestedShippingService": shipment.get("requested_shipment_service"),
        "carrierCode": catalog.carrier_code(shipment.get("carrier_id")),
        "serviceCode": shipment.get("service_code"), "confirmation": shipment.get("confirmation"),
        "shipByDate": shipment.get("ship_by_date"),
        "holdUntilDate": shipment.get("hold_until_date"),
        "advancedOptions": {
            "warehouseId": warehouse_number(shipment.get("warehouse_id")),
            **{f"customField{n}": options.get(f"custom_field{n}") for n in (1, 2, 3)},
        },
    }  # fmt: skip


def v2_extras(shipment: Row) -> Row:
    options = shipment.get("advanced_options") or {}
    return {
        **{name: shipment.get(name) for name in SHIPMENT_EXTRAS},
        "advanced_options": {k: v for k, v in options.items() if k not in CUSTOM_FIELDS},
        "currency": _currency(shipment), "instructions": shipment["ship_to"].get("instructions"),
        "items": [{k: i.get(k) for k in ITEM_EXTRAS} for i in shipment.get("items") or []],
    }  # fmt: skip


def shipment_view(order: Row, catalog: Catalog) -> Row:
    """The V1 order as `GET /v2/shipments/{id}` answers it."""
    extras = order.get("_v2") or {}
    options = order.get("advancedOptions") or {}
    currency = extras.get("currency") or "usd"
    warehouse = se(options.get("warehouseId")) or catalog.warehouses[0]["warehouse_id"]
    ship_from = extras.get("ship_from") or (catalog.warehouse(warehouse) or {}).get(
        "origin_address"
    )
    hold = order.get("holdUntilDate")
    return {
        "shipment_id": se(order["orderId"]),
        "carrier_id": catalog.carrier_id(order.get("carrierCode")),
        "service_code": order.get("serviceCode"), "shipping_rule_id": None,
        "external_order_id": extras.get("external_order_id"),
        "requested_shipment_service": order.get("requestedShippingService"),
        "external_shipment_id": order["orderKey"], "shipment_number": order["orderNumber"],
        "ship_date": f"{order['shipDate'][:10]}T00:00:00.000Z" if order.get("shipDate") else None,
        "created_at": iso(order["_created"]), "modified_at": iso(order["_modified"]),
        "shipment_status": STATUS_V1_TO_V2.get(order["orderStatus"], order["orderStatus"]),
        "ship_to": v2_address(order.get("shipTo"), order.get("customerEmail"), extras),
        "ship_from": ship_from, "warehouse_id": warehouse, "return_to": ship_from,
        "is_return": False, "confirmation": order.get("confirmation") or "none",
        "customs": extras.get("customs"), "advanced_options": _options_view(options, extras),
        "insurance_provider": "none", "tags": extras.get("tags") or [],
        "order_source_code": None, "packages": extras.get("packages") or [],
        "total_weight": v2_weight(order.get("weight")) or {"value": 0.0, "unit": "ounce"},
        "items": [_v2_item(item, i, extras) for i, item in enumerate(order.get("items") or [])],
        "store_id": se(options.get("storeId")), "notes_from_buyer": order.get("customerNotes"),
        "notes_to_buyer": extras.get("notes_to_buyer"),
        "internal_notes": order.get("internalNotes"),
        "notes_for_gift": order.get("giftMessage"), "is_gift": bool(order.get("gift")),
        "amount_paid": money(order.get("amountPaid"), currency),
        "shipping_paid": money(order.get("shippingAmount"), currency),
        "tax_paid": money(order.get("taxAmount"), currency),
        "ship_by_date": iso(v1_instant(order.get("shipByDate"))),
        # The day as it was given (kept as Pacific wall time), answered at midnight.
        "hold_until_date": f"{hold[:10]}T00:00:00Z" if hold else None,
        "deliver_by_date": None, "sales_order_ids": [], "zone": None, "display_scheme": None,
    }  # fmt: skip


def _options_view(options: Row, extras: Row) -> Row:
    custom = {f"custom_field{n}": options.get(f"customField{n}") for n in (1, 2, 3)}
    return {**(extras.get("advanced_options") or {}), **custom}


def _v1_item(item: Row) -> Row:
    v1 = {v1_name: item.get(v2_name) for v2_name, v1_name in ITEM_FIELDS}
    v1["options"] = [{"name": o.get("name"), "value": o.get("value")}
                     for o in item.get("options") or []]  # fmt: skip
    v1["weight"] = v1_weight(item.get("weight"))
    return v1


def _v2_item(item: Row, index: int, extras: Row) -> Row:
    kept = extras.get("items") or []
    more = kept[index] if index < len(kept) else {}
    answer = {v2_name: item.get(v1_name) for v2_name, v1_name in ITEM_FIELDS}
    product = item.get("productId")
    return {
        **answer, "item_id": se(item.get("orderItemId")), "sales_order_id": None,
        "sales_order_item_id": None, "options": item.get("options") or [],
        "weight": v2_weight(item.get("weight")),
        "external_order_id": more.get("external_order_id"),
        "product_id": more.get("product_id") or (str(product) if product else None),
    }  # fmt: skip


def _amount(value: Any) -> float | None:
    return float(value["amount"]) if isinstance(value, dict) else None


def _currency(shipment: Row) -> str:
    for name in ("amount_paid", "shipping_paid", "tax_paid"):
        value = shipment.get(name)
        if isinstance(value, dict) and value.get("currency"):
            return str(value["currency"]).lower()
    return "usd"
