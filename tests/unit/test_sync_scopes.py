"""Narrowed syncs (since, until, named orders) against fakes: what they read, which cursors move."""

from datetime import timedelta

import pytest

import domain.sync as sync
from domain.errors import ShopPaused, TokenLapsed
from domain.model import OrderAmounts
from domain.money import Money
from domain.ports import Services
from domain.sync import (
    SHIPMENT_CURSOR,
    TEMU_CURSOR,
    Attention,
    AttentionKind,
    Stream,
    SyncSummary,
    shop_state,
    steps,
)
from domain.sync.pushing import PushQueue
from domain.token import Token, TokenInfo, TokenState
from domain.usecases.tokens import REQUIRED_APIS
from tests.builders import T0, address, shop, temu_order
from tests.fakes import FakeShipStation, FakeStore, FakeTemu, FakeUnitOfWork, FixedClock

CURSOR = T0 - timedelta(hours=1)


class RecordingEvents:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str, dict]] = []

    def emit(self, event, shop_id, payload):
        self.sent.append((event, shop_id, payload))


@pytest.fixture
def world():
    store, temu, events = FakeStore(), FakeTemu(), RecordingEvents()
    store.shops.save(shop("acme"))
    info = TokenInfo(1, 211, T0 + timedelta(days=60), REQUIRED_APIS)
    store.tokens.save(Token.from_info("acme", info, T0 - timedelta(days=30)))
    store.cursors.set("acme", TEMU_CURSOR, CURSOR)
    store.cursors.set("acme", SHIPMENT_CURSOR, CURSOR)
    services = Services(
        uow=lambda: FakeUnitOfWork(store),
        temu_for=lambda s: temu,
        shipstation_for=lambda s: FakeShipStation(),
        shop_lock=None,  # type: ignore[arg-type]
        clock=FixedClock(T0),
        events=events,
    )
    return store, temu, events, services


def cursors(store):
    return store.cursors.get("acme", TEMU_CURSOR), store.cursors.get("acme", SHIPMENT_CURSOR)


def request(services, **options):
    return sync.new_request(services, "acme", **options)


def run_steps(services, req, push=False) -> SyncSummary:
    """The sync's reading steps (and the push if asked), one after another."""
    summary = SyncSummary("acme")
    for stream in steps.streams(services, req):
        page = 1
        while summary.add(steps.import_page(services, req, stream, page)).more:
            page += 1
    shop_state.commit_temu_cursor(services, req)
    summary.add(steps.read_labels(services, req))
    if push:
        with PushQueue(services, req, summary) as queue:
            summary.add(steps.push_orders(services, req, queue))
    return summary


class TestCursors:
    def test_a_sweep_reaching_back_past_the_cursor_moves_both_cursors_to_now(self, world):
        store, *_, services = world
        run_steps(services, request(services, since=T0 - timedelta(days=2)))
        assert cursors(store) == (T0, T0)

    def test_a_since_later_than_the_cursor_leaves_the_gap_for_the_next_sync(self, world):
        store, *_, services = world
        run_steps(services, request(services, since=T0 - timedelta(minutes=5)))
        assert cursors(store) == (CURSOR, CURSOR)

    def test_a_window_with_an_end_reads_up_to_it_and_moves_no_temu_cursor(self, world):
        store, *_, services = world
        req = request(services, since=T0 - timedelta(days=3), until=T0 - timedelta(days=1))
        assert steps.streams(services, req)[-1].window.end == T0 - timedelta(days=1)
        run_steps(services, req)
        assert store.cursors.get("acme", TEMU_CURSOR) == CURSOR

    def test_a_cursor_never_moves_backwards(self, world):
        store, *_, services = world
        services.clock = FixedClock(CURSOR - timedelta(hours=2))
        run_steps(services, request(services))
        assert cursors(store) == (CURSOR, CURSOR)


class TestNamedOrders:
    def test_named_orders_are_read_twenty_a_call_and_move_no_temu_cursor(self, world):
        store, temu, _, services = world
        orders = [temu_order(ship_to=address()) for _ in range(25)]
        temu.orders.update((o.parent_order_sn, o) for o in orders)
        req = request(services, parent_order_sns=[o.parent_order_sn for o in orders])
        assert [len(s.parent_order_sns) for s in steps.streams(services, req)] == [20, 5]
        summary = run_steps(services, req)
        assert summary.counts["orders_new"] == 25
        assert store.cursors.get("acme", TEMU_CURSOR) == CURSOR

    def test_an_order_temu_does_not_know_is_reported(self, world):
        *_, services = world
        req = request(services, parent_order_sns=["PO-211-00000000000000001"])
        result = steps.import_page(services, req, Stream(None, None, req.parent_order_sns), 1)
        assert result.more is False
        assert list(result.attention) == [
            Attention(
                AttentionKind.NOT_FOUND,
                "PO-211-00000000000000001",
                "Temu has no order with this number",
            )
        ]


class TestExpiryByTheClock:
    def test_the_gate_pauses_the_shop_and_announces_the_expiry_once(self, world):
        store, _, events, services = world
        services.clock = FixedClock(T0 + timedelta(days=61))
        with pytest.raises(TokenLapsed):
            steps.open_gate(services, request(services))
        with pytest.raises(ShopPaused) as again:
            steps.open_gate(services, request(services))
        assert not isinstance(again.value, TokenLapsed)
        assert [e[0] for e in events.sent] == ["temuship.token.expired"]
        assert events.sent[0][2] == {"shop": "acme", "by": "clock"}
        assert store.shops.rows["acme"].paused
        assert store.tokens.rows["acme"].state is TokenState.EXPIRED


class TestRereadOrders:
    def test_an_order_read_again_keeps_its_prices_and_is_not_sent_again(self, world):
        store, temu, _, services = world
        order = temu_order(ship_to=address())
        temu.orders[order.parent_order_sn] = order
        prices = {line.order_sn: Money.from_minor(1299, "USD") for line in order.lines}
        temu.amount_rows[order.parent_order_sn] = OrderAmounts(None, prices)
        first = run_steps(
            services, request(services, parent_order_sns=[order.parent_order_sn]), True
        )
        again = run_steps(
            services, request(services, parent_order_sns=[order.parent_order_sn]), True
        )
        stored = store.orders.rows[("acme", order.parent_order_sn)]
        assert [line.unit_price for line in stored.snapshot.lines] == list(prices.values())
        assert first.counts["pushed"] == 1 and again.counts["pushed"] == 0
