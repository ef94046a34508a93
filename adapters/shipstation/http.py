"""One ShipStation request: paced, classified, retried when that is safe."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from adapters.shipstation.errors import API, error_for, read_json, transport_error
from adapters.shipstation.pacing import PacerLike, RetryPolicy
from domain.errors import ExternalApiError, RateLimited

log = logging.getLogger(__name__)


def server_time(headers: Mapping[str, str]) -> datetime | None:
    """When the server answered, on its own clock: the end of the second its `Date` header
    names (the header has no fractions: a label bought within that second, before the answer,
    is not taken for one bought after it). None when absent or garbled."""
    try:
        moment = parsedate_to_datetime(headers.get("Date") or "")
    except (TypeError, ValueError, IndexError):
        return None
    moment = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return moment + timedelta(seconds=1)


class ShipStationHttp:
    """Sends requests through a paced httpx client; returns decoded JSON or raises domain errors."""

    def __init__(
        self,
        client: httpx.Client,
        pacer: PacerLike,
        retry: RetryPolicy,
        sleep: Callable[[float], None],
        rng: random.Random,
        secrets: tuple[str, ...] = (),
    ) -> None:
        self.client, self.pacer, self.retry = client, pacer, retry
        self.sleep, self.rng = sleep, rng
        self.secrets = secrets  # masked in every message and quoted answer
        self.requests = 0
        self.rate_limited = 0
        self.answered_at: datetime | None = None  # the last answer's Date: ShipStation's clock

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.request("GET", path, params=params)

    def post(self, path: str, body: Any) -> Any:
        # createorders upserts by orderKey, so resending a POST after a timeout is safe.
        return self.request("POST", path, json=body)

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        """Send until an answer is final: 2xx returns, 429 waits the reset, transient retries."""
        attempt = limited = 0
        while True:
            error = self._once(method, path, **kwargs)
            if not isinstance(error, ExternalApiError):
                return error
            if isinstance(error, RateLimited):
                limited += 1
                if limited > self.retry.rate_limited_attempts:
                    raise error
                continue  # the pacer now holds the next request until the reset
            if not error.retryable or attempt + 1 >= self.retry.attempts:
                raise error
            delay = self.retry.backoff(attempt, self.rng.random())
            log.warning(
                "%s %s: %s %s; retry in %.1fs", method, path, type(error).__name__,
                error.message[:200], delay,
            )  # fmt: skip
            self.sleep(delay)
            attempt += 1

    def _once(self, method: str, path: str, empty_ok: bool = False, **kwargs: Any) -> Any:
        """The decoded answer, or the domain error it amounts to (returned, not raised);
        `empty_ok`: an empty 2xx body is an answer (None), not a malformed one."""
        self.pacer.before_request()
        self.requests += 1
        try:
            response = self.client.request(method, path, **kwargs)
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            return transport_error(exc, f"{self.client.base_url}".rstrip("/") + path)
        self.pacer.observe(response.headers)
        if response.status_code == 429:
            self.rate_limited += 1
            wait = self.pacer.rate_limited(response.headers)
            log.warning("%s %s: rate limited, waiting %.0fs for the reset", method, path, wait)
            return RateLimited(API, "Too Many Requests", 429, retry_after=wait)
        if response.is_success:
            self.answered_at = server_time(response.headers) or self.answered_at
            if empty_ok and not response.content.strip():
                return None
            return read_json(response, self.secrets)
        return error_for(response, self.secrets)
