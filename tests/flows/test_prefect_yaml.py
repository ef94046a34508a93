"""prefect.yaml: every entry points at a real flow, and its trigger starts re-authorisation."""

from __future__ import annotations

import importlib
import inspect
import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml
from prefect import Flow
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId
from prefect.events import DeploymentEventTrigger
from prefect.utilities.callables import parameter_schema

from flows.reauthorize import reauthorize
from flows.wiring import PrefectEvents
from tests.flows.flow_support import wait_until

ROOT = Path(__file__).resolve().parents[2]
SPEC = yaml.safe_load((ROOT / "prefect.yaml").read_text())
DEPLOYMENTS = {d["name"]: d for d in SPEC["deployments"]}


def flow_of(entrypoint: str) -> Flow[Any, Any]:
    path, name = entrypoint.split(":")
    module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
    found = getattr(module, name)
    assert isinstance(found, Flow), entrypoint
    return found


class TestTheFile:
    @pytest.mark.parametrize("name", sorted(DEPLOYMENTS))
    def test_each_deployment_runs_a_flow_with_the_parameters_it_names(self, name):
        deployment = DEPLOYMENTS[name]
        accepted = inspect.signature(flow_of(deployment["entrypoint"]).fn).parameters
        assert set(deployment.get("parameters") or {}) <= set(accepted)
        assert deployment["work_pool"]["name"] == "temuship"
        for trigger in deployment.get("triggers", []):
            assert set(trigger["parameters"]) <= set(accepted)

    def test_the_shops_runs_wait_in_their_own_queue_behind_the_turns(self):
        queues = {name: d["work_pool"]["work_queue_name"] for name, d in DEPLOYMENTS.items()}
        assert queues.pop("one-shop") == "shops"
        assert set(queues.values()) == {"default"}

    def test_the_scheduled_ones_are_the_sync_the_watch_and_the_sweep(self):
        scheduled = {
            name: d["schedules"][0] for name, d in DEPLOYMENTS.items() if d.get("schedules")
        }
        assert scheduled["every-10-minutes"]["interval"] == 600
        assert set(scheduled) == {"every-10-minutes", "daily", "daily-sweep", "hourly"}
        assert scheduled["hourly"]["cron"] == "15 * * * *"
        assert DEPLOYMENTS["hourly"]["parameters"] == {"horizon_hours": 24}
        assert DEPLOYMENTS["daily-sweep"]["parameters"] == {"days": 2}

    @pytest.mark.parametrize("name", sorted(DEPLOYMENTS))
    def test_every_parameter_has_help_text_in_the_run_form(self, name):
        # Prefect reads the flow docstring's `Args:` into the deployment's parameter schema,
        # which the UI's run form shows under each field.
        flow = flow_of(DEPLOYMENTS[name]["entrypoint"])
        properties = parameter_schema(flow).model_dump()["properties"]
        assert properties
        assert not [p for p, field in properties.items() if not field.get("description")]

    @pytest.mark.parametrize("name", sorted(DEPLOYMENTS))
    def test_no_flow_takes_a_token_or_a_secret_as_a_parameter(self, name):
        accepted = inspect.signature(flow_of(DEPLOYMENTS[name]["entrypoint"]).fn).parameters
        assert not [p for p in accepted if "token" in p or "secret" in p or "key" in p]


def test_each_expired_event_of_a_shop_starts_a_reauthorize_run_for_that_shop():
    spec = dict(DEPLOYMENTS["on-token-expired"]["triggers"][0])
    trigger = DeploymentEventTrigger(**spec)
    deployment_id = reauthorize.to_deployment(
        name=f"trigger-test-{uuid.uuid4().hex[:6]}", triggers=[trigger]
    ).apply()
    shop_id = f"shop-{uuid.uuid4().hex[:6]}"

    PrefectEvents().emit("temuship.token.expired", shop_id, {"shop": shop_id, "by": "api"})
    PrefectEvents().emit("temuship.token.expired", shop_id, {"shop": shop_id, "by": "api"})

    def runs() -> list[Any]:
        only = DeploymentFilter(id=DeploymentFilterId(any_=[deployment_id]))
        with get_client(sync_client=True) as client:
            return list(client.read_flow_runs(deployment_filter=only))

    found = wait_until("a run per announcement", lambda: len(runs()) == 2 and runs(), 30)
    # No throttle: a second expiry within the hour starts a run too (it ends at once while
    # another run of the shop waits: tests/flows/test_reauthorize.py).
    assert [run.parameters for run in found] == [{"shop_id": shop_id}] * 2
    # Nothing more comes of the two: an expiry announced after them has its run, and the
    # shop still has two.
    marker = f"marker-{uuid.uuid4().hex[:6]}"
    PrefectEvents().emit("temuship.token.expired", marker, {"shop": marker, "by": "api"})
    wait_until("the later announcement's run", lambda: len(runs()) == 3, 30)
    assert sorted(run.parameters["shop_id"] for run in runs()) == sorted([shop_id] * 2 + [marker])
