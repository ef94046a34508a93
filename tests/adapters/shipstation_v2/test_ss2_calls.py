"""One test per call: the path, the body, what comes back."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import httpx
import pytest
import respx

from adapters.shipstation.v2 import (
    RESTORE_PATH,
    NotFound,
    OutcomeUnknown,
    ShipStationV2Api,
    V2BusinessError,
)
from domain.errors import InvalidPayload, UnexpectedAnswer
from tests.adapters.shipstation_v2.conftest import (
    BASE,
    KEY,
    error_body,
    label_row,
    page,
    shipment_row,
)


class TestShipments:
    def test_get_shipment_asks_by_the_v2_id_of_a_stored_one(
        self, router: respx.Router, api: ShipStationV2Api
    ) -> None:
        router.get("/v2/shipments/se-1001").respond(200, json=shipment_row(1))
        found = api.get_shipment("1001")
        assert (found.shipment_id, found.remote_id) == ("se-1001", "1001")

    def test_find_shipment_by_external_id_or_none(
        self, router: respx.Router, api: ShipStationV2Api
    ) -> None:
        router.get("/v2/shipments/external_shipment_id/temu-shop-1-PO-1").respond(
            200, json=shipment_row(1)
        )
        router.get("/v2/shipments/external_shipment_id/temu-shop-1-PO-2").respond(
            404, json=error_body("invalid_identifier", "not found")
        )
        found = api.find_shipment("temu-shop-1-PO-1")
        assert found is not None and found.external_shipment_id == "temu-shop-1-PO-1"
        assert api.find_shipment("temu-shop-1-PO-2") is None

    def test_find_shipment_escapes_the_id_in_the_path(
        self, router: respx.Router, api: ShipStationV2Api
    ) -> None:
        route = router.route(method="GET").respond(404, json=error_body())
        api.find_shipment("a/b?c")
        assert (
            route.calls.last.request.url.raw_path == b"/v2/shipments/external_shipment_id/a%2Fb%3Fc"
        )

    def test_a_found_shipment_that_cannot_be_read_fails_the_call(
        self, router: respx.Router, api: ShipStationV2Api
    ) -> None:
        router.get("/v2/shipments/se-1001").respond(200, json={"shipment_id": "se-1001"})
        with pytest.raises(UnexpectedAnswer, match="shipment_status"):
            api.get_shipment("1001")

    def test_update_puts_the_body_and_reads_the_answer_when_there_is_one(
        self, router: respx.Router, api: ShipStationV2Api
    ) -> None:
        route = router.put("/v2/shipments/se-1001").mock(
            side_effect=[httpx.Response(200, json=shipment_row(1)), httpx.Response(204)]
        )
        body = {"ship_to": {"name": "B"}, "warehouse_id": "se-5"}
        updated = api.update_shipment("1001", body)
        assert updated is not None and updated.shipment_id == "se-1001"
        assert api.update_shipment("1001", body) is None
        assert json.loads(route.calls.last.request.content) == body

    def test_cancel_hold_and_restore_use_their_endpoints(
        self, router: respx.Router, api: ShipStationV2Api
    ) -> None:
        cancel = router.put("/v2/shipments/se-1001/cancel").respond(204)
        hold = router.put("/v2/shipments/se-1001/hold").respond(200, content=b"")
        restore = router.put(RESTORE_PATH.format(shipment_id="se-1001")).respond(204)
        # An empty 200 (not a 204) is checked: the shipment must show the status.
        held = router.get("/v2/shipments/se-1001").respond(
            200, json=shipment_row(1, shipment_status="on_hold")
        )
        api.cancel_shipment("1001")
        api.hold_shipment("1001", date(2026, 3, 9))
        api.restore_shipment("se-1001")
        assert cancel.called and restore.called and held.call_count == 1
        assert json.loads(hold.calls.last.request.content) == {"hold_until_date": "2026-03-09"}

    def test_a_status_change_refused_says_why(
        self, router: respx.Router, api: ShipStationV2Api
    ) -> None:
        router.put("/v2/shipments/se-1001/restore").respond(
            400, json=error_body("invalid_status", "not on hold", "req-h")
        )
        with pytest.raises(V2BusinessError) as caught:
            api.restore_shipment("1001")
        assert caught.value.error_code == "invalid_status"
        assert "request_id req-h" in str(caught.value)

    def test_shipments_by_modification_time_oldest_first(
        self, router: respx.Router, api: ShipStationV2Api
    ) -> None:
        route = router.get("/v2/shipments").respond(
            200, json=page("shipments", [shipment_row(1), {"shipment_id": 5}])
        )
        since = datetime(2026, 3, 1, 9, 0, 0, 123456, tzinfo=UTC)
        (read,) = api.shipments(modified_at_start=since, sort_by="modified_at")
        params = route.calls.last.request.url.params
        assert params["modified_at_start"] == "2026-03-01T09:00:00Z"
        assert (params["sort_by"], params["sort_dir"]) == ("modified_at", "asc")
        assert [s.shipment_id for s in read.rows] == ["se-1001"]
        assert [f.key for f in read.failures] == [None]


class TestLabelsAndFulfillments:
    def test_get_label_by_its_stored_id(self, router: respx.Router, api: ShipStationV2Api) -> None:
        router.get("/v2/labels/se-5001").respond(200, json=label_row(1))
        read = api.get_label("5001")
        assert (read.label.shipment_id, read.shipment_id) == ("5001", "se-1001")

    def test_fulfillments_give_a_result_per_shipment(
        self, router: respx.Router, api: ShipStationV2Api
    ) -> None:
        rows = [
            {"shipment_id": "se-1", "fulfillment_id": "se-71", "errors": []},
            {"shipment_id": "se-2", "errors": ["shipment is cancelled"]},
        ]
        route = router.post("/v2/fulfillments").respond(
            200, json={"has_errors": True, "fulfillments": rows}
        )
        sent = [
            {"shipment_id": "se-1", "tracking_number": "1Z1", "carrier_code": "ups"},
            {"shipment_id": "se-2", "tracking_number": "1Z2", "carrier_code": "ups"},
        ]
        answer = api.create_fulfillments(sent)
        assert [(r.remote_id, r.errors) for r in answer.results] == [
            ("se-71", ()),
            (None, ("shipment is cancelled",)),
        ]
        assert json.loads(route.calls.last.request.content) == {"fulfillments": sent}

    def test_a_fulfillment_batch_refused_whole_is_not_resent_one_by_one(
        self, router: respx.Router, api: ShipStationV2Api
    ) -> None:
        route = router.post("/v2/fulfillments").respond(400, json=error_body("invalid_status"))
        sent = [{"shipment_id": "se-1"}, {"shipment_id": "se-2"}]
        answer = api.create_fulfillments(sent)
        assert route.call_count == 1
        assert [r.error_code for r in answer.results] == ["invalid_status"] * 2

    def test_a_fulfillment_whose_answer_was_lost_is_in_doubt(
        self, router: respx.Router, api: ShipStationV2Api
    ) -> None:
        route = router.post("/v2/fulfillments").mock(side_effect=httpx.ReadTimeout("x"))
        (result,) = api.create_fulfillments([{"shipment_id": "se-1"}]).results
        assert result.in_doubt and route.call_count == 1


class TestAccount:
    def test_warehouses(self, router: respx.Router, api: ShipStationV2Api) -> None:
        rows = [
            {"warehouse_id": "se-5", "name": "Main", "is_default": True},
            {"warehouse_id": "se-6", "name": "Overflow", "is_default": False},
        ]
        router.get("/v2/warehouses").respond(200, json={"warehouses": rows})
        assert [(w.warehouse_id, w.name, w.is_default) for w in api.warehouses()] == [
            ("se-5", "Main", True),
            ("se-6", "Overflow", False),
        ]

    def test_carriers_map_to_domain_carriers_by_code(
        self, router: respx.Router, api: ShipStationV2Api
    ) -> None:
        rows = [
            {"carrier_id": "se-11", "carrier_code": "stamps_com", "friendly_name": "USPS"},
            {"carrier_id": "se-12", "carrier_code": "ups", "nickname": "UPS account"},
        ]
        router.get("/v2/carriers").respond(200, json={"carriers": rows})
        carriers = api.carriers()
        assert [(c.carrier_id, c.carrier.code, c.carrier.name) for c in carriers] == [
            ("se-11", "stamps_com", "USPS"),
            ("se-12", "ups", "UPS account"),
        ]

    def test_a_carrier_that_cannot_be_read_fails_the_call(
        self, router: respx.Router, api: ShipStationV2Api
    ) -> None:
        router.get("/v2/carriers").respond(200, json={"carriers": [{"carrier_id": "se-1"}]})
        with pytest.raises(UnexpectedAnswer, match="carrier_code"):
            api.carriers()

    def test_webhooks_listed_created_and_deleted(
        self, router: respx.Router, api: ShipStationV2Api
    ) -> None:
        hook = {
            "webhook_id": "se-64", "url": "https://me.example/hook", "event": "label_created_v2",
            "name": "temuship", "store_id": 77, "headers": [{"key": "X-Shared", "value": "s3cret"}],
        }  # fmt: skip
        router.get("/v2/environment/webhooks").respond(200, json=[hook])
        create = router.post("/v2/environment/webhooks").respond(201, json=hook)
        router.delete("/v2/environment/webhooks/se-64").respond(204)
        router.delete("/v2/environment/webhooks/se-65").respond(404, json=error_body())
        (listed,) = api.list_webhooks()
        assert (listed.webhook_id, listed.event, listed.store_id) == (
            "se-64",
            "label_created_v2",
            "77",
        )
        assert "s3cret" not in repr(listed)
        made = api.create_webhook(
            "temuship",
            "label_created_v2",
            "https://me.example/hook",
            {"X-Shared": "s3cret"},
            "se-77",
        )
        assert made.headers == (("X-Shared", "s3cret"),)
        assert json.loads(create.calls.last.request.content) == {
            "name": "temuship", "event": "label_created_v2", "url": "https://me.example/hook",
            "headers": [{"key": "X-Shared", "value": "s3cret"}], "store_id": 77,
        }  # fmt: skip
        assert api.delete_webhook("se-64") is True
        assert api.delete_webhook("se-65") is False

    def test_a_webhook_create_whose_answer_was_lost_is_not_resent(
        self, router: respx.Router, api: ShipStationV2Api
    ) -> None:
        route = router.post("/v2/environment/webhooks").mock(side_effect=httpx.ReadTimeout("x"))
        with pytest.raises(OutcomeUnknown, match="look it up"):
            api.create_webhook("t", "label_created_v2", "https://me.example/hook")
        assert route.call_count == 1


class TestResourceUrl:
    def test_a_resource_url_on_the_clients_host_is_fetched_with_the_key(
        self, router: respx.Router, api: ShipStationV2Api
    ) -> None:
        route = router.get("/v2/labels").respond(200, json=page("labels", [label_row(1)]))
        url = f"{BASE}/v2/labels?batch_id=se-9"
        assert api.get(url)["labels"][0]["label_id"] == "se-5001"
        assert [len(p.rows) for p in api.labels_at(url)] == [1]
        request = route.calls.last.request
        assert request.url.params["batch_id"] == "se-9" and request.headers["API-Key"] == KEY

    def test_shipments_at_a_resource_url(self, router: respx.Router, api: ShipStationV2Api) -> None:
        router.get("/v2/shipments").respond(200, json=page("shipments", [shipment_row(1)]))
        url = f"{BASE}/v2/shipments?import_batch_id=0b1c"
        assert [s.shipment_id for p in api.shipments_at(url) for s in p.rows] == ["se-1001"]

    @pytest.mark.parametrize(
        "url",
        [
            "https://evil.example/v2/labels",
            "http://api.shipstation.com/v2/labels",
            "https://api.shipstation.com:444/v2/labels",
            "https://api.shipstation.com.evil.example/v2/labels",
            "https://api.shipstation.com/admin",
            "//evil.example/v2/labels",
            "file:///etc/passwd",
        ],
    )
    def test_any_other_url_is_refused_before_anything_is_sent(
        self, router: respx.Router, api: ShipStationV2Api, url: str
    ) -> None:
        route = router.route().respond(200, json={})
        with pytest.raises(InvalidPayload, match="resource_url"):
            api.get(url)
        assert route.call_count == 0

    def test_a_resource_that_is_gone_is_not_found(
        self, router: respx.Router, api: ShipStationV2Api
    ) -> None:
        router.get("/v2/labels/se-1").respond(404, json=error_body())
        with pytest.raises(NotFound):
            api.get(f"{BASE}/v2/labels/se-1")
