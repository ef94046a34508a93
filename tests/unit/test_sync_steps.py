"""The sync's steps (domain/usecases/sync.py) against in-memory fakes: windows, cursors, pausing."""

from datetime import timedelta

import pytest

from domain.errors import TokenExpired
from domain.ports import Services
from domain.token import Token, TokenInfo
from domain.usecases import sync
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
