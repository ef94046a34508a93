"""The simulated APIs of bench/scale.py, in a child process: Temu at 20 requests/second per app
key (4000004 beyond), ShipStation V1 at 40 requests/minute per API key (429 beyond), one Temu
mall and one ShipStation key per shop. The backlog shop's mall holds its orders from the
start; every quiet shop's mall gets a new order (awaiting shipment, with an address) at a
random moment of every interval while the trickle runs. It notes when each trickled order
appeared in Temu and when it arrived in ShipStation, and when each Temu request was answered
(all, and the backlog mall's)."""

from __future__ import annotations

import gc
import itertools
import random
import sys
import threading
import time
from collections import Counter, deque
from typing import Any

from simulated import QPS, SEED, SS_LIMIT, TimedCounter, timing

BACKLOG_MALL = 8_000_000
QUIET_MALL = 7_000_000  # + the quiet shop's number
SCAN_EVERY = 0.5  # seconds between looks at ShipStation's orders


def ss_key(n: int) -> tuple[str, str]:
    """Shop n's ShipStation key and secret (n = 0: the backlog shop)."""
    return f"bench-ss-key-{n}", f"bench-ss-secret-{n}"


def temu_token(n: int) -> str:
    return f"bench-token-{n}"


class MallTimes(Counter[int]):
    """Requests answered per mall, noting when the backlog mall's were answered."""

    def __init__(self) -> None:
        super().__init__()
        self.backlog_times: list[float] = []

    def __setitem__(self, key: int, value: int) -> None:
        if key == BACKLOG_MALL:
            self.backlog_times.append(time.monotonic())
        super().__setitem__(key, value)


class Trickle:
    """New orders in the quiet shops' malls, and when each reached ShipStation."""

    def __init__(self, sandbox: Any, quiet: int, interval: float) -> None:
        self.sandbox, self.quiet, self.interval = sandbox, quiet, interval
        self.created: dict[str, tuple[int, float]] = {}  # sn -> (shop number, when)
        self.arrived: dict[str, float] = {}
        self.running = threading.Event()
        self.rng = random.Random(SEED)

    def run(self, until: float) -> None:
        from adapters.sandbox.temu.seed import make_address

        temu, turn_start = self.sandbox.temu, time.monotonic()
        while time.monotonic() < until:
            moments = sorted((turn_start + self.rng.uniform(0, self.interval), n)
                             for n in range(1, self.quiet + 1))  # fmt: skip
            for at, n in moments:
                if at >= until:
                    return
                time.sleep(max(0.0, at - time.monotonic()))
                (sn,) = temu.seed_orders(1, seed=self.rng.randrange(10**9), mall_id=QUIET_MALL + n)
                with temu.lock:
                    temu.orders[sn].address = make_address(self.rng, 1)
                    temu.set_status(sn, 2)
                self.created[sn] = (n, time.monotonic())
            turn_start += self.interval

    def watch(self) -> None:
        seen = 0  # ShipStation's orders are kept in the order they came: look at the new ones
        while True:
            time.sleep(SCAN_EVERY)
            with self.sandbox.shipstation.lock:
                keys = list(itertools.islice(self.sandbox.shipstation.orders, seen, None))
            seen += len(keys)
            now = time.monotonic()
            for key in keys:
                sn = "PO-" + key.rsplit("-PO-", 1)[-1]
                if sn in self.created and sn not in self.arrived:
                    self.arrived[sn] = now


def make_sandbox(shops: int, backlog: int) -> tuple[Any, TimedCounter, MallTimes]:
    from adapters.sandbox.launcher import Sandbox
    from adapters.sandbox.shipstation.state import ShipStationSandbox
    from adapters.sandbox.temu.state import DEMO_APP_KEY, TemuSandbox

    keys = dict(ss_key(n) for n in range(shops + 1))
    shipstation = ShipStationSandbox(rate_limit=SS_LIMIT, credentials=keys)
    sandbox = Sandbox(temu=TemuSandbox(qps=QPS), shipstation=shipstation)
    sandbox.temu.clock.advance(-30)  # orders touched now fall inside the next sync's window
    counter = sandbox.temu.requests = TimedCounter()
    malls = sandbox.temu.requests_by_mall = MallTimes()
    sandbox.temu.add_token(temu_token(0), DEMO_APP_KEY, mall_id=BACKLOG_MALL)
    for n in range(1, shops + 1):
        sandbox.temu.add_token(temu_token(n), DEMO_APP_KEY, mall_id=QUIET_MALL + n)
    return sandbox, counter, malls


def serve(shops: int, backlog: int, interval: float, conn: Any) -> None:
    """Child process: answers ("trickle", seconds), ("figures", since) and ("stop", None)."""
    # A full collection of a heap this size stalls every thread for 100+ ms, and the requests
    # that arrive meanwhile are counted together (bench/work_pool.py): young objects only.
    gc.disable()
    # The simulated Temu times each request as its event loop takes it, while other threads
    # (its answers, ShipStation's, the trickle) hold the GIL: 1 ms at a time, not 5.
    sys.setswitchinterval(0.001)
    threading.Thread(target=_collect_young, daemon=True).start()
    sandbox, counter, malls = make_sandbox(shops, backlog)
    refused_at, refused_seconds = note_refusals()
    trickle = Trickle(sandbox, shops, interval)
    with sandbox:
        sandbox.temu.seed_orders(backlog, seed=SEED, mall_id=BACKLOG_MALL)
        threading.Thread(target=trickle.watch, daemon=True).start()
        conn.send((sandbox.temu_url, sandbox.shipstation_url))
        while True:
            what, arg = conn.recv()
            if what == "trickle":
                until = time.monotonic() + arg
                threading.Thread(target=trickle.run, args=(until,), daemon=True).start()
                conn.send(True)
            elif what == "figures":
                found = figures(sandbox, counter, malls, trickle, arg)
                conn.send(found | {"refused_at": refused_at, "refused_seconds": refused_seconds})
            else:
                return


def note_refusals() -> tuple[list[float], list[dict[str, Any]]]:
    """When the simulated Temu refused a request (4000004), on the bench's clock, and for each
    refusal the accepted requests within a second of it: (seconds from it, mall)."""
    import adapters.sandbox.temu.gate as gate

    times: list[float] = []
    seconds: list[dict[str, Any]] = []
    accepted: deque[tuple[float, int | None]] = deque(maxlen=int(4 * QPS))
    current = threading.local()
    check_token, check_rate = gate._check_token, gate._check_rate

    def token(state: Any, body: Any) -> Any:
        found = check_token(state, body)
        current.mall = found.mall_id
        return found

    def rate(state: Any, app_key: str, arrived: float | None = None) -> None:
        at = time.monotonic() if arrived is None else arrived
        try:
            check_rate(state, app_key, arrived)
        except Exception:
            times.append(time.monotonic())
            near = [(t - at, mall) for t, mall in list(accepted) if abs(t - at) <= 1.0]
            seconds.append({"mall": getattr(current, "mall", None), "near": near})
            raise
        accepted.append((at, getattr(current, "mall", None)))

    gate._check_token = token  # type: ignore[assignment]
    gate._check_rate = rate  # type: ignore[assignment]
    return times, seconds


def figures(sandbox: Any, counter: TimedCounter, malls: MallTimes, trickle: Trickle,
            since: float) -> dict[str, Any]:  # fmt: skip
    times = [t for t in list(counter.times) if t >= since]
    backlog_times = [t for t in list(malls.backlog_times) if t >= since]
    ss = sandbox.shipstation.counters.snapshot()
    return {
        "all": timing(times), "all_times": times, "backlog_times": backlog_times,
        "by_mall": dict(malls), "refusals": dict(sandbox.temu.refusals),
        "ss": ss, "created": dict(trickle.created), "arrived": dict(trickle.arrived),
        "in_shipstation": len(sandbox.shipstation.orders),
    }  # fmt: skip


def _collect_young() -> None:
    while True:
        time.sleep(1.0)
        gc.collect(1)
