"""The real clients against the sandboxes, over two transports, so that neither can drift.

Every test here runs twice (the `transport` parameter):
- `in_process`: the client's httpx.Client goes through respx routes whose side effect is the
  sandbox's ASGI app (adapters.sandbox.inprocess.AsgiBridge: respx's own ASGIHandler is async
  only, and these clients are sync), no socket;
- `served`: the sandbox on 127.0.0.1 (adapters.sandbox.server.ServerThread), real HTTP.
Both the sandbox and the client are the production code: nothing is faked in between.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import respx

from adapters.sandbox.inprocess import AsgiBridge
from adapters.sandbox.server import ServerThread
from adapters.sandbox.shipstation.app import create_shipstation_app
from adapters.sandbox.shipstation.clock import VirtualClock
from adapters.sandbox.shipstation.state import (
    DEMO_API_KEY,
    DEMO_API_SECRET,
    DEMO_STORE_ID,
    ShipStationSandbox,
)
from adapters.sandbox.temu.app import create_temu_app
from adapters.sandbox.temu.state import DEMO_ACCESS_TOKEN, DEMO_APP_SECRET, TemuSandbox
from adapters.shipstation import RateState, ShipStationClient
from adapters.temu import TemuClient
from domain.secrets import Secret
from domain.shop import ShipStationCredentials, TemuCredentials

TRANSPORTS = ("in_process", "served")


@dataclass
class Wire:
    """Where a sandbox answers: its base URL and an httpx client that reaches it."""

    base_url: str
    http: httpx.Client

    def admin(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """The sandbox's operator API, over the same transport as the client."""
        return self.http.request(method, f"{self.base_url}/admin{path}", **kwargs)


@pytest.fixture(params=TRANSPORTS)
def transport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _wire(app: Any, transport: str, host: str) -> Iterator[Wire]:
    if transport == "in_process":
        base_url = f"http://{host}"
        router = respx.MockRouter(base_url=base_url, assert_all_called=False)
        router.route().mock(side_effect=AsgiBridge(app))
        # Anything not for the sandbox's host is no route of the router: respx refuses it.
        with httpx.Client(transport=httpx.MockTransport(router.handler)) as http:
            yield Wire(base_url, http)
        return
    server = ServerThread(app).start()
    try:
        with httpx.Client(timeout=10.0) as http:
            yield Wire(server.url, http)
    finally:
        server.stop()


# --- Temu ------------------------------------------------------------------------------------


def quick_sleep(seconds: float) -> None:
    time.sleep(min(seconds / 100, 0.05))


@pytest.fixture
def temu() -> TemuSandbox:
    # A fresh app key per test: the process-wide pacing of one test never slows another.
    state = TemuSandbox(qps=None, app_key=uuid.uuid4().hex)
    state.seed_orders(120, seed=31)
    return state


@pytest.fixture
def temu_wire(temu: TemuSandbox, transport: str) -> Iterator[Wire]:
    yield from _wire(create_temu_app(temu), transport, "temu.sandbox.test")


@pytest.fixture
def make_temu_client(temu: TemuSandbox, temu_wire: Wire) -> Callable[..., TemuClient]:
    def make(token: str = DEMO_ACCESS_TOKEN) -> TemuClient:
        app_key = next(iter(temu.apps))
        credentials = TemuCredentials(
            app_key, Secret(DEMO_APP_SECRET), Secret(token), base_url=temu_wire.base_url
        )
        return TemuClient(
            credentials, http=temu_wire.http, rate=1000.0, sleep=quick_sleep, timeout=5.0
        )

    return make


@pytest.fixture
def temu_client(make_temu_client: Callable[..., TemuClient]) -> TemuClient:
    return make_temu_client()


# --- ShipStation ---------------------------------------------------------------------------


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock()


@pytest.fixture
def shipstation(clock: VirtualClock) -> ShipStationSandbox:
    return ShipStationSandbox(clock=clock)


@pytest.fixture
def ss_wire(shipstation: ShipStationSandbox, transport: str) -> Iterator[Wire]:
    yield from _wire(create_shipstation_app(shipstation), transport, "ssapi.sandbox.test")


@pytest.fixture
def ss_client(ss_wire: Wire, clock: VirtualClock) -> Iterator[ShipStationClient]:
    credentials = ShipStationCredentials(
        DEMO_API_KEY, Secret(DEMO_API_SECRET), DEMO_STORE_ID, ss_wire.base_url
    )
    client = ShipStationClient(
        credentials,
        "shop-contract",
        http=ss_wire.http,
        sleep=clock.sleep,
        monotonic=clock.monotonic,
        rng=random.Random(5),
        rate_state=RateState(),
    )
    yield client
    client.close()
