"""One change, one transaction: state and history commit together or not at all."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import Engine, func, insert, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from adapters.db import ConcurrentUpdate, SqlUnitOfWork
from adapters.db.repos.order_rows import confirmation_row
from adapters.db.tables import CONFIRMATIONS, ORDER_HISTORY, ORDERS
from domain.order import Order
from tests.integration.db.db_factories import T0, ctx, observed_order, random_sn, shipped_order

Uow = Callable[[], SqlUnitOfWork]


def count(engine: Engine, table, **where) -> int:
    query = select(func.count()).select_from(table)
    for column, value in where.items():
        query = query.where(table.c[column] == value)
    with engine.connect() as connection:
        return int(connection.execute(query).scalar_one())


def create(uow: Uow, order: Order) -> None:
    with uow() as work:
        work.orders.save_many([order])
        work.commit()


class TestAtomicity:
    def test_an_error_leaves_neither_the_state_change_nor_its_history(
        self, engine: Engine, uow: Uow, shop_id: str
    ) -> None:
        order = observed_order(shop_id)
        with pytest.raises(RuntimeError), uow() as work:
            work.orders.save_many([order])
            raise RuntimeError("the flow failed after the save")
        assert count(engine, ORDERS, shop_id=shop_id) == 0
        assert count(engine, ORDER_HISTORY, shop_id=shop_id) == 0

    def test_leaving_without_commit_rolls_back_a_transition(
        self, engine: Engine, uow: Uow, shop_id: str
    ) -> None:
        create(uow, observed_order(shop_id, "PO-1", status=1))
        with uow() as work:
            order = work.orders.get_many(shop_id, ["PO-1"])["PO-1"]
            assert order.snapshot is not None
            order.observe(replace(order.snapshot, status=2), ctx(T0 + timedelta(hours=1)))
            work.orders.save_many([order])
        with uow() as work:
            assert work.orders.get_many(shop_id, ["PO-1"])["PO-1"].state.value == "on_hold"
            assert len(work.orders.history(shop_id, "PO-1")) == 1

    def test_a_stale_order_in_a_batch_rolls_back_the_whole_batch(
        self, engine: Engine, uow: Uow, shop_id: str
    ) -> None:
        create(uow, observed_order(shop_id, "PO-OLD"))
        fresh, stale = observed_order(shop_id, "PO-NEW"), observed_order(shop_id, "PO-OLD")
        with pytest.raises(ConcurrentUpdate) as raised, uow() as work:
            work.orders.save_many([fresh, stale])
            work.commit()
        assert raised.value.parent_order_sns == ("PO-OLD",)
        assert count(engine, ORDERS, shop_id=shop_id) == 1
        assert count(engine, ORDER_HISTORY, shop_id=shop_id, parent_order_sn="PO-NEW") == 0


class TestConcurrentWriters:
    def test_a_stale_version_is_detected(self, engine: Engine, uow: Uow, shop_id: str) -> None:
        create(uow, observed_order(shop_id, "PO-1"))
        with uow() as first, uow() as second:
            mine = first.orders.get_many(shop_id, ["PO-1"])["PO-1"]
            theirs = second.orders.get_many(shop_id, ["PO-1"])["PO-1"]
            mine.note("operator_note", ctx(), "first writer")
            first.orders.save_many([mine])
            first.commit()
            theirs.note("operator_note", ctx(), "second writer")
            with pytest.raises(ConcurrentUpdate, match="reload and retry"):
                second.orders.save_many([theirs])
        with uow() as work:
            reasons = [e.reason for e in work.orders.history(shop_id, "PO-1")]
            assert work.orders.get_many(shop_id, ["PO-1"])["PO-1"].version == 2
        assert "first writer" in reasons and "second writer" not in reasons

    def test_a_second_writer_blocked_behind_the_first_cannot_create_it_again(
        self, engine: Engine, uow: Uow, shop_id: str
    ) -> None:
        sn, outcome = random_sn(), {}

        def second_writer() -> None:
            try:
                create(uow, observed_order(shop_id, sn))
                outcome["second"] = "committed"
            except ConcurrentUpdate as error:
                outcome["second"] = error

        with uow() as work:
            work.orders.save_many([observed_order(shop_id, sn)])
            thread = threading.Thread(target=second_writer)
            thread.start()
            thread.join(timeout=0.5)
            assert thread.is_alive(), "the second writer should wait for the first"
            work.commit()
        thread.join(timeout=30)
        assert isinstance(outcome["second"], ConcurrentUpdate)
        assert count(engine, ORDERS, shop_id=shop_id, parent_order_sn=sn) == 1
        assert count(engine, ORDER_HISTORY, shop_id=shop_id, parent_order_sn=sn) == 1

    def test_racing_writers_leave_exactly_one_row(
        self, engine: Engine, uow: Uow, shop_id: str
    ) -> None:
        sn, start, results = random_sn(), threading.Barrier(4), []

        def writer() -> None:
            start.wait()
            try:
                create(uow, observed_order(shop_id, sn))
                results.append("committed")
            except ConcurrentUpdate:
                results.append("refused")

        threads = [threading.Thread(target=writer) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert sorted(results) == ["committed", "refused", "refused", "refused"]
        assert count(engine, ORDERS, shop_id=shop_id, parent_order_sn=sn) == 1


class TestOutbox:
    def test_one_shipment_is_one_row_however_often_it_is_saved(
        self, engine: Engine, uow: Uow, shop_id: str
    ) -> None:
        order = shipped_order(shop_id)
        create(uow, order)
        shipment_id = order.confirmations[0].shipment_id
        with uow() as work:
            again = work.orders.get_many(shop_id, [order.parent_order_sn])[order.parent_order_sn]
            again.confirmations[0].record_attempt(17, "WH-1")
            again.confirmations.append(again.confirmations[0].with_extra_tracking("1ZEXTRA"))
            work.orders.save_many([again])
            work.commit()
        assert count(engine, CONFIRMATIONS, shop_id=shop_id, shipment_id=shipment_id) == 1
        with uow() as work:
            (stored,) = work.orders.open_confirmations(shop_id)
        assert (stored.status.value, stored.temu_carrier_id) == ("sent", 17)
        assert stored.extra_tracking == ("1ZEXTRA",)

    def test_the_database_refuses_a_second_row_for_a_shipment(
        self, engine: Engine, uow: Uow, shop_id: str
    ) -> None:
        order = shipped_order(shop_id)
        create(uow, order)
        row = confirmation_row(order.confirmations[0], T0)
        with pytest.raises(IntegrityError), engine.begin() as connection:
            connection.execute(insert(CONFIRMATIONS), [row])


class TestAppendOnlyHistory:
    @pytest.mark.parametrize(
        "statement",
        [
            "UPDATE order_history SET reason = 'rewritten' WHERE shop_id = :shop",
            "DELETE FROM order_history WHERE shop_id = :shop",
        ],
    )
    def test_the_database_refuses_to_change_history(
        self, engine: Engine, uow: Uow, shop_id: str, statement: str
    ) -> None:
        create(uow, observed_order(shop_id))
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
            connection.execute(text(statement), {"shop": shop_id})
        assert count(engine, ORDER_HISTORY, shop_id=shop_id) == 1
        with engine.connect() as connection:
            reasons = connection.execute(
                select(ORDER_HISTORY.c.reason).where(ORDER_HISTORY.c.shop_id == shop_id)
            ).scalars()
            assert "rewritten" not in list(reasons)

    def test_token_history_is_append_only_too(self, engine: Engine, shop_id: str) -> None:
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO token_history (shop_id, at, from_state, to_state, event, "
                    "source, accepted) VALUES (:shop, :at, 'active', 'active', 'x', 'clock', "
                    "true)"
                ),
                {"shop": shop_id, "at": T0.replace(tzinfo=None)},
            )
            connection.execute(
                text("DELETE FROM token_history WHERE shop_id = :shop"), {"shop": shop_id}
            )
