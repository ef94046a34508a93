"""POST /v2/shipments and the shipment lookups, over both transports."""

from __future__ import annotations

import pytest

from tests.contracts.shipstation_v2.conftest import Api, errors_of, shipment


class TestCreate:
    def test_a_created_shipment_answers_everything_a_connector_sent(self, api: Api) -> None:
        sent = shipment(1)
        (made,) = api.create(sent)
        assert made["errors"] == []
        assert made["shipment_id"].startswith("se-")
        assert made["shipment_status"] == "pending"
        assert (made["external_shipment_id"], made["shipment_number"]) == (
            "temu-shop-PO-000001",
            "PO-000001",
        )
        assert made["store_id"] == "se-123456" and made["warehouse_id"] == "se-260001"
        assert made["ship_to"]["postal_code"] == "78701"
        assert made["ship_from"]["city_locality"] == "Austin"  # the warehouse's origin
        assert made["amount_paid"] == {"currency": "usd", "amount": 30.97}
        assert made["advanced_options"]["custom_field1"] == "temu-shop-PO-000001"
        assert (made["internal_notes"], made["notes_from_buyer"]) == (
            "Temu PO",
            "leave at the door",
        )
        assert made["created_at"].endswith("Z") and made["modified_at"] == made["created_at"]
        item = made["items"][1]
        assert (item["sku"], item["quantity"], item["unit_price"]) == ("SKU-1", 2, 9.99)
        assert item["external_order_item_id"] == "211-000001001"
        assert item["image_url"] == "https://img.example.com/1/1.jpg"
        assert item["options"] == [{"name": "Color", "value": "Black"}]

    def test_it_is_found_by_id_and_by_external_id(self, api: Api) -> None:
        (made,) = api.create(shipment(2))
        by_id = api.get(f"/v2/shipments/{made['shipment_id']}")
        by_key = api.get("/v2/shipments/external_shipment_id/temu-shop-PO-000002")
        assert by_id.status_code == by_key.status_code == 200
        assert (
            by_id.json()
            == by_key.json()
            == {k: v for k, v in made.items() if k not in ("errors", "address_validation")}
        )

    def test_an_unknown_id_is_a_404_with_the_standard_body(self, api: Api) -> None:
        missing = api.get("/v2/shipments/external_shipment_id/never-made")
        assert missing.status_code == 404
        assert errors_of(missing)[0]["error_code"] == "invalid_identifier"
        assert api.get("/v2/shipments/se-999").status_code == 404
        assert api.get("/v2/shipments/140335319x").status_code == 400

    def test_a_duplicate_fails_that_item_alone(self, api: Api) -> None:
        api.create(shipment(3))
        answer = api.post("/v2/shipments", json={"shipments": [shipment(4), shipment(3)]})
        body = answer.json()
        assert answer.status_code == 200 and body["has_errors"] is True
        ok, duplicate = body["shipments"]
        assert ok["errors"] == [] and ok["shipment_id"]
        assert len(duplicate["errors"]) == 1 and "temu-shop-PO-000003" in duplicate["errors"][0]
        assert isinstance(duplicate["errors"][0], str)

    def test_the_same_id_twice_in_one_request_is_a_duplicate_too(self, api: Api) -> None:
        answer = api.post("/v2/shipments", json={"shipments": [shipment(5), shipment(5)]})
        assert [bool(s["errors"]) for s in answer.json()["shipments"]] == [False, True]

    def test_a_batch_whose_every_item_fails_is_a_400_naming_each(self, api: Api) -> None:
        bad = [shipment(6, ship_to=None), shipment(7, items=[{"sku": "X", "quantity": 0}])]
        answer = api.post("/v2/shipments", json={"shipments": bad})
        assert answer.status_code == 400
        messages = [e["message"] for e in errors_of(answer)]
        assert messages[0].startswith("shipments[0]: ship_to is required")
        assert any(m.startswith("shipments[1]: items[0].quantity") for m in messages)

    def test_leniently_it_is_a_200_with_a_string_per_item(self, api: Api, shipstation) -> None:
        shipstation.v2.readings.set(whole_batch_400=False)
        answer = api.post("/v2/shipments", json={"shipments": [shipment(8, ship_to=None)]})
        assert answer.status_code == 200
        assert answer.json()["shipments"][0]["errors"] == ["ship_to is required"]

    def test_more_than_100_shipments_in_one_call_are_refused(self, api: Api) -> None:
        answer = api.post("/v2/shipments", json={"shipments": [shipment(n) for n in range(101)]})
        assert answer.status_code == 400
        assert "at most 100" in errors_of(answer)[0]["message"]

    def test_an_id_left_out_is_the_shipment_id(self, api: Api) -> None:
        (made,) = api.create(shipment(9, external_shipment_id=None))
        assert made["external_shipment_id"] == made["shipment_id"]


class TestValidation:
    @pytest.mark.parametrize(
        ("change", "words"),
        [
            ({"warehouse_id": None}, "warehouse_id or ship_from is required"),
            ({"warehouse_id": "se-1"}, "warehouse_id 'se-1'"),
            ({"ship_to": {**shipment(0)["ship_to"], "phone": None}}, "ship_to.phone is required"),
            ({"ship_to": {**shipment(0)["ship_to"], "country_code": "USA"}}, "2-letter"),
            ({"items": [{"name": "x", "quantity": "2"}]}, "items[0].quantity"),
            ({"items": [{"name": "x", "quantity": 1, "unit_price": "9.99"}]}, "unit_price"),
            ({"amount_paid": 30.97}, "amount_paid must be a money object"),
            ({"store_id": 123456}, "store_id 123456"),
            ({"store_id": "999"}, "store_id '999'"),
            ({"ship_by_date": "2025-03-05T00:00:00Z"}, "ship_by_date cannot be set"),
            ({"tags": [{"name": "temu"}]}, "tags cannot be set"),
            ({"shipment_status": "on_hold"}, "shipment_status 'on_hold'"),
            ({"shipment_number": "x" * 51}, "longer than 50"),
            ({"advanced_options": {"custom_field2": "y" * 101}}, "custom_field2"),
        ],
    )
    def test_each_problem_is_named(self, api: Api, shipstation, change, words) -> None:
        shipstation.v2.readings.set(whole_batch_400=False)
        answer = api.post("/v2/shipments", json={"shipments": [shipment(10, **change)]})
        (item,) = answer.json()["shipments"]
        assert any(words in message for message in item["errors"]), item["errors"]
        assert shipstation.order("temu-shop-PO-000010") is None

    def test_the_lenient_readings_let_what_they_name_through(self, api: Api, shipstation) -> None:
        shipstation.v2.readings.set(
            phone_required=False, refuse_unconfirmed_create_fields=False, store_id_as_string=False
        )
        ship_to = {**shipment(0)["ship_to"], "phone": None}
        (made,) = api.create(
            shipment(
                11,
                ship_to=ship_to,
                store_id=123456,
                ship_by_date="2025-03-05T17:15:02Z",
                tags=[{"name": "temu"}],
            )
        )
        assert made["ship_by_date"] == "2025-03-05T17:15:02.000Z"
        assert made["tags"] == [{"name": "temu"}] and made["store_id"] == "se-123456"

    def test_a_body_that_is_not_json_or_not_a_batch_is_a_400(self, api: Api) -> None:
        not_json = api.post(
            "/v2/shipments", content=b"{oops", headers={"content-type": "application/json"}
        )
        assert (
            not_json.status_code == 400 and errors_of(not_json)[0]["error_code"] == "invalid_object"
        )
        assert api.post("/v2/shipments", json=[shipment(12)]).status_code == 400
        assert api.post("/v2/shipments", json={"shipments": []}).status_code == 400
