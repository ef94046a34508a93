"""A ShipStationClient wired to an isolated respx router, with a fake clock and no real sleep."""

from __future__ import annotations

import random
from collections.abc import Callable

import httpx
import pytest
import respx

from adapters.shipstation import RateState, ShipStationClient
from domain.secrets import Secret
from domain.shop import ShipStationCredentials
from tests.fakes import FakeTime

BASE = "https://ssapi.shipstation.com"
KEY, SECRET = "test-key-0001", "very-secret-value-9876"


@pytest.fixture
def router() -> respx.Router:
    return respx.Router(base_url=BASE, assert_all_called=False)


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def make_client(router: respx.Router, fake_time: FakeTime) -> Callable[..., ShipStationClient]:
    def make(store_id: int | None = 123456, **kwargs: object) -> ShipStationClient:
        creds = ShipStationCredentials(KEY, Secret(SECRET), store_id=store_id)
        kwargs.setdefault("rate_state", RateState())
        return ShipStationClient(
            creds,
            "shop-1",
            transport=httpx.MockTransport(router.handler),
            sleep=fake_time.sleep,
            monotonic=fake_time.monotonic,
            rng=random.Random(7),
            **kwargs,  # type: ignore[arg-type]
        )

    return make


@pytest.fixture
def client(make_client: Callable[..., ShipStationClient]) -> ShipStationClient:
    return make_client()


def limit_headers(remaining: int = 39, reset: int = 30, limit: int = 40) -> dict[str, str]:
    return {
        "X-Rate-Limit-Limit": str(limit),
        "X-Rate-Limit-Remaining": str(remaining),
        "X-Rate-Limit-Reset": str(reset),
    }
