"""A quiet shop beside a backlog on one Temu app key: what the fair share gives each.

Two shops of one app key, each syncing in its own process (as bench/shared_budget.py runs
them, the budget in the database), against the simulated APIs at their real limits (Temu
20 requests/second per app key, ShipStation 40 a minute per API key):

- the backlog shop's first sync of `--backlog` orders (none updated in the last 4 days);
- the quiet shop's incremental sync (its cursor two minutes old) of `--quiet` new orders.

Two phases, each on a fresh sandbox and a fresh database: the quiet shop alone, then the
quiet shop started once the backlog's import is under way (after `--lead` Temu requests). It
prints the quiet shop's sync time alone and beside the backlog (and the span of its Temu
requests: the rest of its sync waits on the ShipStation key both shops share), the
backlog's share of the slots the quiet shop left while it synced, the key's throughput
against its ceiling from the backlog's first request to its last, and the refusals (Temu
4000004, ShipStation 429).
`--busy N` runs N CPU-bound loops beside both phases (ended after).

    python bench/fair_share.py [--backlog 1500] [--quiet 40] [--lead 200] [--busy 2] [--postgres]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import subprocess
import sys
import tempfile
import time
from contextlib import nullcontext
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from shared_budget import connect_shops  # bench/shared_budget.py, beside this script
from simulated import QPS, limited_sandbox, ss_counters, temu_stats

from flows.settings import apply_offline_defaults

HERE = Path(__file__).resolve().parent
BACKLOG, QUIET = "shop-0", "shop-1"  # shop-0 holds the sandbox's demo token, shop-1 bench-token-1


def serve_sandbox(backlog: int, quiet: int, ready: Any, ask: Any) -> None:
    """Child process: both APIs at their real limits; the backlog's orders (old), the quiet
    shop's (updated now); notes which token each answered Temu request came with, and when."""
    import adapters.sandbox.temu.app as temu_app

    answered: list[tuple[float, str]] = []
    admit = temu_app.admit

    def noting(state: Any, raw: bytes, handlers: Any) -> Any:
        body, token = admit(state, raw, handlers)
        answered.append((time.monotonic(), BACKLOG if "bench-token" not in raw.decode() else QUIET))
        return body, token

    temu_app.admit = noting  # type: ignore[assignment]
    sandbox, _ = limited_sandbox(2)
    with sandbox:
        temu = sandbox.temu
        temu.clock.advance(-4 * 86400)  # the backlog's orders: none updated in the last 4 days
        temu.seed_orders(backlog, seed=31)
        temu.clock.advance(4 * 86400)
        for sn in temu.seed_orders(quiet, seed=32):
            temu.touch(temu.orders[sn])
        ready.send((sandbox.temu_url, sandbox.shipstation_url))
        while ask.recv() is not True:
            ask.send(list(answered))


def start_worker(database_url: str, shop_id: str) -> subprocess.Popen[str]:
    worker = subprocess.Popen(
        [sys.executable, str(HERE / "shared_budget.py"), "--worker", database_url, shop_id],
        cwd=HERE, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert worker.stdout is not None
    if worker.stdout.readline().strip() != "ready":
        sys.exit(f"the worker of {shop_id} did not start")
    return worker


def go(worker: subprocess.Popen[str]) -> float:
    assert worker.stdin is not None
    worker.stdin.write("go\n")
    worker.stdin.flush()
    return time.monotonic()


def ended(worker: subprocess.Popen[str]) -> dict[str, Any]:
    out, _ = worker.communicate(timeout=3600)
    if worker.returncode != 0:
        sys.exit("a worker failed")
    return dict(json.loads(out.strip().splitlines()[-1]))


def quiet_cursor(database_url: str) -> None:
    """The quiet shop has synced before: its cursors two minutes old."""
    from domain.sync.plan import SHIPMENT_CURSOR, TEMU_CURSOR
    from flows import wiring

    services = wiring.bootstrap(database_url, shared_budgets=False)
    when = datetime.now(UTC) - timedelta(minutes=2)
    with services.uow() as uow:
        uow.cursors.set(QUIET, TEMU_CURSOR, when)
        uow.cursors.set(QUIET, SHIPMENT_CURSOR, when)
        uow.commit()


def phase(args: argparse.Namespace, database_url: str, beside: bool) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    ready_parent, ready_child = ctx.Pipe()
    ask_parent, ask_child = ctx.Pipe()
    child = ctx.Process(target=serve_sandbox,
                        args=(args.backlog, args.quiet, ready_child, ask_child))  # fmt: skip
    child.start()
    try:
        temu_url, ss_url = ready_parent.recv()
        connect_shops(database_url, temu_url, ss_url, 2)
        quiet_cursor(database_url)
        t0, s0 = temu_stats(temu_url), ss_counters(ss_url)
        big = start_worker(database_url, BACKLOG) if beside else None
        quiet = start_worker(database_url, QUIET)
        big_started = 0.0
        if big is not None:
            big_started = go(big)
            while len(log(ask_parent)) < args.lead:
                if big.poll() is not None:
                    sys.exit("the backlog's worker ended before the quiet shop began")
                time.sleep(0.05)
        quiet_started = go(quiet)
        quiet_result = ended(quiet)
        quiet_ended = time.monotonic()
        big_result = ended(big) if big is not None else None
        t1, s1 = temu_stats(temu_url), ss_counters(ss_url)
        answered = log(ask_parent)
    finally:
        ask_parent.send(True)
        child.join(30)
    refused = t1["refusals"].get("4000004", 0) - t0["refusals"].get("4000004", 0)
    return {
        "quiet_s": quiet_result["elapsed"],
        "quiet_orders": quiet_result["counts"].get("orders_seen", 0),
        "backlog_s": big_result["elapsed"] if big_result else None,
        "backlog_orders": big_result["counts"].get("orders_seen", 0) if big_result else None,
        "answered": answered, "window": (quiet_started, quiet_ended), "backlog_go": big_started,
        "temu_4000004": refused, "ss_429": s1["rate_limited"] - s0["rate_limited"],
    }  # fmt: skip


def quiet_span(result: dict[str, Any]) -> float:
    """From the quiet shop's first Temu request of its sync to its last."""
    start, end = result["window"]
    times = [t for t, who in result["answered"] if who == QUIET and start <= t <= end]
    return times[-1] - times[0] if len(times) > 1 else 0.0


def log(ask: Any) -> list[tuple[float, str]]:
    ask.send("log")
    return list(ask.recv())


def shares(result: dict[str, Any]) -> dict[str, float]:
    """While the quiet shop synced: its requests, the backlog's, and the backlog's share of the
    slots the quiet left; from the backlog's first answered request to its last: the key's rate."""
    start, end = result["window"]
    inside = [who for t, who in result["answered"] if start <= t <= end]
    quiet, backlog = inside.count(QUIET), inside.count(BACKLOG)
    left = QPS * (end - start) - quiet
    times = [t for t, who in result["answered"] if who == BACKLOG and t >= result["backlog_go"]]
    span = times[-1] - times[0] if len(times) > 1 else 0.0
    total = sum(1 for t, _ in result["answered"] if times and times[0] <= t <= times[-1])
    return {"quiet_requests": quiet, "backlog_requests": backlog,
            "backlog_share": backlog / left if left > 0 else 0.0,
            "key_rate": total / span if span else 0.0, "span_s": span}  # fmt: skip


def scratch(postgres: bool, name: str) -> Any:
    if postgres:
        from scratch_db import scratch_postgres  # bench/scratch_db.py

        return scratch_postgres()
    return nullcontext(f"sqlite:///{tempfile.mkdtemp(prefix=f'fair-{name}-')}/temuship.db")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backlog", type=int, default=1500)
    parser.add_argument("--quiet", type=int, default=40)
    parser.add_argument("--lead", type=int, default=200)
    parser.add_argument("--busy", type=int, default=0)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    apply_offline_defaults()
    os.environ.setdefault("TEMUSHIP_SECRET_KEY", "bench-secret-key-not-for-production")
    os.environ["TEMUSHIP_HOME"] = tempfile.mkdtemp(prefix="temuship-bench-")
    loops = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(args.busy)]
    try:
        results = {}
        for name, beside in (("alone", False), ("beside", True)):
            with scratch(args.postgres, name) as url:
                if url is None:
                    sys.exit("--postgres needs TEMUSHIP_TEST_DATABASE_URL")
                results[name] = phase(args, url, beside)
    finally:
        for loop in loops:
            loop.kill()
            loop.wait()
    report(args, results["alone"], results["beside"])


def report(args: argparse.Namespace, alone: dict[str, Any], beside: dict[str, Any]) -> None:
    figures = shares(beside)
    where = "PostgreSQL" if args.postgres else "SQLite"
    print(f"\nfair share of one app key ({where}, {args.busy} CPU-bound loops beside): a quiet "
          f"shop's {args.quiet} new orders, a backlog of {args.backlog} orders")  # fmt: skip
    print(f"  quiet sync      alone {alone['quiet_s']:.1f} s, beside the backlog "
          f"{beside['quiet_s']:.1f} s ({beside['quiet_orders']} orders read); its Temu "
          f"requests, first to last: alone {quiet_span(alone):.1f} s, beside "
          f"{quiet_span(beside):.1f} s")  # fmt: skip
    print(f"  while it synced quiet {figures['quiet_requests']} Temu requests, backlog "
          f"{figures['backlog_requests']}: {100 * figures['backlog_share']:.1f}% of the slots "
          f"the quiet shop left (ceiling {QPS:g}/s)")  # fmt: skip
    print(f"  key             {figures['key_rate']:.2f} req/s = "
          f"{100 * figures['key_rate'] / QPS:.1f}% of the ceiling over the backlog's "
          f"{figures['span_s']:.1f} s ({beside['backlog_orders']} orders read in "
          f"{beside['backlog_s']:.1f} s)")  # fmt: skip
    print(f"  refusals        4000004: alone {alone['temu_4000004']}, beside "
          f"{beside['temu_4000004']}; ShipStation 429: alone {alone['ss_429']}, beside "
          f"{beside['ss_429']}")  # fmt: skip


if __name__ == "__main__":
    main()
