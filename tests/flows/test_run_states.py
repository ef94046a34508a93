"""Honest run states: a sync run ends Completed (green in the Prefect UI) only when nothing
needs a person; a paused shop, or work left for a person, ends in a Failed-type state named
after what happened, its result still the summary; `temuship sync` keeps its exit codes."""

from __future__ import annotations

from typing import Any

import pytest
from prefect.client.schemas.objects import StateType

from adapters.sandbox.temu.state import DEMO_ACCESS_TOKEN
from flows.cli.sync import do_sync
from flows.sync import RunOutcome, summary_of, sync_all_shops, sync_shop
from tests.flows.flow_support import World

OPEN = (1, 2, 41, 51)


def nothing_due(world: World) -> None:
    """Every open order's ship-by time a week away: the shop leaves no work for a person."""
    temu = world.sandbox.temu
    with temu.lock:
        for order in temu.orders.values():
            if order.status in OPEN:
                order.ship_by = temu.clock.seconds() + 7 * 86_400


def ended(state: Any) -> tuple[StateType, str, Any]:
    """The run's state type and name, and the summary its result carries."""
    found = state.result(raise_on_failure=False)
    return state.type, state.name, found.summary if isinstance(found, RunOutcome) else found


class TestOneShop:
    def test_a_sync_that_leaves_nothing_for_a_person_is_completed(self, world: World):
        nothing_due(world)
        kind, name, result = ended(sync_shop(world.shop_id, return_state=True))
        assert (kind, name) == (StateType.COMPLETED, "Completed")
        assert result["status"] == "ok" and result["needs_person"] == 0

    def test_a_sync_that_leaves_work_for_a_person_is_failed_and_says_so(self, world: World):
        kind, name, result = ended(sync_shop(world.shop_id, return_state=True))
        assert result["status"] == "ok" and result["needs_person"] > 0  # orders due to ship
        assert (kind, name) == (StateType.FAILED, "Needs a person")

    def test_a_sync_that_finds_its_shop_paused_is_failed_and_its_summary_stays_readable(
        self, world: World
    ):
        nothing_due(world)
        sync_shop(world.shop_id, return_state=True)
        world.sandbox.temu.expire_token(DEMO_ACCESS_TOKEN)
        for _ in range(2):  # the expiry found, then the shop found paused by the gate
            state = sync_shop(world.shop_id, return_state=True)
            kind, name, result = ended(state)
            assert (kind, name) == (StateType.FAILED, "Shop paused")
            assert result["status"] == "paused" and result["needs_person"] == 1
            assert result["items"][0]["kind"] == "shop_paused"
            assert summary_of(world.shop_id, state) == result
            assert "the shop is paused" in str(state.message)
        with pytest.raises(RunOutcome, match="the shop is paused") as raised:
            sync_shop(world.shop_id)  # called directly, a red run raises its outcome
        assert raised.value.summary["status"] == "paused"


class TestEveryShop:
    def test_a_run_over_every_shop_with_a_paused_one_is_failed_and_lists_every_summary(
        self, world: World
    ):
        nothing_due(world)
        first = sync_all_shops(shop_ids=[world.shop_id], return_state=True)
        assert (first.type, first.name) == (StateType.COMPLETED, "Completed")
        world.sandbox.temu.expire_token(DEMO_ACCESS_TOKEN)
        state = sync_all_shops(shop_ids=[world.shop_id], return_state=True)
        kind, name, results = ended(state)
        assert (kind, name) == (StateType.FAILED, "Shop paused")
        assert [r["status"] for r in results] == ["paused"]


class TestExitCodes:
    def test_sync_exits_0_for_a_done_run_even_with_items_for_a_person_and_1_when_paused(
        self, world: World
    ):
        assert do_sync(world.services, [world.shop_id], None, as_json=True) == 0
        world.sandbox.temu.expire_token(DEMO_ACCESS_TOKEN)
        assert do_sync(world.services, [world.shop_id], None, as_json=True) == 1
