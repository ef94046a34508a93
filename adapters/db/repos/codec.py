"""Domain values to JSON-ready dicts and back: Money as strings, datetimes as ISO UTC."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from adapters.db.tables.columns import as_utc
from domain.model import Address, LabelLine, OrderLine, Pudo, TemuOrder, Tracking
from domain.money import Money

Json = dict[str, Any]


def dump_time(value: datetime | None) -> str | None:
    return None if value is None else as_utc(value).isoformat()


def load_time(value: str | None) -> datetime | None:
    return None if value is None else as_utc(datetime.fromisoformat(value))


def dump_money(value: Money | None) -> Json | None:
    return None if value is None else {"amount": str(value.amount), "currency": value.currency}


def load_money(value: Json | None) -> Money | None:
    return None if value is None else Money(Decimal(value["amount"]), value["currency"])


def dump_address(value: Address | None) -> Json | None:
    if value is None:
        return None
    fields = (f for f in Address.__slots__ if getattr(value, f) is not None)
    return {f: getattr(value, f) for f in fields}


def load_address(value: Json | None) -> Address | None:
    return None if value is None else Address(**value)


def dump_pudo(value: Pudo | None) -> Json | None:
    if value is None:
        return None
    return {
        "shipping_method": value.shipping_method,
        "drop_point": value.drop_point,
        "warnings": list(value.warnings),
    }


def load_pudo(value: Json | None) -> Pudo | None:
    if value is None:
        return None
    return Pudo(value["shipping_method"], value.get("drop_point"), tuple(value["warnings"]))


def dump_line(line: OrderLine) -> Json:
    return {
        "order_sn": line.order_sn,
        "name": line.name,
        "quantity": line.quantity,
        "sku": line.sku,
        "goods_id": line.goods_id,
        "sku_id": line.sku_id,
        "image_url": line.image_url,
        "options": [list(pair) for pair in line.options],
        "unit_price": dump_money(line.unit_price),
        "status": line.status,
        "warehouse_id": line.warehouse_id,
    }


def load_line(value: Json) -> OrderLine:
    fields = {**value, "options": tuple((k, v) for k, v in value["options"])}
    return OrderLine(**{**fields, "unit_price": load_money(value["unit_price"])})


def dump_temu_order(order: TemuOrder) -> Json:
    """The snapshot column: a TemuOrder without its raw payload (kept in its own column)."""
    return {
        "parent_order_sn": order.parent_order_sn,
        "status": order.status,
        "updated_at": dump_time(order.updated_at),
        "created_at": dump_time(order.created_at),
        "lines": [dump_line(line) for line in order.lines],
        "ship_to": dump_address(order.ship_to),
        "ship_by": dump_time(order.ship_by),
        "deliver_by": dump_time(order.deliver_by),
        "pudo": dump_pudo(order.pudo),
        "shipping_amount": dump_money(order.shipping_amount),
        "region_id": order.region_id,
        "warnings": list(order.warnings),
        "tracking": [{"number": t.number, "carrier": t.carrier} for t in order.tracking],
    }


def load_temu_order(value: Json, raw: Json | None = None) -> TemuOrder:
    return TemuOrder(
        parent_order_sn=value["parent_order_sn"],
        status=value["status"],
        updated_at=_required_time(value["updated_at"]),
        created_at=_required_time(value["created_at"]),
        lines=tuple(load_line(line) for line in value["lines"]),
        ship_to=load_address(value.get("ship_to")),
        ship_by=load_time(value.get("ship_by")),
        deliver_by=load_time(value.get("deliver_by")),
        pudo=load_pudo(value.get("pudo")),
        shipping_amount=load_money(value.get("shipping_amount")),
        region_id=value.get("region_id"),
        warnings=tuple(value.get("warnings", ())),
        tracking=tuple(Tracking(t["number"], t.get("carrier")) for t in value.get("tracking", ())),
        raw=raw,
    )


def dump_label_lines(lines: tuple[LabelLine, ...]) -> list[Json]:
    return [{"order_sn": line.order_sn, "quantity": line.quantity} for line in lines]


def load_label_lines(value: list[Json]) -> tuple[LabelLine, ...]:
    return tuple(LabelLine(line["order_sn"], line["quantity"]) for line in value)


def _required_time(value: str) -> datetime:
    loaded = load_time(value)
    assert loaded is not None
    return loaded
