"""One request budget per API key, shared by every process and host through the database.

Temu allows 20 requests a second per app key, ShipStation 40 (V1) or 200 (V2) a minute per
API key: every shop of the key shares them. A budget is one row of `rate_budgets`, named by a
hash of the key (never the key), updated in short transactions:
- Temu (`TemuBudget`): the row holds the start of the next free request slot. One
  `UPDATE … RETURNING` takes the next n slots, `interval` apart, for this process (n = the
  threads waiting for one, at most `max_batch`); each request starts at its slot. Slots are
  times on the database's clock, so the schedule holds across hosts.
- ShipStation V1 (`ShipStationBudget`): the row holds what the last X-Rate-Limit-* headers
  said of the key's window and when the next request may start (Pacer's rules, in one
  transaction); V2 takes slots like Temu's.
SQLite serves the processes of one host (its file); PostgreSQL every host that shares it.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Connection, Engine, case, insert, select, text, update
from sqlalchemy.dialects import postgresql, sqlite

from adapters.db.tables import RATE_BUDGETS
from adapters.shipstation.pacing import (
    RateState,
    Reading,
    record,
    record_429,
    reserve,
    wait_after_429,
)
from adapters.temu.pacing import DEFAULT_RATE

# Slots 3% wider than 1/rate (21 requests in one second only if one arrives 30 ms late, and a
# slot reached later than half an interval is given up): 0 refusals at 95-96% of the ceiling
# with two processes on a busy 2-core machine (bench/shared_budget.py); 10% capped it at 91%.
SHARED_MARGIN = 0.03
MAX_BATCH = 8  # slots taken per round trip at most (what the waiting threads need, up to this)
LATE = 0.5  # a slot more than this share of an interval in the past is dropped, not used
LATE_FLOOR = 0.002  # ... or than this many seconds (very high rates)
CALIBRATE_EVERY = 300.0  # seconds between readings of the database clock's offset
V2_RATE = 200 / 60  # ShipStation V2: 200 requests a minute per key


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


def _relaxed(connection: Connection) -> None:
    """PostgreSQL: the commit need not wait for its WAL (a crash loses seconds of budget)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SET LOCAL synchronous_commit = off"))


def _ensure_row(connection: Connection, budget: str, kind: str, interval: float = 0.0) -> None:
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


class TemuBudget:
    """An app key's request slots, shared by every process that uses this database.

    Same interface as adapters.temu.pacing.RateLimiter: `acquire` waits for this request's
    slot, `hold_off` pushes every later slot back (Temu answered 4000004)."""

    def __init__(
        self,
        engine: Engine,
        budget: str,
        rate: float = DEFAULT_RATE,
        *,
        margin: float = SHARED_MARGIN,
        max_batch: int = MAX_BATCH,
        clock: DatabaseClock | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.engine, self.budget = engine, budget
        self.rate, self.margin, self.max_batch = rate, margin, max_batch
        self.clock = clock or DatabaseClock(engine)
        self._sleep = sleep
        self._slots: deque[float] = deque()
        self._lock = threading.Lock()
        self._count_lock = threading.Lock()
        self._waiting = 0
        self._round_trip = 0.0  # seconds, a moving average
        self._held_until = 0.0  # the end of this process's last hold-off (database clock)
        self._row_ready = False
        self.round_trips = 0
        self.slots_taken = 0
        self.slots_dropped = 0

    def __repr__(self) -> str:
        return f"TemuBudget({self.budget[:12]}…, {self.rate:g}/s, {self.engine.dialect.name})"

    @property
    def interval(self) -> float:
        return (1.0 + self.margin) / self.rate if self.rate > 0 else 0.0

    @property
    def _late(self) -> float:
        return max(LATE * self.interval, LATE_FLOOR)

    def acquire(self, sleep: Callable[[float], None] | None = None) -> float:
        """Wait for this request's slot (with the caller's sleep, if given); the seconds waited.

        A slot reached late (a slow round trip, a late wake-up on a busy host) is given up
        and another taken: sent late, the request would crowd the next ones into a second."""
        if self.rate <= 0:
            return 0.0
        waited = 0.0
        while True:
            with self._count_lock:  # not _lock: a thread taking slots holds that one meanwhile
                self._waiting += 1
            try:
                with self._lock:
                    slot, now = self._next_slot()
            finally:
                with self._count_lock:
                    self._waiting -= 1
            if slot > now:
                (sleep or self._sleep)(slot - now)
                waited += slot - now
                now = self.clock.now()
            if slot < self._held_until:
                # Temu refused one of this process's requests while this slot waited: the
                # key's second is full, so the slot goes the way of those hold_off took from
                # the queue (sent, it would be refused too) and a slot after the hold-off is
                # taken.
                with self._count_lock:
                    self.slots_dropped += 1
                continue
            if now - slot <= self._late:
                return waited
            with self._count_lock:
                self.slots_dropped += 1

    def hold_off(self, seconds: float) -> None:
        """Push every later slot of the key back, for every process (in this one, the slots
        its threads already wait for too)."""
        with self._lock:
            until = self.clock.now() + seconds
            self._held_until = max(self._held_until, until)
            self._slots = deque(s for s in self._slots if s >= until)
            later = case((RATE_BUDGETS.c.next_at > until, RATE_BUDGETS.c.next_at), else_=until)
            with self.engine.begin() as connection:
                _relaxed(connection)
                connection.execute(
                    update(RATE_BUDGETS)
                    .where(RATE_BUDGETS.c.budget_id == self.budget)
                    .values(next_at=later, updated_at=until - seconds)
                )

    def _next_slot(self) -> tuple[float, float]:
        """(the slot, now); takes more slots from the database when this process has none."""
        now = self.clock.now()
        while self._slots and self._slots[0] < now - self._late:
            self._slots.popleft()  # nobody came for it in time: sent now, it could crowd others
            self.slots_dropped += 1
        while not self._slots:
            self._take(min(self.max_batch, max(1, self._waiting)), now)
            now = self.clock.now()
            while self._slots and self._slots[0] < now - self._late:
                self._slots.popleft()  # the round trip took longer than the slot could wait
                self.slots_dropped += 1
        return self._slots.popleft(), now

    def _take(self, count: int, now: float) -> None:
        """Take `count` slots, the first no earlier than the round trip is expected to end
        (a slot that passed during the round trip would be given up)."""
        interval = self.interval
        earliest = now + 1.5 * self._round_trip
        later = case((RATE_BUDGETS.c.next_at > earliest, RATE_BUDGETS.c.next_at), else_=earliest)
        stmt = (
            update(RATE_BUDGETS)
            .where(RATE_BUDGETS.c.budget_id == self.budget)
            .values(next_at=later + count * interval, interval=interval, updated_at=now)
            .returning(RATE_BUDGETS.c.next_at)
        )
        started = time.monotonic()
        with self.engine.begin() as connection:
            _relaxed(connection)
            if not self._row_ready:
                _ensure_row(connection, self.budget, "temu", interval)
                self._row_ready = True
            end = float(connection.execute(stmt).scalar_one())
        took = time.monotonic() - started
        self._round_trip = took if not self.round_trips else 0.8 * self._round_trip + 0.2 * took
        self.round_trips += 1
        self.slots_taken += count
        start = end - count * interval
        self._slots.extend(start + i * interval for i in range(count))


class ShipStationBudget:
    """An API key's window, shared by every process that uses this database.

    Same interface as adapters.shipstation.pacing.Pacer, and the same rules; the state (what
    the last answers' X-Rate-Limit-* headers said, and when the next request may start) is the
    key's row, read and written in one short transaction per request and per answer."""

    def __init__(
        self,
        engine: Engine,
        budget: str,
        *,
        margin: float = 0.5,
        spread_below: int = 2,
        clock: DatabaseClock | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.engine, self.budget = engine, budget
        self.margin, self.spread_below = margin, spread_below
        self.clock = clock or DatabaseClock(engine)
        self.sleep = sleep
        self.waited = 0.0
        self._row_ready = False

    def __repr__(self) -> str:
        return f"ShipStationBudget({self.budget[:12]}…, {self.engine.dialect.name})"

    def before_request(self) -> None:
        """Reserve one request of the key's window; sleep first if the window cannot take it."""
        now = start = 0.0

        def take(st: RateState, at: float) -> None:
            nonlocal now, start
            now, start = at, reserve(st, at, self.margin, self.spread_below)

        self._change(take)
        if start > now:
            self.waited += start - now
            self.sleep(start - now)

    def observe(self, headers: Mapping[str, str]) -> None:
        """Record the window's figures of an answer for every process."""
        reading = Reading.of(headers)
        if reading.remaining is None or reading.reset is None:
            return
        self._change(lambda st, at: record(st, at, reading))

    def rate_limited(self, headers: Mapping[str, str]) -> float:
        """A 429: nothing more until the reset, for every process; the seconds to wait."""
        wait = wait_after_429(Reading.of(headers))
        self._change(lambda st, at: record_429(st, at, wait))
        return wait

    def state(self) -> RateState:
        """The key's window as the database has it (tests, benchmarks)."""
        with self.engine.connect() as connection:
            return _state_of(self._row(connection))

    def _change(self, apply: Callable[[RateState, float], Any]) -> None:
        """Read the row, apply, write it back: one transaction, the row locked throughout."""
        with self.engine.connect() as connection:
            if connection.dialect.name == "sqlite":
                # The write lock first: a read that turns into a write may not wait (WAL).
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            _relaxed(connection)
            if not self._row_ready:
                _ensure_row(connection, self.budget, "shipstation")
                self._row_ready = True
            row = self._row(connection, lock=True)
            st = _state_of(row)
            now = self.clock.now()
            apply(st, now)
            connection.execute(
                update(RATE_BUDGETS)
                .where(RATE_BUDGETS.c.budget_id == self.budget)
                .values(
                    next_at=st.not_before,
                    window_limit=st.limit,
                    remaining=st.remaining,
                    reset_at=st.reset_at,
                    updated_at=now,
                )
            )
            connection.commit()

    def _row(self, connection: Connection, lock: bool = False) -> Any:
        query = select(RATE_BUDGETS).where(RATE_BUDGETS.c.budget_id == self.budget)
        if lock and connection.dialect.name == "postgresql":
            query = query.with_for_update()
        return connection.execute(query).first()


def _state_of(row: Any) -> RateState:
    if row is None:
        return RateState()
    return RateState(
        limit=row.window_limit,
        remaining=row.remaining,
        reset_at=row.reset_at,
        not_before=row.next_at or 0.0,
    )


class SharedBudgets:
    """The budgets of one database, one object per key in this process (its threads share it)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.clock = DatabaseClock(engine)
        self._temu: dict[str, TemuBudget] = {}
        self._shipstation: dict[str, ShipStationBudget] = {}
        self._lock = threading.Lock()

    def temu(self, base_url: str, app_key: str, rate: float = DEFAULT_RATE) -> TemuBudget:
        """The app key's budget; a different rate re-rates it (latest wins, as in-process)."""
        key = budget_id("temu", base_url, app_key)
        with self._lock:
            budget = self._temu.get(key)
            if budget is None:
                budget = self._temu[key] = TemuBudget(self.engine, key, rate, clock=self.clock)
            budget.rate = rate
            return budget

    def shipstation_v2(self, base_url: str, api_key: str) -> TemuBudget:
        """A V2 key's slots, 200 a minute (no X-Rate-Limit-* headers: 429 holds it off)."""
        key = budget_id("shipstation-v2", base_url, api_key)
        with self._lock:
            if key not in self._temu:
                self._temu[key] = TemuBudget(self.engine, key, V2_RATE, clock=self.clock)
            return self._temu[key]

    def shipstation(self, base_url: str, api_key: str) -> ShipStationBudget:
        key = budget_id("shipstation", base_url, api_key)
        with self._lock:
            budget = self._shipstation.get(key)
            if budget is None:
                budget = ShipStationBudget(self.engine, key, clock=self.clock)
                self._shipstation[key] = budget
            return budget


_registry: dict[str, SharedBudgets] = {}
_registry_lock = threading.Lock()


def budgets_for(engine: Engine) -> SharedBudgets:
    """The process-wide budgets of a database (one per engine URL)."""
    key = engine.url.render_as_string(hide_password=False)
    with _registry_lock:
        budgets = _registry.get(key)
        if budgets is None or budgets.engine is not engine:
            budgets = _registry[key] = SharedBudgets(engine)
        return budgets
