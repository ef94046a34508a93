"""Error paths: 401 stops, 429 waits the reset, 400 fails one order, 5xx and drops retry."""

from __future__ import annotations

import json

import httpx
import pytest
import respx

from adapters.sandbox.shipstation.demo import demo_orders
from adapters.shipstation import RateState, RetryPolicy, ShipStationClient
from domain.errors import AuthenticationFailed, TransientError
from tests.adapters.shipstation.conftest import SECRET, FakeTime, limit_headers

TOO_MANY = {"message": "Too Many Requests"}


def results_for(request: httpx.Request) -> httpx.Response:
    sent = json.loads(request.content)
    rows = [{"orderId": 1, "orderKey": p["orderKey"], "success": True} for p in sent]
    return httpx.Response(200, json={"hasErrors": False, "results": rows})


def stores_ok() -> httpx.Response:
    return httpx.Response(200, json=[], headers=limit_headers())


class TestAuthentication:
    def test_401_is_authentication_failed_naming_shipstation_and_never_retried(
        self, router: respx.Router, client: ShipStationClient
    ) -> None:
        route = router.get("/stores").respond(
            401, json={"Message": "Authorization has been denied"}
        )
        with pytest.raises(AuthenticationFailed) as caught:
            client.stores()
        assert "ShipStation rejected the API key and secret (HTTP 401)" in str(caught.value)
        assert SECRET not in str(caught.value)
        assert route.call_count == 1


class TestRateLimits:
    def test_429_waits_the_reset_then_succeeds(
        self, router: respx.Router, client: ShipStationClient, fake_time: FakeTime
    ) -> None:
        limited = httpx.Response(429, json=TOO_MANY, headers=limit_headers(0, 17))
        route = router.get("/stores").mock(side_effect=[limited, stores_ok()])
        assert client.stores() == []
        assert route.call_count == 2
        assert sum(fake_time.sleeps) == pytest.approx(17.5)  # the reset plus the safety margin

    def test_429_without_headers_waits_a_whole_minute(
        self, router: respx.Router, client: ShipStationClient, fake_time: FakeTime
    ) -> None:
        router.get("/stores").mock(side_effect=[httpx.Response(429, json=TOO_MANY), stores_ok()])
        client.stores()
        assert sum(fake_time.sleeps) == pytest.approx(60.5)

    def test_a_spent_window_is_waited_out_before_sending(
        self, router: respx.Router, client: ShipStationClient, fake_time: FakeTime
    ) -> None:
        router.get("/stores").mock(
            side_effect=[httpx.Response(200, json=[], headers=limit_headers(0, 42)), stores_ok()]
        )
        client.stores()
        assert fake_time.sleeps == []
        client.stores()
        assert fake_time.sleeps == [pytest.approx(42.5)]

    def test_the_last_requests_of_a_window_are_spread_out(
        self, router: respx.Router, client: ShipStationClient, fake_time: FakeTime
    ) -> None:
        router.get("/stores").respond(200, json=[], headers=limit_headers(2, 30))
        client.stores()
        client.stores()
        assert fake_time.sleeps == [pytest.approx(10.0)]  # 30 s left, 2 requests left

    def test_clients_of_one_key_share_the_window(
        self, router: respx.Router, make_client, fake_time: FakeTime
    ) -> None:
        shared = RateState()
        first, second = make_client(rate_state=shared), make_client(rate_state=shared)
        router.get("/stores").respond(200, json=[], headers=limit_headers(0, 20))
        first.stores()
        second.stores()
        assert fake_time.sleeps == [pytest.approx(20.5)]


class TestBadRequests:
    def test_model_state_naming_an_order_fails_it_alone_and_resends_the_rest(
        self, router: respx.Router, client: ShipStationClient
    ) -> None:
        payloads = [client.render(o) for o in demo_orders("shop-1", 20)]
        state = {"apiOrders[17].orderDate": ["The value 'x' is not valid for orderDate."]}
        body = {"Message": "The request is invalid.", "ModelState": state}
        invalid = httpx.Response(400, json=body)
        route = router.post("/orders/createorders").mock(side_effect=[invalid, results_for])
        results = client.create_orders(payloads)
        assert [r.success for r in results].count(False) == 1
        assert not results[17].success
        assert results[17].error == "orderDate: The value 'x' is not valid for orderDate."
        resent = json.loads(route.calls[1].request.content)
        assert len(resent) == 19 and payloads[17] not in resent

    def test_a_400_that_names_no_order_fails_every_order_of_the_call(
        self, router: respx.Router, client: ShipStationClient
    ) -> None:
        payloads = [client.render(o) for o in demo_orders("shop-1", 2)]
        router.post("/orders/createorders").respond(
            400, json={"Message": "The request is invalid.", "ModelState": {"apiOrders": ["bad"]}}
        )
        results = client.create_orders(payloads)
        assert [r.success for r in results] == [False, False]
        assert "apiOrders: bad" in (results[0].error or "")


class TestTransientFailures:
    def test_500_is_retried_with_backoff(
        self, router: respx.Router, client: ShipStationClient, fake_time: FakeTime
    ) -> None:
        body = {"Message": "An error has occurred.", "ExceptionMessage": "Object reference"}
        crash = httpx.Response(500, json=body)
        route = router.get("/stores").mock(side_effect=[crash, crash, stores_ok()])
        assert client.stores() == []
        assert route.call_count == 3
        assert 0.25 <= fake_time.sleeps[0] <= 0.5 and 0.5 <= fake_time.sleeps[1] <= 1.0

    def test_retries_are_bounded(
        self, router: respx.Router, make_client, fake_time: FakeTime
    ) -> None:
        client = make_client(retry=RetryPolicy(attempts=3))
        route = router.get("/stores").respond(503, text="<html>Service Unavailable</html>")
        with pytest.raises(TransientError) as caught:
            client.stores()
        assert route.call_count == 3 and caught.value.code == 503

    @pytest.mark.parametrize(
        "failure",
        [httpx.ReadTimeout("timed out"), httpx.RemoteProtocolError("peer closed connection")],
    )
    def test_timeouts_and_resets_are_retried(
        self, router: respx.Router, client: ShipStationClient, failure: Exception
    ) -> None:
        route = router.get("/stores").mock(side_effect=[failure, stores_ok()])
        assert client.stores() == []
        assert route.call_count == 2

    def test_a_timeout_that_persists_is_a_transient_error(
        self, router: respx.Router, make_client
    ) -> None:
        client = make_client(retry=RetryPolicy(attempts=2))
        router.get("/stores").mock(side_effect=httpx.ConnectTimeout("no route"))
        with pytest.raises(TransientError, match="timed out"):
            client.stores()
