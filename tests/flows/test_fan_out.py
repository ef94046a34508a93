"""The fan-out of `sync-all-shops`: one `sync-shop/one-shop` run per shop with the shop's
parameters, a shop whose run is still in flight skipped and counted, a shop connected later
picked up at the next turn; without the one-shop deployment, the shops sync in the run.

The test server has no worker here, so every started run stays Scheduled: in flight."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId
from prefect.client.schemas.objects import StateType
from prefect.exceptions import ObjectNotFound

from domain.usecases.reports import shop_status
from flows.fan_out import ONE_SHOP
from flows.sync import RunOutcome, sync_all_shops, sync_shop
from tests.flows.flow_support import World, connect_shop


def _delete_one_shop() -> None:
    with get_client(sync_client=True) as client, contextlib.suppress(ObjectNotFound):
        client.delete_deployment(client.read_deployment_by_name(ONE_SHOP).id)


@pytest.fixture
def one_shop() -> Iterator[Any]:
    """The one-shop deployment, as `prefect deploy` or `temuship serve` registers it."""
    _delete_one_shop()
    deployment_id = sync_shop.to_deployment(name="one-shop").apply()
    yield deployment_id
    _delete_one_shop()


def runs_of(deployment_id: Any) -> dict[str, list[Any]]:
    """shop -> the one-shop runs started for it."""
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(
            deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment_id]))
        )
    found: dict[str, list[Any]] = {}
    for run in runs:
        found.setdefault(run.parameters["shop_id"], []).append(run)
    return found


def turn(**options: Any) -> tuple[StateType, dict[str, Any]]:
    state = sync_all_shops(one_run_per_shop=True, return_state=True, **options)
    return state.type, state.result()


def another_shop(world: World) -> str:
    """Another shop (its own Temu mall) in the same database."""
    shop_id = f"shop-{uuid.uuid4().hex[:8]}"
    token = f"upl{uuid.uuid4().hex}"
    temu = world.sandbox.temu
    temu.add_token(token, mall_id=temu.mall_id + 1 + len(temu.tokens))
    connect_shop(replace(world, shop_id=shop_id), access_token=token)
    return shop_id


class TestFanOut:
    def test_starts_one_run_per_shop_skips_a_shop_in_flight_and_picks_up_a_new_shop(
        self, world: World, one_shop: Any
    ):
        second = another_shop(world)
        kind, first = turn()
        assert kind is StateType.COMPLETED
        assert (first["started"], first["skipped"], first["failed"]) == (2, 0, 0)
        runs = runs_of(one_shop)
        assert sorted(runs) == sorted([world.shop_id, second])
        for shop_id, started in runs.items():
            assert [run.parameters for run in started] == [{"shop_id": shop_id}]
            assert started[0].state_type is StateType.SCHEDULED
        assert not world.sandbox.shipstation.orders, "the fan-out synced a shop itself"

        kind, again = turn()
        assert kind is StateType.COMPLETED  # a skip is counted, not a failure
        assert (again["started"], again["skipped"]) == (0, 2)
        assert sorted(again["skipped_shops"]) == sorted([world.shop_id, second])
        assert all(len(started) == 1 for started in runs_of(one_shop).values())
        assert shop_status(world.services, second)["turns_skipped_since"] is not None

        third = another_shop(world)
        _, later = turn()
        assert (later["started"], later["skipped"]) == (1, 2)
        assert list(later["runs"]) == [third]
        assert [run.parameters for run in runs_of(one_shop)[third]] == [{"shop_id": third}]

    def test_passes_since_to_each_run(self, world: World, one_shop: Any):
        since = datetime(2026, 11, 1, tzinfo=UTC)
        _, result = turn(since=since)
        assert result["started"] == 1
        (run,) = runs_of(one_shop)[world.shop_id]
        assert datetime.fromisoformat(run.parameters["since"]) == since

    def test_without_the_one_shop_deployment_the_shops_sync_in_the_run(self, world: World):
        _delete_one_shop()
        state = sync_all_shops(one_run_per_shop=True, return_state=True)
        results = state.result(raise_on_failure=False)
        if isinstance(results, RunOutcome):  # Failed: the sandbox's orders are due to ship
            results = results.summary
        assert [r["shop"] for r in results] == [world.shop_id]
        assert results[0]["status"] == "ok" and world.sandbox.shipstation.orders
