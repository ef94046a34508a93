"""Order pages: mapping to the domain, one bad order failing alone, walking every page."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
from temu_support import ADDRESS, ok, page, page_item

from domain.errors import TransientError
from domain.model import TemuOrder
from domain.ports import TimeWindow

WINDOW = TimeWindow(datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 1, 2, tzinfo=UTC))
NEXT = TimeWindow(WINDOW.end, datetime(2025, 1, 3, tzinfo=UTC))


class TestOrderMapping:
    def test_an_order_maps_to_the_domain(self, client, router) -> None:
        router.mock(return_value=ok(page([page_item()])))
        order = client.list_orders(WINDOW, 1).orders[0]
        assert order.parent_order_sn == "PO-211-03568242816633450"
        assert order.status == 2 and order.region_id == 211
        assert order.updated_at == datetime.fromtimestamp(1735641800, UTC)
        assert order.created_at == datetime.fromtimestamp(1735640000, UTC)
        assert order.ship_by == datetime.fromtimestamp(1735862399, UTC)
        assert order.deliver_by == datetime.fromtimestamp(1736380799, UTC)
        assert order.updated_at.tzinfo is UTC and order.pudo is None
        assert order.warnings == ("SUGGEST_SIGNATURE_ON_DELIVERY",)
        assert order.raw is not None and order.raw["parentOrderMap"]["siteId"] == 100

    def test_a_line_carries_name_options_image_quantity_and_status(self, client, router) -> None:
        router.mock(return_value=ok(page([page_item()])))
        (line,) = client.list_orders(WINDOW, 1).orders[0].lines
        assert (line.order_sn, line.name, line.quantity, line.status) == (
            "211-03568305731193450",
            "Stainless Steel Water Bottle 500ml",
            2,
            2,
        )
        assert line.options == (("Color", "Blue"), ("Size", "500ml"))
        assert line.image_url == "https://img.kwcdn.com/p.jpg" and line.sku == "WB-500-BLU"
        assert (line.goods_id, line.sku_id) == (602368171198347, 37386079732361)
        assert line.warehouse_id == "WH-04024228864152414"

    def test_store_delivery_and_pickup_become_pudo(self, client, router) -> None:
        items = [
            page_item(
                "PO-211-1", shippingMethod=3, fulfillmentWarning=["REQUIRES_CUSTOMER_PICKUP"]
            ),
            page_item("PO-211-2", shippingMethod=2, contactlessDropPoint="Locker 12"),
        ]
        router.mock(return_value=ok(page(items)))
        pickup, store = client.list_orders(WINDOW, 1).orders
        assert pickup.pudo.shipping_method == 3 and pickup.pudo.warnings == (
            "REQUIRES_CUSTOMER_PICKUP",
        )
        assert store.pudo.drop_point == "Locker 12" and store.pudo.is_pickup_or_dropoff

    def test_pending_labels_become_warnings(self, client, router) -> None:
        label = [{"name": "pending_buyer_cancellation", "value": 1}]
        router.mock(return_value=ok(page([page_item(parentOrderLabel=label)])))
        assert "pending_buyer_cancellation" in client.list_orders(WINDOW, 1).orders[0].warnings

    def test_without_a_window_the_update_pair_is_left_out(self, client, router) -> None:
        router.mock(return_value=ok(page([])))
        client.list_orders(None, 1)
        body = json.loads(router.calls.last.request.content)
        assert "updateAtStart" not in body and body["sortby"] == "updateTime"


class TestMalformedOrders:
    def test_a_missing_field_fails_that_order_only(self, client, router) -> None:
        bad = page_item("PO-211-BAD")
        del bad["orderList"][0]["quantity"]
        router.mock(return_value=ok(page([page_item("PO-211-GOOD"), bad])))
        result = client.list_orders(WINDOW, 1)
        assert [o.parent_order_sn for o in result.orders] == ["PO-211-GOOD"]
        (failure,) = result.failures
        assert failure.parent_order_sn == "PO-211-BAD"
        assert "PO-211-BAD" in failure.reason and "orderList.0.quantity" in failure.reason
        assert failure.raw == bad

    def test_a_garbled_field_fails_that_order_only(self, client, router) -> None:
        bad = page_item("PO-211-BAD", updateTime="yesterday")
        router.mock(return_value=ok(page([bad, page_item("PO-211-GOOD"), "not an object"])))
        result = client.list_orders(WINDOW, 1)
        assert len(result.orders) == 1 and len(result.failures) == 2
        assert "parentOrderMap.updateTime" in result.failures[0].reason

    def test_an_order_without_its_sn_is_reported_without_one(self, client, router) -> None:
        bad = page_item()
        del bad["parentOrderMap"]["parentOrderSn"]
        router.mock(return_value=ok(page([bad])))
        (failure,) = client.list_orders(WINDOW, 1).failures
        assert failure.parent_order_sn is None and "parentOrderSn" in failure.reason


class TestPaging:
    def test_has_more_follows_total_and_page_size(self, client, router) -> None:
        items = [page_item(f"PO-211-{n}") for n in range(3)]
        router.mock(return_value=ok(page(items, total=7)))
        first = client.list_orders(WINDOW, 1, page_size=3)
        assert first.has_more and first.total == 7 and first.page_number == 1
        assert not client.list_orders(WINDOW, 3, page_size=3).has_more

    def test_iterating_reads_every_page_once_and_drops_repeats(self, client, router) -> None:
        pages = {
            1: [page_item("PO-211-1"), page_item("PO-211-2")],
            2: [page_item("PO-211-2"), page_item("PO-211-3")],  # PO-211-2 moved down a page
            3: [page_item("PO-211-4")],
        }
        router.mock(
            side_effect=lambda req: ok(page(pages[json.loads(req.content)["pageNumber"]], 5))
        )
        seen = [
            o.parent_order_sn for p in client.iter_orders(WINDOW, page_size=2) for o in p.orders
        ]
        assert seen == ["PO-211-1", "PO-211-2", "PO-211-3", "PO-211-4"]
        assert router.call_count == 3

    def test_iterating_stops_when_the_total_is_reached(self, client, router) -> None:
        router.mock(return_value=ok(page([page_item("PO-211-1"), page_item("PO-211-2")], total=2)))
        assert len(list(client.iter_orders(WINDOW, page_size=2))) == 1


class TestLookahead:
    def test_the_next_page_is_read_while_the_caller_works_on_this_one(self, client, router):
        pages = {n: [page_item(f"PO-211-{n}")] for n in (1, 2, 3)}
        asked: list[int] = []

        def answer(request):
            number = json.loads(request.content)["pageNumber"]
            asked.append(number)
            return ok(page(pages[number], 3))

        router.mock(side_effect=answer)
        first = client.list_orders(WINDOW, 1, page_size=1)
        second = client.list_orders(WINDOW, 2, page_size=1)
        third = client.list_orders(WINDOW, 3, page_size=1)
        assert [p.orders[0].parent_order_sn for p in (first, second, third)] == [
            "PO-211-1",
            "PO-211-2",
            "PO-211-3",
        ]
        assert asked == [1, 2, 3] and client.lookahead.used == 2  # pages 2 and 3 read ahead

    def test_a_list_without_a_window_has_its_next_page_read_ahead_too(self, client, router):
        # A first sync reads each open status's orders of any age: no window, many pages.
        asked: list[tuple[int, int, bool]] = []

        def answer(request: httpx.Request) -> httpx.Response:
            body = json.loads(request.content)
            number = body["pageNumber"]
            asked.append((body["parentOrderStatus"], number, "updateAtStart" in body))
            return ok(page([page_item(f"PO-211-{number}")], 2))

        router.mock(side_effect=answer)
        first = client.list_orders(None, 1, status=2, page_size=1)
        second = client.list_orders(None, 2, status=2, page_size=1)
        assert [p.orders[0].parent_order_sn for p in (first, second)] == ["PO-211-1", "PO-211-2"]
        assert asked == [(2, 1, False), (2, 2, False)] and client.lookahead.used == 1

    def test_a_page_read_ahead_for_another_list_is_not_used(self, client, router) -> None:
        router.mock(side_effect=lambda req: ok(page([page_item("PO-211-1")], 5)))
        client.list_orders(WINDOW, 1, page_size=1)
        client.list_orders(WINDOW, 2, status=2, page_size=1)  # another list: read afresh
        assert client.lookahead.used == 0

    def by_window(self, asked: list[tuple[int, int]]) -> Any:
        def answer(request: httpx.Request) -> httpx.Response:
            body = json.loads(request.content)
            asked.append((body["updateAtEnd"], body["pageNumber"]))
            return ok(page([page_item(f"PO-211-{body['updateAtEnd']}")], 1))

        return answer

    def test_the_window_read_next_is_read_while_the_caller_works_on_this_ones_last_page(
        self, client, router
    ) -> None:
        asked: list[tuple[int, int]] = []
        router.mock(side_effect=self.by_window(asked))
        client.list_orders(WINDOW, 1, page_size=1, then=NEXT)  # its only page
        following = client.list_orders(NEXT, 1, page_size=1)
        end = int(NEXT.end.timestamp())
        assert following.orders[0].parent_order_sn == f"PO-211-{end}"
        assert asked == [(int(WINDOW.end.timestamp()), 1), (end, 1)]  # each read once
        assert client.lookahead.used == 1

    def test_a_window_named_but_not_read_next_is_not_used(self, client, router) -> None:
        asked: list[tuple[int, int]] = []
        router.mock(side_effect=self.by_window(asked))
        client.list_orders(WINDOW, 1, page_size=1, then=NEXT)
        wider = TimeWindow(NEXT.start, datetime(2025, 1, 6, tzinfo=UTC))  # this one was empty
        found = client.list_orders(wider, 1, page_size=1)
        assert found.orders[0].parent_order_sn == f"PO-211-{int(wider.end.timestamp())}"
        assert client.lookahead.used == 0  # read afresh, for its own window

    def test_a_read_ahead_that_failed_is_read_again_by_the_caller(self, client, router) -> None:
        answers = iter([ok(page([page_item("PO-211-1")], 2)), httpx.Response(400, text="no")])
        router.mock(side_effect=lambda req: next(answers, ok(page([page_item("PO-211-2")], 2))))
        client.list_orders(WINDOW, 1, page_size=1)
        again = client.list_orders(WINDOW, 2, page_size=1)
        assert again.orders[0].parent_order_sn == "PO-211-2" and client.lookahead.used == 0


class TestAddressesReadAhead:
    """Once the caller asked for nearly every address of a page (a first sync), the next
    page's addresses are read while it saves this one; otherwise none is read ahead."""

    def answer(self, calls: list[tuple[str, Any]]) -> Any:
        def respond(request: httpx.Request) -> httpx.Response:
            body = json.loads(request.content)
            calls.append((body["type"], body.get("pageNumber") or body.get("parentOrderSn")))
            if body["type"] == "bg.order.shippinginfo.v2.get":
                return ok(ADDRESS)
            number = body["pageNumber"]
            return ok(page([page_item(f"PO-211-{number}{i}") for i in range(2)], 6))

        return respond

    def test_the_next_pages_addresses_are_read_ahead_when_this_pages_were_wanted(
        self, client, router
    ) -> None:
        calls: list[tuple[str, Any]] = []
        router.mock(side_effect=self.answer(calls))
        first = client.list_orders(WINDOW, 1, page_size=2)
        client.ship_to([o.parent_order_sn for o in first.orders])  # every candidate wanted
        second = client.list_orders(WINDOW, 2, page_size=2)  # page 3's addresses: read ahead
        third = client.list_orders(WINDOW, 3, page_size=2)
        found = client.ship_to([o.parent_order_sn for o in third.orders])
        assert set(found) == {"PO-211-30", "PO-211-31"} and all(found.values())
        asked = [sn for kind, sn in calls if kind == "bg.order.shippinginfo.v2.get"]
        assert sorted(asked) == ["PO-211-10", "PO-211-11", "PO-211-30", "PO-211-31"]  # once each
        assert client.lookahead.addresses_used == 2  # page 3's: read ahead, taken as they were
        assert second.orders and client.lookahead.used == 2

    def test_nothing_is_read_ahead_when_the_caller_wanted_few_addresses(
        self, client, router
    ) -> None:
        calls: list[tuple[str, Any]] = []
        router.mock(side_effect=self.answer(calls))
        first = client.list_orders(WINDOW, 1, page_size=2)
        client.ship_to([first.orders[0].parent_order_sn][:0])  # none wanted: known already
        client.list_orders(WINDOW, 2, page_size=2)
        client.list_orders(WINDOW, 3, page_size=2)
        addresses = [c for c in calls if c[0] == "bg.order.shippinginfo.v2.get"]
        assert addresses == [] and client.lookahead.addresses_used == 0

    def test_on_a_span_the_statuses_asked_for_are_read_ahead_and_no_others(
        self, client, router
    ) -> None:
        """On an update-time span of a first sync the caller asks for the shipped orders never
        imported and not for the open ones imported already: page 2's shipped orders' addresses
        are read ahead with its list, the open ones' never."""
        calls: list[tuple[str, Any]] = []

        def respond(request: httpx.Request) -> httpx.Response:
            body = json.loads(request.content)
            calls.append((body["type"], body.get("pageNumber") or body.get("parentOrderSn")))
            if body["type"] == "bg.order.shippinginfo.v2.get":
                return ok(ADDRESS)
            n = body["pageNumber"]
            items = [page_item(f"PO-211-{n}{i}", parentOrderStatus=4 if i < 3 else 2)
                     for i in range(4)]  # fmt: skip
            return ok(page(items, 12))

        router.mock(side_effect=respond)
        first = client.list_orders(WINDOW, 1, page_size=4)
        client.ship_to([o.parent_order_sn for o in first.orders if o.status == 4])
        client.list_orders(WINDOW, 2, page_size=4)  # page 3 and its shipped orders: ahead
        third = client.list_orders(WINDOW, 3, page_size=4)
        found = client.ship_to([o.parent_order_sn for o in third.orders if o.status == 4])
        assert set(found) == {"PO-211-30", "PO-211-31", "PO-211-32"}
        asked = [sn for kind, sn in calls if kind == "bg.order.shippinginfo.v2.get"]
        assert sorted(asked) == ["PO-211-10", "PO-211-11", "PO-211-12",
                                 "PO-211-30", "PO-211-31", "PO-211-32"]  # fmt: skip
        assert client.lookahead.addresses_used == 3

    def test_one_pages_addresses_are_read_ahead_after_the_others(self, client, router) -> None:
        """Read together, the next page's addresses would slow those the caller waits for."""
        spans: dict[str, tuple[float, float]] = {}

        def respond(request: httpx.Request) -> httpx.Response:
            body = json.loads(request.content)
            if body["type"] == "bg.order.shippinginfo.v2.get":
                began = time.monotonic()
                time.sleep(0.02)
                spans[body["parentOrderSn"]] = (began, time.monotonic())
                return ok(ADDRESS)
            n = body["pageNumber"]
            return ok(page([page_item(f"PO-211-{n}{i}") for i in range(3)], 15))

        router.mock(side_effect=respond)
        first = client.list_orders(WINDOW, 1, page_size=3)
        client.ship_to([o.parent_order_sn for o in first.orders])  # page 2's list: ahead
        client.list_orders(WINDOW, 2, page_size=3)  # page 3 and its addresses: ahead
        third = client.list_orders(WINDOW, 3, page_size=3)  # page 4's: ahead, after page 3's
        assert all(client.ship_to([o.parent_order_sn for o in third.orders]).values())
        fourth = client.list_orders(WINDOW, 4, page_size=3)
        client.ship_to([o.parent_order_sn for o in fourth.orders])
        assert client.lookahead.addresses_used == 6  # pages 3 and 4: read ahead
        page_3 = [spans[f"PO-211-3{i}"] for i in range(3)]
        page_4 = [spans[f"PO-211-4{i}"] for i in range(3)]
        assert max(end for _, end in page_3) <= min(began for began, _ in page_4)


def test_a_status_is_read_ahead_when_nearly_all_its_orders_without_a_ship_to_were_asked():
    from adapters.temu.client import asked_statuses

    page = {f"s{i}": 4 for i in range(10)} | {f"o{i}": 2 for i in range(10)}
    assert asked_statuses(page, [f"s{i}" for i in range(8)]) == {4}  # 8 of 10: enough
    assert asked_statuses(page, [f"s{i}" for i in range(7)]) == frozenset()
    assert asked_statuses(page, list(page)) == {2, 4}
    assert asked_statuses(page, ["elsewhere"]) == frozenset()


class TestDetailAndAmounts:
    def test_order_detail_maps_like_the_list(self, client, router) -> None:
        router.mock(return_value=ok(page_item()))
        assert isinstance(client.order_detail("PO-211-03568242816633450"), TemuOrder)

    def test_amounts_are_minor_units(self, client, router) -> None:
        result = {
            "parentOrderMap": {"shippingAmountTotal": {"currency": "USD", "amount": 799}},
            "orderList": [
                {"orderSn": "211-1", "unitRetailPrice": {"currency": "USD", "amount": 1299}},
                {"orderSn": "211-2", "unitBasePrice": {"currency": "JPY", "amount": 1500}},
            ],
        }
        router.mock(return_value=ok(result))
        amounts = client.amounts("PO-211-1")
        assert amounts.shipping.amount == Decimal("7.99") and amounts.shipping.currency == "USD"
        assert amounts.unit_prices["211-1"].amount == Decimal("12.99")
        assert amounts.unit_prices["211-2"].amount == Decimal("1500")
        assert json.loads(router.calls.last.request.content)["parentOrderSn"] == "PO-211-1"

    def test_token_info_maps_expiry_mall_region_scopes(self, client, router) -> None:
        result = {
            "mallId": 635517726820718,
            "regionId": 211,
            "expiredTime": 1743465600,
            "apiScopeList": ["bg.order.list.v2.get"],
        }
        router.mock(return_value=ok(result))
        info = client.token_info()
        assert info.expires_at == datetime(2025, 4, 1, tzinfo=UTC)
        assert (info.mall_id, info.region_id) == (635517726820718, 211)
        assert info.scopes == frozenset({"bg.order.list.v2.get"})

    def test_token_info_without_expiry_says_none(self, client, router) -> None:
        router.mock(return_value=ok({"mallId": 1}))
        assert client.token_info().expires_at is None

    def test_an_answer_that_is_not_an_envelope_is_transient(self, client, router) -> None:
        router.mock(return_value=httpx.Response(200, json=["not", "an", "envelope"]))
        with pytest.raises(TransientError):
            client.token_info()
