"""The operator API's V2 part, and the launcher's V2 access to the simulated account."""

from __future__ import annotations

import httpx

from adapters.sandbox.launcher import Sandbox
from tests.contracts.shipstation_v2.conftest import Api, shipment


class TestReadings:
    def test_the_readings_are_strict_by_default_and_switch_one_by_one(self, api: Api) -> None:
        readings = api.admin("GET", "/v2/readings").json()
        assert readings and all(readings.values())
        changed = api.admin("POST", "/v2/readings", json={"phone_required": False}).json()
        assert changed == {**readings, "phone_required": False}
        ship_to = {**shipment(0)["ship_to"], "phone": None}
        assert api.create(shipment(1, ship_to=ship_to))[0]["ship_to"]["phone"] is None

    def test_an_unknown_reading_is_refused_naming_the_known_ones(self, api: Api) -> None:
        answer = api.admin("POST", "/v2/readings", json={"lenient": True})
        assert answer.status_code == 400 and "phone_required" in answer.json()["detail"]


class TestLauncher:
    def test_the_v2_access_is_the_v1_server_with_a_v2_key(self) -> None:
        with Sandbox() as sandbox:
            access = sandbox.shipstation_v2_credentials()
            assert access.base_url == sandbox.shipstation_url == sandbox.shipstation.base_url
            headers = {"API-Key": access.api_key.reveal()}
            answer = httpx.get(f"{access.base_url}/v2/warehouses", headers=headers, timeout=10)
            assert answer.status_code == 200
            assert access.store_id == sandbox.shipstation_credentials().store_id
