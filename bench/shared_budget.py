"""Shops of one Temu app key (and one ShipStation account) syncing in separate processes,
against the simulated APIs with their real limits: Temu 20 requests/second per app key
(refuses with 4000004 beyond), ShipStation 40 requests/minute per API key (429 beyond).

For each pacing mode, a fresh SQLite file (or, with --postgres, a scratch database on the
server TEMUSHIP_TEST_DATABASE_URL names) and a first sync of every shop, each shop in its own
process, started together:

- `shared`: the budgets in the database (adapters/db/budgets.py, as flows/wiring.py wires it);
- `process` (the control): each process paces on its own (TEMUSHIP_RATE_BUDGET=process).

It prints the Temu requests answered, the rate reached against the key's ceiling (the budget
is the key's: the shops share one 20/s), the 4000004 refusals and the 429s (both must be 0 in
`shared`), and the budget's round trips. `--shops 1` gives one shop's efficiency.

    python bench/shared_budget.py [--orders 250] [--shops 2] [--postgres] [--modes shared,process]
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
from typing import Any

from simulated import QPS, SEED, limited_sandbox, ss_counters, temu_stats, timing

from flows.settings import apply_offline_defaults


def serve_sandbox(orders: int, shops: int, ready: Any, stop: Any) -> None:
    """Child process: both simulated APIs at their real limits; one token (mall) per shop."""
    sandbox, counter = limited_sandbox(shops)
    with sandbox:
        sandbox.temu.seed_orders(orders, seed=SEED)
        ready.send((sandbox.temu_url, sandbox.shipstation_url))
        while (since := stop.recv()) is not True:  # a start time: when were requests answered
            stop.send(timing([t for t in list(counter.times) if t >= since]))


def connect_shops(database_url: str, temu_url: str, ss_url: str, shops: int) -> list[str]:
    from adapters.sandbox.launcher import Sandbox
    from adapters.sandbox.temu.state import DEMO_ACCESS_TOKEN
    from domain.shop import Shop
    from domain.usecases.shops import connect
    from flows import wiring

    services = wiring.bootstrap(database_url, shared_budgets=False)
    fake = Sandbox()
    fake._temu_server = type("S", (), {"url": temu_url})()  # credentials pointed at the child
    fake._ss_server = type("S", (), {"url": ss_url})()
    names = []
    for n in range(shops):
        token = DEMO_ACCESS_TOKEN if n == 0 else f"bench-token-{n}"
        name = f"shop-{n}"
        shop = Shop(name, fake.temu_credentials(token), fake.shipstation_credentials(),
                    created_at=services.clock.now())  # fmt: skip
        connect(services, shop)
        names.append(name)
    return names


def worker(database_url: str, shop_id: str) -> None:
    """One shop's first sync in this process, when the parent says go; prints its figures."""
    import domain.sync as sync
    from flows import wiring

    os.environ["TEMUSHIP_DATABASE_URL"] = database_url
    services = wiring.current()  # as a flow run's process builds them
    request = sync.new_request(services, shop_id, run_id="bench")
    # Prefect (the events a sync emits) is started before the clock: its start-up is the fixed
    # cost bench/fixed_cost.py measures, not the budget's efficiency.
    services.events.emit("temuship.bench.ready", shop_id, {})
    print("ready", flush=True)
    sys.stdin.readline()
    started = time.monotonic()
    summary = sync.sync_shop(services, request)
    elapsed = time.monotonic() - started
    budgets = []
    from adapters.db.budgets import budgets_for
    from adapters.db.engine import engine_for

    for budget in budgets_for(engine_for(database_url))._temu.values():
        budgets.append({"round_trips": budget.round_trips, "slots": budget.slots_taken,
                        "dropped": budget.slots_dropped})  # fmt: skip
    print(json.dumps({"elapsed": elapsed, "counts": dict(summary.counts), "temu": budgets}))


def run_mode(
    mode: str, database_url: str, temu_url: str, ss_url: str, shops: int, sandbox: Any
) -> dict:
    names = connect_shops(database_url, temu_url, ss_url, shops)
    env = {**os.environ, "TEMUSHIP_RATE_BUDGET": mode}
    procs = [
        subprocess.Popen(
            [sys.executable, __file__, "--worker", database_url, name],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for name in names
    ]
    for proc in procs:
        assert proc.stdout is not None
        if proc.stdout.readline().strip() != "ready":
            sys.exit(f"{mode}: a worker did not start")
    t0, s0 = temu_stats(temu_url), ss_counters(ss_url)
    started = time.monotonic()
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    results = []
    for proc in procs:
        out, _ = proc.communicate(timeout=1800)
        if proc.returncode != 0:
            sys.exit(f"{mode}: a worker failed")
        results.append(json.loads(out.strip().splitlines()[-1]))
    wall = time.monotonic() - started
    t1, s1 = temu_stats(temu_url), ss_counters(ss_url)
    answered = sum(t1["requests"].values()) - sum(t0["requests"].values())
    refused = t1["refusals"].get("4000004", 0) - t0["refusals"].get("4000004", 0)
    busiest = max(r["elapsed"] for r in results)
    sandbox.send(started)  # CLOCK_MONOTONIC: the sandbox's clock too
    answers = sandbox.recv()
    span = answers["last"] - answers["first"]
    return {
        "mode": mode, "shops": shops, "wall_s": round(wall, 1),
        "sync_s": [round(r["elapsed"], 1) for r in results],
        "orders_seen": [r["counts"].get("orders_seen", 0) for r in results],
        "temu_answered": answered, "temu_4000004": refused,
        "rate": round(answered / busiest, 2), "efficiency": round(answered / busiest / QPS, 3),
        "span_s": round(span, 1),
        "span_efficiency": round(answers["count"] / span / QPS, 3) if span > 0 else 0.0,
        "ss_requests": s1["total"] - s0["total"], "ss_429": s1["rate_limited"] - s0["rate_limited"],
        "budget": [r["temu"] for r in results],
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=250)
    parser.add_argument("--shops", type=int, default=2)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--modes", default="shared,process")
    args = parser.parse_args()
    apply_offline_defaults()  # as the temuship command: no telemetry, Prefect's long start-up
    os.environ.setdefault("TEMUSHIP_SECRET_KEY", "bench-secret-key-not-for-production")
    os.environ["TEMUSHIP_HOME"] = tempfile.mkdtemp(prefix="temuship-bench-")
    ctx = mp.get_context("spawn")
    ready_parent, ready_child = ctx.Pipe()
    stop_parent, stop_child = ctx.Pipe()
    child = ctx.Process(target=serve_sandbox,
                        args=(args.orders, args.shops, ready_child, stop_child))  # fmt: skip
    child.start()
    try:
        temu_url, ss_url = ready_parent.recv()
        for mode in args.modes.split(","):
            if args.postgres:
                from scratch_db import scratch_postgres  # bench/scratch_db.py

                scratch = scratch_postgres()
            else:
                folder = tempfile.mkdtemp(prefix=f"budget-{mode}-")
                scratch = nullcontext(f"sqlite:///{folder}/temuship.db")
            with scratch as url:
                if url is None:
                    sys.exit("--postgres needs TEMUSHIP_TEST_DATABASE_URL")
                report(run_mode(mode, url, temu_url, ss_url, args.shops, stop_parent), args.orders)
    finally:
        stop_parent.send(True)
        child.join(30)


def report(r: dict, orders: int) -> None:
    print(f"\n{r['mode']}: {r['shops']} shop(s) of one app key, {orders} orders each, "
          f"one process each")  # fmt: skip
    print(f"  syncs          {r['sync_s']} s ({r['orders_seen']} orders read)")
    print(f"  Temu           {r['temu_answered']} requests answered, {r['rate']} req/s = "
          f"{100 * r['efficiency']:.1f}% of the key's {QPS:g}/s over the slowest sync; "
          f"{100 * r['span_efficiency']:.1f}% over the {r['span_s']} s from the first to the "
          f"last answered request; 4000004 refusals: {r['temu_4000004']}")  # fmt: skip
    print(f"  ShipStation    {r['ss_requests']} requests, 429s: {r['ss_429']}")
    if r["mode"] == "shared":
        print(f"  budget         {r['budget']}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"]:
        worker(sys.argv[2], sys.argv[3])
    else:
        main()
