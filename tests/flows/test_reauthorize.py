"""The re-authorisation flow, paused for input and resumed as the UI or the CLI would."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from prefect.client.orchestration import get_client
from prefect.flow_runs import resume_flow_run

from adapters.sandbox.temu.state import DEMO_ACCESS_TOKEN
from domain.token import TokenState
from flows.cli.sync import do_reauthorize
from flows.reauthorize import paused_runs, reauthorize
from flows.sync import sync_shop
from tests.flows.flow_support import World, in_thread, outcome, wait_until

WRONG = "upl-never-issued-000000000000000000000000000000000000"


def expire(world: World) -> None:
    assert sync_shop(world.shop_id)["status"] == "ok"
    world.sandbox.temu.expire_token(DEMO_ACCESS_TOKEN)
    assert sync_shop(world.shop_id)["status"] == "paused"


def waiting_run(world: World, pause_key: str) -> Any:
    def probe() -> Any:
        runs = paused_runs(world.shop_id)
        return next((r for r in runs if r.state.state_details.pause_key == pause_key), None)

    return wait_until(f"a run paused with key {pause_key}", probe)


def stored_inputs(run_id: UUID) -> dict[str, str]:
    with get_client(sync_client=True) as client:
        found = client.filter_flow_run_input(run_id, "paused-", 100, set())
    return {i.key: i.value for i in found}


def start(world: World, **params: Any) -> tuple[Any, dict[str, Any]]:
    return in_thread(lambda: reauthorize(world.shop_id, poll_interval=1, **params))


class TestReauthorize:
    def test_a_wrong_token_is_refused_then_a_new_one_resumes_and_catches_up(self, world):
        expire(world)
        created_while_paused = world.new_awaiting_orders(7, seed=21)
        thread, box = start(world)

        run = waiting_run(world, "token-1-1")
        resume_flow_run(run.id, run_input={"access_token": WRONG})
        waiting_run(world, "token-1-2")
        assert world.shop().paused
        assert world.token().state is TokenState.REAUTHORIZING

        new_token = world.sandbox.temu.rotate_token(DEMO_ACCESS_TOKEN)
        resume_flow_run(run.id, run_input={"access_token": new_token})
        result = outcome(thread, box)

        assert result["resumed_by"] == "form" and result["catch_up"]["status"] == "ok"
        assert all(world.in_shipstation(sn) for sn in created_while_paused)
        assert not world.shop().paused and world.token().state is TokenState.ACTIVE
        stored = stored_inputs(run.id)
        assert "paused-token-1-2-schema" in stored  # the form is still described...
        assert not [key for key in stored if key.endswith("-response")]  # ...its answers gone
        assert new_token not in str(stored) and WRONG not in str(stored)
        assert new_token not in str(result)

    def test_the_cli_completes_a_waiting_run_without_sending_it_the_token(self, world):
        expire(world)
        thread, box = start(world, catch_up=False)
        run = waiting_run(world, "token-1-1")
        new_token = world.sandbox.temu.rotate_token(DEMO_ACCESS_TOKEN)

        assert do_reauthorize(world.services, world.shop_id, new_token, catch_up=False) == 0
        assert outcome(thread, box) == {"shop": world.shop_id, "resumed_by": "cli"}
        assert new_token not in str(stored_inputs(run.id))
        assert not world.shop().paused

    def test_a_run_started_for_an_active_shop_ends_at_once(self, world):
        result = reauthorize(world.shop_id)
        assert result["resumed_by"] is None and "active" in result["note"]
        assert world.token().state is TokenState.ACTIVE
