"""Business answers of the simulated gateway: orders, addresses, amounts, token, logistics."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from adapters.sandbox.temu.model import (
    SHIPPABLE_ADDRESS_STATUSES,
    SandboxOrder,
    SandboxToken,
    TemuFailure,
)
from adapters.sandbox.temu.state import CARRIERS, WAREHOUSES, TemuSandbox

Handler = Callable[[TemuSandbox, dict[str, Any], SandboxToken], Any]
LABELS = ("soon_to_be_overdue", "past_due", "pending_buyer_cancellation",
          "pending_buyer_address_change", "pending_risk_control_alert",
          "signature_required_on_delivery")  # fmt: skip
EMPTY_ADDRESS = dict.fromkeys(
    ("receiptName", "addressExtra", "mobile", "mail", "regionName1", "regionName2",
     "regionName3", "addressLine1", "addressLine2", "postCode")
)  # fmt: skip


def token_info(state: TemuSandbox, body: dict[str, Any], token: SandboxToken) -> Any:
    return {"mallId": token.mall_id, "regionId": token.region_id, "mallType": 1,
            "semiUniqueId": None, "expiredTime": token.expires_at,
            "apiScopeList": sorted(token.scopes), "appSubscribeStatus": 0,
            "appSubscribeEventCodeList": [], "authEventCodeList": []}  # fmt: skip


def order_list(state: TemuSandbox, body: dict[str, Any], token: SandboxToken) -> Any:
    page, size = _int(body, "pageNumber", 1), min(_int(body, "pageSize", 10), 100)
    if page < 1 or size < 1:
        raise TemuFailure(3000000, "BAD_PARAMS")
    matches = sorted(_matching(state, body), key=lambda o: (-o.updated_at, o.parent_order_sn))
    chosen = matches[(page - 1) * size : page * size]
    return {"totalItemNum": len(matches), "pageItems": [list_item(o) for o in chosen]}


def order_detail(state: TemuSandbox, body: dict[str, Any], token: SandboxToken) -> Any:
    return list_item(_order(state, body, 140020002, "Order not found"))


def shipping_info(state: TemuSandbox, body: dict[str, Any], token: SandboxToken) -> Any:
    order = _order(state, body, 180020003, "Invalid param")
    if order.status not in SHIPPABLE_ADDRESS_STATUSES or order.address is None:
        return {**EMPTY_ADDRESS, "warning": {"isRestriction": False, "reason": None}}
    return {**order.address, "warning": {"isRestriction": False, "reason": None}}


def amounts(state: TemuSandbox, body: dict[str, Any], token: SandboxToken) -> Any:
    order = _order(state, body, 140020002, "Order not found")
    cents = lambda amount: {"currency": order.currency, "amount": amount}  # noqa: E731
    lines = [{"orderSn": line.order_sn, "quantity": line.quantity,
              "unitRetailPrice": cents(line.unit_price), "unitBasePrice": cents(line.unit_price)}
             for line in order.lines]  # fmt: skip
    parent = {"parentOrderSn": order.parent_order_sn,
              "shippingAmountTotal": cents(order.shipping_amount)}  # fmt: skip
    return {"parentOrderMap": parent, "orderList": lines, "warning": []}


def warehouses(state: TemuSandbox, body: dict[str, Any], token: SandboxToken) -> Any:
    return {"warehouseList": [dict(w) for w in WAREHOUSES]}


def carriers(state: TemuSandbox, body: dict[str, Any], token: SandboxToken) -> Any:
    if body.get("regionId") in (None, ""):
        raise TemuFailure(120011001, "regionId is required")
    rows = [{"logisticsServiceProviderId": i, "logisticsServiceProviderName": n,
             "logisticsBrandName": b} for i, n, b in CARRIERS]  # fmt: skip
    container = state.carrier_container
    return rows if container == "array" else {container: rows}


def shipment_get(state: TemuSandbox, body: dict[str, Any], token: SandboxToken) -> Any:
    order = _order(state, body, 120012007, "The parentOrder or Order is invalid")
    if order.line(str(body.get("orderSn"))) is None:
        raise TemuFailure(120012016, "The parentOrder or Order is invalid")
    found = [
        s
        for s in state.shipments
        if s.parent_order_sn == order.parent_order_sn and s.order_sn == body["orderSn"]
    ]
    return {"shipmentInfoDTO": [
        {"carrierId": s.carrier_id, "carrierName": _carrier_name(s.carrier_id),
         "trackingNumber": s.tracking_number, "skuId": s.sku_id, "quantity": s.quantity,
         "packageSn": s.package_sn, "packageDeliveryType": 1, "trackingWarningLabel": 0,
         "subPackageShipmentInfoList": [{"carrierId": s.carrier_id, "trackingNumber": t}
                                        for t in s.sub_tracking]}
        for s in found]}  # fmt: skip


def list_item(order: SandboxOrder) -> dict[str, Any]:
    """An order as `pageItems[]` of bg.order.list.v2.get shows it."""
    parent = {
        "parentOrderSn": order.parent_order_sn, "parentOrderStatus": order.status,
        "parentOrderTime": order.created_at, "updateTime": order.updated_at,
        "expectShipLatestTime": order.ship_by, "latestDeliveryTime": order.deliver_by,
        "parentShippingTime": order.shipped_at, "regionId": order.region_id, "siteId": 100,
        "shippingMethod": order.shipping_method, "orderPaymentType": "PPD",
        "hasShippingFee": order.shipping_amount > 0, "fulfillmentWarning": list(order.warnings),
        "parentOrderLabel": [{"name": n, "value": int(n in order.labels)} for n in LABELS],
    }  # fmt: skip
    lines = [{
        "orderSn": line.order_sn, "goodsId": line.goods_id, "skuId": line.sku_id,
        "goodsName": line.goods_name, "originalGoodsName": line.goods_name, "spec": line.spec,
        "thumbUrl": line.thumb_url, "quantity": line.quantity,
        "originalOrderQuantity": line.quantity, "canceledQuantityBeforeShipment": 0,
        "orderStatus": line.status, "orderCreateTime": order.created_at,
        "orderShippingTime": line.shipped_at, "fulfillmentType": "fulfillBySeller",
        "inventoryDeductionWarehouseId": line.warehouse_id,
        "productList": [{"productSkuId": line.sku_id, "soldFactor": 1, "extCode": line.ext_code}],
    } for line in order.lines]  # fmt: skip
    return {"parentOrderMap": parent, "orderList": lines}


def _matching(state: TemuSandbox, body: dict[str, Any]) -> list[SandboxOrder]:
    start, end = body.get("updateAtStart"), body.get("updateAtEnd")
    if (start is None) != (end is None):
        raise TemuFailure(
            140020013, f"{'updateAtEnd' if end is None else 'updateAtStart'} not passed in"
        )
    status = _int(body, "parentOrderStatus", 0)
    wanted = set(body.get("parentOrderSnList") or [])
    return [
        o for o in state.orders.values()
        if (start is None or int(start) <= o.updated_at <= int(end))  # type: ignore[arg-type]
        and (status == 0 or o.status == status)
        and (not wanted or o.parent_order_sn in wanted)
    ]  # fmt: skip


def _order(state: TemuSandbox, body: dict[str, Any], code: int, message: str) -> SandboxOrder:
    order = state.orders.get(str(body.get("parentOrderSn")))
    if order is None:
        raise TemuFailure(code, message)
    return order


def _int(body: dict[str, Any], key: str, default: int) -> int:
    try:
        return int(body.get(key, default))
    except (TypeError, ValueError):
        raise TemuFailure(3000000, f"BAD_PARAMS: {key}") from None


def _carrier_name(carrier_id: int) -> str | None:
    return next((name for cid, name, _ in CARRIERS if cid == carrier_id), None)
