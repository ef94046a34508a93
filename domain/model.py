"""Value objects read from Temu and ShipStation. All immutable."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from domain.money import Money


class OrderState(StrEnum):
    NEW = "new"
    MISSING_SHIP_TO = "missing_ship_to"
    AWAITING_PAYMENT = "awaiting_payment"
    ON_HOLD = "on_hold"
    AWAITING_SHIPMENT = "awaiting_shipment"
    SHIPPED = "shipped"
    CANCELLED = "cancelled"


SHIPSTATION_STATES = frozenset(
    {
        OrderState.AWAITING_PAYMENT,
        OrderState.ON_HOLD,
        OrderState.AWAITING_SHIPMENT,
        OrderState.SHIPPED,
        OrderState.CANCELLED,
    }
)
LOCKED_STATES = frozenset({OrderState.SHIPPED, OrderState.CANCELLED})


class Source(StrEnum):
    TEMU = "temu"
    SHIPSTATION = "shipstation"
    OPERATOR = "operator"
    CLOCK = "clock"


@dataclass(frozen=True, slots=True)
class Address:
    """A buyer's address. Its repr shows only the country: addresses stay out of logs."""

    name: str
    street1: str
    city: str
    postal_code: str
    country: str
    street2: str | None = None
    street3: str | None = None
    state: str | None = None
    phone: str | None = None
    company: str | None = None
    email: str | None = None

    def __repr__(self) -> str:
        return f"Address(country={self.country!r}, <redacted>)"


@dataclass(frozen=True, slots=True)
class Pudo:
    """Pickup/drop-off information (Temu `shippingMethod` 2 store delivery, 3 customer pickup)."""

    shipping_method: int
    drop_point: str | None = None
    warnings: tuple[str, ...] = ()

    @property
    def is_pickup_or_dropoff(self) -> bool:
        return self.shipping_method in (2, 3) or self.drop_point is not None

    def describe(self) -> str:
        kinds = {1: "standard", 2: "store delivery", 3: "customer pickup"}
        parts = [kinds.get(self.shipping_method, f"shippingMethod {self.shipping_method}")]
        if self.drop_point:
            parts.append(f"drop point {self.drop_point}")
        parts.extend(self.warnings)
        return "; ".join(parts)


@dataclass(frozen=True, slots=True)
class OrderLine:
    """One Temu O-order: one SKU with a quantity; one ShipStation line item."""

    order_sn: str
    name: str
    quantity: int
    sku: str | None = None
    goods_id: int | None = None
    sku_id: int | None = None
    image_url: str | None = None
    options: tuple[tuple[str, str], ...] = ()
    unit_price: Money | None = None
    status: int | None = None
    warehouse_id: str | None = None

    @property
    def shippable(self) -> bool:
        return self.quantity > 0 and self.status not in (3, 4, 5)


@dataclass(frozen=True, slots=True)
class Tracking:
    """A tracking number Temu has on record for an order it says is shipped."""

    number: str
    carrier: str | None = None


@dataclass(frozen=True, slots=True)
class TemuOrder:
    """A Temu parent order as last read from Temu."""

    parent_order_sn: str
    status: int
    updated_at: datetime
    created_at: datetime
    lines: tuple[OrderLine, ...]
    ship_to: Address | None = None
    ship_by: datetime | None = None
    deliver_by: datetime | None = None
    pudo: Pudo | None = None
    shipping_amount: Money | None = None
    region_id: int | None = None
    warnings: tuple[str, ...] = ()
    tracking: tuple[Tracking, ...] = ()  # Temu's record of its shipment (read when needed)
    raw: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)

    def with_ship_to(self, address: Address | None) -> TemuOrder:
        return replace(self, ship_to=address)

    def with_tracking(self, tracking: tuple[Tracking, ...]) -> TemuOrder:
        return replace(self, tracking=tracking)

    def with_amounts(self, amounts: OrderAmounts) -> TemuOrder:
        lines = tuple(
            replace(line, unit_price=amounts.unit_prices.get(line.order_sn, line.unit_price))
            for line in self.lines
        )
        return replace(self, lines=lines, shipping_amount=amounts.shipping or self.shipping_amount)


@dataclass(frozen=True, slots=True)
class OrderAmounts:
    shipping: Money | None
    unit_prices: Mapping[str, Money]


@dataclass(frozen=True, slots=True)
class LabelLine:
    order_sn: str
    quantity: int


@dataclass(frozen=True, slots=True)
class Label:
    """A ShipStation shipment (a label bought in ShipStation)."""

    shipment_id: str
    tracking_number: str
    carrier_code: str
    created_at: datetime
    lines: tuple[LabelLine, ...]
    order_key: str | None = None
    order_number: str | None = None
    service_code: str | None = None
    ship_date: date | None = None
    voided: bool = False
    shipment_cost: Money | None = None  # what the label cost the seller (ShipStation's figure)
    store_id: str | None = None  # the ShipStation store of its order, when the answer says

    def describe(self) -> str:
        """Carrier, service and cost, as the seller's audit shows them."""
        parts = [self.carrier_code, self.service_code or "", str(self.shipment_cost or "")]
        return ", ".join(p for p in parts if p)


def order_key(shop_id: str, parent_order_sn: str) -> str:
    """The ShipStation orderKey: derived from the shop and the parent order, never changes."""
    return f"temu-{shop_id}-{parent_order_sn}"


def keyed_to(key: str | None, shop_id: str) -> bool:
    """Whether an orderKey is one of the shop's: its prefix, then a Temu order number. A shop's
    name is lower-case letters, digits and '-', and a Temu number starts with an upper-case
    "PO-": "temu-acme-2-PO-…" is shop acme-2's order, not acme's."""
    prefix = order_key(shop_id, "")
    rest = key[len(prefix) :] if key and key.startswith(prefix) else ""
    return bool(rest) and not (rest[0].islower() or rest[0].isdigit() or rest[0] == "-")
