"""The sync's steps (flows/sync_run.py) against in-memory fakes: windows, cursors, pausing."""

from datetime import timedelta

import pytest

from domain.errors import TokenExpired
from domain.services.orders import OPEN_STATUSES
from domain.services.tokens import REQUIRED_APIS
from domain.token import Token, TokenInfo
from flows.sync_run import TEMU_CURSOR, ShopSync, Stream
from flows.wiring import Services
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
        streams = ShopSync(services, "acme").streams()
        assert [s.status for s in streams[: len(OPEN_STATUSES)]] == list(OPEN_STATUSES)
        windows = [s.window for s in streams if s.window]
        assert windows[0].start == T0 - timedelta(days=7) and windows[-1].end == T0
        assert all(w.end - w.start <= timedelta(days=1) for w in windows)

    def test_later_syncs_start_at_the_cursor_minus_the_overlap(self, setup):
        store, *_, services = setup
        store.cursors.set("acme", TEMU_CURSOR, T0 - timedelta(hours=1))
        (stream,) = ShopSync(services, "acme").streams()
        assert stream.window.start == T0 - timedelta(hours=1, minutes=10)

    def test_since_overrides_the_cursor(self, setup):
        store, *_, services = setup
        store.cursors.set("acme", TEMU_CURSOR, T0 - timedelta(hours=1))
        streams = ShopSync(services, "acme", since=T0 - timedelta(days=2)).streams()
        assert streams[0].window.start == T0 - timedelta(days=2) and len(streams) == 2


class TestSteps:
    def test_pages_are_read_until_the_last_and_the_cursor_moves_after(self, setup):
        store, temu, ss, _, services = setup
        for _ in range(150):
            o = temu_order(ship_to=address())
            temu.orders[o.parent_order_sn] = o
        run = ShopSync(services, "acme")
        stream = Stream(None, 2)
        assert run.import_page(stream, 1) is True
        assert run.import_page(stream, 2) is False
        assert store.cursors.get("acme", TEMU_CURSOR) is None
        run.commit_temu_cursor()
        run.push()
        assert store.cursors.get("acme", TEMU_CURSOR) == T0
        assert len(ss.orders) == 150 and run.outcome.counts["pushed"] == 150

    def test_an_expired_token_pauses_the_shop_and_emits_one_event(self, setup):
        store, *_, events, services = setup
        error = TokenExpired("Temu", "access_token is expired", 3000034)
        ShopSync(services, "acme").pause(error)
        ShopSync(services, "acme").pause(error)
        assert events.sent == [("temuship.token.expired", "acme")]
        assert store.shops.rows["acme"].paused
