"""V2's budget: 200 requests a minute per API key, and `Retry-After` on a 429.

The budget is a limiter with the interface of adapters.temu.pacing.RateLimiter (`acquire`
before every request, `hold_off` after a 429): a given one (the database-shared budget) or,
by default, one per (base URL, key) shared by every client of this process.
"""

from __future__ import annotations

import hashlib
import math
import threading
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from adapters.temu.pacing import RateLimiter

RATE = 200 / 60  # requests per second: ShipStation V2's default 200 a minute
FALLBACK_WAIT = 60.0  # a 429 without a readable Retry-After: one whole window
MIN_WAIT = 1.0  # Retry-After 0 (or a date already past): still not at once
MAX_WAIT = 300.0  # a Retry-After further out is garbled (or a lockout a person must see)

_limiters: dict[str, RateLimiter] = {}
_limiters_lock = threading.Lock()


def limiter_for(base_url: str, api_key: str, rate: float = RATE) -> RateLimiter:
    """The process-wide limiter of a key at a base URL (named by a hash: the key is not kept)."""
    name = hashlib.sha256(f"{base_url.rstrip('/')}|{api_key}".encode()).hexdigest()
    with _limiters_lock:
        limiter = _limiters.get(name)
        if limiter is None:
            limiter = _limiters[name] = RateLimiter(rate)
        return limiter


def retry_after(header: str | None, now: datetime) -> float:
    """Seconds to wait from a `Retry-After` header: a number of seconds or an HTTP date.
    Missing or garbled: FALLBACK_WAIT; always within MIN_WAIT..MAX_WAIT."""
    text = (header or "").strip()
    if not text:
        return FALLBACK_WAIT
    try:
        seconds = float(text)
    except ValueError:
        seconds = _until(text, now)
    if not math.isfinite(seconds):
        return FALLBACK_WAIT
    return min(max(seconds, MIN_WAIT), MAX_WAIT)


def _until(text: str, now: datetime) -> float:
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return math.nan
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return (when - now).total_seconds()
