"""The sync's steps (domain/sync/) against in-memory fakes: windows, cursors, pausing, the push
queue."""

from dataclasses import replace
from datetime import timedelta

import pytest

import domain.sync as sync
from domain.errors import TokenExpired, Unreachable
from domain.model import OrderState
from domain.ports import Services
from domain.sync import TEMU_CURSOR, RunStatus, Stream, SyncSummary, shop_state, steps
from domain.sync.plan import OPEN_STATUSES
from domain.sync.pushing import PushQueue
from domain.token import Token, TokenInfo
from domain.usecases.tokens import REQUIRED_APIS
from tests.builders import T0, address, shop, temu_order
from tests.fakes import FakeShipStation, FakeStore, FakeTemu, FakeUnitOfWork, FixedClock


class RecordingEvents:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def emit(self, event, shop_id, payload):
        self.sent.append((event, shop_id))


@pytest.fixture
def setup():
    store, temu, ss, events = FakeStore(), FakeTemu(), FakeShipStation(), RecordingEvents()
    store.shops.save(shop("acme"))
    info = TokenInfo(1, 211, T0 + timedelta(days=60), REQUIRED_APIS)
    store.tokens.save(Token.from_info("acme", info, T0))
    services = Services(
        uow=lambda: FakeUnitOfWork(store),
        temu_for=lambda s: temu,
        shipstation_for=lambda s: ss,
        shop_lock=None,  # type: ignore[arg-type]
        clock=FixedClock(T0),
        events=events,
    )
    return store, temu, ss, events, services


class TestStreams:
    def test_a_first_sync_lists_every_open_status_then_the_backfill_days(self, setup):
        *_, services = setup
        streams = steps.streams(services, sync.new_request(services, "acme"))
        assert [s.status for s in streams[: len(OPEN_STATUSES)]] == list(OPEN_STATUSES)
        (span,) = [s.window for s in streams if s.window]
        assert span.start == T0 - timedelta(days=7) and span.end == T0

    def test_later_syncs_start_at_the_cursor_minus_the_overlap(self, setup):
        store, *_, services = setup
        store.cursors.set("acme", TEMU_CURSOR, T0 - timedelta(hours=1))
        (stream,) = steps.streams(services, sync.new_request(services, "acme"))
        assert stream.window.start == T0 - timedelta(hours=1, minutes=10)

    def test_since_overrides_the_cursor(self, setup):
        store, *_, services = setup
        store.cursors.set("acme", TEMU_CURSOR, T0 - timedelta(hours=1))
        req = sync.new_request(services, "acme", since=T0 - timedelta(days=2))
        streams = steps.streams(services, req)
        assert streams[0].window.start == T0 - timedelta(days=2) and len(streams) == 1


class TestSteps:
    def test_pages_are_read_until_the_last_and_the_cursor_moves_after(self, setup):
        store, temu, ss, _, services = setup
        for _ in range(150):
            o = temu_order(ship_to=address())
            temu.orders[o.parent_order_sn] = o
        req = sync.new_request(services, "acme")
        stream = Stream(None, 2)
        assert steps.import_page(services, req, stream, 1).more is True
        assert steps.import_page(services, req, stream, 2).more is False
        assert store.cursors.get("acme", TEMU_CURSOR) is None
        shop_state.commit_temu_cursor(services, req)
        with PushQueue(services, req, SyncSummary("acme")) as queue:
            pushed = steps.push_orders(services, req, queue).count("pushed")
        assert store.cursors.get("acme", TEMU_CURSOR) == T0
        assert len(ss.orders) == 150 and pushed == 150

    def test_an_expired_token_pauses_the_shop_and_emits_one_event(self, setup):
        store, *_, events, services = setup
        error = TokenExpired("Temu", "access_token is expired", 3000034)
        req = sync.new_request(services, "acme")
        shop_state.pause(services, req, error, SyncSummary("acme"))
        shop_state.pause(services, req, error, SyncSummary("acme"))
        assert events.sent == [("temuship.token.expired", "acme")]
        assert store.shops.rows["acme"].paused


class TestPushQueue:
    """One path to ShipStation: an order joins the queue when its plan says so; the queue is
    flushed whenever it holds 100 and at the end of the import."""

    def test_full_batches_go_between_pages_and_the_rest_at_the_end_each_order_once(self, setup):
        store, temu, ss, _, services = setup
        for _ in range(250):
            o = temu_order(ship_to=address())
            temu.orders[o.parent_order_sn] = o
        happened = []
        read, create = temu.list_orders, ss.create_orders

        def list_orders(window, page, *, status=None, page_size=100, then=None):
            found = read(window, page, status=status, page_size=page_size, then=then)
            happened.append(f"page {status}/{page}") if found.orders else None
            return found

        def create_orders(batch):
            happened.append(f"send {len(batch)}")
            return create(batch)

        temu.list_orders, ss.create_orders = list_orders, create_orders
        summary = sync.sync_shop(services, sync.new_request(services, "acme"))
        assert summary.status is RunStatus.OK, summary.reason
        assert happened[:5] == ["page 2/1", "send 100", "page 2/2", "send 100", "page 2/3"]
        assert [e for e in happened if e.startswith("send")] == ["send 100", "send 100", "send 50"]
        assert happened[-1] == "send 50"  # after the last page (the fake reads them again)
        assert ss.calls == 3 and summary.counts["pushed"] == 250
        assert len({o.parent_order_sn for o in store.orders.rows.values()}) == 250
        assert not any(o.push_pending for o in store.orders.rows.values())

    def test_an_order_changed_while_its_batch_was_sent_stays_queued(self, setup):
        store, temu, ss, _, services = setup
        first = [temu_order(ship_to=address()) for _ in range(100)]
        for o in first:
            temu.orders[o.parent_order_sn] = o
        req = sync.new_request(services, "acme")
        summary = SyncSummary("acme")
        with PushQueue(services, req, summary) as queue:
            queue.joined(steps.import_page(services, req, Stream(None, 2), 1).count("push_queued"))
            queue.while_importing()  # the batch of 100 is sent (its answer taken in later)
            changed = replace(first[0], status=3, updated_at=first[0].updated_at)
            temu.orders[changed.parent_order_sn] = changed
            steps.import_page(services, req, Stream(None, None, (changed.parent_order_sn,)), 1)
        stored = store.orders.rows[("acme", first[0].parent_order_sn)]
        assert stored.pushed_state is OrderState.AWAITING_SHIPMENT  # what was sent
        assert stored.state is OrderState.CANCELLED and stored.push_pending  # sent next time
        assert not store.orders.rows[("acme", first[1].parent_order_sn)].push_pending
        assert summary.counts["pushed"] == 100 and ss.calls == 1

    def test_a_batch_that_failed_beside_the_import_is_sent_again_at_the_end(self, setup):
        _, temu, ss, _, services = setup
        for _ in range(120):
            o = temu_order(ship_to=address())
            temu.orders[o.parent_order_sn] = o
        create, calls = ss.create_orders, []

        def create_orders(batch):
            calls.append(len(batch))
            if len(calls) == 1:
                raise Unreachable("ShipStation", "http://ss.invalid", "ConnectError")
            return create(batch)

        ss.create_orders = create_orders
        summary = sync.sync_shop(services, sync.new_request(services, "acme"))
        assert summary.status is RunStatus.OK, summary.reason
        assert calls == [100, 100, 20] and summary.counts["push_deferred"] == 1
        assert len(ss.orders) == 120


class TestOneClock:
    def test_when_shipstation_took_an_order_is_shipstations_time_not_ours(self, setup):
        store, temu, ss, _, services = setup
        o = temu_order(ship_to=address())
        temu.orders[o.parent_order_sn] = o
        theirs = T0 - timedelta(minutes=3)  # ShipStation's clock runs behind ours
        push = ss.push
        ss.push = lambda orders: [replace(r, at=theirs) for r in push(orders)]
        sync.sync_shop(services, sync.new_request(services, "acme"))
        assert store.orders.rows[("acme", o.parent_order_sn)].pushed_at == theirs


class TestUnreachable:
    def test_an_api_that_cannot_be_reached_is_asked_once_a_run_and_named_once(self, setup):
        store, temu, _, _, services = setup
        asked = []

        def down(*args, **kwargs):
            asked.append(args)
            raise Unreachable("temu", "http://temu.invalid/openapi/router", "ConnectError")

        temu.list_orders = down
        temu.warehouses = down
        summary = sync.sync_shop(services, sync.new_request(services, "acme"))
        assert summary.status is RunStatus.PARTIAL and len(asked) == 1  # 5 streams, confirm: 1
        assert summary.reason.count("could not reach http://temu.invalid") == 1
        assert summary.counts["skipped_temu_unreachable"] >= 5
        assert store.cursors.get("acme", TEMU_CURSOR) is None
        assert dict(summary.counts).get("push_calls") is not None  # ShipStation still served
