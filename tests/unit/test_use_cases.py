from dataclasses import replace
from datetime import timedelta
from types import SimpleNamespace

import pytest

from domain.confirmation import ConfirmationStatus
from domain.errors import (
    BusinessError,
    PermissionMissing,
    ShopPaused,
    TokenExpired,
    TokenRevoked,
    TransientError,
)
from domain.model import OrderState, Source
from domain.ports import OrderPage, OrderReadFailure, Services
from domain.secrets import Secret
from domain.sync import SyncRequest, SyncSummary
from domain.sync import confirming as shipments
from domain.sync.importing import apply_page
from domain.sync.pushing import PushQueue
from domain.token import Token, TokenInfo, TokenState
from domain.usecases import tokens
from tests.builders import T0, address, ctx, label, shop, temu_order
from tests.fakes import FakeShipStation, FakeStore, FakeTemu, FakeUnitOfWork, FixedClock


@pytest.fixture
def world():
    store, temu, ss, sh = FakeStore(), FakeTemu(), FakeShipStation(), shop("acme")
    store.shops.save(sh)
    store.tokens.save(
        Token.from_info(
            "acme", TokenInfo(1, 211, T0 + timedelta(days=60), tokens.REQUIRED_APIS), T0
        )
    )
    return store, temu, ss, sh


def uow_of(store):
    return lambda: FakeUnitOfWork(store)


def push_all(store, ss, shop_id="acme"):
    """Everything in the push queue sent, as the push step does (domain/sync/pushing.py)."""
    services = Services(
        uow=uow_of(store),
        temu_for=None,  # type: ignore[arg-type]
        shipstation_for=lambda s: ss,
        shop_lock=None,  # type: ignore[arg-type]
        clock=FixedClock(T0),
    )
    with PushQueue(services, SyncRequest(shop_id, T0), SyncSummary(shop_id)) as queue:
        result = queue.flush()
    failed = [(a.subject, a.reason) for a in result.attention]
    return SimpleNamespace(sent=result.count("pushed"), skipped=result.count("push_unchanged"),
                           failed=failed)  # fmt: skip


def page(*temu_orders, failures=()):
    return OrderPage(tuple(temu_orders), tuple(failures), 1, len(temu_orders), False)


def import_(world, *temu_orders, failures=()):
    store, temu, _, sh = world
    for o in temu_orders:
        temu.orders[o.parent_order_sn] = o
    return apply_page(FakeUnitOfWork(store), temu, sh, page(*temu_orders, failures=failures), ctx())


class TestImportPage:
    def test_orders_are_stored_in_one_bulk_write_with_their_history(self, world):
        store = world[0]
        plan = import_(world, temu_order(ship_to=address()), temu_order(status=1))
        assert plan.new_orders == 2 and store.orders.bulk_writes == 1
        assert sum(len(rows) for rows in store.orders.history_rows.values()) == 2

    def test_ship_to_is_fetched_only_where_needed(self, world):
        _, temu, _, _ = world
        waiting, pending, known = (
            temu_order(status=2),
            temu_order(status=1),
            temu_order(status=2, ship_to=address()),
        )
        temu.addresses[waiting.parent_order_sn] = address("Zoë")
        plan = import_(world, waiting, pending, known)
        assert temu.address_calls == 1
        assert plan.orders[waiting.parent_order_sn].state is OrderState.AWAITING_SHIPMENT
        assert plan.missing_ship_to == [pending.parent_order_sn]

    def test_a_failed_address_read_leaves_the_order_missing_and_says_why(self, world):
        _, temu, _, _ = world
        o = temu_order(status=2)
        temu.addresses[o.parent_order_sn] = TransientError("Temu", "timeout")
        plan = import_(world, o)
        assert plan.orders[o.parent_order_sn].state is OrderState.MISSING_SHIP_TO
        assert "timeout" in plan.problems[0][1]

    def test_an_expired_token_during_address_reads_stops_the_page(self, world):
        store, temu, _, _ = world
        o = temu_order(status=2)
        temu.addresses[o.parent_order_sn] = TokenExpired("Temu", "expired", 3000034)
        with pytest.raises(TokenExpired):
            import_(world, o)
        assert store.orders.rows == {}

    def test_missing_amount_permission_is_asked_once_per_shop(self, world):
        store, temu, _, _ = world
        temu.amounts_error = PermissionMissing("Temu", "no", 3000032, "bg.order.amount.query")
        import_(world, temu_order(ship_to=address()), temu_order(ship_to=address()))
        import_(world, temu_order(ship_to=address()))
        assert temu.amount_calls == 1 and store.shops.rows["acme"].amounts_permission is False

    def test_a_bad_order_is_kept_for_replay_and_reported(self, world):
        store = world[0]
        bad = OrderReadFailure("PO-211-1", "missing field parentOrderStatus", {"x": 1})
        plan = import_(world, temu_order(ship_to=address()), failures=[bad])
        assert store.orders.failures == [bad] and plan.problems[-1][0] == "PO-211-1"

    def test_the_same_page_again_changes_nothing(self, world):
        store = world[0]
        o = temu_order(ship_to=address())
        import_(world, o)
        push_all(store, world[2])
        before = sum(len(r) for r in store.orders.history_rows.values())
        plan = import_(world, o)
        assert plan.changed == 0 and plan.queued == 0
        assert sum(len(r) for r in store.orders.history_rows.values()) == before


class TestPush:
    def push(self, world):
        store, _, ss, sh = world
        return push_all(store, ss, sh.shop_id)

    def test_orders_go_in_batches_of_100_and_a_second_run_sends_none(self, world):
        ss = world[2]
        import_(world, *[temu_order(ship_to=address()) for _ in range(250)])
        first = self.push(world)
        assert (first.sent, ss.calls) == (250, 3)
        assert self.push(world).sent == 0 and ss.calls == 3

    def test_orders_that_need_no_push_do_not_waste_a_batch(self, world):
        ss = world[2]
        orders_ = [temu_order(ship_to=address() if i % 2 else None) for i in range(300)]
        import_(world, *orders_)
        summary = self.push(world)
        assert (summary.sent, summary.skipped, ss.calls) == (150, 150, 2)

    def test_orders_missing_a_ship_to_never_reach_shipstation(self, world):
        ss = world[2]
        import_(world, temu_order(status=2))
        assert self.push(world).sent == 0 and ss.orders == {}

    def test_a_refused_row_fails_alone_and_is_retried_next_time(self, world):
        store, _, ss, _ = world
        good, bad = temu_order(ship_to=address()), temu_order(ship_to=address())
        import_(world, good, bad)
        ss.reject["temu-acme-" + bad.parent_order_sn] = "orderDate is required"
        summary = self.push(world)
        assert summary.sent == 1 and summary.failed[0][0] == bad.parent_order_sn
        stored = store.orders.rows[("acme", bad.parent_order_sn)]
        assert stored.push_pending and "orderDate" in stored.push_error
        del ss.reject["temu-acme-" + bad.parent_order_sn]
        assert self.push(world).sent == 1

    def test_a_status_change_is_pushed_once_and_cancelled_is_never_sent_again(self, world):
        ss = world[2]
        o = temu_order(ship_to=address())
        import_(world, o)
        self.push(world)
        import_(world, temu_order(o.parent_order_sn, 3, ship_to=address()))
        assert self.push(world).sent == 1
        assert ss.orders[f"temu-acme-{o.parent_order_sn}"]["orderStatus"] == "cancelled"
        import_(world, temu_order(o.parent_order_sn, 4, ship_to=address()))
        assert self.push(world).sent == 0


class TestConfirmations:
    def setup_order(self, world, line_count=1):
        o = temu_order(ship_to=address(), line_count=line_count)
        import_(world, o)
        return o

    def labels(self, world, *lbs):
        store = world[0]
        return shipments.record_labels(
            FakeUnitOfWork(store), "acme", list(lbs), ctx(Source.SHIPSTATION)
        )

    def send(self, world):
        store, temu, _, sh = world
        shipping = shipments.Shipping(temu.carriers(211), store.carriers.overrides("acme"), "WH-1")
        return shipments.send_confirmations(uow_of(store), temu, sh, shipping, ctx())

    def test_a_full_label_is_confirmed_once_across_reruns(self, world):
        temu = world[1]
        o = self.setup_order(world)
        lb = label(o)
        self.labels(world, lb)
        assert self.send(world).confirmed == 1
        self.labels(world, lb)
        assert self.send(world).calls == 0
        (request,) = temu.confirmed
        assert request.send_type == 0 and request.packages[0].carrier_id == 998264743
        assert request.packages[0].items[0].sku_id == o.lines[0].sku_id

    def test_several_packages_for_one_order_use_the_multi_package_form(self, world):
        temu = world[1]
        o = self.setup_order(world, line_count=2)
        self.labels(world, label(o, o.lines[0].order_sn), label(o, o.lines[1].order_sn))
        self.send(world)
        (request,) = temu.confirmed
        assert request.send_type == 1 and len(request.packages) == 2

    def test_one_package_for_two_merged_orders_is_one_call_of_send_type_2(self, world):
        store, temu = world[0], world[1]
        first, second = self.setup_order(world), self.setup_order(world)
        a, b = label(first), label(second)
        merged = replace(a, lines=a.lines + b.lines)
        self.labels(world, merged)
        summary = self.send(world)
        (request,) = temu.confirmed
        assert request.send_type == 2 and len(request.packages) == 1
        assert {i.parent_order_sn for i in request.packages[0].items} == {
            first.parent_order_sn,
            second.parent_order_sn,
        }
        assert summary.confirmed == 2 and self.send(world).calls == 0
        for o in (first, second):
            conf = store.orders.rows[("acme", o.parent_order_sn)].confirmations[0]
            assert conf.status is ConfirmationStatus.CONFIRMED

    def sent_then_voided(self, world, reached_temu):
        """A confirmation sent by a run that stopped before Temu answered, then its label
        voided in ShipStation: Temu got it or not."""
        store = world[0]
        o = self.setup_order(world)
        lb = label(o)
        self.labels(world, lb)
        if reached_temu:
            self.send(world)
        conf = store.orders.rows[("acme", o.parent_order_sn)].confirmations[0]
        conf.status, conf.error_code = ConfirmationStatus.SENT, None  # its answer never came
        self.labels(world, replace(lb, voided=True))
        return o, conf

    def test_a_void_while_sending_was_in_doubt_is_never_sent_when_temu_lacks_it(self, world):
        store, temu = world[0], world[1]
        o, _ = self.sent_then_voided(world, reached_temu=False)
        summary = self.send(world)
        assert temu.confirmed == [] and summary.calls == 0
        conf = store.orders.rows[("acme", o.parent_order_sn)].confirmations[0]
        assert conf.status is ConfirmationStatus.VOIDED
        assert self.send(world).calls == 0 and temu.confirmed == []

    def test_a_void_while_sending_was_in_doubt_is_reported_when_temu_has_it(self, world):
        store, temu = world[0], world[1]
        o, _ = self.sent_then_voided(world, reached_temu=True)
        summary = self.send(world)
        assert len(temu.confirmed) == 1 and summary.calls == 0  # nothing sent again
        conf = store.orders.rows[("acme", o.parent_order_sn)].confirmations[0]
        assert conf.status is ConfirmationStatus.CONFIRMED
        assert "correct it in Temu" in summary.failed[0][1]

    def test_a_partial_label_confirms_only_its_lines(self, world):
        temu = world[1]
        o = self.setup_order(world, line_count=3)
        self.labels(world, label(o, o.lines[1].order_sn))
        self.send(world)
        items = temu.confirmed[0].packages[0].items
        assert [i.order_sn for i in items] == [o.lines[1].order_sn]

    def test_an_unmapped_carrier_waits_with_the_command_that_fixes_it(self, world):
        store, temu = world[0], world[1]
        o = self.setup_order(world)
        self.labels(world, label(o, carrier="asendia"))
        summary = self.send(world)
        assert (
            temu.confirmed == []
            and "temuship carriers acme --map asendia=" in summary.waiting[0][1]
        )
        store.carriers.set_override("acme", "asendia", 42)
        assert self.send(world).confirmed == 1

    def test_a_business_refusal_is_kept_with_temus_code_and_message(self, world):
        store, temu = world[0], world[1]
        o = self.setup_order(world)
        temu.confirm_error = BusinessError("Temu", "Tracking number has been used", 120014004)
        self.labels(world, label(o))
        summary = self.send(world)
        conf = store.orders.rows[("acme", o.parent_order_sn)].confirmations[0]
        assert conf.status is ConfirmationStatus.FAILED and conf.error_code == "120014004"
        assert summary.failed and self.send(world).calls == 0

    def test_a_transient_failure_stays_pending_and_is_retried(self, world):
        store, temu = world[0], world[1]
        o = self.setup_order(world)
        temu.confirm_error = TransientError("Temu", "timed out")
        self.labels(world, label(o))
        self.send(world)
        conf = store.orders.rows[("acme", o.parent_order_sn)].confirmations[0]
        assert conf.status is ConfirmationStatus.PENDING and conf.attempts == 1
        temu.confirm_error = None
        assert self.send(world).confirmed == 1

    def test_a_label_with_unknown_lines_is_flagged_not_guessed(self, world):
        o = self.setup_order(world)
        stranger = label(temu_order())
        plan = self.labels(world, label(o), stranger)
        assert plan.unresolved and plan.unresolved[0][0] == stranger.shipment_id


class TestTokens:
    def test_the_gate_pauses_a_shop_whose_token_expired_by_the_clock(self, world):
        store = world[0]
        with pytest.raises(ShopPaused, match="expired"):
            tokens.check_before_sync(FakeUnitOfWork(store), "acme", ctx(at=T0 + timedelta(days=61)))

    def test_an_api_expiry_pauses_the_shop_once(self, world):
        store = world[0]
        err = TokenExpired("Temu", "access_token is expired", 3000034)
        assert tokens.pause_for(FakeUnitOfWork(store), "acme", err, ctx()) is True
        assert tokens.pause_for(FakeUnitOfWork(store), "acme", err, ctx()) is False
        assert store.shops.rows["acme"].paused
        assert store.tokens.rows["acme"].state is TokenState.EXPIRED

    @pytest.mark.parametrize("days_left", [14, 7, 3, 1])
    def test_the_watch_warns_once_per_threshold(self, world, days_left):
        store = world[0]
        at = T0 + timedelta(days=60 - days_left)
        first = tokens.watch_token(FakeUnitOfWork(store), "acme", ctx(at=at))
        again = tokens.watch_token(FakeUnitOfWork(store), "acme", ctx(at=at))
        assert first.threshold == days_left and first.newly_warned and not again.newly_warned

    def test_reauthorize_stores_the_new_token_and_resumes_the_shop(self, world):
        store = world[0]
        tokens.pause_for(FakeUnitOfWork(store), "acme", TokenExpired("Temu", "x", 3000034), ctx())
        info = TokenInfo(1, 211, T0 + timedelta(days=365), tokens.REQUIRED_APIS)
        tokens.accept_new_token(
            FakeUnitOfWork(store), "acme", Secret("new-token-0123456789"), lambda _: info, ctx()
        )
        assert not store.shops.rows["acme"].paused
        assert store.shops.rows["acme"].temu.access_token.reveal() == "new-token-0123456789"
        assert store.tokens.rows["acme"].state is TokenState.ACTIVE

    def test_a_wrong_new_token_is_refused_and_the_shop_stays_paused(self, world):
        store = world[0]
        tokens.pause_for(FakeUnitOfWork(store), "acme", TokenExpired("Temu", "x", 3000034), ctx())

        def refuse(_):
            raise TokenRevoked("Temu", "access_token not exists.", 3000031)

        with pytest.raises(TokenRevoked):
            tokens.accept_new_token(
                FakeUnitOfWork(store), "acme", Secret("bad-token-0123456789"), refuse, ctx()
            )
        assert store.shops.rows["acme"].paused

    def test_a_token_missing_an_api_is_refused_with_what_to_tick(self, world):
        store = world[0]
        info = TokenInfo(1, 211, None, frozenset({"bg.order.list.v2.get"}))
        with pytest.raises(PermissionMissing, match="seller centre"):
            tokens.accept_new_token(
                FakeUnitOfWork(store), "acme", Secret("new-token-0123456789"), lambda _: info, ctx()
            )
