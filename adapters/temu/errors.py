"""Temu answers -> domain errors, decided by code (never by message text)."""

from __future__ import annotations

from domain.errors import (
    BusinessError,
    ConfigError,
    ExternalApiError,
    PermissionMissing,
    RateLimited,
    TokenExpired,
    TokenRevoked,
    TransientError,
)

API = "temu"
SUCCESS = 1000000
EXPIRED = 3000034
REVOKED = frozenset({3000030, 3000031, 3000033})
PERMISSION = 3000032
RATE_LIMIT = 4000004
ALREADY_SHIPPED = 120012004
TRACKING_USED = 120014004
# Gateway codes a person must fix: signature, app key, clock, region host, IP allow-list, bugs.
CONFIG = frozenset(
    {3000000, 3000001, 3000002, 3000003, 3000004, 3000010, 3000011, 3000012, 3000013, 3000014}
    | set(range(3000019, 3000029))
    | {3000040, 5000000, 5000001, 5000002, 5000003, 120011072}
)
# Retry later: gateway hiccups, and business codes that say "still calculating / try again".
TRANSIENT = frozenset({2000000, 4000000, 6000001, 120014006, 140020008, 140020009})


def error_for(api_type: str, code: int | None, message: str) -> ExternalApiError:
    """The domain error for a Temu `errorCode` answered to a call of `api_type`."""
    text = f"{api_type}: {message or 'no message'}"
    if code == EXPIRED:
        return TokenExpired(API, text, code)
    if code in REVOKED:
        return TokenRevoked(API, text, code)
    if code == PERMISSION:
        return PermissionMissing(API, text, code, api_type)
    if code == RATE_LIMIT:
        return RateLimited(API, text, code)
    if code in CONFIG:
        return ConfigError(API, text, code)
    if code in TRANSIENT or code is None:
        return TransientError(API, text, code)
    if code >= 100_000_000:
        return BusinessError(API, message, code)
    return TransientError(API, text, code)


def error_for_status(
    api_type: str, status: int, text: str, retry_after: float, excerpt: str = ""
) -> ExternalApiError:
    """The domain error for a non-200 HTTP answer; `excerpt` is the scrubbed body, quoted."""
    where = f"{api_type}: HTTP {status}"
    quoted = f" [answer: {excerpt}]" if excerpt else ""
    if status == 401 and "expired" in text.lower():
        # The one place text decides: an HTTP 401 carries no Temu code (temu.md §2.1, §10.1).
        return TokenExpired(API, f"{where}: access token is expired{quoted}", status)
    if status in (401, 403):
        return TokenRevoked(API, f"{where}: access token refused{quoted}", status)
    if status == 429:
        return RateLimited(API, f"{where}{quoted}", status, retry_after=retry_after)
    if status >= 500 or status == 408:
        return TransientError(API, f"{where}{quoted}", status)
    return ConfigError(API, f"{where}: check the region or base URL{quoted}", status)
