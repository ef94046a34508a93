"""The ship-by watch on the real store (SQLite, and PostgreSQL when configured): the query by
ship-by time, the once-only announcement, a label or a cancellation clearing the order, and
`temuship status` showing the list."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

import pytest

from adapters.db import SqlUnitOfWork
from domain.model import OrderState, Source
from domain.order import Order
from domain.ports import Services
from domain.usecases import ship_by
from domain.usecases.reports import shop_status
from flows.cli.views import show_status
from flows.shop_view import ship_by_item
from tests.builders import shop as a_shop
from tests.fakes import FixedClock, RecordingEvents
from tests.integration.db.db_factories import T0, ctx, label, random_sn, temu_order

EVENT = "temuship.order.ship_by_at_risk"


class Store:
    def __init__(self, uow: Callable[[], SqlUnitOfWork], shop_id: str) -> None:
        self.shop_id, self.events, self.clock = shop_id, RecordingEvents(), FixedClock(T0)
        self.services = Services(
            uow=uow,  # type: ignore[arg-type]
            temu_for=lambda shop: None,  # type: ignore[arg-type,return-value]
            shipstation_for=lambda shop: None,  # type: ignore[arg-type,return-value]
            shop_lock=lambda shop_id: None,  # type: ignore[arg-type,return-value]
            clock=self.clock,
            events=self.events,
        )

    def order(self, ship_in_hours: float | None, status: int = 2) -> Order:
        ship_by_at = None if ship_in_hours is None else T0 + timedelta(hours=ship_in_hours)
        order = Order(self.shop_id, random_sn())
        order.observe(replace(temu_order(order.parent_order_sn, status), ship_by=ship_by_at), ctx())
        self.save(order)
        return order

    def save(self, order: Order) -> None:
        with self.services.uow() as uow:
            uow.orders.save_many([order])
            uow.commit()

    def load(self, sn: str) -> Order:
        with self.services.uow() as uow:
            return uow.orders.get_many(self.shop_id, [sn])[sn]

    def watch(self, horizon_hours: int = 24) -> ship_by.ShipByReport:
        return ship_by.watch_shop(self.services, self.shop_id, horizon_hours)

    def noted(self, horizon_hours: int = 24) -> set[str]:
        with self.services.uow() as uow:
            return uow.orders.announced(self.shop_id, ship_by.KIND, horizon_hours)


@pytest.fixture
def store(uow: Callable[[], SqlUnitOfWork], shop_id: str) -> Store:
    return Store(uow, shop_id)


def sns(report: ship_by.ShipByReport) -> list[str]:
    return [r.parent_order_sn for r in report.orders]


class TestTheQuery:
    def test_inside_the_horizon_and_late_listed_oldest_first_beyond_it_not(self, store):
        soon, late, edge, beyond = store.order(5), store.order(-3), store.order(24), store.order(25)
        store.order(None)  # no ship-by time from Temu
        report = store.watch()
        assert sns(report) == [late.parent_order_sn, soon.parent_order_sn, edge.parent_order_sn]
        assert beyond.parent_order_sn not in sns(report)
        assert [r.late for r in report.orders] == [True, False, False]
        assert [round(r.hours_left, 1) for r in report.orders] == [-3.0, 5.0, 24.0]

    def test_only_orders_waiting_for_a_label_and_only_this_shop(self, store, uow):
        waiting, held = store.order(1, status=2), store.order(1, status=1)
        store.order(1, status=3)  # cancelled
        store.order(1, status=4)  # shipped
        Store(uow, f"{store.shop_id}-other").order(1)
        assert store.load(held.parent_order_sn).state is OrderState.ON_HOLD
        assert sorted(sns(store.watch())) == sorted([waiting.parent_order_sn, held.parent_order_sn])

    def test_seconds_and_microseconds_of_the_ship_by_time_compare_right(self, store):
        just_inside = store.order(24 - 1 / 3600)
        store.order(24 + 1 / 3600)  # one second too late for the horizon
        store.clock.at = T0 + timedelta(microseconds=500_000)
        assert sns(store.watch()) == [just_inside.parent_order_sn]


class TestOnceOnly:
    def test_a_second_watch_announces_nothing_and_still_lists_the_orders(self, store):
        a, b = store.order(2), store.order(-1)
        store.watch()
        assert store.events.orders(EVENT) == [b.parent_order_sn, a.parent_order_sn]
        store.clock.at = T0 + timedelta(hours=1)
        again = store.watch()
        assert len(store.events.sent) == 2 and again.announced == ()
        assert sns(again) == [b.parent_order_sn, a.parent_order_sn]
        store.watch(horizon_hours=48)  # another horizon announces once there
        assert store.events.orders(EVENT)[2:] == [b.parent_order_sn, a.parent_order_sn]
        assert store.noted(24) == store.noted(48) == {a.parent_order_sn, b.parent_order_sn}

    def test_of_two_runs_noting_one_order_only_the_first_is_told_to_announce(self, store):
        o = store.order(1)
        with store.services.uow() as first, store.services.uow() as second:
            assert first.orders.announced(store.shop_id, ship_by.KIND, 24) == set()
            assert second.orders.announced(store.shop_id, ship_by.KIND, 24) == set()
            new = first.orders.remember_announced(
                store.shop_id, ship_by.KIND, 24, [o.parent_order_sn], T0
            )
            first.commit()
            late = second.orders.remember_announced(
                store.shop_id, ship_by.KIND, 24, [o.parent_order_sn], T0
            )
            second.commit()
        assert new == {o.parent_order_sn} and late == set()
        store.watch()
        assert store.events.sent == []  # the note was there already


class TestCleared:
    def test_a_label_clears_the_order_and_its_note(self, store):
        o = store.order(2)
        store.watch()
        order = store.load(o.parent_order_sn)
        found = label(order)
        order.record_label(found, found.lines, ctx(T0, Source.SHIPSTATION))
        store.save(order)
        assert store.watch().orders == () and store.noted() == set()
        assert store.events.orders(EVENT) == [o.parent_order_sn]

    def test_a_cancellation_clears_the_order_and_its_note(self, store):
        o = store.order(-2)
        store.watch()
        order = store.load(o.parent_order_sn)
        assert order.snapshot is not None
        order.observe(replace(order.snapshot, status=3), ctx())
        store.save(order)
        assert store.watch().orders == () and store.noted() == set()

    def test_a_voided_label_puts_it_back_and_it_is_announced_again(self, store):
        o = store.order(2)
        store.watch()
        order = store.load(o.parent_order_sn)
        found = label(order)
        order.record_label(found, found.lines, ctx(T0, Source.SHIPSTATION))
        store.save(order)
        store.watch()
        order = store.load(o.parent_order_sn)
        order.record_label(replace(found, voided=True), found.lines, ctx(T0, Source.SHIPSTATION))
        store.save(order)
        assert sns(store.watch()) == [o.parent_order_sn]
        assert store.events.orders(EVENT) == [o.parent_order_sn, o.parent_order_sn]


class TestStatus:
    def test_status_lists_the_orders_at_risk_in_json_and_in_text(self, store, capsys, monkeypatch):
        with store.services.uow() as uow:
            uow.shops.save(a_shop(store.shop_id))
            uow.commit()
        soon, late = store.order(5), store.order(-3)
        store.order(30)
        report = shop_status(store.services, store.shop_id)
        assert report["ship_by_at_risk"] == [
            {"order": late.parent_order_sn, "ship_by": (T0 - timedelta(hours=3)).isoformat(),
             "hours_left": -3.0, "late": True},
            {"order": soon.parent_order_sn, "ship_by": (T0 + timedelta(hours=5)).isoformat(),
             "hours_left": 5.0, "late": False},
        ]  # fmt: skip
        assert store.events.sent == []  # status only looks

        show_status(store.services, store.shop_id, as_json=True)
        (shown,) = json.loads(capsys.readouterr().out)
        assert [r["order"] for r in shown["ship_by_at_risk"]] == [
            late.parent_order_sn,
            soon.parent_order_sn,
        ]
        monkeypatch.setenv("TZ", "UTC")  # the terminal shows local times; this one is UTC
        time.tzset()
        show_status(store.services, store.shop_id, as_json=False)
        text = capsys.readouterr().out
        assert re.search(rf"{soon.parent_order_sn} +2025-03-01 17:00 UTC +5 h left", text)
        assert re.search(rf"{late.parent_order_sn} +2025-03-01 09:00 UTC +late by 3 h", text)
        assert "Ada" not in text and "Main St" not in text


def test_the_row_of_an_order_at_risk() -> None:
    row = {"order": "PO-1", "ship_by": "2026-12-01T14:00:00+00:00", "hours_left": 0.4,
           "late": False}  # fmt: skip
    assert ship_by_item(row, local=False) == ("PO-1", "2026-12-01 14:00 UTC", "24 min left")
    late = ship_by_item({**row, "hours_left": -26.6, "late": True}, local=False)
    assert late[2] == "late by 27 h"
