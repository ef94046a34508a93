"""Whole-shop sync throughput and memory against the simulated APIs, rate limits off.

For each size (default 10,000 and 20,000 orders) a fresh process: the sandbox runs in a child
process (so its own state does not count), the shop is connected, a first sync imports the
shop, labels are bought in ShipStation for one awaiting order in ten, and a second sync
confirms them. It prints orders a second, requests per order to each API (the sandboxes'
counters) and the sync process's peak memory; the sizes side by side show whether memory
grows with the number of orders (the sync is streamed page by page, so it must not).

The sync runs as the use case's plain steps (gate, pages, push, labels, confirm), without
a Prefect server, so the figures are temuship's own.

    python bench/sync_throughput.py [orders ...]      (default: 10000 20000)
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import resource
import subprocess
import sys
import tempfile
import time
from typing import Any

import httpx

SEED = 2024


def serve_sandbox(orders: int, ready: Any, stop: Any) -> None:
    """Child process: both simulated APIs, limits off, `orders` generated orders."""
    from adapters.sandbox.launcher import Sandbox
    from adapters.sandbox.shipstation.state import ShipStationSandbox
    from adapters.sandbox.temu.state import TemuSandbox

    sandbox = Sandbox(temu=TemuSandbox(qps=None), shipstation=ShipStationSandbox(rate_limit=None))
    sandbox.temu.clock.advance(-30)  # orders touched now fall inside the next sync's window
    with sandbox:
        sandbox.temu.seed_orders(orders, seed=SEED)
        ready.send((sandbox.temu_url, sandbox.shipstation_url))
        stop.recv()


def maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def temu_requests(url: str) -> int:
    return sum(httpx.get(f"{url}/admin/stats").json()["requests"].values())


def shipstation_requests(url: str) -> dict[str, int]:
    return httpx.get(f"{url}/admin/counters").json()["calls"]


def sync_once(services: Any, shop_id: str) -> dict[str, int]:
    import domain.sync as sync

    summary = sync.sync_shop(services, sync.new_request(services, shop_id, run_id="bench"))
    return dict(summary.counts)


def buy_labels(ss_url: str, services: Any, shop_id: str) -> int:
    """Labels for one awaiting order in ten, bought through the sandbox's operator API."""
    from sqlalchemy import text

    with services.uow() as uow:
        sns = [row[0] for row in uow.connection.execute(
            text("SELECT parent_order_sn FROM orders WHERE shop_id = :s AND state = "
                 "'awaiting_shipment' ORDER BY parent_order_sn"), {"s": shop_id})]  # fmt: skip
    from domain.model import order_key

    with httpx.Client(base_url=ss_url) as http:
        for sn in sns[::10]:
            http.post("/admin/labels", json={"orderKey": order_key(shop_id, sn)}).raise_for_status()
    return len(sns[::10])


def one_size(orders: int) -> dict[str, Any]:
    """Runs in its own process: one size, its figures as a dict."""
    os.environ.setdefault("TEMUSHIP_SECRET_KEY", "bench-secret-key-not-for-production")
    home = tempfile.mkdtemp(prefix="temuship-bench-")
    os.environ["TEMUSHIP_HOME"] = home
    ctx = mp.get_context("spawn")
    ready_parent, ready_child = ctx.Pipe()
    stop_parent, stop_child = ctx.Pipe()
    child = ctx.Process(target=serve_sandbox, args=(orders, ready_child, stop_child))
    child.start()
    try:
        temu_url, ss_url = ready_parent.recv()
        return measure(orders, home, temu_url, ss_url)
    finally:
        stop_parent.send(True)
        child.join(30)


def measure(orders: int, home: str, temu_url: str, ss_url: str) -> dict[str, Any]:
    from adapters.sandbox.launcher import Sandbox
    from adapters.temu.client import TemuClient
    from domain.shop import Shop
    from domain.usecases.shops import connect
    from flows import wiring

    services = wiring.bootstrap(
        f"sqlite:///{home}/bench.db", temu_for=lambda s: TemuClient(s.temu, rate=1e6)
    )
    fake = Sandbox()
    fake._temu_server = type("S", (), {"url": temu_url})()  # credentials pointed at the child
    fake._ss_server = type("S", (), {"url": ss_url})()
    shop = Shop("bench", fake.temu_credentials(), fake.shipstation_credentials(),
                created_at=services.clock.now())  # fmt: skip
    connect(services, shop)
    rss_before = maxrss_mb()
    t0, s0 = temu_requests(temu_url), sum(shipstation_requests(ss_url).values())
    started = time.monotonic()
    first = sync_once(services, "bench")
    first_s = time.monotonic() - started
    t1, ss1 = temu_requests(temu_url), shipstation_requests(ss_url)
    labels = buy_labels(ss_url, services, "bench")
    started = time.monotonic()
    second = sync_once(services, "bench")
    second_s = time.monotonic() - started
    t2, ss2 = temu_requests(temu_url), shipstation_requests(ss_url)
    seen = first.get("orders_seen", 0)
    return {
        "orders": orders, "orders_seen": seen, "pushed": first.get("pushed", 0),
        "first_sync_s": round(first_s, 1), "orders_per_s": round(seen / first_s, 1),
        "temu_per_order": round((t1 - t0) / max(seen, 1), 2),
        "shipstation_per_order": round((sum(ss1.values()) - s0) / max(seen, 1), 3),
        "createorders_calls": ss1.get("POST /orders/createorders", 0),
        "labels": labels, "confirmed": second.get("confirmed", 0),
        "second_sync_s": round(second_s, 1), "temu_calls_second": t2 - t1,
        "shipstation_calls_second": sum(ss2.values()) - sum(ss1.values()),
        "rss_before_sync_mb": round(rss_before, 1), "peak_rss_mb": round(maxrss_mb(), 1),
    }  # fmt: skip


def main(sizes: list[int]) -> None:
    results = []
    for orders in sizes:
        done = subprocess.run(
            [sys.executable, __file__, "--one", str(orders)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            sys.exit(f"{orders} orders failed:\n{done.stderr[-3000:]}")
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print_result(results[-1])
    if len(results) > 1:
        a, b = results[0], results[-1]
        grew_a = a["peak_rss_mb"] - a["rss_before_sync_mb"]
        grew_b = b["peak_rss_mb"] - b["rss_before_sync_mb"]
        print(f"\npeak memory: {a['orders']} orders {a['peak_rss_mb']} MB "
              f"(+{grew_a:.1f} MB during the syncs), {b['orders']} orders {b['peak_rss_mb']} MB "
              f"(+{grew_b:.1f} MB)")  # fmt: skip


def print_result(r: dict[str, Any]) -> None:
    print(f"\n{r['orders']} orders in the shop")
    print(f"  first sync    {r['orders_seen']} orders read, {r['pushed']} pushed in "
          f"{r['first_sync_s']} s = {r['orders_per_s']} orders/s")  # fmt: skip
    print(f"  requests      Temu {r['temu_per_order']} per order, ShipStation "
          f"{r['shipstation_per_order']} per order "
          f"({r['createorders_calls']} createorders)")  # fmt: skip
    print(f"  second sync   {r['labels']} labels, {r['confirmed']} confirmed in "
          f"{r['second_sync_s']} s ({r['temu_calls_second']} Temu, "
          f"{r['shipstation_calls_second']} ShipStation requests)")  # fmt: skip
    print(f"  memory        {r['rss_before_sync_mb']} MB before, {r['peak_rss_mb']} MB peak "
          "(max RSS of the sync process; the sandbox runs in its own)")  # fmt: skip


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        print(json.dumps(one_size(int(sys.argv[2]))))
    else:
        main([int(a) for a in sys.argv[1:]] or [10_000, 20_000])
