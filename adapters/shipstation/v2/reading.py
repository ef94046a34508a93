"""ShipStation V2 answers -> values: shipments, labels, warehouses, carriers, webhooks.

A row of a list that cannot be used fails alone, as a ReadFailure naming the row and the
reason (adapters.shipstation.reading); the other rows of the page are read as usual. A single
object (GET one shipment, one label) that cannot be used fails the call (UnexpectedAnswer).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from adapters.shipstation.reading import ReadFailure, describe, kind_of, unexpected
from adapters.shipstation.v2.errors import API
from adapters.shipstation.v2.ids import from_v2_id
from adapters.shipstation.v2.paging import V2Page
from adapters.shipstation.v2.shapes import (
    CarrierShape,
    LabelShape,
    MoneyShape,
    ShipmentShape,
    WarehouseShape,
    WebhookShape,
)
from domain.errors import InvalidPayload
from domain.model import Label, LabelLine
from domain.money import Money
from domain.ports import ShipStationCarrier

T = TypeVar("T")
W = TypeVar("W", bound=BaseModel)
# shipment_status values the docs name; any other is kept as text, and left alone.
KNOWN_STATUSES = frozenset(
    {"pending", "processing", "label_purchased", "cancelled", "on_hold", "awaiting_payment"}
)
_ISO = re.compile(r"^(?P<base>[^.Zz+]+?)(?:\.(?P<frac>\d+))?(?P<tz>Z|z|[+-]\d\d:?\d\d)?$")


@dataclass(frozen=True, slots=True)
class ShipmentItem:
    external_order_item_id: str | None  # our Temu orderSn, when we created the shipment
    sku: str | None
    quantity: int
    name: str | None = None


@dataclass(frozen=True, slots=True)
class V2Shipment:
    """A V2 shipment (a ShipStation order). `shipment_id` is V2's (`se-…`)."""

    shipment_id: str
    shipment_status: str
    external_shipment_id: str | None
    shipment_number: str | None
    modified_at: datetime | None
    items: tuple[ShipmentItem, ...] = ()
    created_at: datetime | None = None
    store_id: str | None = None
    warehouse_id: str | None = None
    hold_until_date: date | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def remote_id(self) -> str:
        """The id as temuship stores it (V1's number space: `se-123` -> `123`)."""
        return from_v2_id(self.shipment_id)

    @property
    def status_known(self) -> bool:
        return self.shipment_status in KNOWN_STATUSES

    def label_lines(self) -> tuple[tuple[LabelLine, ...], tuple[ShipmentItem, ...]]:
        """The lines a label of this shipment ships, by external_order_item_id (quantities
        summed), and the items without one (not ours to guess: reported by the caller)."""
        quantities: dict[str, int] = {}
        unkeyed = []
        for item in self.items:
            if item.quantity <= 0:
                continue
            if item.external_order_item_id:
                sn = item.external_order_item_id
                quantities[sn] = quantities.get(sn, 0) + item.quantity
            else:
                unkeyed.append(item)
        return tuple(LabelLine(sn, q) for sn, q in quantities.items()), tuple(unkeyed)


@dataclass(frozen=True, slots=True)
class V2Label:
    """A label as a domain Label (`lines` empty: labels carry no items) and the V2 shipment
    (`se-…`) whose items say which lines it ships."""

    label: Label
    shipment_id: str | None
    status: str | None = None
    voided_at: datetime | None = None
    modified_at: datetime | None = None  # when it last changed (a void, a refund moving on)

    def with_lines(self, lines: tuple[LabelLine, ...]) -> Label:
        return replace(self.label, lines=lines)


@dataclass(frozen=True, slots=True)
class ReadPage(Generic[T]):
    """One page of a list: the rows read, and those that could not be (each with its reason)."""

    rows: tuple[T, ...]
    failures: tuple[ReadFailure, ...]
    number: int
    has_more: bool


def read_rows(page: V2Page, parse: Callable[[Any], T | ReadFailure]) -> ReadPage[T]:
    rows: list[T] = []
    failures: list[ReadFailure] = []
    for raw in page.items:
        parsed = parse(raw)
        if isinstance(parsed, ReadFailure):
            failures.append(parsed)
        else:
            rows.append(parsed)
    return ReadPage(tuple(rows), tuple(failures), page.number, page.has_more)


def parse_shipment(raw: Any) -> V2Shipment | ReadFailure:
    wire = _validate(ShipmentShape, raw, "shipment", "shipment_id")
    if isinstance(wire, ReadFailure):
        return wire
    sid = wire.shipment_id
    stamps = {"created_at": wire.created_at, "modified_at": wire.modified_at}
    moments = {name: instant(text) if text else None for name, text in stamps.items()}
    for name, text in stamps.items():
        if text and moments[name] is None:
            return _fail("shipment", sid, f"{name} {text[:40]!r} is not a date and time", raw)
    if (bad := _bad_id(sid)) is not None:
        return _fail("shipment", sid, bad, raw)
    items = tuple(
        ShipmentItem(i.external_order_item_id, i.sku, i.quantity, i.name) for i in wire.items or []
    )
    return V2Shipment(
        shipment_id=sid,
        shipment_status=wire.shipment_status,
        external_shipment_id=wire.external_shipment_id,
        shipment_number=wire.shipment_number,
        modified_at=moments["modified_at"],
        items=items,
        created_at=moments["created_at"],
        store_id=wire.store_id,
        warehouse_id=wire.warehouse_id,
        hold_until_date=_day(wire.hold_until_date),
        raw=raw,
    )


def parse_label(raw: Any) -> V2Label | ReadFailure:
    wire = _validate(LabelShape, raw, "label", "label_id")
    if isinstance(wire, ReadFailure):
        return wire
    lid = wire.label_id
    created = instant(wire.created_at)
    if created is None:
        reason = f"created_at {wire.created_at[:40]!r} is not a date and time"
        return _fail("label", lid, reason, raw)
    if (bad := _bad_id(lid)) is not None:
        return _fail("label", lid, bad, raw)
    voided_at = instant(wire.voided_at) if wire.voided_at else None
    label = Label(
        shipment_id=from_v2_id(lid),
        tracking_number=wire.tracking_number,
        carrier_code=wire.carrier_code,
        created_at=created,
        lines=(),
        order_key=wire.external_shipment_id,
        service_code=wire.service_code,
        ship_date=_day(wire.ship_date),
        voided=bool(wire.voided) or wire.status == "voided" or voided_at is not None,
        shipment_cost=money(wire.shipment_cost),
    )
    modified_at = instant(wire.modified_at) if wire.modified_at else None
    return V2Label(label, wire.shipment_id, wire.status, voided_at, modified_at)


def one(parse: Callable[[Any], T | ReadFailure], answer: Any, secrets: tuple[str, ...]) -> T:
    """A single object of an answer, or the call fails (UnexpectedAnswer)."""
    parsed = parse(answer)
    if isinstance(parsed, ReadFailure):
        raise unexpected(parsed.reason, answer, secrets, API)
    return parsed


def money(wire: MoneyShape | None) -> Money | None:
    return Money(wire.amount, wire.currency) if wire is not None else None


def instant(text: str) -> datetime | None:
    """An ISO 8601 time (`Z` or an offset; any number of fractional digits) as aware UTC. One
    without an offset is read as UTC (V2 speaks UTC); None when it is not a time at all."""
    match = _ISO.match(text.strip().replace(" ", "T"))
    if not match or "T" not in match["base"]:  # a date alone is not a moment
        return None
    frac = (match["frac"] or "0")[:6].ljust(6, "0")
    tz = match["tz"] or "Z"
    offset = "+00:00" if tz in "Zz" else tz
    try:
        return datetime.fromisoformat(f"{match['base']}.{frac}{offset}").astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def _day(text: str | None) -> date | None:
    # ship_date and hold_until_date are informative: an unreadable one is dropped, not the row.
    try:
        return date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None


def _bad_id(v2_id: str) -> str | None:
    try:
        from_v2_id(v2_id)
    except InvalidPayload as exc:
        return exc.reason
    return None


def _validate(model: type[W], raw: Any, what: str, id_field: str) -> W | ReadFailure:
    if not isinstance(raw, Mapping):
        return ReadFailure(what, None, f"a {what} row is {kind_of(raw)}, not a JSON object")
    key = raw.get(id_field)
    key = key[:64] if isinstance(key, str) and key.strip() else None
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        return _fail(what, key, describe(exc), raw)


def _fail(what: str, key: str | None, reason: str, raw: Mapping[str, Any]) -> ReadFailure:
    return ReadFailure(what, key, f"{what} {key or '?'}: {reason}", raw)


# --- account: warehouses, carriers, webhooks (a row that cannot be read fails the call) -------


@dataclass(frozen=True, slots=True)
class Warehouse:
    warehouse_id: str
    name: str
    is_default: bool


@dataclass(frozen=True, slots=True)
class V2Carrier:
    """A carrier account: `carrier_id` (`se-…`) is what shipments name, `carrier.code`
    (carrier_code) what labels name."""

    carrier_id: str
    carrier: ShipStationCarrier


@dataclass(frozen=True, slots=True)
class Webhook:
    webhook_id: str
    url: str
    event: str
    name: str | None = None
    store_id: str | None = None
    # Header values may hold a shared secret: never shown.
    headers: tuple[tuple[str, str], ...] = field(default=(), repr=False)


def parse_warehouses(answer: Any, secrets: tuple[str, ...] = ()) -> list[Warehouse]:
    rows = _rows(answer, "warehouses", WarehouseShape, secrets)
    return [Warehouse(w.warehouse_id, w.name or w.warehouse_id, bool(w.is_default)) for w in rows]


def parse_carriers(answer: Any, secrets: tuple[str, ...] = ()) -> list[V2Carrier]:
    rows = _rows(answer, "carriers", CarrierShape, secrets)
    return [
        V2Carrier(c.carrier_id, ShipStationCarrier(c.carrier_code, _carrier_name(c))) for c in rows
    ]


def _carrier_name(wire: CarrierShape) -> str:
    return wire.friendly_name or wire.nickname or wire.carrier_code


def parse_webhooks(answer: Any, secrets: tuple[str, ...] = ()) -> list[Webhook]:
    """GET /v2/environment/webhooks: a bare list (the docs), or `{"webhooks": [...]}`."""
    return [_webhook(w) for w in _rows(answer, "webhooks", WebhookShape, secrets)]


def parse_webhook(answer: Any, secrets: tuple[str, ...] = ()) -> Webhook:
    try:
        return _webhook(WebhookShape.model_validate(answer))
    except ValidationError as exc:
        raise unexpected(f"a webhook: {describe(exc)}", answer, secrets, API) from None


def _webhook(wire: WebhookShape) -> Webhook:
    headers = tuple((h.key, h.value) for h in wire.headers or [])
    return Webhook(wire.webhook_id, wire.url, wire.event, wire.name, wire.store_id, headers)


def _rows(answer: Any, key: str, model: type[W], secrets: tuple[str, ...]) -> list[W]:
    rows = answer.get(key) if isinstance(answer, dict) else answer
    if not isinstance(rows, list):
        reason = f"GET /{key}: no list of {key} in the answer ({kind_of(answer)})"
        raise unexpected(reason, answer, secrets, API)
    try:
        return [model.model_validate(row) for row in rows]
    except ValidationError as exc:
        raise unexpected(f"one of the {key}: {describe(exc)}", answer, secrets, API) from None
