"""Clients for the bad-payload corpus: Temu and ShipStation, each on its own respx router,
with recorded (never slept) back-offs. Prefect is not involved: no pass-through needed."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import respx
from corpus_support import (
    SS_BASE,
    SS_KEY,
    SS_SECRET,
    TEMU_APP_KEY,
    TEMU_BASE,
    TEMU_SECRET,
    TEMU_TOKEN,
    FakeTime,
    FixedClock,
)

from adapters.shipstation import RateState, ShipStationClient
from adapters.temu import RateLimiter, TemuClient
from domain.secrets import Secret
from domain.shop import ShipStationCredentials, TemuCredentials


@pytest.fixture
def temu_routes() -> respx.Router:
    return respx.Router(base_url=TEMU_BASE, assert_all_called=False)


@pytest.fixture
def temu_router(temu_routes: respx.Router) -> respx.Route:
    return temu_routes.post("/openapi/router")


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def temu(
    temu_routes: respx.Router, temu_router: respx.Route, sleeps: list[float]
) -> Iterator[TemuClient]:
    credentials = TemuCredentials(TEMU_APP_KEY, Secret(TEMU_SECRET), Secret(TEMU_TOKEN))
    http = httpx.Client(transport=httpx.MockTransport(temu_routes.handler))
    client = TemuClient(
        credentials, http, clock=FixedClock(), sleep=sleeps.append, rate=10_000, jitter=lambda: 1.0
    )
    client.transport.limiter = RateLimiter(10_000)  # no hold-off carried over between tests
    yield client
    http.close()


@pytest.fixture
def ss_router() -> respx.Router:
    return respx.Router(base_url=SS_BASE, assert_all_called=False)


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def make_paged_client(
    ss_router: respx.Router, fake_time: FakeTime
) -> Iterator[Callable[..., ShipStationClient]]:
    made: list[ShipStationClient] = []

    def make(**options: Any) -> ShipStationClient:
        credentials = ShipStationCredentials(SS_KEY, Secret(SS_SECRET), store_id=123456)
        client = ShipStationClient(
            credentials,
            "shop-1",
            transport=httpx.MockTransport(ss_router.handler),
            sleep=fake_time.sleep,
            monotonic=fake_time.monotonic,
            rng=random.Random(7),
            rate_state=RateState(),
            **options,
        )
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def shipstation(make_paged_client: Callable[..., ShipStationClient]) -> ShipStationClient:
    return make_paged_client()
