"""The daily token watch under Prefect: a warning once per threshold, then expiry by the clock."""

from __future__ import annotations

import json
from datetime import timedelta

from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactCollectionFilter, ArtifactCollectionFilterKey

from domain.token import TokenState
from flows.token_watch import token_watch
from tests.flows.flow_support import World


def watch_at(world: World, days_before_expiry: float, **params) -> list[dict]:
    world.clock.at = world.token().expires_at - timedelta(days=days_before_expiry)
    return token_watch(**params)


def row_of(world: World, rows: list[dict]) -> dict:
    return next(r for r in rows if r["shop"] == world.shop_id)


class TestTokenWatch:
    def test_warns_once_at_14_7_3_and_1_days_then_pauses_the_shop_at_expiry(self, world):
        for days in (20, 13.9, 13, 6.9, 6, 2.9, 0.9, 0.5):
            watch_at(world, days)
        thresholds = [p["threshold"] for p in world.events.named("temuship.token.expiring")]
        assert thresholds == [14, 7, 3, 1]
        assert not world.events.named("temuship.token.expired")
        assert world.token().state is TokenState.EXPIRING and not world.shop().paused

        rows = watch_at(world, -0.1)
        watch_at(world, -1)
        assert world.events.named("temuship.token.expired") == [
            {"shop": world.shop_id, "by": "clock"}
        ]
        assert row_of(world, rows)["state"] == "expired"
        assert world.token().state is TokenState.EXPIRED
        assert "expired" in (world.shop().paused_reason or "")

    def test_the_warning_window_is_a_parameter(self, world):
        rows = watch_at(world, 29, warning_days=[30])
        assert [p["threshold"] for p in world.events.named("temuship.token.expiring")] == [30]
        assert row_of(world, rows)["warning"] == "30 days"

    def test_the_artifact_shows_days_left_per_shop_and_no_secret(self, world):
        watch_at(world, 6.5)
        with get_client(sync_client=True) as client:
            found = client.read_latest_artifacts(
                artifact_filter=ArtifactCollectionFilter(
                    key=ArtifactCollectionFilterKey(any_=["token-watch"])
                )
            )
        assert found, "no token-watch artifact"
        latest = found[0]
        table = json.loads(latest.data) if isinstance(latest.data, str) else latest.data
        mine = next(r for r in table if r["shop"] == world.shop_id)
        assert mine["warning"] == "7 days" and mine["days_left"] == 6.5
        assert "upl" not in json.dumps(table)  # the sandbox's tokens all start with upl
