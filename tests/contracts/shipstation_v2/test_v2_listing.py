"""GET /v2/shipments: filters, sorting and the paging links a client walks."""

from __future__ import annotations

from adapters.sandbox.shipstation.clock import VirtualClock
from tests.contracts.shipstation_v2.conftest import Api, errors_of, shipment


def made_minutes_apart(api: Api, clock: VirtualClock, count: int) -> list[dict]:
    made = []
    for n in range(count):
        made += api.create(shipment(100 + n))
        clock.advance(60)
    return made


class TestListing:
    def test_the_links_walk_every_page_once(self, api: Api, clock) -> None:
        made = made_minutes_apart(api, clock, 7)
        first = api.get("/v2/shipments", params={"page_size": 3, "sort_dir": "asc"}).json()
        assert (first["total"], first["page"], first["pages"]) == (7, 1, 3)
        assert first["links"]["prev"] == {}
        seen, page = [], first
        while True:
            seen += [s["shipment_id"] for s in page["shipments"]]
            if not page["links"]["next"]:
                break
            page = api.get(page["links"]["next"]["href"]).json()
        assert seen == [s["shipment_id"] for s in made]
        assert page["links"]["prev"]["href"].startswith("/v2/shipments?")
        assert "page=3" in first["links"]["last"]["href"]

    def test_the_default_is_newest_first(self, api: Api, clock) -> None:
        made = made_minutes_apart(api, clock, 3)
        listed = api.get("/v2/shipments").json()["shipments"]
        assert [s["shipment_id"] for s in listed] == [s["shipment_id"] for s in reversed(made)]

    def test_modified_at_window_and_sort_serve_an_incremental_sync(self, api: Api, clock) -> None:
        made = made_minutes_apart(api, clock, 4)
        watermark = made[2]["modified_at"]
        listed = api.get(
            "/v2/shipments",
            params={"modified_at_start": watermark, "sort_by": "modified_at", "sort_dir": "asc"},
        ).json()
        assert [s["shipment_id"] for s in listed["shipments"]] == [
            s["shipment_id"] for s in made[2:]
        ]
        ended = api.get("/v2/shipments", params={"created_at_end": made[0]["created_at"]})
        assert ended.json()["total"] == 1

    def test_equality_filters(self, api: Api, clock) -> None:
        made = made_minutes_apart(api, clock, 3)
        cancel = api.put(f"/v2/shipments/{made[1]['shipment_id']}/cancel")
        assert cancel.status_code == 204

        def total(**params: str) -> int:
            return int(api.get("/v2/shipments", params=params).json()["total"])

        assert total(shipment_status="cancelled") == 1
        assert total(shipment_status="pending") == 2
        assert total(store_id="123456") == total(store_id="se-123456") == 3
        assert total(store_id="se-1") == 0
        assert total(external_shipment_id=made[0]["external_shipment_id"]) == 1
        assert total(shipment_number="PO-000102") == 1
        assert total(ship_to_name="buyer one") == 3
        assert total(item_keyword="SKU-1") == 3

    def test_bad_filters_are_400s_naming_the_parameter(self, api: Api) -> None:
        for params, name in [
            ({"modified_at_start": "2025-03-03 10:00"}, "modified_at_start"),
            ({"shipment_status": "shipped"}, "shipment_status"),
            ({"sort_by": "name"}, "sort_by"),
            ({"page_size": "101"}, "page_size"),
            ({"page": "zero"}, "page"),
        ]:
            answer = api.get("/v2/shipments", params=params)
            assert answer.status_code == 400, params
            assert errors_of(answer)[0]["message"].startswith(name)
