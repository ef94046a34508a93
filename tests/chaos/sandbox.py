"""The sandbox as the chaos rounds use it: both simulated APIs on 127.0.0.1, wrapped in a tap.

The tap (test-side ASGI middleware, the product's sandbox untouched) counts the API requests
each `temuship` process makes, knows how many are still being answered (a process killed
mid-request leaves its request running in the server: the next change waits for it), and can
SIGKILL the process at its k-th request, before that request is served or just after. The
faults each sandbox fires are counted by kind from the sandbox's own fault queues.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from adapters.sandbox.server import ServerThread
from adapters.sandbox.shipstation.app import create_shipstation_app
from adapters.sandbox.shipstation.gate import DroppedConnection
from adapters.sandbox.shipstation.state import ShipStationSandbox
from adapters.sandbox.temu.app import create_temu_app
from adapters.sandbox.temu.model import SandboxClock
from adapters.sandbox.temu.state import TemuSandbox


class _QuietDrops(logging.Filter):
    """Hide uvicorn's traceback for the connections the simulated ShipStation drops on purpose
    (the simulated Temu hides its own)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], DroppedConnection))


logging.getLogger("uvicorn.error").addFilter(_QuietDrops())


@dataclass
class Trigger:
    """Kill the process at its `at`-th API request, `before` it is served or `after`; or, with
    `match`, before the first request whose body holds every one of `match` is served."""

    at: int
    mode: str
    fire: Callable[[Trigger, str], None]
    match: tuple[bytes, ...] = ()
    fired: bool = False


API_TYPE = re.compile(rb'"type"\s*:\s*"([^"]+)"')


class Tap:
    """Counts API requests (not /admin), those in flight, and fires a kill trigger."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.in_flight = 0
        self.seen = 0
        self.first_at: float | None = None  # monotonic time of the process's first request
        self.trigger: Trigger | None = None
        self.item_errors = 0  # V2 creates still to get a per-item error
        self.item_errors_fired = 0

    def arm(self, trigger: Trigger | None) -> None:
        """Count the next process's requests from zero; kill it as `trigger` says."""
        with self.lock:
            self.seen, self.trigger, self.first_at = 0, trigger, None

    def disarm(self) -> None:
        with self.lock:
            self.trigger = None

    def requests(self) -> int:
        with self.lock:
            return self.seen

    def wrap(self, app: Any) -> Any:
        async def tapped(scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] != "http" or scope["path"].startswith("/admin"):
                await app(scope, receive, send)
                return
            with self.lock:
                self.in_flight += 1
                self.seen += 1
                self.first_at = self.first_at or time.monotonic()
                trigger, seen = self.trigger, self.seen
            hit, what = None, ""
            try:
                receive = await self._item_error(scope, receive)
                if trigger is not None and not trigger.fired:
                    body, receive = await _buffered(receive)
                    found = API_TYPE.search(body)
                    what = (
                        found.group(1).decode() if found else f"{scope['method']} {scope['path']}"
                    )
                    if trigger.match:
                        hit = trigger if all(m in body for m in trigger.match) else None
                    else:
                        hit = trigger if trigger.at == seen else None
                if hit is not None and hit.mode != "after":
                    self._fire(hit, f"{hit.mode} {what} (request {seen})")
                    reply = b'{"Message": "the caller was killed"}'
                    await send(
                        {
                            "type": "http.response.start",
                            "status": 503,
                            "headers": [(b"content-length", str(len(reply)).encode())],
                        }
                    )
                    await send({"type": "http.response.body", "body": reply})
                    return
                await app(scope, receive, send)
            finally:
                if hit is not None and hit.mode == "after":
                    self._fire(hit, f"after {what} (request {seen})")
                with self.lock:
                    self.in_flight -= 1

        return tapped

    async def _item_error(self, scope: Any, receive: Any) -> Any:
        """A V2 create while item errors are due: its first shipment loses its ship-to phone,
        so ShipStation refuses that shipment alone (a per-item string error; a 400 when the
        call holds it alone); the others are created."""
        with self.lock:
            due = self.item_errors > 0
        if not due or scope["method"] != "POST" or scope["path"] != "/v2/shipments":
            return receive
        body, replay = await _buffered(receive)
        try:
            sent = json.loads(body)
            sent["shipments"][0]["ship_to"].pop("phone", None)
        except (ValueError, KeyError, IndexError, TypeError, AttributeError):
            return replay
        with self.lock:
            self.item_errors -= 1
            self.item_errors_fired += 1
        return _replaying(json.dumps(sent).encode(), scope, receive)

    def _fire(self, trigger: Trigger, where: str) -> None:
        if not trigger.fired:
            trigger.fired = True
            trigger.fire(trigger, where)

    def wait_idle(self, timeout: float = 30.0) -> None:
        """Until no request is being answered (a killed process's last one may still run)."""
        deadline = time.monotonic() + timeout
        while True:
            with self.lock:
                if self.in_flight == 0:
                    return
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.in_flight} request(s) still being answered")
            time.sleep(0.01)


async def _buffered(receive: Any) -> tuple[bytes, Any]:
    """The request's body, and a `receive` that hands it to the app again."""
    chunks, more = [], True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    body, replayed = b"".join(chunks), False

    async def replay() -> Any:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return body, replay


def _replaying(body: bytes, scope: Any, then: Any) -> Any:
    """A `receive` that hands the app `body` (the scope's content-length made to match), then
    whatever comes next (`then`: the request's own, its body already read)."""
    scope["headers"] = [(k, v) for k, v in scope["headers"] if k.lower() != b"content-length"]
    scope["headers"].append((b"content-length", str(len(body)).encode()))
    sent = False

    async def receive() -> Any:
        nonlocal sent
        if sent:
            return await then()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


class ChaosSandbox:
    """Simulated Temu (rate limit off, clock 30 s behind) and ShipStation (limit off)."""

    def __init__(self) -> None:
        lagging = SandboxClock()
        lagging.advance(-30)  # an order touched now lies inside the next sync's window
        self.temu = TemuSandbox(clock=lagging, qps=None)
        self.shipstation = ShipStationSandbox(rate_limit=None, v2_rate_limit=None)
        self.tap = Tap()
        self.fired: Counter[str] = Counter()
        self._count_faults()

    def _count_faults(self) -> None:
        temu_next, ss_next = self.temu.next_fault, self.shipstation.faults.next

        def temu_counted() -> Any:
            fault = temu_next()
            if fault is not None:
                self.fired[f"temu {fault.kind}"] += 1
            return fault

        def ss_counted(path: str = "/") -> Any:
            fault = ss_next(path)
            if fault is not None:
                self.fired[f"shipstation {fault.kind}"] += 1
            return fault

        self.temu.next_fault = temu_counted  # type: ignore[method-assign]
        self.shipstation.faults.next = ss_counted  # type: ignore[method-assign]

    def start(self) -> ChaosSandbox:
        self._temu = ServerThread(self.tap.wrap(create_temu_app(self.temu))).start()
        self._ss = ServerThread(self.tap.wrap(create_shipstation_app(self.shipstation))).start()
        return self

    def stop(self) -> None:
        self._temu.stop()
        self._ss.stop()

    def __enter__(self) -> ChaosSandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def temu_url(self) -> str:
        return self._temu.url

    @property
    def shipstation_url(self) -> str:
        return self._ss.url

    def clear_faults(self) -> None:
        self.temu.clear_faults()
        self.shipstation.faults.clear()
        self.shipstation.set_rate_limit(None)
        self.shipstation.v2.set_rate_limit(None)
        self.tap.item_errors = 0

    def fault_counts(self) -> Counter[str]:
        """Faults fired by kind, plus the 429s of the rate window and Temu's expired-token
        answers."""
        counts = Counter(self.fired)
        counts["shipstation 429 (rate window)"] = self.shipstation.counters.rate_limited
        counts["shipstation item_error"] = self.tap.item_errors_fired
        counts["temu 3000034 token expired"] = self.temu.refusals[3000034]
        return +counts
