"""TemuClient: the domain's TemuGateway for one shop, over Temu's Open API router."""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

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
from domain.errors import BusinessError, ExternalApiError, UnexpectedAnswer
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
T = TypeVar("T")


PageKey = tuple[Any, ...]


PREFETCH_WHEN = 0.8  # of a status's orders on a page without a ship-to, the share asked for


class Lookahead:
    """The next page of an order list, read in the background while the caller works on the
    page it has (its ship-to addresses, the database), so the app key's budget has no gap
    between pages. One page ahead at most; a read that failed is simply done again.

    When the caller asked for the addresses of (nearly) every order of a status on the last
    page that had none (a first sync: those awaiting shipment; on an update-time span, the
    shipped ones never imported too), the next page's addresses of the orders of that status
    are read ahead, once its list is in: the budget stays busy while the caller saves this page.
    Otherwise (the addresses are known already) nothing is read that the caller would not ask
    for. One page's addresses are read after the other's (`_fetcher`, one thread): read
    together, the next page's halved the pace of those the caller waited for, both were done
    at once, and the key sat idle while the caller saved the two pages (traced beside 100
    shops: 1.2-1.4 s idle every second page)."""

    def __init__(self) -> None:
        self._pool: ThreadPoolExecutor | None = None
        self._fetcher: ThreadPoolExecutor | None = None
        self._ahead: tuple[PageKey, Future[OrderPage]] | None = None
        self._next_addresses: tuple[PageKey, Future[Mapping[str, Any]]] | None = None
        self._addresses: Future[Mapping[str, Any]] | None = None  # the page taken last
        self._lock = threading.Lock()
        self.used = 0
        self.addresses_used = 0  # addresses the caller took from a read-ahead
        self.statuses: frozenset[int] = frozenset()  # whose addresses are read ahead

    def take(self, key: PageKey) -> OrderPage | None:
        """The page read ahead for `key`, if it was and the read succeeded."""
        with self._lock:
            ahead, self._ahead = self._ahead, None
            after, self._next_addresses = self._next_addresses, None
            self._addresses = after[1] if after is not None and after[0] == key else None
        if ahead is None or ahead[0] != key:
            for unused in (ahead, after):
                if unused is not None:
                    unused[1].cancel()  # if it has not started: it would hold up the next
            return None
        try:
            page = ahead[1].result()
        except Exception:  # read again in the caller's thread, where its error belongs
            return None
        self.used += 1
        return page

    def start(
        self,
        key: PageKey,
        read: Callable[[], OrderPage],
        addresses: Callable[[Sequence[str]], Mapping[str, Any]] | None = None,
    ) -> None:
        statuses = self.statuses
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="temu-ahead")
            page = self._pool.submit(read)
            self._ahead = (key, page)
            if addresses is not None and statuses:
                if self._fetcher is None:
                    self._fetcher = ThreadPoolExecutor(1, thread_name_prefix="temu-ahead-to")
                after = self._fetcher.submit(_after, page, addresses, statuses)
                self._next_addresses = (key, after)

    def addresses(self, wanted: Sequence[str]) -> dict[str, Any]:
        """The addresses read ahead for these orders of the page taken last (the rest are
        the caller's to read)."""
        with self._lock:
            ahead, self._addresses = self._addresses, None
        if ahead is None:
            return {}
        try:
            found = ahead.result()
        except Exception:  # read again by the caller
            return {}
        taken = {sn: found[sn] for sn in wanted if sn in found}
        self.addresses_used += len(taken)
        return taken


def _after(
    page: Future[OrderPage],
    addresses: Callable[[Sequence[str]], Mapping[str, Any]],
    statuses: frozenset[int],
) -> Mapping[str, Any]:
    candidates = [
        o.parent_order_sn
        for o in page.result().orders
        if o.status in statuses and o.ship_to is None
    ]
    return addresses(candidates) if candidates else {}


def asked_statuses(
    without_ship_to: Mapping[str, int], asked: Sequence[str], share: float = PREFETCH_WHEN
) -> frozenset[int]:
    """The statuses of which the caller asked for the addresses of at least `share` of the
    page's orders without a ship-to (`without_ship_to`: their statuses)."""
    listed = Counter(without_ship_to.values())
    wanted = Counter(without_ship_to[sn] for sn in asked if sn in without_ship_to)
    return frozenset(status for status, n in listed.items() if wanted[status] >= share * n)


class TemuClient:
    """Temu Open API for one shop; implements domain.ports.TemuGateway."""

    def __init__(
        self, credentials: TemuCredentials, http: httpx.Client | None = None, **options: Any
    ) -> None:
        self.transport = TemuTransport(credentials, http=http, **options)
        self.lookahead = Lookahead()
        self._without_ship_to: dict[str, int] = {}  # the last page listed: order -> status

    def __repr__(self) -> str:
        return f"TemuClient({self.transport!r})"

    def call(self, api_type: str, params: Mapping[str, Any] | None = None) -> Any:
        """Any Temu API by `type`: its raw `result`."""
        return self.transport.call(api_type, params)

    def read(self, api_type: str, params: Mapping[str, Any] | None, read: Callable[[Any], T]) -> T:
        """`read` of a call's `result`; a result of the wrong shape is an UnexpectedAnswer."""
        result = self.call(api_type, params)
        try:
            return read(result)
        except UnexpectedAnswer as error:
            # Mapping quotes the result; mask our own secrets in it too, should Temu echo one.
            scrub = self.transport.scrub
            raise UnexpectedAnswer(
                error.api, scrub(error.reason), error.code, scrub(error.excerpt)
            ) from None

    def token_info(self) -> TokenInfo:
        return self.read("bg.open.accesstoken.info.get", None, to_token_info)

    def list_orders(
        self,
        window: TimeWindow | None,
        page: int,
        *,
        status: int | None = None,
        page_size: int = 100,
        then: TimeWindow | None = None,
    ) -> OrderPage:
        """One page; the next one is read ahead (`Lookahead`): this window's next page when
        more follow, else the first page of the window the caller reads `then`."""
        key = (window, status, page_size)
        found = self.lookahead.take((*key, page)) or self._list_page(
            window, page, status, page_size
        )
        # This list's next page; after its last, the window read `then`. A list without a
        # window (a first sync's open orders of one status, any age) has its next page too.
        more = found.has_more and bool(found.orders)
        if more or then is not None:
            after, number = (window, page + 1) if more else (then, 1)
            self.lookahead.start(
                (after, status, page_size, number),
                lambda: self._list_page(after, number, status, page_size),
                self._addresses_of,
            )
        self._without_ship_to = {o.parent_order_sn: o.status for o in found.orders
                                 if o.ship_to is None}  # fmt: skip
        return found

    def _list_page(
        self, window: TimeWindow | None, page: int, status: int | None, page_size: int
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
        return self.read(
            "bg.order.list.v2.get", params, lambda result: parse_page(result, page, page_size)
        )

    def orders_by_sn(self, parent_order_sns: Sequence[str]) -> OrderPage:
        if not 0 < len(parent_order_sns) <= MAX_SNS_PER_CALL:
            raise ValueError(
                f"1 to {MAX_SNS_PER_CALL} parentOrderSns a call, not {len(parent_order_sns)}"
            )
        params = {"pageNumber": 1, "pageSize": 100, "parentOrderSnList": list(parent_order_sns)}
        return self.read("bg.order.list.v2.get", params, lambda result: parse_page(result, 1, 100))

    def iter_orders(
        self, window: TimeWindow | None, *, status: int | None = None, page_size: int = 100
    ) -> Iterator[OrderPage]:
        """Every page of the window, each order once (by parentOrderSn) across pages."""
        fetch: Callable[[int], OrderPage] = lambda page: self.list_orders(  # noqa: E731
            window, page, status=status, page_size=page_size
        )
        return iterate_pages(fetch, page_size)

    def order_detail(self, parent_order_sn: str) -> TemuOrder | OrderReadFailure:
        return self.read("bg.order.detail.v2.get", {"parentOrderSn": parent_order_sn}, parse_order)

    def ship_to(
        self, parent_order_sns: Sequence[str]
    ) -> Mapping[str, Address | ExternalApiError | None]:
        """Ship-to addresses, read concurrently (those read ahead are taken as they are)."""
        if self._without_ship_to:
            self.lookahead.statuses = asked_statuses(self._without_ship_to, parent_order_sns)
        found: dict[str, Address | ExternalApiError | None] = self.lookahead.addresses(
            parent_order_sns
        )
        found.update(self._addresses_of([sn for sn in parent_order_sns if sn not in found]))
        return found

    def _addresses_of(
        self, parent_order_sns: Sequence[str]
    ) -> Mapping[str, Address | ExternalApiError | None]:
        return fetch_concurrently(self.address, parent_order_sns, self.transport.limiter.rate)

    def address(self, parent_order_sn: str) -> Address | None:
        """One order's ship-to, or None when Temu has none yet."""
        region = _region_of(parent_order_sn)
        params = {"parentOrderSn": parent_order_sn}
        return self.read(
            "bg.order.shippinginfo.v2.get", params, lambda result: to_address(result, region)
        )

    def amounts(self, parent_order_sn: str) -> OrderAmounts:
        return self.read("bg.order.amount.query", {"parentOrderSn": parent_order_sn}, to_amounts)

    def amounts_many(
        self, parent_order_sns: Sequence[str]
    ) -> Mapping[str, OrderAmounts | ExternalApiError]:
        return fetch_concurrently(self.amounts, parent_order_sns, self.transport.limiter.rate)

    def warehouses(self) -> list[Warehouse]:
        return self.read("bg.logistics.warehouse.list.get", None, to_warehouses)

    def carriers(self, region_id: int) -> list[TemuCarrier]:
        return self.read("bg.logistics.companies.get", {"regionId": region_id}, to_carriers)

    def shipments(self, parent_order_sn: str, order_sn: str) -> list[TemuShipment]:
        params = {"parentOrderSn": parent_order_sn, "orderSn": order_sn}
        return self.read("bg.logistics.shipment.v2.get", params, to_shipments)

    def shipments_many(
        self, lines: Sequence[tuple[str, str]]
    ) -> Mapping[str, list[TemuShipment] | ExternalApiError]:
        """Temu's shipment records of many (parent order, line) pairs, fetched concurrently."""
        line_of = dict(lines)
        return fetch_concurrently(
            lambda sn: self.shipments(sn, line_of[sn]), list(line_of), self.transport.limiter.rate
        )

    def confirm_shipment(self, request: ShipmentRequest) -> tuple[str, ...]:
        try:
            result = self.call("bg.logistics.shipment.v2.confirm", confirm_params(request))
        except BusinessError as error:
            # A repeat of a confirm that went through (say, after a timeout) is refused with
            # one of these; Temu recording our tracking number on the line makes it a success.
            if error.code in (ALREADY_SHIPPED, TRACKING_USED) and self._already_ours(request):
                return ("already shipped to Temu with this tracking number",)
            raise
        return confirm_warnings(result)

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


def confirm_warnings(result: Any) -> tuple[str, ...]:
    """Temu's warnings on a confirm that went through; whatever their shape, never a failure
    (the shipment is confirmed: asking again would only be refused as already shipped)."""
    warnings = result.get("warningMessage") if isinstance(result, Mapping) else None
    if isinstance(warnings, str):
        warnings = [warnings]
    if not isinstance(warnings, list):
        return ()
    return tuple(str(w)[:500] for w in warnings if w is not None)


def _region_of(parent_order_sn: str) -> int | None:
    # PO-<regionId>-<digits>: a fallback for the country when the address names none.
    parts = parent_order_sn.split("-")
    return int(parts[1]) if len(parts) > 2 and parts[1].isdigit() else None
