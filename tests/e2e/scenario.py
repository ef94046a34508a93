"""The end-to-end scenario, step by step, against running processes (see run_e2e.py)."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
from e2e_support import BIN, Processes, check, free_port, say, wait_for

from adapters.sandbox.shipstation.state import DEMO_API_KEY, DEMO_API_SECRET
from adapters.sandbox.temu.seed import make_address
from adapters.sandbox.temu.state import DEMO_ACCESS_TOKEN, DEMO_APP_KEY, DEMO_APP_SECRET
from domain.model import order_key
from flows.wiring import PrefectEvents

SHOP = "e2e-shop"
MARKER = "e2e-not-connected"  # a shop name no one connected
SYNC, REAUTH = "sync-shop/one-shop", "reauthorize/on-token-expired"
DEPLOYMENTS = (
    "sync-all-shops/every-10-minutes", SYNC, "token-watch/daily", REAUTH,
    "reconcile/daily-sweep", "rerun-orders/by-parent-order-sn", "resync-window/by-time-window",
)  # fmt: skip
WRONG_TOKEN = "upl-this-token-was-never-issued-0000000000000000000000"
PAUSE_ORDERS = 6
RUN_TIMEOUT = 240
# A sync run's final state (TYPE/Name): green only when nothing needs a person.
GREEN, NEEDS_PERSON, PAUSED = "COMPLETED/Completed", "FAILED/Needs a person", "FAILED/Shop paused"


class Scenario:
    def __init__(self, processes: Processes, api_url: str, root: Path) -> None:
        self.p, self.api_url, self.root = processes, api_url, root
        self.temu = f"http://127.0.0.1:{free_port()}"
        self.ss = f"http://127.0.0.1:{free_port()}"
        self.reauth_known: set[UUID] = set()  # the reauthorize runs seen while the shop waits

    def run(self) -> None:
        self.start_prefect()
        self.start_sandbox_and_connect()
        worker = [str(BIN / "python"), "-m", "flows.worker", "--pool", "temuship"]
        self.p.start("worker", worker)  # README's worker: prefect worker start, memory kept flat
        first = self.sync_and_check_orders_arrived()
        reauth = self.expire_and_see_the_trigger_start_reauthorization()
        added = self.add_orders_while_paused()
        self.refuse_a_wrong_token(reauth)
        self.resume_with_a_new_token_and_catch_up(reauth, added, first)

    # --- steps ------------------------------------------------------------------------------

    def start_prefect(self) -> None:
        port = self.api_url.split(":")[-1].split("/")[0]
        self.p.start("server", [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1",
                                "--port", port])  # fmt: skip
        wait_for("the Prefect server's /api/health", self.healthy, timeout=120)
        say("Prefect server healthy")
        prefect = str(BIN / "prefect")
        self.p.run("work-pool", [prefect, "work-pool", "create", "temuship", "--type", "process"])
        self.p.run("deploy", [prefect, "--no-prompt", "deploy", "--all"], cwd=self.root)
        with self.client() as client:
            for name in DEPLOYMENTS:
                client.read_deployment_by_name(name)  # raises if it is missing
            automations = client.read_automations()
            queues = {
                q.name: q.priority for q in client.read_work_queues(work_pool_name="temuship")
            }
        check(len(automations) == 1, f"{len(automations)} automations, expected 1")
        # The shops' runs wait behind the turns (prefect.yaml: `one-shop` in queue `shops`).
        check(queues.get("default", 0) < queues.get("shops", 0), f"work queues {queues}")
        say(f"deployed {len(DEPLOYMENTS)} deployments and the reauthorize trigger")

    def start_sandbox_and_connect(self) -> None:
        self.p.start("sandbox", [str(BIN / "temuship"), "sandbox", "--orders", "40",
                                 "--temu-port", self.temu.rsplit(":", 1)[1],
                                 "--shipstation-port", self.ss.rsplit(":", 1)[1]])  # fmt: skip
        wait_for("the sandbox", lambda: httpx.get(f"{self.temu}/admin/stats").is_success, 60)
        self.p.run("connect", [str(BIN / "temuship"), "connect", SHOP, "--region", "us",
                               "--app-key", DEMO_APP_KEY, "--app-secret", DEMO_APP_SECRET,
                               "--access-token", DEMO_ACCESS_TOKEN,
                               "--shipstation-key", DEMO_API_KEY,
                               "--shipstation-secret", DEMO_API_SECRET,
                               "--temu-url", self.temu, "--shipstation-url", self.ss])  # fmt: skip
        say(f"sandbox up, shop {SHOP} connected")

    def sync_and_check_orders_arrived(self) -> int:
        state = self.run_deployment(SYNC, {"shop_id": SHOP})
        # Green only when nothing needs a person: the sandbox has orders due to ship.
        check(state in (GREEN, NEEDS_PERSON), f"the first sync ended {state}")
        orders = self.shipstation_orders()
        keys = [o["orderKey"] for o in orders]
        check(len(orders) > 0, "no order arrived in the simulated ShipStation")
        check(len(keys) == len(set(keys)), "ShipStation holds duplicate orders")
        say(f"first sync: {len(orders)} orders in ShipStation")
        return len(orders)

    def expire_and_see_the_trigger_start_reauthorization(self) -> Any:
        httpx.post(f"{self.temu}/admin/tokens/expire", json={}).raise_for_status()
        for _ in range(2):  # the second finds the shop already paused: no second event
            state = self.run_deployment(SYNC, {"shop_id": SHOP})
            check(state == PAUSED, f"a sync of the paused shop ended {state}, not {PAUSED}")
        status = self.status()
        # The trigger may already have started re-authorisation by now: either state is right.
        token_state = status["token"]["state"]
        check(status["paused"] and token_state in ("expired", "reauthorizing"), json.dumps(status))
        run = wait_for("a paused reauthorize run", lambda: self.reauth_run("PAUSED"), 180)
        check(run.parameters == {"shop_id": SHOP}, f"parameters {run.parameters}")
        # Nothing more comes of the two syncs: an announcement made after them has its run
        # (for a shop not connected, it ends at once). By then every run of this shop is
        # known: exactly one waits; any other (the second sync's reminder may come before the
        # trigger's run exists) ended at once, without asking.
        PrefectEvents().emit("temuship.token.expired", MARKER, {"shop": MARKER, "by": "e2e"})
        wait_for("the later announcement's run", lambda: self.reauth_runs(MARKER) or None, 180)
        wait_for("every other reauthorize run of the shop to end", self.one_run_waits, 180)
        self.reauth_known = {r.id for r in self.reauth_runs()}
        say(f"{len(self.reauth_known)} reauthorize run(s) for {SHOP}: one waits")
        say(f"token expired: shop paused, trigger started {run.name}, which waits for input")
        return run

    def add_orders_while_paused(self) -> list[str]:
        seeded = httpx.post(f"{self.temu}/admin/seed", json={"count": PAUSE_ORDERS, "seed": 99})
        sns = seeded.json()["parentOrderSns"]
        address = make_address(random.Random(5), 1)
        for sn in sns:  # awaiting shipment, with an address, updated now
            httpx.post(f"{self.temu}/admin/orders/{sn}/status", json={"status": 2})
            httpx.post(f"{self.temu}/admin/orders/{sn}/address", json={"address": address})
        say(f"{len(sns)} orders created in Temu while the shop is paused")
        return list(sns)

    def refuse_a_wrong_token(self, run: Any) -> None:
        self.resume(run.id, WRONG_TOKEN)
        again = wait_for("the run to ask again", lambda: self.paused_again(run.id), 120)
        check(self.status()["paused"], "a wrong token resumed the shop")
        say(f"a wrong token was refused; the shop stays paused; the run asks again ({again})")

    def resume_with_a_new_token_and_catch_up(self, run: Any, added: list[str], first: int):
        token = httpx.post(f"{self.temu}/admin/tokens/rotate", json={}).json()["accessToken"]
        self.resume(run.id, token)
        state = wait_for("the reauthorize run to end", lambda: self.final_state(run.id), 240)
        check(state == "COMPLETED", f"the reauthorize run ended {state}")
        status = self.status()
        check(not status["paused"] and status["token"]["state"] == "active", json.dumps(status))
        missing = [sn for sn in added if not self.in_shipstation(sn)]
        check(not missing, f"orders created during the pause not imported: {missing}")
        with self.client() as client:
            stored = client.filter_flow_run_input(run.id, "paused-", 100, set())
        leaked = [i.key for i in stored if token in i.value or WRONG_TOKEN in i.value]
        check(not leaked, f"a token is still in the run's stored input: {leaked}")
        # The runs counted while the shop waited (one waits, a reminder's may have ended at
        # once) are all there are: neither the refusal nor the catch-up started another.
        later = [r.name for r in self.reauth_runs() if r.id not in self.reauth_known]
        check(not later, f"the refusal or the catch-up started reauthorize runs: {later}")
        total = len(self.shipstation_orders())
        say(f"re-authorised; catch-up imported all {len(added)} orders ({first} -> {total})")

    # --- helpers ----------------------------------------------------------------------------

    def client(self) -> Any:
        from prefect.client.orchestration import get_client

        return get_client(sync_client=True)

    def healthy(self) -> bool:
        return httpx.get(f"{self.api_url}/health", timeout=5).is_success

    def run_deployment(self, name: str, parameters: dict[str, Any]) -> str:
        """Run a deployment to its end: its final state as `TYPE/Name` (`FAILED/Shop paused`)."""
        with self.client() as client:
            deployment = client.read_deployment_by_name(name)
            run = client.create_flow_run_from_deployment(deployment.id, parameters=parameters)
        wait_for(f"{name} to finish", lambda: self.final_state(run.id), RUN_TIMEOUT)
        with self.client() as client:
            final = client.read_flow_run(run.id).state
        state = f"{final.type.value}/{final.name}" if final else "?"
        say(f"{name} {parameters} -> {state}")
        return state

    def final_state(self, run_id: UUID) -> str | None:
        with self.client() as client:
            state = client.read_flow_run(run_id).state
        return state.type.value if state and state.is_final() else None

    def reauth_runs(self, shop: str = SHOP) -> list[Any]:
        from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId

        with self.client() as client:
            deployment = client.read_deployment_by_name(REAUTH)
            ids = DeploymentFilter(id=DeploymentFilterId(any_=[deployment.id]))
            found = client.read_flow_runs(deployment_filter=ids)
        return [run for run in found if run.parameters.get("shop_id") == shop]

    def one_run_waits(self) -> bool:
        """Exactly one reauthorize run of the shop waits; every other one has ended."""
        states = [r.state.type.value if r.state else "" for r in self.reauth_runs()]
        others = [s for s in states if s != "PAUSED"]
        check(states.count("PAUSED") <= 1, f"reauthorize runs for {SHOP}: {states}")
        return states.count("PAUSED") == 1 and all(s == "COMPLETED" for s in others)

    def reauth_run(self, state: str) -> Any:
        found = [r for r in self.reauth_runs() if r.state and r.state.type.value == state]
        return found[0] if found else None

    def paused_again(self, run_id: UUID) -> str | None:
        with self.client() as client:
            state = client.read_flow_run(run_id).state
        key = state.state_details.pause_key if state and state.is_paused() else None
        return key if key and not key.endswith("-1") else None

    def resume(self, run_id: UUID, token: str) -> None:
        from prefect.flow_runs import resume_flow_run

        wait_for("the run to be paused", lambda: self.paused(run_id), 60)
        resume_flow_run(run_id, run_input={"access_token": token})

    def paused(self, run_id: UUID) -> bool:
        with self.client() as client:
            state = client.read_flow_run(run_id).state
        return bool(state and state.is_paused())

    def status(self) -> dict[str, Any]:
        out = self.p.run("status", [str(BIN / "temuship"), "status", SHOP, "--json"])
        data = json.loads(out)
        return data[0] if isinstance(data, list) else data

    def shipstation_orders(self) -> list[dict[str, Any]]:
        auth = (DEMO_API_KEY, DEMO_API_SECRET)
        answer = httpx.get(f"{self.ss}/orders", params={"pageSize": 500}, auth=auth)
        answer.raise_for_status()
        return list(answer.json()["orders"])

    def in_shipstation(self, parent_order_sn: str) -> bool:
        return httpx.get(f"{self.ss}/admin/orders/{order_key(SHOP, parent_order_sn)}").is_success
