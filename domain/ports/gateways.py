"""What the use cases need from Temu and ShipStation, for one shop."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from domain.errors import ExternalApiError
from domain.model import Address, OrderAmounts
from domain.order import Order
from domain.ports.values import (
    LabelPage,
    OrderPage,
    PushResult,
    ShipmentRequest,
    ShipStationCarrier,
    ShipStationOrderSummary,
    Store,
    TemuCarrier,
    TemuShipment,
    TimeWindow,
    Warehouse,
)
from domain.token import TokenInfo


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
