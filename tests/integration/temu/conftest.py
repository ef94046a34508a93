"""The Temu adapter against the simulated gateway, over real HTTP on 127.0.0.1."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from adapters.sandbox.server import ServerThread, serving
from adapters.sandbox.temu.app import (
    DEMO_ACCESS_TOKEN,
    DEMO_APP_SECRET,
    TemuSandbox,
    create_temu_app,
)
from adapters.temu import TemuClient
from domain.secrets import Secret
from domain.shop import TemuCredentials


def quick_sleep(seconds: float) -> None:
    """Back-offs shortened a hundredfold: the retry paths run, the suite stays fast."""
    time.sleep(min(seconds / 100, 0.05))


@pytest.fixture
def sandbox() -> TemuSandbox:
    # A fresh app key per test: the process-wide limiter of one test never paces another.
    return TemuSandbox(qps=None, app_key=uuid.uuid4().hex)


@pytest.fixture
def server(sandbox: TemuSandbox) -> Iterator[ServerThread]:
    with serving(create_temu_app(sandbox)) as running:
        yield running


@pytest.fixture
def make_client(sandbox: TemuSandbox, server: ServerThread) -> Callable[..., TemuClient]:
    def make(token: str = DEMO_ACCESS_TOKEN, secret: str = DEMO_APP_SECRET, **options: Any):
        app_key = next(iter(sandbox.apps))
        credentials = TemuCredentials(app_key, Secret(secret), Secret(token), base_url=server.url)
        options = {"rate": 1000.0, "sleep": quick_sleep, "timeout": 5.0, **options}
        return TemuClient(credentials, **options)

    return make


@pytest.fixture
def client(make_client: Callable[..., TemuClient]) -> TemuClient:
    return make_client()
