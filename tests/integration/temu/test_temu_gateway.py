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


class TestCountedOnArrival:
    """The limit counts requests when they reached the gateway, not when they were answered."""

    def check(self, sandbox, arrived: float) -> bool:
        from adapters.sandbox.temu.gate import _check_rate
        from adapters.sandbox.temu.model import TemuFailure

        try:
            _check_rate(sandbox, "key", arrived)
        except TemuFailure as refusal:
            assert refusal.code == 4000004
            return False
        return True

    def test_twenty_a_second_pass_and_the_twenty_first_is_refused(self, sandbox) -> None:
        sandbox.qps = 20
        assert all(self.check(sandbox, 100.0 + i * 0.05) for i in range(20))  # 100.0 .. 100.95
        assert not self.check(sandbox, 100.99)  # 21 inside (99.99, 100.99]
        assert self.check(sandbox, 101.0)  # 100.0 has left that second

    def test_one_handled_late_counts_when_it_came(self, sandbox) -> None:
        sandbox.qps = 20
        for i in range(20):
            assert self.check(sandbox, 100.0 + i * 0.0515)
        # The next came 1.03 s after the first, and was handled after a later one: both pass.
        assert self.check(sandbox, 100.0 + 21 * 0.0515)
        assert self.check(sandbox, 100.0 + 20 * 0.0515)

    def test_one_handled_late_is_refused_if_it_fills_a_later_second(self, sandbox) -> None:
        sandbox.qps = 2
        assert self.check(sandbox, 10.0) and self.check(sandbox, 10.8)
        # Came at 10.5, handled after 10.8: (9.8, 10.8] would hold three.
        assert not self.check(sandbox, 10.5)
        assert self.check(sandbox, 11.01)
