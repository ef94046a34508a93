"""ShipStationClient: the domain's ShipStationGateway over the V1 API, for one shop's store."""

from __future__ import annotations

import base64
import logging
import random
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from types import TracebackType
from typing import Any, Self

import httpx

from adapters.shipstation.batch import MAX_BATCH, push_orders
from adapters.shipstation.dates import to_pacific_query
from adapters.shipstation.http import ShipStationHttp
from adapters.shipstation.mapping import render_order
from adapters.shipstation.pacing import (
    Pacer,
    PacerLike,
    RateState,
    RetryPolicy,
    shared_rate_state,
)
from adapters.shipstation.paging import MAX_PAGE_SIZE, pages
from adapters.shipstation.reading import (
    ReadFailure,
    ShipStationOrderSummary,
    UnkeyedItem,
    parse_carriers,
    parse_label,
    parse_order_summary,
    parse_stores,
    unreadable,
)
from adapters.shipstation.webhooks import parse_subscription_id, parse_webhooks
from domain.model import Label, order_key
from domain.order import Order
from domain.ports import (
    LabelPage,
    OutgoingOrder,
    PushResult,
    ShipFrom,
    ShipStationCarrier,
    Store,
)
from domain.secrets import mask
from domain.shop import ShipStationApi, ShipStationCredentials

log = logging.getLogger(__name__)
DEFAULT_BASE_URL = "https://ssapi.shipstation.com"


class ShipStationClient:
    """ShipStation V1 for one shop: Basic auth, paced by the key's rate limit, retried safely;
    implements domain.ports.ShipStationGateway (createorders upserts by orderKey, so one call
    brings an order to its payload and status).

    `pacer`: the key's budget shared by every process (adapters/db/budgets.py, as wired in
    flows/wiring.py); without one, a pacer shared by this process's clients of the key."""

    def __init__(
        self,
        credentials: ShipStationCredentials,
        shop_id: str,
        *,
        http: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
        rate_state: RateState | None = None,
        pacer: PacerLike | None = None,
        retry: RetryPolicy | None = None,
        timeout: float = 30.0,
        page_size: int = MAX_PAGE_SIZE,
    ) -> None:
        self.shop_id, self.store_id = shop_id, credentials.store_id
        self.base_url = (credentials.base_url or DEFAULT_BASE_URL).rstrip("/")
        self._key_hint = mask(credentials.api_key)
        self._owns_http = http is None
        self._http = http or httpx.Client(transport=transport, timeout=timeout)
        self._http.base_url = httpx.URL(self.base_url)
        secret = credentials.api_secret.reveal()
        self._http.auth = httpx.BasicAuth(credentials.api_key, secret)
        # A given pacer (the key's budget shared through the database) or this process's.
        self.pacer: PacerLike = pacer or Pacer(
            rate_state or shared_rate_state(self.base_url, credentials.api_key), monotonic, sleep
        )
        basic = base64.b64encode(f"{credentials.api_key}:{secret}".encode()).decode()
        secrets = (secret, basic)  # never quoted back from an answer
        self.api = ShipStationHttp(
            self._http, self.pacer, retry or RetryPolicy(), sleep, rng or random.Random(), secrets
        )
        self.page_size = min(page_size, MAX_PAGE_SIZE)
        self.unkeyed_items: list[UnkeyedItem] = []
        # Rows of /shipments and /orders pages that could not be read, each with its reason.
        self.read_failures: list[ReadFailure] = []

    speaks = ShipStationApi.V1

    def __repr__(self) -> str:
        return f"ShipStationClient(shop={self.shop_id!r}, key={self._key_hint}, {self.base_url})"

    # --- orders -------------------------------------------------------------------------------

    def render(self, order: Order) -> dict[str, Any]:
        """The whole V1 order payload for an order (never a partial one)."""
        return render_order(order, self.store_id)

    def create_orders(self, payloads: Sequence[Mapping[str, Any]]) -> list[PushResult]:
        """Upsert orders by orderKey, in calls of up to 100; one result per payload."""
        missing = [i for i, p in enumerate(payloads) if not p.get("orderKey")]
        if missing:  # without orderKey ShipStation creates a new order on every retry
            raise ValueError(f"payloads without orderKey at positions {missing[:10]}")
        return push_orders(lambda batch: self.api.post("/orders/createorders", batch), payloads)

    def push(self, orders: Sequence[OutgoingOrder]) -> list[PushResult]:
        """createorders: each order's payload carries its status; ShipStation's clock (the
        answer's Date) says when it took them."""
        results = self.create_orders([order.payload for order in orders])
        taken_at = self.api.answered_at
        return [replace(result, at=taken_at) if result.success else result for result in results]

    def list_orders(self, modified_since: datetime) -> Iterator[list[ShipStationOrderSummary]]:
        """Orders modified since a time, oldest change first, page by page."""
        params = self._store_filter(
            modifyDateStart=to_pacific_query(modified_since), sortBy="ModifyDate", sortDir="ASC"
        )
        for page in pages(lambda q: self.api.get("/orders", q), params, "orders", self.page_size):
            summaries = []
            for raw in page.items:
                summary = parse_order_summary(raw)
                if isinstance(summary, ReadFailure):
                    self._note_failure(summary)
                else:
                    summaries.append(summary)
            yield summaries

    # --- labels -------------------------------------------------------------------------------

    def shipments_since(self, since: datetime) -> Iterator[LabelPage]:
        """Labels created since a time, every page, with their items (voided ones included)."""
        return self._labels(createDateStart=to_pacific_query(since), sortBy="CreateDate")

    labels_since = shipments_since

    def voided_since(self, since: datetime) -> Iterator[LabelPage]:
        """Labels voided since a time: V1 sends no webhook for voids, so they are polled."""
        return self._labels(voidDateStart=to_pacific_query(since), sortBy="CreateDate")

    def account_labels_since(self, since: datetime) -> Iterator[LabelPage]:
        """Every store's labels created since a time, in one listing for the account (no
        storeId): each names its orderKey and store, for the caller to tell the shops apart."""
        created = to_pacific_query(since)
        return self._labels(every_store=True, createDateStart=created, sortBy="CreateDate")

    def account_voids_since(self, since: datetime) -> Iterator[LabelPage]:
        """Every store's labels voided since a time, in one listing for the account."""
        voided = to_pacific_query(since)
        return self._labels(every_store=True, voidDateStart=voided, sortBy="CreateDate")

    def _labels(self, every_store: bool = False, **filters: str) -> Iterator[LabelPage]:
        """Each page's labels; a shipment that cannot be read fails alone (page.failures)
        and a shipment already read on an earlier page of this walk is not repeated."""
        filters = {**filters, "includeShipmentItems": "true", "sortDir": "ASC"}
        params = dict(filters) if every_store else self._store_filter(**filters)
        get = lambda q: self.api.get("/shipments", q)  # noqa: E731
        prefix = order_key(self.shop_id, "")
        seen: set[str] = set()
        for page in pages(get, params, "shipments", self.page_size):
            labels: list[Label] = []
            failures: list[ReadFailure] = []
            for raw in page.items:
                label, unkeyed = parse_label(raw, prefix)
                self._note_unkeyed(unkeyed)
                if isinstance(label, ReadFailure):
                    self._note_failure(label)
                    failures.append(label)
                elif label.shipment_id not in seen:
                    seen.add(label.shipment_id)
                    labels.append(label)
            rows = tuple(unreadable(f) for f in failures)
            yield LabelPage(tuple(labels), page.number, page.has_more, rows)

    def _note_failure(self, failure: ReadFailure) -> None:
        log.warning("ShipStation %s row not read: %s", failure.what, failure.reason)
        self.read_failures.append(failure)

    def _note_unkeyed(self, unkeyed: list[UnkeyedItem]) -> None:
        for item in unkeyed:
            log.warning(
                "shipment %s has an item without lineItemKey (sku %s): not matched",
                item.shipment_id,
                item.sku,
            )
        self.unkeyed_items.extend(unkeyed)

    # --- account ------------------------------------------------------------------------------

    def stores(self) -> list[Store]:
        return parse_stores(self.api.get("/stores"))

    def carriers(self) -> list[ShipStationCarrier]:
        return parse_carriers(self.api.get("/carriers"))

    def warehouses(self) -> list[ShipFrom]:
        """V1 orders name a store, not a warehouse: none to choose."""
        return []

    # --- webhooks (shipstation.md §5.1) ----------------------------------------------------

    def subscribe(
        self, target_url: str, event: str, store_id: int | None, friendly_name: str
    ) -> int:
        """`POST /webhooks/subscribe`: the new subscription's id."""
        body = {"target_url": target_url, "event": event, "store_id": store_id,
                "friendly_name": friendly_name}  # fmt: skip
        return parse_subscription_id(self.api.post("/webhooks/subscribe", body))

    def list_webhooks(self) -> list[dict[str, Any]]:
        """`GET /webhooks`: each subscription as {id, url, event, store_id, name, active}."""
        return parse_webhooks(self.api.get("/webhooks"))

    def unsubscribe(self, webhook_id: int | str) -> None:
        """`DELETE /webhooks/{id}` (200 with an empty body)."""
        self.api.request("DELETE", f"/webhooks/{webhook_id}", empty_ok=True)

    def _store_filter(self, **params: str) -> dict[str, Any]:
        # Only the Temu store's orders and labels are ours to read.
        return {**params, "storeId": self.store_id} if self.store_id is not None else dict(params)

    # --- lifecycle ----------------------------------------------------------------------------

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


__all__ = ["MAX_BATCH", "ShipStationClient"]
