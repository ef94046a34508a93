"""Temu's JSON shapes as pydantic models: the wire, kept apart from the domain objects."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Wire(BaseModel):
    model_config = ConfigDict(extra="ignore")


class LabelWire(Wire):
    name: str | None = None
    value: int | None = None


class ProductWire(Wire):
    extCode: str | None = None


class LineWire(Wire):
    orderSn: str = Field(min_length=1)
    goodsName: str
    quantity: int = Field(ge=0)
    goodsId: int | None = None
    skuId: int | None = None
    spec: str | None = None
    thumbUrl: str | None = None
    orderStatus: int | None = None
    inventoryDeductionWarehouseId: str | None = None
    productList: list[ProductWire] | None = None
    fulfillmentWarning: list[str] | None = None


class ParentWire(Wire):
    parentOrderSn: str = Field(min_length=1)
    parentOrderStatus: int
    parentOrderTime: int
    updateTime: int
    expectShipLatestTime: int | None = None
    latestDeliveryTime: int | None = None
    regionId: int | None = None
    shippingMethod: int | None = None
    fulfillmentWarning: list[str] | None = None
    parentOrderLabel: list[LabelWire] | None = None
    # Not documented in the list; read if Temu ever puts it there (temu.md §5, PUDO).
    contactlessDropPoint: str | None = None


class PageItemWire(Wire):
    parentOrderMap: ParentWire
    orderList: list[LineWire] = Field(min_length=1)


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
    currency: str
    amount: int


class AmountParentWire(Wire):
    shippingAmountTotal: MoneyWire | None = None


class AmountLineWire(Wire):
    orderSn: str
    unitRetailPrice: MoneyWire | None = None
    unitBasePrice: MoneyWire | None = None


class AmountWire(Wire):
    parentOrderMap: AmountParentWire | None = None
    orderList: list[AmountLineWire] = []


class TokenInfoWire(Wire):
    mallId: int | None = None
    regionId: int | None = None
    expiredTime: int | None = None
    apiScopeList: list[str] | None = None


class WarehouseWire(Wire):
    warehouseId: str
    warehouseName: str | None = None
    defaultWarehouse: bool | None = None


class CarrierWire(Wire):
    logisticsServiceProviderId: int
    logisticsServiceProviderName: str | None = None
    logisticsBrandName: str | None = None


class SubShipmentWire(Wire):
    carrierId: int | None = None
    trackingNumber: str | None = None
    packageSn: str | None = None


class ShipmentWire(Wire):
    trackingNumber: str
    carrierId: int | None = None
    skuId: int | None = None
    quantity: int | None = None
    packageSn: str | None = None
    subPackageShipmentInfoList: list[SubShipmentWire] | None = None


class ConfirmResultWire(Wire):
    warningMessage: list[str] | None = None
    assistantAgreementText: str | None = None
