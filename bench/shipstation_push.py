"""Benchmark: orders pushed per minute into the simulated ShipStation at its 40-a-minute limit.

The sandbox and the client share a clock, so a simulated minute need not last a real one:
  --clock virtual (default)  time moves only when the client waits; request time counts as zero,
                             which shows what the pacing alone allows;
  --clock scaled --scale 60  wall time sped up 60x (a window lasts 1 s); request time is sped up
                             too, so this figure is pessimistic.
The steady rate is measured between the first and the last createorders call, with a number of
orders that makes the last call open a new window, so no partly used window flatters it.

    python bench/shipstation_push.py --windows 5
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # runnable as a plain script

from adapters.sandbox.server import serving
from adapters.sandbox.shipstation.app import (
    DEMO_API_KEY,
    DEMO_API_SECRET,
    DEMO_STORE_ID,
    ShipStationSandbox,
    create_shipstation_app,
)
from adapters.sandbox.shipstation.clock import SandboxClock, ScaledClock, VirtualClock
from adapters.sandbox.shipstation.demo import demo_orders
from adapters.shipstation import RateState, ShipStationClient
from domain.secrets import Secret
from domain.shop import ShipStationCredentials

LIMIT, BATCH = 40, 100
CEILING = LIMIT * BATCH  # orders a minute if every call carries 100 orders


def build_client(url: str, clock: SandboxClock) -> tuple[ShipStationClient, list[float]]:
    """A client on the shared clock that records when each request leaves (after pacing)."""
    creds = ShipStationCredentials(DEMO_API_KEY, Secret(DEMO_API_SECRET), DEMO_STORE_ID, url)
    client = ShipStationClient(
        creds, "bench", sleep=clock.sleep, monotonic=clock.monotonic,
        rng=random.Random(1), rate_state=RateState(),
    )  # fmt: skip
    stamps: list[float] = []
    send = client.api.client.request

    def timed(method: str, url: Any, **kwargs: Any) -> Any:
        stamps.append(clock.monotonic())
        return send(method, url, **kwargs)

    client.api.client.request = timed  # type: ignore[method-assign]
    return client, stamps


def run(windows: int, clock: SandboxClock, label: str) -> None:
    count = windows * CEILING + BATCH  # the last call opens window windows+1
    orders = demo_orders("bench", count)
    sandbox = ShipStationSandbox(clock=clock, rate_limit=LIMIT)
    with serving(create_shipstation_app(sandbox)) as server:
        client, stamps = build_client(server.url, clock)
        payloads = [client.render(order) for order in orders]
        wall = time.perf_counter()
        results = client.create_orders(payloads)
        wall = time.perf_counter() - wall
        client.close()
    counters = sandbox.counters.snapshot()
    span = stamps[-1] - stamps[0]
    steady = (count - BATCH) / (span / 60)
    print(f"clock: {label}")
    print(f"orders pushed:        {sum(r.success for r in results)} of {count}")
    print(f"createorders calls:   {counters['total']} ({counters['total'] / count:.3f} per order)")
    print(f"429 answers:          {counters['rate_limited']}")
    print(f"simulated time:       {span:.1f} s between first and last call")
    print(f"steady rate:          {steady:,.0f} orders/minute (ceiling {CEILING:,}: 40 x 100)")
    print(f"share of ceiling:     {steady / CEILING:.1%}")
    print(f"wall time:            {wall:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--windows", type=int, default=5, help="full 40-call windows to push")
    parser.add_argument("--clock", choices=["virtual", "scaled"], default="virtual")
    parser.add_argument("--scale", type=float, default=60.0, help="speed-up of the scaled clock")
    args = parser.parse_args()
    if args.clock == "virtual":
        run(args.windows, VirtualClock(), "virtual (waits are instant, request time is zero)")
    else:
        run(args.windows, ScaledClock(args.scale), f"wall time x{args.scale:g}")


if __name__ == "__main__":
    main()
