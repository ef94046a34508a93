"""Whatever comes back from Temu's router -> its `result`, or a domain error. Nothing raw.

| answer                                         | error                          | retried |
|------------------------------------------------|--------------------------------|---------|
| connect error, connect/pool timeout            | Unreachable (transient)        | yes     |
| read timeout, dropped/reset connection mid-body| ConnectionLost (transient)     | yes     |
| bad URL, unsupported scheme, redirect loop     | ConfigError                    | no      |
| HTTP 200, body not JSON (HTML, empty, cut)     | MalformedAnswer (transient)    | yes     |
| HTTP 200, JSON but not a Temu envelope         | MalformedAnswer (transient)    | yes     |
| HTTP 200, `success: false`                     | by errorCode (errors.error_for)| by code |
| HTTP non-200                                   | by status (error_for_status)   | 408/429/5xx |
| `success: true`, `result` of the wrong shape   | UnexpectedAnswer (in mapping)  | no      |
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import httpx

from adapters.temu.errors import API, SUCCESS, error_for, error_for_status
from domain.errors import (
    ConfigError,
    ConnectionLost,
    ExternalApiError,
    MalformedAnswer,
    UnexpectedAnswer,
    Unreachable,
    UnusableAnswer,
)

ENVELOPE_KEYS = frozenset({"success", "errorCode"})
MAX_MESSAGE = 500


def failure_of(api_type: str, url: str, exc: Exception) -> ExternalApiError:
    """The domain error for an httpx failure to get any answer."""
    detail = f"{api_type}: {type(exc).__name__}"
    if isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout | httpx.ConnectError):
        return Unreachable(API, url, detail)
    if isinstance(exc, httpx.TimeoutException | httpx.NetworkError | httpx.ProtocolError):
        return ConnectionLost(API, url, detail)
    if isinstance(exc, httpx.DecodingError):
        return MalformedAnswer(API, f"{api_type}: the answer could not be decoded ({detail})")
    return ConfigError(API, f"{api_type}: cannot send to {url} ({type(exc).__name__})")


def read_answer(api_type: str, response: httpx.Response, secrets: Iterable[str]) -> Any:
    """The `result` of a Temu answer; raises the domain error the answer amounts to."""
    secrets = tuple(secrets)
    body = response.content
    if response.status_code != 200:
        retry_after = seconds(response.headers.get("Retry-After"))
        excerpt = UnusableAnswer.excerpt_of(body, secrets)
        raise error_for_status(api_type, response.status_code, response.text, retry_after, excerpt)
    answer = _json(api_type, response, secrets)
    if not isinstance(answer, dict) or not ENVELOPE_KEYS & answer.keys():
        raise MalformedAnswer(
            API,
            f"{api_type}: the answer is not a Temu envelope (no success or errorCode)",
            excerpt=UnusableAnswer.excerpt_of(body, secrets),
        )
    code = _code(answer.get("errorCode"))
    if answer.get("success") is True or code == SUCCESS:
        return _unwrap(answer.get("result"))
    message = UnusableAnswer.scrub(_text(answer.get("errorMsg"))[:MAX_MESSAGE], secrets)
    raise error_for(api_type, code, message)


def _json(api_type: str, response: httpx.Response, secrets: tuple[str, ...]) -> Any:
    body = response.content
    kind = response.headers.get("Content-Type") or "no content type"
    if not body.strip():
        raise MalformedAnswer(API, f"{api_type}: empty answer ({kind})")
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        # A wrong content type only matters when the body is not JSON either.
        excerpt = UnusableAnswer.excerpt_of(body, secrets)
        raise MalformedAnswer(
            API, f"{api_type}: the answer is not JSON ({kind}, {len(body)} bytes)", excerpt=excerpt
        ) from None


def _code(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ("" if value is None else str(value))


def _unwrap(result: Any) -> Any:
    # One official (Brazil) example nests a second envelope inside `result` (temu.md §2.1).
    if isinstance(result, dict) and "result" in result and result.get("errorCode") in (0, SUCCESS):
        return result["result"]
    return result


def seconds(header: str | None) -> float:
    """A Retry-After header in seconds (1 s when absent or unreadable)."""
    try:
        value = float(header) if header else 1.0
    except ValueError:
        return 1.0
    return min(max(0.0, value), 3600.0) if value == value else 1.0


def unexpected(what: str, reason: str, data: Any) -> UnexpectedAnswer:
    """An UnexpectedAnswer quoting `data` (a decoded result), scrubbed."""
    try:
        text = json.dumps(data, ensure_ascii=False, default=str)
    except (ValueError, TypeError, RecursionError):
        text = f"<{type(data).__name__}>"
    return UnexpectedAnswer(API, f"{what}: {reason}", excerpt=UnusableAnswer.excerpt_of(text))
