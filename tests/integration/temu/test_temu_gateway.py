"""The simulated gateway itself: its rate limit, carriers' containers, the admin API."""

from __future__ import annotations

import time

import httpx
import pytest


class TestRateLimit:
    def test_a_paced_client_stays_under_the_limit_and_keeps_it_busy(
        self, sandbox, make_client
    ) -> None:
        sandbox.qps = 20
        client = make_client(rate=20.0, sleep=time.sleep)
        started = time.monotonic()
        for _ in range(30):
            client.warehouses()
        elapsed = time.monotonic() - started
        assert 4000004 not in sandbox.refusals
        assert 29 / elapsed >= 0.9 * 20

    def test_an_unpaced_client_is_refused_and_recovers(self, sandbox, make_client) -> None:
        sandbox.qps = 5
        client = make_client(rate=1000.0, sleep=time.sleep)
        found = client.ship_to(list(sandbox.seed_orders(12, seed=1)))
        assert sandbox.refusals[4000004] > 0
        assert all(not isinstance(v, Exception) for v in found.values())


class TestGatewayChecks:
    @pytest.mark.parametrize("container", ["array", "items", "logisticsCompaniesList"])
    def test_carriers_in_every_container(self, sandbox, client, container) -> None:
        sandbox.carrier_container = container
        assert [c.name for c in client.carriers(211)][:2] == ["USPS", "UPS"]

    def test_only_post_is_served(self, server) -> None:
        assert httpx.get(f"{server.url}/openapi/router").status_code == 405


class TestAdminApi:
    def test_seed_status_faults_and_stats_over_http(self, sandbox, server, client) -> None:
        with httpx.Client(base_url=f"{server.url}/admin") as admin:
            sns = admin.post("/seed", json={"count": 30, "seed": 9}).json()["parentOrderSns"]
            assert admin.get("/orders").json()["count"] == 30
            admin.post(f"/orders/{sns[0]}/status", json={"status": 3})
            assert admin.get(f"/orders/{sns[0]}").json()["parentOrderMap"]["parentOrderStatus"] == 3
            admin.post("/faults", json={"kind": "5xx", "count": 1})
            client.warehouses()
            admin.post("/expiry-mode", json={"mode": "http401"})
            assert admin.post("/expiry-mode", json={"mode": "nope"}).status_code == 422
            stats = admin.get("/stats").json()
        assert stats["requests"]["fault:5xx"] == 1 and sandbox.expiry_mode == "http401"

    def test_the_seed_is_deterministic(self) -> None:
        from adapters.sandbox.temu.app import TemuSandbox

        one, two = TemuSandbox(), TemuSandbox()
        assert one.seed_orders(50, seed=3) == two.seed_orders(50, seed=3)
