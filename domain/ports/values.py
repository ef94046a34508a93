"""Values crossing the ports: plain frozen dataclasses, no behaviour beyond a property."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from domain.model import Label, OrderState, TemuOrder, Tracking


@dataclass(frozen=True, slots=True)
class TimeWindow:
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class OrderReadFailure:
    """One order of a page that could not be read; the rest of the page is fine."""

    parent_order_sn: str | None
    reason: str
    raw: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class OrderPage:
    orders: tuple[TemuOrder, ...]
    failures: tuple[OrderReadFailure, ...]
    page_number: int
    total: int
    has_more: bool


@dataclass(frozen=True, slots=True)
class Warehouse:
    warehouse_id: str
    name: str
    is_default: bool = False


@dataclass(frozen=True, slots=True)
class TemuCarrier:
    carrier_id: int
    name: str
    brand: str | None = None


@dataclass(frozen=True, slots=True)
class ConfirmItem:
    parent_order_sn: str
    order_sn: str
    quantity: int
    goods_id: int | None = None
    sku_id: int | None = None


@dataclass(frozen=True, slots=True)
class ConfirmPackage:
    carrier_id: int
    tracking_number: str
    warehouse_id: str
    items: tuple[ConfirmItem, ...]
    extra_tracking: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ShipmentRequest:
    """One bg.logistics.shipment.v2.confirm call: sendType 0 (one package), 1 (several
    packages of one parent order) or 2 (one package holding several parent orders)."""

    packages: tuple[ConfirmPackage, ...]
    merged: bool = False

    @property
    def send_type(self) -> int:
        if self.merged:
            return 2
        return 0 if len(self.packages) == 1 else 1


@dataclass(frozen=True, slots=True)
class TemuShipment:
    tracking_number: str
    carrier_id: int | None
    sku_id: int | None = None
    quantity: int | None = None
    package_sn: str | None = None
    carrier_name: str | None = None


@dataclass(frozen=True, slots=True)
class OutgoingOrder:
    """One order to send to ShipStation: the status it must have there, its whole payload
    (the gateway's `render`), and what ShipStation knows of it already."""

    order_key: str
    parent_order_sn: str
    state: OrderState
    payload: Mapping[str, Any]
    remote_id: str | None = None  # ShipStation's id for the order, once it has one
    sent_state: OrderState | None = None  # the status it was last given; None: never sent
    hold_until: date | None = None  # the date its hold in ShipStation ends (V2)
    tracking: tuple[Tracking, ...] = ()  # Temu's tracking, for an order Temu shipped
    sent_payload: Mapping[str, Any] | None = None  # the payload ShipStation last took


@dataclass(frozen=True, slots=True)
class PushResult:
    """What ShipStation made of one order sent."""

    order_key: str
    success: bool
    remote_id: str | None = None  # ShipStation's id (V1 orderId, V2 shipment_id without se-)
    error: str | None = None
    hold_until: date | None = None  # the hold's end ShipStation now has, if it holds the order
    at: datetime | None = None  # when ShipStation took it, on ShipStation's clock


@dataclass(frozen=True, slots=True)
class UnreadableRow:
    """One row of a ShipStation page that could not be used (the rest of the page is)."""

    key: str | None
    reason: str


@dataclass(frozen=True, slots=True)
class LabelPage:
    labels: tuple[Label, ...]
    page: int
    has_more: bool
    failures: tuple[UnreadableRow, ...] = ()


@dataclass(frozen=True, slots=True)
class Store:
    store_id: int
    name: str
    marketplace: str | None = None
    active: bool = True


@dataclass(frozen=True, slots=True)
class ShipFrom:
    """A ShipStation warehouse (ship-from location) of the account (V2)."""

    warehouse_id: str
    name: str
    is_default: bool = False


@dataclass(frozen=True, slots=True)
class ShipStationCarrier:
    code: str
    name: str


@dataclass
class ShopReport:
    """Counts by state and status, and the first items of each kind needing a person."""

    orders_by_state: dict[str, int] = field(default_factory=dict)
    missing_ship_to: int = 0
    held: list[tuple[str, str]] = field(default_factory=list)
    push_failed: list[tuple[str, str]] = field(default_factory=list)
    confirmations_by_status: dict[str, int] = field(default_factory=dict)
    confirmation_problems: list[tuple[str, str, str, str]] = field(default_factory=list)
    conflicts: int = 0
    read_failures: int = 0
    recent_shipments: list[dict[str, str | None]] = field(default_factory=list)
    """The latest labels: shipment, order, tracking, carrier, service, cost, status."""
    held_count: int = 0  # the lists above hold the first items; these count them all
    push_failed_count: int = 0
    confirmations_waiting: int = 0  # open confirmations with a reason (a carrier to map...)
    conflict_orders: int = 0  # orders with a conflict in their history (`conflicts`: rows)
    read_failure_orders: int = 0  # orders Temu's data could not be read for (rows: above)
