"""Two import rules against the sandbox over HTTP, on every database: an order first seen
shipped arrives in ShipStation as shipped in one write; a held order is imported when Temu
releases its address even though Temu did not move its update time (the held ones are re-read
by number, 20 a call, on every sync). Also what a sync leaves in ShipStation (the status Temu
says), what a confirmation keeps (carrier, service, cost) and how a run that lost a step ends
(partial, exit 1, the next one finishes)."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterator
from typing import Any

import pytest

from adapters.sandbox.launcher import Sandbox
from adapters.sandbox.temu import app as temu_app
from adapters.sandbox.temu.seed import make_address
from tests.integration.sync.sync_helpers import Cli, createorders_calls, ss_order, ss_status

LIST = "bg.order.list.v2.get"


@pytest.fixture
def by_number(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[list[str]]]:
    """The parentOrderSnList of every order-list request the simulated Temu gets."""
    calls: list[list[str]] = []
    real = temu_app.HANDLERS[LIST]

    def recording(state: Any, body: dict[str, Any], token: Any) -> Any:
        if body.get("parentOrderSnList"):
            calls.append(list(body["parentOrderSnList"]))
        return real(state, body, token)

    monkeypatch.setitem(temu_app.HANDLERS, LIST, recording)
    yield calls


def ss_writes(sandbox: Sandbox) -> dict[str, int]:
    """Every write the simulated ShipStation was asked for, by endpoint."""
    calls = sandbox.shipstation.counters.calls
    return {name: n for name, n in calls.items() if not name.startswith("GET ")}


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
        assert ss_writes(sandbox) == {"POST /orders/createorders": 1}  # one write, no other
        (sent,) = sandbox.shipstation.orders.values()
        assert sent["orderStatus"] == "shipped" and sent["shipTo"]["country"] == "US"
        assert sync_ok(cli, shop)["pushed"] == 0 and createorders_calls(sandbox) == 1

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

    def test_only_the_held_orders_are_re_read_by_number_twenty_a_call_on_every_sync(
        self, cli: Cli, sandbox: Sandbox, shop: str, by_number: list[list[str]]
    ):
        from tests.integration.sync.sync_helpers import seed_awaiting

        sns = seed_awaiting(sandbox, 35, seed=46)
        held = sns[:25]
        with sandbox.temu.lock:
            for sn in sns:
                if sn in held:
                    sandbox.temu.orders[sn].address = None
                sandbox.temu.orders[sn].updated_at -= 3 * 86400  # only the backfill reads them
        sync_ok(cli, shop)
        assert [ss_status(sandbox, shop, sn) for sn in held] == [None] * 25
        by_number.clear()  # the first sync's own reads are not the point

        sync_ok(cli, shop)  # nothing changed: the held ones are read again anyway
        assert sorted(len(call) for call in by_number) == [5, 20]
        assert sorted(sn for call in by_number for sn in call) == sorted(held)

        released = held[:3]
        with sandbox.temu.lock:  # their addresses arrive; updateTime stays where it was
            for i, sn in enumerate(released):
                sandbox.temu.orders[sn].address = make_address(random.Random(i), 1)
        by_number.clear()
        assert sync_ok(cli, shop)["pushed"] == 3
        assert [ss_status(sandbox, shop, sn) for sn in released] == ["awaiting_shipment"] * 3
        assert sorted(sn for call in by_number for sn in call) == sorted(held)

        by_number.clear()
        sync_ok(cli, shop)
        assert sorted(len(call) for call in by_number) == [2, 20]
        assert sorted(sn for call in by_number for sn in call) == sorted(held[3:])


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


class TestShipStationFollowsTemu:
    """After every sync ShipStation says what Temu says (unless locked there). The case that
    broke: Temu shipped one line itself (41) and our label shipped the rest (Temu 4), but the
    ShipStation order still carried the line Temu had shipped, so it never closed."""

    def partly_shipped_by_temu(self, cli: Cli, sandbox: Sandbox, shop: str) -> tuple[str, list]:
        from tests.integration.sync.sync_helpers import multi_line, seed_awaiting

        sns = seed_awaiting(sandbox, 12, seed=45)
        sync_ok(cli, shop)
        sn = multi_line(sandbox, sns)[0]
        first, *rest = sandbox.temu.orders[sn].lines
        assert {i["lineItemKey"] for i in ss_order(sandbox, shop, sn)["items"]} == {  # type: ignore[index]
            ln.order_sn for ln in [first, *rest]
        }
        with sandbox.temu.lock:  # Temu ships the first line by itself: 41
            sandbox.temu.set_status(sn, 41, line_status=2)
            first.status = 4
        return sn, rest

    def test_our_label_for_the_rest_bought_before_we_saw_41_closes_the_shipstation_order(
        self, cli: Cli, sandbox: Sandbox, shop: str
    ):
        from domain.model import order_key

        sn, rest = self.partly_shipped_by_temu(cli, sandbox, shop)
        packages = [{ln.order_sn: ln.quantity for ln in rest}]
        into_the_next_second()
        sandbox.shipstation.create_labels(order_key(shop, sn), packages)
        assert ss_status(sandbox, shop, sn) == "awaiting_shipment"  # a line has no label
        sync_ok(cli, shop)  # sees 41 and the label: confirms the rest, Temu says 4
        assert sandbox.temu.orders[sn].status == 4
        sync_ok(cli, shop)
        assert ss_status(sandbox, shop, sn) == "shipped"
        assert sync_ok(cli, shop)["pushed"] == 0

    def test_a_label_for_the_rest_bought_after_we_saw_41_ships_the_shipstation_order(
        self, cli: Cli, sandbox: Sandbox, shop: str
    ):
        from domain.model import order_key

        sn, rest = self.partly_shipped_by_temu(cli, sandbox, shop)
        sync_ok(cli, shop)  # 41: sent again with only the lines still to ship
        order = ss_order(sandbox, shop, sn)
        assert order is not None and order["orderStatus"] == "awaiting_shipment"
        assert {i["lineItemKey"] for i in order["items"]} == {ln.order_sn for ln in rest}
        into_the_next_second()
        sandbox.shipstation.create_labels(order_key(shop, sn))  # every line it carries
        sync_ok(cli, shop)
        assert sandbox.temu.orders[sn].status == 4
        sync_ok(cli, shop)
        assert ss_status(sandbox, shop, sn) == "shipped"


def into_the_next_second() -> None:
    """Wait for the next whole second. ShipStation V1 says when it took an order in whole
    seconds (its answer's Date), so temuship counts the order taken at the end of that second: a
    label bought within the same second reads as bought before it. These tests mean a label
    bought after the sync, so they buy it in a later second."""
    time.sleep(1.0 - time.time() % 1.0 + 0.01)


class TestPartialRun:
    """Item 2 over HTTP: a step that fails ends the run partial (exit 1) naming why; the next
    run finishes it. One truncated body is retried and costs nothing."""

    def test_one_truncated_shipments_answer_is_retried_and_the_sync_is_ok(
        self, cli: Cli, sandbox: Sandbox, shop: str
    ):
        from domain.model import order_key
        from tests.integration.sync.sync_helpers import seed_awaiting

        (sn,) = seed_awaiting(sandbox, 1, seed=47)
        sync_ok(cli, shop)
        sandbox.shipstation.create_labels(order_key(shop, sn))
        sandbox.shipstation.inject_fault("malformed", count=1, path="/shipments")
        assert sync_ok(cli, shop)["confirmed"] == 1
        assert sandbox.shipstation.faults.pending() == 0
        assert sandbox.temu.orders[sn].status == 4

    def test_labels_unreadable_the_run_is_partial_exit_1_and_the_next_one_confirms(
        self, cli: Cli, sandbox: Sandbox, shop: str, monkeypatch: pytest.MonkeyPatch
    ):
        from domain.model import order_key
        from domain.sync import Step
        from flows import sync as sync_flow

        # The task's own retries, without their 5 s and 30 s waits.
        read_labels = sync_flow.TASKS[Step.READ_LABELS]
        monkeypatch.setattr(read_labels, "retry_delay_seconds", [0.0, 0.0])
        from tests.integration.sync.sync_helpers import seed_awaiting

        first, second = seed_awaiting(sandbox, 2, seed=48)
        sync_ok(cli, shop)
        sandbox.shipstation.create_labels(order_key(shop, first))
        with sandbox.temu.lock:
            sandbox.temu.set_status(second, 3)  # a change the same run must still carry
        # Every answer to GET /shipments is garbage: the client's four attempts, in each of
        # the three tries the label-reading task gets (flows/sync.py: retries=2).
        sandbox.shipstation.inject_fault("malformed", count=4 * 3, path="/shipments")

        result = cli("sync", shop, "--json")
        assert result.exit_code == 1, result.output
        (outcome,) = json.loads(result.stdout)
        assert outcome["status"] == "partial"
        assert "reading ShipStation labels failed" in outcome["reason"]
        assert "Traceback" not in result.output
        assert ss_status(sandbox, shop, second) == "cancelled"  # the other steps ran
        assert sandbox.temu.orders[first].status == 2  # nothing confirmed yet
        assert sandbox.shipstation.faults.pending() == 0

        counts = sync_ok(cli, shop)
        assert counts["confirmed"] == 1 and sandbox.temu.orders[first].status == 4
