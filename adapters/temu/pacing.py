"""Request pacing: one thread-safe limiter per Temu app key, shared across the process."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

DEFAULT_RATE = 20.0
# Spacing slightly wider than 1/rate keeps network jitter from pushing 21 requests into
# one server-side second; throughput stays about 95% of the limit.
DEFAULT_MARGIN = 0.05


INCREMENTAL, BACKLOG = 0, 1


@dataclass(frozen=True, slots=True)
class Claim:
    """Who takes a slot of the key: the shop, and whether for incremental work or a backlog."""

    shop: str
    priority: int = INCREMENTAL


_backlogs: set[str] = set()


def mark_backlog(shop_id: str, backlog: bool) -> None:
    """From now on, the shop's Temu requests in this process are a backlog's (or not)."""
    if backlog:
        _backlogs.add(shop_id)
    else:
        _backlogs.discard(shop_id)


def claim_of(shop_id: str) -> Claim:
    return Claim(shop_id, BACKLOG if shop_id in _backlogs else INCREMENTAL)


class Limiter(Protocol):
    """What the transport needs of a budget: this process's (RateLimiter) or a shared one."""

    @property
    def rate(self) -> float: ...

    def acquire(
        self, sleep: Callable[[float], None] | None = None, claim: Claim | None = None
    ) -> float: ...

    def hold_off(self, seconds: float) -> None: ...


class RateLimiter:
    """Spaces request starts at least (1 + margin) / rate seconds apart, across threads."""

    def __init__(
        self,
        rate: float = DEFAULT_RATE,
        margin: float = DEFAULT_MARGIN,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._lock = threading.Lock()
        self._next = 0.0
        self._monotonic, self._sleep = monotonic, sleep
        self.margin = margin
        self.rate = rate

    @property
    def interval(self) -> float:
        return (1.0 + self.margin) / self.rate if self.rate > 0 else 0.0

    def acquire(
        self, sleep: Callable[[float], None] | None = None, claim: Claim | None = None
    ) -> float:
        """Wait for this request's slot (with the caller's sleep, if given); the seconds waited.
        One process's requests are served in order: the claim matters to the shared budget."""
        with self._lock:
            now = self._monotonic()
            slot = max(now, self._next)
            self._next = slot + self.interval
        wait = slot - now
        if wait > 0:
            (sleep or self._sleep)(wait)
        return wait

    def hold_off(self, seconds: float) -> None:
        """Push every later slot back: the server said we were too fast."""
        with self._lock:
            self._next = max(self._next, self._monotonic() + seconds)


_registry: dict[str, RateLimiter] = {}
_registry_lock = threading.Lock()


def limiter_for(app_key: str, rate: float = DEFAULT_RATE) -> RateLimiter:
    """The process-wide limiter of an app key; a different rate re-rates it (latest wins)."""
    with _registry_lock:
        limiter = _registry.get(app_key)
        if limiter is None:
            limiter = _registry[app_key] = RateLimiter(rate)
        elif limiter.rate != rate:
            limiter.rate = rate
        return limiter
