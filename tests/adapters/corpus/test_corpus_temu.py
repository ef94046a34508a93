"""Temu corpus: every broken order fails alone with its reason; every answer is classified."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from corpus_support import (
    no_secret_in,
    page_item,
    shipping_info,
    temu_ok,
    temu_page,
    warehouses,
)
from corpus_temu import (
    ANSWERS,
    NOT_OBJECTS,
    ORDER_FAILURES,
    ORDERS_KEPT,
    PAGES,
    RESULTS,
    AnswerCase,
    OrderCase,
    PageCase,
    ResultCase,
)

from adapters.temu import TemuClient
from domain.errors import UnexpectedAnswer, UnusableAnswer
from domain.model import Address
from domain.ports import ConfirmItem, ConfirmPackage, OrderReadFailure, ShipmentRequest, TimeWindow

WINDOW = TimeWindow(datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 1, 2, tzinfo=UTC))
GOOD = ["PO-211-00000000000000001", "PO-211-00000000000000002"]
BAD = "PO-211-00000000000000666"


def page_with(bad: Any) -> list[Any]:
    return [page_item(GOOD[0]), bad, page_item(GOOD[1])]


def sn_in(raw: Any) -> str | None:
    parent = raw.get("parentOrderMap") if isinstance(raw, dict) else None
    sn = parent.get("parentOrderSn") if isinstance(parent, dict) else None
    return sn if isinstance(sn, str) and 0 < len(sn) <= 64 else None


@pytest.mark.parametrize("case", ORDER_FAILURES + NOT_OBJECTS, ids=lambda c: c.id)
def test_a_broken_order_fails_alone_with_its_reason(
    case: OrderCase, temu: TemuClient, temu_router
) -> None:
    bad = case.mutate(page_item(BAD))
    temu_router.mock(return_value=temu_ok(temu_page(page_with(bad))))
    page = temu.list_orders(WINDOW, 1)
    assert [o.parent_order_sn for o in page.orders] == GOOD
    (failure,) = page.failures
    assert case.reason and case.reason in failure.reason
    assert failure.parent_order_sn == sn_in(bad)
    assert failure.raw == (bad if isinstance(bad, dict) else None)
    assert len(failure.reason) < 400


@pytest.mark.parametrize("case", ORDERS_KEPT, ids=lambda c: c.id)
def test_an_odd_but_readable_order_is_kept(case: OrderCase, temu: TemuClient, temu_router) -> None:
    temu_router.mock(return_value=temu_ok(temu_page(page_with(case.mutate(page_item(BAD))))))
    page = temu.list_orders(WINDOW, 1)
    assert page.failures == ()
    assert [o.parent_order_sn for o in page.orders] == [GOOD[0], BAD, GOOD[1]]
    assert case.check is not None and case.check(page.orders[1])


@pytest.mark.parametrize("case", PAGES, ids=lambda c: c.id)
def test_a_result_that_is_not_a_page_fails_the_call(
    case: PageCase, temu: TemuClient, temu_router
) -> None:
    temu_router.mock(return_value=temu_ok(case.result))
    if case.says is None:
        page = temu.list_orders(WINDOW, 1)
        assert page.orders == () and page.failures == () and not page.has_more
        return
    with pytest.raises(UnexpectedAnswer) as caught:
        temu.list_orders(WINDOW, 1)
    assert case.says in caught.value.reason and temu_router.call_count == 1


@pytest.mark.parametrize("case", ANSWERS, ids=lambda c: c.id)
def test_every_answer_is_classified(
    case: AnswerCase, temu: TemuClient, temu_router, sleeps: list[float]
) -> None:
    temu_router.mock(side_effect=case.answer)
    if case.error is None:
        assert [w.warehouse_id for w in temu.warehouses()] == ["WH-1"]
        return
    with pytest.raises(case.error) as caught:
        temu.warehouses()
    error = caught.value
    assert type(error) is case.error, f"{type(error).__name__}: {error}"
    assert case.says in str(error)
    assert no_secret_in(str(error)) and no_secret_in(repr(error.args))
    if isinstance(error, UnusableAnswer):
        assert len(error.excerpt) <= UnusableAnswer.EXCERPT_CHARS
    assert temu_router.call_count == (5 if case.retried else 1)
    # Four back-offs (a rate limit also holds the limiter off, which sleeps once more each).
    assert len(sleeps) >= 4 if case.retried else sleeps == []


RETRIED = [case for case in ANSWERS if case.retried]


@pytest.mark.parametrize("case", RETRIED, ids=lambda c: c.id)
def test_a_transient_answer_then_a_good_one_succeeds(
    case: AnswerCase, temu: TemuClient, temu_router
) -> None:
    answers = iter([case.answer, lambda request: temu_ok(warehouses())])
    temu_router.mock(side_effect=lambda request: next(answers)(request))
    assert [w.warehouse_id for w in temu.warehouses()] == ["WH-1"]
    assert temu_router.call_count == 2


REQUEST = ShipmentRequest((ConfirmPackage(1, "TRK1", "WH-1", (ConfirmItem(BAD, "211-1", 1),)),))
CALLS: dict[str, Callable[[TemuClient], Any]] = {
    "address": lambda client: client.address(BAD),
    "amounts": lambda client: client.amounts(BAD),
    "token_info": lambda client: client.token_info(),
    "carriers": lambda client: client.carriers(211),
    "warehouses": lambda client: client.warehouses(),
    "shipments": lambda client: client.shipments(BAD, "211-1"),
    "confirm": lambda client: client.confirm_shipment(REQUEST),
}


@pytest.mark.parametrize("case", RESULTS, ids=lambda c: c.id)
def test_a_result_of_the_wrong_shape_fails_that_call_once(
    case: ResultCase, temu: TemuClient, temu_router
) -> None:
    temu_router.mock(return_value=temu_ok(case.result))
    if case.error is None:
        CALLS[case.call](temu)
        return
    with pytest.raises(case.error) as caught:
        CALLS[case.call](temu)
    assert case.says in str(caught.value) and temu_router.call_count == 1


def by_sn(answers: dict[str, Any]) -> Callable[[httpx.Request], httpx.Response]:
    return lambda request: temu_ok(answers[json.loads(request.content)["parentOrderSn"]])


def test_a_bad_address_fails_only_its_order(temu: TemuClient, temu_router) -> None:
    answers = {GOOD[0]: shipping_info(), BAD: ["not", "an", "address"], GOOD[1]: None}
    temu_router.mock(side_effect=by_sn(answers))
    found = temu.ship_to([GOOD[0], BAD, GOOD[1]])
    assert isinstance(found[GOOD[0]], Address) and found[GOOD[1]] is None
    assert isinstance(found[BAD], UnexpectedAnswer) and "valid dictionary" in str(found[BAD])


def test_a_bad_amount_fails_only_its_order(temu: TemuClient, temu_router) -> None:
    broken = {"parentOrderMap": {"shippingAmountTotal": {"currency": 7, "amount": 1}}}
    temu_router.mock(side_effect=by_sn({GOOD[0]: {}, BAD: broken}))
    found = temu.amounts_many([GOOD[0], BAD])
    assert not isinstance(found[GOOD[0]], Exception)
    assert isinstance(found[BAD], UnexpectedAnswer) and "currency" in str(found[BAD])


def test_a_detail_that_is_not_an_order_is_a_read_failure(temu: TemuClient, temu_router) -> None:
    temu_router.mock(return_value=temu_ok("PO-211-1"))
    failure = temu.order_detail(BAD)
    assert isinstance(failure, OrderReadFailure) and "not a JSON object" in failure.reason


def test_an_order_repeated_on_one_page_is_read_once(temu: TemuClient, temu_router) -> None:
    items = [page_item(GOOD[0]), page_item(BAD), page_item(BAD), page_item(GOOD[1])]
    temu_router.mock(return_value=temu_ok(temu_page(items)))
    page = temu.list_orders(WINDOW, 1)
    assert [o.parent_order_sn for o in page.orders] == [GOOD[0], BAD, GOOD[1]]


def test_an_order_repeated_across_pages_is_handed_on_once(temu: TemuClient, temu_router) -> None:
    broken = page_item(GOOD[1])
    del broken["orderList"]
    pages = {
        1: [page_item(GOOD[0]), page_item(BAD)],
        2: [page_item(BAD), broken],  # BAD moved down a page; GOOD[1] cannot be read
        3: [page_item(GOOD[0]), page_item(GOOD[1])],  # GOOD[0] again; GOOD[1] readable now
    }
    temu_router.mock(
        side_effect=lambda r: temu_ok(temu_page(pages[json.loads(r.content)["pageNumber"]], 6))
    )
    walked = list(temu.iter_orders(WINDOW, page_size=2))
    assert [[o.parent_order_sn for o in p.orders] for p in walked] == [[GOOD[0], BAD], [], []]
    assert [f.parent_order_sn for p in walked for f in p.failures] == [GOOD[1]]
    assert temu_router.call_count == 3


def test_an_unknown_total_walks_on_while_pages_are_full(temu: TemuClient, temu_router) -> None:
    pages = {1: [page_item(GOOD[0]), page_item(BAD)], 2: [page_item(GOOD[1])]}
    temu_router.mock(
        side_effect=lambda r: temu_ok(temu_page(pages[json.loads(r.content)["pageNumber"]], "lots"))
    )
    walked = list(temu.iter_orders(WINDOW, page_size=2))
    assert [len(p.orders) for p in walked] == [2, 1] and not walked[-1].has_more


def test_the_corpus_has_at_least_sixty_kinds() -> None:
    kinds = ORDER_FAILURES + NOT_OBJECTS + ORDERS_KEPT + PAGES + ANSWERS + RESULTS
    ids = [case.id for case in kinds]
    assert len(ids) == len(set(ids)) and len(ids) >= 60
