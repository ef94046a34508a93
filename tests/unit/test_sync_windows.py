"""Reading years back costs in proportion to the orders found, not to the days: windows widen
while empty and narrow when full (domain/sync/)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

import domain.sync as sync
from domain.ports import OrderPage
from domain.sync import plan
from tests.builders import T0, address, temu_order
from tests.fakes import (
    FakeTemu,
    connected_shop,
)


class WindowedTemu(FakeTemu):
    """Honours the update-time window and counts the list calls."""

    def __init__(self) -> None:
        super().__init__()
        self.windows: list[tuple[datetime, datetime, int]] = []

    def list_orders(self, window, page, *, status=None, page_size=100):
        if window is None:
            return super().list_orders(window, page, status=status, page_size=page_size)
        found = sorted(
            (o for o in self.orders.values() if window.start <= o.updated_at <= window.end),
            key=lambda o: o.updated_at,
        )
        if page == 1:
            self.windows.append((window.start, window.end, len(found)))
        chunk = found[(page - 1) * page_size : page * page_size]
        return OrderPage(tuple(chunk), (), page, len(found), page * page_size < len(found))


@pytest.fixture
def world():
    temu = WindowedTemu()
    store, services = connected_shop(temu)
    store.cursors.set("acme", sync.TEMU_CURSOR, T0 - timedelta(hours=1))
    return store, temu, services


def add_orders(temu: WindowedTemu, when: list[datetime]) -> None:
    for moment in when:
        order = temu_order(ship_to=address(), updated=moment)
        temu.orders[order.parent_order_sn] = order


class TestWindows:
    def test_a_since_years_back_reads_far_fewer_windows_than_days(self, world):
        _, temu, services = world
        since = datetime(2015, 1, 1, tzinfo=UTC)
        add_orders(temu, [since + timedelta(days=3), T0 - timedelta(days=2)])
        summary = sync.sync_shop(services, sync.new_request(services, "acme", since=since))
        days = (T0 - since).days
        assert summary.status == "ok" and summary.counts["orders_seen"] == 2
        assert len(temu.windows) < days / 40, (len(temu.windows), days)
        assert temu.windows[0][0] == since and temu.windows[-1][1] == T0
        for (_, end, _), (start, _, _) in zip(temu.windows, temu.windows[1:], strict=False):
            assert end == start  # no gap between windows

    def test_a_full_window_is_read_again_narrower_and_every_order_is_read(self, world, monkeypatch):
        store, temu, services = world
        monkeypatch.setattr(plan, "FULL", 10)
        since = T0 - timedelta(days=1)
        add_orders(temu, [since + timedelta(minutes=20 * i) for i in range(60)])
        summary = sync.sync_shop(services, sync.new_request(services, "acme", since=since))
        assert summary.status == "ok"
        stored = {sn for (shop_id, sn) in store.orders.rows if shop_id == "acme"}
        assert stored == set(temu.orders)
        read = [w for w in temu.windows if w[2] <= 10]
        assert read and all(total <= 10 or end - start <= plan.NARROWEST
                            for start, end, total in read)  # fmt: skip

    def test_widths_grow_while_empty_and_shrink_when_full(self):
        day = timedelta(days=1)
        assert plan.next_width(day, 0) == 4 * day
        assert plan.next_width(100 * day, 0) == plan.WIDEST
        assert plan.next_width(day, plan.FULL) == day / 4
        assert plan.next_width(plan.NARROWEST, plan.FULL) == plan.NARROWEST
        assert plan.next_width(day, 10) == day
