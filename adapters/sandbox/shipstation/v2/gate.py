"""ASGI middleware in front of the whole simulated ShipStation: what V2 does before a /v2
resource is reached (API-Key, 200 a minute per key with 429 + Retry-After, faults, counters);
every other path goes on to V1's gate. It also ends V2 holds whose day has come."""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any

from adapters.sandbox.shipstation.gate import DroppedConnection
from adapters.sandbox.shipstation.v2.errors import error_body, error_entry

if TYPE_CHECKING:
    from adapters.sandbox.shipstation.state import ShipStationSandbox

Scope = dict[str, Any]
OPEN_PATHS = ("/v2/jwks",)  # outside the key check: a webhook receiver fetches it
# What a proxy in front of V2 answers now and then, with HTTP 200.
GARBLED = {
    "malformed": (b'{"shipments": [{"shipment_id": "se-1400', b"application/json"),
    "html": (b"<html><head><title>502 Bad Gateway</title></head><body>later</body></html>",
             b"text/html"),
    "empty": (b"", b"application/json"),
}  # fmt: skip


def _is_v2(path: str) -> bool:
    return path == "/v2" or path.startswith("/v2/")


class V2Gate:
    """`api` serves the resources, `v1` is V1's gate (itself in front of `api`)."""

    def __init__(self, api: Any, v1: Any, state: ShipStationSandbox) -> None:
        self.api, self.v1, self.state = api, v1, state

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.v1(scope, receive, send)
            return
        self._note_base(scope)
        self.state.v2.changes.release_holds()
        path = scope["path"]
        if not _is_v2(path):
            await self.v1(scope, receive, send)
        elif path in OPEN_PATHS:
            await self.api(scope, receive, send)
        elif await self._refused(scope, send):
            return
        else:
            await self.api(scope, receive, send)

    def _note_base(self, scope: Scope) -> None:
        if self.state.base_url is None:
            host = dict(scope["headers"]).get(b"host", b"").decode("latin-1")
            if host:
                self.state.base_url = f"{scope.get('scheme', 'http')}://{host}"

    async def _refused(self, scope: Scope, send: Any) -> bool:
        """Answers (and returns True) when the key, the rate window or a fault says so."""
        headers = {k.lower(): v for k, v in scope["headers"]}
        key = headers.get(b"api-key", b"").decode("latin-1").strip()
        counters = self.state.counters
        if not key or key not in self.state.v2.keys:
            counters.refused()
            why = "The API-Key header is missing." if not key else "The API key is not valid."
            await _error(send, 401, "unauthorized", why, "security")
            return True
        counters.count(f"{scope['method']} {scope['path']}")
        allowed, window = self.state.v2.rate.take(key)
        if not allowed:
            counters.limited()
            wait = max(int(window["X-Rate-Limit-Reset"]), 1)
            await _limited(send, wait)
            return True
        return await self._faulted(send, scope["path"])

    async def _faulted(self, send: Any, path: str) -> bool:
        fault = self.state.faults.next(path)
        if fault is None:
            return False
        if fault.kind == "slow":
            await asyncio.sleep(fault.delay)
            return False
        if fault.kind == "error":
            await _error(send, fault.status, "unknown", "An unexpected error occurred.", "system")
        elif fault.kind == "empty_error":
            await _raw(send, fault.status, b"", b"text/plain", {})
        elif fault.kind == "rate_limit":
            await _limited(send, fault.retry_after)
        elif fault.kind in GARBLED:
            await _raw(send, 200, *GARBLED[fault.kind], {})
        else:
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-length", b"1000")]})  # fmt: skip
            raise DroppedConnection("fault injected: connection dropped")
        return True


async def _limited(send: Any, seconds: int) -> None:
    message = f"You have exceeded the rate limit. Please retry in {seconds} seconds."
    await _error(send, 429, "rate_limit_exceeded", message, "system",
                 {"Retry-After": str(seconds)})  # fmt: skip


async def _error(
    send: Any,
    status: int,
    code: str,
    message: str,
    kind: str,
    headers: dict[str, str] | None = None,
) -> None:
    body = json.dumps(error_body([error_entry(code, message, kind)])).encode()
    await _raw(send, status, body, b"application/json", headers or {})


async def _raw(
    send: Any, status: int, payload: bytes, content_type: bytes, headers: dict[str, str]
) -> None:
    raw = [(b"content-type", content_type), (b"content-length", str(len(payload)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": payload})
