"""A sync killed with SIGKILL mid-run, then run again: nothing duplicated, nothing lost.

The sync runs as a real `python -m flows.cli sync` process against the sandbox served from
this process and a SQLite file; it is killed at a random moment inside one phase (reading Temu,
pushing to ShipStation, confirming to Temu), then rerun to completion.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from prefect.settings import PREFECT_API_URL

from adapters.sandbox.launcher import Sandbox
from domain.model import order_key
from tests.integration.sync.sync_helpers import Cli, createorders_calls, multi_line, seed_awaiting

LIST, CONFIRM = "bg.order.list.v2.get", "bg.logistics.shipment.v2.confirm"
IMPORTED, LABELLED, NEW = 60, 45, 45


def buy_labels(sandbox: Sandbox, shop: str, sns: list[str]) -> None:
    """Whole orders, partial ones and orders in two packages."""
    two = set(multi_line(sandbox, sns))
    for i, sn in enumerate(sns):
        key, lines = order_key(shop, sn), sandbox.temu.orders[sn].lines
        if sn in two and i % 3 == 0:
            first, rest = lines[:1], lines[1:]
            packages = [{ln.order_sn: ln.quantity for ln in part} for part in (first, rest)]
            sandbox.shipstation.create_labels(key, packages)
        elif sn in two and i % 3 == 1:
            sandbox.shipstation.create_labels(key, [{lines[0].order_sn: lines[0].quantity}])
        else:
            sandbox.shipstation.create_labels(key)


def labelled_lines(sandbox: Sandbox) -> dict[str, str]:
    """orderSn -> the tracking number of the live label that ships it."""
    return {
        item["lineItemKey"]: shipment["trackingNumber"]
        for shipment in sandbox.shipstation.labels.shipments
        if not shipment["voided"]
        for item in shipment["shipmentItems"]
    }


def start_sync(cli: Cli, shop: str, home: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "TEMUSHIP_DATABASE_URL": cli.database_url,
           "TEMUSHIP_HOME": str(cli.home), "PREFECT_API_URL": str(PREFECT_API_URL.value()),
           "PREFECT_HOME": str(home), "PREFECT_LOGGING_LEVEL": "ERROR"}  # fmt: skip
    return subprocess.Popen(
        [sys.executable, "-m", "flows.cli", "sync", shop, "--json"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(condition: Callable[[], bool], process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while not condition():
        assert process.poll() is None, f"the sync ended before the kill: {process.communicate()}"
        assert time.monotonic() < deadline, "the phase never started"
        time.sleep(0.005)


def phase_started(sandbox: Sandbox, phase: str) -> Callable[[], bool]:
    before = (sandbox.temu.requests[LIST], createorders_calls(sandbox),
              sandbox.temu.requests[CONFIRM])  # fmt: skip
    return {
        "reading temu": lambda: sandbox.temu.requests[LIST] > before[0],
        "pushing": lambda: createorders_calls(sandbox) > before[1],
        "confirming": lambda: sandbox.temu.requests[CONFIRM] > before[2],
    }[phase]


@pytest.mark.slow
class TestKilledSync:
    @pytest.mark.parametrize(
        ("phase", "seed", "delay"),
        [("reading temu", 1, (0.5, 2.5)), ("pushing", 2, (0.0, 0.05)),
         ("confirming", 3, (0.05, 1.5))],
    )  # fmt: skip
    def test_a_rerun_after_sigkill_duplicates_nothing_and_loses_nothing(
        self, tmp_path: Path, sandbox: Sandbox, phase: str, seed: int, delay: tuple[float, float]
    ) -> None:
        cli = Cli(f"sqlite:///{tmp_path / 'temuship.db'}", tmp_path / "home", sandbox)
        shop = f"kill-{seed}"
        assert cli.connect(shop).exit_code == 0
        imported = seed_awaiting(sandbox, IMPORTED, seed=seed)
        assert cli("sync", shop).exit_code == 0
        buy_labels(sandbox, shop, imported[:LABELLED])
        new = seed_awaiting(sandbox, NEW, seed=seed + 100)

        started = phase_started(sandbox, phase)
        killed = start_sync(cli, shop, tmp_path / "prefect")
        wait_for(started, killed)
        time.sleep(random.Random(seed).uniform(*delay))
        killed.send_signal(signal.SIGKILL)
        assert killed.wait(10) == -signal.SIGKILL

        rerun = start_sync(cli, shop, tmp_path / "prefect")
        out, errors = rerun.communicate(timeout=120)
        assert rerun.returncode == 0, errors
        assert '"status": "ok"' in out

        self.assert_each_order_once_in_shipstation(sandbox, shop, imported + new)
        self.assert_each_label_confirmed_once(sandbox)

    @staticmethod
    def assert_each_order_once_in_shipstation(sandbox: Sandbox, shop: str, sns: list[str]) -> None:
        numbers = Counter(o["orderNumber"] for o in sandbox.shipstation.orders.values())
        assert numbers == Counter(sns)
        assert all(sandbox.shipstation.order(order_key(shop, sn)) for sn in sns)

    @staticmethod
    def assert_each_label_confirmed_once(sandbox: Sandbox) -> None:
        confirmed = Counter(s.order_sn for s in sandbox.temu.shipments)
        assert max(confirmed.values()) == 1
        expected = labelled_lines(sandbox)
        assert {s.order_sn: s.tracking_number for s in sandbox.temu.shipments} == expected
