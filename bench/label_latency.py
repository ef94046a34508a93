"""Benchmark: from a label bought in ShipStation to Temu accepting its confirmation, by the two
paths of `temuship serve`: a webhook (V1 SHIP_NOTIFY at serve's receiver, the account's check
run at once) and the one-minute label check alone (no --public-url). Then the ShipStation
requests an hour of an idle ShipStation account with one shop and with twenty.

It runs serve's own components in this process (Serve's receiver, webhook hand-off, label check
loop and subscriptions, as `temuship serve` starts them, without the Prefect server and the
deployments, which take no part in a label's way) against the simulated APIs over real HTTP at
their real limits (Temu 20 requests a second, ShipStation V1 40 a minute), on a SQLite file.
Labels are bought at uniformly random times over a window, one order each; a label's latency
runs from the moment it is bought to the moment the simulated Temu records its confirmation.

The idle hour: one account's checks driven for two hours on a virtual clock (one check a
minute, as the schedule gives; the requests are real, counted by the simulated ShipStation),
the second hour counted; and one idle sync of each shop counted and taken 6 times (the
every-10-minutes schedule), for the whole of what serve asks of an idle account.

    python bench/label_latency.py [--labels 50] [--webhook-window 150] [--check-window 240]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # runnable as a plain script

from adapters.sandbox.launcher import Sandbox
from adapters.sandbox.shipstation.state import DEMO_API_KEY, DEMO_API_SECRET, ShipStationSandbox
from adapters.sandbox.temu.seed import make_address
from adapters.sandbox.temu.state import DEMO_APP_KEY, DEMO_APP_SECRET, TemuSandbox
from domain.model import order_key
from domain.ports import NoEvents, Services

SHOP = "bench-labels"


class TimedShipments(list):  # type: ignore[type-arg]
    """The simulated Temu's shipments, noting when each parent order's first one came."""

    def __init__(self) -> None:
        super().__init__()
        self.first: dict[str, float] = {}

    def append(self, item: Any) -> None:
        self.first.setdefault(item.parent_order_sn, time.monotonic())
        super().append(item)


class VirtualClock:
    def __init__(self) -> None:
        self.at = datetime.now(UTC)
        self.seconds = 0.0

    def now(self) -> datetime:
        return self.at + timedelta(seconds=self.seconds)

    def monotonic(self) -> float:
        return self.seconds


def world(work: Path, shops: int, orders: int, limit: int | None) -> tuple[Sandbox, Services]:
    """The simulated APIs, `shops` shops connected on one ShipStation account (a Temu mall
    each), `orders` Temu orders awaiting shipment, and every shop synced once."""
    from flows import wiring

    temu = TemuSandbox(qps=20.0)
    temu.clock.advance(-30)  # orders touched now fall inside the first sync's window
    sandbox = Sandbox(temu=temu, shipstation=ShipStationSandbox(rate_limit=limit)).__enter__()
    rng = random.Random(2026)
    for sn in temu.seed_orders(orders, seed=11) if orders else []:
        order = temu.orders[sn]
        order.labels.clear()
        order.shipped_at = None
        order.address = make_address(rng, 1)
        temu.set_status(sn, 2)
    temu.shipments = TimedShipments()
    os.environ.update(TEMUSHIP_HOME=str(work / "home"), TEMUSHIP_SECRET_KEY="bench-only-secret-key",
                      TEMUSHIP_DATABASE_URL=f"sqlite:///{work / 'temuship.db'}")  # fmt: skip
    services = wiring.bootstrap(events=NoEvents())
    names = [SHOP if n == 0 else f"{SHOP}-{n}" for n in range(shops)]
    for n, name in enumerate(names):
        token = f"uplbench{n:04d}".ljust(40, "0")
        temu.add_token(token, DEMO_APP_KEY, mall_id=8_000_000 + n)
        _connect(services, sandbox, name, token)
    import domain.sync as sync

    for name in names:
        sync.sync_shop(services, sync.new_request(services, name))
    return sandbox, services


def _connect(services: Services, sandbox: Sandbox, name: str, token: str) -> None:
    from typer.testing import CliRunner

    from flows import wiring
    from flows.cli.app import app

    args = ["connect", name, "--app-key", DEMO_APP_KEY, "--app-secret", DEMO_APP_SECRET,
            "--access-token", token, "--shipstation-key", DEMO_API_KEY, "--shipstation-secret",
            DEMO_API_SECRET, "--temu-url", sandbox.temu_url, "--shipstation-url",
            sandbox.shipstation_url]  # fmt: skip
    with wiring.using(services):
        done = CliRunner().invoke(app, args, catch_exceptions=False)
    if done.exit_code != 0:
        sys.exit(f"temuship connect {name} failed: {done.output[-1500:]}")


def start_serve(services: Services, public: bool) -> Any:
    """Serve's receiver, hand-off and label check loop, started as `temuship serve` does."""
    from flows.serve.processes import port_free
    from flows.serve.service import Serve, ServeOptions

    port = next(p for p in range(18642, 18742) if port_free("127.0.0.1", p))
    url = f"http://127.0.0.1:{port}" if public else None
    serve = Serve(ServeOptions("127.0.0.1", port, url), services, say=lambda line: None)
    serve._start_receiver_and_check()
    serve.parts.ready.set()
    return serve


def stop_serve(serve: Any) -> None:
    for part in (serve.parts.receiver, serve.parts.hints, serve.parts.labels):
        part.stop(20.0)


def latencies(sandbox: Sandbox, sns: list[str], window: float, seed: int) -> list[float]:
    """Buy a label for each order at a random moment of `window` seconds; each one's seconds
    from bought to confirmed to Temu."""
    rng = random.Random(seed)
    moments = sorted(rng.uniform(0.0, window) for _ in sns)
    shipments: TimedShipments = sandbox.temu.shipments  # type: ignore[assignment]
    start, bought = time.monotonic(), {}
    for sn, moment in zip(sns, moments, strict=True):
        time.sleep(max(0.0, start + moment - time.monotonic()))
        bought[sn] = time.monotonic()
        sandbox.shipstation.create_labels(order_key(SHOP, sn))
    deadline = time.monotonic() + 180.0
    while time.monotonic() < deadline and not all(sn in shipments.first for sn in sns):
        time.sleep(0.05)
    missing = [sn for sn in sns if sn not in shipments.first]
    if missing:
        sys.exit(f"{len(missing)} label(s) never reached Temu, e.g. {missing[0]}")
    return [shipments.first[sn] - bought[sn] for sn in sns]


def figures(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    return (f"p50 {statistics.median(ordered):5.1f} s   p95 {p95:5.1f} s   "
            f"max {ordered[-1]:5.1f} s   ({len(ordered)} labels)")  # fmt: skip


def latency_runs(args: argparse.Namespace, work: Path) -> None:
    sandbox, services = world(work, shops=1, orders=2 * args.labels + 10, limit=40)
    try:
        sns = sorted(sn for sn in sandbox.temu.orders
                     if order_key(SHOP, sn) in sandbox.shipstation.orders)  # fmt: skip
        if len(sns) < 2 * args.labels:
            sys.exit(f"only {len(sns)} orders reached ShipStation; {2 * args.labels} needed")
        serve = start_serve(services, public=True)
        hooks = sandbox.shipstation.v2.webhooks
        _wait(lambda: hooks.v1, "serve's SHIP_NOTIFY subscription")
        webhook = latencies(sandbox, sns[: args.labels], args.webhook_window, seed=1)
        stop_serve(serve)
        hooks.v1.clear()
        serve = start_serve(services, public=False)
        check = latencies(sandbox, sns[args.labels : 2 * args.labels], args.check_window, 2)
        stop_serve(serve)
    finally:
        sandbox.__exit__(None, None, None)
    print(f"webhook (V1 SHIP_NOTIFY)   {figures(webhook)}   goal p95 <= 10 s")
    print(f"one-minute check           {figures(check)}   goal p95 <= 75 s")


def idle_hour(work: Path, shops: int) -> tuple[int, int, int]:
    """An idle account's ShipStation requests an hour: the check alone, with webhooks, and
    the scheduled syncs."""
    from flows.serve.accounts import accounts
    from flows.serve.labels import confirm_new_labels
    from flows.serve.subscriptions import Subscriptions
    from flows.serve.wiring import label_check

    sandbox, services = world(work, shops=shops, orders=0, limit=None)
    counted = lambda: int(sandbox.shipstation.counters.snapshot()["total"])  # noqa: E731
    try:
        results, clock = [], VirtualClock()  # one clock: the cursors the checks move stay behind it
        timed = replace(services, clock=clock)
        for public in (None, "http://127.0.0.1:9"):
            (account,) = accounts(timed)
            confirm = lambda a, s=timed: confirm_new_labels(s, list(a.shop_ids))  # noqa: E731
            check = label_check(timed, Subscriptions(timed, public), confirm, clock.monotonic)
            for _hour in (1, 2):  # the first makes the subscriptions: the second counts
                before = counted()
                for _ in range(60):
                    clock.seconds += 60.0
                    check(account)
            results.append(counted() - before)
        import domain.sync as sync

        before = counted()
        for name in accounts(services)[0].shop_ids:
            sync.sync_shop(services, sync.new_request(services, name))
        results.append(6 * (counted() - before))
    finally:
        sandbox.__exit__(None, None, None)
    return results[0], results[1], results[2]


def _wait(probe: Any, what: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not probe():
        if time.monotonic() > deadline:
            sys.exit(f"timed out waiting for {what}")
        time.sleep(0.1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--labels", type=int, default=50)
    parser.add_argument("--webhook-window", type=float, default=150.0)
    parser.add_argument("--check-window", type=float, default=240.0)
    parser.add_argument("--skip-latency", action="store_true")
    args = parser.parse_args()
    print("label bought -> Temu accepted its confirmation (serve's components in-process, "
          "simulated APIs at their real limits)")  # fmt: skip
    if not args.skip_latency:
        with tempfile.TemporaryDirectory() as work:
            latency_runs(args, Path(work))
    print(
        "ShipStation requests an hour, idle account (the check: a virtual hour of checks, "
        "real requests counted; syncs: one idle sync of each shop counted, times 6)"
    )
    for shops in (1, 20):
        with tempfile.TemporaryDirectory() as work:
            check, webhooks, syncs = idle_hour(Path(work), shops)
        print(
            f"{shops:>2} shop(s): label check {check}/h, with --public-url {webhooks}/h; "
            f"scheduled syncs {syncs}/h; all of serve {check + syncs}/h "
            f"({(check + syncs) / 2400:.1%} of V1's 2400 an hour)"
        )


if __name__ == "__main__":
    main()
