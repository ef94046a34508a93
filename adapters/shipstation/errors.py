"""ShipStation V1 error answers -> domain errors. V1 is ASP.NET: PascalCase bodies."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

import httpx

from domain.errors import (
    AuthenticationFailed,
    BusinessError,
    ConfigError,
    ConnectionLost,
    ExternalApiError,
    MalformedAnswer,
    TransientError,
    Unreachable,
    UnusableAnswer,
)

API = "ShipStation"
MAX_MESSAGE = 500
_INDEXED = re.compile(r"^apiOrders?\[(\d+)\]\.?(.*)$")
AUTH_MESSAGE = (
    "ShipStation rejected the API key and secret (HTTP 401): check the V1 key pair under "
    "Settings > Account > API Settings (keys expire and only two pairs exist at a time)"
)


class ShipStationBadRequest(BusinessError):
    """A 400: `model_state` maps `apiOrders[i].field` to ShipStation's messages."""

    def __init__(self, message: str, model_state: dict[str, list[str]]) -> None:
        first = next(iter(model_state), None)
        super().__init__(API, _with_fields(message, model_state), 400, field=first)
        self.model_state = model_state

    def errors_by_index(self) -> dict[int, str]:
        """Position in the sent batch -> "field: message" for each order ShipStation named."""
        named: dict[int, list[str]] = {}
        for key, messages in self.model_state.items():
            match = _INDEXED.match(key)
            if match:
                field = match[2] or "order"
                named.setdefault(int(match[1]), []).append(f"{field}: {'; '.join(messages)}")
        return {index: "; ".join(parts) for index, parts in named.items()}


def _with_fields(message: str, model_state: dict[str, list[str]]) -> str:
    details = "; ".join(f"{key}: {' '.join(msgs)}" for key, msgs in model_state.items())
    return f"{message} ({details})" if details else message


def _body(response: httpx.Response) -> dict[str, Any]:
    # Edge errors can be HTML or truncated: read leniently, never fail on the body.
    try:
        body = response.json()
    except (ValueError, RecursionError):
        return {}
    return body if isinstance(body, dict) else {}


def _model_state(body: dict[str, Any]) -> dict[str, list[str]]:
    raw = body.get("ModelState") or body.get("modelState") or {}
    if not isinstance(raw, dict):
        return {}
    return {str(k): [str(m) for m in (v if isinstance(v, list) else [v])] for k, v in raw.items()}


def _message(body: dict[str, Any], response: httpx.Response) -> str:
    for key in ("ExceptionMessage", "Message", "message"):
        if body.get(key):
            return str(body[key])[:MAX_MESSAGE]
    return response.reason_phrase or f"HTTP {response.status_code}"


def error_for(response: httpx.Response, secrets: Iterable[str] = ()) -> ExternalApiError:
    """The domain error for a non-2xx, non-429 answer (decided on the status code).

    401 and 403 are the key pair's; 408 and 5xx are worth another try; any other 4xx is a
    refusal of that call. Messages are ShipStation's own, with secrets masked; an answer
    that is not ShipStation's JSON (an edge's HTML page) is quoted, short."""
    status = response.status_code
    secrets = tuple(secrets)
    if status == 401:
        return AuthenticationFailed(API, AUTH_MESSAGE, 401)
    body = _body(response)
    message = UnusableAnswer.scrub(_message(body, response), secrets)
    if not body:
        excerpt = UnusableAnswer.excerpt_of(response.content, secrets)
        message = f"{message} [answer: {excerpt}]" if excerpt else message
    if status == 403:
        return ConfigError(API, f"ShipStation refused access (HTTP 403): {message}", 403)
    if status >= 500 or status == 408:
        return TransientError(API, message, status)
    if status == 400:
        return ShipStationBadRequest(message, _model_state(body))
    return BusinessError(API, message, status)


def transport_error(exc: Exception, url: str, api: str = API) -> ExternalApiError:
    """No answer: a connection never made (Unreachable: nothing was sent) or lost
    (ConnectionLost: the request may have arrived), both worth another try; a body that cannot
    be decoded (MalformedAnswer); a URL that cannot be used (ConfigError, not retried).
    `api` names the API in the message (ShipStation V1 or V2)."""
    kind = type(exc).__name__
    if isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout):
        return Unreachable(api, url, f"connect timed out: {kind}")
    if isinstance(exc, httpx.ConnectError):
        return Unreachable(api, url, kind)
    if isinstance(exc, httpx.TimeoutException):
        return ConnectionLost(api, url, f"timed out waiting for the answer: {kind}")
    if isinstance(exc, httpx.NetworkError | httpx.ProtocolError):
        return ConnectionLost(api, url, f"connection dropped: {kind}")
    if isinstance(exc, httpx.DecodingError):
        return MalformedAnswer(api, f"the answer from {url} could not be decoded ({kind})")
    return ConfigError(api, f"cannot send to {url} ({kind}): check the base URL")


def read_json(response: httpx.Response, secrets: Iterable[str] = (), api: str = API) -> Any:
    """A 2xx answer's JSON (None for 204), or the MalformedAnswer to raise (or retry) when
    there is none to read: an empty body, HTML, a truncated or garbled JSON text."""
    if response.status_code == 204:
        return None
    body = response.content
    kind = response.headers.get("Content-Type") or "no content type"
    if not body.strip():
        return MalformedAnswer(api, f"empty answer (HTTP {response.status_code}, {kind})")
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        excerpt = UnusableAnswer.excerpt_of(body, secrets)
        return MalformedAnswer(api, f"the answer is not JSON ({kind})", excerpt=excerpt)
