"""The ship-by watch on fakes: the horizon, late orders, one announcement per order and
horizon, and a label or a cancellation taking an order off the list."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from domain.model import OrderState, Source
from domain.order import Order
from domain.ports import Services
from domain.usecases import ship_by
from tests.builders import T0, address, ctx, label, temu_order
from tests.fakes import (
    FakeShipStation,
    FakeStore,
    FakeTemu,
    FakeUnitOfWork,
    FixedClock,
    RecordingEvents,
)

SHOP = "acme"
EVENT = "temuship.order.ship_by_at_risk"


class World:
    def __init__(self) -> None:
        self.store, self.events, self.clock = FakeStore(), RecordingEvents(), FixedClock(T0)
        self.services = Services(
            uow=lambda: FakeUnitOfWork(self.store),
            temu_for=lambda shop: FakeTemu(),
            shipstation_for=lambda shop: FakeShipStation(),
            shop_lock=lambda shop_id: None,  # type: ignore[arg-type,return-value]
            clock=self.clock,
            events=self.events,
        )

    def order(self, ship_in_hours: float | None, status: int = 2, lines: int = 1) -> Order:
        """An order seen in Temu with this status, due `ship_in_hours` after the clock."""
        ship_by = None if ship_in_hours is None else self.clock.at + timedelta(hours=ship_in_hours)
        seen = replace(temu_order(status=status, ship_to=address(), line_count=lines),
                       ship_by=ship_by)  # fmt: skip
        order = Order(SHOP, seen.parent_order_sn)
        order.observe(seen, ctx())
        self.save(order)
        return order

    def save(self, order: Order) -> None:
        self.store.orders.save_many([order])

    def load(self, sn: str) -> Order:
        return self.store.orders.get_many(SHOP, [sn])[sn]

    def watch(self, horizon_hours: int = 24) -> ship_by.ShipByReport:
        return ship_by.watch_shop(self.services, SHOP, horizon_hours)

    def later(self, hours: float) -> None:
        self.clock.at = self.clock.at + timedelta(hours=hours)


@pytest.fixture
def world() -> World:
    return World()


def sns(report: ship_by.ShipByReport) -> list[str]:
    return [r.parent_order_sn for r in report.orders]


class TestTheHorizon:
    def test_orders_due_within_the_horizon_are_at_risk_those_beyond_are_not(self, world):
        inside, edge, beyond = world.order(5), world.order(24), world.order(24.1)
        report = world.watch()
        assert sns(report) == [inside.parent_order_sn, edge.parent_order_sn]
        assert beyond.parent_order_sn not in sns(report)
        assert report.orders[0].hours_left == pytest.approx(5) and not report.orders[0].late

    def test_the_horizon_is_a_parameter(self, world):
        soon, later = world.order(2), world.order(30)
        assert sns(world.watch(horizon_hours=1)) == []
        assert sns(world.watch(horizon_hours=48)) == [soon.parent_order_sn, later.parent_order_sn]

    def test_a_past_ship_by_time_is_flagged_late_oldest_first(self, world):
        due, late, very_late = world.order(3), world.order(-3), world.order(-30)
        report = world.watch()
        assert sns(report) == [very_late.parent_order_sn, late.parent_order_sn, due.parent_order_sn]
        assert [r.late for r in report.orders] == [True, True, False]
        assert report.orders[1].hours_left == pytest.approx(-3)
        assert report.late == report.orders[:2]

    def test_horizon_zero_lists_only_the_late(self, world):
        world.order(1)
        late = world.order(-1)
        assert sns(world.watch(horizon_hours=0)) == [late.parent_order_sn]

    def test_only_orders_waiting_for_a_label_count(self, world):
        waiting, on_hold = world.order(1, status=2), world.order(1, status=1)
        world.order(1, status=3)  # cancelled
        world.order(1, status=4)  # shipped outside ShipStation
        world.order(None)  # Temu gave no ship-by time
        assert world.load(on_hold.parent_order_sn).state is OrderState.ON_HOLD
        assert set(sns(world.watch())) == {waiting.parent_order_sn, on_hold.parent_order_sn}

    def test_a_negative_horizon_is_refused(self, world):
        with pytest.raises(ValueError, match="horizon_hours"):
            world.watch(horizon_hours=-1)


class TestOnceOnly:
    def test_each_order_is_announced_once_per_horizon(self, world):
        a, b = world.order(2), world.order(-1)
        first = world.watch()
        assert world.events.orders(EVENT) == [b.parent_order_sn, a.parent_order_sn]
        assert set(first.announced) == {a.parent_order_sn, b.parent_order_sn}

        world.later(1)
        second = world.watch()
        assert len(world.events.sent) == 2 and second.announced == ()
        assert sns(second) == [b.parent_order_sn, a.parent_order_sn]  # still listed

        world.watch(horizon_hours=48)  # another horizon: announced once more there
        assert world.events.orders(EVENT)[2:] == [b.parent_order_sn, a.parent_order_sn]

    def test_an_order_entering_the_horizon_later_is_announced_then(self, world):
        o = world.order(30)
        world.watch()
        assert world.events.sent == []
        world.later(7)
        world.watch()
        assert world.events.orders(EVENT) == [o.parent_order_sn]

    def test_the_event_names_the_order_and_its_times_and_nothing_private(self, world):
        o = world.order(-2.5)
        world.watch()
        ((event, shop_id, payload),) = world.events.sent
        assert (event, shop_id) == (EVENT, SHOP)
        assert payload == {
            "shop": SHOP, "order": o.parent_order_sn,
            "ship_by": (T0 - timedelta(hours=2.5)).isoformat(),
            "hours_left": -2.5, "late": True, "horizon_hours": 24,
        }  # fmt: skip

    def test_nothing_is_noted_when_the_unit_of_work_is_not_committed(self, world):
        o = world.order(1)
        with world.services.uow() as uow:
            ship_by.at_risk_orders(uow, SHOP, world.clock.now())
        assert world.store.orders.announced(SHOP, ship_by.KIND, 24) == set()
        world.watch()
        assert world.store.orders.announced(SHOP, ship_by.KIND, 24) == {o.parent_order_sn}


class TestClearedFromTheList:
    def test_a_label_takes_the_order_off_the_list(self, world):
        o = world.order(2)
        world.watch()
        labelled = world.load(o.parent_order_sn)
        found = label(labelled.snapshot)
        labelled.record_label(found, found.lines, ctx(Source.SHIPSTATION))
        world.save(labelled)
        report = world.watch()
        assert report.orders == () and len(world.events.sent) == 1
        assert world.store.orders.announced(SHOP, ship_by.KIND, 24) == set()

    def test_a_label_for_some_lines_leaves_the_order_listed(self, world):
        o = world.order(2, lines=2)
        part = world.load(o.parent_order_sn)
        found = label(part.snapshot, part.lines[0].order_sn)
        part.record_label(found, found.lines, ctx(Source.SHIPSTATION))
        world.save(part)
        (risk,) = world.watch().orders
        assert risk.parent_order_sn == o.parent_order_sn and risk.lines_left == 1

    def test_a_cancellation_takes_the_order_off_the_list(self, world):
        o = world.order(-1)
        world.watch()
        cancelled = world.load(o.parent_order_sn)
        cancelled.observe(replace(cancelled.snapshot, status=3), ctx())
        world.save(cancelled)
        assert cancelled.state is OrderState.CANCELLED
        assert world.watch().orders == ()
        assert world.store.orders.announced(SHOP, ship_by.KIND, 24) == set()

    def test_a_voided_label_puts_the_order_back_and_it_is_announced_again(self, world):
        o = world.order(2)
        world.watch()
        order = world.load(o.parent_order_sn)
        found = label(order.snapshot)
        order.record_label(found, found.lines, ctx(Source.SHIPSTATION))
        world.save(order)
        world.watch()  # off the list: the note is dropped
        order = world.load(o.parent_order_sn)
        order.record_label(replace(found, voided=True), found.lines, ctx(Source.SHIPSTATION))
        world.save(order)
        # "shipped" never goes back, but Temu still says awaiting shipment and no label
        # covers the lines any more: the order waits for a label again
        assert order.state is OrderState.SHIPPED and order.remaining_line_sns()
        assert sns(world.watch()) == [o.parent_order_sn]
        assert world.events.orders(EVENT) == [o.parent_order_sn, o.parent_order_sn]

    def test_a_label_whose_confirmation_temu_has_not_recorded_yet_keeps_it_off(self, world):
        o = world.order(-1)
        order = world.load(o.parent_order_sn)
        found = label(order.snapshot)
        order.record_label(found, found.lines, ctx(Source.SHIPSTATION))
        world.save(order)
        assert order.state is OrderState.SHIPPED and order.temu_status == 2
        assert world.watch().orders == () and world.events.sent == []

    def test_a_confirmation_temu_refused_covers_nothing_so_the_order_is_listed(self, world):
        o = world.order(-1)
        order = world.load(o.parent_order_sn)
        found = label(order.snapshot)
        order.record_label(found, found.lines, ctx(Source.SHIPSTATION))
        order.confirmations[0].settle_failed(T0, "bad_carrier", "Temu refused the carrier")
        world.save(order)
        (risk,) = world.watch().orders
        assert risk.parent_order_sn == o.parent_order_sn and risk.late


class TestTheRule:
    @pytest.mark.parametrize(
        ("hours", "expected"), [(24, True), (24.01, False), (0, True), (-100, True)]
    )
    def test_at_risk_at_the_edges(self, world, hours, expected):
        o = world.order(hours)
        found = ship_by.at_risk(world.load(o.parent_order_sn), world.clock.now(), 24)
        assert (found is not None) is expected

    def test_late_means_the_ship_by_time_has_passed(self, world):
        now: datetime = world.clock.now()
        due_now = ship_by.at_risk(world.load(world.order(0).parent_order_sn), now, 24)
        assert due_now is not None and not due_now.late and due_now.hours_left == 0
        assert due_now.to_dict()["late"] is False
