"""V1 webhook calls: subscribe, list (both documented shapes), unsubscribe (an empty 200)."""

from __future__ import annotations

import json

import httpx
import pytest
import respx

from adapters.shipstation import ShipStationClient
from domain.errors import ExternalApiError, UnexpectedAnswer
from tests.adapters.shipstation.conftest import limit_headers

TARGET = "https://temuship.example/webhooks/shipstation/acme/token"
ROW = {"IsLabelAPIHook": False, "WebHookID": 123456, "SellerID": 1, "StoreID": 65,
       "HookType": "SHIP_NOTIFY", "MessageFormat": "Json", "Url": TARGET,
       "Name": "temuship labels", "Active": True, "WebhookLogs": []}  # fmt: skip


class TestSubscribe:
    def test_sends_the_target_event_store_and_name_and_returns_the_id(
        self, router: respx.Router, client: ShipStationClient
    ) -> None:
        route = router.post("/webhooks/subscribe").mock(
            return_value=httpx.Response(200, json={"id": 123456}, headers=limit_headers())
        )
        assert client.subscribe(TARGET, "SHIP_NOTIFY", 65, "temuship labels") == 123456
        assert json.loads(route.calls.last.request.content) == {
            "target_url": TARGET, "event": "SHIP_NOTIFY", "store_id": 65,
            "friendly_name": "temuship labels",
        }  # fmt: skip

    def test_an_answer_without_an_id_is_refused(
        self, router: respx.Router, client: ShipStationClient
    ) -> None:
        router.post("/webhooks/subscribe").mock(return_value=httpx.Response(200, json={}))
        with pytest.raises(UnexpectedAnswer):
            client.subscribe(TARGET, "SHIP_NOTIFY", 65, "temuship labels")

    def test_a_refused_key_raises_the_api_error(
        self, router: respx.Router, client: ShipStationClient
    ) -> None:
        router.post("/webhooks/subscribe").mock(return_value=httpx.Response(401))
        with pytest.raises(ExternalApiError) as refused:
            client.subscribe(TARGET, "SHIP_NOTIFY", 65, "temuship labels")
        assert refused.value.code == 401


class TestList:
    @pytest.mark.parametrize("answer", [{"webhooks": [ROW]}, [ROW]])
    def test_reads_the_wrapped_and_the_bare_list(
        self, router: respx.Router, client: ShipStationClient, answer: object
    ) -> None:
        router.get("/webhooks").mock(return_value=httpx.Response(200, json=answer))
        assert client.list_webhooks() == [
            {"id": "123456", "url": TARGET, "event": "SHIP_NOTIFY", "store_id": 65,
             "name": "temuship labels", "active": True}
        ]  # fmt: skip

    def test_a_list_that_is_not_one_is_refused(
        self, router: respx.Router, client: ShipStationClient
    ) -> None:
        router.get("/webhooks").mock(return_value=httpx.Response(200, json={"webhooks": 3}))
        with pytest.raises(UnexpectedAnswer):
            client.list_webhooks()


class TestUnsubscribe:
    def test_an_empty_200_is_done(self, router: respx.Router, client: ShipStationClient) -> None:
        route = router.delete("/webhooks/123456").mock(return_value=httpx.Response(200))
        client.unsubscribe("123456")
        assert route.call_count == 1

    def test_an_unknown_id_raises_the_api_error(
        self, router: respx.Router, client: ShipStationClient
    ) -> None:
        router.delete("/webhooks/9").mock(return_value=httpx.Response(404, json={"Message": "x"}))
        with pytest.raises(ExternalApiError) as refused:
            client.unsubscribe(9)
        assert refused.value.code == 404
