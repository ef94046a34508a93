"""Faults on demand for the router: 5xx, slow answers, 4000004, truncated JSON, an HTML page or
an empty body with HTTP 200, dropped links."""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
import time
import uuid
from typing import Any

from adapters.sandbox.temu.model import Fault
from adapters.sandbox.temu.state import TemuSandbox

ROUTER_PATH = "/openapi/router"
ARRIVED = "temu.arrived"  # the scope key: when a router request reached the gateway
_dropping: contextvars.ContextVar[bool] = contextvars.ContextVar("temu_dropping", default=False)


class _QuietDrops(logging.Filter):
    """Hide uvicorn's complaint about the response we cut short on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not _dropping.get()


logging.getLogger("uvicorn.error").addFilter(_QuietDrops())


class FaultMiddleware:
    """Wraps the gateway app; the next queued fault replaces (or delays) a router answer."""

    def __init__(self, app: Any, state: TemuSandbox) -> None:
        self.app, self.state = app, state

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        fault = None
        if scope["type"] == "http" and scope["path"] == ROUTER_PATH:
            scope[ARRIVED] = time.monotonic()  # what the rate limit counts (gate._check_rate)
            fault = self.state.next_fault()
        if fault is None:
            await self.app(scope, receive, send)
        elif fault.kind == "slow":
            await asyncio.sleep(fault.delay)
            await self.app(scope, receive, send)
        else:
            self.state.requests[f"fault:{fault.kind}"] += 1
            await _misbehave(fault, send)


async def _misbehave(fault: Fault, send: Any) -> None:
    if fault.kind == "5xx":
        await _reply(send, fault.status, b"<html>upstream unavailable</html>", b"text/html")
    elif fault.kind == "rate_limit":
        body = {"success": False, "requestId": f"us-{uuid.uuid4()}", "errorCode": 4000004,
                "errorMsg": "RATE_LIMIT_EXCEED_EXCEPTION"}  # fmt: skip
        await _reply(send, 200, json.dumps(body).encode(), b"application/json")
    elif fault.kind == "malformed":
        await _reply(send, 200, b'{"success": true, "result": {"totalItem', b"application/json")
    elif fault.kind == "html":  # a proxy's page, with 200
        await _reply(send, 200, b"<html><body>Please wait...</body></html>", b"text/html")
    elif fault.kind == "empty":
        await _reply(send, 200, b"", b"application/json")
    elif fault.kind == "drop":
        # Promise a body, send part of it and return: uvicorn closes the connection mid-answer.
        _dropping.set(True)
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", b"4096")]})  # fmt: skip
        await send({"type": "http.response.body", "body": b'{"success": tr', "more_body": True})


async def _reply(send: Any, status: int, body: bytes, content_type: bytes) -> None:
    headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
