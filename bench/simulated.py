"""The simulated APIs at their real limits, as the rate benches run them in a child process:
Temu 20 requests/second per app key (4000004 beyond), ShipStation 40 requests/minute per API
key (429 beyond), one token (mall) per shop, and when each answered Temu request was counted."""

from __future__ import annotations

import time
from bisect import bisect_left
from collections import Counter
from typing import Any

import httpx

SEED = 2024
QPS = 20.0
SS_LIMIT = 40


class TimedCounter(Counter[str]):
    """The Temu sandbox's request counter, noting when each answered request was counted."""

    def __init__(self) -> None:
        super().__init__()
        self.times: list[float] = []

    def __setitem__(self, key: str, value: int) -> None:
        self.times.append(time.monotonic())  # CLOCK_MONOTONIC: one clock for every process
        super().__setitem__(key, value)


def limited_sandbox(shops: int) -> tuple[Any, TimedCounter]:
    """Both simulated APIs at their real limits, one token per shop of one app key (every
    token sees every seeded order), and the counter of Temu's answered requests."""
    from adapters.sandbox.launcher import Sandbox
    from adapters.sandbox.shipstation.state import ShipStationSandbox
    from adapters.sandbox.temu.state import DEMO_APP_KEY, TemuSandbox

    sandbox = Sandbox(
        temu=TemuSandbox(qps=QPS), shipstation=ShipStationSandbox(rate_limit=SS_LIMIT)
    )
    sandbox.temu.clock.advance(-30)  # orders touched now fall inside the next sync's window
    counter = sandbox.temu.requests = TimedCounter()
    for n in range(1, shops):
        sandbox.temu.add_token(f"bench-token-{n}", DEMO_APP_KEY, mall_id=7_000_000 + n)
    return sandbox, counter


def timing(times: list[float]) -> dict[str, float]:
    """First and last answered request, and the most answered in any one second."""
    if not times:
        return {"first": 0.0, "last": 0.0, "count": 0, "busiest": 0}
    busiest = max(i - bisect_left(times, t - 1.0) + 1 for i, t in enumerate(times))
    return {"first": times[0], "last": times[-1], "count": len(times), "busiest": busiest}


def temu_stats(url: str) -> dict[str, Any]:
    return dict(httpx.get(f"{url}/admin/stats").json())


def ss_counters(url: str) -> dict[str, Any]:
    return dict(httpx.get(f"{url}/admin/counters").json())
