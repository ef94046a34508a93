"""Pacing from ShipStation's X-Rate-Limit-* headers, shared by every client of one API key."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

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


class Pacer:
    """Waits before a request when the key's window is spent (or nearly), never after."""

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

    def before_request(self) -> None:
        """Reserve one request of the window; sleep first if the window cannot take it."""
        with self.state.lock:
            now = self.monotonic()
            start = self._reserve(now)
        if start > now:
            self.waited += start - now
            self.sleep(start - now)

    def _reserve(self, now: float) -> float:
        st = self.state
        start = max(now, st.not_before)
        if st.reset_at is not None and start >= st.reset_at:
            st.remaining, st.reset_at = st.limit, None  # that window is over
        if st.remaining is not None and st.reset_at is not None:
            if st.remaining <= 0:
                start = st.reset_at + self.margin
                st.remaining, st.reset_at = st.limit, None
            elif st.remaining <= self.spread_below:
                # Few left: spread them over the rest of the window rather than burst.
                start = max(start, now + (st.reset_at - now) / (st.remaining + 1))
        if st.remaining is not None:
            st.remaining -= 1
        st.not_before = start
        return start

    def observe(self, headers: Mapping[str, str]) -> None:
        """Take the window's figures from an answer's headers."""
        limit = _header_number(headers, "X-Rate-Limit-Limit")
        remaining = _header_number(headers, "X-Rate-Limit-Remaining")
        reset = _header_number(headers, "X-Rate-Limit-Reset")
        if remaining is None or reset is None:
            return
        with self.state.lock:
            st = self.state
            reset_at = self.monotonic() + reset
            same = st.reset_at is not None and abs(reset_at - st.reset_at) < SAME_WINDOW
            if same and st.remaining is not None and st.reset_at is not None:
                # Answers can arrive out of order: keep the most cautious reading.
                st.remaining = min(st.remaining, int(remaining))
                st.reset_at = max(st.reset_at, reset_at)
            else:
                st.remaining, st.reset_at = int(remaining), reset_at
            st.limit = int(limit) if limit is not None else st.limit

    def rate_limited(self, headers: Mapping[str, str]) -> float:
        """A 429: nothing more until the reset; returns the seconds to wait."""
        reset = _header_number(headers, "X-Rate-Limit-Reset")
        wait = FALLBACK_RESET if reset is None else max(reset, 0.0)
        with self.state.lock:
            self.state.remaining = 0
            self.state.reset_at = self.monotonic() + wait
        return wait
