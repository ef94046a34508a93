"""Helpers for the Temu adapter tests: temu.md §1.4's fictional credentials, canned answers."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx

BASE = "https://openapi-b-us.temu.com"
APP_KEY = "SIMAPPKEY0123456789abcdef0123456"
SECRET = "SIMSECRET0123456789abcdef0123456789abcdef"
TOKEN = "SIMTOKEN"
NOW = 1735689600


class FixedClock:
    def now(self) -> datetime:
        return datetime.fromtimestamp(NOW, UTC)


ADDRESS = {
    "receiptName": "José Müller",
    "mobile": "12015550123-4821",
    "mail": "x@g.shipping.temuemail.com",
    "regionName1": "United States",
    "regionName2": "NJ",
    "regionName3": "Jersey City",
    "addressLine1": "100 River Road",
    "addressLine2": "Apt 2601",
    "postCode": "07310",
}


def ok(result: Any) -> httpx.Response:
    return httpx.Response(
        200,
        json={
            "success": True,
            "requestId": "us-1",
            "errorCode": 1000000,
            "errorMsg": "",
            "result": result,
        },
    )


def fail(code: int, message: str = "refused") -> httpx.Response:
    return httpx.Response(
        200, json={"success": False, "requestId": "us-2", "errorCode": code, "errorMsg": message}
    )


def sent(call: Any) -> dict[str, Any]:
    """The JSON body of a recorded call, in the order it was sent."""
    return json.loads(call.request.content)


def by_type(answers: dict[str, Any]) -> Callable[[httpx.Request], httpx.Response]:
    """A side effect answering each API `type` from a table (a callable or a Response)."""

    def answer(request: httpx.Request) -> httpx.Response:
        reply = answers[json.loads(request.content)["type"]]
        return reply(request) if callable(reply) else reply

    return answer


def page_item(sn: str = "PO-211-03568242816633450", **parent: Any) -> dict[str, Any]:
    """A `pageItems[]` element shaped as temu.md §4.5's example."""
    return {
        "parentOrderMap": {
            "parentOrderSn": sn,
            "parentOrderStatus": 2,
            "parentOrderTime": 1735640000,
            "updateTime": 1735641800,
            "expectShipLatestTime": 1735862399,
            "latestDeliveryTime": 1736380799,
            "parentShippingTime": None,
            "regionId": 211,
            "siteId": 100,
            "shippingMethod": 1,
            "orderPaymentType": "PPD",
            "fulfillmentWarning": ["SUGGEST_SIGNATURE_ON_DELIVERY"],
            "parentOrderLabel": [{"name": "pending_buyer_cancellation", "value": 0}],
            **parent,
        },
        "orderList": [
            {
                "orderSn": "211-03568305731193450",
                "goodsId": 602368171198347,
                "skuId": 37386079732361,
                "goodsName": "Stainless Steel Water Bottle 500ml",
                "spec": "Color: Blue, Size: 500ml",
                "thumbUrl": "https://img.kwcdn.com/p.jpg",
                "quantity": 2,
                "orderStatus": 2,
                "inventoryDeductionWarehouseId": "WH-04024228864152414",
                "productList": [{"productSkuId": 22702488574, "extCode": "WB-500-BLU"}],
            }
        ],
    }


def page(items: list[Any], total: int | None = None) -> dict[str, Any]:
    return {"totalItemNum": len(items) if total is None else total, "pageItems": items}
