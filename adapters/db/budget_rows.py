"""What every shared budget needs: its row's name, the database's clock, short transactions.

A budget is one row of `rate_budgets`, named by a hash of the API and the key (never the key),
read and written in short transactions; times are seconds on the database's clock, so the
schedule holds across hosts (adapters/db/budgets.py).
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable

from sqlalchemy import Connection, Engine, insert, select, text
from sqlalchemy.dialects import postgresql, sqlite

from adapters.db.tables import RATE_BUDGETS

CALIBRATE_EVERY = 300.0  # seconds between readings of the database clock's offset


def budget_id(kind: str, base_url: str, api_key: str) -> str:
    """The budget's name: a hash of the API it is for and the key (the key is never stored)."""
    material = f"temuship-budget|{kind}|{base_url.rstrip('/')}|{api_key}".encode()
    return hashlib.sha256(material).hexdigest()


class DatabaseClock:
    """Seconds since the epoch on the database's clock, read with this host's clock plus an
    offset measured now and then (PostgreSQL; SQLite's clock is this host's)."""

    def __init__(self, engine: Engine, wall: Callable[[], float] = time.time) -> None:
        self.engine, self.wall = engine, wall
        self.offset = 0.0
        self._measured_at: float | None = None
        self._lock = threading.Lock()

    def now(self) -> float:
        if self.engine.dialect.name == "postgresql":
            self._calibrate()
        return self.wall() + self.offset

    def _calibrate(self) -> None:
        mono = time.monotonic()
        if self._measured_at is not None and mono - self._measured_at < CALIBRATE_EVERY:
            return
        with self._lock:
            if self._measured_at is not None and mono - self._measured_at < CALIBRATE_EVERY:
                return
            best: tuple[float, float] | None = None
            with self.engine.connect() as connection:
                for _ in range(3):  # the reading with the shortest round trip
                    before = self.wall()
                    server = connection.execute(
                        text("SELECT extract(epoch FROM clock_timestamp())")
                    ).scalar_one()
                    after = self.wall()
                    reading = (after - before, float(server) - (before + after) / 2)
                    best = reading if best is None or reading[0] < best[0] else best
            assert best is not None
            self.offset, self._measured_at = best[1], mono


def relaxed(connection: Connection) -> None:
    """PostgreSQL: the commit need not wait for its WAL (a crash loses seconds of budget)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SET LOCAL synchronous_commit = off"))


def ensure_row(connection: Connection, budget: str, kind: str, interval: float = 0.0) -> None:
    values = {"budget_id": budget, "kind": kind, "interval": interval, "next_at": 0.0,
              "updated_at": 0.0}  # fmt: skip
    dialect = connection.dialect.name
    if dialect == "postgresql":
        connection.execute(postgresql.insert(RATE_BUDGETS).values(values).on_conflict_do_nothing())
    elif dialect == "sqlite":
        connection.execute(sqlite.insert(RATE_BUDGETS).values(values).on_conflict_do_nothing())
    else:  # pragma: no cover - temuship runs on SQLite and PostgreSQL only
        exists = connection.execute(
            select(RATE_BUDGETS.c.budget_id).where(RATE_BUDGETS.c.budget_id == budget)
        ).first()
        if exists is None:
            connection.execute(insert(RATE_BUDGETS).values(values))
