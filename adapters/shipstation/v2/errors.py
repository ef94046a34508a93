"""ShipStation V2 answers -> domain errors, decided by HTTP status; the error code is kept.

| answer                                         | error                       | retried     |
|------------------------------------------------|-----------------------------|-------------|
| no connection made (refused, DNS, connect t/o) | Unreachable (nothing sent)  | yes         |
| read timeout, connection dropped               | ConnectionLost              | yes (*)     |
| 2xx with an empty, HTML or truncated body      | MalformedAnswer             | yes (*)     |
| 3xx (never followed: the key would go along)   | ConfigError                 | no          |
| 401                                            | V2AuthenticationFailed      | no          |
| 403                                            | V2ConfigError               | no          |
| 404                                            | NotFound (V2BusinessError)  | no          |
| 400, 409 and other 4xx                         | V2BusinessError             | no          |
| 429                                            | V2RateLimited               | after wait  |
| 408, 5xx (some with an empty body)             | V2TransientError            | yes (*)     |

(*) except a request that creates something: OutcomeUnknown (see http.py).

Every message names the call and ShipStation's `request_id` (support asks for it); the API key
never appears in a message or an excerpt.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import httpx

from domain.errors import (
    AuthenticationFailed,
    BusinessError,
    ConfigError,
    ExternalApiError,
    RateLimited,
    TransientError,
    UnusableAnswer,
)

API = "ShipStation V2"
MAX_MESSAGE = 300
MAX_ERRORS = 3  # errors quoted in one message
SHIPSTATION_SOURCE = "shipstation"
AUTH_FIX = (
    "check the V2 API key under Account > API Settings > V2 API in ShipStation "
    "(a V1 key and secret do not work with V2)"
)


@dataclass(frozen=True, slots=True)
class ErrorDetail:
    """One entry of the standard body's `errors`."""

    message: str
    error_code: str | None = None
    error_type: str | None = None
    error_source: str | None = None


@dataclass(frozen=True, slots=True)
class FailedAnswer:
    """What a failed V2 answer said: its status, `request_id` and `errors`."""

    status: int
    request_id: str | None
    details: tuple[ErrorDetail, ...] = ()
    excerpt: str = ""  # the body, scrubbed, when it is not the standard error body

    @property
    def error_code(self) -> str | None:
        return next((d.error_code for d in self.details if d.error_code), None)

    @property
    def error_codes(self) -> frozenset[str]:
        return frozenset(d.error_code for d in self.details if d.error_code)

    @property
    def from_shipstation(self) -> bool:
        """False when ShipStation passes on a carrier's or marketplace's answer."""
        sources = {(d.error_source or SHIPSTATION_SOURCE).lower() for d in self.details}
        return sources <= {SHIPSTATION_SOURCE}

    def describe(self) -> str:
        """The errors' codes and messages, then the request id: `code: message (request_id …)`."""
        parts = [
            f"{d.error_code}: {d.message}" if d.error_code else d.message for d in self.details
        ]
        text = "; ".join(parts[:MAX_ERRORS])
        if len(parts) > MAX_ERRORS:
            text += f"; and {len(parts) - MAX_ERRORS} more"
        if not parts:
            quoted = f"not ShipStation's error body [answer: {self.excerpt}]"
            text = quoted if self.excerpt else "an empty answer"
        rid = f"request_id {self.request_id}" if self.request_id else "no request_id in the answer"
        return f"{text} (HTTP {self.status}, {rid})"


class V2Failure:
    """Mixin of every V2 error made from an answer: its request id and error codes."""

    answer: FailedAnswer

    @property
    def request_id(self) -> str | None:
        return self.answer.request_id

    @property
    def error_code(self) -> str | None:
        return self.answer.error_code

    @property
    def error_codes(self) -> frozenset[str]:
        return self.answer.error_codes


class V2AuthenticationFailed(V2Failure, AuthenticationFailed):
    def __init__(self, where: str, answer: FailedAnswer) -> None:
        self.answer = answer
        message = f"{where}: ShipStation rejected the API key: {AUTH_FIX}; {answer.describe()}"
        super().__init__(API, message, answer.status)


class V2ConfigError(V2Failure, ConfigError):
    """403: the key may not do this (plan, billing, permissions): a person must look."""

    def __init__(self, where: str, answer: FailedAnswer) -> None:
        self.answer = answer
        message = (
            f"{where}: ShipStation refused access: {answer.describe()}; check the account's "
            "plan and billing (V2 needs a Standard or Premium plan) and the V2 API key"
        )
        super().__init__(API, message, answer.status)


class V2BusinessError(V2Failure, BusinessError):
    """400, 409 and other refusals of the request as sent: fix it, do not resend it as is.
    `error_code` (identifier_conflict, field_conflict, invalid_status, ...) says why."""

    def __init__(self, where: str, answer: FailedAnswer) -> None:
        self.answer = answer
        super().__init__(API, f"{where}: {answer.describe()}", answer.status)


class NotFound(V2BusinessError):
    """404: no such shipment, label or webhook."""


class V2RateLimited(V2Failure, RateLimited):
    def __init__(self, where: str, answer: FailedAnswer, retry_after: float) -> None:
        self.answer = answer
        message = f"{where}: too many requests, wait {retry_after:.0f}s: {answer.describe()}"
        super().__init__(API, message, answer.status, retry_after=retry_after)


class V2TransientError(V2Failure, TransientError):
    """408 and 5xx: worth another try later."""

    def __init__(self, where: str, answer: FailedAnswer) -> None:
        self.answer = answer
        super().__init__(API, f"{where}: ShipStation failed: {answer.describe()}", answer.status)


class OutcomeUnknown(ExternalApiError):
    """A request that creates something (shipments, fulfillments, a webhook) may have reached
    ShipStation, but no usable answer came back. Sending it again could create it twice
    (fulfillments and webhooks have no unique key) or be refused as a duplicate: look up what
    happened first (shipments by external_shipment_id, webhooks by listing them)."""

    def __init__(self, where: str, cause: ExternalApiError) -> None:
        self.cause = cause
        self.request_id = cause.request_id if isinstance(cause, V2Failure) else None
        message = (
            f"{where}: the outcome is unknown, not sent again (it may have been created): "
            f"look it up before sending it again; cause: {cause.message}"
        )
        super().__init__(API, message, cause.code)


def failed_answer(response: httpx.Response, secrets: Iterable[str] = ()) -> FailedAnswer:
    """The request id and errors of a failed answer; an answer that is not the standard body
    (an edge's HTML page, an empty 500) is quoted short instead. Secrets are masked."""
    secrets = tuple(secrets)
    body = _json_object(response.content)
    request_id = _text(body.get("request_id"), secrets, 100) if body else None
    details = tuple(_details(body.get("errors"), secrets)) if body else ()
    excerpt = "" if details else UnusableAnswer.excerpt_of(response.content, secrets)
    return FailedAnswer(response.status_code, request_id or None, details, excerpt)


def error_for(
    response: httpx.Response, where: str, retry_after: float, secrets: Iterable[str] = ()
) -> ExternalApiError:
    """The domain error for a non-2xx answer to `where` (`METHOD /path`)."""
    status = response.status_code
    answer = failed_answer(response, secrets)
    if status == 401:
        return V2AuthenticationFailed(where, answer)
    if status == 403:
        return V2ConfigError(where, answer)
    if status == 404:
        return NotFound(where, answer)
    if status == 429:
        return V2RateLimited(where, answer, retry_after)
    if status >= 500 or status == 408:
        return V2TransientError(where, answer)
    if 300 <= status < 400:
        message = f"{where}: redirected (not followed): check the base URL; {answer.describe()}"
        return ConfigError(API, message, status)
    return V2BusinessError(where, answer)


def _json_object(content: bytes) -> dict[str, Any]:
    # Edge errors can be HTML or truncated: read leniently, never fail on the body.
    try:
        body = json.loads(content)
    except (ValueError, RecursionError):
        return {}
    return body if isinstance(body, dict) else {}


def _details(errors: Any, secrets: tuple[str, ...]) -> Iterable[ErrorDetail]:
    for entry in errors if isinstance(errors, list) else []:
        if isinstance(entry, str):
            yield ErrorDetail(_text(entry, secrets, MAX_MESSAGE) or "(no message)")
        elif isinstance(entry, dict):
            yield ErrorDetail(
                _text(entry.get("message"), secrets, MAX_MESSAGE) or "(no message)",
                _text(entry.get("error_code"), secrets, 64) or None,
                _text(entry.get("error_type"), secrets, 64) or None,
                _text(entry.get("error_source"), secrets, 64) or None,
            )


def _text(value: Any, secrets: tuple[str, ...], limit: int) -> str:
    if value is None or isinstance(value, dict | list):
        return ""
    return " ".join(UnusableAnswer.scrub(str(value), secrets).split())[:limit]
