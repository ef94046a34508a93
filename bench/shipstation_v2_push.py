"""Benchmark: orders pushed per minute into the simulated ShipStation V2 at its 200-a-minute limit,
and the requests an order costs there: created, changed (content, hold, cancel, shipped with
Temu's tracking) and its label read back.

The sandbox and the client share a virtual clock: time moves only when the client waits, and a
request takes no time, which shows what the pacing alone allows (as bench/shipstation_push.py
--clock virtual does for V1). Every call goes through ShipStationV2Gateway over real HTTP to the
simulated V2 (its stricter readings on: ship_by_date refused on create, found out on the first
one). The steady rate is measured from the first create to the last, with a number of orders
that makes the last call open a new minute.

    python bench/shipstation_v2_push.py [--minutes 2] [--changes 600] [--labels 1000]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # runnable as a plain script

from adapters.sandbox.server import serving
from adapters.sandbox.shipstation.app import ShipStationSandbox, create_shipstation_app
from adapters.sandbox.shipstation.clock import VirtualClock
from adapters.sandbox.shipstation.demo import demo_orders
from adapters.sandbox.shipstation.v2.account import DEMO_V2_API_KEY
from adapters.shipstation.v2 import ShipStationV2Api
from adapters.shipstation.v2.gateway import ShipStationV2Gateway
from adapters.shipstation.v2.pacing import RATE
from adapters.temu.pacing import RateLimiter
from domain.model import OrderState, Tracking
from domain.order import Order
from domain.ports import OutgoingOrder, PushResult
from domain.secrets import Secret
from domain.shop import v2_credentials

LIMIT, BATCH = 200, 100
CEILING = LIMIT * BATCH  # orders a minute if every call creates 100
SHOP = "bench"


@dataclass
class Phase:
    name: str
    orders: int
    requests: int
    seconds: float  # simulated, first request to last
    failed: int

    def line(self) -> str:
        per = self.requests / self.orders if self.orders else 0.0
        rate = (self.orders / (self.seconds / 60)) if self.seconds > 0 else float("inf")
        said = f"{self.name:<28} {self.orders:>6} orders, {self.requests:>5} requests "
        return f"{said}({per:.4f} per order), {rate:,.0f} orders/minute, {self.failed} failed"


class Bench:
    def __init__(self, url: str, clock: VirtualClock) -> None:
        self.clock = clock
        limiter = RateLimiter(RATE, monotonic=clock.monotonic, sleep=clock.sleep)
        self.api = ShipStationV2Api(
            DEMO_V2_API_KEY, base_url=url, limiter=limiter, sleep=clock.sleep, clock=clock.now
        )
        self.stamps: list[float] = []
        send = self.api.http.client.request

        def timed(method: str, target: Any, **kwargs: Any) -> Any:
            self.stamps.append(clock.monotonic())
            return send(method, target, **kwargs)

        self.api.http.client.request = timed  # type: ignore[method-assign,assignment]
        warehouse = self.api.warehouses()[0].warehouse_id
        account = v2_credentials(Secret(DEMO_V2_API_KEY), None, url, warehouse)
        self.gateway = ShipStationV2Gateway(account, SHOP, self.api, lambda: clock.now().date())

    def measure(self, name: str, count: int, work: Callable[[], int]) -> Phase:
        before, first = self.api.requests, len(self.stamps)
        failed = work()
        stamps = self.stamps[first:]
        span = stamps[-1] - stamps[0] if len(stamps) > 1 else 0.0
        return Phase(name, count, self.api.requests - before, span, failed)

    def push(self, outgoing: Sequence[OutgoingOrder]) -> list[PushResult]:
        results: list[PushResult] = []
        for start in range(0, len(outgoing), BATCH):
            results += self.gateway.push(outgoing[start : start + BATCH])
        return results


def first_send(gateway: ShipStationV2Gateway, order: Order) -> OutgoingOrder:
    return OutgoingOrder(order.key, order.parent_order_sn, order.state, gateway.render(order))


def known(
    gateway: ShipStationV2Gateway,
    order: Order,
    sent: PushResult,
    state: OrderState,
    change: bool = False,
) -> OutgoingOrder:
    """The order ShipStation has (pending, as last sent), now to be `state` (or changed)."""
    payload = gateway.render(order)
    if change:
        payload = {**payload, "shipment": {**payload["shipment"], "internal_notes": "changed"}}
    tracking = (Tracking(f"94001118992233{sent.remote_id}", "USPS"),)
    return OutgoingOrder(
        order.key, order.parent_order_sn, state, payload, sent.remote_id,
        OrderState.AWAITING_SHIPMENT, tracking=tracking, sent_payload=gateway.render(order),
    )  # fmt: skip


def run(minutes: int, changes: int, labels: int) -> None:
    clock = VirtualClock()
    sandbox = ShipStationSandbox(clock=clock, rate_limit=None)  # V2 at 200 a minute per key
    count = minutes * CEILING + BATCH  # the last create opens minute minutes+1
    orders = demo_orders(SHOP, count)
    wall = time.perf_counter()
    with serving(create_shipstation_app(sandbox)) as server:
        bench = Bench(server.url, clock)
        sent: list[PushResult] = []

        def create() -> int:
            sent.extend(bench.push([first_send(bench.gateway, o) for o in orders]))
            return sum(not r.success for r in sent)

        phases = [bench.measure("created (new, pending)", count, create)]
        phases += change_phases(bench, orders, sent, changes)
        phases.append(label_phase(bench, sandbox, orders[changes * 4 : changes * 4 + labels]))
        bench.api.close()
    report(phases, sandbox, count, time.perf_counter() - wall)


def change_phases(bench: Bench, orders: list[Order], sent: list[PushResult], n: int) -> list[Phase]:
    kinds = [("replaced whole (PUT)", OrderState.AWAITING_SHIPMENT, True),
             ("held (Temu 1)", OrderState.ON_HOLD, False),
             ("cancelled (Temu 3)", OrderState.CANCELLED, False),
             ("shipped with Temu's tracking", OrderState.SHIPPED, False)]  # fmt: skip
    phases = []
    for i, (name, state, change) in enumerate(kinds):
        part = range(i * n, (i + 1) * n)
        outgoing = [known(bench.gateway, orders[k], sent[k], state, change) for k in part]
        phases.append(bench.measure(name, n, _pushing(bench, outgoing)))
    return phases


def _pushing(bench: Bench, outgoing: list[OutgoingOrder]) -> Callable[[], int]:
    return lambda: sum(not r.success for r in bench.push(outgoing))


def label_phase(bench: Bench, sandbox: ShipStationSandbox, orders: list[Order]) -> Phase:
    since = bench.clock.now()
    for order in orders:
        sandbox.create_labels(order.key)

    def read() -> int:
        found = [label for page in bench.gateway.labels_since(since) for label in page.labels]
        return len(orders) - sum(1 for label in found if label.lines)

    return bench.measure("labels read back", len(orders), read)


def report(phases: list[Phase], sandbox: ShipStationSandbox, count: int, wall: float) -> None:
    created = phases[0]
    steady = (count - BATCH) / (created.seconds / 60)
    print("clock: virtual (waits are instant, request time is zero); V2 limit 200 a minute")
    for phase in phases:
        print(phase.line())
    print(f"steady create rate:          {steady:,.0f} orders/minute "
          f"(ceiling {CEILING:,}: 200 x 100), {steady / CEILING:.1%} of it")  # fmt: skip
    print(f"429 answers:                 {sandbox.counters.rate_limited}")
    print(f"wall time:                   {wall:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=int, default=2, help="full minutes of creates")
    parser.add_argument("--changes", type=int, default=600, help="orders per kind of change")
    parser.add_argument("--labels", type=int, default=1000, help="labels bought, then read")
    args = parser.parse_args()
    if args.changes * 4 + args.labels > args.minutes * CEILING:
        parser.error("--changes x 4 + --labels must not exceed the orders created")
    run(args.minutes, args.changes, args.labels)


if __name__ == "__main__":
    main()
