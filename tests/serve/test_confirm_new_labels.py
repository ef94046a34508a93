"""The label check of one ShipStation account: one listing for all its shops, each shop's
labels taken by the sync's own steps under the shop's lock; a shop whose sync runs is skipped
and its labels stay after its cursor, for the next check (or its sync) to confirm."""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import replace
from datetime import timedelta

import domain.sync as sync
from domain.model import order_key
from domain.sync.plan import SHIPMENT_CURSOR
from domain.token import Token, TokenInfo
from flows.serve.labels import confirm_new_labels
from tests.builders import T0, address, label, shop, temu_order
from tests.fakes import REQUIRED_APIS, FakeShipStation, FakeTemu, FixedClock, connected_shop

SHOPS = ("acme", "acme-2", "bolt")


class World:
    """Three shops on one ShipStation account, each with one order synced."""

    def __init__(self) -> None:
        self.ss, self.temus = FakeShipStation(), {s: FakeTemu() for s in SHOPS}
        self.store, services = connected_shop(self.temus["acme"], self.ss)
        self.busy: set[str] = set()
        self.services = replace(
            services,
            temu_for=lambda s: self.temus[s.shop_id],
            shop_lock=lambda shop_id: nullcontext(shop_id not in self.busy),
        )
        info = TokenInfo(1, 211, T0 + timedelta(days=60), REQUIRED_APIS)
        self.orders = {}
        for shop_id in SHOPS:
            if shop_id != "acme":
                self.store.shops.save(shop(shop_id))
                self.store.tokens.save(Token.from_info(shop_id, info, T0))
            order = self.orders[shop_id] = temu_order(ship_to=address())
            self.temus[shop_id].orders[order.parent_order_sn] = order
            request = sync.new_request(self.services, shop_id)
            assert sync.sync_shop(self.services, request).status == "ok"

    def buy(self, shop_id: str) -> None:
        order = self.orders[shop_id]
        key = order_key(shop_id, order.parent_order_sn)
        self.ss.labels.append(replace(label(order), order_key=key, store_id="1"))

    def confirmed(self) -> dict[str, int]:
        return {s: len(temu.confirmed) for s, temu in self.temus.items()}


def test_one_listing_confirms_the_labels_of_every_shop_of_the_account():
    world = World()
    world.buy("acme")
    world.buy("acme-2")
    check = confirm_new_labels(world.services, list(SHOPS))
    assert world.ss.listings == 1  # labels only: voids wait for the cursor to be 10 min old
    assert (check.labels, check.confirmed, check.skipped, check.failed) == (2, 2, [], [])
    assert world.confirmed() == {"acme": 1, "acme-2": 1, "bolt": 0}


def test_a_shop_whose_sync_runs_is_skipped_and_its_label_confirmed_by_the_next_check():
    world = World()
    world.buy("acme")
    world.buy("bolt")
    before = world.store.cursors.get("bolt", SHIPMENT_CURSOR)
    world.busy.add("bolt")
    check = confirm_new_labels(world.services, list(SHOPS))
    assert check.skipped == ["bolt"] and world.confirmed()["bolt"] == 0
    assert world.store.cursors.get("bolt", SHIPMENT_CURSOR) == before
    world.busy.clear()
    again = confirm_new_labels(world.services, list(SHOPS))
    assert again.confirmed == 1 and world.confirmed() == {"acme": 1, "acme-2": 0, "bolt": 1}


def test_a_label_seen_by_two_checks_is_confirmed_once():
    world = World()
    world.buy("acme")
    confirm_new_labels(world.services, list(SHOPS))
    confirm_new_labels(world.services, list(SHOPS))
    assert world.confirmed()["acme"] == 1


def test_voids_are_read_once_the_oldest_cursor_is_ten_minutes_old_and_only_then_moved():
    world = World()
    world.services = replace(world.services, clock=FixedClock(T0 + timedelta(minutes=11)))
    check = confirm_new_labels(world.services, list(SHOPS))
    assert check.voids_read and world.ss.listings == 2
    moved = {world.store.cursors.get(s, SHIPMENT_CURSOR) for s in SHOPS}
    assert moved == {T0 + timedelta(minutes=11)}


def test_a_paused_shop_and_one_never_synced_are_left_to_their_sync():
    world = World()
    paused = world.store.shops.get("acme")
    paused.paused_reason = "waits for its token"
    world.store.shops.save(paused)
    world.store.cursors.rows.pop(("bolt", SHIPMENT_CURSOR))
    world.buy("acme")
    check = confirm_new_labels(world.services, list(SHOPS))
    assert sorted(check.skipped) == ["acme", "bolt"] and world.confirmed()["acme"] == 0


def test_a_burst_of_deliveries_for_one_batch_confirms_each_label_once():
    import threading

    from adapters.webhooks.hints import Hints
    from adapters.webhooks.receiver import Delivery
    from flows.serve.accounts import Account
    from flows.serve.label_check import LabelCheckLoop, LabelSchedule
    from tests.fakes import FakeTime

    world, checks, both = World(), [], threading.Event()
    account = Account("acct", "v1", "https://ssapi.shipstation.com", SHOPS, "****")

    def check(acc: Account) -> int:
        done = confirm_new_labels(world.services, list(acc.shop_ids))
        checks.append(done.confirmed)
        if sum(world.confirmed().values()) == 2:
            both.set()
        return done.requests

    loop = LabelCheckLoop(LabelSchedule(0.25), lambda: [account], check, FakeTime().monotonic)
    loop.start()  # the first check (nothing bought yet); the fake clock then stands still
    hints = Hints(lambda acc, _: loop.hint(acc), settle_s=0.0)
    world.buy("acme")
    world.buy("bolt")
    url = "https://ssapi.shipstation.com/shipments?batchId=7"
    for shop_id in ("acme", "bolt") * 10:  # one batch's SHIP_NOTIFY, each delivered 10 times
        hints.put(Delivery(shop_id, "acct", "v1", "SHIP_NOTIFY", url))
    hints.run_once()
    assert both.wait(timeout=30)
    assert loop.stop(timeout=30)
    assert world.confirmed() == {"acme": 1, "acme-2": 0, "bolt": 1}
    assert len(checks) <= 3  # the first, the hinted one, and one more if a hint came during it
