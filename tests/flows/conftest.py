"""Flow tests: one Prefect test server for the session (PREFECT-NOTES §6), the sandbox over real
HTTP, a fresh database and shop per test, services injected with `flows.wiring.using`."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.sandbox.launcher import Sandbox
from adapters.sandbox.shipstation.state import ShipStationSandbox
from adapters.sandbox.temu.model import SandboxClock
from adapters.sandbox.temu.state import TemuSandbox
from flows import wiring
from tests.flows.flow_support import World, connect_shop, services_for


@pytest.fixture(autouse=True)
def _on_the_test_server(prefect_harness: None) -> None:
    """Flow tests run on the session's Prefect test server (tests/conftest.py)."""


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    # Temu's clock runs 30 s behind ours, so an order touched now lies inside the next
    # sync's window (Temu's update times are whole seconds).
    lagging = SandboxClock()
    lagging.advance(-30)
    temu = TemuSandbox(clock=lagging, qps=None)
    with Sandbox(temu=temu, shipstation=ShipStationSandbox(rate_limit=None)) as running:
        running.temu.seed_orders(30, seed=11)
        yield running


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'temuship.db'}"


@pytest.fixture
def world(sandbox: Sandbox, database_url: str) -> Iterator[World]:
    """A connected shop (its own name) over the sandbox, with the services in use."""
    yield from _world(sandbox, database_url)


def _world(sandbox: Sandbox, database_url: str) -> Iterator[World]:
    world = services_for(sandbox, database_url, f"shop-{uuid.uuid4().hex[:8]}")
    with wiring.using(world.services):
        connect_shop(world)
        yield world
