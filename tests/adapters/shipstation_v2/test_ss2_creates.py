"""Batch creates: per-item results, at most 100 a call, never created twice by a blind retry."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import respx

from adapters.shipstation.v2 import ShipStationV2Api
from adapters.shipstation.v2.batch import SHIPMENTS, read_batch
from domain.errors import AuthenticationFailed, InvalidPayload, Unreachable
from tests.adapters.shipstation_v2.conftest import KEY, error_body


def shipment(n: int) -> dict[str, Any]:
    return {"external_shipment_id": f"temu-shop-1-PO-{n}", "shipment_number": f"PO-{n}"}


def created_rows(sent: list[dict[str, Any]]) -> httpx.Response:
    rows = [
        {**s, "shipment_id": f"se-{900 + i}", "errors": [], "shipment_status": "pending"}
        for i, s in enumerate(sent)
    ]
    return httpx.Response(200, json={"has_errors": False, "shipments": rows})


def created(request: httpx.Request) -> httpx.Response:
    return created_rows(json.loads(request.content)["shipments"])


class TestCreateShipments:
    def test_each_shipment_gets_its_id_in_the_order_sent(
        self, router: respx.Router, api: ShipStationV2Api
    ) -> None:
        route = router.post("/v2/shipments").mock(side_effect=created)
        answer = api.create_shipments([shipment(1), shipment(2)])
        assert [(r.ref, r.remote_id, r.ok) for r in answer.results] == [
            ("temu-shop-1-PO-1", "se-900", True),
            ("temu-shop-1-PO-2", "se-901", True),
        ]
        assert answer.has_errors is False
        assert json.loads(route.calls.last.request.content) == {
            "shipments": [shipment(1), shipment(2)]
        }

    def test_never_more_than_100_a_call(self, router: respx.Router, api: ShipStationV2Api) -> None:
        route = router.post("/v2/shipments").mock(side_effect=created)
        answer = api.create_shipments([shipment(n) for n in range(250)])
        sizes = [len(json.loads(c.request.content)["shipments"]) for c in route.calls]
        assert sizes == [100, 100, 50]
        assert len(answer.results) == 250 and all(r.ok for r in answer.results)

    def test_per_item_string_errors_of_a_200_fail_that_item_alone(
        self, router: respx.Router, api: ShipStationV2Api
    ) -> None:
        rows = [
            {"external_shipment_id": "temu-shop-1-PO-1", "shipment_id": "se-1", "errors": []},
            {
                "external_shipment_id": "temu-shop-1-PO-2",
                "shipment_id": None,
                "errors": ["ship_to.country_code is required", f"key {KEY} echoed"],
            },
        ]
        router.post("/v2/shipments").respond(200, json={"has_errors": True, "shipments": rows})
        answer = api.create_shipments([shipment(1), shipment(2)])
        first, second = answer.results
        assert answer.has_errors is True
        assert first.ok and first.remote_id == "se-1"
        assert not second.ok and second.remote_id is None and not second.in_doubt
        assert second.errors[0] == "ship_to.country_code is required"
        assert KEY not in second.errors[1] and "***" in second.errors[1]

    def test_a_dropped_connection_is_not_resent_its_shipments_are_in_doubt(
        self, router: respx.Router, api: ShipStationV2Api
    ) -> None:
        route = router.post("/v2/shipments").mock(side_effect=httpx.ReadTimeout("no answer"))
        answer = api.create_shipments([shipment(1), shipment(2)])
        assert route.call_count == 1
        assert all(r.in_doubt and not r.ok for r in answer.results)
        assert "outcome is unknown" in answer.results[0].errors[0]
        assert "look it up" in answer.results[0].errors[0]

    @pytest.mark.parametrize(
        "failure",
        [
            httpx.Response(500, content=b""),
            httpx.Response(503, json=error_body("unknown", "down", "req-503")),
            httpx.Response(200, text='{"has_errors": false, "shipm'),
            httpx.RemoteProtocolError("connection dropped"),
        ],
        ids=["500-empty", "503", "truncated-200", "dropped"],
    )
    def test_a_create_that_may_have_arrived_is_never_sent_twice(
        self, router: respx.Router, api: ShipStationV2Api, failure: Any
    ) -> None:
        route = router.post("/v2/shipments").mock(
            side_effect=[failure, created_rows([shipment(1)])]
        )
        answer = api.create_shipments([shipment(1)])
        assert route.call_count == 1 and answer.results[0].in_doubt

    def test_a_connection_never_made_is_tried_again(
        self, router: respx.Router, api: ShipStationV2Api
    ) -> None:
        route = router.post("/v2/shipments").mock(
            side_effect=[httpx.ConnectError("x"), created_rows([shipment(1)])]
        )
        assert api.create_shipments([shipment(1)]).results[0].ok
        assert route.call_count == 2

    def test_a_429_is_waited_out_and_sent_again(
        self, router: respx.Router, api: ShipStationV2Api, fake_time
    ) -> None:
        limited = httpx.Response(
            429, json=error_body("rate_limit_exceeded"), headers={"Retry-After": "9"}
        )
        route = router.post("/v2/shipments").mock(
            side_effect=[limited, created_rows([shipment(1)])]
        )
        assert api.create_shipments([shipment(1)]).results[0].ok
        assert route.call_count == 2 and fake_time.sleeps == [pytest.approx(9.0)]

    def test_unreachable_every_time_is_raised(
        self, router: respx.Router, api: ShipStationV2Api
    ) -> None:
        router.post("/v2/shipments").mock(side_effect=httpx.ConnectError("refused"))
        with pytest.raises(Unreachable):
            api.create_shipments([shipment(1)])

    def test_a_whole_batch_refused_is_asked_again_one_by_one_so_one_fails_alone(
        self, router: respx.Router, api: ShipStationV2Api
    ) -> None:
        def answer(request: httpx.Request) -> httpx.Response:
            sent = json.loads(request.content)["shipments"]
            if len(sent) > 1:
                return httpx.Response(409, json=error_body("identifier_conflict", "exists"))
            if sent[0]["external_shipment_id"].endswith("PO-2"):
                body = error_body("identifier_conflict", "external_shipment_id exists", "req-2")
                return httpx.Response(409, json=body)
            return created(request)

        route = router.post("/v2/shipments").mock(side_effect=answer)
        results = api.create_shipments([shipment(1), shipment(2), shipment(3)]).results
        assert route.call_count == 4
        assert [r.ok for r in results] == [True, False, True]
        assert results[1].error_code == "identifier_conflict"
        assert "request_id req-2" in results[1].errors[0]

    def test_a_lone_refused_shipment_carries_the_code_and_message(
        self, router: respx.Router, api: ShipStationV2Api
    ) -> None:
        router.post("/v2/shipments").respond(400, json=error_body("invalid_address", "bad zip"))
        (result,) = api.create_shipments([shipment(1)]).results
        assert (result.ok, result.in_doubt, result.error_code) == (False, False, "invalid_address")

    def test_a_bad_key_stops_the_push(self, router: respx.Router, api: ShipStationV2Api) -> None:
        router.post("/v2/shipments").respond(401, json=error_body("unauthorized", "no"))
        with pytest.raises(AuthenticationFailed):
            api.create_shipments([shipment(1)])

    def test_shipments_without_or_sharing_an_external_id_are_refused_before_sending(
        self, router: respx.Router, api: ShipStationV2Api
    ) -> None:
        route = router.post("/v2/shipments").mock(side_effect=created)
        with pytest.raises(InvalidPayload, match="no external_shipment_id"):
            api.create_shipments([shipment(1), {"shipment_number": "x"}])
        with pytest.raises(InvalidPayload, match="sent twice"):
            api.create_shipments([shipment(1), shipment(1)])
        assert route.call_count == 0


class TestReadBatch:
    def test_rows_are_matched_by_external_id_whatever_their_order(self) -> None:
        rows = [
            {"external_shipment_id": "b", "shipment_id": "se-2", "errors": []},
            {"external_shipment_id": "a", "shipment_id": "se-1", "errors": []},
        ]
        answer = read_batch({"has_errors": False, "shipments": rows}, _sent("a", "b"), SHIPMENTS)
        assert [r.remote_id for r in answer.results] == ["se-1", "se-2"]

    def test_a_row_without_its_external_id_is_matched_by_position(self) -> None:
        rows = [{"shipment_id": "se-1"}, {"shipment_id": "se-2"}]
        answer = read_batch({"shipments": rows}, _sent("a", "b"), SHIPMENTS)
        assert [r.remote_id for r in answer.results] == ["se-1", "se-2"]

    def test_has_errors_is_read_and_also_set_by_any_failed_row(self) -> None:
        ok = [{"external_shipment_id": "a", "shipment_id": "se-1", "errors": []}]
        assert read_batch({"has_errors": True, "shipments": ok}, _sent("a"), SHIPMENTS).has_errors
        bad = [{"external_shipment_id": "a", "errors": ["no"]}]
        assert read_batch({"has_errors": False, "shipments": bad}, _sent("a"), SHIPMENTS).has_errors
        assert not read_batch(
            {"has_errors": False, "shipments": ok}, _sent("a"), SHIPMENTS
        ).has_errors

    def test_structured_errors_give_their_message(self) -> None:
        rows = [{"external_shipment_id": "a", "errors": [{"message": "bad", "error_code": "x"}]}]
        (result,) = read_batch({"shipments": rows}, _sent("a"), SHIPMENTS).results
        assert result.errors == ("bad",)

    @pytest.mark.parametrize(
        "answer",
        [
            {"has_errors": False},
            [],
            {"shipments": []},
            {"shipments": [{"external_shipment_id": "a"}]},
            {"shipments": ["text"]},
        ],
        ids=["no-list", "a-list", "no-row", "no-id-nor-errors", "row-not-object"],
    )
    def test_an_item_the_answer_does_not_account_for_is_in_doubt(self, answer: Any) -> None:
        (result,) = read_batch(answer, _sent("a"), SHIPMENTS).results
        assert result.in_doubt and not result.ok and result.errors


def _sent(*refs: str) -> list[dict[str, str]]:
    return [{"external_shipment_id": ref} for ref in refs]
