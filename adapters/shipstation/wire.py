"""ShipStation V1 JSON shapes we read, as pydantic models: what a row must hold to be used."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field


def _not_bool(value: Any) -> Any:
    # pydantic reads true as 1; a flag where a number belongs is a garbled field.
    if isinstance(value, bool):
        raise ValueError("a boolean is not a number")
    return value


def _key_text(value: Any) -> Any:
    """Keys are strings, but some wrappers send numbers: 12 and "12" are the same key."""
    if isinstance(value, bool):
        raise ValueError("a boolean is not a key")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value.strip()
    return value


def _blank_is_none(value: Any) -> Any:
    value = _key_text(value)
    return None if value == "" else value


# Constraints sit inside the BeforeValidator, so they check the trimmed text itself.
Int = Annotated[int, BeforeValidator(_not_bool)]
Id = Annotated[int, BeforeValidator(_not_bool), Field(gt=0, lt=2**63)]
Key = Annotated[Annotated[str, Field(min_length=1, max_length=64)], BeforeValidator(_key_text)]
Tracking = Annotated[
    Annotated[str, Field(min_length=1, max_length=128)], BeforeValidator(_key_text)
]
Number = Annotated[Annotated[str, Field(max_length=200)], BeforeValidator(_key_text)]
OptionalKey = Annotated[
    Annotated[str, Field(min_length=1, max_length=64)] | None, BeforeValidator(_blank_is_none)
]


class Wire(BaseModel):
    model_config = ConfigDict(extra="ignore")


class ShipmentItemWire(Wire):
    lineItemKey: OptionalKey = None
    sku: str | None = None
    # A label ships whole units: no item ships nothing, or less than nothing.
    quantity: Int = Field(gt=0, le=1_000_000)


class ShipmentWire(Wire):
    shipmentId: Key
    orderKey: str | None = None
    orderNumber: str | None = None
    createDate: str = Field(min_length=1, max_length=64)
    shipDate: str | None = None
    # Our outbox holds 128 characters of tracking number and 64 of carrier code.
    trackingNumber: Tracking
    carrierCode: Key
    serviceCode: str | None = Field(default=None, max_length=64)
    shipmentCost: Decimal | None = Field(default=None, ge=0, le=1_000_000)
    voided: bool | None = None
    shipmentItems: list[ShipmentItemWire] | None = None


class OrderSummaryWire(Wire):
    orderId: Id
    orderKey: str | None = None
    orderNumber: Number | None = None
    orderStatus: str | None = None
    modifyDate: str | None = Field(default=None, max_length=64)


class StoreWire(Wire):
    storeId: Id
    storeName: str | None = None
    marketplaceName: str | None = None
    active: bool | None = None


class CarrierWire(Wire):
    code: Key
    name: str | None = None
