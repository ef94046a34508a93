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
    OutgoingOrder,
    PushResult,
    ShipFrom,
    ShipmentRequest,
    ShipStationCarrier,
    Store,
    TemuCarrier,
    TemuShipment,
    TimeWindow,
    Warehouse,
)
from domain.shop import ShipStationApi
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
        then: TimeWindow | None = None,
    ) -> OrderPage:
        """One page of parent orders updated inside the window (all times when None).
        `then`: the window the caller reads next once this one's pages are done (its first
        page may be read ahead while the caller works on this window's last)."""
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

    def shipments_many(
        self, lines: Sequence[tuple[str, str]]
    ) -> Mapping[str, list[TemuShipment] | ExternalApiError]:
        """What Temu has recorded as shipped, for many (parent order, line) pairs at once, by
        parent order; a per-order failure is given, not raised (a token error is raised)."""
        ...


class TemuGateway(TemuAuth, TemuOrders, TemuLogistics, Protocol):
    """Everything the use cases need from Temu, for one shop."""


class ShipStationGateway(Protocol):
    """Everything the use cases need from ShipStation, for one shop's store, whichever API the
    shop speaks (V1 or V2: the gateway maps an order, its lines and its labels to its wire)."""

    speaks: ShipStationApi

    def render(self, order: Order) -> dict[str, Any]:
        """The whole payload for an order (never a partial one): its digest says whether
        ShipStation has what we would send now."""
        ...

    def push(self, orders: Sequence[OutgoingOrder]) -> list[PushResult]:
        """Bring each order to its payload and status in ShipStation, creating it where it has
        none (never a second one); one result per order, in calls of up to 100."""
        ...

    def labels_since(self, since: datetime) -> Iterator[LabelPage]:
        """Labels created since a time, every page, with the lines each ships."""
        ...

    def voided_since(self, since: datetime) -> Iterator[LabelPage]:
        """Labels voided since a time (ShipStation sends no notice of a void)."""
        ...

    def account_labels_since(self, since: datetime) -> Iterator[LabelPage]:
        """Labels created since a time in every store of the account, in one listing for all
        the account's shops (not one per shop), each naming its order key and store for the
        caller to tell the shops apart. V2 lists labels by their last change, so its pages
        also hold the labels voided since."""
        ...

    def account_voids_since(self, since: datetime) -> Iterator[LabelPage]:
        """Labels voided since a time in every store of the account (V1); V2: none, its
        `account_labels_since` gives them, with no request."""
        ...

    def stores(self) -> list[Store]:
        """The account's stores (V1; V2 has no list: empty)."""
        ...

    def warehouses(self) -> list[ShipFrom]:
        """The account's ship-from warehouses (V2; V1: empty)."""
        ...

    def carriers(self) -> list[ShipStationCarrier]: ...
