"""One account, two APIs: what V1 writes V2 reads, and the other way round, so a seller's
move of a shop from V1 to V2 can be tested."""

from __future__ import annotations

from typing import Any

from adapters.sandbox.shipstation.demo import demo_orders
from adapters.sandbox.shipstation.v2.wire import STATUS_V1_TO_V2
from adapters.shipstation.mapping import render_order  # what the V1 client sends
from tests.contracts.shipstation_v2.conftest import Api, shipment


def v1_order(n: int, **changes: Any) -> dict[str, Any]:
    order = {
        "orderNumber": f"PO-V1-{n}",
        "orderKey": f"temu-shop-v1-{n}",
        "orderDate": "2025-03-03T09:00:00.0000000",
        "orderStatus": "awaiting_shipment",
        "shipByDate": "2025-03-05T09:00:00.0000000",
        "billTo": {"name": "Buyer"},
        "shipTo": {
            "name": "Buyer V1",
            "street1": "1 Elm St",
            "city": "Reno",
            "state": "NV",
            "postalCode": "89502",
            "country": "US",
            "phone": "7755550100",
            "residential": True,
        },
        "items": [
            {
                "lineItemKey": f"211-v1-{n}-0",
                "sku": "SKU-A",
                "name": "A",
                "quantity": 2,
                "unitPrice": 4.5,
                "options": [{"name": "Size", "value": "M"}],
            }
        ],
        "amountPaid": 11.0,
        "shippingAmount": 2.0,
        "internalNotes": "from V1",
        "advancedOptions": {"customField1": f"temu-shop-v1-{n}", "storeId": 123456},
    }
    order.update(changes)
    return order


class TestV1ThenV2:
    def test_an_order_created_in_v1_is_a_v2_shipment(self, api: Api) -> None:
        assert api.v1("POST", "/orders/createorders", json=[v1_order(1)]).status_code == 200
        v1 = api.v1("GET", "/orders").json()["orders"][0]
        found = api.get("/v2/shipments/external_shipment_id/temu-shop-v1-1")
        assert found.status_code == 200
        v2 = found.json()
        assert v2["shipment_id"] == f"se-{v1['orderId']}"
        assert (v2["shipment_number"], v2["shipment_status"]) == ("PO-V1-1", "pending")
        assert v2["store_id"] == "se-123456"
        assert v2["ship_to"]["address_residential_indicator"] == "yes"
        assert v2["items"][0]["external_order_item_id"] == "211-v1-1-0"
        assert v2["items"][0]["item_id"] == f"se-{v1['items'][0]['orderItemId']}"
        assert v2["ship_by_date"] == "2025-03-05T17:00:00.000Z"  # V1 wrote Pacific time
        assert v2["amount_paid"] == {"currency": "usd", "amount": 11.0}
        assert v2["advanced_options"]["custom_field1"] == "temu-shop-v1-1"

    def test_creating_it_again_in_v2_is_refused_as_a_duplicate(self, api: Api) -> None:
        api.v1("POST", "/orders/createorders", json=[v1_order(2)])
        answer = api.post(
            "/v2/shipments",
            json={"shipments": [shipment(2, external_shipment_id="temu-shop-v1-2")]},
        )
        assert answer.status_code == 400
        assert answer.json()["errors"][0]["error_code"] == "identifier_conflict"

    def test_every_v1_status_reads_as_its_v2_status(self, api: Api) -> None:
        orders = [v1_order(10 + i, orderStatus=s) for i, s in enumerate(STATUS_V1_TO_V2)]
        assert api.v1("POST", "/orders/createorders", json=orders).json()["hasErrors"] is False
        for order in orders:
            found = api.get(f"/v2/shipments/external_shipment_id/{order['orderKey']}").json()
            assert found["shipment_status"] == STATUS_V1_TO_V2[order["orderStatus"]]

    def test_what_the_real_v1_client_renders_reads_back_on_v2(self, api: Api) -> None:
        rendered = [render_order(o, 123456) for o in demo_orders("shop-x", 3)]
        assert api.v1("POST", "/orders/createorders", json=rendered).json()["hasErrors"] is False
        listed = api.get("/v2/shipments", params={"sort_dir": "asc"}).json()["shipments"]
        assert [s["external_shipment_id"] for s in listed] == [o["orderKey"] for o in rendered]


class TestV2ThenV1:
    def test_a_shipment_created_in_v2_is_a_v1_order(self, api: Api) -> None:
        (made,) = api.create(shipment(20))
        orders = api.v1("GET", "/orders").json()["orders"]
        assert len(orders) == 1
        order = orders[0]
        assert f"se-{order['orderId']}" == made["shipment_id"]
        assert (order["orderKey"], order["orderNumber"]) == ("temu-shop-PO-000020", "PO-000020")
        assert order["orderStatus"] == "awaiting_shipment"
        assert order["advancedOptions"]["storeId"] == 123456
        assert order["advancedOptions"]["warehouseId"] == 260001
        assert [i["lineItemKey"] for i in order["items"]] == ["211-000020000", "211-000020001"]
        assert order["shipTo"]["street1"] == "101 Main St" and order["customerEmail"]
        assert order["orderTotal"] == 8.99 + 2 * 9.99 + 2.0
        assert "_v2" not in order

    def test_a_v1_upsert_of_a_v2_shipment_replaces_it_for_both(self, api: Api) -> None:
        api.create(shipment(21))
        order = api.v1("GET", "/orders").json()["orders"][0]
        order.update(orderStatus="on_hold", internalNotes="changed in V1")
        assert api.v1("POST", "/orders/createorders", json=[order]).json()["hasErrors"] is False
        v2 = api.get("/v2/shipments/external_shipment_id/temu-shop-PO-000021").json()
        assert (v2["shipment_status"], v2["internal_notes"]) == ("on_hold", "changed in V1")

    def test_v2_changes_show_on_v1(self, api: Api) -> None:
        (made,) = api.create(shipment(22))
        api.put(f"/v2/shipments/{made['shipment_id']}/cancel")
        (order,) = api.v1("GET", "/orders").json()["orders"]
        assert order["orderStatus"] == "cancelled"
        refused = api.v1("POST", "/orders/createorders", json=[order]).json()["results"][0]
        assert refused["success"] is False  # V1's lock on cancelled orders holds for both

    def test_a_label_bought_is_a_label_on_both_apis(self, api: Api) -> None:
        (made,) = api.create(shipment(23))
        bought = api.admin("POST", "/labels", json={"orderKey": "temu-shop-PO-000023"}).json()
        (v1_label,) = bought["shipments"]
        (v2_label,) = api.get("/v2/labels").json()["labels"]
        assert v2_label["label_id"] == f"se-{v1_label['shipmentId']}"
        assert v2_label["shipment_id"] == made["shipment_id"]
        assert v2_label["tracking_number"] == v1_label["trackingNumber"]
        assert api.get(f"/v2/shipments/{made['shipment_id']}").json()["shipment_status"] == (
            "label_purchased"
        )
        assert api.v1("GET", "/orders").json()["orders"][0]["orderStatus"] == "shipped"
        v1_listed = api.v1("GET", "/shipments", params={"includeShipmentItems": "true"}).json()
        assert v1_listed["shipments"][0]["shipmentItems"][0]["lineItemKey"] == "211-000023000"
