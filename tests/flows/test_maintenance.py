"""The repairs started from the UI: the two-day sweep, a time window, named orders."""

from __future__ import annotations

from datetime import timedelta

from domain.model import order_key
from flows.maintenance import reconcile, rerun_orders, resync_window
from flows.sync import run_sync_shop
from tests.flows.flow_support import World, result_of

DAY = 86_400


def updated_ago(world: World, seconds: int, seed: int) -> str:
    """An awaiting order Temu last updated `seconds` ago: behind the incremental cursor."""
    (sn,) = world.new_awaiting_orders(1, seed=seed)
    order = world.sandbox.temu.orders[sn]
    order.updated_at = world.sandbox.temu.clock.seconds() - seconds
    order.created_at = order.updated_at - 60
    return sn


def test_the_sweep_imports_what_the_cursor_missed_and_moves_no_cursor_back(world: World):
    run_sync_shop(world.shop_id)
    missed = updated_ago(world, DAY, seed=31)
    run_sync_shop(world.shop_id)
    assert not world.in_shipstation(missed)
    before = world.cursors()

    (result,) = result_of(reconcile, shop_ids=[world.shop_id], days=2)

    assert result["status"] == "ok" and world.in_shipstation(missed)
    after = world.cursors()
    assert after[0] >= before[0] and after[1] >= before[1]


def test_a_window_resync_reads_that_window_only_and_keeps_the_cursor(world: World):
    run_sync_shop(world.shop_id)
    inside, outside = updated_ago(world, 3 * DAY, seed=41), updated_ago(world, DAY, seed=42)
    temu_cursor = world.cursors()[0]
    now = world.services.clock.now()

    result = result_of(
        resync_window, world.shop_id, since=now - timedelta(days=4), until=now - timedelta(days=2)
    )

    assert result["status"] == "ok"
    assert world.in_shipstation(inside) and not world.in_shipstation(outside)
    assert world.cursors()[0] == temu_cursor


def test_a_rerun_reads_named_orders_and_resends_only_when_asked(world: World):
    run_sync_shop(world.shop_id)
    known = next(k.removeprefix(f"temu-{world.shop_id}-") for k in world.sandbox.shipstation.orders)
    unknown = "PO-211-99999999999999999"
    cursors, calls = world.cursors(), world.createorders_calls()

    plain = result_of(rerun_orders, world.shop_id, [known, unknown])
    assert plain["counts"].get("pushed", 0) == 0 and world.createorders_calls() == calls
    assert ["not_found", unknown, "Temu has no order with this number"] in plain["attention"]

    resent = result_of(rerun_orders, world.shop_id, [known], resend=True)
    assert resent["counts"]["pushed"] == 1 and world.createorders_calls() == calls + 1
    assert world.sandbox.shipstation.orders[order_key(world.shop_id, known)]
    assert world.cursors()[0] == cursors[0]
