"""The sync's steps (domain/usecases/sync.py) against in-memory fakes: windows, cursors, pausing."""

import threading
from dataclasses import replace
from datetime import timedelta

import pytest

from domain.errors import TokenExpired, Unreachable
from domain.model import OrderState
from domain.ports import Services
from domain.token import Token, TokenInfo
from domain.usecases import orders, sync
from domain.usecases.orders import OPEN_STATUSES
from domain.usecases.sync import TEMU_CURSOR, Stream, SyncSummary
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
        streams = sync.streams(services, sync.new_request(services, "acme"))
        assert [s.status for s in streams[: len(OPEN_STATUSES)]] == list(OPEN_STATUSES)
        (span,) = [s.window for s in streams if s.window]
        assert span.start == T0 - timedelta(days=7) and span.end == T0

    def test_later_syncs_start_at_the_cursor_minus_the_overlap(self, setup):
        store, *_, services = setup
        store.cursors.set("acme", TEMU_CURSOR, T0 - timedelta(hours=1))
        (stream,) = sync.streams(services, sync.new_request(services, "acme"))
        assert stream.window.start == T0 - timedelta(hours=1, minutes=10)

    def test_since_overrides_the_cursor(self, setup):
        store, *_, services = setup
        store.cursors.set("acme", TEMU_CURSOR, T0 - timedelta(hours=1))
        req = sync.new_request(services, "acme", since=T0 - timedelta(days=2))
        streams = sync.streams(services, req)
        assert streams[0].window.start == T0 - timedelta(days=2) and len(streams) == 1


class TestSteps:
    def test_pages_are_read_until_the_last_and_the_cursor_moves_after(self, setup):
        store, temu, ss, _, services = setup
        for _ in range(150):
            o = temu_order(ship_to=address())
            temu.orders[o.parent_order_sn] = o
        req = sync.new_request(services, "acme")
        stream = Stream(None, 2)
        assert sync.import_page(services, req, stream, 1).more is True
        assert sync.import_page(services, req, stream, 2).more is False
        assert store.cursors.get("acme", TEMU_CURSOR) is None
        sync.commit_temu_cursor(services, req)
        pushed = dict(sync.push(services, req).counts)["pushed"]
        assert store.cursors.get("acme", TEMU_CURSOR) == T0
        assert len(ss.orders) == 150 and pushed == 150

    def test_an_expired_token_pauses_the_shop_and_emits_one_event(self, setup):
        store, *_, events, services = setup
        error = TokenExpired("Temu", "access_token is expired", 3000034)
        req = sync.new_request(services, "acme")
        sync.pause(services, req, error, SyncSummary("acme"))
        sync.pause(services, req, error, SyncSummary("acme"))
        assert events.sent == [("temuship.token.expired", "acme")]
        assert store.shops.rows["acme"].paused


class TestPushLane:
    """Orders go to ShipStation as their batches fill, while Temu is still being read."""

    def test_full_batches_are_sent_during_the_import_and_each_order_once(self, setup):
        store, temu, ss, _, services = setup
        for _ in range(250):
            o = temu_order(ship_to=address())
            temu.orders[o.parent_order_sn] = o
        sent_before_last_page = threading.Event()
        read = temu.list_orders

        def list_orders(window, page, *, status=None, page_size=100):
            if status == 2 and page == 3:  # the last page waits (a little) for the first push
                sent_before_last_page.wait(timeout=10)
            return read(window, page, status=status, page_size=page_size)

        temu.list_orders = list_orders
        payloads = []
        create = ss.create_orders
        ss.create_orders = lambda batch: (
            payloads.extend(p["orderKey"] for p in batch),
            sent_before_last_page.set(),
            create(batch),
        )[-1]
        summary = sync.sync_shop(services, sync.new_request(services, "acme"))
        assert summary.status == "ok", summary.reason
        assert sent_before_last_page.is_set()
        assert len(payloads) == 250 and len(set(payloads)) == 250  # every order once
        assert ss.calls == 3 and summary.counts["pushed"] == 250  # 100 + 100 early, then 50
        assert not any(o.push_pending for o in store.orders.rows.values())

    def test_an_order_changed_while_its_batch_was_sent_stays_queued(self, setup):
        store, temu, ss, _, services = setup
        first = [temu_order(ship_to=address()) for _ in range(100)]
        for o in first:
            temu.orders[o.parent_order_sn] = o
        req = sync.new_request(services, "acme")
        sync.import_page(services, req, Stream(None, 2), 1)
        create = ss.create_orders

        def create_while_temu_changes_one(batch):
            changed = replace(first[0], status=3, updated_at=first[0].updated_at)
            temu.orders[changed.parent_order_sn] = changed
            sync.import_page(services, req, Stream(None, None, (changed.parent_order_sn,)), 1)
            return create(batch)

        ss.create_orders = create_while_temu_changes_one
        orders.push_changed_orders(services.uow, ss, "acme", req.ctx(services))
        stored = store.orders.rows[("acme", first[0].parent_order_sn)]
        assert stored.pushed_state is OrderState.AWAITING_SHIPMENT  # what was sent
        assert stored.state is OrderState.CANCELLED and stored.push_pending  # sent next time
        assert not store.orders.rows[("acme", first[1].parent_order_sn)].push_pending


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
        assert summary.status == "partial" and len(asked) == 1  # 5 streams and confirm: 1 call
        assert summary.reason.count("could not reach http://temu.invalid") == 1
        assert summary.counts["skipped_temu_unreachable"] >= 5
        assert store.cursors.get("acme", TEMU_CURSOR) is None
        assert dict(summary.counts).get("push_calls") is not None  # ShipStation still served
