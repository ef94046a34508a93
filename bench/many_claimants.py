"""The fair share with many processes on one Temu app key: N quiet shops beside a backlog.

One backlog process (a first sync's ship-to reads of `--backlog` orders, 20 threads) takes the
key; once it has had 40 answers, N quiet processes, each a shop of the same app key with its
own token, ask for `--each` amounts (incremental work). Every process holds its own
connection to the budget in the database (SQLite file, or PostgreSQL with `--postgres` and
TEMUSHIP_TEST_DATABASE_URL), as separate workers on separate machines would. The simulated
Temu runs here at 20 requests a second per app key and records each answer's moment.

It prints: the refusals (4000004), the key's rate over the run against its ceiling, how long
after their release the quiet shops' requests were all answered against the least that
N x each requests can take at 20/s, and how many backlog requests were answered meanwhile.

    python bench/many_claimants.py [--processes 100] [--each 8] [--backlog 300] [--postgres]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from contextlib import nullcontext
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from adapters.db.engine import make_engine  # noqa: E402
from adapters.sandbox.launcher import Sandbox  # noqa: E402
from adapters.sandbox.temu.state import DEMO_ACCESS_TOKEN, DEMO_APP_KEY, TemuSandbox  # noqa: E402
from tests.integration.budget.workers import collect, go, start, wait_until  # noqa: E402

QUIET_CALL = "bg.order.amount.query"
BACKLOG_CALL = "bg.order.shippinginfo.v2.get"


class Arrivals(Counter[str]):
    """The sandbox's request counter, also keeping when each answer was counted."""

    def __init__(self) -> None:
        super().__init__()
        self.order: list[tuple[float, str]] = []

    def __setitem__(self, key: str, value: int) -> None:
        self.order.append((time.monotonic(), key))
        super().__setitem__(key, value)


def scratch(postgres: bool) -> Any:
    if postgres:
        from scratch_db import scratch_postgres  # bench/scratch_db.py

        return scratch_postgres()
    return nullcontext(f"sqlite:///{tempfile.mkdtemp(prefix='many-claimants-')}/temuship.db")


def run(url: str, processes: int, each: int, backlog: int) -> dict[str, Any]:
    make_engine(url).dispose()  # the schema, before any worker
    temu = TemuSandbox(qps=20, amounts_permission=True)
    temu.requests = Arrivals()
    with Sandbox(temu=temu) as sandbox:
        sns = sorted(temu.seed_orders(backlog + each * processes, seed=3))
        big = start(["backlog", url, sandbox.temu_url, DEMO_ACCESS_TOKEN,
                     ",".join(sns[:backlog]), "backlog"])  # fmt: skip
        quiet = []
        for n in range(processes):
            temu.add_token(f"token-{n}", DEMO_APP_KEY)
            mine = sns[backlog + each * n : backlog + each * (n + 1)]
            quiet.append(start(["quiet", url, sandbox.temu_url, f"token-{n}", ",".join(mine),
                                f"quiet-{n}"]))  # fmt: skip
        go(big)
        wait_until(lambda: temu.requests[BACKLOG_CALL] >= 40, big)
        released = time.monotonic()
        for worker in quiet:
            go(worker)
        collect([big, *quiet])
    order = temu.requests.order  # type: ignore[attr-defined]
    times = [t for t, _ in order]
    asked = [t for t, call in order if call == QUIET_CALL]
    done = max(asked)
    return {
        "refusals": dict(temu.refusals),
        "rate": len(times) / (times[-1] - times[0]),
        "quiet_s": done - released,
        "quiet_requests": len(asked),
        "backlog_meanwhile": sum(1 for t, call in order
                                 if released <= t <= done and call == BACKLOG_CALL),
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description="The fair share with many processes on one key.")
    parser.add_argument("--processes", type=int, default=100, help="quiet shops, one process each")
    parser.add_argument("--each", type=int, default=8, help="requests each quiet shop makes")
    parser.add_argument("--backlog", type=int, default=300, help="the backlog's ship-to reads")
    parser.add_argument("--postgres", action="store_true", help="the budget on PostgreSQL")
    args = parser.parse_args()
    with scratch(args.postgres) as url:
        if url is None:
            sys.exit("--postgres needs TEMUSHIP_TEST_DATABASE_URL")
        r = run(url, args.processes, args.each, args.backlog)
    where = "PostgreSQL" if args.postgres else "SQLite"
    least = r["quiet_requests"] / 20
    print(f"{args.processes} quiet processes x {args.each} requests beside a backlog process, "
          f"budget on {where}: refusals {r['refusals'] or 0}; the key at {r['rate']:.2f} "
          f"requests/s ({r['rate'] / 20:.1%} of 20/s); the quiet shops' {r['quiet_requests']} "
          f"requests all answered {r['quiet_s']:.2f} s after their release (at least "
          f"{least:.2f} s at 20/s); backlog requests answered meanwhile: "
          f"{r['backlog_meanwhile']}")  # fmt: skip


if __name__ == "__main__":
    main()
