"""Two import rules against the sandbox over HTTP, on every database: an order first seen
shipped arrives in ShipStation as shipped in one write; a held order is imported when Temu
releases its address even though Temu did not move its update time."""

from __future__ import annotations

import random

from adapters.sandbox.launcher import Sandbox
from adapters.sandbox.temu.seed import make_address
from tests.integration.sync.sync_helpers import Cli, createorders_calls, ss_status


def sync_ok(cli: Cli, shop: str) -> dict[str, int]:
    (result,) = cli.json("sync", shop)
    assert result["status"] == "ok", result
    return result["counts"]


class TestFirstSeenShipped:
    def test_an_order_first_seen_shipped_with_a_ship_to_is_imported_as_shipped_in_one_write(
        self, cli: Cli, sandbox: Sandbox, shop: str
    ):
        (sn,) = sandbox.temu.seed_orders(1, seed=41)
        with sandbox.temu.lock:
            sandbox.temu.orders[sn].address = make_address(random.Random(1), 1)
            sandbox.temu.set_status(sn, 4)
        sync_ok(cli, shop)
        assert ss_status(sandbox, shop, sn) == "shipped"
        assert createorders_calls(sandbox) == 1
        calls = createorders_calls(sandbox)
        assert sync_ok(cli, shop)["pushed"] == 0 and createorders_calls(sandbox) == calls

    def test_an_order_first_seen_cancelled_is_recorded_and_not_imported(
        self, cli: Cli, sandbox: Sandbox, shop: str
    ):
        (sn,) = sandbox.temu.seed_orders(1, seed=42)
        sandbox.temu.set_status(sn, 3)
        sync_ok(cli, shop)
        assert ss_status(sandbox, shop, sn) is None
        (entry, *_) = cli.json("history", sn)
        assert entry["to"] == "cancelled"


class TestHeldOrders:
    def test_a_held_order_is_imported_when_its_address_arrives_without_a_new_update_time(
        self, cli: Cli, sandbox: Sandbox, shop: str
    ):
        (sn,) = sandbox.temu.seed_orders(1, seed=43)
        with sandbox.temu.lock:
            sandbox.temu.orders[sn].address = None
            sandbox.temu.set_status(sn, 2)
            sandbox.temu.orders[sn].updated_at -= 3 * 86400  # outside every later window
        sync_ok(cli, shop)  # the first sync's backfill reads it: held, no ship-to
        assert ss_status(sandbox, shop, sn) is None
        updated = sandbox.temu.orders[sn].updated_at
        with sandbox.temu.lock:  # Temu releases the address without touching updateTime
            sandbox.temu.orders[sn].address = make_address(random.Random(2), 1)
        sync_ok(cli, shop)
        assert sandbox.temu.orders[sn].updated_at == updated
        assert ss_status(sandbox, shop, sn) == "awaiting_shipment"


class TestShipmentAudit:
    def test_a_confirmation_keeps_the_labels_carrier_service_and_cost_for_history_and_status(
        self, cli: Cli, sandbox: Sandbox, shop: str
    ):
        from domain.model import order_key
        from tests.integration.sync.sync_helpers import seed_awaiting

        (sn,) = seed_awaiting(sandbox, 1, seed=44)
        sync_ok(cli, shop)
        (label,) = sandbox.shipstation.create_labels(order_key(shop, sn))
        sync_ok(cli, shop)
        notes = [
            e["reason"] or "" for e in cli.json("history", sn) if e["event"] == "label_created"
        ]
        assert any(label["carrierCode"] in n and "5.41 USD" in n for n in notes), notes
        (status,) = cli.json("status", shop)
        (shipment,) = [s for s in status["recent_shipments"] if s["order"] == sn]
        assert (shipment["carrier"], shipment["service"], shipment["cost"]) == (
            label["carrierCode"],
            label["serviceCode"],
            "5.41 USD",
        )
