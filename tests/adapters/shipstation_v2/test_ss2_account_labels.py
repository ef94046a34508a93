"""V2's account listing for the label check: one walk of `GET /v2/labels` newest change first,
no store and no status filter, stopped at the first label last changed before the time asked;
it holds the labels bought and voided since, of every store, each with its order key and its
shipment's store; a label's lines are read once while the reader lives."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import respx

from adapters.shipstation.pacing import RetryPolicy
from adapters.shipstation.v2 import ShipStationV2Api
from adapters.shipstation.v2.gateway import ShipStationV2Gateway
from domain.errors import AuthenticationFailed, TransientError
from domain.model import order_key
from domain.secrets import Secret
from domain.shop import v2_credentials
from tests.adapters.shipstation_v2.conftest import KEY, label_row, shipment_row
from tests.adapters.shipstation_v2.test_ss2_gateway import label_pages, shipments_read

SINCE = datetime(2026, 3, 1, 0, 0, tzinfo=UTC)


def gateway_of(api: ShipStationV2Api) -> ShipStationV2Gateway:
    return ShipStationV2Gateway(v2_credentials(Secret(KEY), store_id=77), "acme", api)


@pytest.fixture
def gateway(api: ShipStationV2Api) -> ShipStationV2Gateway:
    return gateway_of(api)


def changed(n: int, at: str, **more: Any) -> dict[str, Any]:
    return label_row(n, created_at=at, modified_at=at, **more)


def listed(gateway: ShipStationV2Gateway) -> list[Any]:
    return [label for page in gateway.account_labels_since(SINCE) for label in page.labels]


class TestAccountListing:
    def test_one_walk_newest_change_first_with_no_store_or_status(self, router, gateway):
        route = router.get("/v2/labels").mock(side_effect=label_pages([]))
        assert listed(gateway) == []
        params = dict(route.calls.last.request.url.params)
        assert params == {"sort_by": "modified_at", "sort_dir": "desc", "page_size": "100"}

    def test_labels_of_every_shop_and_store_with_their_key_and_store(self, router, gateway):
        rows = [
            changed(1, "2026-03-01T10:00:00Z", external_shipment_id=order_key("acme", "PO-1")),
            changed(2, "2026-03-01T09:00:00Z", external_shipment_id=order_key("acme-2", "PO-2")),
            changed(3, "2026-03-01T08:00:00Z", external_shipment_id=None),
        ]
        router.get("/v2/labels").mock(side_effect=label_pages(rows))
        for n, store in ((1, "se-77"), (2, "se-77"), (3, "se-78")):
            router.get(f"/v2/shipments/se-{1000 + n}").respond(
                200, json=shipment_row(n, store_id=store)
            )
        found = [(lb.order_key, lb.store_id) for lb in listed(gateway)]
        assert found == [
            (order_key("acme", "PO-1"), "77"), (order_key("acme-2", "PO-2"), "77"), (None, "78"),
        ]  # fmt: skip

    def test_voids_since_come_in_the_same_walk_and_the_voids_call_asks_nothing(
        self, router, gateway
    ):
        void = changed(1, "2026-03-01T10:00:00Z", voided=True, status="voided")
        void["created_at"] = "2026-02-20T10:00:00Z"  # bought long ago, voided today
        route = router.get("/v2/labels").mock(side_effect=label_pages([void]))
        router.get("/v2/shipments/se-1001").respond(200, json=shipment_row(1))
        assert [lb.voided for lb in listed(gateway)] == [True]
        assert list(gateway.account_voids_since(SINCE)) == []
        assert route.call_count == 1

    def test_the_walk_stops_at_the_first_label_changed_before_since(self, router, gateway):
        new, old = changed(1, "2026-03-01T10:00:00Z"), changed(2, "2026-02-28T10:00:00Z")
        route = router.get("/v2/labels").mock(
            side_effect=label_pages([changed(3, "2026-03-01T11:00:00Z")], [new, old], [new])
        )
        for n in (1, 3):
            router.get(f"/v2/shipments/se-{1000 + n}").respond(200, json=shipment_row(n))
        assert [lb.shipment_id for lb in listed(gateway)] == ["5003", "5001"]
        assert route.call_count == 2  # the third page is never read

    def test_other_systems_labels_are_skipped_without_reading_their_shipment(self, router, gateway):
        rows = [changed(1, "2026-03-01T10:00:00Z", external_shipment_id="ebay-77"),
                changed(2, "2026-03-01T09:00:00Z", external_shipment_id=None)]  # fmt: skip
        router.get("/v2/labels").mock(side_effect=label_pages(rows))
        by_hand = shipment_row(2, items=[{"sku": "MUG", "quantity": 1}])  # no Temu line
        router.get("/v2/shipments/se-1002").respond(200, json=by_hand)
        assert listed(gateway) == []
        assert shipments_read(router) == ["se-1002"]

    def test_a_labels_lines_are_read_once_across_walks(self, router, gateway):
        router.get("/v2/labels").mock(side_effect=label_pages([changed(1, "2026-03-01T10:00Z")]))
        router.get("/v2/shipments/se-1001").respond(200, json=shipment_row(1))
        first, again = listed(gateway), listed(gateway)
        assert first == again and len(first) == 1 and first[0].lines
        assert shipments_read(router) == ["se-1001"]

    def test_a_label_whose_shipment_cannot_be_read_fails_alone_and_is_read_again(
        self, router, gateway
    ):
        rows = [changed(1, "2026-03-01T10:00:00Z"), changed(2, "2026-03-01T09:00:00Z")]
        router.get("/v2/labels").mock(side_effect=label_pages(rows))
        router.get("/v2/shipments/se-1001").respond(200, json=shipment_row(1))
        router.get("/v2/shipments/se-1002").respond(404, json={"errors": []})
        (page,) = gateway.account_labels_since(SINCE)
        assert [lb.shipment_id for lb in page.labels] == ["5001"]
        assert [row.key for row in page.failures] == ["5002"]
        list(gateway.account_labels_since(SINCE))
        assert shipments_read(router).count("se-1002") == 2

    def test_a_server_error_is_retried_then_raised(self, router, make_api):
        gateway = gateway_of(make_api(retry=RetryPolicy(attempts=2)))
        route = router.get("/v2/labels").respond(503, text="down")
        with pytest.raises(TransientError):
            listed(gateway)
        assert route.call_count == 2

    def test_a_refused_key_is_raised_at_once(self, router: respx.Router, gateway):
        route = router.get("/v2/labels").respond(401, json={"errors": []})
        with pytest.raises(AuthenticationFailed):
            listed(gateway)
        assert route.call_count == 1
