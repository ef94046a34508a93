"""Small builders for domain objects, with unique ids so tests can share a database."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime, timedelta

from domain.history import EventContext
from domain.model import Address, Label, LabelLine, OrderLine, Source, TemuOrder
from domain.secrets import Secret
from domain.shop import ShipStationCredentials, Shop, TemuCredentials

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
_counter = itertools.count(1)


def random_suffix() -> str:
    return f"{random.randrange(10**8):08d}"


def parent_sn() -> str:
    return f"PO-211-{random.randrange(10**17):017d}"


def address(name: str = "Jane Doe") -> Address:
    return Address(name, "100 Main St", "Austin", "78701", "US", state="TX", phone="5125550100")


def lines(parent: str, count: int = 1, quantity: int = 1) -> tuple[OrderLine, ...]:
    base = parent.removeprefix("PO-")
    return tuple(
        OrderLine(
            f"{base}-{i}",
            f"Item {i}",
            quantity,
            sku=f"SKU-{i}",
            goods_id=600 + i,
            sku_id=1700 + i,
            warehouse_id="WH-1",
        )
        for i in range(1, count + 1)
    )


def temu_order(
    sn: str | None = None,
    status: int = 2,
    *,
    ship_to: Address | None = None,
    line_count: int = 1,
    updated: datetime | None = None,
) -> TemuOrder:
    sn = sn or parent_sn()
    at = updated or T0 + timedelta(seconds=next(_counter))
    return TemuOrder(sn, status, at, T0, lines(sn, line_count), ship_to=ship_to)


def label(
    parent: TemuOrder,
    *order_sns: str,
    shipment_id: str | None = None,
    tracking: str | None = None,
    carrier: str = "stamps_com",
    voided: bool = False,
) -> Label:
    chosen = [ln for ln in parent.lines if not order_sns or ln.order_sn in order_sns]
    n = next(_counter)
    return Label(
        shipment_id or f"S{n}",
        tracking or f"9400{n:018d}",
        carrier,
        T0,
        tuple(LabelLine(ln.order_sn, ln.quantity) for ln in chosen),
        voided=voided,
    )


def ctx(source: Source = Source.TEMU, at: datetime = T0, run: str = "run-1") -> EventContext:
    return EventContext(at, source, run)


def shop(shop_id: str | None = None) -> Shop:
    return Shop(
        shop_id or f"shop-{random_suffix()}",
        TemuCredentials(
            "APPKEY0123",
            Secret("app-secret-value-123456"),
            Secret("upl-token-value-abcdefghijklmnop"),
        ),
        ShipStationCredentials("sskey", Secret("ss-secret-value-123456"), store_id=1),
        created_at=T0,
    )
