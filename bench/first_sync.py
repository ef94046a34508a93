"""One shop's first sync against Temu's ceiling, as a seller runs it: `temuship sync` (the
command, its Prefect flow and tasks, against a running Prefect server), less an empty shop's
`temuship sync`, against the simulated APIs at their real limits (Temu 20 requests/second per
app key, ShipStation 40 a minute).

For each run: a fresh simulated Temu and ShipStation, an empty shop synced first (its time is
what any sync costs beyond reading orders: Prefect, the gate, the label read, the artifacts),
then `--orders` orders seeded and a second shop of the same app key synced. The figure is

    (Temu requests answered during the second sync / 20 per second) / (its time - the empty one's)

that is, how close the orders' reading comes to the key's ceiling. It prints every run and the
median.

    python bench/first_sync.py [--orders 800] [--runs 4]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from fixed_cost import start_server  # bench/fixed_cost.py
from simulated import QPS, limited_sandbox, temu_stats

from flows.settings import apply_offline_defaults

ROOT = Path(__file__).resolve().parents[1]
TEMUSHIP = [sys.executable, "-m", "flows.cli"]


def serve_sandbox(ready: Any, stop: Any) -> None:
    """Child process: both simulated APIs at their real limits, two tokens of one app key."""
    sandbox, _ = limited_sandbox(2)
    with sandbox:
        ready.send((sandbox.temu_url, sandbox.shipstation_url))
        stop.recv()


def temuship(env: dict[str, str], *args: str) -> float:
    started = time.monotonic()
    done = subprocess.run([*TEMUSHIP, *args], env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode not in (0, 1):  # 1: the shop needs a person (ship-by risk): still synced
        sys.exit(f"`temuship {' '.join(args)}` exited {done.returncode}: {done.stderr[-2000:]}")
    return time.monotonic() - started


def connect(env: dict[str, str], name: str, token: str, urls: tuple[str, str]) -> None:
    from adapters.sandbox.shipstation.state import DEMO_API_KEY, DEMO_API_SECRET
    from adapters.sandbox.temu.state import DEMO_APP_KEY, DEMO_APP_SECRET

    temuship(env, "connect", name, "--app-key", DEMO_APP_KEY, "--app-secret", DEMO_APP_SECRET,
             "--access-token", token, "--shipstation-key", DEMO_API_KEY,
             "--shipstation-secret", DEMO_API_SECRET, "--temu-url", urls[0],
             "--shipstation-url", urls[1])  # fmt: skip


def one_run(env: dict[str, str], orders: int, work: Path) -> dict[str, float]:
    from adapters.sandbox.temu.state import DEMO_ACCESS_TOKEN

    ctx = mp.get_context("spawn")
    ready_parent, ready_child = ctx.Pipe()
    stop_parent, stop_child = ctx.Pipe()
    child = ctx.Process(target=serve_sandbox, args=(ready_child, stop_child))
    child.start()
    try:
        urls = ready_parent.recv()
        run_env = {**env, "TEMUSHIP_DATABASE_URL": f"sqlite:///{work / 'temuship.db'}"}
        connect(run_env, "empty", DEMO_ACCESS_TOKEN, urls)
        empty = temuship(run_env, "sync", "empty")
        httpx.post(f"{urls[0]}/admin/seed", json={"count": orders, "seed": 2024}, timeout=60)
        connect(run_env, "full", "bench-token-1", urls)
        t0 = temu_stats(urls[0])
        full = temuship(run_env, "sync", "full")
        t1 = temu_stats(urls[0])
        answered = sum(t1["requests"].values()) - sum(t0["requests"].values())
        refused = t1["refusals"].get("4000004", 0) - t0["refusals"].get("4000004", 0)
    finally:
        stop_parent.send(True)
        child.join(30)
    ideal = answered / QPS
    return {"empty": empty, "full": full, "requests": answered, "refused": refused,
            "ratio": ideal / (full - empty), "raw": ideal / full}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description="A first sync of --orders orders, less an empty shop's, against Temu's ceiling."
    )
    parser.add_argument("--orders", type=int, default=800, help="orders in the full shop")
    parser.add_argument("--runs", type=int, default=4, help="runs (the median is printed)")
    args = parser.parse_args()
    apply_offline_defaults()
    work = Path(tempfile.mkdtemp(prefix="temuship-first-sync-"))
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env.update(TEMUSHIP_HOME=str(work / "home"), PREFECT_HOME=str(work / "prefect"),
               TEMUSHIP_SECRET_KEY="bench-secret-key-not-for-production")  # fmt: skip
    server, url = start_server(env, work / "prefect-server")
    ratios = []
    try:
        for n in range(args.runs):
            run_dir = work / f"run-{n}"
            run_dir.mkdir()
            r = one_run({**env, "PREFECT_API_URL": url}, args.orders, run_dir)
            ratios.append(r["ratio"])
            print(f"run {n + 1}: empty shop {r['empty']:.1f} s, {args.orders} orders "
                  f"{r['full']:.1f} s, {r['requests']:.0f} Temu requests: "
                  f"{r['ratio']:.3f} of the ceiling (less the empty sync), "
                  f"{r['raw']:.3f} over the whole command; 4000004 refusals: "
                  f"{r['refused']:.0f}", flush=True)  # fmt: skip
    finally:
        server.terminate()
        server.wait(30)
    print(f"median {statistics.median(ratios):.3f} over {len(ratios)} runs "
          f"(min {min(ratios):.3f}, max {max(ratios):.3f})")  # fmt: skip


if __name__ == "__main__":
    main()
