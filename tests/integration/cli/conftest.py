"""The `temuship` command's failures: a simulated Temu and ShipStation, a connected shop, and
runs of the command in this process (`Cli`) or as a process of its own (`run_temuship`)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.sandbox.launcher import Sandbox
from adapters.sandbox.shipstation.state import ShipStationSandbox
from adapters.sandbox.temu.state import TemuSandbox
from tests.integration.sync.sync_helpers import Cli
from tests.scratch_databases import own_database


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(
        temu=TemuSandbox(qps=None), shipstation=ShipStationSandbox(rate_limit=None)
    ) as running:
        yield running


@pytest.fixture
def cli(database_url: str, tmp_path: Path, sandbox: Sandbox) -> Cli:
    return Cli(database_url, tmp_path / "home", sandbox)


@pytest.fixture
def shop(cli: Cli) -> str:
    """A connected shop with a name no other test uses."""
    name = f"shop-{uuid.uuid4().hex[:10]}"
    result = cli.connect(name)
    assert result.exit_code == 0, result.output
    return name


@pytest.fixture
def own_database_url(any_database_url: str) -> Iterator[str]:
    """A database of this test alone, for tests whose key is not the session's: a SQLite
    file, or a PostgreSQL database made next to the session's and dropped after."""
    with own_database(any_database_url, "temuship_cli") as url:
        yield url
