"""Temu adapter throughput against the sandbox with its 20 QPS per app key limit switched on.

Reads a whole shop the way a first sync does (every page of the order list, then the ship-to
of every order awaiting shipment) and prints the request rate next to the limit, the
rate-limit refusals, and requests per imported order.

    python bench/temu_throughput.py [orders] [qps]
"""

from __future__ import annotations

import sys
import time

from adapters.sandbox.server import serving
from adapters.sandbox.temu.app import TemuSandbox, create_temu_app, demo_credentials
from adapters.temu import TemuClient
from domain.model import Address

AWAITING = frozenset({2, 41, 51})


def main(orders: int = 2000, qps: float = 20.0) -> None:
    """Run the read and print the figures."""
    sandbox = TemuSandbox(qps=qps)
    sandbox.seed_orders(orders, seed=2024)
    with serving(create_temu_app(sandbox)) as server:
        client = TemuClient(demo_credentials(server.url), rate=qps)
        started = time.monotonic()
        listed = [o for page in client.iter_orders(None) for o in page.orders]
        listed_at = time.monotonic()
        wanted = [o.parent_order_sn for o in listed if o.status in AWAITING]
        found = client.ship_to(wanted)
        elapsed = time.monotonic() - started
    requests = sum(n for key, n in sandbox.requests.items() if not key.startswith("fault:"))
    refused = sandbox.refusals.get(4000004, 0)
    imported = sum(isinstance(v, Address) for v in found.values())
    print(f"orders in shop        {orders}")
    print(f"orders listed         {len(listed)} in {listed_at - started:.1f}s")
    print(f"ship-to fetched       {len(wanted)} ({imported} with an address)")
    print(f"requests answered     {requests} in {elapsed:.1f}s")
    print(f"rate achieved         {requests / elapsed:.2f} req/s of {qps:g} "
          f"({100 * requests / elapsed / qps:.1f}% of the limit)")  # fmt: skip
    print(f"4000004 refusals      {refused}")
    print(f"requests per imported {(requests + refused) / max(imported, 1):.3f}")
    print(f"requests per listed   {(requests + refused) / max(len(listed), 1):.3f}")


if __name__ == "__main__":
    args = sys.argv[1:]
    main(int(args[0]) if args else 2000, float(args[1]) if len(args) > 1 else 20.0)
