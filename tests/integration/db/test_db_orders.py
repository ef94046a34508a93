"""Orders round-trip through storage whole: snapshot, lines, money, address, outbox, history."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

import pytest

from adapters.db import SqlUnitOfWork
from domain.confirmation import ConfirmationStatus
from domain.model import OrderState
from domain.ports import OrderReadFailure
from tests.integration.db.db_factories import T0, ctx, observed_order, random_sn, shipped_order

Uow = Callable[[], SqlUnitOfWork]


def save(uow: Uow, *orders) -> None:
    with uow() as work:
        work.orders.save_many(list(orders))
        work.commit()


def load(uow: Uow, shop_id: str, *sns: str):
    with uow() as work:
        return work.orders.get_many(shop_id, sns)


class TestOrderRoundTrip:
    def test_an_order_comes_back_equal_field_by_field(self, uow: Uow, shop_id: str) -> None:
        order = shipped_order(shop_id)
        order.pushed_payload = {"orderKey": order.key, "amount": "12.30", "items": [{"q": 1}]}
        order.pushed_digest, order.shipstation_order_id = "abc123", "9000000001"
        save(uow, order)

        back = load(uow, shop_id, order.parent_order_sn)[order.parent_order_sn]

        assert back.snapshot == order.snapshot
        assert back.snapshot is not None and order.snapshot is not None
        assert back.snapshot.raw == order.snapshot.raw
        assert back.snapshot.lines[0].unit_price == order.lines[0].unit_price
        assert str(back.snapshot.lines[0].unit_price) == "12.30 USD"
        assert back.ship_to == order.ship_to
        assert back.state is OrderState.SHIPPED
        assert back.confirmations == order.confirmations
        assert back.confirmations[0].status is ConfirmationStatus.PENDING
        assert back.pushed_payload == order.pushed_payload
        assert (back.pushed_digest, back.shipstation_order_id) == ("abc123", "9000000001")
        assert back.snapshot.updated_at.utcoffset() == timedelta(0)
        assert back.confirmations[0].created_at.tzinfo is not None

    def test_saving_bumps_the_version_and_clears_new_history(self, uow: Uow, shop_id: str) -> None:
        order = observed_order(shop_id)
        assert order.new_history
        save(uow, order)
        assert (order.version, order.new_history) == (1, [])
        save(uow, order)
        assert load(uow, shop_id, order.parent_order_sn)[order.parent_order_sn].version == 2

    def test_get_many_loads_only_the_asked_orders_of_the_shop(self, uow: Uow, shop_id: str) -> None:
        orders = [observed_order(shop_id) for _ in range(3)]
        other = observed_order(f"{shop_id}-other", orders[0].parent_order_sn)
        save(uow, *orders)
        save(uow, other)
        found = load(uow, shop_id, orders[0].parent_order_sn, orders[1].parent_order_sn, "nope")
        assert sorted(found) == sorted(o.parent_order_sn for o in orders[:2])
        assert all(o.shop_id == shop_id for o in found.values())

    def test_a_page_of_orders_is_saved_and_loaded_in_bulk(self, uow: Uow, shop_id: str) -> None:
        orders = [shipped_order(shop_id) for _ in range(120)]
        save(uow, *orders)
        found = load(uow, shop_id, *(o.parent_order_sn for o in orders))
        assert len(found) == 120
        assert all(len(o.confirmations) == 1 and len(o.lines) == 2 for o in found.values())

    def test_saving_the_same_order_twice_in_one_call_is_refused(
        self, uow: Uow, shop_id: str
    ) -> None:
        order = observed_order(shop_id)
        with uow() as work, pytest.raises(ValueError, match="same order twice"):
            work.orders.save_many([order, order])


class TestOrderQueries:
    def test_owners_of_lines_maps_known_lines_to_their_parent(self, uow: Uow, shop_id: str) -> None:
        order = observed_order(shop_id)
        save(uow, order)
        line_sns = [line.order_sn for line in order.lines]
        with uow() as work:
            owners = work.orders.owners_of_lines(shop_id, [*line_sns, "unknown"])
        assert owners == {sn: order.parent_order_sn for sn in line_sns}

    def test_push_queue_pages_pending_orders_by_parent_sn(self, uow: Uow, shop_id: str) -> None:
        orders = [observed_order(shop_id, f"PO-{i:03d}") for i in range(5)]
        orders[2].push_pending = False
        save(uow, *orders)
        with uow() as work:
            first = work.orders.push_queue(shop_id, limit=2)
            rest = work.orders.push_queue(shop_id, limit=10, after=first[-1].parent_order_sn)
        assert [o.parent_order_sn for o in first] == ["PO-000", "PO-001"]
        assert [o.parent_order_sn for o in rest] == ["PO-003", "PO-004"]

    def test_open_confirmations_are_the_pending_and_sent_ones(self, uow: Uow, shop_id: str) -> None:
        pending, sent, done = (shipped_order(shop_id) for _ in range(3))
        sent.confirmations[0].record_attempt(5, "WH-1")
        done.confirmations[0].settle_confirmed(T0, warnings=("late",))
        save(uow, pending, sent, done)
        with uow() as work:
            found = {c.parent_order_sn: c.status for c in work.orders.open_confirmations(shop_id)}
        assert found == {
            pending.parent_order_sn: ConfirmationStatus.PENDING,
            sent.parent_order_sn: ConfirmationStatus.SENT,
        }

    def test_history_is_oldest_first_with_or_without_the_shop(self, uow: Uow, shop_id: str) -> None:
        order = observed_order(shop_id, status=1)
        save(uow, order)
        order = load(uow, shop_id, order.parent_order_sn)[order.parent_order_sn]
        assert order.snapshot is not None
        order.observe(replace(order.snapshot, status=2), ctx(T0 + timedelta(hours=1)))
        order.note("pushed_to_shipstation", ctx(T0 + timedelta(hours=2)), "sent")
        save(uow, order)
        with uow() as work:
            mine = work.orders.history(shop_id, order.parent_order_sn)
            anywhere = work.orders.history(None, order.parent_order_sn)
        assert [(e.from_state, e.to_state) for e in mine] == [
            ("new", "on_hold"),
            ("on_hold", "awaiting_shipment"),
            ("awaiting_shipment", "awaiting_shipment"),
        ]
        assert [e.at for e in mine] == sorted(e.at for e in mine)
        assert anywhere == mine
        assert mine[0].run_id == "run-1" and mine[0].temu_code == 1

    def test_a_read_failure_keeps_its_raw_payload(self, uow: Uow, shop_id: str) -> None:
        sn = random_sn()
        failure = OrderReadFailure(sn, "no lines", {"parentOrderSn": sn, "x": [1, None]})
        with uow() as work:
            work.orders.record_read_failure(shop_id, failure, T0)
            work.commit()
        with uow() as work:
            assert work.orders.read_failures(shop_id) == [(T0, failure)]
