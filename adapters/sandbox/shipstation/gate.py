"""ASGI middleware of the simulated ShipStation: Basic auth, the rate window, faults, counters."""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any

from adapters.sandbox.shipstation.state import ShipStationSandbox

Scope = dict[str, Any]
DENIED = {"Message": "Authorization has been denied for this request."}
TOO_MANY = {"message": "Too Many Requests"}
CRASH = {
    "Message": "An error has occurred.",
    "ExceptionMessage": "Object reference not set to an instance of an object.",
    "ExceptionType": "System.NullReferenceException",
    "StackTrace": None,
}


# What a proxy in front of the API answers now and then, all with HTTP 200: JSON cut short
# (the truncated `/shipments` body that once stopped a whole sync), an HTML page, nothing.
GARBLED = {
    "malformed": (b'{"shipments": [{"shipmentId": 33974374, "orderKey": "temu-',
                  b"application/json"),
    "html": (b"<html><head><title>Service Unavailable</title></head><body>later</body></html>",
             b"text/html"),
    "empty": (b"", b"application/json; charset=utf-8"),
}  # fmt: skip


class DroppedConnection(Exception):
    """Raised after the response started: the server closes the socket mid-answer."""


class ShipStationGate:
    """Everything V1 does before a resource is reached; /admin is the operator's and passes."""

    def __init__(self, app: Any, state: ShipStationSandbox) -> None:
        self.app, self.state = app, state

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/admin"):
            await self.app(scope, receive, send)
            return
        key = self._authenticated(scope)
        if key is None:
            self.state.counters.refused()
            await _answer(send, 401, DENIED, {})
            return
        self.state.counters.count(f"{scope['method']} {scope['path']}")
        allowed, headers = self.state.rate.take(key)
        if not allowed:
            self.state.counters.limited()
            await _answer(send, 429, TOO_MANY, headers)
            return
        if await self._faulted(send, headers, scope["path"]):
            return
        await self.app(scope, receive, _with_headers(send, headers))

    def _authenticated(self, scope: Scope) -> str | None:
        header = dict(scope["headers"]).get(b"authorization", b"").decode("latin-1")
        scheme, _, encoded = header.partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            key, _, secret = base64.b64decode(encoded).decode().partition(":")
        except ValueError:
            return None
        return key if self.state.credentials.get(key) == secret and secret else None

    async def _faulted(self, send: Any, headers: dict[str, str], path: str) -> bool:
        fault = self.state.faults.next(path)
        if fault is None:
            return False
        if fault.kind == "slow":
            await asyncio.sleep(fault.delay)
            return False
        if fault.kind == "error":
            await _answer(send, fault.status, CRASH, headers)
            return True
        if fault.kind == "empty_error":
            await _raw(send, fault.status, b"", b"text/html", headers)
            return True
        if fault.kind == "rate_limit":
            limited = {**headers, "X-Rate-Limit-Remaining": "0",
                       "X-Rate-Limit-Reset": str(fault.retry_after)}  # fmt: skip
            await _answer(send, 429, TOO_MANY, limited)
            return True
        if fault.kind in GARBLED:
            body, content_type = GARBLED[fault.kind]
            await _raw(send, 200, body, content_type, headers)
            return True
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-length", b"1000")]})  # fmt: skip
        raise DroppedConnection("fault injected: connection dropped")


def _with_headers(send: Any, headers: dict[str, str]) -> Any:
    extra = [(k.lower().encode(), v.encode()) for k, v in headers.items()]

    async def wrapped(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), *extra]}
        await send(message)

    return wrapped


async def _answer(send: Any, status: int, body: dict[str, Any], headers: dict[str, str]) -> None:
    await _raw(send, status, json.dumps(body).encode(), b"application/json; charset=utf-8", headers)


async def _raw(
    send: Any, status: int, payload: bytes, content_type: bytes, headers: dict[str, str]
) -> None:
    raw = [(b"content-type", content_type), (b"content-length", str(len(payload)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": payload})
