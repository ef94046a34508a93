"""Valid payloads to break, and the answers that break them, for the corpus and property tests.

The fictional Temu credentials are temu.md §1.4's; the ShipStation ones are made up. Every
builder returns a fresh object, so a case may mutate what it gets.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from tests.fakes import FakeTime as FakeTime  # the corpus clients' clock, as the adapter tests'

TEMU_BASE = "https://openapi-b-us.temu.com"
TEMU_URL = f"{TEMU_BASE}/openapi/router"
TEMU_APP_KEY = "SIMAPPKEY0123456789abcdef0123456"
TEMU_SECRET = "SIMSECRET0123456789abcdef0123456789abcdef"
TEMU_TOKEN = "SIMTOKEN-upl0123456789abcdefghijklmnopqrstuvwxyz0123456789ab"
SS_BASE = "https://ssapi.shipstation.com"
SS_KEY, SS_SECRET = "corpus-key-0001", "corpus-very-secret-value-9876"
SECRETS = (TEMU_SECRET, TEMU_TOKEN, SS_SECRET)
NOW = 1735689600
HUGE = "H" * 100_000
WEIRD = "\uff30\uff10-\U0001f9e8-\u202e-\x00-\u6f22\u5b57"  # full-width, emoji, RTL, NUL, CJK
OWN_KEY = "temu-shop-1-"  # the orderKey prefix of shop-1's orders


class FixedClock:
    def now(self) -> datetime:
        return datetime.fromtimestamp(NOW, UTC)


class CutStream(httpx.SyncByteStream):
    """A body that starts, then the connection drops (or resets) before it ends."""

    def __init__(self, head: bytes, error: type[httpx.TransportError] = httpx.ReadError) -> None:
        self.head, self.error = head, error

    def __iter__(self) -> Iterator[bytes]:
        yield self.head
        raise self.error("connection dropped mid-body")


# --- Temu ------------------------------------------------------------------------------------


def envelope(result: Any) -> dict[str, Any]:
    return {"success": True, "requestId": "us-1", "errorCode": 1000000, "errorMsg": "",
            "result": result}  # fmt: skip


def temu_ok(result: Any) -> httpx.Response:
    return httpx.Response(200, json=envelope(result))


def temu_fail(code: Any, message: str = "refused") -> httpx.Response:
    body = {"success": False, "requestId": "us-2", "errorCode": code, "errorMsg": message}
    return httpx.Response(200, json=body)


def page_item(sn: str = "PO-211-03568242816633450", line_sn: str | None = None) -> dict[str, Any]:
    """A `pageItems[]` element shaped as temu.md §4.5's example."""
    return {
        "parentOrderMap": {
            "parentOrderSn": sn, "parentOrderStatus": 2, "parentOrderTime": 1735640000,
            "updateTime": 1735641800, "expectShipLatestTime": 1735862399,
            "latestDeliveryTime": 1736380799, "parentShippingTime": None, "regionId": 211,
            "siteId": 100, "shippingMethod": 1, "orderPaymentType": "PPD",
            "fulfillmentWarning": ["SUGGEST_SIGNATURE_ON_DELIVERY"],
            "parentOrderLabel": [{"name": "pending_buyer_cancellation", "value": 0}],
        },
        "orderList": [
            {
                "orderSn": line_sn or f"{sn.removeprefix('PO-')}-1", "goodsId": 602368171198347,
                "skuId": 37386079732361, "goodsName": "Stainless Steel Water Bottle 500ml",
                "spec": "Color: Blue, Size: 500ml", "thumbUrl": "https://img.kwcdn.com/p.jpg",
                "quantity": 2, "orderStatus": 2,
                "inventoryDeductionWarehouseId": "WH-04024228864152414",
                "productList": [{"productSkuId": 22702488574, "extCode": "WB-500-BLU"}],
            }
        ],
    }  # fmt: skip


def temu_page(items: list[Any], total: Any = None) -> dict[str, Any]:
    return {"totalItemNum": len(items) if total is None else total, "pageItems": items}


def shipping_info() -> dict[str, Any]:
    return {
        "receiptName": "Jane Doe", "mobile": "12015550123-4821", "mail": "a1@g.temuemail.com",
        "regionName1": "United States", "regionName2": "NJ", "regionName3": "Jersey City",
        "addressLine1": "100 River Road", "addressLine2": "Apt 2601", "postCode": "07310",
        "addressExtra": {"firstName": "Jane", "lastName": "Doe"},
        "warning": {"isRestriction": False, "reason": None},
    }  # fmt: skip


def amounts() -> dict[str, Any]:
    return {
        "parentOrderMap": {"shippingAmountTotal": {"currency": "USD", "amount": 799}},
        "orderList": [{"orderSn": "211-1", "unitRetailPrice": {"currency": "USD", "amount": 1299}}],
    }


def token_info() -> dict[str, Any]:
    return {"mallId": 635517726820718, "regionId": 211, "expiredTime": 1743465600,
            "apiScopeList": ["bg.order.list.v2.get"]}  # fmt: skip


def carriers() -> list[dict[str, Any]]:
    return [
        {"logisticsServiceProviderId": 998264743, "logisticsServiceProviderName": "USPS"},
        {"logisticsServiceProviderId": 998264744, "logisticsServiceProviderName": "UPS"},
    ]


def warehouses() -> dict[str, Any]:
    return {"warehouseList": [{"warehouseId": "WH-1", "warehouseName": "NJ",
                               "defaultWarehouse": True}]}  # fmt: skip


def temu_shipments() -> dict[str, Any]:
    sub = {"carrierId": 998264743, "trackingNumber": "9400222"}
    row = {"carrierId": 998264743, "trackingNumber": "9400111899223344", "skuId": 1,
           "quantity": 1, "packageSn": "PK-1", "subPackageShipmentInfoList": [sub]}  # fmt: skip
    return {"shipmentInfoDTO": [row]}


def confirm_result() -> dict[str, Any]:
    return {"assistantAgreementText": None, "warningMessage": ["check the address"]}


# --- ShipStation -----------------------------------------------------------------------------


def shipment(sid: int = 1, **changes: Any) -> dict[str, Any]:
    """A `/shipments` row of shop-1 (api/shipstation.md §13.4), with two keyed items."""
    row = {
        "shipmentId": sid, "orderId": 140335319 + sid, "orderKey": f"{OWN_KEY}PO-{sid}",
        "orderNumber": f"PO-{sid}", "createDate": "2025-03-03T11:02:40.6270000",
        "shipDate": "2025-03-03", "shipmentCost": 5.41, "trackingNumber": f"9400111899{sid:04d}",
        "carrierCode": "stamps_com", "serviceCode": "usps_ground_advantage", "voided": False,
        "shipmentItems": [
            {"orderItemId": 1, "lineItemKey": f"211-{sid}-1", "sku": "MUG", "quantity": 2},
            {"orderItemId": 2, "lineItemKey": f"211-{sid}-2", "sku": "CUP", "quantity": 1},
        ],
    }  # fmt: skip
    row.update(changes)
    return row


def ss_page(rows: list[Any], key: str = "shipments", total: Any = None) -> dict[str, Any]:
    return {key: rows, "total": len(rows) if total is None else total, "page": 1, "pages": 1}


def order_summary(oid: int = 7, **changes: Any) -> dict[str, Any]:
    row = {"orderId": oid, "orderKey": f"{OWN_KEY}PO-{oid}", "orderNumber": f"PO-{oid}",
           "orderStatus": "shipped", "modifyDate": "2025-01-02T03:04:05.0000000"}  # fmt: skip
    row.update(changes)
    return row


def payloads(count: int = 3) -> list[dict[str, Any]]:
    return [{"orderKey": f"{OWN_KEY}PO-{n}", "orderNumber": f"PO-{n}"} for n in range(count)]


def results_for(sent: list[dict[str, Any]]) -> dict[str, Any]:
    rows = [{"orderId": 100 + n, "orderKey": p["orderKey"], "orderNumber": p["orderNumber"],
             "success": True, "errorMessage": None} for n, p in enumerate(sent)]  # fmt: skip
    return {"hasErrors": False, "results": rows}


def stores() -> list[dict[str, Any]]:
    return [{"storeId": 123456, "storeName": "Temu", "marketplaceName": "ShipStation",
             "active": True}]  # fmt: skip


def ss_carriers() -> list[dict[str, Any]]:
    return [{"name": "Stamps.com", "code": "stamps_com"}, {"name": "UPS", "code": "ups"}]


# --- mutation helpers ------------------------------------------------------------------------


def changed(base: Any, path: tuple[Any, ...], value: Any = ..., drop: bool = False) -> Any:
    """A deep copy of `base` with the value at `path` replaced (or its key dropped)."""
    doc = copy.deepcopy(base)
    if not path:
        return value
    holder = doc
    for part in path[:-1]:
        holder = holder[part]
    if drop:
        del holder[path[-1]]
    else:
        holder[path[-1]] = value
    return doc


def put(path: tuple[Any, ...], value: Any) -> Callable[[dict[str, Any]], Any]:
    """A case's mutation: the value at `path` replaced."""
    return lambda doc: changed(doc, path, value)


def drop(path: tuple[Any, ...]) -> Callable[[dict[str, Any]], Any]:
    """A case's mutation: the key at `path` dropped."""
    return lambda doc: changed(doc, path, drop=True)


def text_response(text: str | bytes, status: int = 200, kind: str | None = None) -> httpx.Response:
    headers = {"Content-Type": kind} if kind else {}
    content = text.encode() if isinstance(text, str) else text
    return httpx.Response(status, content=content, headers=headers)


def truncated(document: Any, keep: float = 0.6) -> str:
    text = json.dumps(document)
    return text[: int(len(text) * keep)]


def nested(depth: int = 100_000) -> str:
    return "[" * depth + "]" * depth


def no_secret_in(text: str) -> bool:
    return not any(secret in text for secret in SECRETS)


Mutation = Callable[[dict[str, Any]], Any]


# --- whole answers ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerCase:
    """One whole answer to a call: the error it must raise, and whether it was retried."""

    id: str
    answer: Callable[[httpx.Request], httpx.Response]
    error: type[Exception] | None
    retried: bool = False
    says: str = ""


def reply(response: Callable[[], httpx.Response]) -> Callable[[httpx.Request], httpx.Response]:
    return lambda request: response()


def raising(kind: type[Exception]) -> Callable[[httpx.Request], httpx.Response]:
    def answer(request: httpx.Request) -> httpx.Response:
        raise kind("simulated", request=request)  # type: ignore[call-arg]

    return answer
