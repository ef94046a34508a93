from dataclasses import replace
from datetime import timedelta
from types import SimpleNamespace

import pytest

from domain.confirmation import ConfirmationStatus
from domain.model import OrderState, Source
from domain.order import Order, Pushed
from domain.order_machine import MACHINE, TEMU_GUARDS
from domain.status import STATUS_RULES, target_state
from tests.builders import T0, address, ctx, label, temu_order

SS = Source.SHIPSTATION


def imported(line_count: int = 1, status: int = 2) -> tuple[Order, object]:
    seen = temu_order("PO-1", status, ship_to=address(), line_count=line_count)
    order = Order("shop", "PO-1")
    order.observe(seen, ctx())
    return order, seen


class TestMissingShipTo:
    def test_an_order_without_ship_to_is_never_importable(self):
        order = Order("shop", "PO-1")
        order.observe(temu_order("PO-1", 2), ctx())
        assert order.state is OrderState.MISSING_SHIP_TO
        assert not order.importable

    def test_it_becomes_importable_when_the_address_arrives(self):
        order = Order("shop", "PO-1")
        order.observe(temu_order("PO-1", 2), ctx())
        entry = order.observe(temu_order("PO-1", 2, ship_to=address()), ctx())
        assert entry is not None and entry.event == "address_arrived"
        assert order.state is OrderState.AWAITING_SHIPMENT
        assert order.importable and order.push_pending

    def test_a_pending_order_without_address_waits_for_it(self):
        order = Order("shop", "PO-1")
        order.observe(temu_order("PO-1", 1), ctx())
        assert order.state is OrderState.MISSING_SHIP_TO

    def test_a_known_address_is_kept_when_temu_stops_giving_it(self):
        order, _ = imported()
        order.observe(temu_order("PO-1", 41), ctx())
        assert order.ship_to is not None and order.snapshot.ship_to is not None


class TestLockedStates:
    def test_cancel_after_shipped_is_a_recorded_conflict_not_applied(self):
        order, _ = imported(status=4)
        entry = order.observe(temu_order("PO-1", 3, ship_to=address()), ctx())
        assert order.state is OrderState.SHIPPED
        assert entry is not None and not entry.accepted and entry.conflict
        assert "conflict" in entry.reason

    def test_awaiting_after_cancelled_is_a_conflict(self):
        order, _ = imported(status=3)
        entry = order.observe(temu_order("PO-1", 2, ship_to=address()), ctx())
        assert order.state is OrderState.CANCELLED and entry.conflict

    def test_shipped_to_delivered_changes_nothing(self):
        order, _ = imported(status=4)
        entry = order.observe(temu_order("PO-1", 5, ship_to=address()), ctx())
        assert entry.accepted and entry.from_state == entry.to_state == "shipped"
        assert order.temu_status == 5

    def test_temu_still_awaiting_after_our_label_is_not_a_conflict(self):
        order, seen = imported()
        order.record_label(label(seen), label(seen).lines, ctx(SS))
        entry = order.observe(temu_order("PO-1", 41, ship_to=address()), ctx())
        assert order.state is OrderState.SHIPPED
        assert not entry.accepted and not entry.conflict


class TestLabels:
    def test_a_label_for_all_lines_ships_the_order_and_queues_one_confirmation(self):
        order, seen = imported(line_count=2)
        lb = label(seen)
        entry = order.record_label(lb, lb.lines, ctx(SS))
        assert entry.accepted and order.state is OrderState.SHIPPED
        assert [c.shipment_id for c in order.confirmations] == [lb.shipment_id]
        assert len(order.confirmations[0].lines) == 2

    def test_a_partial_label_queues_those_lines_only_and_the_order_stays_open(self):
        order, seen = imported(line_count=3)
        first = seen.lines[0].order_sn
        lb = label(seen, first)
        order.record_label(lb, lb.lines, ctx(SS))
        assert order.state is OrderState.AWAITING_SHIPMENT
        assert [ln.order_sn for ln in order.confirmations[0].lines] == [first]
        assert order.remaining_line_sns() == {ln.order_sn for ln in seen.lines[1:]}

    def test_the_last_partial_label_ships_the_order(self):
        order, seen = imported(line_count=2)
        for line in seen.lines:
            lb = label(seen, line.order_sn)
            order.record_label(lb, lb.lines, ctx(SS))
        assert order.state is OrderState.SHIPPED and len(order.confirmations) == 2

    def test_the_same_label_seen_again_records_nothing(self):
        order, seen = imported()
        lb = label(seen)
        order.record_label(lb, lb.lines, ctx(SS))
        count = len(order.new_history)
        assert order.record_label(lb, lb.lines, ctx(SS)) is None
        assert len(order.new_history) == count

    def test_a_second_package_for_the_same_lines_adds_tracking_before_sending(self):
        order, seen = imported()
        first, second = label(seen), label(seen)
        order.record_label(first, first.lines, ctx(SS))
        order.record_label(second, second.lines, ctx(SS))
        assert len(order.confirmations) == 1
        assert order.confirmations[0].extra_tracking == (second.tracking_number,)

    def test_a_label_for_lines_already_sent_is_refused_and_reported(self):
        order, seen = imported()
        first, second = label(seen), label(seen)
        order.record_label(first, first.lines, ctx(SS))
        order.confirmations[0].record_attempt(1, "WH-1")
        entry = order.record_label(second, second.lines, ctx(SS))
        assert not entry.accepted
        refused = order.confirmation(second.shipment_id)
        assert (
            refused.status is ConfirmationStatus.FAILED
            and "already confirmed" in refused.last_error
        )

    def test_a_label_on_an_order_missing_its_ship_to_is_refused(self):
        order = Order("shop", "PO-1")
        seen = temu_order("PO-1", 2)
        order.observe(seen, ctx())
        lb = label(seen)
        entry = order.record_label(lb, lb.lines, ctx(SS))
        assert not entry.accepted and not order.confirmations


class TestVoids:
    def test_voiding_an_unsent_label_drops_its_confirmation_and_reopens_the_lines(self):
        order, seen = imported()
        lb = label(seen)
        order.record_label(lb, lb.lines, ctx(SS))
        voided = label(seen, shipment_id=lb.shipment_id, tracking=lb.tracking_number, voided=True)
        entry = order.record_label(voided, voided.lines, ctx(SS))
        assert entry.accepted and order.state is OrderState.SHIPPED
        assert order.confirmations[0].status is ConfirmationStatus.VOIDED
        assert order.remaining_line_sns() == {seen.lines[0].order_sn}

    def test_a_new_label_after_a_void_is_confirmed(self):
        order, seen = imported()
        lb = label(seen)
        order.record_label(lb, lb.lines, ctx(SS))
        voided = label(seen, shipment_id=lb.shipment_id, voided=True)
        order.record_label(voided, voided.lines, ctx(SS))
        again = label(seen)
        assert order.record_label(again, again.lines, ctx(SS)).accepted
        assert order.confirmation(again.shipment_id).is_open

    def test_voiding_after_temu_confirmed_is_refused_with_advice(self):
        order, seen = imported()
        lb = label(seen)
        order.record_label(lb, lb.lines, ctx(SS))
        order.confirmations[0].record_attempt(1, "WH-1")
        order.confirmations[0].settle_confirmed(T0)
        voided = label(seen, shipment_id=lb.shipment_id, voided=True)
        entry = order.record_label(voided, voided.lines, ctx(SS))
        assert not entry.accepted and "correct it in Temu" in entry.reason
        assert "correct it in Temu" in order.confirmations[0].last_error
        assert order.record_label(voided, voided.lines, ctx(SS)) is None  # said once

    def test_voiding_while_the_sending_is_in_doubt_stops_it_from_being_sent_again(self):
        order, seen = imported()
        lb = label(seen)
        order.record_label(lb, lb.lines, ctx(SS))
        order.confirmations[0].record_attempt(1, "WH-1")  # the run stopped before Temu answered
        voided = label(seen, shipment_id=lb.shipment_id, voided=True)
        entry = order.record_label(voided, voided.lines, ctx(SS))
        assert not entry.accepted and "not sent again" in entry.reason
        assert order.confirmations[0].voided_in_doubt
        assert order.record_label(voided, voided.lines, ctx(SS)) is None  # said once

    def test_a_void_in_doubt_that_never_reached_temu_is_dropped_and_reopens_the_lines(self):
        order, seen = imported()
        lb = label(seen)
        order.record_label(lb, lb.lines, ctx(SS))
        order.confirmations[0].record_attempt(1, "WH-1")
        voided = label(seen, shipment_id=lb.shipment_id, voided=True)
        order.record_label(voided, voided.lines, ctx(SS))
        entry = order.settle_void_in_doubt(order.confirmations[0], False, ctx(SS))
        assert entry.event == "label_voided" and "never received" in entry.reason
        assert order.confirmations[0].status is ConfirmationStatus.VOIDED
        assert not order.confirmations[0].voided_in_doubt
        assert order.remaining_line_sns() == {seen.lines[0].order_sn}

    def test_a_void_in_doubt_that_temu_recorded_is_confirmed_with_advice(self):
        order, seen = imported()
        lb = label(seen)
        order.record_label(lb, lb.lines, ctx(SS))
        order.confirmations[0].record_attempt(1, "WH-1")
        voided = label(seen, shipment_id=lb.shipment_id, voided=True)
        order.record_label(voided, voided.lines, ctx(SS))
        entry = order.settle_void_in_doubt(order.confirmations[0], True, ctx(SS))
        assert not entry.accepted and "correct it in Temu" in entry.reason
        conf = order.confirmations[0]
        assert conf.status is ConfirmationStatus.CONFIRMED and not conf.voided_in_doubt
        assert order.record_label(voided, voided.lines, ctx(SS)) is None  # said once


class TestHistory:
    def test_each_event_yields_one_entry_with_its_context(self):
        order = Order("shop", "PO-1")
        order.observe(temu_order("PO-1", 1), ctx(run="r7"))
        order.observe(temu_order("PO-1", 2, ship_to=address()), ctx(run="r8"))
        assert [(e.from_state, e.to_state, e.run_id, e.temu_code) for e in order.new_history] == [
            ("new", "missing_ship_to", "r7", 1),
            ("missing_ship_to", "awaiting_shipment", "r8", 2),
        ]

    def test_an_unchanged_observation_writes_nothing(self):
        order, seen = imported()
        count = len(order.new_history)
        assert order.observe(seen, ctx()) is None
        assert len(order.new_history) == count


class TestTheMachineIsData:
    def test_one_machine_serves_every_order(self):
        a, b = Order("shop", "PO-A"), Order("shop", "PO-B")
        a.observe(temu_order("PO-A", 2, ship_to=address()), ctx())
        b.observe(temu_order("PO-B", 3), ctx())
        assert MACHINE.models == []
        assert (a.state, b.state) == (OrderState.AWAITING_SHIPMENT, OrderState.CANCELLED)

    @pytest.mark.parametrize("code", [rule.code for rule in STATUS_RULES] + [0, 8, 99])
    def test_the_temu_guards_read_the_status_table(self, code):
        event = SimpleNamespace(kwargs={"temu_code": code})
        says = {name for name, guard in TEMU_GUARDS.items() if guard(event)}
        target = target_state(code)
        expected = {f"temu_says_{target.value}"} if target else {"temu_status_unknown"}
        if target in (OrderState.ON_HOLD, OrderState.AWAITING_SHIPMENT):
            expected.add("temu_wants_import")
        assert says == expected


class TestShipStationClosedByLabels:
    """ShipStation takes the status we send; labels bought after that close the order there."""

    def shipped_by_label(self, pushed_at, label_at):
        order, seen = imported()
        payload = {"items": [{"lineItemKey": ln.order_sn} for ln in seen.lines]}
        order.mark_pushed(Pushed(payload, "digest-awaiting", "1", at=pushed_at), ctx(at=pushed_at))
        lb = replace(label(seen), created_at=label_at)
        order.record_label(lb, lb.lines, ctx(SS, at=pushed_at + timedelta(minutes=5)))
        assert order.state is OrderState.SHIPPED
        return order

    def test_a_label_bought_after_our_last_send_closed_the_order_there(self):
        order = self.shipped_by_label(pushed_at=T0, label_at=T0 + timedelta(minutes=1))
        assert not order.needs_push("digest-shipped")

    def test_a_label_bought_before_our_last_send_did_not_so_shipped_is_sent(self):
        order = self.shipped_by_label(pushed_at=T0, label_at=T0 - timedelta(minutes=1))
        assert order.needs_push("digest-shipped")
        assert not order.needs_push("digest-awaiting")  # nothing new: not sent again
