"""The simulated ShipStation's rate window, fault injection and call counters."""

from __future__ import annotations

import math
import threading
from collections import Counter
from dataclasses import dataclass

from adapters.sandbox.shipstation.clock import SandboxClock

UNLIMITED = 1_000_000  # what the headers say when the limit is switched off


@dataclass
class _Window:
    started: float
    count: int = 0


class RateWindow:
    """A fixed window per API key (default 40 requests a minute), as V1 describes it."""

    def __init__(self, clock: SandboxClock, limit: int | None = 40, seconds: float = 60.0):
        self.clock, self.limit, self.seconds = clock, limit, seconds
        self._windows: dict[str, _Window] = {}
        self._lock = threading.Lock()

    def take(self, key: str) -> tuple[bool, dict[str, str]]:
        """Count one request; returns (allowed, the three X-Rate-Limit-* headers)."""
        with self._lock:
            now = self.clock.monotonic()
            window = self._windows.get(key)
            if window is None or now >= window.started + self.seconds:
                window = self._windows[key] = _Window(started=now)
            limit = self.limit if self.limit is not None else UNLIMITED
            allowed = window.count < limit
            window.count += allowed
            reset = math.ceil(max(window.started + self.seconds - now, 0.0))
            return allowed, {
                "X-Rate-Limit-Limit": str(limit),
                "X-Rate-Limit-Remaining": str(max(limit - window.count, 0)),
                "X-Rate-Limit-Reset": str(reset),
            }


@dataclass
class Fault:
    """What the next `count` API requests (those whose path starts with `path`, if given)
    suffer: `error` (5xx), `slow`, `drop` (the connection closed mid-body), `malformed` (a
    200 whose JSON is cut short), `html` (a 200 proxy page) or `empty` (a 200 with no body);
    or `empty_error` (a 5xx with no body) or `rate_limit` (a 429 asking to retry after
    `retry_after` seconds)."""

    kind: str
    count: int
    delay: float = 0.0
    status: int = 500
    path: str | None = None
    retry_after: int = 1

    def applies(self, path: str) -> bool:
        return self.path is None or path.startswith(self.path)


class Faults:
    """Faults queued for the next requests, consumed in order; a fault for one path waits
    (and lets the faults behind it wait) until a request for that path comes."""

    KINDS = frozenset({"error", "slow", "drop", "malformed", "html", "empty"})
    # Added with V2 (its chaos cases): a 5xx with no body, a burst of 429s.
    STATUS_KINDS = frozenset({"empty_error", "rate_limit"})

    def __init__(self) -> None:
        self._queue: list[Fault] = []
        self._lock = threading.Lock()

    def inject(
        self,
        kind: str,
        count: int = 1,
        delay: float = 0.0,
        status: int = 500,
        path: str | None = None,
        retry_after: int = 1,
    ) -> None:
        kinds = self.KINDS | self.STATUS_KINDS
        if kind not in kinds:
            raise ValueError(f"unknown fault {kind!r}; one of {sorted(kinds)}")
        with self._lock:
            self._queue.append(Fault(kind, count, delay, status, path, max(int(retry_after), 0)))

    def next(self, path: str = "/") -> Fault | None:
        with self._lock:
            if not self._queue or not self._queue[0].applies(path):
                return None
            fault = self._queue[0]
            fault.count -= 1
            if fault.count <= 0:
                self._queue.pop(0)
            return fault

    def pending(self) -> int:
        """Requests still to be faulted."""
        with self._lock:
            return sum(f.count for f in self._queue)

    def clear(self) -> None:
        with self._lock:
            self._queue.clear()


class Counters:
    """Calls per endpoint ("POST /orders/createorders") and how many got a 429."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.rate_limited = 0
        self.unauthorized = 0
        self._lock = threading.Lock()

    def count(self, endpoint: str) -> None:
        with self._lock:
            self.calls[endpoint] += 1

    def limited(self) -> None:
        with self._lock:
            self.rate_limited += 1

    def refused(self) -> None:
        with self._lock:
            self.unauthorized += 1

    def snapshot(self) -> dict[str, object]:
        with self._lock:
            return {
                "calls": dict(self.calls),
                "total": sum(self.calls.values()),
                "rate_limited": self.rate_limited,
                "unauthorized": self.unauthorized,
            }

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
            self.rate_limited = self.unauthorized = 0
