"""Property: valid answers broken at random (keys dropped, values replaced by None, wrong types,
huge or odd strings, JSON text cut short, odd statuses and headers, dropped connections) make
the adapters' public methods return or raise one of the domain's own errors, nothing else,
and no error shows a secret."""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import respx
from corpus_support import (
    HUGE,
    SS_BASE,
    SS_KEY,
    SS_SECRET,
    TEMU_APP_KEY,
    TEMU_BASE,
    TEMU_SECRET,
    TEMU_TOKEN,
    WEIRD,
    FakeTime,
    FixedClock,
    amounts,
    carriers,
    confirm_result,
    envelope,
    no_secret_in,
    order_summary,
    page_item,
    payloads,
    results_for,
    shipment,
    shipping_info,
    ss_carriers,
    ss_page,
    stores,
    temu_ok,
    temu_page,
    temu_shipments,
    token_info,
    warehouses,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.shipstation import RateState, ShipStationClient
from adapters.temu import RateLimiter, TemuClient
from domain.errors import TemushipError
from domain.ports import ConfirmItem, ConfirmPackage, ShipmentRequest, TimeWindow
from domain.secrets import Secret
from domain.shop import ShipStationCredentials, TemuCredentials

PROPERTY = settings(
    max_examples=300,
    deadline=None,
    database=None,  # nothing written into the working tree
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
WINDOW = TimeWindow(datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 1, 2, tzinfo=UTC))
SINCE = datetime(2025, 3, 1, tzinfo=UTC)
ODD_TEXT = ["", " ", "null", "-1", "1e400", "2025-13-45T99:99:99", "PO-211-1", "<html>"]
VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from([*ODD_TEXT, HUGE[:20_000], WEIRD]),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
)
FAILURES = [httpx.ConnectError, httpx.ConnectTimeout, httpx.ReadTimeout, httpx.ReadError,
            httpx.RemoteProtocolError, httpx.DecodingError, httpx.PoolTimeout]  # fmt: skip
STATUSES = [200] * 12 + [204, 301, 400, 401, 403, 404, 408, 429, 500, 502, 503]
KINDS = ["application/json", "application/json; charset=utf-8", "text/html", "text/plain", None]
RATE_HEADERS = [{}, {"X-Rate-Limit-Limit": "40", "X-Rate-Limit-Remaining": "39",
                     "X-Rate-Limit-Reset": "30"},
                {"X-Rate-Limit-Remaining": "NaN", "X-Rate-Limit-Reset": "inf"},
                {"X-Rate-Limit-Remaining": "-1", "X-Rate-Limit-Reset": "-5", "Retry-After": "x"},
                {"X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Reset": "1e300"}]  # fmt: skip


def paths_of(doc: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    children = (
        doc.items() if isinstance(doc, dict) else enumerate(doc) if isinstance(doc, list) else ()
    )
    for key, value in children:
        yield from paths_of(value, (*prefix, key))


def apply(doc: Any, path: tuple[Any, ...], action: str, value: Any) -> Any:
    """`doc` with one change at `path`: the key dropped, the value replaced, or repeated."""
    if not path:
        return value
    holder = doc
    for part in path[:-1]:
        holder = holder[part]
    if action == "drop":
        del holder[path[-1]]
    elif action == "repeat" and isinstance(holder, list):
        holder.insert(path[-1], copy.deepcopy(holder[path[-1]]))
    else:
        holder[path[-1]] = value
    return doc


@st.composite
def mutated(draw: st.DrawFn, base: Any) -> Any:
    doc = copy.deepcopy(base)
    for _ in range(draw(st.integers(min_value=0, max_value=4))):
        path = draw(st.sampled_from(list(paths_of(doc))))
        action = draw(st.sampled_from(["drop", "replace", "replace", "repeat"]))
        doc = apply(doc, path, action, draw(VALUES))
    return doc


@dataclass(frozen=True)
class Answer:
    """What the server does: an HTTP answer (status, body, headers) or a failure to answer."""

    status: int
    body: bytes
    headers: dict[str, str]
    failure: type[Exception] | None = None

    def respond(self, request: httpx.Request) -> httpx.Response:
        if self.failure is not None:
            raise self.failure("simulated", request=request)  # type: ignore[call-arg]
        return httpx.Response(self.status, content=self.body, headers=self.headers)


@st.composite
def answers(draw: st.DrawFn, base: Any) -> Answer:
    text = json.dumps(draw(mutated(base)), ensure_ascii=draw(st.booleans()))
    if draw(st.integers(min_value=0, max_value=4)) == 0:
        text = text[: draw(st.integers(min_value=0, max_value=len(text)))]
    headers = dict(draw(st.sampled_from(RATE_HEADERS)))
    kind = draw(st.sampled_from(KINDS))
    if kind:
        headers["Content-Type"] = kind
    failure = draw(st.sampled_from(FAILURES)) if draw(st.integers(0, 9)) == 0 else None
    return Answer(draw(st.sampled_from(STATUSES)), text.encode(), headers, failure)


def assert_only_domain_errors(call: Callable[[], Any]) -> None:
    try:
        outcome = call()
    except TemushipError as error:
        assert no_secret_in(str(error)) and no_secret_in(repr(error.args))
        return
    except Exception as error:  # the property: nothing else escapes
        raise AssertionError(
            f"{type(error).__name__} escaped the adapter: {error!r}"[:500]
        ) from None
    values = outcome.values() if isinstance(outcome, dict) else ()
    for value in values:  # per-order results of ship_to / amounts_many
        assert not isinstance(value, Exception) or isinstance(value, TemushipError)


# --- Temu ------------------------------------------------------------------------------------

REQUEST = ShipmentRequest(
    (ConfirmPackage(1, "TRK1", "WH-1", (ConfirmItem("PO-211-1", "211-1", 1),)),)
)
PAGE = temu_page([page_item("PO-211-1"), page_item("PO-211-2")])
TEMU_CALLS: dict[str, tuple[Any, Callable[[TemuClient], Any]]] = {
    "list_orders": (PAGE, lambda c: c.list_orders(WINDOW, 1, page_size=2)),
    "iter_orders": (PAGE, lambda c: list(c.iter_orders(WINDOW, page_size=2))),
    "orders_by_sn": (PAGE, lambda c: c.orders_by_sn(["PO-211-1", "PO-211-2"])),
    "order_detail": (page_item(), lambda c: c.order_detail("PO-211-1")),
    "ship_to": (shipping_info(), lambda c: c.ship_to(["PO-211-1", "PO-211-2"])),
    "amounts_many": (amounts(), lambda c: c.amounts_many(["PO-211-1"])),
    "token_info": (token_info(), lambda c: c.token_info()),
    "carriers": (carriers(), lambda c: c.carriers(211)),
    "warehouses": (warehouses(), lambda c: c.warehouses()),
    "shipments": (temu_shipments(), lambda c: c.shipments("PO-211-1", "211-1")),
    "confirm_shipment": (confirm_result(), lambda c: c.confirm_shipment(REQUEST)),
}


def temu_client(http: httpx.Client) -> TemuClient:
    credentials = TemuCredentials(TEMU_APP_KEY, Secret(TEMU_SECRET), Secret(TEMU_TOKEN))
    client = TemuClient(
        credentials, http, clock=FixedClock(), sleep=lambda s: None, rate=10_000,
        jitter=random.Random(1).random,
    )  # fmt: skip
    client.transport.limiter = RateLimiter(10_000)
    return client


def first_page_only(answer: Answer) -> Callable[[httpx.Request], httpx.Response]:
    """The broken answer for page 1 (and every other call); an empty page 2 and after."""

    def respond(request: httpx.Request) -> httpx.Response:
        number = json.loads(request.content).get("pageNumber", 1)
        return answer.respond(request) if number == 1 else temu_ok(temu_page([], 0))

    return respond


@st.composite
def temu_cases(draw: st.DrawFn) -> tuple[str, Answer]:
    name = draw(st.sampled_from(sorted(TEMU_CALLS)))
    return name, draw(answers(envelope(TEMU_CALLS[name][0])))


@PROPERTY
@given(case=temu_cases())
def test_nothing_but_domain_errors_escape_the_temu_adapter(case: tuple[str, Answer]) -> None:
    name, answer = case
    router = respx.Router(base_url=TEMU_BASE, assert_all_called=False)
    router.post("/openapi/router").mock(side_effect=first_page_only(answer))
    with httpx.Client(transport=httpx.MockTransport(router.handler)) as http:
        client = temu_client(http)
        assert_only_domain_errors(lambda: TEMU_CALLS[name][1](client))


# --- ShipStation -----------------------------------------------------------------------------

SS_CALLS: dict[str, tuple[str, Any, Callable[[ShipStationClient], Any]]] = {
    "shipments_since": ("/shipments", ss_page([shipment(1), shipment(2)]),
                        lambda c: list(c.shipments_since(SINCE))),
    "voided_since": ("/shipments", ss_page([shipment(1), shipment(2)]),
                     lambda c: list(c.voided_since(SINCE))),
    "list_orders": ("/orders", ss_page([order_summary(7), order_summary(8)], key="orders"),
                    lambda c: list(c.list_orders(SINCE))),
    "stores": ("/stores", stores(), lambda c: c.stores()),
    "carriers": ("/carriers", ss_carriers(), lambda c: c.carriers()),
    "create_orders": ("/orders/createorders", results_for(payloads(2)),
                      lambda c: c.create_orders(payloads(2))),
}  # fmt: skip


def ss_client(router: respx.Router) -> ShipStationClient:
    time = FakeTime()
    return ShipStationClient(
        ShipStationCredentials(SS_KEY, Secret(SS_SECRET), store_id=123456), "shop-1",
        transport=httpx.MockTransport(router.handler), sleep=time.sleep,
        monotonic=time.monotonic, rng=random.Random(7), rate_state=RateState(), page_size=2,
    )  # fmt: skip


def ss_first_page_only(answer: Answer, key: str) -> Callable[[httpx.Request], httpx.Response]:
    def respond(request: httpx.Request) -> httpx.Response:
        if request.url.params.get("page", "1") == "1":
            return answer.respond(request)
        return httpx.Response(200, json=ss_page([], key))

    return respond


@st.composite
def ss_cases(draw: st.DrawFn) -> tuple[str, Answer]:
    name = draw(st.sampled_from(sorted(SS_CALLS)))
    return name, draw(answers(SS_CALLS[name][1]))


@PROPERTY
@given(case=ss_cases())
def test_nothing_but_domain_errors_escape_the_shipstation_adapter(case: tuple[str, Answer]) -> None:
    name, answer = case
    path, _, call = SS_CALLS[name]
    router = respx.Router(base_url=SS_BASE, assert_all_called=False)
    key = path.strip("/").split("/")[0]
    router.route(path=path).mock(side_effect=ss_first_page_only(answer, key))
    with ss_client(router) as client:
        assert_only_domain_errors(lambda: call(client))
