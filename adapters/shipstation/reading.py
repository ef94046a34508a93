"""ShipStation V1 answers -> domain values: labels, order summaries, stores, carriers.

A row of a list that cannot be used fails alone, as a ReadFailure naming the row and the
reason; the other rows of the page are read as usual.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from adapters.shipstation.dates import from_pacific, parse_ship_date
from adapters.shipstation.errors import API
from adapters.shipstation.wire import (
    CarrierWire,
    OrderSummaryWire,
    ShipmentItemWire,
    ShipmentWire,
    StoreWire,
)
from domain.errors import UnexpectedAnswer, UnusableAnswer
from domain.model import Label, LabelLine
from domain.money import Money
from domain.ports import ShipStationCarrier, Store, UnreadableRow

W = TypeVar("W", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class UnkeyedItem:
    """A shipment item without lineItemKey: not ours to guess, so kept aside and reported."""

    shipment_id: str
    sku: str | None
    quantity: int


@dataclass(frozen=True, slots=True)
class ReadFailure:
    """One row of a ShipStation list that could not be used; the rest of the page is fine."""

    what: str  # "shipment" or "order"
    key: str | None  # its shipmentId or orderId, when it has a readable one
    reason: str
    raw: Mapping[str, Any] | None = None


def unreadable(failure: ReadFailure) -> UnreadableRow:
    return UnreadableRow(failure.key, f"{failure.what} unreadable: {failure.reason}")


def label_lines(
    shipment_id: str, items: list[ShipmentItemWire]
) -> tuple[tuple[LabelLine, ...], list[UnkeyedItem]]:
    """Items by lineItemKey (= Temu orderSn), quantities summed; unkeyed items set aside."""
    quantities: dict[str, int] = {}
    unkeyed = []
    for item in items:
        if item.lineItemKey:
            quantities[item.lineItemKey] = quantities.get(item.lineItemKey, 0) + item.quantity
        else:
            unkeyed.append(UnkeyedItem(shipment_id, item.sku, item.quantity))
    return tuple(LabelLine(sn, qty) for sn, qty in quantities.items()), unkeyed


def parse_label(
    raw: Any, order_key_prefix: str = "temu-"
) -> tuple[Label | ReadFailure, list[UnkeyedItem]]:
    """One `/shipments` row as a Label (or the reason it cannot be one), plus any items that
    carry no lineItemKey. `order_key_prefix` starts the orderKey of the shop's orders."""
    if not isinstance(raw, Mapping):
        return _failure("shipment", None, f"a row is {kind_of(raw)}, not a JSON object", None), []
    sid = _key_of(raw.get("shipmentId"))
    try:
        wire = ShipmentWire.model_validate(raw)
    except ValidationError as exc:
        return _failure("shipment", sid, f"shipment {sid or '?'}: {describe(exc)}", raw), []
    sid = wire.shipmentId
    created = _moment(wire.createDate)
    if created is None:
        reason = f"shipment {sid}: createDate {wire.createDate[:40]!r} is not a date and time"
        return _failure("shipment", sid, reason, raw), []
    lines, unkeyed = label_lines(sid, wire.shipmentItems or [])
    if not lines:
        return _failure("shipment", sid, _no_lines(wire, order_key_prefix), raw), unkeyed
    label = Label(
        shipment_id=sid,
        tracking_number=wire.trackingNumber,
        carrier_code=wire.carrierCode,
        created_at=created,
        lines=lines,
        order_key=wire.orderKey,
        order_number=wire.orderNumber,
        service_code=wire.serviceCode,
        ship_date=_day(wire.shipDate),
        voided=bool(wire.voided),
        shipment_cost=Money(wire.shipmentCost, "USD") if wire.shipmentCost is not None else None,
        store_id=_store_of(raw),
    )
    return label, unkeyed


def _store_of(raw: Mapping[str, Any]) -> str | None:
    options = raw.get("advancedOptions")
    return _key_of(options.get("storeId")) if isinstance(options, Mapping) else None


def _no_lines(wire: ShipmentWire, prefix: str) -> str:
    """Why a shipment gives no line to confirm: no items, or none keyed by a Temu orderSn."""
    sid = wire.shipmentId
    if wire.shipmentItems is None:
        return f"shipment {sid}: shipmentItems is null: cannot tell which Temu lines it ships"
    if not wire.shipmentItems:
        return f"shipment {sid}: shipmentItems is empty: cannot tell which Temu lines it ships"
    key = wire.orderKey
    if not key or not key.startswith(prefix):
        return (
            f"shipment {sid}: orderKey {(key or '')[:80]!r} is not an order temuship imported "
            "for this shop, and no item has a lineItemKey"
        )
    return f"shipment {sid}: no item has a lineItemKey (a Temu orderSn) to confirm"


@dataclass(frozen=True, slots=True)
class ShipStationOrderSummary:
    """One row of V1's `GET /orders` (what an order is in ShipStation now)."""

    order_key: str | None
    order_number: str
    order_status: str
    shipstation_order_id: int
    modified_at: datetime | None


def parse_order_summary(raw: Any) -> ShipStationOrderSummary | ReadFailure:
    if not isinstance(raw, Mapping):
        return _failure("order", None, f"a row is {kind_of(raw)}, not a JSON object", None)
    oid = _key_of(raw.get("orderId"))
    try:
        wire = OrderSummaryWire.model_validate(raw)
    except ValidationError as exc:
        return _failure("order", oid, f"order {oid or '?'}: {describe(exc)}", raw)
    modified = _moment(wire.modifyDate) if wire.modifyDate else None
    if wire.modifyDate and modified is None:
        reason = f"order {wire.orderId}: modifyDate {wire.modifyDate[:40]!r} is not a date"
        return _failure("order", oid, reason, raw)
    return ShipStationOrderSummary(
        order_key=wire.orderKey,
        order_number=wire.orderNumber or "",
        order_status=wire.orderStatus or "",
        shipstation_order_id=wire.orderId,
        modified_at=modified,
    )


def parse_stores(answer: Any) -> list[Store]:
    """`GET /stores`: a list of stores, or the whole call fails (UnexpectedAnswer)."""
    stores = (_row(StoreWire, row, "store", answer) for row in _list(answer, "/stores"))
    return [
        Store(s.storeId, s.storeName or "", s.marketplaceName, s.active is not False)
        for s in stores
    ]


def parse_carriers(answer: Any) -> list[ShipStationCarrier]:
    """`GET /carriers`: a list of carriers, or the whole call fails (UnexpectedAnswer)."""
    carriers = (_row(CarrierWire, row, "carrier", answer) for row in _list(answer, "/carriers"))
    return [ShipStationCarrier(c.code, c.name or c.code) for c in carriers]


def _list(answer: Any, path: str) -> list[Any]:
    if answer is None:
        return []
    if not isinstance(answer, list):
        raise unexpected(f"GET {path}: the answer must be a list, not {kind_of(answer)}", answer)
    return answer


def _row(model: type[W], row: Any, what: str, answer: Any) -> W:
    try:
        return model.model_validate(row)
    except ValidationError as exc:
        raise unexpected(f"a {what} of the answer: {describe(exc)}", answer) from None


def unexpected(
    reason: str, data: Any, secrets: tuple[str, ...] = (), api: str = API
) -> UnexpectedAnswer:
    """An UnexpectedAnswer quoting `data` (decoded JSON), short and scrubbed."""
    try:
        text = json.dumps(data, ensure_ascii=False, default=str)
    except (ValueError, TypeError, RecursionError):
        text = f"<{type(data).__name__}>"
    return UnexpectedAnswer(api, reason, excerpt=UnusableAnswer.excerpt_of(text, secrets))


def _failure(what: str, key: str | None, reason: str, raw: Any) -> ReadFailure:
    return ReadFailure(what, key, reason, raw if isinstance(raw, Mapping) else None)


def _moment(text: str) -> datetime | None:
    try:
        return from_pacific(text)
    except (ValueError, OverflowError):
        return None


def _day(text: str | None) -> date | None:
    # shipDate is informative only: an unreadable one is dropped, not the label.
    try:
        return parse_ship_date(text)
    except (ValueError, TypeError):
        return None


def _key_of(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None
    text = str(value).strip()
    return text if 0 < len(text) <= 64 else None


def kind_of(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    return names.get(type(value), "a number" if isinstance(value, int | float) else "a value")


def describe(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors()[:3]:
        field = ".".join(str(part) for part in error["loc"]) or "(row)"
        parts.append(f"field {field}: {error['msg']}")
    return "; ".join(parts)
