"""A token that expires in the middle of a sync: the shop pauses at once, cursors stay put,
one event."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.sandbox.temu.state import DEMO_ACCESS_TOKEN
from domain.token import TokenState
from flows.sync import run_sync_shop
from tests.flows.flow_support import World, fast_temu


class ExpiringMidway:
    """The real client, listing 5 orders a page; Temu expires the token before page `at`
    (pages counted across the run's steps: it is the run's `temu_for`)."""

    def __init__(self, world: World, at: int) -> None:
        self.inner: Any = None
        self.world, self.at, self.pages = world, at, 0

    def __call__(self, shop: Any) -> ExpiringMidway:
        self.inner = fast_temu(shop)
        return self

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def list_orders(self, window, page, *, status=None, page_size=100, then=None):
        self.pages += 1
        if self.pages == self.at:
            self.world.sandbox.temu.expire_token(DEMO_ACCESS_TOKEN)
        return self.inner.list_orders(window, page, status=status, page_size=5, then=then)


@pytest.mark.parametrize("answer", ["code", "http401"])
def test_an_expiry_mid_sync_pauses_the_shop_with_the_cursors_intact(world: World, answer):
    assert run_sync_shop(world.shop_id)["status"] == "ok"
    cursors, calls = world.cursors(), world.createorders_calls()
    touched = world.new_awaiting_orders(12, seed=3)
    world.sandbox.temu.set_expiry_mode(answer)
    world.services.temu_for = ExpiringMidway(world, at=3)

    result = run_sync_shop(world.shop_id)

    assert result["status"] == "paused" and "expired" in result["reason"]
    assert result["counts"]["orders_seen"] == 10  # two pages of five, then the expiry
    assert world.cursors() == cursors
    assert world.createorders_calls() == calls  # nothing more sent for the shop
    assert not any(world.in_shipstation(sn) for sn in touched)
    assert world.shop().paused and world.token().state is TokenState.EXPIRED
    assert world.events.named("temuship.token.expired") == [
        {"shop": world.shop_id, "by": "api", "code": 3000034 if answer == "code" else 401}
    ]


def test_later_syncs_of_a_paused_shop_send_nothing_and_emit_no_second_event(world: World):
    run_sync_shop(world.shop_id)
    world.sandbox.temu.expire_token(DEMO_ACCESS_TOKEN)
    world.new_awaiting_orders(3, seed=4)
    first = run_sync_shop(world.shop_id)
    calls = world.createorders_calls()
    again = run_sync_shop(world.shop_id)
    assert first["status"] == again["status"] == "paused"
    assert "paused" in again["reason"] and world.createorders_calls() == calls
    assert len(world.events.named("temuship.token.expired")) == 1
