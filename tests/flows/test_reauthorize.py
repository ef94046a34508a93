"""The re-authorisation flow, paused for input and resumed as the UI or the CLI would."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    ArtifactCollectionFilter,
    ArtifactCollectionFilterKey,
)
from prefect.flow_runs import resume_flow_run

from adapters.sandbox.temu.state import DEMO_ACCESS_TOKEN
from domain.token import TokenState
from flows.cli.sync import do_reauthorize
from flows.reauthorize import paused_runs, reauthorize
from flows.sync import run_sync_shop
from tests.flows.flow_support import World, in_thread, outcome, wait_until

WRONG = "upl-never-issued-000000000000000000000000000000000000"


def expire(world: World) -> None:
    assert run_sync_shop(world.shop_id)["status"] == "ok"
    world.sandbox.temu.expire_token(DEMO_ACCESS_TOKEN)
    assert run_sync_shop(world.shop_id)["status"] == "paused"


def waiting_run(world: World, pause_key: str) -> Any:
    def probe() -> Any:
        runs = paused_runs(world.shop_id)
        return next((r for r in runs if r.state.state_details.pause_key == pause_key), None)

    return wait_until(f"a run paused with key {pause_key}", probe)


def stored_inputs(run_id: UUID) -> dict[str, str]:
    with get_client(sync_client=True) as client:
        found = client.filter_flow_run_input(run_id, "paused-", 100, set())
    return {i.key: i.value for i in found}


def latest_markdown(key: str) -> str:
    with get_client(sync_client=True) as client:
        found = client.read_latest_artifacts(
            artifact_filter=ArtifactCollectionFilter(key=ArtifactCollectionFilterKey(any_=[key]))
        )
    assert found, f"no artifact {key}"
    return str(found[0].data)


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

    def test_repeated_expiries_leave_exactly_one_run_waiting_and_no_gap(self, world):
        expire(world)
        thread, box = start(world, catch_up=False, timeout_seconds=20)
        run = waiting_run(world, "token-1-1")

        # The trigger starts a run for every announcement: each later one ends at once.
        for _ in range(2):
            extra = reauthorize(world.shop_id, poll_interval=1)
            assert extra["resumed_by"] is None and run.name in extra["note"]
        # A sync of the paused shop does not ask for another run while one waits.
        world.events.sent.clear()
        assert run_sync_shop(world.shop_id)["status"] == "paused"
        assert not world.events.named("temuship.token.expired")
        assert not world.events.named("temuship.token.reminder")
        assert [r.id for r in paused_runs(world.shop_id)] == [run.id]

        # Nobody answers: the run times out. The next sync asks for a new run (no gap).
        with pytest.raises(Exception, match=r"never resumed|pause|Pause"):
            outcome(thread, box, timeout=60)
        assert not paused_runs(world.shop_id)
        assert run_sync_shop(world.shop_id)["status"] == "paused"
        assert world.events.named("temuship.token.reminder") == [
            {"shop": world.shop_id, "by": "reminder"}
        ]

    def test_an_expiry_soon_after_a_renewal_gets_a_waiting_run_of_its_own(self, world):
        expire(world)
        thread, box = start(world, catch_up=False)
        first = waiting_run(world, "token-1-1")
        renewed = world.sandbox.temu.rotate_token(DEMO_ACCESS_TOKEN)
        resume_flow_run(first.id, run_input={"access_token": renewed})
        assert outcome(thread, box)["resumed_by"] == "form"
        assert not paused_runs(world.shop_id)

        # Minutes later the new token expires too: the sync announces it again (the trigger
        # has no hourly throttle), and the run it starts waits: the first one ended.
        world.sandbox.temu.expire_token(renewed)
        world.events.sent.clear()
        assert run_sync_shop(world.shop_id)["status"] == "paused"
        assert len(world.events.named("temuship.token.expired")) == 1
        thread, box = start(world, catch_up=False)
        second = waiting_run(world, "token-1-1")
        assert second.id != first.id
        extra = reauthorize(world.shop_id, poll_interval=1)  # a duplicate announcement's run
        assert extra["resumed_by"] is None and second.name in extra["note"]
        assert [r.id for r in paused_runs(world.shop_id)] == [second.id]

        again = world.sandbox.temu.rotate_token(renewed)
        resume_flow_run(second.id, run_input={"access_token": again})
        assert outcome(thread, box)["resumed_by"] == "form"
        assert not world.shop().paused and not paused_runs(world.shop_id)

    def test_the_waiting_run_says_what_to_do_and_then_what_happened(self, world):
        expire(world)
        thread, box = start(world)
        run = waiting_run(world, "token-1-1")
        waiting = latest_markdown(f"reauthorize-{world.shop_id}")
        assert f"Shop {world.shop_id} waits for a new Temu token" in waiting
        assert "seller centre" in waiting and "authorise the app again" in waiting
        assert f"temuship reauthorize {world.shop_id} --access-token" in waiting
        assert "TEMU_ACCESS_TOKEN" in waiting
        assert "choose **Resume** in its menu" in waiting
        assert f"/v2/runs/flow-run/{run.id}" in waiting
        dashboard = latest_markdown(f"shop-{world.shop_id}")
        assert "Paused" in dashboard and f"/v2/runs/flow-run/{run.id}" in dashboard

        resume_flow_run(run.id, run_input={})  # an empty answer: allowed, and refused
        waiting_run(world, "token-1-2")
        assert "The last answer had no token**, and the shop has no working token" in (
            latest_markdown(f"reauthorize-{world.shop_id}")
        )
        new_token = world.sandbox.temu.rotate_token(DEMO_ACCESS_TOKEN)
        resume_flow_run(run.id, run_input={"access_token": new_token})
        assert outcome(thread, box)["resumed_by"] == "form"
        done = latest_markdown(f"reauthorize-{world.shop_id}")
        assert "is running again" in done and "Catch-up sync:** done" in done
        assert new_token not in done
        dashboard = latest_markdown(f"shop-{world.shop_id}")
        assert "**Syncing: orders go from Temu" in dashboard and "active" in dashboard
        assert float(latest_markdown(f"sync-progress-{world.shop_id}")) == 100.0  # the catch-up

    def test_a_run_started_for_an_active_shop_ends_at_once(self, world):
        result = reauthorize(world.shop_id)
        assert result["resumed_by"] is None and "active" in result["note"]
        assert world.token().state is TokenState.ACTIVE
