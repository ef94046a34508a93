"""Domain objects for storage tests, built through the domain's own methods."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from domain.history import EventContext
from domain.model import Address, Label, LabelLine, OrderLine, Pudo, Source, TemuOrder
from domain.money import Money
from domain.order import Order

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def ctx(at: datetime = T0, source: Source = Source.TEMU) -> EventContext:
    return EventContext(at=at, source=source, run_id="run-1")


def random_sn(prefix: str = "PO") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def address() -> Address:
    return Address(
        name="Ada Buyer",
        street1="1 Main St",
        street2="Apt 2",
        city="Springfield",
        postal_code="12345",
        country="US",
        state="IL",
        phone="+1 555 0100",
    )


def temu_order(sn: str, status: int = 2, n_lines: int = 2, ship_to: bool = True) -> TemuOrder:
    lines = tuple(
        OrderLine(
            order_sn=f"{sn}-L{i}",
            name=f"Widget {i}",
            quantity=i + 1,
            sku=f"SKU-{i}",
            goods_id=600000000000 + i,
            sku_id=700000000000 + i,
            options=(("color", "red"), ("size", "M")),
            unit_price=Money(Decimal("12.30"), "USD"),
            status=2,
            warehouse_id="WH-1",
        )
        for i in range(n_lines)
    )
    return TemuOrder(
        parent_order_sn=sn,
        status=status,
        updated_at=T0,
        created_at=T0 - timedelta(hours=2),
        lines=lines,
        ship_to=address() if ship_to else None,
        ship_by=T0 + timedelta(days=2),
        pudo=Pudo(shipping_method=2, drop_point="DP-9", warnings=("store delivery",)),
        shipping_amount=Money(Decimal("4.99"), "USD"),
        region_id=211,
        warnings=("note",),
        raw={"parentOrderSn": sn, "parentOrderStatus": status, "nested": {"a": [1, 2]}},
    )


def observed_order(shop_id: str, sn: str | None = None, status: int = 2) -> Order:
    """A new order that has seen Temu once: a state, a snapshot and one history entry."""
    order = Order(shop_id, sn or random_sn())
    order.observe(temu_order(order.parent_order_sn, status), ctx())
    return order


def label(order: Order, shipment_id: str | None = None, n_lines: int | None = None) -> Label:
    lines = order.lines[:n_lines] if n_lines else order.lines
    return Label(
        shipment_id=shipment_id or random_sn("SH"),
        tracking_number=random_sn("1Z"),
        carrier_code="ups",
        created_at=T0 + timedelta(hours=1),
        lines=tuple(LabelLine(line.order_sn, line.quantity) for line in lines),
        service_code="ups_ground",
    )


def shipped_order(shop_id: str) -> Order:
    """An order shipped by a ShipStation label: a pending confirmation in its outbox."""
    order = observed_order(shop_id)
    found = label(order)
    order.record_label(found, found.lines, ctx(T0 + timedelta(hours=1), Source.SHIPSTATION))
    return order
