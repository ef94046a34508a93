"""The ShipStation half of the bad-payload corpus: broken shipments, order rows and answers.

Each case names what is broken and what the adapter must make of it: the reason recorded
for that one shipment (or order), or the domain error of that one call.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import httpx
from corpus_support import (
    HUGE,
    SS_SECRET,
    WEIRD,
    AnswerCase,
    CutStream,
    changed,
    drop,
    nested,
    put,
    raising,
    reply,
    ss_page,
    text_response,
    truncated,
)

from adapters.shipstation.errors import ShipStationBadRequest
from domain.errors import (
    AuthenticationFailed,
    BusinessError,
    ConfigError,
    ConnectionLost,
    MalformedAnswer,
    TransientError,
    UnexpectedAnswer,
    Unreachable,
)
from domain.model import Label

I0 = ("shipmentItems", 0)


@dataclass(frozen=True)
class RowCase:
    """One broken `/shipments` row: `reason` (a fragment) is recorded, or `check` holds."""

    id: str
    mutate: Callable[[dict[str, Any]], Any]
    reason: str | None = None
    check: Callable[[Label], bool] | None = None


def unkeyed(order_key: Any = ...) -> Callable[[dict[str, Any]], Any]:
    """Every item without lineItemKey (and, if given, another orderKey)."""

    def mutate(row: dict[str, Any]) -> dict[str, Any]:
        row = changed(row, ("shipmentItems",), [{"sku": "MANUAL", "quantity": 1}])
        return row if order_key is ... else changed(row, ("orderKey",), order_key)

    return mutate


def foreign_key(row: dict[str, Any]) -> dict[str, Any]:
    return changed(row, ("orderKey",), "some-other-channel-991")


def half_keyed(row: dict[str, Any]) -> dict[str, Any]:
    return changed(row, (*I0, "lineItemKey"), None)


def same_key_twice(row: dict[str, Any]) -> dict[str, Any]:
    return changed(row, ("shipmentItems", 1, "lineItemKey"), row[I0[0]][0]["lineItemKey"])


SHIPMENT_FAILURES = [
    RowCase("row-null", put((), None), "a row is null, not a JSON object"),
    RowCase("row-string", put((), "33974374"), "a row is a string, not a JSON object"),
    RowCase("row-number", put((), 7), "a row is a number, not a JSON object"),
    RowCase("row-list", put((), [1]), "a row is a list, not a JSON object"),
    RowCase("shipmentId-missing", drop(("shipmentId",)), "shipmentId: Field required"),
    RowCase("shipmentId-null", put(("shipmentId",), None), "shipmentId: Input should be a valid"),
    RowCase("shipmentId-bool", put(("shipmentId",), True), "a boolean is not a key"),
    RowCase("shipmentId-empty", put(("shipmentId",), ""), "at least 1 character"),
    RowCase("shipmentId-huge", put(("shipmentId",), HUGE), "at most 64 characters"),
    RowCase("createDate-missing", drop(("createDate",)), "createDate: Field required"),
    RowCase("createDate-garbage", put(("createDate",), "yesterday"), "'yesterday' is not a date"),
    RowCase("createDate-number", put(("createDate",), 20250303), "createDate: Input should be"),
    RowCase("createDate-bad-month", put(("createDate",), "2025-13-45T00:00:00"), "not a date"),
    RowCase("createDate-overflow", put(("createDate",), "9999-12-31T23:59:59"), "not a date"),
    RowCase("createDate-huge", put(("createDate",), HUGE), "at most 64 characters"),
    RowCase("tracking-missing", drop(("trackingNumber",)), "trackingNumber: Field required"),
    RowCase("tracking-null", put(("trackingNumber",), None), "trackingNumber: Input should be"),
    RowCase("tracking-empty", put(("trackingNumber",), ""), "at least 1 character"),
    RowCase("tracking-blank", put(("trackingNumber",), "   "), "at least 1 character"),
    RowCase("tracking-huge", put(("trackingNumber",), HUGE), "at most 128 characters"),
    RowCase("carrier-missing", drop(("carrierCode",)), "carrierCode: Field required"),
    RowCase("carrier-null", put(("carrierCode",), None), "carrierCode: Input should be a valid"),
    RowCase("serviceCode-huge", put(("serviceCode",), HUGE), "serviceCode"),
    RowCase("voided-garbled", put(("voided",), "maybe"), "voided"),
    RowCase("items-null", put(("shipmentItems",), None), "shipmentItems is null"),
    RowCase("items-empty", put(("shipmentItems",), []), "shipmentItems is empty"),
    RowCase("items-string", put(("shipmentItems",), "MUG"), "shipmentItems: Input should be"),
    RowCase("items-object", put(("shipmentItems",), {"sku": "MUG"}), "valid list"),
    RowCase("item-not-object", put(I0, "MUG"), "shipmentItems.0: Input should be a valid"),
    RowCase("items-without-lineItemKey", unkeyed(), "no item has a lineItemKey"),
    RowCase("unknown-orderKey-unkeyed", unkeyed("manual-77"), "'manual-77' is not an order"),
    RowCase("orderKey-null-unkeyed", unkeyed(None), "orderKey '' is not an order temuship"),
    RowCase("quantity-zero", put((*I0, "quantity"), 0), "greater than 0"),
    RowCase("quantity-negative", put((*I0, "quantity"), -2), "greater than 0"),
    RowCase("quantity-missing", drop((*I0, "quantity")), "shipmentItems.0.quantity: Field requ"),
    RowCase("quantity-null", put((*I0, "quantity"), None), "quantity: Input should be a valid"),
    RowCase("quantity-text", put((*I0, "quantity"), "two"), "quantity: Input should be a valid"),
    RowCase("quantity-fraction", put((*I0, "quantity"), 1.5), "fractional part"),
    RowCase("quantity-bool", put((*I0, "quantity"), True), "a boolean is not a number"),
    RowCase("quantity-huge", put((*I0, "quantity"), 10**9), "less than or equal"),
    RowCase("lineItemKey-huge", put((*I0, "lineItemKey"), HUGE), "at most 64 characters"),
    RowCase("lineItemKey-bool", put((*I0, "lineItemKey"), False), "a boolean is not a key"),
    RowCase("lineItemKey-list", put((*I0, "lineItemKey"), ["211-1"]), "lineItemKey"),
]


def lines_of(label: Label) -> list[tuple[str, int]]:
    return [(line.order_sn, line.quantity) for line in label.lines]


SHIPMENTS_KEPT = [
    RowCase("unknown-orderKey-keyed", foreign_key,
            check=lambda lb: lb.order_key == "some-other-channel-991" and len(lb.lines) == 2),
    RowCase("orderKey-null-keyed", put(("orderKey",), None), check=lambda lb: lb.order_key is None),
    RowCase("lineItemKey-number", put((*I0, "lineItemKey"), 2113),
            check=lambda lb: lines_of(lb)[0] == ("2113", 2)),
    RowCase("some-items-unkeyed", half_keyed, check=lambda lb: lines_of(lb) == [("211-2-2", 1)]),
    RowCase("lineItemKey-twice", same_key_twice, check=lambda lb: lines_of(lb) == [("211-2-1", 3)]),
    RowCase("shipDate-garbage", put(("shipDate",), "soon"), check=lambda lb: lb.ship_date is None),
    RowCase("shipDate-null", put(("shipDate",), None), check=lambda lb: lb.ship_date is None),
    RowCase("shipDate-datetime", put(("shipDate",), "2025-03-03T00:00:00"),
            check=lambda lb: lb.ship_date == date(2025, 3, 3)),
    RowCase("voided-text", put(("voided",), "true"), check=lambda lb: lb.voided),
    RowCase("voided-null", put(("voided",), None), check=lambda lb: not lb.voided),
    RowCase("tracking-unicode", put(("trackingNumber",), WEIRD[:8]),
            check=lambda lb: lb.tracking_number == WEIRD[:8]),
    RowCase("tracking-number", put(("trackingNumber",), 9400111),
            check=lambda lb: lb.tracking_number == "9400111"),
    RowCase("createDate-with-offset", put(("createDate",), "2025-03-03T11:02:40Z"),
            check=lambda lb: lb.created_at == datetime(2025, 3, 3, 11, 2, 40, tzinfo=UTC)),
    RowCase("unknown-keys", put(("brandNew",), {"x": [1]}), check=lambda lb: len(lb.lines) == 2),
]  # fmt: skip


def json_answer(document: Any, status: int = 200) -> Callable[[httpx.Request], httpx.Response]:
    return reply(lambda: text_response(json.dumps(document), status, "application/json"))


def cut(error: type[httpx.TransportError]) -> Callable[[httpx.Request], httpx.Response]:
    return reply(lambda: httpx.Response(200, stream=CutStream(b'{"shipments": [{"shi', error)))


HTML = "<html><body><h1>503 Service Temporarily Unavailable</h1>cloudflare</body></html>"
CRASH = {"Message": "An error has occurred.", "ExceptionMessage": "Object reference not set"}
LEAK = f"Authorization: Basic Y29ycHVzOnNlY3JldA==\napi_secret={SS_SECRET}"
EMPTY = ss_page([])
URL = "https://ssapi.shipstation.com/shipments"

ANSWERS = [
    AnswerCase("html-200", reply(lambda: text_response(HTML, kind="text/html")), MalformedAnswer,
               True, "not JSON (text/html)"),
    AnswerCase("empty-200", reply(lambda: text_response("", kind="application/json")),
               MalformedAnswer, True, "empty answer"),
    AnswerCase("truncated-json", reply(lambda: text_response(truncated(ss_page([{"a": 1}])))),
               MalformedAnswer, True, "not JSON"),
    AnswerCase("deep-nesting", reply(lambda: text_response(nested())), MalformedAnswer, True),
    AnswerCase("invalid-utf8", reply(lambda: text_response(b'{"shipments": ["\xff"]}')),
               MalformedAnswer, True),
    AnswerCase("json-list", json_answer([]), UnexpectedAnswer, False, "must be a JSON object"),
    AnswerCase("json-null", json_answer(None), UnexpectedAnswer, False, "must be a JSON object"),
    AnswerCase("json-string", json_answer("ok"), UnexpectedAnswer, False, "must be a JSON object"),
    AnswerCase("no-shipments-key", json_answer({"total": 3, "page": 1}), UnexpectedAnswer, False,
               "has no list of shipments"),
    AnswerCase("shipments-object", json_answer({"shipments": {}, "total": 1}), UnexpectedAnswer,
               False, "has no list of shipments"),
    AnswerCase("shipments-null-none-left", json_answer({"shipments": None, "total": 0}), None),
    AnswerCase("http-500-html", reply(lambda: text_response(HTML, 500, "text/html")),
               TransientError, True, "503 Service Temporarily Unavailable"),
    AnswerCase("http-502-empty", reply(lambda: text_response("", 502)), TransientError, True),
    AnswerCase("http-500-crash", json_answer(CRASH, 500), TransientError, True,
               "Object reference not set"),
    AnswerCase("http-500-leaking-secrets", reply(lambda: text_response(LEAK, 500)),
               TransientError, True, "Authorization: ***"),
    AnswerCase("http-408", reply(lambda: text_response("", 408)), TransientError, True),
    AnswerCase("http-404", json_answer({"Message": "No HTTP resource"}, 404), BusinessError,
               False, "No HTTP resource"),
    AnswerCase("http-400-html", reply(lambda: text_response(HTML, 400)), ShipStationBadRequest),
    AnswerCase("http-403", reply(lambda: text_response("Forbidden", 403)), ConfigError, False,
               "HTTP 403"),
    AnswerCase("http-401", json_answer({"Message": "denied"}, 401), AuthenticationFailed),
    AnswerCase("http-302", reply(lambda: httpx.Response(302, headers={"Location": "/"})),
               BusinessError),
    AnswerCase("connect-error", raising(httpx.ConnectError), Unreachable, True,
               f"could not reach {URL}"),
    AnswerCase("connect-timeout", raising(httpx.ConnectTimeout), Unreachable, True, "timed out"),
    AnswerCase("read-timeout", raising(httpx.ReadTimeout), ConnectionLost, True,
               f"no complete answer from {URL}"),
    AnswerCase("remote-protocol-error", raising(httpx.RemoteProtocolError), ConnectionLost, True),
    AnswerCase("read-error-mid-body", cut(httpx.ReadError), ConnectionLost, True, "dropped"),
    AnswerCase("reset-mid-body", cut(httpx.RemoteProtocolError), ConnectionLost, True),
    AnswerCase("decoding-error", raising(httpx.DecodingError), MalformedAnswer, True),
    AnswerCase("unsupported-protocol", raising(httpx.UnsupportedProtocol), ConfigError),
    AnswerCase("json-as-text-html", reply(lambda: text_response(json.dumps(EMPTY), 200,
                                                                "text/html")), None),
]  # fmt: skip


@dataclass(frozen=True)
class PushCase:
    """A createorders answer for three orders: which orders fail, and with what reason."""

    id: str
    answer: Callable[[list[dict[str, Any]]], Any]
    failed: dict[int, str]  # position -> a fragment of its error


def rows_changed(position: int, **changes: Any) -> Callable[[list[dict[str, Any]]], Any]:
    def answer(sent: list[dict[str, Any]]) -> Any:
        rows = [{"orderId": 100 + n, "orderKey": p["orderKey"], "success": True}
                for n, p in enumerate(sent)]  # fmt: skip
        rows[position].update(changes)
        for key in [k for k, v in changes.items() if v is ...]:
            del rows[position][key]
        return {"hasErrors": True, "results": rows}

    return answer


def row_replaced(position: int, value: Any) -> Callable[[list[dict[str, Any]]], Any]:
    def answer(sent: list[dict[str, Any]]) -> Any:
        rows: list[Any] = [{"orderId": 100 + n, "orderKey": p["orderKey"], "success": True}
                           for n, p in enumerate(sent)]  # fmt: skip
        rows[position] = value
        return {"hasErrors": True, "results": rows}

    return answer


def shorter(sent: list[dict[str, Any]]) -> Any:
    return {"results": [{"orderId": 1, "orderKey": sent[0]["orderKey"], "success": True}]}


def stranger(sent: list[dict[str, Any]]) -> Any:
    rows = [{"orderId": 1, "orderKey": p["orderKey"], "success": True} for p in sent[:2]]
    return {"results": [*rows, {"orderId": 9, "orderKey": "temu-other-PO-9", "success": True}]}


ALL = {0: "no list of results", 1: "no list of results", 2: "no list of results"}
PUSHES = [
    PushCase("results-missing", lambda sent: {"hasErrors": False}, ALL),
    PushCase("results-null", lambda sent: {"hasErrors": False, "results": None}, ALL),
    PushCase("results-object", lambda sent: {"results": {"orderId": 1}}, ALL),
    PushCase("answer-list", lambda sent: [], ALL),
    PushCase("answer-null", lambda sent: None, ALL),
    PushCase("row-success-missing", rows_changed(1, success=...), {1: "no true/false success"}),
    PushCase("row-success-text", rows_changed(1, success="true"), {1: "no true/false success"}),
    PushCase("row-refused-huge-message", rows_changed(2, success=False, errorMessage=HUGE),
             {2: "HHHH"}),
    PushCase("row-refused-no-message", rows_changed(0, success=False, errorMessage=None),
             {0: "refused the order (no message)"}),
    PushCase("row-orderId-text", rows_changed(0, orderId="abc"), {}),
    PushCase("row-orderKey-list", rows_changed(1, orderKey=["k"]), {}),
    PushCase("row-not-object", row_replaced(2, "ok"), {2: "row for this order"}),
    PushCase("row-null", row_replaced(1, None), {1: "row for this order"}),
    PushCase("rows-missing", shorter, {1: "no row for this order", 2: "no row for this order"}),
    PushCase("row-for-another-order", stranger, {2: "no row for this order"}),
]  # fmt: skip


@dataclass(frozen=True)
class SummaryCase:
    id: str
    mutate: Callable[[dict[str, Any]], Any]
    reason: str


SUMMARIES = [
    SummaryCase("orderId-missing", drop(("orderId",)), "orderId: Field required"),
    SummaryCase("orderId-text", put(("orderId",), "abc"), "orderId: Input should be a valid"),
    SummaryCase("orderId-zero", put(("orderId",), 0), "greater than 0"),
    SummaryCase("modifyDate-garbage", put(("modifyDate",), "later"), "'later' is not a date"),
    SummaryCase("orderStatus-list", put(("orderStatus",), ["shipped"]), "orderStatus"),
    SummaryCase("order-row-string", put((), "PO-7"), "a row is a string"),
]


@dataclass(frozen=True)
class ListCase:
    id: str
    path: str  # "/stores" or "/carriers"
    answer: Any
    says: str | None  # the UnexpectedAnswer's reason; None when read


LISTS = [
    ListCase("stores-object", "/stores", {"storeId": 1}, "must be a list, not an object"),
    ListCase("stores-id-missing", "/stores", [{"storeName": "Temu"}], "storeId"),
    ListCase("stores-id-text", "/stores", [{"storeId": "Temu"}], "storeId"),
    ListCase("stores-null", "/stores", None, None),
    ListCase("carriers-code-null", "/carriers", [{"name": "UPS", "code": None}], "code"),
    ListCase("carriers-string", "/carriers", "ups", "must be a list, not a string"),
]
