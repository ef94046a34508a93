"""ShipStation V2 JSON shapes we read, as pydantic models: what a row must hold to be used."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from adapters.shipstation.wire import Int, Key, OptionalKey, Tracking, Wire


def _number(value: Any) -> Any:
    # A flag where a number belongs is a garbled field (pydantic would read true as 1).
    if isinstance(value, bool):
        raise ValueError("a boolean is not a number")
    return value


Amount = Annotated[
    Annotated[Decimal, Field(ge=0, le=1_000_000, allow_inf_nan=False)], BeforeValidator(_number)
]
Currency = Annotated[str, Field(pattern=r"^[A-Za-z]{3}$")]
Stamp = Annotated[str, Field(min_length=1, max_length=64)]
Text = Annotated[str, Field(max_length=500)]


class MoneyShape(Wire):
    currency: Currency
    amount: Amount


class ItemShape(Wire):
    external_order_item_id: OptionalKey = None
    sku: Text | None = None
    name: Text | None = None
    quantity: Int = Field(ge=0, le=1_000_000)


class ShipmentShape(Wire):
    shipment_id: Key
    shipment_status: Annotated[str, Field(min_length=1, max_length=64)]
    external_shipment_id: Text | None = None
    shipment_number: Text | None = None
    created_at: Stamp | None = None
    modified_at: Stamp | None = None
    store_id: OptionalKey = None
    warehouse_id: OptionalKey = None
    hold_until_date: Stamp | None = None
    items: list[ItemShape] | None = None


class LabelShape(Wire):
    label_id: Key
    created_at: Stamp
    # Our outbox holds 128 characters of tracking number and 64 of carrier code.
    tracking_number: Tracking
    carrier_code: Key
    status: Text | None = None
    shipment_id: OptionalKey = None
    external_shipment_id: Text | None = None
    ship_date: Stamp | None = None
    carrier_id: OptionalKey = None
    service_code: Annotated[str, Field(max_length=64)] | None = None
    shipment_cost: MoneyShape | None = None
    voided: bool | None = None
    voided_at: Stamp | None = None
    modified_at: Stamp | None = None


class WarehouseShape(Wire):
    warehouse_id: Key
    name: Text | None = None
    is_default: bool | None = None


class CarrierShape(Wire):
    carrier_id: Key
    carrier_code: Key
    friendly_name: Text | None = None
    nickname: Text | None = None


class HeaderShape(Wire):
    key: Annotated[str, Field(min_length=1, max_length=200)]
    value: Annotated[str, Field(max_length=2000)] = ""


class WebhookShape(Wire):
    webhook_id: Key
    url: Annotated[str, Field(min_length=1, max_length=2000)]
    event: Annotated[str, Field(min_length=1, max_length=64)]
    name: Text | None = None
    store_id: OptionalKey = None
    headers: list[HeaderShape] | None = None
