"""Wire -> domain for everything but orders: address, amounts, token, warehouses, carriers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from adapters.temu.answers import unexpected
from adapters.temu.orders import at
from adapters.temu.wire import (
    AmountWire,
    CarrierWire,
    MoneyWire,
    ShipmentWire,
    ShippingInfoWire,
    TokenInfoWire,
    WarehouseWire,
)
from domain.model import Address, OrderAmounts
from domain.money import Money
from domain.ports import TemuCarrier, TemuShipment, Warehouse
from domain.token import TokenInfo

COUNTRIES = {
    "united states": "US", "usa": "US", "united kingdom": "GB", "germany": "DE", "france": "FR",
    "italy": "IT", "spain": "ES", "canada": "CA", "mexico": "MX", "japan": "JP", "brazil": "BR",
    "australia": "AU", "netherlands": "NL", "poland": "PL", "korea": "KR",
}  # fmt: skip
REGION_COUNTRIES = {211: "US", 210: "GB", 76: "DE", 69: "FR", 128: "MX", 100: "JP", 29: "BR"}
W = TypeVar("W", bound=BaseModel)
CARRIER_CONTAINERS = ("items", "logisticsCompaniesList", "logisticsServiceProviderList", "list")


def to_address(result: Any, region_id: int | None = None) -> Address | None:
    """A ship-to Address, or None when Temu has none (yet) for the order."""
    if result is None or result == []:
        return None  # Temu has no address for the order (yet)
    info = _validate(ShippingInfoWire, result, "bg.order.shippinginfo.v2.get result")
    if not (info.addressLine1 and (info.regionName3 or info.postCode)):
        return None
    return Address(
        name=_name(info),
        street1=info.addressLine1,
        street2=info.addressLine2 or None,
        street3=info.addressLine3 or None,
        city=info.regionName3 or info.regionName4 or "",
        state=info.regionName2 or None,
        postal_code=info.postCode or "",
        country=country_code(info.regionName1, region_id),
        phone=info.mobile or None,
        email=info.mail or None,
    )


def country_code(name: str | None, region_id: int | None) -> str:
    if name and len(name.strip()) == 2:
        return name.strip().upper()
    code = COUNTRIES.get((name or "").strip().lower()) or REGION_COUNTRIES.get(region_id or 0)
    return code or (name or "").strip()


def _name(info: ShippingInfoWire) -> str:
    if info.receiptName:
        return info.receiptName
    extra = info.addressExtra
    parts = [extra.firstName, extra.lastName] if extra else []
    return " ".join(part for part in parts if part)


def money(wire: MoneyWire | None) -> Money | None:
    return Money.from_minor(wire.amount, wire.currency) if wire else None


def to_amounts(result: Any) -> OrderAmounts:
    amounts = _validate(AmountWire, result, "bg.order.amount.query result")
    unit_prices = {}
    for line in amounts.orderList or []:
        price = money(line.unitRetailPrice or line.unitBasePrice)
        if price is not None:
            unit_prices[line.orderSn] = price
    parent = amounts.parentOrderMap
    return OrderAmounts(
        shipping=money(parent.shippingAmountTotal if parent else None), unit_prices=unit_prices
    )


def to_token_info(result: Any) -> TokenInfo:
    info = _validate(TokenInfoWire, result, "bg.open.accesstoken.info.get result")
    return TokenInfo(
        mall_id=info.mallId,
        region_id=info.regionId,
        expires_at=at(info.expiredTime),
        scopes=frozenset(info.apiScopeList or ()),
    )


def to_warehouses(result: Any) -> list[Warehouse]:
    rows = _rows(result, "warehouseList", "bg.logistics.warehouse.list.get result")
    return [
        Warehouse(w.warehouseId, w.warehouseName or w.warehouseId, bool(w.defaultWarehouse))
        for w in (_validate(WarehouseWire, row, "warehouse") for row in rows)
    ]


def _rows(result: Any, key: str, what: str) -> list[Any]:
    """The list under `key` (or the result itself when it is the list); none when null."""
    rows = result.get(key) if isinstance(result, Mapping) else result
    if rows is None:
        return []
    if not isinstance(rows, list):
        raise unexpected(what, f"{key} must be a list", result)
    return rows


def carrier_rows(result: Any) -> list[Any]:
    """The carrier list wherever the answer puts it (temu.md §7.1: the container is unsure)."""
    if isinstance(result, list):
        return result
    if isinstance(result, Mapping):
        for key in CARRIER_CONTAINERS:
            if isinstance(result.get(key), list):
                return list(result[key])
        if "logisticsServiceProviderId" in result:
            return [result]
        if not result or any(key in result and result[key] is None for key in CARRIER_CONTAINERS):
            return []  # no carriers for the region (an empty answer or a null container)
    if result is None:
        return []
    raise unexpected("bg.logistics.companies.get result", "no list of carriers in it", result)


def to_carriers(result: Any) -> list[TemuCarrier]:
    carriers = (_validate(CarrierWire, row, "carrier") for row in carrier_rows(result))
    return [
        TemuCarrier(
            c.logisticsServiceProviderId,
            c.logisticsServiceProviderName or str(c.logisticsServiceProviderId),
            c.logisticsBrandName,
        )
        for c in carriers
    ]


def to_shipments(result: Any) -> list[TemuShipment]:
    rows = _rows(result, "shipmentInfoDTO", "bg.logistics.shipment.v2.get result")
    shipments = []
    for row in rows:
        wire = _validate(ShipmentWire, row, "shipment")
        shipments.append(
            TemuShipment(
                wire.trackingNumber,
                wire.carrierId,
                wire.skuId,
                wire.quantity,
                wire.packageSn,
                wire.carrierName,
            )
        )
        for sub in wire.subPackageShipmentInfoList or []:
            if sub.trackingNumber:
                shipments.append(
                    TemuShipment(
                        sub.trackingNumber,
                        sub.carrierId or wire.carrierId,
                        wire.skuId,
                        None,
                        sub.packageSn,
                        wire.carrierName,
                    )
                )
    return shipments


def _validate(model: type[W], data: Any, what: str) -> W:
    """`data` read as `model`, or UnexpectedAnswer naming the first wrong field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "(root)"
        raise unexpected(what, f"field {field}: {first['msg']}", data) from None
