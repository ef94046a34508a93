"""Every flow that writes, killed with SIGKILL mid-run and run again, then a sync: nothing
sent twice, nothing lost. The sync itself is covered by test_sync_kill.py; here the repairs
(rerun-orders, resync-window, the sweep) and the re-authorisation's catch-up, each as a real
process against the sandbox served from this process and a SQLite file."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from prefect.settings import PREFECT_API_URL

from adapters.sandbox.launcher import Sandbox
from tests.integration.sync import test_sync_kill as killed_sync
from tests.integration.sync.sync_helpers import Cli, seed_awaiting
from tests.integration.sync.test_sync_kill import buy_labels, phase_started, wait_for

# Each flow's state is returned, not raised: a run that leaves work for a person (an order near
# its ship-by time, say) ends Failed with its summary as the result.
FLOW_CALLS = {
    "rerun-orders": "from flows.maintenance import rerun_orders; "
    "rerun_orders({shop!r}, {sns!r}, resend=True, return_state=True)",
    "resync-window": "from flows.maintenance import resync_window; from datetime import datetime; "
    "resync_window({shop!r}, datetime.fromisoformat({since!r}), return_state=True)",
    "reconcile": "from flows.maintenance import reconcile; "
    "reconcile([{shop!r}], days=2, return_state=True)",
}


def command(flow: str, shop: str, sns: list[str], token: str) -> list[str]:
    if flow == "reauthorize":
        return [sys.executable, "-m", "flows.cli", "reauthorize", shop, "--access-token", token]
    since = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    code = FLOW_CALLS[flow].format(shop=shop, sns=sns, since=since)
    return [sys.executable, "-c", code]


def start(cli: Cli, argv: list[str], home: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "TEMUSHIP_DATABASE_URL": cli.database_url,
           "TEMUSHIP_HOME": str(cli.home), "PREFECT_API_URL": str(PREFECT_API_URL.value()),
           "PREFECT_HOME": str(home), "PREFECT_LOGGING_LEVEL": "ERROR"}  # fmt: skip
    return subprocess.Popen(
        argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    ("flow", "phase", "seed"),
    [("rerun-orders", "pushing", 11), ("resync-window", "confirming", 12),
     ("reconcile", "pushing", 13), ("reauthorize", "confirming", 14)],
)  # fmt: skip
def test_a_flow_killed_mid_run_then_run_again_sends_each_thing_once(
    tmp_path: Path, sandbox: Sandbox, flow: str, phase: str, seed: int
) -> None:
    cli = Cli(f"sqlite:///{tmp_path / 'temuship.db'}", tmp_path / "home", sandbox)
    shop = f"kill-{flow}"
    assert cli.connect(shop).exit_code == 0
    imported = seed_awaiting(sandbox, 40, seed=seed)
    assert cli("sync", shop).exit_code == 0
    buy_labels(sandbox, shop, imported[:30])
    new = seed_awaiting(sandbox, 30, seed=seed + 100)
    token = ""
    if flow == "reauthorize":
        token = sandbox.temu.rotate_token()  # the old token now answers "expired"
        assert cli("sync", shop).exit_code == 1  # paused for its token

    argv = command(flow, shop, imported, token)
    killed = start(cli, argv, tmp_path / "prefect")
    wait_for(phase_started(sandbox, phase), killed)
    time.sleep(random.Random(seed).uniform(0.0, 0.3))
    killed.send_signal(signal.SIGKILL)
    assert killed.wait(10) == -signal.SIGKILL

    again = start(cli, argv, tmp_path / "prefect")
    _, errors = again.communicate(timeout=180)
    assert again.returncode == 0, errors
    assert "Traceback" not in errors
    assert cli("sync", shop).exit_code == 0

    killed_sync.TestKilledSync.assert_each_order_once_in_shipstation(sandbox, shop, imported + new)
    killed_sync.TestKilledSync.assert_each_label_confirmed_once(sandbox)
