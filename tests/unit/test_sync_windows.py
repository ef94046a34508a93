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
        self.calls: list[tuple[datetime, int, bool, tuple[datetime, datetime] | None]] = []

    def list_orders(self, window, page, *, status=None, page_size=100, then=None):
        if window is None:
            return super().list_orders(window, page, status=status, page_size=page_size)
        found = sorted(
            (o for o in self.orders.values() if window.start <= o.updated_at <= window.end),
            key=lambda o: o.updated_at,
        )
        if page == 1:
            self.windows.append((window.start, window.end, len(found)))
        chunk = found[(page - 1) * page_size : page * page_size]
        more = page * page_size < len(found)
        self.calls.append((window.start, page, more, (then.start, then.end) if then else None))
        return OrderPage(tuple(chunk), (), page, len(found), more)


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


class TestReadAhead:
    """Each window's pages name the window read after it, so that the gateway can read its
    first page while the caller applies this window's last (a backlog's windows hold a page
    or two: without it the key idled while each window's last page was saved)."""

    def test_the_last_page_of_each_window_names_the_window_read_next(self, world):
        _, temu, services = world
        since = T0 - timedelta(days=4)
        add_orders(temu, [since + timedelta(minutes=10 * i + 1) for i in range(4 * 144)])
        summary = sync.sync_shop(services, sync.new_request(services, "acme", since=since))
        assert summary.status == "ok" and summary.counts["orders_seen"] == 4 * 144
        windows = [(start, end) for start, end, _ in temu.windows]
        assert len(windows) >= 4
        last_pages = [c for c in temu.calls if not c[2]]
        assert [start for start, *_ in last_pages] == [start for start, _ in windows]
        named = [then for *_, then in last_pages]
        assert named == [*windows[1:], None]  # the next window read, none after the last
        # a window's other pages name it too; its first page, before its total is known,
        # names a window as wide (here the one read: the days hold alike many orders), except
        # the span's first window, which has no window with orders before it
        following = dict(zip([start for start, _ in windows], [*windows[1:], None], strict=True))
        for start, page, _, then in temu.calls:
            if page > 1 or start != windows[0][0]:
                assert then == following[start], (start, page)
            else:
                assert then is None

    def test_after_an_empty_window_no_window_is_named_before_the_total_is_known(self, world):
        _, temu, services = world
        since = T0 - timedelta(days=30)
        add_orders(temu, [since + timedelta(hours=1), T0 - timedelta(hours=2)])
        summary = sync.sync_shop(services, sync.new_request(services, "acme", since=since))
        assert summary.status == "ok" and summary.counts["orders_seen"] == 2
        firsts = {start: then for start, page, _, then in temu.calls if page == 1}
        pairs = zip(temu.windows, temu.windows[1:], strict=False)
        empty_before = [start for (_, _, total), (start, _, _) in pairs if total == 0]
        assert empty_before  # the windows widened across the empty days
        # an empty window widens the next: a guess as wide would name a window never read
        assert all(firsts[start] is None for start in empty_before)
        # after a window with orders, the guess is a window as wide as this one, after it
        start, end, _ = temu.windows[1]
        assert temu.windows[0][2] == 1 and firsts[start] == (end, end + (end - start))
