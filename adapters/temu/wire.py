"""Temu's JSON shapes as pydantic models: the wire, kept apart from the domain objects."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

LAST_MILLISECOND = 253_402_300_799_999  # 9999-12-31T23:59:59.999Z: later ones cannot be dates


def _not_bool(value: Any) -> Any:
    # pydantic reads true as 1; a flag where a number belongs is a garbled field.
    if isinstance(value, bool):
        raise ValueError("a boolean is not a number")
    return value


Int = Annotated[int, BeforeValidator(_not_bool)]
Id = Annotated[int, BeforeValidator(_not_bool), Field(ge=0, lt=2**63)]
Seconds = Annotated[int, BeforeValidator(_not_bool), Field(ge=0, le=LAST_MILLISECOND)]
# Temu's order numbers: PO-211-<17 digits> and 211-<17 digits>. ShipStation's orderNumber
# holds 50 characters, our tables 64; spaces or non-ASCII would be a garbled number.
PRINTABLE = r"^[\x21-\x7e]+$"
ParentSn = Annotated[str, Field(min_length=1, max_length=50, pattern=PRINTABLE)]
LineSn = Annotated[str, Field(min_length=1, max_length=64, pattern=PRINTABLE)]


class Wire(BaseModel):
    model_config = ConfigDict(extra="ignore")


class LabelWire(Wire):
    name: str | None = None
    value: Int | None = None


class ProductWire(Wire):
    extCode: str | None = None


class LineWire(Wire):
    orderSn: LineSn
    goodsName: str
    # What is left to ship: 0 once every unit was cancelled before shipment (temu.md §4.3).
    quantity: Int = Field(ge=0, le=1_000_000)
    goodsId: Id | None = None
    skuId: Id | None = None
    spec: str | None = None
    thumbUrl: str | None = None
    orderStatus: Int | None = None
    inventoryDeductionWarehouseId: str | None = None
    productList: list[ProductWire] | None = None
    fulfillmentWarning: list[str] | None = None


class ParentWire(Wire):
    parentOrderSn: ParentSn
    # Any code: an unknown one is held by the domain, never guessed (DESIGN.md).
    parentOrderStatus: Int
    parentOrderTime: Seconds
    updateTime: Seconds
    expectShipLatestTime: Seconds | None = None
    latestDeliveryTime: Seconds | None = None
    regionId: Id | None = None
    shippingMethod: Int | None = None
    fulfillmentWarning: list[str] | None = None
    parentOrderLabel: list[LabelWire] | None = None
    # Not documented in the list; read if Temu ever puts it there (temu.md §5, PUDO).
    contactlessDropPoint: str | None = None


class PageItemWire(Wire):
    parentOrderMap: ParentWire
    orderList: list[LineWire] = Field(min_length=1)

    @model_validator(mode="after")
    def _lines_once(self) -> PageItemWire:
        sns = [line.orderSn for line in self.orderList]
        twice = sorted({sn for sn in sns if sns.count(sn) > 1})
        if twice:
            raise ValueError(f"orderList repeats orderSn {', '.join(twice)}")
        return self


class AddressExtraWire(Wire):
    firstName: str | None = None
    lastName: str | None = None
    contactlessDropPoint: str | None = None


class AddressWarningWire(Wire):
    isRestriction: bool | None = None
    reason: int | None = None


class ShippingInfoWire(Wire):
    receiptName: str | None = None
    mobile: str | None = None
    mail: str | None = None
    regionName1: str | None = None
    regionName2: str | None = None
    regionName3: str | None = None
    regionName4: str | None = None
    addressLine1: str | None = None
    addressLine2: str | None = None
    addressLine3: str | None = None
    postCode: str | None = None
    addressExtra: AddressExtraWire | None = None
    warning: AddressWarningWire | None = None


class MoneyWire(Wire):
    currency: str = Field(pattern=r"^[A-Za-z]{3}$")
    amount: Int


class AmountParentWire(Wire):
    shippingAmountTotal: MoneyWire | None = None


class AmountLineWire(Wire):
    orderSn: LineSn
    unitRetailPrice: MoneyWire | None = None
    unitBasePrice: MoneyWire | None = None


class AmountWire(Wire):
    parentOrderMap: AmountParentWire | None = None
    orderList: list[AmountLineWire] | None = None


class TokenInfoWire(Wire):
    mallId: Id | None = None
    regionId: Id | None = None
    expiredTime: Seconds | None = None
    apiScopeList: list[str] | None = None


class WarehouseWire(Wire):
    warehouseId: str = Field(min_length=1, max_length=64)
    warehouseName: str | None = None
    defaultWarehouse: bool | None = None


class CarrierWire(Wire):
    logisticsServiceProviderId: Id
    logisticsServiceProviderName: str | None = None
    logisticsBrandName: str | None = None


class SubShipmentWire(Wire):
    carrierId: Id | None = None
    trackingNumber: str | None = None
    packageSn: str | None = None


class ShipmentWire(Wire):
    trackingNumber: str
    carrierId: Id | None = None
    carrierName: str | None = None
    skuId: Id | None = None
    quantity: Int | None = None
    packageSn: str | None = None
    subPackageShipmentInfoList: list[SubShipmentWire] | None = None
