"""links.next paging: to the end, never in circles, never to another host, never forever."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import respx

from adapters.shipstation.v2 import ShipStationV2Api
from adapters.shipstation.v2.paging import walk
from domain.errors import UnexpectedAnswer
from tests.adapters.shipstation_v2.conftest import BASE, KEY, label_row, page


def labels_by_page(pages: dict[int, dict[str, Any]]):
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=pages[int(request.url.params.get("page", "1"))])

    return answer


class TestWalk:
    def test_every_page_is_read_until_next_is_empty(
        self, router: respx.Router, api: ShipStationV2Api
    ) -> None:
        pages = {
            1: page("labels", [label_row(1), label_row(2)], f"{BASE}/v2/labels?page=2"),
            2: page("labels", [label_row(3)], f"{BASE}/v2/labels?page=3"),
            3: page("labels", [label_row(4)]),
        }
        route = router.get("/v2/labels").mock(side_effect=labels_by_page(pages))
        read = list(api.labels(created_at_start="2026-03-01T00:00:00Z"))
        assert [len(p.rows) for p in read] == [2, 1, 1]
        assert [p.has_more for p in read] == [True, True, False]
        assert route.call_count == 3

    @pytest.mark.parametrize(
        "links", [None, {}, {"next": None}, {"next": {}}, {"next": {"href": ""}}]
    )
    def test_an_absent_null_or_empty_next_ends_the_walk(
        self, router: respx.Router, api: ShipStationV2Api, links: Any
    ) -> None:
        body = {"labels": [label_row(1)], "total": 1}
        if links is not None:
            body["links"] = links
        router.get("/v2/labels").respond(200, json=body)
        assert [len(p.rows) for p in api.labels()] == [1]

    def test_the_first_request_asks_for_100_a_page_at_most_oldest_first(
        self, router: respx.Router, make_api
    ) -> None:
        route = router.get("/v2/labels").respond(200, json=page("labels", []))
        list(make_api(page_size=500).labels(page_size=1000, label_status="completed"))
        params = route.calls.last.request.url.params
        assert params["page_size"] == "100" and params["sort_dir"] == "asc"
        assert params["label_status"] == "completed"

    def test_a_next_link_is_followed_as_given_with_whatever_page_size(
        self, router: respx.Router, api: ShipStationV2Api
    ) -> None:
        first = page("labels", [label_row(1)], f"{BASE}/v2/labels?page=2&page_size=37")
        route = router.get("/v2/labels").mock(
            side_effect=[
                httpx.Response(200, json=first),
                httpx.Response(200, json=page("labels", [])),
            ]
        )
        list(api.labels())
        assert str(route.calls[1].request.url) == f"{BASE}/v2/labels?page=2&page_size=37"

    def test_a_relative_next_link_stays_on_the_base(
        self, router: respx.Router, api: ShipStationV2Api
    ) -> None:
        first = page("labels", [label_row(1)], "/v2/labels?page=2")
        route = router.get("/v2/labels").mock(
            side_effect=[
                httpx.Response(200, json=first),
                httpx.Response(200, json=page("labels", [])),
            ]
        )
        list(api.labels())
        assert str(route.calls[1].request.url) == f"{BASE}/v2/labels?page=2"

    def test_a_next_link_that_repeats_a_page_stops_the_walk(
        self, router: respx.Router, api: ShipStationV2Api
    ) -> None:
        looping = page("labels", [label_row(1)], f"{BASE}/v2/labels?page=2")
        route = router.get("/v2/labels").respond(200, json=looping)
        with pytest.raises(UnexpectedAnswer, match="repeats a page"):
            list(api.labels())
        assert route.call_count == 2

    def test_a_walk_that_never_ends_is_stopped(self) -> None:
        def endless(target: str, params: Any) -> dict[str, Any]:
            number = int(httpx.URL(target).params.get("page", "1"))
            return page("labels", [label_row(number)], f"{BASE}/v2/labels?page={number + 1}")

        with pytest.raises(UnexpectedAnswer, match="past 5 pages"):
            list(walk(endless, "/v2/labels", None, "labels", BASE, max_pages=5))

    @pytest.mark.parametrize(
        "href", ["https://evil.example/v2/labels?page=2", "http://api.shipstation.com/v2/labels",
                 "https://api.shipstation.com:8443/v2/labels", "//evil.example/v2/labels"],
    )  # fmt: skip
    def test_a_next_link_to_another_host_is_not_followed(
        self, router: respx.Router, api: ShipStationV2Api, href: str
    ) -> None:
        router.get("/v2/labels").respond(200, json=page("labels", [label_row(1)], href))
        with pytest.raises(UnexpectedAnswer, match="leaves"):
            list(api.labels())

    @pytest.mark.parametrize(
        "body",
        [
            [],
            {"labels": "none"},
            {"total": 3},
            {"labels": [], "links": []},
            {"labels": [], "links": {"next": "page=2"}},
            {"labels": [], "links": {"next": {"href": 2}}},
        ],
        ids=["a-list", "rows-text", "no-rows", "links-list", "next-text", "href-number"],
    )
    def test_a_page_of_the_wrong_shape_fails_the_call(
        self, router: respx.Router, api: ShipStationV2Api, body: Any
    ) -> None:
        router.get("/v2/labels").respond(200, json=body)
        with pytest.raises(UnexpectedAnswer) as caught:
            list(api.labels())
        assert KEY not in str(caught.value)

    def test_an_empty_list_without_rows_but_a_zero_total_is_fine(
        self, router: respx.Router, api: ShipStationV2Api
    ) -> None:
        router.get("/v2/labels").respond(200, json={"total": 0, "links": {"next": {}}})
        assert [p.rows for p in api.labels()] == [()]

    def test_a_row_met_again_on_a_later_page_is_not_repeated(
        self, router: respx.Router, api: ShipStationV2Api
    ) -> None:
        pages = {
            1: page("labels", [label_row(1), label_row(2)], f"{BASE}/v2/labels?page=2"),
            2: page("labels", [label_row(2), label_row(3)]),
        }
        router.get("/v2/labels").mock(side_effect=labels_by_page(pages))
        ids = [r.label.shipment_id for p in api.labels() for r in p.rows]
        assert ids == ["5001", "5002", "5003"]
