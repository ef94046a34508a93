"""`temuship serve --public-url` as a person runs it, in a subprocess: it starts a real Prefect
server, serves every deployment of prefect.yaml, a scheduled sync (which starts a sync-shop run
for the shop) and the token watch run by themselves (their schedules shortened in a copy of the
file), /healthz answers; labels bought in the simulated ShipStation reach Temu by a V1 webhook
and a signed V2 webhook within seconds, and by the label check once the webhooks are gone (its
interval shortened); forged, unsigned, replayed and foreign-host deliveries are refused and
change nothing; SIGTERM leaves no process of it behind and exits 0."""

from __future__ import annotations

import base64
import json
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
from adapters.sandbox.shipstation.v2.account import DEMO_V2_API_KEY
from adapters.sandbox.temu.state import DEMO_APP_KEY, DEMO_APP_SECRET
from domain.model import order_key
from flows.serve.deployments import PREFECT_FILE, deployment_names
from flows.serve.processes import children_of, group_alive
from tests.e2e.e2e_support import BIN, environment, free_port
from tests.integration.sync.sync_helpers import make_awaiting

pytestmark = pytest.mark.slow
SHOP, SHOP_V2 = "serve-e2e", "serve-e2e-v2"
SHORTENED = {"every-10-minutes": 20, "daily": 20}  # seconds between their scheduled runs
CHECK_EVERY_S = 15  # the label check's interval here (60 s by default)
WITHIN_S = 10  # a webhook's label reaches Temu within this


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
        make_awaiting(running, running.temu.seed_orders(6, seed=5))
        yield running


def env_for(work: Path, prefect_port: int) -> dict[str, str]:
    env = environment(work, api_url="unused")
    del env["PREFECT_API_URL"]  # serve starts its own server
    return env | {"PREFECT_SERVER_API_PORT": str(prefect_port),
                  "TEMUSHIP_PREFECT_FILE": str(work / "prefect.yaml"),
                  "TEMUSHIP_LABEL_CHECK_INTERVAL": str(CHECK_EVERY_S)}  # fmt: skip


def connect(env: dict[str, str], sandbox: Sandbox, name: str, *shipstation: str) -> None:
    token = f"upl{name.replace('-', '')}".ljust(40, "0")  # a Temu mall of its own
    sandbox.temu.add_token(token, mall_id=sandbox.temu.mall_id + len(sandbox.temu.tokens))
    done = subprocess.run(
        [str(BIN / "temuship"), "connect", name, "--app-key", DEMO_APP_KEY, "--app-secret",
         DEMO_APP_SECRET, "--access-token", token, *shipstation, "--temu-url",
         sandbox.temu_url, "--shipstation-url", sandbox.shipstation_url],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def test_serve_runs_the_whole_service_and_stops_cleanly(work: Path, sandbox: Sandbox) -> None:
    prefect_port, port = free_port(), free_port()
    env = env_for(work, prefect_port)
    env["TEMUSHIP_SHIPSTATION_JWKS_URL"] = f"{sandbox.shipstation_url}/v2/jwks"
    connect(env, sandbox, SHOP, "--shipstation-key", DEMO_API_KEY, "--shipstation-secret",
            DEMO_API_SECRET)  # fmt: skip
    connect(env, sandbox, SHOP_V2, "--shipstation-api", "v2", "--shipstation-key",
            DEMO_V2_API_KEY)  # fmt: skip
    log = (work / "serve.log").open("w+")
    public = f"http://127.0.0.1:{port}"
    serve = subprocess.Popen(
        [str(BIN / "temuship"), "serve", "--port", str(port), "--public-url", public],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        ready = wait_for("the ready line", lambda: _ready_line(work / "serve.log"), 180)
        assert f"Prefect UI at http://127.0.0.1:{prefect_port}/" in ready
        assert SHOP in ready and f"webhooks at {public}/webhooks/shipstation/" in ready
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
        _no_more_syncs(api, ids["sync-all-shops/every-10-minutes"], ids["sync-shop/one-shop"])
        _labels_reach_temu(sandbox, public)
    finally:
        serve.send_signal(signal.SIGTERM)
        try:
            code = serve.wait(timeout=45)
        except subprocess.TimeoutExpired:
            os.killpg(serve.pid, signal.SIGKILL)
            code = None
        finally:
            log.seek(0)
            output = log.read()
    assert code is not None, f"serve did not stop within 45 s of SIGTERM:\n{output[-4000:]}"
    assert code == 0, output
    assert not group_alive(serve.pid), output
    assert not [pid for pid in started if Path(f"/proc/{pid}").exists()], output
    assert not _listening(prefect_port) and not _listening(port)


def _no_more_syncs(api: str, turns_id: str, shops_id: str) -> None:
    """The scheduled syncs paused, and every shop's run the turns started ended: from now on
    only serve's label check and its webhooks confirm labels."""
    httpx.post(f"{api}/deployments/{turns_id}/pause_deployment", timeout=10)
    busy = {"state": {"type": {"any_": ["PENDING", "RUNNING", "SCHEDULED"]}}}
    query = {"deployments": {"id": {"any_": [turns_id, shops_id]}}, "flow_runs": busy}
    wait_for("the syncs to end", lambda: not httpx.post(
        f"{api}/flow_runs/filter", json=query, timeout=10).json(), 120)  # fmt: skip


def _labels_reach_temu(sandbox: Sandbox, public: str) -> None:
    hooks = sandbox.shipstation.v2.webhooks
    wait_for("serve's subscriptions", lambda: hooks.v1 and hooks.v2, 60)
    v1_order, v2_order, late_order = _orders_in_shipstation(sandbox)
    for shop, sn in ((SHOP, v1_order), (SHOP_V2, v2_order)):
        tracking = _buy(sandbox, shop, sn)
        wait_for(f"{shop}'s label at Temu", lambda sn=sn: _at_temu(sandbox, sn), WITHIN_S, 0.2)
        assert _at_temu(sandbox, sn) == {tracking}
    delivered = [(r["api"], r["status_code"]) for r in hooks.deliveries.snapshot()]
    assert ("v1", 202) in delivered and ("v2", 202) in delivered, delivered
    _refusals_change_nothing(sandbox, public)
    hooks.v1.clear()  # deleted on ShipStation's side: only the label check is left
    hooks.v2.clear()
    tracking = _buy(sandbox, SHOP, late_order)
    wait_for("the check's label at Temu", lambda: _at_temu(sandbox, late_order),
             CHECK_EVERY_S + 30, 0.5)  # fmt: skip
    assert _at_temu(sandbox, late_order) == {tracking}


def _orders_in_shipstation(sandbox: Sandbox) -> list[str]:
    """Three Temu orders both shops sent to ShipStation, not shipped."""
    sns = [sn for sn in sorted(sandbox.temu.orders)
           if all(order_key(shop, sn) in sandbox.shipstation.orders for shop in (SHOP, SHOP_V2))
           and not _at_temu(sandbox, sn)]  # fmt: skip
    assert len(sns) >= 3, "the scheduled sync sent too few orders to ShipStation"
    return sns[:3]


def _buy(sandbox: Sandbox, shop: str, sn: str) -> str:
    (made,) = sandbox.shipstation.create_labels(order_key(shop, sn))
    return str(made["trackingNumber"])


def _at_temu(sandbox: Sandbox, sn: str) -> set[str]:
    return {s.tracking_number for s in sandbox.temu.shipments if s.parent_order_sn == sn}


def _refusals_change_nothing(sandbox: Sandbox, public: str) -> None:
    hooks = sandbox.shipstation.v2.webhooks
    v1_url = next(iter(hooks.v1.values()))["url"]
    v2_url = next(iter(hooks.v2.values()))["url"]
    shipments, calls = len(sandbox.temu.shipments), sandbox.shipstation.counters.snapshot()
    base = sandbox.shipstation_url
    v1_body = json.dumps({"resource_url": f"{base}/shipments?batchId=1",
                          "resource_type": "SHIP_NOTIFY"}).encode()  # fmt: skip
    foreign = json.dumps({"resource_url": "http://203.0.113.9/shipments?batchId=1",
                          "resource_type": "SHIP_NOTIFY"}).encode()  # fmt: skip
    v2_body = json.dumps({"resource_url": f"{base}/v2/labels?batch_id=se-1",
                          "resource_type": "LABEL_CREATED_V2"}).encode()  # fmt: skip
    signed = sandbox.shipstation.v2.signer.headers(v2_body)
    forged = {**signed, "x-shipengine-rsa-sha256-signature": base64.b64encode(b"x" * 256).decode()}
    post = lambda url, body, headers=None: httpx.post(  # noqa: E731
        url, content=body, headers={"content-type": "application/json", **(headers or {})}
    )
    assert post(v2_url, v2_body, signed).status_code == 202  # signed: taken (nothing new)
    refused = {
        "wrong path token": post(f"{v1_url.rsplit('/', 1)[0]}/not-the-token", v1_body),
        "foreign host": post(v1_url, foreign),
        "unsigned V2": post(v2_url, v2_body),
        "forged V2": post(v2_url, v2_body, forged),
        "replayed V2": post(v2_url, v2_body, signed),
        "unknown shop": post(f"{public}/webhooks/shipstation/nobody/x", v1_body),
    }
    assert {why: a.status_code for why, a in refused.items()} == {
        "wrong path token": 404, "foreign host": 400, "unsigned V2": 404, "forged V2": 401,
        "replayed V2": 409, "unknown shop": 404,
    }  # fmt: skip
    assert len(sandbox.temu.shipments) == shipments
    foreign_calls = [k for k in sandbox.shipstation.counters.snapshot()["calls"]  # type: ignore[union-attr]
                     if "203.0.113.9" in k]  # fmt: skip
    assert foreign_calls == [] and calls["unauthorized"] == 0


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
