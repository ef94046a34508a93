"""Order-list wire -> domain: each order parsed alone, so one bad order never fails a page."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from adapters.temu.answers import unexpected
from adapters.temu.wire import LineWire, PageItemWire, ParentWire
from domain.model import OrderLine, Pudo, TemuOrder
from domain.ports import OrderPage, OrderReadFailure

# Parent-order labels worth a warning on the order when set (value 1).
FLAGGED_LABELS = frozenset(
    {
        "pending_buyer_cancellation",
        "pending_buyer_address_change",
        "pending_risk_control_alert",
        "signature_required_on_delivery",
    }
)


def at(seconds: int | None) -> datetime | None:
    """Temu seconds -> aware UTC datetime (milliseconds tolerated, in case)."""
    if seconds is None or seconds <= 0:
        return None
    if seconds > 100_000_000_000:
        seconds //= 1000
    return datetime.fromtimestamp(seconds, UTC)


def parse_page(result: Any, page_number: int, page_size: int) -> OrderPage:
    """One `bg.order.list.v2.get` result as an OrderPage of orders and per-order failures.

    A result that is not a page at all is that call's failure (UnexpectedAnswer); an item
    that is not an order is that order's failure; a parentOrderSn seen twice on the page is
    read once (the first).
    """
    items, total = page_items(result)
    orders: list[TemuOrder] = []
    failures: list[OrderReadFailure] = []
    seen: set[str] = set()
    for raw in items:
        sn = _sn_of(raw)
        if sn is not None and sn in seen:
            continue
        seen.add(sn or "")
        parsed = parse_order(raw)
        if isinstance(parsed, TemuOrder):
            orders.append(parsed)
        else:
            failures.append(parsed)
    full = len(items) >= page_size
    if total is None:  # unknown: walk on while pages come back full
        total = (page_number - 1) * page_size + len(items) + (1 if full else 0)
    has_more = full and page_number * page_size < total
    return OrderPage(tuple(orders), tuple(failures), page_number, total, has_more)


def page_items(result: Any) -> tuple[list[Any], int | None]:
    """`pageItems` and `totalItemNum` (None when not a count), or UnexpectedAnswer."""
    what = "bg.order.list.v2.get result"
    if not isinstance(result, Mapping):
        raise unexpected(what, f"a page must be an object, not {_kind(result)}", result)
    total = result.get("totalItemNum")
    total = total if isinstance(total, int) and not isinstance(total, bool) and total >= 0 else None
    items = result.get("pageItems")
    if items is None and total == 0:
        return [], 0
    if not isinstance(items, list):
        raise unexpected(what, f"pageItems must be a list, not {_kind(items)}", result)
    return items, total


def parse_order(raw: Any) -> TemuOrder | OrderReadFailure:
    """One page item as a TemuOrder, or a failure naming the field and the parentOrderSn."""
    sn = _sn_of(raw)
    if not isinstance(raw, Mapping):
        return OrderReadFailure(sn, f"page item is {_kind(raw)}, not a JSON object", None)
    label = f"order {sn or '<no parentOrderSn>'}"
    try:
        item = PageItemWire.model_validate(raw)
        return to_order(item, raw)
    except ValidationError as exc:
        return OrderReadFailure(sn, f"{label}: {_describe(exc)}", raw)
    except (ValueError, OverflowError, OSError) as exc:  # a date the platform cannot hold
        return OrderReadFailure(sn, f"{label}: {type(exc).__name__}: {exc}"[:300], raw)


def to_order(item: PageItemWire, raw: Mapping[str, Any]) -> TemuOrder:
    parent = item.parentOrderMap
    created, updated = at(parent.parentOrderTime), at(parent.updateTime)
    return TemuOrder(
        parent_order_sn=parent.parentOrderSn,
        status=parent.parentOrderStatus,
        updated_at=updated or created or datetime.fromtimestamp(0, UTC),
        created_at=created or updated or datetime.fromtimestamp(0, UTC),
        lines=tuple(to_line(line) for line in item.orderList),
        ship_by=at(parent.expectShipLatestTime),
        deliver_by=at(parent.latestDeliveryTime),
        pudo=to_pudo(parent),
        region_id=parent.regionId,
        warnings=_warnings(parent),
        raw=raw,
    )


def to_line(line: LineWire) -> OrderLine:
    ext_codes = [p.extCode for p in line.productList or [] if p.extCode]
    return OrderLine(
        order_sn=line.orderSn,
        name=line.goodsName,
        quantity=line.quantity,
        sku=ext_codes[0] if ext_codes else None,
        goods_id=line.goodsId,
        sku_id=line.skuId,
        image_url=line.thumbUrl or None,
        options=spec_options(line.spec),
        status=line.orderStatus,
        warehouse_id=line.inventoryDeductionWarehouseId,
    )


def spec_options(spec: str | None) -> tuple[tuple[str, str], ...]:
    """`Color: Blue, Size: M` -> named options; an unnamed spec stays one `Spec` option."""
    if not spec or not spec.strip():
        return ()
    parts = [part.strip() for part in spec.replace(";", ",").split(",") if part.strip()]
    if all(":" in part for part in parts):
        pairs = (part.split(":", 1) for part in parts)
        return tuple((name.strip(), value.strip()) for name, value in pairs)
    return (("Spec", spec.strip()),)


def to_pudo(parent: ParentWire) -> Pudo | None:
    method, drop = parent.shippingMethod, parent.contactlessDropPoint or None
    if method not in (2, 3) and drop is None:
        return None
    pickup = tuple(w for w in parent.fulfillmentWarning or [] if "PICKUP" in w)
    return Pudo(shipping_method=method or 1, drop_point=drop, warnings=pickup)


def _warnings(parent: ParentWire) -> tuple[str, ...]:
    labels = [
        label.name
        for label in parent.parentOrderLabel or []
        if label.value == 1 and label.name in FLAGGED_LABELS
    ]
    return tuple(parent.fulfillmentWarning or []) + tuple(labels)


def _sn_of(raw: Any) -> str | None:
    parent = raw.get("parentOrderMap") if isinstance(raw, Mapping) else None
    sn = parent.get("parentOrderSn") if isinstance(parent, Mapping) else None
    # Only a plausible number is kept to name the failure (the column holds 64 characters).
    return sn if isinstance(sn, str) and 0 < len(sn) <= 64 else None


def _kind(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    return names.get(type(value), "a number" if isinstance(value, int | float) else "a value")


def _describe(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors()[:3]:
        field = ".".join(str(part) for part in error["loc"])
        parts.append(f"field {field}: {error['msg']}")
    return "; ".join(parts)
