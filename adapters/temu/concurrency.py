"""Fetch many orders' data at once, within the app key's request budget."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from typing import TypeVar

from domain.errors import (
    BusinessError,
    ExternalApiError,
    InvalidPayload,
    RateLimited,
    TransientError,
    UnexpectedAnswer,
)

T = TypeVar("T")
MAX_WORKERS = 32
# Errors that belong to one order; anything else (token, permission, config) stops the batch.
PER_ORDER = (BusinessError, TransientError, RateLimited, UnexpectedAnswer)


def workers_for(rate: float, count: int) -> int:
    """Enough threads to keep the rate busy (one per allowed request a second), no more."""
    return max(1, min(count, MAX_WORKERS, math.ceil(rate) if rate > 0 else MAX_WORKERS))


def fetch_concurrently(
    fetch: Callable[[str], T], keys: Sequence[str], rate: float
) -> dict[str, T | ExternalApiError]:
    """fetch(key) for every distinct key; per-order errors are kept, shop-wide ones raised."""
    unique = list(dict.fromkeys(keys))
    if not unique:
        return {}
    results: dict[str, T | ExternalApiError] = {}
    with ThreadPoolExecutor(max_workers=workers_for(rate, len(unique))) as pool:
        futures = {pool.submit(_one, fetch, key): key for key in unique}
        done, pending = wait(futures, return_when=FIRST_EXCEPTION)
        for future in pending:
            future.cancel()
        for future in done:
            results[futures[future]] = future.result()  # re-raises a shop-wide error
    return results


def _one(fetch: Callable[[str], T], key: str) -> T | ExternalApiError:
    try:
        return fetch(key)
    except PER_ORDER as error:
        return error
    except InvalidPayload as error:
        return ExternalApiError("temu", f"{key}: {error}")
