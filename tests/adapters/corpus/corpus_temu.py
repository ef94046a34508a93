"""The Temu half of the bad-payload corpus: broken orders, pages, envelopes and answers.

Each case names what is broken and what the adapter must make of it: the reason recorded
for that one order, or the domain error of that one call (and whether it was retried).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from corpus_support import (
    HUGE,
    TEMU_SECRET,
    TEMU_TOKEN,
    TEMU_URL,
    WEIRD,
    AnswerCase,
    CutStream,
    changed,
    drop,
    envelope,
    nested,
    put,
    raising,
    reply,
    temu_fail,
    text_response,
    truncated,
    warehouses,
)

from domain.errors import (
    BusinessError,
    ConfigError,
    ConnectionLost,
    MalformedAnswer,
    RateLimited,
    TokenExpired,
    TokenRevoked,
    TransientError,
    UnexpectedAnswer,
    Unreachable,
)
from domain.model import TemuOrder

P = ("parentOrderMap",)
L = ("orderList", 0)


@dataclass(frozen=True)
class OrderCase:
    """One broken page item: `reason` (a fragment) is recorded for it, or `check` holds."""

    id: str
    mutate: Callable[[dict[str, Any]], Any]
    reason: str | None = None
    check: Callable[[TemuOrder], bool] | None = None


def twice_line(item: dict[str, Any]) -> dict[str, Any]:
    return changed(item, ("orderList",), [item["orderList"][0], dict(item["orderList"][0])])


ORDER_FAILURES = [
    OrderCase("no-parentOrderMap", drop(P), "field parentOrderMap: Field required"),
    OrderCase("parentOrderMap-null", put(P, None), "parentOrderMap: Input should be a valid dict"),
    OrderCase("parentOrderMap-list", put(P, []), "parentOrderMap: Input should be a valid dict"),
    OrderCase("no-parentOrderSn", drop((*P, "parentOrderSn")), "parentOrderSn: Field required"),
    OrderCase("parentOrderSn-null", put((*P, "parentOrderSn"), None), "valid string"),
    OrderCase("parentOrderSn-empty", put((*P, "parentOrderSn"), ""), "at least 1 character"),
    OrderCase("parentOrderSn-number", put((*P, "parentOrderSn"), 12345), "valid string"),
    OrderCase("parentOrderSn-huge", put((*P, "parentOrderSn"), HUGE), "at most 50 characters"),
    OrderCase("parentOrderSn-unicode", put((*P, "parentOrderSn"), WEIRD), "match pattern"),
    OrderCase("parentOrderSn-spaces", put((*P, "parentOrderSn"), "PO 211 1"), "match pattern"),
    OrderCase("status-missing", drop((*P, "parentOrderStatus")), "parentOrderStatus: Field requ"),
    OrderCase("status-text", put((*P, "parentOrderStatus"), "UN_SHIPPING"), "valid integer"),
    OrderCase("status-bool", put((*P, "parentOrderStatus"), True), "a boolean is not a number"),
    OrderCase("status-fraction", put((*P, "parentOrderStatus"), 2.5), "fractional part"),
    OrderCase("orderTime-missing", drop((*P, "parentOrderTime")), "parentOrderTime: Field requ"),
    OrderCase("updateTime-text", put((*P, "updateTime"), "yesterday"), "updateTime: Input should"),
    OrderCase("updateTime-negative", put((*P, "updateTime"), -5), "greater than or equal to 0"),
    OrderCase("updateTime-far-future", put((*P, "updateTime"), 10**20), "less than or equal"),
    OrderCase("shipBy-list", put((*P, "expectShipLatestTime"), [1]), "expectShipLatestTime"),
    OrderCase("regionId-text", put((*P, "regionId"), "US"), "field parentOrderMap.regionId"),
    OrderCase("shippingMethod-object", put((*P, "shippingMethod"), {}), "shippingMethod"),
    OrderCase("warnings-string", put((*P, "fulfillmentWarning"), "PICKUP"), "valid list"),
    OrderCase(
        "label-value-text",
        put((*P, "parentOrderLabel"), [{"name": "past_due", "value": "yes"}]),
        "parentOrderLabel.0.value",
    ),
    OrderCase("orderList-missing", drop(("orderList",)), "field orderList: Field required"),
    OrderCase("orderList-null", put(("orderList",), None), "orderList: Input should be a valid"),
    OrderCase("orderList-empty", put(("orderList",), []), "at least 1 item"),
    OrderCase("orderList-object", put(("orderList",), {"orderSn": "211-1"}), "valid list"),
    OrderCase("line-not-object", put(L, "211-1"), "orderList.0: Input should be a valid dict"),
    OrderCase("line-orderSn-missing", drop((*L, "orderSn")), "orderList.0.orderSn: Field requ"),
    OrderCase("line-orderSn-number", put((*L, "orderSn"), 211), "orderSn: Input should be a va"),
    OrderCase("line-orderSn-huge", put((*L, "orderSn"), HUGE), "at most 64 characters"),
    OrderCase("line-orderSn-unicode", put((*L, "orderSn"), WEIRD), "match pattern"),
    OrderCase("line-orderSn-twice", twice_line, "orderList repeats orderSn"),
    OrderCase("quantity-missing", drop((*L, "quantity")), "orderList.0.quantity: Field required"),
    OrderCase("quantity-null", put((*L, "quantity"), None), "quantity: Input should be a valid"),
    OrderCase("quantity-negative", put((*L, "quantity"), -1), "greater than or equal to 0"),
    OrderCase("quantity-fraction", put((*L, "quantity"), 1.5), "fractional part"),
    OrderCase("quantity-bool", put((*L, "quantity"), True), "a boolean is not a number"),
    OrderCase("quantity-text", put((*L, "quantity"), "two"), "quantity: Input should be a valid"),
    OrderCase("quantity-huge", put((*L, "quantity"), 10**12), "less than or equal to 1000000"),
    OrderCase("goodsName-missing", drop((*L, "goodsName")), "goodsName: Field required"),
    OrderCase("goodsName-null", put((*L, "goodsName"), None), "goodsName: Input should be a va"),
    OrderCase("goodsName-number", put((*L, "goodsName"), 5), "goodsName: Input should be a va"),
    OrderCase("goodsId-text", put((*L, "goodsId"), "abc"), "orderList.0.goodsId"),
    OrderCase("goodsId-negative", put((*L, "goodsId"), -1), "greater than or equal to 0"),
    OrderCase("goodsId-too-big", put((*L, "goodsId"), 2**64), "orderList.0.goodsId"),
    OrderCase("spec-number", put((*L, "spec"), 5), "orderList.0.spec"),
    OrderCase("productList-string", put((*L, "productList"), "WB"), "orderList.0.productList"),
    OrderCase("extCode-list", put((*L, "productList"), [{"extCode": [1]}]), "productList.0.ext"),
    OrderCase("line-status-text", put((*L, "orderStatus"), "shipped"), "orderList.0.orderStat"),
    OrderCase("thumbUrl-number", put((*L, "thumbUrl"), 7), "orderList.0.thumbUrl"),
]

NOT_OBJECTS = [
    OrderCase("item-null", put((), None), "page item is null, not a JSON object"),
    OrderCase("item-string", put((), "PO-211-BAD"), "page item is a string, not a JSON object"),
    OrderCase("item-number", put((), 42), "page item is a number, not a JSON object"),
    OrderCase("item-list", put((), []), "page item is a list, not a JSON object"),
]


def at(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


ORDERS_KEPT = [
    OrderCase("status-unknown", put((*P, "parentOrderStatus"), 99), check=lambda o: o.status == 99),
    OrderCase("status-negative", put((*P, "parentOrderStatus"), -1), check=lambda o: o.status < 0),
    OrderCase("quantity-zero", put((*L, "quantity"), 0), check=lambda o: o.lines[0].quantity == 0),
    OrderCase(
        "quantity-digits", put((*L, "quantity"), "3"), check=lambda o: o.lines[0].quantity == 3
    ),
    OrderCase(
        "updateTime-milliseconds",
        put((*P, "updateTime"), 1735641800123),
        check=lambda o: o.updated_at == at(1735641800),
    ),
    OrderCase(
        "shipBy-null", put((*P, "expectShipLatestTime"), None), check=lambda o: not o.ship_by
    ),
    OrderCase(
        "goodsName-huge", put((*L, "goodsName"), HUGE), check=lambda o: o.lines[0].name == HUGE
    ),
    OrderCase(
        "goodsName-unicode", put((*L, "goodsName"), WEIRD), check=lambda o: o.lines[0].name == WEIRD
    ),
    OrderCase("unknown-keys", put((*P, "brandNew"), {"x": [1]}), check=lambda o: o.status == 2),
    OrderCase("spec-null", put((*L, "spec"), None), check=lambda o: o.lines[0].options == ()),
    OrderCase(
        "productList-null", put((*L, "productList"), None), check=lambda o: not o.lines[0].sku
    ),
    OrderCase("regionId-null", put((*P, "regionId"), None), check=lambda o: o.region_id is None),
]


def json_text(document: Any) -> Callable[[httpx.Request], httpx.Response]:
    return reply(lambda: text_response(json.dumps(document), kind="application/json"))


def cut(error: type[httpx.TransportError]) -> Callable[[httpx.Request], httpx.Response]:
    return reply(lambda: httpx.Response(200, stream=CutStream(b'{"success": true, "re', error)))


HTML = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
ECHO = json.dumps({"access_token": TEMU_TOKEN, "app_secret": TEMU_SECRET, "sign": "ABCDEF"})
VALID = envelope(warehouses())

ANSWERS = [
    AnswerCase("html-200", reply(lambda: text_response(HTML, kind="text/html")), MalformedAnswer,
               True, "not JSON (text/html"),
    AnswerCase("empty-200", reply(lambda: text_response("", kind="application/json")),
               MalformedAnswer, True, "empty answer"),
    AnswerCase("blank-200", reply(lambda: text_response(" \n\t")), MalformedAnswer, True, "empty"),
    AnswerCase("truncated-json", reply(lambda: text_response(truncated(VALID))), MalformedAnswer,
               True, "not JSON"),
    AnswerCase("garbage-bytes", reply(lambda: text_response(b"\xff\xfe\x00\x81garbage")),
               MalformedAnswer, True, "not JSON"),
    AnswerCase("invalid-utf8-in-json", reply(lambda: text_response(b'{"success": 1, "x": "\xff"}')),
               MalformedAnswer, True, "not JSON"),
    AnswerCase("deep-nesting", reply(lambda: text_response(nested())), MalformedAnswer, True,
               "not JSON"),
    AnswerCase("html-as-text-plain", reply(lambda: text_response(HTML, kind="text/plain")),
               MalformedAnswer, True, "text/plain"),
    AnswerCase("envelope-in-a-list", json_text([VALID]), MalformedAnswer, True, "not a Temu env"),
    AnswerCase("json-string", json_text("ok"), MalformedAnswer, True, "not a Temu envelope"),
    AnswerCase("json-null", json_text(None), MalformedAnswer, True, "not a Temu envelope"),
    AnswerCase("json-number", json_text(42), MalformedAnswer, True, "not a Temu envelope"),
    AnswerCase("no-success-no-code", json_text({"result": warehouses()}), MalformedAnswer, True,
               "no success or errorCode"),
    AnswerCase("success-false-no-code", json_text({"success": False}), TransientError, True,
               "no message"),
    AnswerCase("errorCode-as-text", reply(lambda: temu_fail("3000034", "expired")), TokenExpired),
    AnswerCase("errorCode-bool", reply(lambda: temu_fail(True)), TransientError, True),
    AnswerCase("errorMsg-echoes-secrets",
               reply(lambda: temu_fail(3000031, f"token {TEMU_TOKEN} / {TEMU_SECRET}")),
               TokenRevoked, False, "token *** / ***"),
    AnswerCase("errorMsg-huge", reply(lambda: temu_fail(120014004, HUGE)), BusinessError),
    AnswerCase("http-500-html", reply(lambda: text_response("<h1>Internal Server Error</h1>", 500)),
               TransientError, True, "Internal Server Error"),
    AnswerCase("http-502-empty", reply(lambda: text_response("", 502)), TransientError, True,
               "HTTP 502"),
    AnswerCase("http-404", reply(lambda: text_response("not found", 404)), ConfigError, False,
               "check the region or base URL"),
    AnswerCase("http-400-echoing-secrets", reply(lambda: text_response(ECHO, 400)), ConfigError,
               False, '"access_token": ***'),
    AnswerCase("http-401-html", reply(lambda: text_response(HTML, 401)), TokenRevoked),
    AnswerCase("http-403", reply(lambda: text_response("forbidden", 403)), TokenRevoked),
    AnswerCase("http-408", reply(lambda: text_response("", 408)), TransientError, True),
    AnswerCase("http-429-garbled-retry-after",
               reply(lambda: httpx.Response(429, headers={"Retry-After": "soon"})),
               RateLimited, True),
    AnswerCase("http-301", reply(lambda: httpx.Response(301, headers={"Location": "/x"})),
               ConfigError),
    AnswerCase("connect-error", raising(httpx.ConnectError), Unreachable, True,
               f"could not reach {TEMU_URL}"),
    AnswerCase("connect-timeout", raising(httpx.ConnectTimeout), Unreachable, True,
               "could not reach"),
    AnswerCase("pool-timeout", raising(httpx.PoolTimeout), Unreachable, True, "could not reach"),
    AnswerCase("read-timeout", raising(httpx.ReadTimeout), ConnectionLost, True,
               f"no complete answer from {TEMU_URL}"),
    AnswerCase("write-timeout", raising(httpx.WriteTimeout), ConnectionLost, True),
    AnswerCase("remote-protocol-error", raising(httpx.RemoteProtocolError), ConnectionLost, True),
    AnswerCase("read-error-mid-body", cut(httpx.ReadError), ConnectionLost, True, "ReadError"),
    AnswerCase("reset-mid-body", cut(httpx.RemoteProtocolError), ConnectionLost, True),
    AnswerCase("decoding-error", raising(httpx.DecodingError), MalformedAnswer, True, "decoded"),
    AnswerCase("unsupported-protocol", raising(httpx.UnsupportedProtocol), ConfigError),
    AnswerCase("json-with-html-content-type",
               reply(lambda: text_response(json.dumps(VALID), kind="text/html")), None),
]  # fmt: skip


@dataclass(frozen=True)
class PageCase:
    """A `bg.order.list.v2.get` result that is not a page, or an odd one that still is."""

    id: str
    result: Any
    says: str | None  # the UnexpectedAnswer's reason; None when the page is read


PAGES = [
    PageCase("result-null", None, "a page must be an object, not null"),
    PageCase("result-list", [1, 2], "a page must be an object, not a list"),
    PageCase("result-string", "none", "a page must be an object, not a string"),
    PageCase("pageItems-missing", {"totalItemNum": 3}, "pageItems must be a list, not null"),
    PageCase("pageItems-object", {"totalItemNum": 1, "pageItems": {}}, "not an object"),
    PageCase("pageItems-string", {"totalItemNum": 1, "pageItems": "x"}, "not a string"),
    PageCase("pageItems-null-none-left", {"totalItemNum": 0, "pageItems": None}, None),
    PageCase("total-text", {"totalItemNum": "many", "pageItems": []}, None),
]


@dataclass(frozen=True)
class ResultCase:
    """A `success: true` answer whose `result` is of the wrong shape for its call."""

    id: str
    call: str  # a name in test_corpus_temu.CALLS
    result: Any
    error: type[Exception] | None  # None: read without error
    says: str = ""


RESULTS = [
    ResultCase("address-string", "address", "Jane Doe", UnexpectedAnswer, "valid dictionary"),
    ResultCase("address-postCode-number", "address", {"addressLine1": "1 A St", "postCode": 7310},
               UnexpectedAnswer, "field postCode"),
    ResultCase("address-name-list", "address", {"receiptName": ["Jane"]}, UnexpectedAnswer,
               "receiptName"),
    ResultCase("address-empty", "address", {}, None),
    ResultCase("address-null", "address", None, None),
    ResultCase("amounts-currency-garbled", "amounts",
               {"parentOrderMap": {"shippingAmountTotal": {"currency": "US Dollar", "amount": 1}}},
               UnexpectedAnswer, "currency"),
    ResultCase("amounts-amount-text", "amounts",
               {"orderList": [{"orderSn": "211-1", "unitRetailPrice":
                               {"currency": "USD", "amount": "7.99"}}]},
               UnexpectedAnswer, "amount"),
    ResultCase("amounts-orderList-null", "amounts", {"orderList": None}, None),
    ResultCase("amounts-list", "amounts", [], UnexpectedAnswer, "valid dictionary"),
    ResultCase("token-expiredTime-huge", "token_info", {"expiredTime": 10**30}, UnexpectedAnswer,
               "expiredTime"),
    ResultCase("token-result-missing", "token_info", None, UnexpectedAnswer, "valid dictionary"),
    ResultCase("token-scopes-string", "token_info", {"apiScopeList": "all"}, UnexpectedAnswer,
               "apiScopeList"),
    ResultCase("carriers-no-list", "carriers", {"foo": 1}, UnexpectedAnswer, "no list of carriers"),
    ResultCase("carriers-id-text", "carriers", [{"logisticsServiceProviderId": "USPS"}],
               UnexpectedAnswer, "logisticsServiceProviderId"),
    ResultCase("carriers-number", "carriers", 5, UnexpectedAnswer, "no list of carriers"),
    ResultCase("carriers-null", "carriers", None, None),
    ResultCase("warehouses-string", "warehouses", {"warehouseList": "WH-1"}, UnexpectedAnswer,
               "warehouseList must be a list"),
    ResultCase("warehouses-id-missing", "warehouses", {"warehouseList": [{"warehouseName": "NJ"}]},
               UnexpectedAnswer, "warehouseId"),
    ResultCase("shipments-number", "shipments", {"shipmentInfoDTO": 5}, UnexpectedAnswer,
               "shipmentInfoDTO must be a list"),
    ResultCase("shipments-tracking-missing", "shipments", {"shipmentInfoDTO": [{"carrierId": 1}]},
               UnexpectedAnswer, "trackingNumber"),
    ResultCase("confirm-warnings-number", "confirm", {"warningMessage": 5}, None),
    ResultCase("confirm-warnings-string", "confirm", {"warningMessage": "x"}, None),
    ResultCase("confirm-result-missing", "confirm", None, None),
]  # fmt: skip
