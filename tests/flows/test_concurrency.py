"""Never two syncs of one shop at once (the database lock): one skips or waits, no duplicates.
SQLite, and PostgreSQL when TEMUSHIP_TEST_DATABASE_URL is set."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from flows import wiring
from flows.maintenance import rerun_orders
from flows.sandbox import Sandbox
from flows.sync import sync_shop
from tests.flows.flow_support import (
    World,
    connect_shop,
    in_thread,
    outcome,
    services_for,
    wait_until,
)


@pytest.fixture
def shared(sandbox: Sandbox, any_database_url: str) -> Iterator[World]:
    world = services_for(sandbox, any_database_url, f"shop-{uuid.uuid4().hex[:8]}")
    with wiring.using(world.services):
        connect_shop(world)
        yield world
    with world.services.uow() as uow:  # the database may be shared: leave the shop inert
        shop = uow.shops.get(world.shop_id)
        if shop is not None:
            shop.paused_reason = "test finished: its sandbox is gone"
            uow.shops.save(shop)
            uow.commit()


def hold_the_lock_a_while(world: World) -> None:
    """The next two Temu answers take 1.5 s each: the first sync holds the lock meanwhile."""
    world.sandbox.temu.inject("slow", count=2, delay=1.5)


def first_sync_inside_its_lock(world: World) -> None:
    temu = world.sandbox.temu
    wait_until("the first sync to reach Temu", lambda: not temu.faults or temu.faults[0].seen)


def test_two_syncs_started_together_one_skips_and_nothing_is_sent_twice(shared: World):
    hold_the_lock_a_while(shared)
    first = in_thread(lambda: sync_shop(shared.shop_id))
    first_sync_inside_its_lock(shared)
    second = sync_shop(shared.shop_id)
    one = outcome(*first)

    assert sorted([one["status"], second["status"]]) == ["ok", "skipped"]
    assert second["reason"] == "another sync of this shop is running"
    pushed = one["counts"]["pushed"]
    assert pushed > 0 and shared.createorders_calls() == one["counts"]["push_calls"]
    mine = [k for k in shared.sandbox.shipstation.orders if k.startswith(f"temu-{shared.shop_id}-")]
    assert len(mine) == pushed


def recorded(world: World) -> list[str]:
    """Record who holds the real lock: 'in'/'out' per holder, 'busy' per refused attempt."""
    real, log = world.services.shop_lock, []

    @contextmanager
    def lock(shop_id: str) -> Iterator[bool]:
        with real(shop_id) as acquired:
            log.append("in" if acquired else "busy")
            try:
                yield acquired
            finally:
                if acquired:
                    log.append("out")

    world.services.shop_lock = lock
    return log


def test_a_rerun_started_during_a_sync_waits_for_it_then_runs(shared: World):
    sync_shop(shared.shop_id)
    log = recorded(shared)
    known = next(iter(shared.sandbox.shipstation.orders)).removeprefix(f"temu-{shared.shop_id}-")
    hold_the_lock_a_while(shared)
    running = in_thread(lambda: sync_shop(shared.shop_id))
    first_sync_inside_its_lock(shared)

    rerun = rerun_orders(shared.shop_id, [known], wait_for_lock_seconds=60)

    assert outcome(*running)["status"] == "ok"
    assert rerun["status"] == "ok" and rerun["counts"]["orders_seen"] == 1
    assert log[0] == "in" and log[-2:] == ["in", "out"] and "busy" in log
    assert "".join(x[0] for x in log if x != "busy") == "ioio"  # never two holders at once
