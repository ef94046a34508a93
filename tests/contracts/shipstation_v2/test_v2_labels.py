"""GET /v2/labels, GET /v2/labels/{id}, PUT /v2/labels/{id}/void and the fulfillments."""

from __future__ import annotations

from typing import Any

from tests.contracts.shipstation_v2.conftest import Api, errors_of, shipment


def bought(api: Api, n: int, **label: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    (made,) = api.create(shipment(n))
    answer = api.admin("POST", "/labels", json={"orderKey": made["external_shipment_id"], **label})
    assert answer.status_code == 200, answer.text
    return made, answer.json()["shipments"]


class TestLabels:
    def test_a_label_carries_the_fields_of_the_reference_and_no_items(self, api: Api) -> None:
        made, (v1,) = bought(api, 1, carrierCode="ups", serviceCode="ups_ground")
        label = api.get(f"/v2/labels/se-{v1['shipmentId']}").json()
        assert label["status"] == "completed" and label["voided"] is False
        assert label["voided_at"] is None
        assert (label["shipment_id"], label["external_shipment_id"]) == (
            made["shipment_id"],
            made["external_shipment_id"],
        )
        assert (label["carrier_code"], label["service_code"]) == ("ups", "ups_ground")
        ups = [c for c in api.get("/v2/carriers").json()["carriers"] if c["carrier_code"] == "ups"]
        assert label["carrier_id"] == ups[0]["carrier_id"]
        assert label["shipment_cost"] == {"currency": "usd", "amount": 5.41}
        assert label["insurance_cost"]["amount"] == 0
        assert label["packages"][0]["tracking_number"] == label["tracking_number"]
        assert label["created_at"].endswith("Z") and label["ship_date"].endswith("Z")
        assert "items" not in label and "shipmentItems" not in label

    def test_filters_of_the_list(self, api: Api, clock) -> None:
        first, (one,) = bought(api, 2)
        clock.advance(3600)
        _, (two, three) = bought(api, 3, packages=[{"211-000003000": 1}, {"211-000003001": 2}])

        def ids(**params: str) -> list[str]:
            return [x["label_id"] for x in api.get("/v2/labels", params=params).json()["labels"]]

        assert ids() == [f"se-{r['shipmentId']}" for r in (three, two, one)]  # newest first
        assert ids(shipment_id=first["shipment_id"]) == [f"se-{one['shipmentId']}"]
        assert ids(external_shipment_id="temu-shop-PO-000003", sort_dir="asc") == [
            f"se-{two['shipmentId']}",
            f"se-{three['shipmentId']}",
        ]
        assert ids(tracking_number=one["trackingNumber"]) == [f"se-{one['shipmentId']}"]
        assert len(ids(created_at_start="2025-03-03T17:30:00Z")) == 2
        assert len(ids(label_status="completed")) == 3 and ids(label_status="voided") == []
        label = api.get(f"/v2/labels/se-{two['shipmentId']}").json()
        assert ids(batch_id=label["batch_id"]) == [
            f"se-{three['shipmentId']}",
            f"se-{two['shipmentId']}",
        ]
        assert len(ids(carrier_id=label["carrier_id"])) == 3

    def test_a_void_is_found_by_status_sorted_by_modification(self, api: Api, clock) -> None:
        _, (old,) = bought(api, 4)
        clock.advance(86400)
        _, (new,) = bought(api, 5)
        clock.advance(60)
        voided = api.put(f"/v2/labels/se-{old['shipmentId']}/void")
        assert voided.json() == {"approved": True, "message": voided.json()["message"]}
        found = api.get(
            "/v2/labels", params={"label_status": "voided", "sort_by": "modified_at"}
        ).json()
        (label,) = found["labels"]
        assert label["label_id"] == f"se-{old['shipmentId']}" and label["voided_at"]
        assert label["modified_at"] > label["created_at"]
        again = api.put(f"/v2/labels/se-{old['shipmentId']}/void").json()
        assert again["approved"] is False and again["reason_code"] == "label_already_voided"
        v1 = api.v1("GET", "/shipments", params={"voidDateStart": "2025-03-04"}).json()
        assert [s["shipmentId"] for s in v1["shipments"]] == [old["shipmentId"]]
        assert new["voided"] is False

    def test_unknown_labels_and_bad_filters(self, api: Api) -> None:
        assert api.get("/v2/labels/se-1").status_code == 404
        assert api.put("/v2/labels/not-an-id/void").status_code == 400
        bad = api.get("/v2/labels", params={"label_status": "shipped"})
        assert bad.status_code == 400 and errors_of(bad)[0]["message"].startswith("label_status")


class TestFulfillments:
    def test_a_fulfillment_ships_the_shipment_on_both_apis(self, api: Api) -> None:
        (made,) = api.create(shipment(10))
        answer = api.post(
            "/v2/fulfillments",
            json={
                "fulfillments": [
                    {
                        "shipment_id": made["shipment_id"],
                        "tracking_number": "1Z999",
                        "carrier_code": "ups",
                        "ship_date": "2025-03-03",
                        "notify_customer": False,
                        "notify_order_source": True,
                    }
                ]
            },
        )
        assert answer.status_code == 200, answer.text
        (row,) = answer.json()["fulfillments"]
        assert row["errors"] == [] and row["fulfillment_id"].startswith("se-")
        assert api.get(f"/v2/shipments/{made['shipment_id']}").json()["shipment_status"] == (
            "label_purchased"
        )
        (order,) = api.v1("GET", "/orders").json()["orders"]
        assert (order["orderStatus"], order["shipDate"]) == ("shipped", "2025-03-03")
        listed = api.get("/v2/fulfillments", params={"tracking_number": "1Z999"}).json()
        assert [f["shipment_id"] for f in listed["fulfillments"]] == [made["shipment_id"]]
        assert listed["fulfillments"][0]["fulfillment_carrier_friendly_name"] == "UPS"

    def test_each_bad_fulfillment_fails_alone(self, api: Api) -> None:
        one, two = api.create(shipment(11), shipment(12))
        api.put(f"/v2/shipments/{two['shipment_id']}/cancel")
        answer = api.post(
            "/v2/fulfillments",
            json={
                "fulfillments": [
                    {"shipment_id": one["shipment_id"], "carrier_code": "ups"},
                    {"shipment_id": two["shipment_id"], "tracking_number": "1Z2"},
                    {"shipment_id": "se-1", "tracking_number": "1Z3"},
                    {"shipment_id": one["shipment_id"], "tracking_number": "1Z4"},
                ]
            },
        )
        rows = answer.json()["fulfillments"]
        assert answer.json()["has_errors"] is True
        assert "tracking_number is required" in rows[0]["errors"]
        assert "cancelled" in rows[1]["errors"][0] and "se-1" in rows[2]["errors"][0]
        assert rows[3]["errors"] == []
