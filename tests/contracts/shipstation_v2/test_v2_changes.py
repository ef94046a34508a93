"""PUT /v2/shipments/{id} (the whole shipment), cancel, hold and restore."""

from __future__ import annotations

from typing import Any

from tests.contracts.shipstation_v2.conftest import Api, errors_of, shipment


def created(api: Api, n: int) -> dict[str, Any]:
    (made,) = api.create(shipment(n))
    return made


class TestUpdate:
    def test_get_change_put_back_replaces_the_shipment(self, api: Api, clock) -> None:
        made = created(api, 1)
        path = f"/v2/shipments/{made['shipment_id']}"
        current = api.get(path).json()
        current["items"] = current["items"][:1]
        current["ship_to"]["address_line1"] = "9 New St"
        clock.advance(30)
        answer = api.put(path, json=current)
        assert answer.status_code == 200, answer.text
        stored = api.get(path).json()
        assert len(stored["items"]) == 1 and stored["ship_to"]["address_line1"] == "9 New St"
        assert stored["modified_at"] > made["modified_at"]
        assert stored["items"][0]["item_id"] == made["items"][0]["item_id"]  # same line, same id

    def test_fields_left_out_are_cleared(self, api: Api) -> None:
        made = created(api, 2)
        path = f"/v2/shipments/{made['shipment_id']}"
        whole = {k: made[k] for k in ("ship_to", "warehouse_id", "items")}
        assert api.put(path, json=whole).status_code == 200
        stored = api.get(path).json()
        assert stored["internal_notes"] is None and stored["amount_paid"] is None
        assert stored["advanced_options"]["custom_field1"] is None
        assert stored["shipment_number"] == stored["external_shipment_id"]

    def test_a_partial_body_is_refused_unless_the_lenient_reading_is_on(
        self, api: Api, shipstation
    ) -> None:
        made = created(api, 3)
        path = f"/v2/shipments/{made['shipment_id']}"
        refused = api.put(path, json={"internal_notes": "changed"})
        assert refused.status_code == 400
        assert {e["message"] for e in errors_of(refused)} >= {
            "ship_to is required",
            "warehouse_id or ship_from is required",
        }
        shipstation.v2.readings.set(put_replaces_whole=False)
        assert api.put(path, json={"internal_notes": "changed"}).status_code == 200
        stored = api.get(path).json()
        assert stored["internal_notes"] == "changed" and stored["items"] == made["items"]

    def test_read_only_and_immutable_fields_cannot_change(self, api: Api) -> None:
        made = created(api, 4)
        path = f"/v2/shipments/{made['shipment_id']}"
        for change, code in [
            ({"external_shipment_id": "another"}, "field_conflict"),
            ({"store_id": "se-1"}, "field_conflict"),
            ({"shipment_status": "cancelled"}, "invalid_field_value"),
            ({"created_at": "2020-01-01T00:00:00.000Z"}, "invalid_field_value"),
        ]:
            answer = api.put(path, json={**made, **change})
            assert answer.status_code == 400, change
            assert errors_of(answer)[0]["error_code"] == code
        assert api.put(path, json=made).status_code == 200  # unchanged values pass

    def test_only_a_pending_shipment_can_be_updated(self, api: Api, clock) -> None:
        made = created(api, 5)
        sid = made["shipment_id"]
        assert (
            api.put(f"/v2/shipments/{sid}/hold", json={"hold_until_date": "2025-03-10"}).status_code
            == 204
        )
        answer = api.put(f"/v2/shipments/{sid}", json=made)
        assert answer.status_code == 400
        assert errors_of(answer)[0]["error_code"] == "invalid_status"


class TestStatusChanges:
    def test_cancel_answers_204_and_a_second_cancel_is_refused(self, api: Api) -> None:
        sid = created(api, 10)["shipment_id"]
        assert api.put(f"/v2/shipments/{sid}/cancel").status_code == 204
        assert api.get(f"/v2/shipments/{sid}").json()["shipment_status"] == "cancelled"
        again = api.put(f"/v2/shipments/{sid}/cancel")
        assert again.status_code == 400 and errors_of(again)[0]["error_code"] == "invalid_status"

    def test_a_live_label_stops_a_cancel_and_a_hold_until_it_is_voided(self, api: Api) -> None:
        made = created(api, 11)
        sid = made["shipment_id"]
        label = api.admin(
            "POST",
            "/labels",
            json={"orderKey": made["external_shipment_id"], "lines": {"211-000011000": 1}},
        )
        label_id = f"se-{label.json()['shipments'][0]['shipmentId']}"
        refused = api.put(f"/v2/shipments/{sid}/cancel")
        assert refused.status_code == 400 and "void" in errors_of(refused)[0]["message"]
        held = api.put(f"/v2/shipments/{sid}/hold", json={"hold_until_date": "2025-04-01"})
        assert held.status_code == 400
        assert api.put(f"/v2/labels/{label_id}/void").json()["approved"] is True
        assert api.put(f"/v2/shipments/{sid}/cancel").status_code == 204

    def test_hold_until_a_later_day_then_restore(self, api: Api) -> None:
        sid = created(api, 12)["shipment_id"]
        path = f"/v2/shipments/{sid}"
        today = api.put(f"{path}/hold", json={"hold_until_date": "2025-03-03"})
        assert today.status_code == 400 and "after today" in errors_of(today)[0]["message"]
        assert api.put(f"{path}/hold", json={"hold_until_date": "2025-03-09"}).status_code == 204
        held = api.get(path).json()
        assert (held["shipment_status"], held["hold_until_date"]) == (
            "on_hold",
            "2025-03-09T00:00:00Z",
        )
        assert api.put(f"{path}/restore").status_code == 204
        assert api.get(path).json()["shipment_status"] == "pending"
        again = api.put(f"{path}/restore")
        assert again.status_code == 400 and errors_of(again)[0]["error_code"] == "invalid_status"

    def test_a_hold_ends_on_its_day_by_the_sandbox_clock(self, api: Api, clock) -> None:
        sid = created(api, 13)["shipment_id"]
        assert (
            api.put(
                f"/v2/shipments/{sid}/hold", json={"hold_until_date": "2025-03-05T10:00:00Z"}
            ).status_code
            == 204
        )
        clock.advance(24 * 3600)
        assert api.get(f"/v2/shipments/{sid}").json()["shipment_status"] == "on_hold"
        clock.advance(24 * 3600)
        released = api.get(f"/v2/shipments/{sid}").json()
        assert (released["shipment_status"], released["hold_until_date"]) == ("pending", None)

    def test_a_hold_without_a_date_and_a_cancelled_hold_are_refused(self, api: Api) -> None:
        sid = created(api, 14)["shipment_id"]
        assert api.put(f"/v2/shipments/{sid}/hold", json={}).status_code == 400
        api.put(f"/v2/shipments/{sid}/cancel")
        late = api.put(f"/v2/shipments/{sid}/hold", json={"hold_until_date": "2025-04-01"})
        assert late.status_code == 400 and "cancelled" in errors_of(late)[0]["message"]
