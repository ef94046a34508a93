"""What each call sends: Basic auth, the whole batch, Pacific query dates, paging."""

from __future__ import annotations

import base64
import json
from datetime import UTC, date, datetime

import httpx
import pytest
import respx

from adapters.sandbox.shipstation.demo import demo_orders
from adapters.shipstation import ShipStationClient
from domain.ports import OutgoingOrder
from tests.adapters.shipstation.conftest import KEY, SECRET, limit_headers


def ok_rows(request: httpx.Request) -> httpx.Response:
    sent = json.loads(request.content)
    rows = [{"orderId": 100 + i, "orderKey": p["orderKey"], "orderNumber": p["orderNumber"],
             "success": True, "errorMessage": None} for i, p in enumerate(sent)]  # fmt: skip
    return httpx.Response(200, json={"hasErrors": False, "results": rows}, headers=limit_headers())


def shipment(sid: int, items: list[dict] | None, **extra: object) -> dict:
    return {"shipmentId": sid, "orderKey": "temu-shop-1-PO-1", "orderNumber": "PO-1",
            "createDate": "2025-03-09T03:00:00.0000000", "shipDate": "2025-03-09",
            "trackingNumber": f"TRK{sid}", "carrierCode": "ups", "serviceCode": "ups_ground",
            "voided": False, "shipmentItems": items, **extra}  # fmt: skip


class TestCreateOrders:
    def test_sends_basic_auth_and_the_whole_orders(
        self, router: respx.Router, client: ShipStationClient
    ) -> None:
        route = router.post("/orders/createorders").mock(side_effect=ok_rows)
        payloads = [client.render(o) for o in demo_orders("shop-1", 3)]
        results = client.create_orders(payloads)
        request = route.calls.last.request
        expected = base64.b64encode(f"{KEY}:{SECRET}".encode()).decode()
        assert request.headers["Authorization"] == f"Basic {expected}"
        assert json.loads(request.content) == payloads
        assert [r.remote_id for r in results] == ["100", "101", "102"]
        assert all(r.success for r in results)

    def test_push_says_when_shipstation_took_the_orders_on_its_own_clock(
        self, router: respx.Router, client: ShipStationClient
    ) -> None:
        def answered(request: httpx.Request) -> httpx.Response:
            response = ok_rows(request)
            response.headers["Date"] = "Mon, 07 Dec 2026 10:15:42 GMT"
            return response

        router.post("/orders/createorders").mock(side_effect=answered)
        orders = demo_orders("shop-1", 2)
        sent = [OutgoingOrder(o.key, o.parent_order_sn, o.state, client.render(o)) for o in orders]
        results = client.push(sent)
        # The end of the second the Date names: a label bought within it came before.
        assert {r.at for r in results} == {datetime(2026, 12, 7, 10, 15, 43, tzinfo=UTC)}

    def test_250_orders_go_in_three_calls_of_at_most_100(
        self, router: respx.Router, client: ShipStationClient
    ) -> None:
        route = router.post("/orders/createorders").mock(side_effect=ok_rows)
        payloads = [client.render(o) for o in demo_orders("shop-1", 250)]
        results = client.create_orders(payloads)
        sizes = [len(json.loads(c.request.content)) for c in route.calls]
        assert sizes == [100, 100, 50]
        assert [r.order_key for r in results] == [p["orderKey"] for p in payloads]

    def test_a_failed_row_keeps_shipstations_message(
        self, router: respx.Router, client: ShipStationClient
    ) -> None:
        payloads = [client.render(o) for o in demo_orders("shop-1", 2)]
        rows = [
            {"orderId": 0, "orderKey": payloads[1]["orderKey"], "success": False,
             "errorMessage": "The order cannot be updated because it is not in an open status."},
            {"orderId": 5, "orderKey": payloads[0]["orderKey"], "success": True},
        ]  # fmt: skip
        router.post("/orders/createorders").respond(200, json={"hasErrors": True, "results": rows})
        first, second = client.create_orders(payloads)
        assert first.success and first.remote_id == "5"
        assert not second.success and "not in an open status" in (second.error or "")

    def test_a_payload_without_order_key_is_refused_before_sending(
        self, router: respx.Router, client: ShipStationClient
    ) -> None:
        route = router.post("/orders/createorders").mock(side_effect=ok_rows)
        with pytest.raises(ValueError, match="without orderKey"):
            client.create_orders([{"orderNumber": "X"}])
        assert not route.called


class TestReading:
    def test_shipments_query_is_pacific_with_items_sorted_ascending(
        self, router: respx.Router, client: ShipStationClient
    ) -> None:
        route = router.get("/shipments").respond(200, json={"shipments": [], "total": 0})
        list(client.shipments_since(datetime(2025, 3, 9, 10, 0, tzinfo=UTC)))
        params = dict(route.calls.last.request.url.params)
        assert params == {
            "createDateStart": "2025-03-09 03:00:00", "includeShipmentItems": "true",
            "sortBy": "CreateDate", "sortDir": "ASC", "page": "1", "pageSize": "500",
            "storeId": "123456",
        }  # fmt: skip

    def test_labels_map_to_domain_values(
        self, router: respx.Router, client: ShipStationClient
    ) -> None:
        items = [{"lineItemKey": "211-1", "quantity": 2}, {"lineItemKey": "211-2", "quantity": 1},
                 {"lineItemKey": "211-1", "quantity": 1}]  # fmt: skip
        body = {"shipments": [shipment(33974374, items, voided=True)], "total": 1, "pages": 1}
        router.get("/shipments").respond(200, json=body)
        (page,) = list(client.shipments_since(datetime(2025, 3, 1, tzinfo=UTC)))
        (label,) = page.labels
        assert label.shipment_id == "33974374" and label.voided
        assert label.created_at == datetime(2025, 3, 9, 10, 0, tzinfo=UTC)
        assert label.ship_date == date(2025, 3, 9)
        assert (label.tracking_number, label.carrier_code, label.service_code) == (
            "TRK33974374", "ups", "ups_ground",
        )  # fmt: skip
        assert [(ln.order_sn, ln.quantity) for ln in label.lines] == [("211-1", 3), ("211-2", 1)]
        assert (label.order_key, label.order_number) == ("temu-shop-1-PO-1", "PO-1")

    def test_items_without_line_item_key_are_set_aside_and_noted(
        self, router: respx.Router, client: ShipStationClient
    ) -> None:
        items = [{"lineItemKey": None, "sku": "MANUAL", "quantity": 1}]
        mixed = [{"lineItemKey": "211-1", "quantity": 1}, {"sku": "GIFT", "quantity": 1}]
        body = {"shipments": [shipment(1, items), shipment(2, mixed)], "total": 2}
        router.get("/shipments").respond(200, json=body)
        (page,) = list(client.shipments_since(datetime(2025, 3, 1, tzinfo=UTC)))
        # Nothing keyed: that shipment fails alone, with its reason; the keyed one is read.
        assert [label.shipment_id for label in page.labels] == ["2"]
        assert [(ln.order_sn, ln.quantity) for ln in page.labels[0].lines] == [("211-1", 1)]
        (failure,) = page.failures
        assert failure.key == "1" and "no item has a lineItemKey" in failure.reason
        assert [(f.key, f.reason) for f in client.read_failures] == [
            ("1", failure.reason.split(": ", 1)[1])
        ]
        assert [(u.shipment_id, u.sku) for u in client.unkeyed_items] == [
            ("1", "MANUAL"),
            ("2", "GIFT"),
        ]

    def test_paging_stops_on_a_short_page_whatever_pages_says(
        self, router: respx.Router, make_client
    ) -> None:
        client = make_client(page_size=2)
        pages = [
            {"shipments": [shipment(1, []), shipment(2, [])], "total": 99, "pages": 0},
            {"shipments": [shipment(3, [])], "total": 99, "pages": 0},
        ]
        route = router.get("/shipments").mock(
            side_effect=[httpx.Response(200, json=p) for p in pages]
        )
        result = list(client.shipments_since(datetime(2025, 3, 1, tzinfo=UTC)))
        assert [p.has_more for p in result] == [True, False]
        assert [c.request.url.params["page"] for c in route.calls] == ["1", "2"]

    def test_voided_labels_are_read_by_void_date(
        self, router: respx.Router, client: ShipStationClient
    ) -> None:
        route = router.get("/shipments").respond(200, json={"shipments": [], "total": 0})
        list(client.voided_since(datetime(2025, 7, 1, 12, 0, tzinfo=UTC)))
        assert route.calls.last.request.url.params["voidDateStart"] == "2025-07-01 05:00:00"

    def test_list_orders_reads_summaries_by_modify_date(
        self, router: respx.Router, client: ShipStationClient
    ) -> None:
        row = {"orderId": 7, "orderKey": "k", "orderNumber": "PO-7", "orderStatus": "shipped",
               "modifyDate": "2025-01-02T03:04:05.0000000"}  # fmt: skip
        route = router.get("/orders").respond(200, json={"orders": [row], "total": 1, "pages": 1})
        (page,) = list(client.list_orders(datetime(2025, 1, 1, tzinfo=UTC)))
        params = route.calls.last.request.url.params
        assert (params["modifyDateStart"], params["sortBy"]) == (
            "2024-12-31 16:00:00",
            "ModifyDate",
        )
        assert page[0].modified_at == datetime(2025, 1, 2, 11, 4, 5, tzinfo=UTC)
        assert (page[0].order_status, page[0].shipstation_order_id) == ("shipped", 7)

    def test_stores_and_carriers(self, router: respx.Router, client: ShipStationClient) -> None:
        router.get("/stores").respond(200, json=[
            {"storeId": 5, "storeName": "Temu", "marketplaceName": "ShipStation", "active": True}
        ])  # fmt: skip
        router.get("/carriers").respond(200, json=[{"name": "UPS", "code": "ups"}])
        assert [(s.store_id, s.name) for s in client.stores()] == [(5, "Temu")]
        assert [(c.code, c.name) for c in client.carriers()] == [("ups", "UPS")]

    def test_the_secret_never_shows_in_the_repr(self, client: ShipStationClient) -> None:
        assert SECRET not in repr(client) and "shop-1" in repr(client)
