"""TemuClient: the domain's TemuGateway for one shop, over Temu's Open API router."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import httpx

from adapters.temu.concurrency import fetch_concurrently
from adapters.temu.confirm import confirm_params, tracking_numbers
from adapters.temu.errors import ALREADY_SHIPPED, TRACKING_USED
from adapters.temu.mapping import (
    to_address,
    to_amounts,
    to_carriers,
    to_shipments,
    to_token_info,
    to_warehouses,
)
from adapters.temu.orders import parse_order, parse_page
from adapters.temu.paging import iterate_pages
from adapters.temu.transport import TemuTransport
from domain.errors import BusinessError, ExternalApiError
from domain.model import Address, OrderAmounts, TemuOrder
from domain.ports import (
    OrderPage,
    OrderReadFailure,
    ShipmentRequest,
    TemuCarrier,
    TemuShipment,
    TimeWindow,
    Warehouse,
)
from domain.shop import TemuCredentials
from domain.token import TokenInfo

log = logging.getLogger(__name__)
MAX_SNS_PER_CALL = 20  # parentOrderSnList (temu.md §4.2)


class TemuClient:
    """Temu Open API for one shop; implements domain.ports.TemuGateway."""

    def __init__(
        self, credentials: TemuCredentials, http: httpx.Client | None = None, **options: Any
    ) -> None:
        self.transport = TemuTransport(credentials, http=http, **options)

    def __repr__(self) -> str:
        return f"TemuClient({self.transport!r})"

    def call(self, api_type: str, params: Mapping[str, Any] | None = None) -> Any:
        """Any Temu API by `type`: its raw `result`."""
        return self.transport.call(api_type, params)

    def token_info(self) -> TokenInfo:
        return to_token_info(self.call("bg.open.accesstoken.info.get"))

    def list_orders(
        self,
        window: TimeWindow | None,
        page: int,
        *,
        status: int | None = None,
        page_size: int = 100,
    ) -> OrderPage:
        # Without a window the pair is left out: Temu then lists orders of any age.
        params = {
            "pageNumber": page,
            "pageSize": page_size,
            "parentOrderStatus": status,
            "updateAtStart": int(window.start.timestamp()) if window else None,
            "updateAtEnd": int(window.end.timestamp()) if window else None,
            "sortby": "updateTime",
        }
        return parse_page(self.call("bg.order.list.v2.get", params), page, page_size)

    def orders_by_sn(self, parent_order_sns: Sequence[str]) -> OrderPage:
        if not 0 < len(parent_order_sns) <= MAX_SNS_PER_CALL:
            raise ValueError(
                f"1 to {MAX_SNS_PER_CALL} parentOrderSns a call, not {len(parent_order_sns)}"
            )
        params = {"pageNumber": 1, "pageSize": 100, "parentOrderSnList": list(parent_order_sns)}
        return parse_page(self.call("bg.order.list.v2.get", params), 1, 100)

    def iter_orders(
        self, window: TimeWindow | None, *, status: int | None = None, page_size: int = 100
    ) -> Iterator[OrderPage]:
        """Every page of the window, each order once (by parentOrderSn) across pages."""
        fetch: Callable[[int], OrderPage] = lambda page: self.list_orders(  # noqa: E731
            window, page, status=status, page_size=page_size
        )
        return iterate_pages(fetch, page_size)

    def order_detail(self, parent_order_sn: str) -> TemuOrder | OrderReadFailure:
        result = self.call("bg.order.detail.v2.get", {"parentOrderSn": parent_order_sn})
        return parse_order(result)

    def ship_to(
        self, parent_order_sns: Sequence[str]
    ) -> Mapping[str, Address | ExternalApiError | None]:
        return fetch_concurrently(self.address, parent_order_sns, self.transport.limiter.rate)

    def address(self, parent_order_sn: str) -> Address | None:
        """One order's ship-to, or None when Temu has none yet."""
        result = self.call("bg.order.shippinginfo.v2.get", {"parentOrderSn": parent_order_sn})
        return to_address(result, _region_of(parent_order_sn))

    def amounts(self, parent_order_sn: str) -> OrderAmounts:
        return to_amounts(self.call("bg.order.amount.query", {"parentOrderSn": parent_order_sn}))

    def amounts_many(
        self, parent_order_sns: Sequence[str]
    ) -> Mapping[str, OrderAmounts | ExternalApiError]:
        return fetch_concurrently(self.amounts, parent_order_sns, self.transport.limiter.rate)

    def warehouses(self) -> list[Warehouse]:
        return to_warehouses(self.call("bg.logistics.warehouse.list.get"))

    def carriers(self, region_id: int) -> list[TemuCarrier]:
        return to_carriers(self.call("bg.logistics.companies.get", {"regionId": region_id}))

    def shipments(self, parent_order_sn: str, order_sn: str) -> list[TemuShipment]:
        params = {"parentOrderSn": parent_order_sn, "orderSn": order_sn}
        return to_shipments(self.call("bg.logistics.shipment.v2.get", params))

    def confirm_shipment(self, request: ShipmentRequest) -> tuple[str, ...]:
        try:
            result = self.call("bg.logistics.shipment.v2.confirm", confirm_params(request))
        except BusinessError as error:
            # A repeat of a confirm that went through (say, after a timeout) is refused with
            # one of these; Temu recording our tracking number on the line makes it a success.
            if error.code in (ALREADY_SHIPPED, TRACKING_USED) and self._already_ours(request):
                return ("already shipped to Temu with this tracking number",)
            raise
        warnings = result.get("warningMessage") if isinstance(result, Mapping) else None
        return tuple(str(w) for w in warnings or ())

    def _already_ours(self, request: ShipmentRequest) -> bool:
        """Every package's tracking number is on record at Temu for its first item."""
        for package in request.packages:
            item = package.items[0]
            recorded = {
                s.tracking_number for s in self.shipments(item.parent_order_sn, item.order_sn)
            }
            if not recorded & tracking_numbers(package):
                return False
        log.info("confirm answered already shipped; Temu has our tracking: treated as done")
        return True


def _region_of(parent_order_sn: str) -> int | None:
    # PO-<regionId>-<digits>: a fallback for the country when the address names none.
    parts = parent_order_sn.split("-")
    return int(parts[1]) if len(parts) > 2 and parts[1].isdigit() else None
