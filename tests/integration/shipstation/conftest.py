"""The simulated ShipStation over real HTTP on 127.0.0.1, on a clock shared with the client."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator

import pytest

from adapters.sandbox.server import ServerThread, serving
from adapters.sandbox.shipstation.app import (
    DEMO_API_KEY,
    DEMO_API_SECRET,
    DEMO_STORE_ID,
    ShipStationSandbox,
    create_shipstation_app,
)
from adapters.sandbox.shipstation.clock import VirtualClock
from adapters.shipstation import RateState, ShipStationClient
from domain.secrets import Secret
from domain.shop import ShipStationCredentials


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock()


@pytest.fixture
def sandbox(clock: VirtualClock) -> ShipStationSandbox:
    return ShipStationSandbox(clock=clock)


@pytest.fixture
def server(sandbox: ShipStationSandbox) -> Iterator[ServerThread]:
    with serving(create_shipstation_app(sandbox)) as running:
        yield running


@pytest.fixture
def make_client(
    server: ServerThread, clock: VirtualClock
) -> Iterator[Callable[..., ShipStationClient]]:
    made: list[ShipStationClient] = []

    def make(secret: str = DEMO_API_SECRET, **kwargs: object) -> ShipStationClient:
        creds = ShipStationCredentials(DEMO_API_KEY, Secret(secret), DEMO_STORE_ID, server.url)
        client = ShipStationClient(
            creds, "shop-1", sleep=clock.sleep, monotonic=clock.monotonic,
            rng=random.Random(3), rate_state=RateState(), **kwargs,  # type: ignore[arg-type]
        )  # fmt: skip
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def client(make_client: Callable[..., ShipStationClient]) -> ShipStationClient:
    return make_client()
