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
# Every field of bg.order.shippinginfo.v2.get's result but `warning` (temu.md §5).
ADDRESS_FIELDS = (
    "receiptName", "receiptAdditionalName", "addressExtra", "mobile", "backupMobile", "mail",
    "regionName1", "regionName2", "regionName3", "regionName4", "addressLine1", "addressLine2",
    "addressLine3", "addressLineAll", "postCode", "taxCode", "taxCodeType",
)  # fmt: skip
EXTRA_FIELDS = ("firstName", "lastName", "additionalFirstName", "additionalLastName",
                "contactlessDropPoint")  # fmt: skip
EMPTY_ADDRESS = dict.fromkeys(ADDRESS_FIELDS)
# bg.order.list.v2.get windows (temu.md §4.2, §8): Unix seconds, closed, sent as a pair.
WINDOWS = (
    ("createAfter", "createBefore"),
    ("updateAtStart", "updateAtEnd"),
    ("expectShipLatestTimeStart", "expectShipLatestTimeEnd"),
    ("parentConfirmTimeStart", "parentConfirmTimeEnd"),
)
MAX_SECONDS = 9_999_999_999  # ten digits: a 13-digit millisecond stamp is refused
MAX_SNS = 20  # parentOrderSnList (temu.md §4.2)
PENDING_MINUTES = 30  # how long a sandbox order stays PENDING before Temu confirms it


def token_info(state: TemuSandbox, body: dict[str, Any], token: SandboxToken) -> Any:
    return {"mallId": token.mall_id, "regionId": token.region_id, "mallType": 1,
            "semiUniqueId": None, "expiredTime": token.expires_at,
            "apiScopeList": sorted(token.scopes), "appSubscribeStatus": 0,
            "appSubscribeEventCodeList": [], "authEventCodeList": []}  # fmt: skip


def order_list(state: TemuSandbox, body: dict[str, Any], token: SandboxToken) -> Any:
    page, size = _int(body, "pageNumber", 1), min(_int(body, "pageSize", 10), 100)
    if page < 1 or size < 1:
        raise TemuFailure(3000000, "BAD_PARAMS")
    # Descending by the chosen time (temu.md §4.2: sortby createTime, the default, or updateTime).
    by_update = body.get("sortby") == "updateTime"
    newest = lambda o: (-(o.updated_at if by_update else o.created_at), o.parent_order_sn)  # noqa: E731
    matches = sorted(_matching(state, body, token.mall_id), key=newest)
    chosen = matches[(page - 1) * size : page * size]
    state.listed_at = state.clock.seconds()
    return {"totalItemNum": len(matches), "pageItems": [list_item(o) for o in chosen]}


def order_detail(state: TemuSandbox, body: dict[str, Any], token: SandboxToken) -> Any:
    return list_item(_order(state, body, 140020002, "Order not found"))


def shipping_info(state: TemuSandbox, body: dict[str, Any], token: SandboxToken) -> Any:
    order = _order(state, body, 180020003, "Invalid param")
    warning = {"warning": {"isRestriction": False, "reason": None}}
    if order.status not in SHIPPABLE_ADDRESS_STATUSES or order.address is None:
        return {**EMPTY_ADDRESS, **warning}
    return {**full_address(order.address), **warning}


def full_address(address: dict[str, Any]) -> dict[str, Any]:
    """Every documented field, null when the order has none; addressLineAll = lines 1-3."""
    shown = {**EMPTY_ADDRESS, **{k: v for k, v in address.items() if k in ADDRESS_FIELDS}}
    extra = shown["addressExtra"]
    shown["addressExtra"] = {**dict.fromkeys(EXTRA_FIELDS), **extra} if extra else None
    if shown["addressLineAll"] is None:
        lines = [shown[f"addressLine{n}"] for n in (1, 2, 3)]
        shown["addressLineAll"] = " ".join(line for line in lines if line) or None
    return shown


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
        "parentConfirmTime": confirmed_at(order),
        "parentOrderPendingFinishTime": confirmed_at(order),
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


def _matching(state: TemuSandbox, body: dict[str, Any], mall_id: int) -> list[SandboxOrder]:
    windows = _windows(body)
    status = _int(body, "parentOrderStatus", 0)
    region = _int(body, "regionId", 0)
    wanted = set(_sn_list(body))
    return [
        o for o in state.orders.values()
        if all(start <= when <= end for when, (start, end) in _times(o, windows))
        and (status == 0 or o.status == status)
        and (not region or o.region_id == region)
        and (not wanted or o.parent_order_sn in wanted)
        and o.mall_id in (None, mall_id)
    ]  # fmt: skip


def _windows(body: dict[str, Any]) -> dict[str, tuple[int, int]]:
    """The windows asked for, by their start field: each a pair (140020013), in seconds
    (140020014); parentConfirmTimeEnd must come after its start (140020012)."""
    windows = {}
    for start_name, end_name in WINDOWS:
        start, end = body.get(start_name), body.get(end_name)
        if start is None and end is None:
            continue
        if start is None or end is None:
            missing = start_name if start is None else end_name
            raise TemuFailure(140020013, f"{missing} not passed in")
        pair = _int(body, start_name, 0), _int(body, end_name, 0)
        for name, value in zip((start_name, end_name), pair, strict=True):
            if value > MAX_SECONDS:
                raise TemuFailure(140020014, f"{name} requires a second level timestamp")
        if start_name == "parentConfirmTimeStart" and pair[1] <= pair[0]:
            raise TemuFailure(140020012, "parentConfirmTimeEnd must be after its start")
        windows[start_name] = pair
    return windows


def _times(order: SandboxOrder, windows: dict[str, tuple[int, int]]) -> list[tuple[int, Any]]:
    """(the order's time, the window) for each window asked; a missing time never matches."""
    times: dict[str, int | None] = {"createAfter": order.created_at,
             "updateAtStart": order.updated_at,
             "expectShipLatestTimeStart": order.ship_by,
             "parentConfirmTimeStart": confirmed_at(order)}  # fmt: skip
    return [(times[name] or -1, w) for name, w in windows.items()]


def confirmed_at(order: SandboxOrder) -> int | None:
    """When the order left PENDING (none while it is still pending)."""
    return None if order.status == 1 else order.created_at + PENDING_MINUTES * 60


def _sn_list(body: dict[str, Any]) -> list[str]:
    sns = body.get("parentOrderSnList")
    if sns is None:
        return []
    if not isinstance(sns, list):
        raise TemuFailure(3000000, "BAD_PARAMS: parentOrderSnList must be a list")
    if len(sns) > MAX_SNS:
        raise TemuFailure(3000000, f"BAD_PARAMS: parentOrderSnList holds at most {MAX_SNS}")
    return [str(sn) for sn in sns]


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
