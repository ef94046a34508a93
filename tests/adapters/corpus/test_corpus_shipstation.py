"""ShipStation corpus: every broken shipment or row fails alone; every answer is classified."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
import pytest
from corpus_shipstation import (
    ANSWERS,
    LISTS,
    PUSHES,
    SHIPMENT_FAILURES,
    SHIPMENTS_KEPT,
    SUMMARIES,
    AnswerCase,
    ListCase,
    PushCase,
    RowCase,
    SummaryCase,
)
from corpus_support import (
    FakeTime,
    no_secret_in,
    order_summary,
    payloads,
    results_for,
    shipment,
    ss_page,
)

from adapters.shipstation import ShipStationClient
from adapters.shipstation.reading import ReadFailure
from domain.errors import UnexpectedAnswer, UnusableAnswer
from domain.ports import LabelPage

SINCE = datetime(2025, 3, 1, tzinfo=UTC)


def read_one_page(client: ShipStationClient) -> LabelPage:
    (page,) = list(client.shipments_since(SINCE))
    assert isinstance(page, LabelPage)
    return page


def key_in(raw: object) -> str | None:
    sid = raw.get("shipmentId") if isinstance(raw, dict) else None
    if isinstance(sid, bool) or not isinstance(sid, int | str):
        return None
    return str(sid).strip() if 0 < len(str(sid).strip()) <= 64 else None


@pytest.mark.parametrize("case", SHIPMENT_FAILURES, ids=lambda c: c.id)
def test_a_broken_shipment_fails_alone_with_its_reason(
    case: RowCase, shipstation: ShipStationClient, ss_router
) -> None:
    bad = case.mutate(shipment(2))
    ss_router.get("/shipments").respond(200, json=ss_page([shipment(1), bad, shipment(3)]))
    page = read_one_page(shipstation)
    assert [label.shipment_id for label in page.labels] == ["1", "3"]
    (row,) = page.failures
    assert case.reason and case.reason in row.reason and row.key == key_in(bad)
    (failure,) = shipstation.read_failures  # the raw row is kept for a person
    assert (failure.what, failure.key) == ("shipment", key_in(bad))
    assert failure.raw == (bad if isinstance(bad, dict) else None)
    assert failure.reason in row.reason and len(row.reason) < 400


@pytest.mark.parametrize("case", SHIPMENTS_KEPT, ids=lambda c: c.id)
def test_an_odd_but_readable_shipment_is_kept(
    case: RowCase, shipstation: ShipStationClient, ss_router
) -> None:
    rows = [shipment(1), case.mutate(shipment(2)), shipment(3)]
    ss_router.get("/shipments").respond(200, json=ss_page(rows))
    page = read_one_page(shipstation)
    assert page.failures == () and [lb.shipment_id for lb in page.labels] == ["1", "2", "3"]
    assert case.check is not None and case.check(page.labels[1])


@pytest.mark.parametrize("case", ANSWERS, ids=lambda c: c.id)
def test_every_answer_is_classified(
    case: AnswerCase, shipstation: ShipStationClient, ss_router, fake_time: FakeTime
) -> None:
    route = ss_router.get("/shipments").mock(side_effect=case.answer)
    if case.error is None:
        assert read_one_page(shipstation).labels == ()
        return
    with pytest.raises(case.error) as caught:
        list(shipstation.shipments_since(SINCE))
    error = caught.value
    assert type(error) is case.error, f"{type(error).__name__}: {error}"
    assert case.says in str(error)
    assert no_secret_in(str(error)) and "Y29ycHVzOnNlY3JldA==" not in str(error)
    if isinstance(error, UnusableAnswer):
        assert len(error.excerpt) <= UnusableAnswer.EXCERPT_CHARS
    assert route.call_count == (4 if case.retried else 1)
    assert len(fake_time.sleeps) == (3 if case.retried else 0)


RETRIED = [case for case in ANSWERS if case.retried]


@pytest.mark.parametrize("case", RETRIED, ids=lambda c: c.id)
def test_a_transient_answer_then_a_good_one_succeeds(
    case: AnswerCase, shipstation: ShipStationClient, ss_router
) -> None:
    good = httpx.Response(200, json=ss_page([shipment(1)]))
    answers = iter([case.answer, lambda request: good])
    ss_router.get("/shipments").mock(side_effect=lambda request: next(answers)(request))
    assert [label.shipment_id for label in read_one_page(shipstation).labels] == ["1"]


@pytest.mark.parametrize("case", PUSHES, ids=lambda c: c.id)
def test_a_bad_createorders_row_fails_only_its_order(
    case: PushCase, shipstation: ShipStationClient, ss_router
) -> None:
    ss_router.post("/orders/createorders").mock(
        side_effect=lambda request: httpx.Response(
            200, text=json.dumps(case.answer(json.loads(request.content)))
        )
    )
    results = shipstation.create_orders(payloads(3))
    assert [r.order_key for r in results] == [p["orderKey"] for p in payloads(3)]
    failed = {n: r.error or "" for n, r in enumerate(results) if not r.success}
    assert set(failed) == set(case.failed)
    for position, fragment in case.failed.items():
        assert fragment in failed[position] and len(failed[position]) <= 800
    for result in results:
        assert result.remote_id is None or result.remote_id.isdigit()


def test_a_createorders_answer_that_cannot_be_read_is_retried_then_raised(
    shipstation: ShipStationClient, ss_router
) -> None:
    route = ss_router.post("/orders/createorders").respond(200, text="<html>oops</html>")
    with pytest.raises(UnusableAnswer, match="not JSON"):
        shipstation.create_orders(payloads(2))
    assert route.call_count == 4


def test_a_createorders_answer_cut_short_then_whole_succeeds(
    shipstation: ShipStationClient, ss_router
) -> None:
    answers = iter(["cut", "whole"])

    def answer(request: httpx.Request) -> httpx.Response:
        whole = json.dumps(results_for(json.loads(request.content)))
        return httpx.Response(200, text=whole[:40] if next(answers) == "cut" else whole)

    ss_router.post("/orders/createorders").mock(side_effect=answer)
    assert all(r.success for r in shipstation.create_orders(payloads(2)))


@pytest.mark.parametrize("case", SUMMARIES, ids=lambda c: c.id)
def test_a_bad_order_summary_fails_alone(
    case: SummaryCase, shipstation: ShipStationClient, ss_router
) -> None:
    rows = [order_summary(7), case.mutate(order_summary(8)), order_summary(9)]
    ss_router.get("/orders").respond(200, json=ss_page(rows, key="orders"))
    (page,) = list(shipstation.list_orders(SINCE))
    assert [s.shipstation_order_id for s in page] == [7, 9]
    (failure,) = shipstation.read_failures
    assert isinstance(failure, ReadFailure) and failure.what == "order"
    assert case.reason in failure.reason


@pytest.mark.parametrize("case", LISTS, ids=lambda c: c.id)
def test_a_store_or_carrier_list_of_the_wrong_shape_fails_the_call(
    case: ListCase, shipstation: ShipStationClient, ss_router
) -> None:
    route = ss_router.get(case.path).respond(200, text=json.dumps(case.answer))
    call = shipstation.stores if case.path == "/stores" else shipstation.carriers
    if case.says is None:
        assert call() == []
        return
    with pytest.raises(UnexpectedAnswer) as caught:
        call()
    assert case.says in str(caught.value) and route.call_count == 1


def test_a_shipment_repeated_across_pages_is_read_once(make_paged_client, ss_router) -> None:
    client = make_paged_client(page_size=2)
    pages = {"1": [shipment(1), shipment(2)], "2": [shipment(2), shipment(3)], "3": []}
    ss_router.get("/shipments").mock(
        side_effect=lambda r: httpx.Response(
            200, json=ss_page(pages[r.url.params["page"]], total=9)
        )
    )
    walked = list(client.shipments_since(SINCE))
    assert [[lb.shipment_id for lb in p.labels] for p in walked] == [["1", "2"], ["3"], []]


@pytest.mark.parametrize(
    ("headers", "waited"),
    [
        ({"X-Rate-Limit-Reset": "soon"}, 60.5),  # garbled: one whole V1 window
        ({"X-Rate-Limit-Reset": "1e12"}, 120.5),  # absurd: capped at two windows
        ({"X-Rate-Limit-Reset": "nan", "X-Rate-Limit-Remaining": "NaN"}, 60.5),
    ],
)
def test_garbled_rate_limit_headers_never_stall_or_crash(
    headers: dict[str, str], waited: float, shipstation: ShipStationClient, ss_router, fake_time
) -> None:
    limited = httpx.Response(429, json={"message": "Too Many Requests"}, headers=headers)
    ss_router.get("/stores").mock(side_effect=[limited, httpx.Response(200, json=[])])
    assert shipstation.stores() == []
    assert sum(fake_time.sleeps) == pytest.approx(waited)
