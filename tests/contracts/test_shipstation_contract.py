"""ShipStationClient against the ShipStation sandbox, in process and served (see conftest.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from adapters.sandbox.shipstation.demo import demo_orders
from adapters.shipstation import ShipStationClient
from adapters.shipstation.dates import from_pacific, to_pacific_query
from domain.errors import BusinessError

SHOP = "shop-contract"


def payloads(client: ShipStationClient, count: int, start: int = 0) -> list[dict[str, Any]]:
    """What the real client renders for generated orders (two lines each, prices, ship-to)."""
    return [client.render(order) for order in demo_orders(SHOP, count, start)]


def pushed(client: ShipStationClient, count: int) -> list[dict[str, Any]]:
    sent = payloads(client, count)
    assert all(r.success for r in client.create_orders(sent))
    return sent


class TestCreateOrders:
    def test_what_the_client_renders_passes_the_strict_checks(self, shipstation, ss_client) -> None:
        assert shipstation.strict
        sent = payloads(ss_client, 30)
        results = ss_client.create_orders(sent)
        assert [r.success for r in results] == [True] * 30
        stored = shipstation.order(sent[0]["orderKey"])
        assert stored is not None and str(stored["orderId"]) == results[0].remote_id

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            (lambda p: p["shipTo"].pop("country"), "shipTo.country"),
            (lambda p: p["shipTo"].update(country="United States"), "shipTo.country"),
            (lambda p: p.pop("shipTo"), "shipTo"),
            (lambda p: p["items"][0].update(quantity="2"), "items[0].quantity"),
            (lambda p: p["items"][1].update(unitPrice="9.99"), "items[1].unitPrice"),
            (lambda p: p.update(amountPaid="a lot"), "amountPaid"),
        ],
    )
    def test_a_bad_order_fails_alone_and_the_rest_go_in(
        self, shipstation, ss_client, change, field
    ) -> None:
        sent = payloads(ss_client, 5)
        change(sent[2])

        results = ss_client.create_orders(sent)

        assert [r.success for r in results] == [True, True, False, True, True]
        assert field in (results[2].error or "")
        assert set(shipstation.orders) == {p["orderKey"] for i, p in enumerate(sent) if i != 2}

    def test_numbers_as_strings_pass_when_the_sandbox_reads_leniently(
        self, shipstation, ss_client, ss_wire
    ) -> None:
        # The other reading of shipstation.md: Json.NET converts "2" and needs no country.
        assert ss_wire.admin("POST", "/strict", json={"enabled": False}).json() == {"strict": False}
        (sent,) = payloads(ss_client, 1)
        sent["items"][0]["quantity"] = "2"
        del sent["shipTo"]["country"]
        assert ss_client.create_orders([sent])[0].success
        assert shipstation.orders[sent["orderKey"]]["items"][0]["quantity"] == 2

    def test_a_shipped_order_is_locked(self, shipstation, ss_client) -> None:
        (sent,) = pushed(ss_client, 1)
        shipstation.create_labels(sent["orderKey"])
        (result,) = ss_client.create_orders([sent])
        assert not result.success and "open status" in (result.error or "")


class TestSingleOrder:
    def test_createorder_answers_the_order_and_get_reads_it(self, shipstation, ss_client) -> None:
        (sent,) = payloads(ss_client, 1)
        order = ss_client.api.post("/orders/createorder", sent)
        assert order["orderKey"] == sent["orderKey"] and order["orderTotal"] == 30.97
        assert [i["orderItemId"] > 0 for i in order["items"]] == [True, True]
        assert ss_client.api.get(f"/orders/{order['orderId']}") == order

    def test_createorder_refuses_a_ship_to_without_country(self, ss_client) -> None:
        (sent,) = payloads(ss_client, 1)
        del sent["shipTo"]["country"]
        with pytest.raises(BusinessError) as caught:
            ss_client.api.post("/orders/createorder", sent)
        assert caught.value.field == "apiOrder.shipTo.country"

    def test_an_unknown_order_id_is_not_found(self, ss_client) -> None:
        with pytest.raises(BusinessError) as caught:
            ss_client.api.get("/orders/999")
        assert caught.value.code == 404


class TestListOrders:
    def test_modified_since_lists_the_later_changes(self, shipstation, clock, ss_client) -> None:
        first = pushed(ss_client, 3)
        clock.advance(3600)
        since = clock.now()
        clock.advance(60)
        ss_client.create_orders(first[:1])  # an update bumps modifyDate

        summaries = [s for page in ss_client.list_orders(since) for s in page]

        assert [s.order_key for s in summaries] == [first[0]["orderKey"]]
        assert summaries[0].modified_at == clock.now()

    @pytest.mark.parametrize("name", ["orderDate", "paymentDate"])
    def test_order_and_payment_date_filters(self, ss_client, name) -> None:
        sent = pushed(ss_client, 6)  # one order a minute from the base time (demo data)
        cut = from_pacific(sent[3][name])
        params = {f"{name}Start": to_pacific_query(cut), "storeId": ss_client.store_id}
        later = ss_client.api.get("/orders", params)
        assert [o["orderKey"] for o in later["orders"]] == [p["orderKey"] for p in sent[3:]]
        params = {f"{name}End": to_pacific_query(cut - timedelta(seconds=1))}
        earlier = ss_client.api.get("/orders", params)
        assert [o["orderKey"] for o in earlier["orders"]] == [p["orderKey"] for p in sent[:3]]

    def test_status_number_and_keyword_filters(self, shipstation, ss_client) -> None:
        sent = pushed(ss_client, 12)
        shipstation.create_labels(sent[0]["orderKey"])
        shipped = ss_client.api.get("/orders", {"orderStatus": "shipped"})["orders"]
        assert [o["orderKey"] for o in shipped] == [sent[0]["orderKey"]]
        prefix = sent[10]["orderNumber"][:-1]
        numbered = ss_client.api.get("/orders", {"orderNumber": prefix})["orders"]
        assert {o["orderNumber"] for o in numbered} == {
            sent[10]["orderNumber"],
            sent[11]["orderNumber"],
        }
        named = ss_client.api.get("/orders", {"customerName": "buyer 7"})["orders"]
        assert [o["orderKey"] for o in named] == [sent[7]["orderKey"]]
        keyword = ss_client.api.get("/orders", {"itemKeyword": "of order 5"})["orders"]
        assert [o["orderKey"] for o in keyword] == [sent[5]["orderKey"]]


class TestLabels:
    def test_shipments_and_voided_labels_are_listed(self, shipstation, clock, ss_client) -> None:
        sent = pushed(ss_client, 4)
        since = clock.now()
        clock.advance(60)
        keys = [p["orderKey"] for p in sent]
        shipstation.create_labels(keys[0])
        (voided,) = shipstation.create_labels(keys[1])
        clock.advance(60)
        void_time = clock.now()
        shipstation.void_label(voided["shipmentId"])

        labels = [label for page in ss_client.shipments_since(since) for label in page.labels]
        assert [(lb.order_key, lb.voided) for lb in labels] == [(keys[0], False), (keys[1], True)]
        assert {line.order_sn for line in labels[0].lines} == {
            i["lineItemKey"] for i in sent[0]["items"]
        }
        gone = [label for page in ss_client.voided_since(void_time) for label in page.labels]
        assert [lb.shipment_id for lb in gone] == [str(voided["shipmentId"])]
        assert ss_client.read_failures == []

    def test_shipment_filters(self, shipstation, ss_client) -> None:
        sent = pushed(ss_client, 3)
        (ups,) = shipstation.create_labels(sent[0]["orderKey"], carrier_code="ups")
        (usps,) = shipstation.create_labels(sent[1]["orderKey"])
        get = lambda **q: [s["shipmentId"] for s in ss_client.api.get("/shipments", q)["shipments"]]  # noqa: E731
        assert get(carrierCode="ups") == [ups["shipmentId"]]
        assert get(trackingNumber=usps["trackingNumber"]) == [usps["shipmentId"]]
        assert get(recipientName="buyer 1") == [usps["shipmentId"]]
        assert get(recipientCountryCode="US") == [ups["shipmentId"], usps["shipmentId"]]
        assert get(recipientCountryCode="CA") == []
        day = usps["shipDate"]
        assert get(shipDateStart=day, shipDateEnd=day) == [ups["shipmentId"], usps["shipmentId"]]
        assert get(shipDateStart=f"{day[:8]}{int(day[8:]) + 1:02d}") == []


class TestStores:
    def test_store_dates_are_pacific_and_read_as_the_same_instant(
        self, shipstation, clock, ss_client
    ) -> None:
        assert [s.store_id for s in ss_client.stores()] == [123456]
        (raw,) = ss_client.api.get("/stores")
        assert raw["createDate"][-1].isdigit() and "+" not in raw["createDate"]
        assert from_pacific(raw["createDate"]) == clock.now()  # made when the clock started
        assert raw["createDate"].startswith("2025-03-03T09:00:00")  # 17:00 UTC is 09:00 PST

    def test_one_store_and_the_marketplaces(self, ss_client) -> None:
        store = ss_client.api.get("/stores/123456")
        assert store["storeId"] == 123456 and "statusMappings" in store
        markets = ss_client.api.get("/stores/marketplaces")
        names = {m["name"]: m for m in markets}
        assert names["ShipStation"]["marketplaceId"] == 0
        assert set(names["Temu"]) == {"name", "marketplaceId", "canRefresh",
                                      "supportsCustomMappings", "supportsCustomStatuses",
                                      "canConfirmShipments"}  # fmt: skip


class TestUnknownRoutes:
    def test_an_unknown_path_answers_404_in_v1_shape(self, ss_client, ss_wire) -> None:
        with pytest.raises(BusinessError) as caught:
            ss_client.api.get("/no/such/thing")
        assert caught.value.code == 404 and "No HTTP resource" in caught.value.message
        answer = ss_wire.http.get(f"{ss_wire.base_url}/no/such/thing")
        assert answer.status_code == 404 and set(answer.json()) == {"Message"}

    def test_a_wrong_method_answers_405_in_v1_shape(self, ss_wire, ss_client) -> None:
        answer = ss_wire.http.delete(f"{ss_wire.base_url}/orders")
        assert answer.status_code == 405
        assert answer.json() == {
            "Message": "The requested resource does not support http method 'DELETE'."
        }

    def test_without_credentials_it_is_401_before_any_route(self, ss_wire, ss_client) -> None:
        answer = ss_wire.http.get(f"{ss_wire.base_url}/no/such/thing", auth=None)
        assert answer.status_code == 401 and "Message" in answer.json()
