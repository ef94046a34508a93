"""ShipStation V2 end to end: `temuship connect --shipstation-api v2`, syncs against the
simulated ShipStation's V2 (its strict readings on), statuses by their endpoints, labels back
to Temu, and a shop moved from V1 to V2 without a duplicate (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from adapters.sandbox.launcher import Sandbox
from adapters.sandbox.shipstation.v2.account import DEMO_V2_API_KEY
from adapters.sandbox.temu.state import DEMO_ACCESS_TOKEN, DEMO_APP_KEY, DEMO_APP_SECRET
from domain.model import order_key
from tests.integration.sync.sync_helpers import (
    Cli,
    database_rows,
    flat,
    seed_awaiting,
    ss_order,
    ss_status,
    temu_shipments,
)


def connect_v2(cli: Cli, name: str, *flags: str) -> Any:
    sandbox = cli.sandbox
    return cli(
        "connect", name, "--app-key", DEMO_APP_KEY, "--app-secret", DEMO_APP_SECRET,
        "--access-token", DEMO_ACCESS_TOKEN, "--shipstation-api", "v2",
        "--shipstation-key", DEMO_V2_API_KEY, "--temu-url", sandbox.temu_url,
        "--shipstation-url", sandbox.shipstation_url, *flags,
    )  # fmt: skip


def sync(cli: Cli, shop: str, code: int = 0) -> dict[str, Any]:
    (outcome,) = cli.json_exit("sync", shop, code=code)
    return outcome


def shipments(sandbox: Sandbox, shop: str) -> list[dict[str, Any]]:
    prefix = order_key(shop, "")
    return [o for key, o in sandbox.shipstation.orders.items() if key.startswith(prefix)]


@pytest.fixture
def v2_shop(cli: Cli, shop_id: str) -> str:
    name = shop_id[:20]  # V2 keeps an order's key in 50 characters
    result = connect_v2(cli, name)
    assert result.exit_code == 0, result.output
    return name


class TestConnect:
    def test_a_v2_key_connects_and_status_says_v2_with_the_default_warehouse(self, cli, v2_shop):
        (status,) = cli.json("status", v2_shop)
        assert status["shipstation"]["api"] == "v2"
        assert status["shipstation"]["warehouse"]
        assert re.search(r"ShipStation +V2, warehouse se-", cli("status", v2_shop).output)

    def test_a_secret_with_v2_is_refused_and_nothing_is_written(self, cli, shop_id):
        result = connect_v2(cli, shop_id[:20], "--shipstation-secret", "s3cr3t")
        assert result.exit_code == 2 and "has no secret" in result.output

    def test_a_key_shipstation_refuses_is_refused_before_anything_is_saved(self, cli, shop_id):
        result = cli(
            "connect", shop_id[:20], "--app-key", DEMO_APP_KEY, "--app-secret", DEMO_APP_SECRET,
            "--access-token", DEMO_ACCESS_TOKEN, "--shipstation-key", "not-a-v2-key",
            "--temu-url", cli.sandbox.temu_url, "--shipstation-url", cli.sandbox.shipstation_url,
        )  # fmt: skip
        assert result.exit_code == 1 and "ShipStation refused" in result.output
        assert cli("status", shop_id[:20]).exit_code == 2

    def test_a_name_too_long_for_v2_keys_is_refused(self, cli, shop_id):
        result = connect_v2(cli, f"{shop_id}-and-more")
        assert result.exit_code == 2 and "at most 20" in result.output


class TestOrders:
    def test_orders_are_created_once_pending_and_a_second_sync_sends_nothing(
        self, cli, sandbox, v2_shop
    ):
        sns = seed_awaiting(sandbox, 6, seed=31)
        assert sync(cli, v2_shop)["counts"]["pushed"] == 6
        assert {ss_status(sandbox, v2_shop, sn) for sn in sns} == {"awaiting_shipment"}
        creates = sandbox.shipstation.counters.calls["POST /v2/shipments"]
        assert sync(cli, v2_shop)["counts"].get("pushed", 0) == 0
        assert sandbox.shipstation.counters.calls["POST /v2/shipments"] == creates
        assert len(shipments(sandbox, v2_shop)) == 6

    def test_statuses_follow_temu_through_their_endpoints(self, cli, sandbox, v2_shop):
        held, cancelled, shipped, untracked = seed_awaiting(sandbox, 4, seed=32)
        assert sync(cli, v2_shop)["status"] == "ok"
        with sandbox.temu.lock:
            sandbox.temu.set_status(held, 1)
            sandbox.temu.set_status(cancelled, 3)
        sandbox.temu.ship_outside(shipped, "9400111899223344556677")
        sandbox.temu.ship_outside(untracked, None)
        outcome = sync(cli, v2_shop)
        assert ss_status(sandbox, v2_shop, held) == "on_hold"
        assert ss_status(sandbox, v2_shop, cancelled) == "cancelled"
        assert ss_status(sandbox, v2_shop, shipped) == "shipped"
        assert ss_status(sandbox, v2_shop, untracked) == "awaiting_shipment"
        kept = [a for a in outcome["attention"] if a[0] == "not_sent"]
        assert [a[1] for a in kept] == [untracked] and "tracking" in kept[0][2]
        with sandbox.temu.lock:
            sandbox.temu.set_status(held, 2)
        sync(cli, v2_shop)
        assert ss_status(sandbox, v2_shop, held) == "awaiting_shipment"

    def test_an_order_first_seen_shipped_without_tracking_is_not_created(
        self, cli, sandbox, v2_shop
    ):
        (sn,) = seed_awaiting(sandbox, 1, seed=33)
        sandbox.temu.ship_outside(sn, None)
        outcome = sync(cli, v2_shop)
        assert ss_order(sandbox, v2_shop, sn) is None
        assert [a[:2] for a in outcome["attention"] if a[0] == "not_sent"] == [["not_sent", sn]]


class TestLabels:
    def test_a_label_is_confirmed_to_temu_once_and_a_void_before_it_drops_it(
        self, cli, sandbox, v2_shop
    ):
        first, second = seed_awaiting(sandbox, 2, seed=34)
        sync(cli, v2_shop)
        sandbox.shipstation.create_labels(order_key(v2_shop, first))
        (voided,) = sandbox.shipstation.create_labels(order_key(v2_shop, second))
        sandbox.shipstation.void_label(voided["shipmentId"])
        outcome = sync(cli, v2_shop)
        assert outcome["counts"]["confirmed"] == 1
        assert {sn for sn, _ in temu_shipments(sandbox, first)} and not temu_shipments(
            sandbox, second
        )
        assert sync(cli, v2_shop)["counts"].get("confirmed", 0) == 0


class TestMoveFromV1:
    def test_a_v1_shop_moves_to_v2_keeping_everything_and_nothing_is_created_twice(
        self, cli, sandbox, shop_id
    ):
        name = shop_id[:20]
        assert cli.connect(name).exit_code == 0
        sns = seed_awaiting(sandbox, 5, seed=35)
        assert sync(cli, name)["counts"]["pushed"] == 5
        bought = sandbox.shipstation.create_labels(order_key(name, sns[0]))
        moved = cli(
            "connect", name, "--replace", "--shipstation-api", "v2",
            "--shipstation-key", DEMO_V2_API_KEY, "--shipstation-url", sandbox.shipstation_url,
        )  # fmt: skip
        assert moved.exit_code == 0, moved.output
        assert "5 orders ShipStation has stay as they are" in " ".join(moved.output.split())
        outcome = sync(cli, name)
        assert outcome["status"] == "ok", outcome
        assert outcome["counts"].get("pushed", 0) == 0
        assert outcome["counts"]["confirmed"] == 1
        assert len(shipments(sandbox, name)) == 5  # none created twice
        confirmed = {tracking for _, tracking in temu_shipments(sandbox, sns[0])}
        assert confirmed == {bought[0]["trackingNumber"]}
        with sandbox.temu.lock:
            sandbox.temu.set_status(sns[1], 3)
        sync(cli, name)
        assert ss_status(sandbox, name, sns[1]) == "cancelled"
        (status,) = cli.json("status", name)
        assert status["shipstation"]["api"] == "v2"


class TestRateLimit:
    def test_a_429_is_waited_out_and_the_sync_finishes(self, cli, sandbox, v2_shop):
        sns = seed_awaiting(sandbox, 3, seed=36)
        sandbox.shipstation.inject_fault("rate_limit", count=2, path="/v2/shipments")
        outcome = sync(cli, v2_shop)
        assert outcome["status"] == "ok" and outcome["counts"]["pushed"] == 3
        assert {ss_status(sandbox, v2_shop, sn) for sn in sns} == {"awaiting_shipment"}


class TestPlan:
    def test_the_plan_lists_what_the_sync_then_sends_and_sends_nothing(
        self, cli, sandbox, v2_shop, database_url
    ):
        sns = seed_awaiting(sandbox, 4, seed=37)
        sync(cli, v2_shop)
        with sandbox.temu.lock:
            sandbox.temu.set_status(sns[0], 3)
        fresh = seed_awaiting(sandbox, 2, seed=38)
        before, calls = database_rows(database_url, v2_shop), dict(v2_calls(sandbox))
        (plan,) = cli.json("sync", v2_shop, "--plan")
        assert database_rows(database_url, v2_shop) == before
        assert dict(v2_calls(sandbox)) == calls  # read, nothing sent
        planned = {(o["order"], o["status"]) for o in plan["shipstation_orders"]}
        assert planned == {(sns[0], "cancelled"), *((sn, "awaiting_shipment") for sn in fresh)}
        text = flat(cli("sync", v2_shop, "--plan").output)
        assert "3 orders to ShipStation V2 (2 to create" in text
        assert "1 to update or give a new status" in text
        assert dict(v2_calls(sandbox)) == calls
        outcome = sync(cli, v2_shop)
        assert outcome["counts"]["pushed"] == 3
        assert ss_status(sandbox, v2_shop, sns[0]) == "cancelled"
        assert {ss_status(sandbox, v2_shop, sn) for sn in fresh} == {"awaiting_shipment"}


def v2_calls(sandbox: Sandbox) -> dict[str, int]:
    """The V2 writes the simulated ShipStation took, by endpoint."""
    calls = sandbox.shipstation.counters.calls
    return {k: v for k, v in calls.items() if k.split(" ")[0] != "GET" and " /v2/" in k}
