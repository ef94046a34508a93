"""Who gets an app key's next slots when several shops wait on it, and how fast after a refusal.

Pure rules; adapters/db/temu_budget.py applies them in one transaction on the key's rows.

The turn: among the claimants waiting now (each asked, was not yet served, and asked again
within `LIVE` seconds), incremental work (priority 0) goes before backlogs (priority 1), and
within a priority the one served longest ago goes first, so shops take slots in turn whatever
their number of threads or how often they ask. A claimant is given slots only when nobody is
before it, or when the key's queue is about to run dry (a slot nobody takes is lost). A
claimant's slots must start within its horizon: beside other live claimants, a backlog only
ever has a few slots queued ahead, so a quiet shop waits at most those, not the backlog's whole
demand; and a backlog takes every slot the others leave, because it asks again as soon as its
queue drains to half its horizon (`Grant.retry_at`: a process's threads wait for that time
rather than each asking the database). Alone on the key, any claimant may queue `ALONE` slots.

The pace: after a refusal the key's interval is `SLOWED` times wider; it narrows to `SETTLED`
times the normal one over `RECOVERY` seconds, then to the normal one over `TAIL` more. On a
loaded host a refusal means requests arrive later than the slots' slack allows (30 ms in a
second at the normal pace): traced beside 100 shops, the first of 21 requests in Temu's second
reached it 44 ms after its slot, the 20 after it on time. The tail's slots, up to 10% wider,
leave up to 100 ms while the host is still loaded, at a cost of 4.5% of the key for two
minutes. A floor after the tail (1.03 times normal for ten minutes after a refusal) was tried:
two 100-shop runs with it drew 4 and 5 refusals where the one before drew 4, and with the flow
runs' CPU halved it drew 1 yet cost 3% of the key for the rest of the import, so it went
(bench/scale.py; README, Limits); three runs without it drew 1, 2 and 2.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from adapters.temu.pacing import BACKLOG, INCREMENTAL

LIVE = 1.0  # seconds: a claimant that has not asked for this long is no longer waiting
# Slots a claimant's last slot may lie ahead of now. A backlog beside others asks again when
# half its queue is left: 4 slots (206 ms) for its next bid's round trip and its threads'
# wake-up on a loaded host (with 3 queued and 2 left, beside 100 shops its threads waited
# mostly for bids, and the key ran at 70% from its first request to its last, bench/scale.py;
# with 6, 10.6-10.9% of the time went in gaps over two slots; with 8 and the 10 ms late rule,
# 12.6%). A quiet shop arriving waits those 8 (412 ms) at most: its horizon reaches past them
# (with equal horizons it waited until the backlog's queue drained).
HORIZON = {INCREMENTAL: 12, BACKLOG: 8}
ALONE = 8  # ... when no other claimant asked within `LIVE`
SLOWED = 1.25  # the interval's factor just after a refusal (250 ms to spare in a second)
SETTLED = 1.1  # ... `RECOVERY` seconds after it
RECOVERY = 15.0  # seconds from `SLOWED` to `SETTLED`
TAIL = 120.0  # seconds from `SETTLED` back to the normal pace


@dataclass(frozen=True, slots=True)
class Claimant:
    """One shop's standing on a key: its priority, when last served, whether it waits now."""

    name: str
    priority: int = INCREMENTAL
    served_at: float = 0.0
    waiting_since: float | None = None
    asked_at: float = 0.0

    def waiting(self, now: float) -> bool:
        return self.waiting_since is not None and now - self.asked_at <= LIVE

    @property
    def turn(self) -> tuple[int, float, float, str]:
        return (self.priority, self.served_at, self.waiting_since or 0.0, self.name)


@dataclass(frozen=True, slots=True)
class Grant:
    """Slots given (`count` of them, `interval` apart, from `start`), and when the claimant's
    next bid may be given more (`retry_at`)."""

    count: int
    start: float
    interval: float
    retry_at: float = 0.0


def in_turn(claimants: Sequence[Claimant], now: float) -> list[Claimant]:
    """The waiting claimants in the order they are to be served."""
    return sorted((c for c in claimants if c.waiting(now)), key=lambda c: c.turn)


def grant(
    me: Claimant,
    others: Sequence[Claimant],
    next_at: float,
    now: float,
    interval: float,
    wanted: int,
) -> Grant:
    """What `me` gets of the key's slots now: `next_at` is the key's next free slot, `now`
    the earliest a slot may start (the database's clock plus the round trip)."""
    start = max(next_at, now)
    rivals = [c for c in others if c.name != me.name and now - c.asked_at <= LIVE]
    ahead = [c for c in in_turn(rivals, now) if c.turn < me.turn]
    if ahead and start > now + interval:  # asked again about when its turn comes
        return Grant(0, start, interval, retry_at=now + len(ahead) * interval)
    horizon = HORIZON[me.priority] if rivals else ALONE
    room = math.floor((now + horizon * interval - start) / interval + 1e-9) + 1
    count = max(0, min(1 if ahead else wanted, room))
    end = start + count * interval
    return Grant(count, start, interval, retry_at=max(now, end - (horizon + 1) // 2 * interval))


def pace(interval: float, refused_at: float | None, now: float) -> float:
    """The key's interval now: wider just after a refusal, back to normal after `RECOVERY`
    and `TAIL`."""
    if refused_at is None:
        return interval
    since = max(0.0, now - refused_at)
    if since >= RECOVERY + TAIL:
        return interval
    if since < RECOVERY:
        return interval * (SLOWED - (SLOWED - SETTLED) * since / RECOVERY)
    return interval * (SETTLED - (SETTLED - 1.0) * (since - RECOVERY) / TAIL)
