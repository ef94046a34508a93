"""Never two syncs of one shop at once (the database lock): one skips or waits, no duplicates.
SQLite, and PostgreSQL when TEMUSHIP_TEST_DATABASE_URL is set."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from adapters.sandbox.launcher import Sandbox
from flows import wiring
from flows.maintenance import rerun_orders
from flows.sync import run_sync_shop
from tests.flows.flow_support import (
    World,
    connect_shop,
    in_thread,
    outcome,
    result_of,
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


def test_two_syncs_started_together_one_skips_and_nothing_is_sent_twice(shared: World):
    second_refused = threading.Event()
    log = recorded(shared, on_busy=second_refused.set)
    make_temu = shared.services.temu_for
    shared.services.temu_for = lambda shop: HeldTemu(make_temu(shop), second_refused)
    first = in_thread(lambda: run_sync_shop(shared.shop_id))
    wait_until("the first sync to hold the lock", lambda: "in" in log)
    second = run_sync_shop(shared.shop_id)
    one = outcome(*first)

    assert sorted([one["status"], second["status"]]) == ["ok", "skipped"]
    assert second["reason"] == "another sync of this shop is running"
    pushed = one["counts"]["pushed"]
    assert pushed > 0 and shared.createorders_calls() == one["counts"]["push_calls"]
    mine = [k for k in shared.sandbox.shipstation.orders if k.startswith(f"temu-{shared.shop_id}-")]
    assert len(mine) == pushed


class HeldTemu:
    """The first sync's Temu reads wait until the rerun has found the lock taken."""

    def __init__(self, inner: Any, released: threading.Event) -> None:
        self.inner, self.released = inner, released

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def list_orders(self, *args: Any, **kwargs: Any) -> Any:
        self.released.wait(60)
        return self.inner.list_orders(*args, **kwargs)


def recorded(world: World, on_busy: Callable[[], None] = lambda: None) -> list[str]:
    """Record who holds the real lock: 'in'/'out' per holder, 'busy' per refused attempt."""
    real, log = world.services.shop_lock, []

    @contextmanager
    def lock(shop_id: str) -> Iterator[bool]:
        with real(shop_id) as acquired:
            log.append("in" if acquired else "busy")
            if not acquired:
                on_busy()
            try:
                yield acquired
            finally:
                if acquired:
                    log.append("out")

    world.services.shop_lock = lock
    return log


def test_a_rerun_started_during_a_sync_waits_for_it_then_runs(shared: World):
    run_sync_shop(shared.shop_id)
    rerun_tried = threading.Event()
    log = recorded(shared, on_busy=rerun_tried.set)
    known = next(iter(shared.sandbox.shipstation.orders)).removeprefix(f"temu-{shared.shop_id}-")
    make_temu = shared.services.temu_for
    shared.services.temu_for = lambda shop: HeldTemu(make_temu(shop), rerun_tried)
    running = in_thread(lambda: run_sync_shop(shared.shop_id))
    wait_until("the first sync to hold the lock", lambda: "in" in log)

    rerun = result_of(rerun_orders, shared.shop_id, [known], wait_for_lock_seconds=60)

    assert outcome(*running)["status"] == "ok"
    assert rerun["status"] == "ok" and rerun["counts"]["orders_seen"] == 1
    assert log[0] == "in" and log[-2:] == ["in", "out"] and "busy" in log
    assert "".join(x[0] for x in log if x != "busy") == "ioio"  # never two holders at once
