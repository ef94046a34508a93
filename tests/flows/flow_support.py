"""Helpers for the flow tests: recorded events, a movable clock, the wired services, look-ups."""

from __future__ import annotations

import contextvars
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from adapters.sandbox.launcher import Sandbox
from adapters.sandbox.temu.seed import make_address
from adapters.sandbox.temu.state import DEMO_ACCESS_TOKEN
from adapters.temu.client import TemuClient
from domain.model import order_key
from domain.shop import Shop
from domain.sync import SHIPMENT_CURSOR, TEMU_CURSOR
from domain.token import Token
from domain.usecases.shops import connect
from flows import wiring


class RecordingEvents:
    """The EventSink of the tests: what would have gone to Prefect, in order."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, dict[str, Any]]] = []

    def emit(self, event: str, shop_id: str, payload: dict[str, Any]) -> None:
        self.sent.append((event, shop_id, dict(payload)))

    def named(self, event: str) -> list[dict[str, Any]]:
        return [payload for name, _, payload in self.sent if name == event]


class MovableClock:
    def __init__(self, at: datetime | None = None) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at or datetime.now(UTC)


def fast_temu(shop: Shop) -> TemuClient:
    """The real client, paced for a sandbox with its limit off (the default paces at 20/s)."""
    return TemuClient(shop.temu, rate=1000.0)


@dataclass
class World:
    sandbox: Sandbox
    services: wiring.Services
    shop_id: str
    events: RecordingEvents
    clock: MovableClock
    temu_for: dict[str, Callable[[Shop], Any]] = field(default_factory=dict)

    def token(self) -> Token:
        with self.services.uow() as uow:
            token = uow.tokens.get(self.shop_id)
        assert token is not None
        return token

    def shop(self) -> Shop:
        with self.services.uow() as uow:
            shop = uow.shops.get(self.shop_id)
        assert shop is not None
        return shop

    def cursors(self) -> tuple[datetime | None, datetime | None]:
        with self.services.uow() as uow:
            return (
                uow.cursors.get(self.shop_id, TEMU_CURSOR),
                uow.cursors.get(self.shop_id, SHIPMENT_CURSOR),
            )

    def in_shipstation(self, parent_order_sn: str) -> bool:
        return order_key(self.shop_id, parent_order_sn) in self.sandbox.shipstation.orders

    def createorders_calls(self) -> int:
        calls = self.sandbox.shipstation.counters.snapshot()["calls"]
        return int(calls.get("POST /orders/createorders", 0))  # type: ignore[union-attr]

    def new_awaiting_orders(self, count: int, seed: int) -> list[str]:
        """Orders created in Temu now: awaiting shipment, with an address."""
        temu, rng = self.sandbox.temu, random.Random(seed)
        sns = temu.seed_orders(count, seed=seed)
        for sn in sns:
            temu.orders[sn].address = make_address(rng, 1)
            temu.set_status(sn, 2)
        return sns


def services_for(sandbox: Sandbox, database_url: str, shop_id: str) -> World:
    events, clock = RecordingEvents(), MovableClock()
    services = wiring.bootstrap(
        database_url,
        temu_for=fast_temu,
        temu_for_token=lambda shop, token: TemuClient(
            replace(shop.temu, access_token=token), rate=1000.0
        ),
        events=events,
        clock=clock,
    )
    return World(sandbox, services, shop_id, events, clock)


def connect_shop(world: World, access_token: str = DEMO_ACCESS_TOKEN) -> Token:
    sandbox = world.sandbox
    shop = Shop(
        world.shop_id,
        sandbox.temu_credentials(access_token),
        sandbox.shipstation_credentials(),
        created_at=world.services.clock.now(),
    )
    return connect(world.services, shop)


def in_thread(target: Callable[[], Any]) -> tuple[threading.Thread, dict[str, Any]]:
    """Run `target` in a thread, with the services the test chose (`wiring.using` is a context
    variable: the thread runs in a copy of this context); its result or exception lands in the
    returned dict."""
    box: dict[str, Any] = {}
    context = contextvars.copy_context()

    def run() -> None:
        try:
            box["result"] = target()
        except BaseException as error:  # handed to the test, which re-raises it
            box["error"] = error

    thread = threading.Thread(target=context.run, args=(run,), daemon=True)
    thread.start()
    return thread, box


def outcome(thread: threading.Thread, box: dict[str, Any], timeout: float = 60.0) -> Any:
    thread.join(timeout)
    assert not thread.is_alive(), "the flow did not finish"
    if "error" in box:
        raise box["error"]
    return box["result"]


def wait_until(what: str, probe: Callable[[], Any], timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def result_of(flow: Any, *args: Any, **kwargs: Any) -> Any:
    """A flow's summary (or summaries) whatever its state: a run that leaves work for a person
    ends Failed, its result a RunOutcome carrying them."""
    from flows.sync import RunOutcome

    found = flow(*args, return_state=True, **kwargs).result(raise_on_failure=False)
    return found.summary if isinstance(found, RunOutcome) else found
