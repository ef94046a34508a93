"""The `temuship` command's failures: a simulated Temu and ShipStation, a connected shop, and
runs of the command in this process (`Cli`) or as a process of its own (`run_temuship`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from adapters.sandbox.launcher import Sandbox
from adapters.sandbox.shipstation.state import ShipStationSandbox
from adapters.sandbox.temu.state import TemuSandbox
from tests.scratch_databases import own_database


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(
        temu=TemuSandbox(qps=None), shipstation=ShipStationSandbox(rate_limit=None)
    ) as running:
        yield running


@pytest.fixture
def own_database_url(any_database_url: str) -> Iterator[str]:
    """A database of this test alone, for tests whose key is not the session's: a SQLite
    file, or a PostgreSQL database made next to the session's and dropped after."""
    with own_database(any_database_url, "temuship_cli") as url:
        yield url
