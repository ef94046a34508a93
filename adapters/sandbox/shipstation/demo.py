"""Generated domain orders, ready for ShipStation: for the demo, the tests and the benchmarks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from domain.history import EventContext
from domain.model import Address, OrderLine, Pudo, Source, TemuOrder
from domain.money import Money
from domain.order import Order

BASE_TIME = datetime(2025, 3, 3, 17, 15, 2, tzinfo=UTC)


def demo_address(n: int) -> Address:
    return Address(
        name=f"Buyer {n}",
        street1=f"{100 + n} Main St",
        city="Austin",
        postal_code="78701",
        country="US",
        state="TX",
        phone="5125550100-1234",
    )


def demo_lines(n: int, count: int = 2, priced: bool = True) -> tuple[OrderLine, ...]:
    return tuple(
        OrderLine(
            order_sn=f"211-{n:011d}{i:03d}",
            name=f"Item {i} of order {n}",
            quantity=1 + i,
            sku=f"SKU-{i}",
            image_url=f"https://img.example.com/{n}/{i}.jpg",
            options=(("Color", "Black"), ("Size", str(i))),
            unit_price=Money(Decimal("8.99") + i, "USD") if priced else None,
            status=2,
        )
        for i in range(count)
    )


def demo_temu_order(n: int, status: int = 2, **changes: object) -> TemuOrder:
    created = BASE_TIME + timedelta(minutes=n)
    fields: dict[str, object] = {
        "parent_order_sn": f"PO-211-{n:017d}",
        "status": status,
        "updated_at": created,
        "created_at": created,
        "lines": demo_lines(n),
        "ship_to": demo_address(n),
        "ship_by": created + timedelta(days=2),
        "deliver_by": created + timedelta(days=7),
        "pudo": Pudo(2, drop_point="LOCKER-7") if n % 10 == 3 else None,
        "shipping_amount": Money(Decimal("2.00"), "USD"),
        "region_id": 211,
    }
    fields.update(changes)
    return TemuOrder(**fields)  # type: ignore[arg-type]


def demo_order(shop_id: str, seen: TemuOrder, at: datetime | None = None) -> Order:
    """A domain Order that has observed a Temu order (so its state follows the status rules)."""
    order = Order(shop_id=shop_id, parent_order_sn=seen.parent_order_sn)
    order.observe(seen, EventContext(at=at or seen.updated_at, source=Source.TEMU))
    return order


def demo_orders(shop_id: str, count: int, start: int = 0) -> list[Order]:
    """`count` awaiting-shipment orders with addresses, prices and two lines each."""
    return [demo_order(shop_id, demo_temu_order(n)) for n in range(start, start + count)]
