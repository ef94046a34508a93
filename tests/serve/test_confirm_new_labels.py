"""The label check's default: the sync's label steps for each shop of the account, under the
shop's lock (a shop whose sync runs is skipped), paused shops left alone."""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import replace

import domain.sync as sync
from flows.serve.labels import confirm_new_labels
from tests.builders import address, label, temu_order
from tests.fakes import FakeShipStation, FakeTemu, connected_shop


def world(lock_free: bool = True):
    temu, ss = FakeTemu(), FakeShipStation()
    store, services = connected_shop(temu, ss)
    services = replace(services, shop_lock=lambda shop_id: nullcontext(lock_free))
    order = temu_order(ship_to=address())
    temu.orders[order.parent_order_sn] = order
    assert sync.sync_shop(services, sync.new_request(services, "acme")).status == "ok"
    ss.labels.append(label(order))
    return store, temu, services


def test_a_new_label_is_confirmed_to_temu_by_the_check():
    _, temu, services = world()
    check = confirm_new_labels(services, ["acme"])
    assert (check.labels, check.confirmed, check.skipped, check.failed) == (1, 1, [], [])
    assert len(temu.confirmed) == 1


def test_a_shop_whose_sync_runs_is_skipped():
    _, temu, services = world(lock_free=False)
    check = confirm_new_labels(services, ["acme"])
    assert check.skipped == ["acme"] and temu.confirmed == []


def test_a_paused_shop_is_skipped():
    store, temu, services = world()
    shop = store.shops.get("acme")
    shop.paused_reason = "waits for its token"
    store.shops.save(shop)
    check = confirm_new_labels(services, ["acme"])
    assert check.skipped == ["acme"] and temu.confirmed == []
