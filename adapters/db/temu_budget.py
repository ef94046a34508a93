"""An app key's request slots, shared by every process and host through the database.

The key's row holds the start of the next free request slot. One `UPDATE … RETURNING` takes
the next n slots, `interval` apart, for this process (n = the threads waiting for one, at most
`max_batch`); each request starts at its slot. Slots are times on the database's clock.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

from sqlalchemy import Engine, case, update

from adapters.db.budget_rows import DatabaseClock, ensure_row, relaxed
from adapters.db.tables import RATE_BUDGETS
from adapters.temu.pacing import DEFAULT_RATE

# Slots 3% wider than 1/rate (21 requests in one second only if one arrives 30 ms late, and a
# slot reached later than half an interval is given up): 0 refusals at 95-96% of the ceiling
# with two processes on a busy 2-core machine (bench/shared_budget.py); 10% capped it at 91%.
SHARED_MARGIN = 0.03
MAX_BATCH = 8  # slots taken per round trip at most (what the waiting threads need, up to this)
LATE = 0.5  # a slot more than this share of an interval in the past is dropped, not used
LATE_FLOOR = 0.002  # ... or than this many seconds (very high rates)


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
                relaxed(connection)
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
            relaxed(connection)
            if not self._row_ready:
                ensure_row(connection, self.budget, "temu", interval)
                self._row_ready = True
            end = float(connection.execute(stmt).scalar_one())
        took = time.monotonic() - started
        self._round_trip = took if not self.round_trips else 0.8 * self._round_trip + 0.2 * took
        self.round_trips += 1
        self.slots_taken += count
        start = end - count * interval
        self._slots.extend(start + i * interval for i in range(count))
