"""How fast storage writes orders: 10,000 orders saved in pages of 100, then re-read and updated.

python bench/db_bulk.py            # SQLite file in a temp dir
TEMUSHIP_TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test python bench/db_bulk.py
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from adapters.db import SqlUnitOfWork, make_engine
from domain.history import EventContext
from domain.model import Address, OrderLine, Source, TemuOrder
from domain.money import Money
from domain.order import Order

TOTAL, PAGE = 10_000, 100
T0 = datetime(2025, 3, 1, tzinfo=UTC)
ADDRESS = Address("Ada Buyer", "1 Main St", "Springfield", "12345", "US", state="IL")


def temu_order(sn: str, status: int) -> TemuOrder:
    lines = tuple(
        OrderLine(
            f"{sn}-{i}", f"Widget {i}", 1, f"SKU-{i}", unit_price=Money(Decimal("9.99"), "USD")
        )
        for i in range(2)
    )
    raw = {"parentOrderSn": sn, "parentOrderStatus": status}
    return TemuOrder(sn, status, T0, T0, lines, ship_to=ADDRESS, raw=raw)


def new_orders(shop_id: str) -> list[Order]:
    ctx = EventContext(T0, Source.TEMU, "bench")
    orders = [Order(shop_id, f"PO-{i:06d}") for i in range(TOTAL)]
    for order in orders:
        order.observe(temu_order(order.parent_order_sn, 1), ctx)
    return orders


def insert_pages(engine, orders: list[Order]) -> float:
    started = time.perf_counter()
    for start in range(0, len(orders), PAGE):
        with SqlUnitOfWork(engine) as uow:
            uow.orders.save_many(orders[start : start + PAGE])
            uow.commit()
    return time.perf_counter() - started


def update_pages(engine, shop_id: str, sns: list[str]) -> float:
    ctx = EventContext(T0 + timedelta(hours=1), Source.TEMU, "bench")
    started = time.perf_counter()
    for start in range(0, len(sns), PAGE):
        with SqlUnitOfWork(engine) as uow:
            page = uow.orders.get_many(shop_id, sns[start : start + PAGE])
            for order in page.values():
                assert order.snapshot is not None
                order.observe(replace(order.snapshot, status=2), ctx)
            uow.orders.save_many(list(page.values()))
            uow.commit()
    return time.perf_counter() - started


def run(label: str, url: str) -> None:
    engine = make_engine(url)
    shop_id = f"bench-{uuid.uuid4().hex[:8]}"
    orders = new_orders(shop_id)
    inserted = insert_pages(engine, orders)
    updated = update_pages(engine, shop_id, [o.parent_order_sn for o in orders])
    engine.dispose()
    for what, seconds in (("insert", inserted), ("read+update", updated)):
        print(
            f"{label:10} {what:12} {TOTAL} orders in pages of {PAGE}: {seconds:6.2f} s "
            f"= {TOTAL / seconds:8.0f} orders/s"
        )


def main() -> None:
    with tempfile.TemporaryDirectory() as home:
        run("sqlite", f"sqlite:///{Path(home) / 'bench.db'}")
    if url := os.environ.get("TEMUSHIP_TEST_DATABASE_URL"):
        run("postgresql", url)


if __name__ == "__main__":
    main()
