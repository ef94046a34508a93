"""The ports: what the use cases need from the world. Adapters implement them."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any, Protocol, Self

from domain.confirmation import ShipmentConfirmation
from domain.errors import ExternalApiError
from domain.history import HistoryEntry
from domain.model import Address, Label, OrderAmounts, TemuOrder
from domain.order import Order
from domain.shop import Shop
from domain.token import Token, TokenInfo

# --- values crossing the ports ------------------------------------------------------------


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


@dataclass(frozen=True, slots=True)
class PushResult:
    """One row of a ShipStation createorders answer."""

    order_key: str
    success: bool
    shipstation_order_id: int | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class LabelPage:
    labels: tuple[Label, ...]
    page: int
    has_more: bool


@dataclass(frozen=True, slots=True)
class ShipStationOrderSummary:
    order_key: str | None
    order_number: str
    order_status: str
    shipstation_order_id: int
    modified_at: datetime | None


@dataclass(frozen=True, slots=True)
class Store:
    store_id: int
    name: str
    marketplace: str | None = None
    active: bool = True


@dataclass(frozen=True, slots=True)
class ShipStationCarrier:
    code: str
    name: str


# --- ports ----------------------------------------------------------------------------------


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware (UTC)."""
        ...


class TemuAuth(Protocol):
    def token_info(self) -> TokenInfo:
        """Expiry, mall, region and API scopes of the shop's token."""
        ...


class TemuOrders(Protocol):
    def list_orders(
        self,
        window: TimeWindow | None,
        page: int,
        *,
        status: int | None = None,
        page_size: int = 100,
    ) -> OrderPage:
        """One page of parent orders updated inside the window (all times when None)."""
        ...

    def orders_by_sn(self, parent_order_sns: Sequence[str]) -> OrderPage:
        """The named parent orders (at most 20 a call), whatever their age or status."""
        ...

    def ship_to(
        self, parent_order_sns: Sequence[str]
    ) -> Mapping[str, Address | ExternalApiError | None]:
        """Ship-to addresses, fetched concurrently; None where Temu gives none yet."""
        ...

    def amounts(self, parent_order_sn: str) -> OrderAmounts:
        """Prices and shipping; raises PermissionMissing without the amount permission."""
        ...

    def amounts_many(
        self, parent_order_sns: Sequence[str]
    ) -> Mapping[str, OrderAmounts | ExternalApiError]:
        """Amounts of many orders, fetched concurrently; PermissionMissing is raised."""
        ...


class TemuLogistics(Protocol):
    def warehouses(self) -> list[Warehouse]: ...

    def carriers(self, region_id: int) -> list[TemuCarrier]: ...

    def confirm_shipment(self, request: ShipmentRequest) -> tuple[str, ...]:
        """Confirm packages to Temu; returns Temu's warnings. Raises BusinessError on refusal."""
        ...

    def shipments(self, parent_order_sn: str, order_sn: str) -> list[TemuShipment]:
        """What Temu has recorded as shipped for one line."""
        ...


class TemuGateway(TemuAuth, TemuOrders, TemuLogistics, Protocol):
    """Everything the use cases need from Temu, for one shop."""


class ShipStationGateway(Protocol):
    """Everything the use cases need from ShipStation V1, for one shop's store."""

    def render(self, order: Order) -> dict[str, Any]:
        """The whole V1 order payload for an order (never a partial one)."""
        ...

    def create_orders(self, payloads: Sequence[Mapping[str, Any]]) -> list[PushResult]:
        """Upsert orders by orderKey, in calls of up to 100; one result per payload."""
        ...

    def shipments_since(self, since: datetime) -> Iterator[LabelPage]:
        """Labels created since a time, every page, with their items."""
        ...

    def voided_since(self, since: datetime) -> Iterator[LabelPage]:
        """Labels voided since a time (ShipStation sends no notice of a void)."""
        ...

    def list_orders(self, modified_since: datetime) -> Iterator[list[ShipStationOrderSummary]]: ...

    def stores(self) -> list[Store]: ...

    def carriers(self) -> list[ShipStationCarrier]: ...


class ShopRepository(Protocol):
    def get(self, shop_id: str) -> Shop | None: ...

    def list(self) -> list[Shop]: ...

    def save(self, shop: Shop) -> None:
        """Insert or update a shop and its (encrypted) credentials."""
        ...


class TokenRepository(Protocol):
    def get(self, shop_id: str) -> Token | None: ...

    def save(self, token: Token) -> None:
        """Store the token's state and append its new history entries."""
        ...


class OrderRepository(Protocol):
    def get_many(self, shop_id: str, parent_order_sns: Collection[str]) -> dict[str, Order]: ...

    def save_many(self, orders: Sequence[Order]) -> None:
        """Bulk-write state, snapshot, new history and confirmations in the current transaction."""
        ...

    def owners_of_lines(self, shop_id: str, order_sns: Collection[str]) -> dict[str, str]:
        """order_sn -> parent_order_sn for the lines we know."""
        ...

    def push_queue(self, shop_id: str, limit: int, after: str | None = None) -> list[Order]:
        """Orders marked for a push to ShipStation, by parent_order_sn, after a key."""
        ...

    def open_confirmations(self, shop_id: str) -> list[ShipmentConfirmation]: ...

    def history(self, shop_id: str | None, parent_order_sn: str) -> list[HistoryEntry]: ...

    def record_read_failure(self, shop_id: str, failure: OrderReadFailure, at: datetime) -> None:
        """Keep the raw payload of an order that could not be read, for replay."""
        ...


class CursorRepository(Protocol):
    def get(self, shop_id: str, name: str) -> datetime | None: ...

    def set(self, shop_id: str, name: str, value: datetime) -> None: ...


class CarrierMappingRepository(Protocol):
    def overrides(self, shop_id: str) -> dict[str, int]:
        """ShipStation carrierCode -> Temu carrier id, set by a person."""
        ...

    def set_override(self, shop_id: str, carrier_code: str, temu_carrier_id: int) -> None: ...


class UnitOfWork(Protocol):
    """One transaction: nothing is written unless `commit()` is called."""

    @property
    def shops(self) -> ShopRepository: ...

    @property
    def tokens(self) -> TokenRepository: ...

    @property
    def orders(self) -> OrderRepository: ...

    @property
    def cursors(self) -> CursorRepository: ...

    @property
    def carriers(self) -> CarrierMappingRepository: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...
