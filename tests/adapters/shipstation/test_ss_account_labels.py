"""V1's account listing for the label check: `GET /shipments` with no storeId (every store of
the account at once), each label naming its orderKey and store; voids by voidDateStart; every
page walked; errors raised as the other calls raise them."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
import respx

from adapters.shipstation import RetryPolicy, ShipStationClient
from domain.errors import AuthenticationFailed, TransientError, UnexpectedAnswer
from tests.adapters.shipstation.test_ss_requests import shipment

SINCE = datetime(2025, 3, 9, 10, 0, tzinfo=UTC)


def in_store(sid: int, key: str | None, store: int, line: str = "211-1") -> dict:
    row = shipment(sid, [{"lineItemKey": line, "quantity": 1}], orderKey=key)
    return {**row, "advancedOptions": {"storeId": store}}


class TestAccountListing:
    def test_labels_of_every_store_are_listed_without_a_store_filter(
        self, router: respx.Router, client: ShipStationClient
    ) -> None:
        body = {"shipments": [in_store(1, "temu-acme-PO-1", 123456), in_store(2, None, 777)],
                "total": 2, "pages": 1}  # fmt: skip
        route = router.get("/shipments").respond(200, json=body)
        (page,) = list(client.account_labels_since(SINCE))
        params = dict(route.calls.last.request.url.params)
        assert "storeId" not in params
        assert params["createDateStart"] == "2025-03-09 03:00:00"
        assert params["includeShipmentItems"] == "true"
        assert [(lb.order_key, lb.store_id) for lb in page.labels] == [
            ("temu-acme-PO-1", "123456"), (None, "777"),
        ]  # fmt: skip

    def test_voids_of_every_store_are_listed_by_void_date(
        self, router: respx.Router, client: ShipStationClient
    ) -> None:
        voided = {**in_store(3, "temu-acme-PO-1", 123456), "voided": True}
        route = router.get("/shipments").respond(200, json={"shipments": [voided], "total": 1})
        (page,) = list(client.account_voids_since(SINCE))
        params = dict(route.calls.last.request.url.params)
        assert params["voidDateStart"] == "2025-03-09 03:00:00" and "storeId" not in params
        assert [lb.voided for lb in page.labels] == [True]

    def test_every_page_is_read_and_a_label_on_two_pages_given_once(
        self, router: respx.Router, make_client
    ) -> None:
        client = make_client(page_size=2)
        pages = [
            {"shipments": [in_store(1, None, 1), in_store(2, None, 1)], "total": 3},
            {"shipments": [in_store(2, None, 1), in_store(3, None, 1)], "total": 4},
        ]
        route = router.get("/shipments").mock(
            side_effect=[httpx.Response(200, json=p) for p in pages]
        )
        read = list(client.account_labels_since(SINCE))
        assert [c.request.url.params["page"] for c in route.calls] == ["1", "2"]
        assert [lb.shipment_id for p in read for lb in p.labels] == ["1", "2", "3"]

    def test_a_row_that_cannot_be_read_fails_alone(
        self, router: respx.Router, client: ShipStationClient
    ) -> None:
        rows = [in_store(1, None, 1), {"shipmentId": 2, "createDate": "yesterday"}]
        router.get("/shipments").respond(200, json={"shipments": rows, "total": 2})
        (page,) = list(client.account_labels_since(SINCE))
        assert [lb.shipment_id for lb in page.labels] == ["1"]
        assert [f.key for f in page.failures] == ["2"]

    def test_a_page_that_is_no_envelope_fails_the_listing(
        self, router: respx.Router, client: ShipStationClient
    ) -> None:
        router.get("/shipments").respond(200, json=[{"shipmentId": 1}])
        with pytest.raises(UnexpectedAnswer):
            list(client.account_labels_since(SINCE))

    def test_a_server_error_is_retried_then_raised(self, router: respx.Router, make_client) -> None:
        client = make_client(retry=RetryPolicy(attempts=2))
        route = router.get("/shipments").respond(503, text="<html>down</html>")
        with pytest.raises(TransientError):
            list(client.account_labels_since(SINCE))
        assert route.call_count == 2

    def test_a_refused_key_is_raised_at_once(
        self, router: respx.Router, client: ShipStationClient
    ) -> None:
        route = router.get("/shipments").respond(401, text="Unauthorized")
        with pytest.raises(AuthenticationFailed):
            list(client.account_labels_since(SINCE))
        assert route.call_count == 1
