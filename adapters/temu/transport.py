"""Signed POSTs to Temu's router: pacing, retries with backoff, answers -> results or errors.

Every answer is classified in adapters.temu.answers; what may succeed on a second try
(TransientError and its kinds, RateLimited) is retried here with bounded, jittered backoff."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from adapters.temu.answers import failure_of, read_answer
from adapters.temu.pacing import DEFAULT_RATE, Limiter, claim_of, limiter_for
from adapters.temu.signing import encode, signed_body
from domain.errors import ExternalApiError, RateLimited, TransientError, UnusableAnswer
from domain.ports import Clock
from domain.secrets import mask
from domain.shop import Region, TemuCredentials

log = logging.getLogger(__name__)
HOSTS = {Region.US: "us", Region.EU: "eu", Region.GLOBAL: "global"}
HEADERS = {"Content-Type": "application/json"}
RESIGN_AFTER_S = 60.0  # a request that waited longer for its slot is signed again (Temu: ±300 s)


def router_url(credentials: TemuCredentials) -> str:
    """The router URL of the shop's region, or of an explicit base URL (the sandbox)."""
    if credentials.base_url:
        return credentials.base_url.rstrip("/") + "/openapi/router"
    return f"https://openapi-b-{HOSTS[Region(credentials.region)]}.temu.com/openapi/router"


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Bounded attempts with exponential backoff and full jitter."""

    attempts: int = 5
    base: float = 0.5
    cap: float = 8.0

    def delay(self, attempt: int, error: ExternalApiError, jitter: float) -> float:
        backoff = min(self.cap, self.base * 2 ** (attempt - 1)) * jitter
        if isinstance(error, RateLimited):
            return max(backoff, error.retry_after)
        return backoff


class TemuTransport:
    """Sends one signed call per attempt and turns the answer into a result or a domain error."""

    def __init__(
        self,
        credentials: TemuCredentials,
        *,
        http: httpx.Client | None = None,
        clock: Clock | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rate: float = DEFAULT_RATE,
        limiter: Limiter | None = None,
        claimant: str | None = None,
        retry: RetryPolicy = RetryPolicy(),
        timeout: float = 30.0,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.credentials, self.url = credentials, router_url(credentials)
        self.http = http or httpx.Client(timeout=timeout, limits=httpx.Limits(max_connections=64))
        self.clock = clock or SystemClock()
        self.sleep, self.retry, self.jitter = sleep, retry, jitter
        # The app key's budget: a given one (shared by every process through the database,
        # flows/wiring.py) or the one this process's clients of the key share.
        self.limiter: Limiter = limiter or limiter_for(credentials.app_key, rate)
        # The shop whose turn a request takes on the key (adapters/db/fair_share.py).
        self.claimant = claimant

    def __repr__(self) -> str:
        return f"TemuTransport(app_key={mask(self.credentials.app_key)}, url={self.url!r})"

    def call(self, api_type: str, params: Mapping[str, Any] | None = None) -> Any:
        """The `result` of one API call, retrying transient failures and rate limits."""
        for attempt in range(1, self.retry.attempts + 1):
            claim = claim_of(self.claimant) if self.claimant else None
            # Signed before the wait, so that once the slot comes only the send is left: a
            # request held up between its slot and Temu can make 21 in one second with the
            # next ones (adapters/db/temu_budget.py LATE).
            content = encode(self.body(api_type, params or {}))
            if self.limiter.acquire(self.sleep, claim) > RESIGN_AFTER_S:
                content = encode(self.body(api_type, params or {}))  # a fresh timestamp
            try:
                return self._send(api_type, content)
            except (TransientError, RateLimited) as error:
                if attempt == self.retry.attempts:
                    raise
                delay = self.retry.delay(attempt, error, self.jitter())
                if isinstance(error, RateLimited):
                    self.limiter.hold_off(delay)
                log.info(
                    "temu %s attempt %d failed (%s %s); retry in %.2fs",
                    api_type,
                    attempt,
                    type(error).__name__,
                    error.code,
                    delay,
                )
                self.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def body(self, api_type: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """Common params first, business params after, `sign` last."""
        common = {
            "type": api_type,
            "app_key": self.credentials.app_key,
            "access_token": self.credentials.access_token.reveal(),
            "timestamp": int(self.clock.now().timestamp()),
            "data_type": "JSON",
        }
        business = {key: value for key, value in params.items() if value is not None}
        return signed_body({**common, **business}, self.credentials.app_secret.reveal())

    def _send(self, api_type: str, content: bytes) -> Any:
        try:
            response = self.http.post(self.url, content=content, headers=HEADERS)
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise failure_of(api_type, self.url, exc) from None
        return read_answer(api_type, response, self.secrets())

    def secrets(self) -> tuple[str, ...]:
        """The values no message, excerpt or log line may show."""
        return (self.credentials.access_token.reveal(), self.credentials.app_secret.reveal())

    def scrub(self, text: str) -> str:
        return UnusableAnswer.scrub(text, self.secrets())
