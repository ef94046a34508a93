"""What one round trip to a shared rate budget costs, for each mechanism temuship could use.

- the database row (adapters/db/budgets.py) on SQLite (a file) and, with
  TEMUSHIP_TEST_DATABASE_URL, on PostgreSQL: taking 1 and 8 Temu slots per round trip, the
  same as a shop's bid for its fair share (the key's row and its live claimants read, both
  written: adapters/db/fair_share.py), and a ShipStation request (reserve + record the
  answer's headers);
- a PostgreSQL advisory lock around the same read-and-write (the alternative to the row lock);
- a Prefect global concurrency limit used as a rate limit (slot decay), `rate_limit(occupy=n)`,
  against the server PREFECT_API_URL names (else Prefect's temporary server): only with
  `--prefect`.

The budgets are set so that nothing waits: the figures are the mechanism's own cost.

    python bench/budget_overhead.py [--prefect] [rounds]
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from scratch_db import scratch_postgres  # bench/scratch_db.py, beside this script
from sqlalchemy import Engine, text

from adapters.db.budgets import ShipStationBudget, TemuBudget, budget_id
from adapters.db.engine import make_engine
from adapters.temu.pacing import Claim

HEADERS = {"X-Rate-Limit-Limit": "40", "X-Rate-Limit-Remaining": "39", "X-Rate-Limit-Reset": "59"}


def timed(action: Callable[[], object], rounds: int) -> tuple[float, float]:
    """(median, p95) milliseconds of one call."""
    action()  # warm: the row, the pool, the statement cache
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def database(name: str, engine: Engine, rounds: int) -> None:
    temu = TemuBudget(engine, budget_id("temu", name, uuid.uuid4().hex), rate=1e6)

    def take(count: int) -> Callable[[], None]:
        def action() -> None:  # one round trip taking `count` slots (as for waiting threads)
            temu._slots.clear()
            with temu._lock:
                temu._take(count, temu.clock.now())

        return action

    def bid(count: int) -> Callable[[], None]:
        shared = TemuBudget(engine, budget_id("temu", name, uuid.uuid4().hex), rate=1e6)

        def action() -> None:  # one shop's bid for `count` slots, in its turn
            shared._slots.clear()
            shared._next_bid.clear()
            with shared._lock:
                shared._bid(Claim("shop-1"), count, shared.clock.now())

        return action

    ss = ShipStationBudget(engine, budget_id("shipstation", name, uuid.uuid4().hex))

    def ss_request() -> None:
        ss.before_request()
        ss.observe(HEADERS)

    row = [
        ("row: 1 Temu slot a round trip", timed(take(1), rounds)),
        ("row: 8 Temu slots a round trip", timed(take(8), rounds)),
        ("fair share: a shop's bid for 1 slot", timed(bid(1), rounds)),
        ("fair share: a shop's bid for 8 slots", timed(bid(8), rounds)),
        ("row: ShipStation request (reserve + headers)", timed(ss_request, rounds)),
    ]
    if engine.dialect.name == "postgresql":
        row.append(("advisory lock + read + write", timed(lambda: advisory(engine), rounds)))
    for label, (median, p95) in row:
        per_slot = median / 8 if "8 " in label else median
        print(f"{name:10} {label:46} {median:7.2f} ms median, {p95:7.2f} ms p95"
              f"  ({per_slot:.3f} ms a request)")  # fmt: skip


def advisory(engine: Engine) -> None:
    """The same state kept under an advisory lock instead of the row's own lock."""
    with engine.begin() as connection:
        connection.execute(text("SET LOCAL synchronous_commit = off"))
        connection.execute(text("SELECT pg_advisory_xact_lock(4242)"))
        connection.execute(text("SELECT next_at FROM rate_budgets LIMIT 1")).first()
        connection.execute(
            text(
                "UPDATE rate_budgets SET updated_at = updated_at + 1 "
                "WHERE budget_id = (SELECT min(budget_id) FROM rate_budgets)"
            )
        )


def prefect(rounds: int) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate
    from prefect.concurrency.sync import rate_limit

    name = f"bench-budget-{uuid.uuid4().hex[:8]}"
    with get_client(sync_client=True) as client:
        client.create_global_concurrency_limit(
            GlobalConcurrencyLimitCreate(name=name, limit=100_000, slot_decay_per_second=100_000)
        )
    where = os.environ.get("PREFECT_API_URL") or "temporary server"
    for occupy in (1, 8):
        median, p95 = timed(lambda n=occupy: rate_limit(name, occupy=n, strict=True), rounds)
        print(f"{'prefect':10} {f'GCL rate_limit(occupy={occupy})':46} {median:7.2f} ms median, "
              f"{p95:7.2f} ms p95  ({median / occupy:.3f} ms a request) [{where}]")  # fmt: skip
    with get_client(sync_client=True) as client:
        client.delete_global_concurrency_limit_by_name(name)


def main(argv: list[str]) -> None:
    with_prefect = "--prefect" in argv
    args = [a for a in argv if not a.startswith("--")]
    rounds = int(args[0]) if args else 200
    folder = Path(tempfile.mkdtemp(prefix="budget-bench-"))
    engine = make_engine(f"sqlite:///{folder / 'temuship.db'}")
    database("sqlite", engine, rounds)
    engine.dispose()
    with scratch_postgres() as pg:
        if pg:
            engine = make_engine(pg)
            database("postgresql", engine, rounds)
            engine.dispose()
    if with_prefect:
        prefect(max(20, rounds // 10))


if __name__ == "__main__":
    from flows.settings import apply_offline_defaults

    apply_offline_defaults()  # no telemetry from Prefect's temporary server
    main(sys.argv[1:])
