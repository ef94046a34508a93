"""respx-backed TemuClient fixtures with a fixed clock and recorded (not slept) back-offs."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import respx
from temu_support import APP_KEY, BASE, SECRET, TOKEN, FixedClock

from adapters.temu import RateLimiter, TemuClient
from domain.secrets import Secret
from domain.shop import TemuCredentials


@pytest.fixture
def temu_api() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        yield router


@pytest.fixture
def router(temu_api: respx.MockRouter) -> respx.Route:
    return temu_api.post("/openapi/router")


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def credentials() -> TemuCredentials:
    return TemuCredentials(APP_KEY, Secret(SECRET), Secret(TOKEN))


@pytest.fixture
def client(credentials: TemuCredentials, sleeps: list[float]) -> TemuClient:
    client = TemuClient(
        credentials, clock=FixedClock(), sleep=sleeps.append, rate=10_000, jitter=lambda: 1.0
    )
    client.transport.limiter = RateLimiter(10_000)  # no hold-off carried over between tests
    return client
