"""Pacing from ShipStation's X-Rate-Limit-* headers, shared by every client of one API key."""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

FALLBACK_RESET = 60.0  # what to wait on a 429 without a Reset header (one V1 window)
MAX_RESET = 120.0  # a Reset header further out than two windows is garbled: wait this long
SAME_WINDOW = 2.0  # reset times this close describe the same window (Reset is whole seconds)


@dataclass
class RateState:
    """What the last answers said of one key's window; one per key, shared across clients."""

    limit: int | None = None
    remaining: int | None = None
    reset_at: float | None = None
    not_before: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)


_SHARED: dict[str, RateState] = {}
_SHARED_LOCK = threading.Lock()


def shared_rate_state(base_url: str, api_key: str) -> RateState:
    """The process-wide state for a key: ShipStation counts per key, not per client."""
    with _SHARED_LOCK:
        return _SHARED.setdefault(f"{base_url}|{api_key}", RateState())


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded retries: exponential backoff with jitter for transient errors, resets for 429."""

    attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 8.0
    rate_limited_attempts: int = 5

    def backoff(self, attempt: int, jitter: float) -> float:
        """Delay before retry `attempt` (0-based); `jitter` in [0, 1) spreads half of it."""
        ceiling = min(self.max_delay, self.base_delay * 2**attempt)
        return ceiling / 2 + ceiling / 2 * jitter


def _header_number(headers: Mapping[str, str], name: str) -> float | None:
    """A header as a finite number; None when absent or garbled."""
    try:
        value = float(headers[name])
    except (KeyError, ValueError):
        return None
    if value != value or value in (float("inf"), float("-inf")):
        return None
    return min(value, MAX_RESET) if name == "X-Rate-Limit-Reset" else value


class PacerLike(Protocol):
    """What ShipStationHttp needs of a pacer: this process's (Pacer) or a shared one."""

    waited: float

    def before_request(self) -> None: ...

    def observe(self, headers: Mapping[str, str]) -> None: ...

    def rate_limited(self, headers: Mapping[str, str]) -> float: ...


@dataclass(frozen=True)
class Reading:
    """The three X-Rate-Limit-* headers of one answer, as numbers (None when absent)."""

    limit: float | None
    remaining: float | None
    reset: float | None

    @classmethod
    def of(cls, headers: Mapping[str, str]) -> Reading:
        return cls(
            _header_number(headers, "X-Rate-Limit-Limit"),
            _header_number(headers, "X-Rate-Limit-Remaining"),
            _header_number(headers, "X-Rate-Limit-Reset"),
        )


def reserve(st: RateState, now: float, margin: float = 0.5, spread_below: int = 2) -> float:
    """Take one request of the window in `st`; returns when it may start (same clock as now)."""
    start = max(now, st.not_before)
    if st.reset_at is not None and start >= st.reset_at:
        st.remaining, st.reset_at = st.limit, None  # that window is over
    if st.remaining is not None and st.reset_at is not None:
        if st.remaining <= 0:
            start = st.reset_at + margin
            st.remaining, st.reset_at = st.limit, None
        elif st.remaining <= spread_below:
            # Few left: spread them over the rest of the window rather than burst.
            start = max(start, now + (st.reset_at - now) / (st.remaining + 1))
    if st.remaining is not None:
        st.remaining -= 1
    st.not_before = start
    return start


def record(st: RateState, now: float, reading: Reading) -> None:
    """Take the window's figures of one answer into `st` (answered at `now`)."""
    if reading.remaining is None or reading.reset is None:
        return
    reset_at = now + reading.reset
    same = st.reset_at is not None and abs(reset_at - st.reset_at) < SAME_WINDOW
    if same and st.remaining is not None and st.reset_at is not None:
        # Answers can arrive out of order: keep the most cautious reading.
        st.remaining = min(st.remaining, int(reading.remaining))
        st.reset_at = max(st.reset_at, reset_at)
    else:
        st.remaining, st.reset_at = int(reading.remaining), reset_at
    st.limit = int(reading.limit) if reading.limit is not None else st.limit


def wait_after_429(reading: Reading) -> float:
    """The seconds to wait after a 429: its Reset header, else one window."""
    return FALLBACK_RESET if reading.reset is None else max(reading.reset, 0.0)


def record_429(st: RateState, now: float, wait: float) -> None:
    """A 429: nothing more until the reset."""
    st.remaining = 0
    st.reset_at = now + wait


class WindowRules(ABC):
    """The window's rules as a pacer applies them: wait before a request when the key's window
    is spent (or nearly), never after; take each answer's figures; stop until the reset after
    a 429. Where the state lives is the subclass's `_change`: apply a rule to it at a moment."""

    margin: float
    spread_below: int
    sleep: Callable[[float], None]
    waited: float

    @abstractmethod
    def _change(self, apply: Callable[[RateState, float], Any]) -> None:
        """Apply a rule to the window's state at the current moment, atomically."""

    def before_request(self) -> None:
        """Reserve one request of the window; sleep first if the window cannot take it."""
        now = start = 0.0

        def take(st: RateState, at: float) -> None:
            nonlocal now, start
            now, start = at, reserve(st, at, self.margin, self.spread_below)

        self._change(take)
        if start > now:
            self.waited += start - now
            self.sleep(start - now)

    def observe(self, headers: Mapping[str, str]) -> None:
        """Take the window's figures from an answer's headers."""
        reading = Reading.of(headers)
        if reading.remaining is None or reading.reset is None:
            return
        self._change(lambda st, at: record(st, at, reading))

    def rate_limited(self, headers: Mapping[str, str]) -> float:
        """A 429: nothing more until the reset; returns the seconds to wait."""
        wait = wait_after_429(Reading.of(headers))
        self._change(lambda st, at: record_429(st, at, wait))
        return wait


class Pacer(WindowRules):
    """The window's rules on this process's state (one per key); adapters/db/budgets.py keeps
    it in the database instead, for every process and host that uses the key."""

    def __init__(
        self,
        state: RateState,
        monotonic: Callable[[], float],
        sleep: Callable[[float], None],
        margin: float = 0.5,
        spread_below: int = 2,
    ) -> None:
        self.state, self.monotonic, self.sleep = state, monotonic, sleep
        self.margin, self.spread_below = margin, spread_below
        self.waited = 0.0

    def _change(self, apply: Callable[[RateState, float], Any]) -> None:
        with self.state.lock:
            apply(self.state, self.monotonic())
