"""ShipStation V1 error answers -> domain errors. V1 is ASP.NET: PascalCase bodies."""

from __future__ import annotations

import re
from typing import Any

import httpx

from domain.errors import AuthenticationFailed, BusinessError, ExternalApiError, TransientError

API = "ShipStation"
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
    except ValueError:
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
            return str(body[key])
    return response.reason_phrase or f"HTTP {response.status_code}"


def error_for(response: httpx.Response) -> ExternalApiError:
    """The domain error for a non-2xx, non-429 answer (decided on the status code)."""
    status = response.status_code
    if status == 401:
        return AuthenticationFailed(API, AUTH_MESSAGE, 401)
    body = _body(response)
    if status >= 500:
        return TransientError(API, _message(body, response), status)
    if status == 400:
        return ShipStationBadRequest(_message(body, response), _model_state(body))
    return BusinessError(API, _message(body, response), status)


def transport_error(exc: httpx.TransportError) -> TransientError:
    """A timeout or a dropped connection: worth another try."""
    kind = "timed out" if isinstance(exc, httpx.TimeoutException) else "connection failed"
    return TransientError(API, f"request {kind} ({type(exc).__name__}: {exc})")
