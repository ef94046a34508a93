"""The sync end to end: the `temuship` command against both simulated APIs over real HTTP.

One Prefect test server for the session; a fresh sandbox (simulated Temu and ShipStation, rate
limits off) and a fresh shop per test; the database from `tests/integration/conftest.py`
(a SQLite file, and PostgreSQL when TEMUSHIP_TEST_DATABASE_URL is set).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from adapters.sandbox.launcher import Sandbox
from adapters.sandbox.shipstation.state import ShipStationSandbox
from adapters.sandbox.temu import app as temu_app
from adapters.sandbox.temu.model import SandboxClock, TemuFailure
from adapters.sandbox.temu.state import TemuSandbox
from tests.integration.sync.sync_helpers import ConfirmCall

CONFIRM = "bg.logistics.shipment.v2.confirm"


@pytest.fixture(autouse=True)
def _on_the_test_server(prefect_harness: None) -> None:
    """The syncs run on the session's Prefect test server (tests/conftest.py)."""


@pytest.fixture
def confirm_calls(monkeypatch: pytest.MonkeyPatch) -> list[ConfirmCall]:
    """Every confirmation request the simulated Temu gets during the test (sendType, lines)."""
    calls: list[ConfirmCall] = []
    real = temu_app.HANDLERS[CONFIRM]

    def recording(state: TemuSandbox, body: dict[str, Any], token: Any) -> Any:
        call = ConfirmCall(body.get("sendType", -1), body.get("sendRequestList") or [], None)
        calls.append(call)
        try:
            return real(state, body, token)
        except TemuFailure as failure:
            call.error = failure.code
            raise

    monkeypatch.setitem(temu_app.HANDLERS, CONFIRM, recording)
    return calls


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    # Temu's clock runs 30 s behind ours: an order touched now (updateTime + 1 at the
    # latest) already lies inside the next sync's window, so tests need not sleep.
    lagging = SandboxClock()
    lagging.advance(-30)
    with Sandbox(
        temu=TemuSandbox(clock=lagging, qps=None), shipstation=ShipStationSandbox(rate_limit=None)
    ) as running:
        yield running
