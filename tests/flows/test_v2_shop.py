"""A ShipStation V2 shop through the other flows: the two-day sweep, a window resync, reruns
(a resend sends the shipment whole again), the ship-by watch over labels read through V2, and
the shop's dashboard saying which API it speaks."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest

from adapters.sandbox.launcher import Sandbox
from adapters.sandbox.shipstation.v2.account import DEMO_V2_API_KEY
from domain.model import order_key
from domain.secrets import Secret
from domain.shop import Shop, v2_credentials
from domain.usecases import ship_by
from domain.usecases.shops import connect
from flows import wiring
from flows.maintenance import reconcile, rerun_orders, resync_window
from flows.ship_by_watch import ship_by_watch
from flows.sync import sync_shop
from tests.flows.flow_support import World, result_of, services_for
from tests.flows.test_maintenance import DAY, updated_ago
from tests.flows.test_reauthorize import latest_markdown


@pytest.fixture
def v2(sandbox: Sandbox, database_url: str) -> Iterator[World]:
    """A shop connected with the sandbox's V2 key (its name short enough for V2's keys)."""
    world = services_for(sandbox, database_url, f"v2-{uuid.uuid4().hex[:8]}")
    account = v2_credentials(Secret(DEMO_V2_API_KEY), base_url=sandbox.shipstation_url)
    with wiring.using(world.services):
        shop = Shop(world.shop_id, sandbox.temu_credentials(), account, world.services.clock.now())
        connect(world.services, shop)
        yield world


def v2_writes(world: World) -> dict[str, int]:
    """The V2 writes the simulated ShipStation took, by kind (`POST /v2/shipments`, `PUT`...)."""
    kinds: dict[str, int] = {}
    for call, n in world.sandbox.shipstation.counters.calls.items():
        method, path = call.split(" ", 1)
        if path.startswith("/v2/") and method != "GET":
            kind = "PUT /v2/shipments/{id}" if method == "PUT" else call
            kinds[kind] = kinds.get(kind, 0) + n
    return kinds


def test_a_v2_sync_sends_shipments_once_and_the_dashboard_says_v2(v2: World):
    result_of(sync_shop, v2.shop_id)
    created = v2_writes(v2)
    assert created.get("POST /v2/shipments") and "POST /orders/createorders" not in str(
        v2.sandbox.shipstation.counters.calls
    )
    result_of(sync_shop, v2.shop_id)
    assert v2_writes(v2) == created
    board = latest_markdown(f"shop-{v2.shop_id}")
    assert f"| **ShipStation** | V2, warehouse {v2.shop().shipstation.warehouse_id} |" in board


def test_the_sweep_and_a_window_resync_import_what_the_cursor_missed(v2: World):
    result_of(sync_shop, v2.shop_id)
    missed = updated_ago(v2, DAY, seed=51)
    older = updated_ago(v2, 3 * DAY, seed=52)
    result_of(sync_shop, v2.shop_id)
    assert not v2.in_shipstation(missed) and not v2.in_shipstation(older)

    (swept,) = result_of(reconcile, shop_ids=[v2.shop_id], days=2)
    assert swept["status"] == "ok" and v2.in_shipstation(missed)
    assert not v2.in_shipstation(older)

    now = v2.services.clock.now()
    window = result_of(
        resync_window, v2.shop_id, since=now - timedelta(days=4), until=now - timedelta(days=2)
    )
    assert window["status"] == "ok" and v2.in_shipstation(older)


def test_a_rerun_sends_nothing_unchanged_and_a_resend_puts_the_shipment_whole(v2: World):
    result_of(sync_shop, v2.shop_id)
    known = next(k.removeprefix(f"temu-{v2.shop_id}-") for k in v2.sandbox.shipstation.orders)
    before = v2_writes(v2)

    plain = result_of(rerun_orders, v2.shop_id, [known])
    assert plain["status"] == "ok" and v2_writes(v2) == before

    v2.sandbox.shipstation.orders[order_key(v2.shop_id, known)]["internalNotes"] = "edited"
    resent = result_of(rerun_orders, v2.shop_id, [known], resend=True)
    assert resent["counts"]["pushed"] == 1
    after = v2_writes(v2)
    assert after.get("PUT /v2/shipments/{id}", 0) == before.get("PUT /v2/shipments/{id}", 0) + 1
    assert after.get("POST /v2/shipments") == before.get("POST /v2/shipments")  # not made again
    assert v2.sandbox.shipstation.orders[order_key(v2.shop_id, known)]["internalNotes"] != "edited"


def test_the_ship_by_watch_lists_an_order_until_its_v2_label_is_read(v2: World):
    (sn,) = v2.new_awaiting_orders(1, seed=61)  # Temu's ship-by: two days from now
    result_of(sync_shop, v2.shop_id)
    (watched,) = result_of(ship_by_watch, horizon_hours=72, shop_ids=[v2.shop_id])
    assert sn in watched["announced"]

    assert sn in at_risk(v2)

    v2.sandbox.shipstation.create_labels(order_key(v2.shop_id, sn))
    outcome = result_of(sync_shop, v2.shop_id)
    assert outcome["counts"]["confirmed"] == 1
    (after,) = result_of(ship_by_watch, horizon_hours=72, shop_ids=[v2.shop_id])
    assert after["at_risk"] == watched["at_risk"] - 1 and sn not in at_risk(v2)


def at_risk(world: World) -> list[str]:
    report = ship_by.watch_shop(world.services, world.shop_id, 72)
    return [risk.parent_order_sn for risk in report.orders]
