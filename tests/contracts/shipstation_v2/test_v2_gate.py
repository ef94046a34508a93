"""What V2 does before a resource: API-Key, 200 a minute per key (429 + Retry-After), the
injected faults, and the standard error body for unknown routes and methods."""

from __future__ import annotations

import httpx
import pytest

from adapters.sandbox.shipstation.state import DEMO_API_KEY
from tests.contracts.shipstation_v2.conftest import Api, errors_of


class TestAuth:
    @pytest.mark.parametrize("key", [None, "", "wrong-key", DEMO_API_KEY])
    def test_a_missing_or_wrong_key_is_a_401(self, api: Api, shipstation, key) -> None:
        headers = {} if key is None else {"API-Key": key}
        answer = api.wire.http.get(f"{api.wire.base_url}/v2/warehouses", headers=headers)
        assert answer.status_code == 401
        (error,) = errors_of(answer)
        assert (error["error_code"], error["error_type"]) == ("unauthorized", "security")
        assert shipstation.counters.unauthorized == 1

    def test_the_header_name_is_case_insensitive(self, api: Api) -> None:
        for name in ("api-key", "API-KEY", "Api-Key"):
            answer = api.wire.http.get(f"{api.wire.base_url}/v2/carriers", headers={name: api.key})
            assert answer.status_code == 200, name

    def test_a_v1_key_pair_does_not_open_v2_nor_a_v2_key_v1(self, api: Api) -> None:
        assert api.v1("GET", "/v2/carriers").status_code == 401
        v1_with_v2_key = api.wire.http.get(
            f"{api.wire.base_url}/stores", headers={"API-Key": api.key}
        )
        assert v1_with_v2_key.status_code == 401

    def test_a_key_made_by_the_admin_api_works_and_a_revoked_one_does_not(self, api: Api) -> None:
        key = api.admin("POST", "/v2/keys", json={}).json()["api_key"]
        other = Api(api.wire, key=key)
        assert other.get("/v2/warehouses").status_code == 200
        assert api.admin("DELETE", f"/v2/keys/{key}").status_code == 200
        assert other.get("/v2/warehouses").status_code == 401

    def test_the_jwks_needs_no_key(self, api: Api) -> None:
        answer = api.wire.http.get(f"{api.wire.base_url}/v2/jwks")
        assert answer.status_code == 200
        assert {k["kty"] for k in answer.json()["keys"]} == {"RSA", "EC"}


class TestRateLimit:
    def test_past_the_limit_a_429_with_retry_after_then_the_next_window(
        self, api: Api, shipstation, clock
    ) -> None:
        shipstation.v2.set_rate_limit(3)
        answers = [api.get("/v2/warehouses") for _ in range(4)]
        assert [a.status_code for a in answers] == [200, 200, 200, 429]
        limited = answers[-1]
        assert limited.headers["Retry-After"] == "60"
        (error,) = errors_of(limited)
        assert (error["error_code"], error["error_type"], error["error_source"]) == (
            "rate_limit_exceeded",
            "system",
            "ShipStation",
        )
        assert not any(h.lower().startswith("x-rate-limit") for h in answers[0].headers)
        clock.advance(45)
        assert api.get("/v2/warehouses").headers["Retry-After"] == "15"
        clock.advance(15)
        assert api.get("/v2/warehouses").status_code == 200
        assert shipstation.counters.rate_limited == 2

    def test_the_default_is_200_a_minute_per_key_apart_from_v1(self, api: Api, shipstation) -> None:
        assert shipstation.v2.rate.limit == 200 and shipstation.rate.limit == 40
        shipstation.set_rate_limit(1)
        assert api.v1("GET", "/stores").status_code == 200
        assert api.v1("GET", "/stores").status_code == 429
        assert api.get("/v2/warehouses").status_code == 200  # V1's window is not V2's
        shipstation.v2.set_rate_limit(1)
        other = Api(api.wire, key=shipstation.v2.new_key())
        assert api.get("/v2/warehouses").status_code == 429
        assert other.get("/v2/warehouses").status_code == 200  # one window per key

    def test_the_admin_api_sets_or_lifts_the_v2_limit(self, api: Api, shipstation) -> None:
        answer = api.admin("POST", "/v2/rate-limit", json={"limit": 2, "windowSeconds": 10})
        assert answer.json() == {"limit": 2, "windowSeconds": 10}
        assert [api.get("/v2/carriers").status_code for _ in range(3)] == [200, 200, 429]
        api.admin("POST", "/v2/rate-limit", json={"limit": None})
        assert api.get("/v2/carriers").status_code == 200


class TestFaults:
    @pytest.mark.parametrize(
        ("kind", "status", "body"),
        [
            ("error", 503, None),
            ("empty_error", 502, b""),
            ("html", 200, b"<html>"),
            ("malformed", 200, b'{"shipments": [{'),
            ("empty", 200, b""),
        ],
    )
    def test_each_fault_then_the_answer(self, api: Api, shipstation, kind, status, body) -> None:
        shipstation.inject_fault(kind, count=1, status=status, path="/v2/shipments")
        assert api.get("/v2/carriers").status_code == 200  # another path waits its turn
        faulted = api.get("/v2/shipments")
        assert faulted.status_code == status
        if body is None:
            assert errors_of(faulted)[0]["error_type"] == "system"
        else:
            assert faulted.content.startswith(body)
        assert api.get("/v2/shipments").status_code == 200

    def test_a_429_burst_asks_to_retry_after_the_seconds_given(self, api: Api, shipstation) -> None:
        shipstation.inject_fault("rate_limit", count=2, retry_after=7, path="/v2/labels")
        burst = [api.get("/v2/labels") for _ in range(3)]
        assert [a.status_code for a in burst] == [429, 429, 200]
        assert burst[0].headers["Retry-After"] == "7"
        assert errors_of(burst[1])[0]["error_code"] == "rate_limit_exceeded"

    def test_the_admin_api_queues_a_429_burst_and_a_slow_answer(
        self, api: Api, shipstation
    ) -> None:
        queued = api.admin(
            "POST", "/faults", json={"kind": "rate_limit", "retryAfter": 3, "path": "/v2/shipments"}
        )
        assert queued.json() == {"queued": "rate_limit"}
        assert api.get("/v2/shipments").headers["Retry-After"] == "3"
        api.admin("POST", "/faults", json={"kind": "slow", "delay": 0.01, "path": "/v2/labels"})
        assert api.get("/v2/labels").status_code == 200
        assert shipstation.faults.pending() == 0
        unknown = api.admin("POST", "/faults", json={"kind": "teapot"})
        assert unknown.status_code == 400 and "rate_limit" in unknown.json()["detail"]

    def test_a_dropped_connection(self, api: Api, shipstation, transport) -> None:
        if transport != "served":
            pytest.skip("a dropped connection needs a socket")
        shipstation.inject_fault("drop", path="/v2/shipments")
        with pytest.raises(httpx.HTTPError):
            api.get("/v2/shipments")
        assert api.get("/v2/shipments").status_code == 200

    def test_v1_paths_get_the_new_kinds_in_v1_shape(self, api: Api, shipstation) -> None:
        shipstation.inject_fault("rate_limit", retry_after=9, path="/stores")
        limited = api.v1("GET", "/stores")
        assert limited.status_code == 429 and limited.headers["X-Rate-Limit-Reset"] == "9"
        assert limited.json() == {"message": "Too Many Requests"}


class TestCrash:
    def test_a_failure_of_the_sandbox_is_a_500_with_the_standard_body(
        self, api: Api, shipstation, transport, monkeypatch
    ) -> None:
        if transport != "served":
            pytest.skip("in process the bridge raises the app's exception instead")

        def broken() -> None:
            raise RuntimeError("a bug")

        monkeypatch.setattr(shipstation.v2.catalog, "warehouse_list", broken)
        crashed = api.get("/v2/warehouses")
        assert crashed.status_code == 500
        assert errors_of(crashed)[0]["error_type"] == "system"


class TestUnknownRoutes:
    def test_an_unknown_path_is_a_404_and_a_wrong_method_a_405(self, api: Api) -> None:
        missing = api.get("/v2/orders")
        assert missing.status_code == 404 and errors_of(missing)[0]["message"]
        wrong = api.call("DELETE", "/v2/shipments")
        assert wrong.status_code == 405 and errors_of(wrong)
        assert api.v1("GET", "/nowhere").json()["Message"].startswith("No HTTP resource")
