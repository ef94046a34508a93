"""Pacing: request starts spaced by the rate, one limiter per app key for the whole process."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import pairwise

import pytest
import respx
from temu_support import NOW, SECRET, ok, sent

from adapters.temu import RateLimiter, TemuClient, limiter_for
from adapters.temu.signing import signed_body
from domain.secrets import Secret
from domain.shop import Region, TemuCredentials


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0

    def sleep(self, seconds: float) -> None:
        self.now += seconds


class TestRateLimiter:
    def test_starts_are_spaced_so_no_second_holds_more_than_the_rate(self) -> None:
        fake = FakeTime()
        limiter = RateLimiter(20, monotonic=lambda: fake.now, sleep=fake.sleep)
        starts = []
        for _ in range(100):
            limiter.acquire()
            starts.append(fake.now)
        assert all(b - a >= 1.05 / 20 - 1e-9 for a, b in pairwise(starts))
        assert max(sum(1 for s in starts if t <= s < t + 1) for t in starts) <= 20
        assert 100 / (starts[-1] - starts[0] + 1.05 / 20) >= 0.9 * 20

    def test_hold_off_delays_the_next_start(self) -> None:
        fake = FakeTime()
        limiter = RateLimiter(20, monotonic=lambda: fake.now, sleep=fake.sleep)
        limiter.hold_off(2.0)
        assert limiter.acquire() == 2.0


class TestRegistry:
    def test_clients_of_one_app_key_share_a_limiter(self) -> None:
        def creds(token: str, key: str = "shared-app-key") -> TemuCredentials:
            return TemuCredentials(key, Secret("s" * 16), Secret(token))

        first, second = TemuClient(creds("a" * 20)), TemuClient(creds("b" * 20))
        other = TemuClient(creds("c" * 20, key="other-app-key"))
        assert first.transport.limiter is second.transport.limiter is limiter_for("shared-app-key")
        assert other.transport.limiter is not first.transport.limiter

    def test_region_picks_the_router_host(self) -> None:
        def url(region: Region, base: str | None = None) -> str:
            creds = TemuCredentials("k", Secret("s"), Secret("t"), region, base)
            return TemuClient(creds).transport.url

        assert url(Region.US) == "https://openapi-b-us.temu.com/openapi/router"
        assert url(Region.EU) == "https://openapi-b-eu.temu.com/openapi/router"
        assert url(Region.GLOBAL) == "https://openapi-b-global.temu.com/openapi/router"
        assert url(Region.US, "http://127.0.0.1:9/") == "http://127.0.0.1:9/openapi/router"


class SlotAfter:
    """A budget whose slot comes `seconds` after the request asks (the clock moves on)."""

    rate = 20.0

    def __init__(self, clock: MovingClock, seconds: float) -> None:
        self.clock, self.seconds = clock, seconds

    def acquire(self, sleep: object = None, claim: object = None) -> float:
        self.clock.at += self.seconds
        return self.seconds

    def hold_off(self, seconds: float) -> None:
        raise AssertionError("no refusal here")


class MovingClock:
    def __init__(self) -> None:
        self.at = float(NOW)

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.at, UTC)


class TestSignedBeforeItsSlot:
    """A request is signed before it waits for its slot, so that only the send is left when
    the slot comes; one that waited over a minute is signed again (Temu takes ±300 s)."""

    @pytest.mark.parametrize(("waited", "stamped"), [(5.0, NOW), (90.0, NOW + 90)])
    def test_the_timestamp_sent(
        self, credentials: TemuCredentials, router: respx.Route, waited: float, stamped: int
    ) -> None:
        clock = MovingClock()
        client = TemuClient(credentials, clock=clock, sleep=lambda s: None, jitter=lambda: 1.0)
        client.transport.limiter = SlotAfter(clock, waited)
        router.mock(return_value=ok({"ok": True}))
        client.transport.call("bg.order.list.v2.get", {"pageNumber": 1})
        body = sent(router.calls.last)
        assert body["timestamp"] == stamped
        assert body["sign"] == signed_body({k: v for k, v in body.items() if k != "sign"},
                                           SECRET)["sign"]  # fmt: skip
