"""An app key's request slots, shared by every process and host through the database.

The key's row holds the start of the next free request slot. A request without a claimant
(ShipStation V2's) takes the next n slots in one `UPDATE … RETURNING` (n = the threads waiting
for one, at most `max_batch`). A shop's request (a `Claim`) bids in one short transaction that
reads the key's row and its live claimants, and takes slots only in its turn
(adapters/db/fair_share.py). Slots are times on the database's clock; after a refusal the
key's interval is wider for a while, in every process (the row's `refused_at`).
"""

from __future__ import annotations

import threading
import time
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from sqlalchemy import Connection, Engine, case, select, update

from adapters.db import claimants
from adapters.db.budget_rows import DatabaseClock, ensure_row, relaxed
from adapters.db.fair_share import Claimant, Grant, grant, pace
from adapters.db.tables import RATE_BUDGETS
from adapters.temu.pacing import DEFAULT_RATE, Claim

B = RATE_BUDGETS.c
ANYONE = ""  # the queue of requests without a claimant

# Slots 3% wider than 1/rate: 21 requests reach Temu in one second only if one arrives 30 ms
# later than the 20th after it. 0 refusals at 95-96% of the ceiling with two processes on a
# busy 2-core machine (bench/shared_budget.py); 10% capped it at 91%.
SHARED_MARGIN = 0.03
MAX_BATCH = 8  # slots taken per round trip at most (what the waiting threads need, up to this)
# A slot reached later than this share of an interval (10 ms at 20/s) is given up, so that the
# way to Temu has the rest of the 30 ms: beside two CPU-bound loops a request took up to 20 ms
# from its thread to the server, and one let through 27 ms late arrived 48 ms late, 21 inside
# one second (a refusal). Half an interval drew a refusal in 3 of 4 one-shop first syncs there.
LATE = 0.2
LATE_FLOOR = 0.002  # ... or than this many seconds (very high rates)


class TemuBudget:
    """An app key's request slots, shared by every process that uses this database.

    Same interface as adapters.temu.pacing.RateLimiter: `acquire` waits for this request's
    slot (in its claimant's turn, given one), `hold_off` pushes every later slot back and
    slows the key's pace (Temu answered 4000004)."""

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
        self._slots: defaultdict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()
        self._count_lock = threading.Lock()
        # Per claimant, the threads that want a slot and have none yet (those waiting for
        # their turn too): how many slots a bid asks for.
        self._wanting: Counter[str] = Counter()
        self._next_bid: dict[str, float] = {}  # per claimant: no bid before (database clock)
        self._round_trip = 0.0  # seconds, a moving average
        self._held_until = 0.0  # the end of this process's last hold-off (database clock)
        self._row_ready = False
        self.round_trips = 0
        self.slots_taken = 0
        self.slots_dropped = 0
        self.bids_refused = 0  # bids that were not the claimant's turn (it asked again later)

    def __repr__(self) -> str:
        return f"TemuBudget({self.budget[:12]}…, {self.rate:g}/s, {self.engine.dialect.name})"

    @property
    def interval(self) -> float:
        return (1.0 + self.margin) / self.rate if self.rate > 0 else 0.0

    @property
    def _late(self) -> float:
        return max(LATE * self.interval, LATE_FLOOR)

    def acquire(
        self, sleep: Callable[[float], None] | None = None, claim: Claim | None = None
    ) -> float:
        """Wait for this request's slot (with the caller's sleep, if given); the seconds waited.

        A slot reached late (a slow round trip, a late wake-up on a busy host) is given up
        and another taken: sent late, the request would crowd the next ones into a second."""
        if self.rate <= 0:
            return 0.0
        waited, who = 0.0, claim.shop if claim else ANYONE
        wanting = False  # counted among the claimant's threads that want a slot
        try:
            while True:
                if not wanting:
                    with self._count_lock:  # not _lock: a thread taking slots holds that one
                        self._wanting[who] += 1
                    wanting = True
                with self._lock:
                    slot, now = self._next_slot(claim)
                if slot is None:  # not this claimant's turn: ask again when it may be
                    waited += self._wait(now - self.clock.now(), sleep)
                    continue
                with self._count_lock:
                    self._wanting[who] -= 1
                wanting = False
                if slot > now:
                    waited += self._wait(slot - now, sleep)
                    now = self.clock.now()
                if slot < self._held_until:
                    # Temu refused one of this process's requests while this slot waited: the
                    # key's second is full, so the slot goes the way of those hold_off took
                    # from the queue (sent, it would be refused too) and a slot after the
                    # hold-off is taken.
                    with self._count_lock:
                        self.slots_dropped += 1
                    continue
                if now - slot <= self._late:
                    return waited
                with self._count_lock:
                    self.slots_dropped += 1
        finally:
            if wanting:
                with self._count_lock:
                    self._wanting[who] -= 1

    def _wait(self, seconds: float, sleep: Callable[[float], None] | None) -> float:
        if seconds <= 0:
            return 0.0
        (sleep or self._sleep)(seconds)
        return seconds

    def hold_off(self, seconds: float) -> None:
        """Push every later slot of the key back and slow its pace, for every process (in
        this one, the slots its threads already wait for too)."""
        with self._lock:
            now = self.clock.now()
            until = now + seconds
            self._held_until = max(self._held_until, until)
            for queue in self._slots.values():
                kept = [s for s in queue if s >= until]
                queue.clear()
                queue.extend(kept)
            later = case((B.next_at > until, B.next_at), else_=until)
            with self.engine.begin() as connection:
                relaxed(connection)
                connection.execute(
                    update(RATE_BUDGETS)
                    .where(B.budget_id == self.budget)
                    .values(next_at=later, updated_at=now, refused_at=now)
                )

    def _next_slot(self, claim: Claim | None) -> tuple[float | None, float]:
        """(the slot, now), or (None, when to ask again); takes more slots from the database
        when this process has none for the claimant."""
        queue = self._slots[claim.shop if claim else ANYONE]
        now = self.clock.now()
        self._drop_late(queue, now)
        while not queue:
            count = min(self.max_batch, max(1, self._wanting[claim.shop if claim else ANYONE]))
            if claim is None:
                self._take(count, now)
            elif now < self._next_bid.get(claim.shop, 0.0) or not self._bid(claim, count, now):
                return None, self._next_bid[claim.shop]
            now = self.clock.now()
            self._drop_late(queue, now)  # the round trip took longer than the slot could wait
        return queue.popleft(), now

    def _drop_late(self, queue: deque[float], now: float) -> None:
        while queue and queue[0] < now - self._late:
            queue.popleft()  # nobody came for it in time: sent now, it could crowd others
            self.slots_dropped += 1

    def _take(self, count: int, now: float) -> None:
        """Take `count` slots, the first no earlier than the round trip is expected to end
        (a slot that passed during the round trip would be given up)."""
        started = time.monotonic()
        with self._key_row() as (connection, row):
            spacing = pace(self.interval, row.refused_at, now)
            start = max(float(row.next_at), now + 1.5 * self._round_trip)
            self._move(connection, start + count * spacing, now)
            connection.commit()
        self._took(started)
        self._given(ANYONE, Grant(count, start, spacing))

    def _bid(self, claim: Claim, count: int, now: float) -> bool:
        """Ask for `count` slots in the claimant's turn: whether any were given (when to ask
        again is kept either way). One transaction: the key's row (locked) and its live
        claimants read, the fair-share rule applied, the row and the claimant's standing
        written."""
        started = time.monotonic()
        earliest = now + 1.5 * self._round_trip
        with self._key_row() as (connection, row):
            others = claimants.live_claimants(connection, self.budget, now)
            me = _standing(others, claim, now)
            interval = pace(self.interval, row.refused_at, now)
            given = grant(me, others, row.next_at, earliest, interval, count)
            if given.count:
                self._move(connection, given.start + given.count * given.interval, now)
                me = replace(me, served_at=now, waiting_since=None)
            claimants.record(connection, self.budget, me)
            connection.commit()
        self._took(started)
        self._next_bid[claim.shop] = given.retry_at
        if not given.count:
            self.bids_refused += 1
            return False
        self._given(claim.shop, given)
        return True

    @contextmanager
    def _key_row(self) -> Iterator[tuple[Connection, Any]]:
        """A transaction holding the key's row (locked until the caller commits), and the row:
        when its next slot is free, when Temu last refused one of its requests."""
        with self.engine.connect() as connection:
            if connection.dialect.name == "sqlite":
                connection.exec_driver_sql("BEGIN IMMEDIATE")  # a read that turns into a write
            relaxed(connection)
            self._ready(connection)
            query = select(B.next_at, B.refused_at).where(B.budget_id == self.budget)
            if connection.dialect.name == "postgresql":
                query = query.with_for_update()
            yield connection, connection.execute(query).one()

    def _move(self, connection: Connection, next_at: float, now: float) -> None:
        """The key's next free slot is now `next_at`."""
        connection.execute(
            update(RATE_BUDGETS)
            .where(B.budget_id == self.budget)
            .values(next_at=next_at, interval=self.interval, updated_at=now)
        )

    def _ready(self, connection: Connection) -> None:
        if not self._row_ready:
            ensure_row(connection, self.budget, "temu", self.interval)
            self._row_ready = True

    def _took(self, started: float) -> None:
        took = time.monotonic() - started
        self._round_trip = took if not self.round_trips else 0.8 * self._round_trip + 0.2 * took
        self.round_trips += 1

    def _given(self, who: str, given: Grant) -> None:
        self.slots_taken += given.count
        self._slots[who].extend(given.start + i * given.interval for i in range(given.count))


def _standing(live: list[Claimant], claim: Claim, now: float) -> Claimant:
    """The claimant as it bids now: its priority, waiting since its first unserved bid."""
    mine = next((c for c in live if c.name == claim.shop), Claimant(claim.shop))
    since = mine.waiting_since if mine.waiting_since is not None else now
    return replace(mine, priority=claim.priority, asked_at=now, waiting_since=since)
