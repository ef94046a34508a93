"""`temuship serve` as a person runs it, in a subprocess: it starts a real Prefect server, serves
every deployment of prefect.yaml, a scheduled sync (which starts a sync-shop run for the shop)
and the token watch run by themselves (their schedules shortened in a copy of the file),
/healthz answers, and SIGTERM leaves no process of it behind and exits 0."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from adapters.sandbox.launcher import Sandbox
from adapters.sandbox.shipstation.state import DEMO_API_KEY, DEMO_API_SECRET
from adapters.sandbox.temu.state import DEMO_ACCESS_TOKEN, DEMO_APP_KEY, DEMO_APP_SECRET
from flows.serve.deployments import PREFECT_FILE, deployment_names
from flows.serve.processes import children_of, group_alive
from tests.e2e.e2e_support import BIN, environment, free_port

pytestmark = pytest.mark.slow
SHOP = "serve-e2e"
SHORTENED = {"every-10-minutes": 20, "daily": 20}  # seconds between their scheduled runs


def wait_for(what: str, probe: Any, timeout: float, every: float = 1.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


@pytest.fixture
def work(tmp_path: Path) -> Path:
    spec = yaml.safe_load(PREFECT_FILE.read_text())
    for entry in spec["deployments"]:
        if entry["name"] in SHORTENED:
            entry["schedules"] = [{"interval": SHORTENED[entry["name"]], "timezone": "UTC"}]
    (tmp_path / "prefect.yaml").write_text(yaml.safe_dump(spec))
    return tmp_path


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox() as running:
        running.temu.seed_orders(20, seed=5)
        yield running


def env_for(work: Path, prefect_port: int) -> dict[str, str]:
    env = environment(work, api_url="unused")
    del env["PREFECT_API_URL"]  # serve starts its own server
    return env | {"PREFECT_SERVER_API_PORT": str(prefect_port),
                  "TEMUSHIP_PREFECT_FILE": str(work / "prefect.yaml")}  # fmt: skip


def test_serve_runs_the_whole_service_and_stops_cleanly(work: Path, sandbox: Sandbox) -> None:
    prefect_port, port = free_port(), free_port()
    env = env_for(work, prefect_port)
    connect = subprocess.run(
        [str(BIN / "temuship"), "connect", SHOP, "--app-key", DEMO_APP_KEY, "--app-secret",
         DEMO_APP_SECRET, "--access-token", DEMO_ACCESS_TOKEN, "--shipstation-key",
         DEMO_API_KEY, "--shipstation-secret", DEMO_API_SECRET, "--temu-url",
         sandbox.temu_url, "--shipstation-url", sandbox.shipstation_url],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert connect.returncode == 0, connect.stderr
    log = (work / "serve.log").open("w+")
    serve = subprocess.Popen(
        [str(BIN / "temuship"), "serve", "--port", str(port)],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        ready = wait_for("the ready line", lambda: _ready_line(work / "serve.log"), 180)
        assert f"Prefect UI at http://127.0.0.1:{prefect_port}/" in ready
        assert SHOP in ready and "the one-minute check" in ready
        assert httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200
        api = f"http://127.0.0.1:{prefect_port}/api"
        ids = {name: _deployment_id(api, name) for name in deployment_names(PREFECT_FILE)}
        # The scheduled sync starts one sync-shop run per shop, which serve runs too.
        for name in ("sync-all-shops/every-10-minutes", "sync-shop/one-shop", "token-watch/daily"):
            ended = wait_for(f"a scheduled run of {name}", lambda n=name: _ended(api, ids[n]), 150)
            # Green, or red only because the sandbox's orders leave work for a person.
            assert ended in ("Completed", "Needs a person"), f"{name} ended {ended}"
        assert sandbox.shipstation.orders, "the scheduled sync sent no order to ShipStation"
        started = children_of(serve.pid)
        assert started, "serve started no process (its Prefect server at least)"
    finally:
        serve.send_signal(signal.SIGTERM)
        try:
            code = serve.wait(timeout=45)
        except subprocess.TimeoutExpired:
            os.killpg(serve.pid, signal.SIGKILL)
            raise
        finally:
            log.seek(0)
            output = log.read()
    assert code == 0, output
    assert not group_alive(serve.pid), output
    assert not [pid for pid in started if Path(f"/proc/{pid}").exists()], output
    assert not _listening(prefect_port) and not _listening(port)


def _ready_line(path: Path) -> str | None:
    lines = path.read_text().splitlines()
    ready = [line for line in lines if line.startswith("temuship serve: ready")]
    assert len(ready) <= 1
    if any(line.startswith(("Traceback", "temuship stopped")) for line in lines):
        raise AssertionError("\n".join(lines[-40:]))
    return ready[0] if ready else None


def _deployment_id(api: str, name: str) -> str:
    answer = httpx.get(f"{api}/deployments/name/{name}", timeout=10)
    assert answer.status_code == 200, f"{name} is not served: {answer.text[:200]}"
    return str(answer.json()["id"])


def _ended(api: str, deployment_id: str) -> str | None:
    """The state name of the deployment's first run that ended (Completed or Failed)."""
    ended = {"state": {"type": {"any_": ["COMPLETED", "FAILED"]}}}
    query = {"deployments": {"id": {"any_": [deployment_id]}}, "flow_runs": ended, "limit": 1}
    found = httpx.post(f"{api}/flow_runs/filter", json=query, timeout=10).json()
    return str(found[0]["state"]["name"]) if found else None


def _listening(port: int) -> bool:
    try:
        httpx.get(f"http://127.0.0.1:{port}/", timeout=2)
    except httpx.TransportError:
        return False
    return True
