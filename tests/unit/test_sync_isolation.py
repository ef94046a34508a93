"""One failing step does not stop the others: the run ends "partial" with every reason, the
next run finishes the rest, and the cursor rules hold (domain/sync/)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

import domain.sync as sync
from domain.errors import TransientError, UnexpectedAnswer
from domain.model import OrderState
from domain.ports import LabelPage
from domain.sync import SHIPMENT_CURSOR, TEMU_CURSOR
from tests.builders import T0, address, label, temu_order
from tests.fakes import (
    FakeShipStation,
    FakeTemu,
    FixedClock,
    connected_shop,
)


class FailingShipStation(FakeShipStation):
    """Fails one operation on demand, like a proxy answering garbage."""

    def __init__(self) -> None:
        super().__init__()
        self.fail_labels = self.fail_push = False

    def labels_since(self, since: datetime) -> Iterator[LabelPage]:
        if self.fail_labels:
            raise UnexpectedAnswer("ShipStation", "GET /shipments answered a list", excerpt="[]")
        yield from super().labels_since(since)

    def create_orders(self, payloads):
        if self.fail_push:
            raise TransientError("ShipStation", "HTTP 503 after 4 attempts")
        return super().create_orders(payloads)


class FailingTemu(FakeTemu):
    def __init__(self) -> None:
        super().__init__()
        self.fail_pages = False

    def list_orders(self, window, page, *, status=None, page_size=100, then=None):
        if self.fail_pages:
            raise TransientError("Temu", "HTTP 502 after 5 attempts")
        return super().list_orders(window, page, status=status, page_size=page_size)


@pytest.fixture
def world():
    temu, ss = FailingTemu(), FailingShipStation()
    store, services = connected_shop(temu, ss)
    return store, temu, ss, services


def run(services):
    return sync.sync_shop(services, sync.new_request(services, "acme"))


def imported(temu, ss, services, count=2):
    orders = [temu_order(ship_to=address()) for _ in range(count)]
    temu.orders.update((o.parent_order_sn, o) for o in orders)
    assert run(services).status == "ok" and len(ss.orders) == count
    return orders


class TestIsolation:
    def test_a_failed_label_read_does_not_stop_confirmations_already_queued(self, world):
        _, temu, ss, services = world
        order, _ = imported(temu, ss, services)
        ss.labels.append(label(order))
        temu.confirm_error = TransientError("Temu", "HTTP 502")
        first = run(services)  # the label is read, its confirmation queued, Temu fails it
        assert [a.kind for a in first.attention] == ["confirmation_retry"] and not temu.confirmed
        temu.confirm_error, ss.fail_labels = None, True
        second = run(services)
        assert second.status == "partial" and "reading ShipStation labels failed" in second.reason
        assert "answered a list" in second.reason
        assert len(temu.confirmed) == 1 and second.counts["confirmed"] == 1

    def test_a_failed_push_does_not_stop_label_reading_and_the_next_run_sends_it(self, world):
        _, temu, ss, services = world
        order, _ = imported(temu, ss, services)
        new = temu_order(ship_to=address())
        temu.orders[new.parent_order_sn] = new
        ss.labels.append(label(order))
        ss.fail_push = True
        first = run(services)
        assert first.status == "partial" and "sending orders to ShipStation failed" in first.reason
        assert first.counts["labels_seen"] == 1 and len(temu.confirmed) == 1
        assert [a.kind for a in first.attention] == ["step_failed"]
        ss.fail_push = False
        assert run(services).status == "ok" and new.parent_order_sn in {
            p["orderNumber"] for p in ss.orders.values()
        }

    def test_a_failed_temu_page_keeps_the_cursor_where_it_was(self, world):
        store, temu, ss, services = world
        imported(temu, ss, services)
        cursor = store.cursors.get("acme", TEMU_CURSOR)
        services.clock = FixedClock(T0 + timedelta(hours=1))
        temu.fail_pages = True
        result = run(services)
        assert result.status == "partial" and "reading Temu orders failed" in result.reason
        assert store.cursors.get("acme", TEMU_CURSOR) == cursor
        assert store.shops.rows["acme"].last_sync_error == result.reason

    def test_every_failed_step_is_named_and_the_next_run_finishes_the_rest(self, world):
        store, temu, ss, services = world
        queued = temu_order(ship_to=address())
        temu.orders[queued.parent_order_sn] = queued
        ss.fail_push = True
        first = run(services)  # read, but ShipStation refuses the push: queued
        assert first.status == "partial" and ss.orders == {}
        cursors = {name: store.cursors.get("acme", name) for name in (TEMU_CURSOR, SHIPMENT_CURSOR)}
        assert None not in cursors.values()

        later = temu_order(ship_to=address())
        temu.orders[later.parent_order_sn] = later
        ss.labels.append(label(queued))
        services.clock = FixedClock(T0 + timedelta(hours=1))
        temu.fail_pages = ss.fail_labels = True
        second = run(services)

        assert second.status == "partial"
        reasons = (second.reason or "").split("; ")
        assert [r.split(" failed: ")[0] for r in reasons] == [
            "reading Temu orders",
            "sending orders to ShipStation",
            "reading ShipStation labels",
        ], second.reason
        assert [a.kind for a in second.attention].count("step_failed") == 3
        assert store.shops.rows["acme"].last_sync_error == second.reason
        assert {n: store.cursors.get("acme", n) for n in cursors} == cursors  # neither moved
        assert ss.orders == {} and not temu.confirmed

        temu.fail_pages = ss.fail_push = ss.fail_labels = False
        third = run(services)
        assert third.status == "ok" and third.reason is None
        assert {p["orderNumber"] for p in ss.orders.values()} == {
            queued.parent_order_sn,
            later.parent_order_sn,
        }
        assert len(temu.confirmed) == 1 and third.counts["confirmed"] == 1
        assert store.cursors.get("acme", TEMU_CURSOR) > cursors[TEMU_CURSOR]
        assert store.shops.rows["acme"].last_sync_error is None


class TestImportRules:
    def test_an_order_first_seen_shipped_with_a_ship_to_arrives_in_shipstation_as_shipped(
        self, world
    ):
        store, temu, ss, services = world
        shipped = temu_order(status=4, ship_to=address())
        temu.orders[shipped.parent_order_sn] = shipped
        assert run(services).status == "ok"
        (payload,) = ss.orders.values()
        assert payload["orderStatus"] == "shipped" and ss.calls == 1
        assert store.orders.rows[("acme", shipped.parent_order_sn)].state is OrderState.SHIPPED
        assert run(services).counts["pushed"] == 0

    def test_an_order_first_seen_cancelled_is_recorded_not_imported(self, world):
        store, temu, ss, services = world
        cancelled = temu_order(status=3, ship_to=address())
        temu.orders[cancelled.parent_order_sn] = cancelled
        run(services)
        assert ss.orders == {}
        assert store.orders.rows[("acme", cancelled.parent_order_sn)].state is OrderState.CANCELLED

    def test_a_held_order_is_imported_when_its_address_arrives_without_a_new_update_time(
        self, world
    ):
        _, temu, ss, services = world
        held = temu_order(ship_to=None)
        temu.orders[held.parent_order_sn] = held
        run(services)
        assert ss.orders == {}
        services.clock = FixedClock(T0 + timedelta(days=3))  # far past the order's update time
        temu.addresses[held.parent_order_sn] = address()
        result = run(services)
        assert result.status == "ok"
        assert [p["orderNumber"] for p in ss.orders.values()] == [held.parent_order_sn]
