"""One ShipStation V2 request: paced, classified, retried when that is safe.

- Every attempt first takes a slot of the key's budget (`limiter.acquire`).
- A 429 holds the budget back for `Retry-After` (`limiter.hold_off`) and is asked again, a
  bounded number of times; a 429 ShipStation passes on from a carrier waits without holding
  the key's budget back.
- Transient failures (unreachable, dropped, 408, 5xx, an unreadable 2xx) are retried with
  bounded, jittered backoff (adapters.shipstation.pacing.RetryPolicy).
- A request that creates something (`creates=True`) is sent again only when it surely never
  left (Unreachable) or was refused for the rate (429): once it may have reached ShipStation,
  a failure is OutcomeUnknown, for the caller to look up what happened.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import httpx

from adapters.shipstation.errors import read_json, transport_error
from adapters.shipstation.http import server_time
from adapters.shipstation.pacing import RetryPolicy
from adapters.shipstation.v2.errors import API, OutcomeUnknown, V2Failure, error_for
from adapters.shipstation.v2.pacing import retry_after
from adapters.temu.pacing import Limiter
from domain.errors import ExternalApiError, MalformedAnswer, RateLimited, Unreachable

log = logging.getLogger(__name__)
Params = Mapping[str, str | int]


class _EmptyBody:
    """A 2xx other than 204 whose body is empty, where no body was expected: perhaps done,
    perhaps an answer that never came from ShipStation (the caller may check)."""

    def __repr__(self) -> str:
        return "EMPTY_BODY"


EMPTY_BODY = _EmptyBody()


class V2Http:
    """Sends through an httpx client whose base URL and `API-Key` header are set; returns the
    decoded JSON (None for no content) or raises domain errors, never httpx's."""

    def __init__(
        self,
        client: httpx.Client,
        limiter: Limiter,
        *,
        retry: RetryPolicy,
        sleep: Callable[[float], None],
        rng: random.Random,
        clock: Callable[[], datetime],
        secrets: tuple[str, ...] = (),
    ) -> None:
        self.client, self.limiter, self.retry = client, limiter, retry
        self.sleep, self.rng, self.clock = sleep, rng, clock
        self.secrets = secrets  # masked in every message and quoted answer
        self.requests = 0  # attempts sent (each took a slot of the budget)
        self.answered_at: datetime | None = None  # the last answer's Date: ShipStation's clock
        self.retried = 0
        self.rate_limited = 0

    def request(
        self,
        method: str,
        target: str,
        *,
        params: Params | None = None,
        body: Any = None,
        creates: bool = False,
        expect_body: bool = True,
    ) -> Any:
        """Send until the answer is final. `target`: a path (`/v2/...`) or a URL of the base's
        own host. `expect_body=False`: a 204 is the answer (None); another 2xx without a body
        is EMPTY_BODY."""
        where = f"{method} {_path_of(target)}"
        attempt = limited = 0
        while True:
            outcome = self._once(method, target, where, params, body, expect_body)
            if not isinstance(outcome, ExternalApiError):
                return outcome
            if isinstance(outcome, RateLimited):
                limited += 1
                if limited > self.retry.rate_limited_attempts:
                    raise outcome
                self._wait_out(outcome, where)
                continue
            self._raise_if_final(outcome, where, attempt, creates)
            delay = self.retry.backoff(attempt, self.rng.random())
            detail = outcome.message.removeprefix(f"{where}: ")[:300]
            log.warning("%s: %s (%s); retry in %.1fs", where, detail, type(outcome).__name__, delay)
            self.retried += 1
            self.sleep(delay)
            attempt += 1

    def exchange(
        self, method: str, target: str, *, params: Params | None = None, body: Any = None
    ) -> httpx.Response:
        """One attempt, paced, its answer as it came (the self-check reports what the account
        said, whatever it was). A 429 holds the key's budget back for its Retry-After. Raises
        only when no answer came (Unreachable, ConnectionLost)."""
        self.limiter.acquire(self.sleep)
        self.requests += 1
        try:
            response = self.client.request(method, target, params=params, json=body)
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise transport_error(exc, self._url(target), API) from None
        if response.status_code == 429:
            self.rate_limited += 1
            self.limiter.hold_off(retry_after(response.headers.get("Retry-After"), self.clock()))
        return response

    def _raise_if_final(
        self, error: ExternalApiError, where: str, attempt: int, creates: bool
    ) -> None:
        if not error.retryable:
            raise error
        if creates and not isinstance(error, Unreachable):
            raise OutcomeUnknown(where, error) from None
        if attempt + 1 >= self.retry.attempts:
            raise error

    def _wait_out(self, error: RateLimited, where: str) -> None:
        """The key's budget is held back for everyone; a carrier's 429 only delays this call."""
        carrier = isinstance(error, V2Failure) and not error.answer.from_shipstation
        rid = error.request_id if isinstance(error, V2Failure) else None
        log.warning(
            "%s: rate limited%s, waiting %.0fs (request_id %s)",
            where, " by a carrier" if carrier else "", error.retry_after, rid,
        )  # fmt: skip
        self.rate_limited += 1
        if carrier:
            self.sleep(error.retry_after)
        else:
            self.limiter.hold_off(error.retry_after)

    def _once(
        self,
        method: str,
        target: str,
        where: str,
        params: Params | None,
        body: Any,
        expect_body: bool,
    ) -> Any:
        """The decoded answer, or the domain error it amounts to (returned, not raised)."""
        self.limiter.acquire(self.sleep)
        self.requests += 1
        try:
            response = self.client.request(method, target, params=params, json=body)
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            return transport_error(exc, self._url(target), API)
        if response.is_success:
            self.answered_at = server_time(response.headers) or self.answered_at
            if not expect_body and response.status_code == 204:
                return None
            if not expect_body and not response.content.strip():
                return EMPTY_BODY
            answer = read_json(response, self.secrets, API)
            if isinstance(answer, MalformedAnswer):  # name the call it answered
                return MalformedAnswer(API, f"{where}: {answer.reason}", excerpt=answer.excerpt)
            return answer
        wait = retry_after(response.headers.get("Retry-After"), self.clock())
        return error_for(response, where, wait, self.secrets)

    def _url(self, target: str) -> str:
        # The URL without its query: filters are not worth repeating in a message.
        try:
            return str(self.client.base_url.join(target).copy_with(query=None))
        except (httpx.InvalidURL, ValueError, TypeError):
            return _path_of(target)


def _path_of(target: str) -> str:
    try:
        return httpx.URL(target).path
    except (httpx.InvalidURL, ValueError, TypeError):
        return target.split("?", 1)[0][:200]
