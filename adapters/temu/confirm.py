"""ShipmentRequest -> `bg.logistics.shipment.v2.confirm` params (key order as Temu's examples)."""

from __future__ import annotations

from typing import Any

from domain.ports import ConfirmItem, ConfirmPackage, ShipmentRequest


def confirm_params(request: ShipmentRequest) -> dict[str, Any]:
    """sendType 0 for one package, 1 for several; one sendRequestList element per package."""
    return {
        "sendType": request.send_type,
        "sendRequestList": [package_params(package) for package in request.packages],
    }


def package_params(package: ConfirmPackage) -> dict[str, Any]:
    params: dict[str, Any] = {
        "carrierId": package.carrier_id,
        "trackingNumber": package.tracking_number,
        "selfShippingWarehouseId": package.warehouse_id,
        "orderSendInfoList": [item_params(item) for item in package.items],
    }
    if package.extra_tracking:
        # Extra boxes of the same items: same carrier and warehouse, their own tracking numbers.
        params["subSendRequests"] = [
            {
                "carrierId": package.carrier_id,
                "trackingNumber": number,
                "selfShippingWarehouseId": package.warehouse_id,
            }
            for number in package.extra_tracking
        ]
    return params


def item_params(item: ConfirmItem) -> dict[str, Any]:
    params: dict[str, Any] = {"parentOrderSn": item.parent_order_sn, "orderSn": item.order_sn}
    if item.goods_id is not None:
        params["goodsId"] = item.goods_id
    if item.sku_id is not None:
        params["skuId"] = item.sku_id
    params["quantity"] = item.quantity
    return params


def tracking_numbers(package: ConfirmPackage) -> set[str]:
    return {package.tracking_number, *package.extra_tracking}
