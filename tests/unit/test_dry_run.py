"""A plan is the sync itself on ports that send nothing (domain/sync/dry_run.py)."""

from __future__ import annotations

import copy

import pytest

import domain.sync as sync
from domain.sync.dry_run import plan_shop
from tests.builders import address, temu_order
from tests.fakes import (
    FakeShipStation,
    FakeTemu,
    connected_shop,
    throwaway,
)


@pytest.fixture
def world():
    temu, ss = FakeTemu(), FakeShipStation()
    for _ in range(5):
        order = temu_order(ship_to=address())
        temu.orders[order.parent_order_sn] = order
    store, services = connected_shop(temu, ss)
    services.plan_store = lambda: throwaway(store)
    return store, temu, ss, services


class TestPlan:
    def test_a_plan_lists_what_the_sync_then_sends_and_changes_nothing(self, world):
        store, _, ss, services = world
        before = copy.deepcopy(store.__dict__)
        report = plan_shop(services, sync.new_request(services, "acme"))
        assert store.__dict__.keys() == before.keys()
        assert store.orders.rows == before["orders"].rows and store.commits == before["commits"]
        assert ss.orders == {} and ss.calls == 0
        assert report.blocked is None and len(report.to_shipstation) == 5
        sync.sync_shop(services, sync.new_request(services, "acme"))
        sent = {(p["orderNumber"], p["orderStatus"]) for p in ss.orders.values()}
        assert sent == set(report.to_shipstation)

    def test_a_plan_of_a_paused_shop_says_why_it_would_not_sync(self, world):
        store, _, ss, services = world
        store.shops.rows["acme"].paused_reason = "token expired"
        report = plan_shop(services, sync.new_request(services, "acme"))
        assert report.blocked and "token expired" in report.blocked
        assert report.to_shipstation == [] and ss.calls == 0
