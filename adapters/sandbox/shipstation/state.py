"""ShipStationSandbox: the simulated account's state, with Python helpers for tests."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from adapters.sandbox.shipstation.clock import RealClock, SandboxClock
from adapters.sandbox.shipstation.dates import pacific_text
from adapters.sandbox.shipstation.labels import Labels
from adapters.sandbox.shipstation.limits import Counters, Faults, RateWindow
from adapters.sandbox.shipstation.listing import envelope, list_orders, public
from adapters.sandbox.shipstation.orders import (
    INVALID,
    LOCKED,
    LOCKED_MESSAGE,
    stored_order,
    validate,
    validate_one,
)
from adapters.sandbox.shipstation.v2.account import DEMO_V2_API_KEY, V2_RATE_LIMIT, V2Account

DEMO_API_KEY = "sandbox-shipstation-key"
DEMO_API_SECRET = "sandbox-shipstation-secret"
DEMO_STORE_ID = 123456
# GET /stores/marketplaces (shipstation.md §4.4, shape only): 0 = manual store (S2 sample);
# the other ids and flags are invented.
MARKETPLACES = (
    ("ShipStation", 0, False, False, False, False),
    ("Amazon", 2, True, True, True, True),
    ("eBay", 3, True, True, False, True),
    ("Shopify", 26, True, True, True, True),
    ("Walmart", 76, True, True, False, True),
    ("Temu", 1065, True, False, False, True),
)
__all__ = ["CARRIERS", "DEMO_API_KEY", "DEMO_API_SECRET", "DEMO_STORE_ID", "DEMO_V2_API_KEY",
           "MARKETPLACES", "ShipStationSandbox"]  # fmt: skip
CARRIERS = (
    ("stamps_com", "Stamps.com"),
    ("ups", "UPS"),
    ("fedex", "FedEx"),
    ("dhl_express", "DHL Express"),
)


class ShipStationSandbox:
    """In-memory ShipStation account: orders by orderKey, labels, limits, faults, counters.
    V1 answers it directly; V2 (`self.v2`, shipstation/v2/) reads and writes the same rows."""

    def __init__(
        self,
        *,
        credentials: Mapping[str, str] | None = None,
        rate_limit: int | None = 40,
        window_seconds: float = 60.0,
        clock: SandboxClock | None = None,
        store_id: int = DEMO_STORE_ID,
        strict: bool = True,
        v2_keys: set[str] | None = None,
        v2_rate_limit: int | None = V2_RATE_LIMIT,
    ) -> None:
        """`strict` refuses what the docs leave open (shipstation.md §3.3, §14): a shipTo
        without a 2-letter country, numbers sent as strings. Off, the sandbox reads them as a
        lenient JSON reader would; a client must work either way. `v2_keys` (default
        {DEMO_V2_API_KEY}) and `v2_rate_limit` (a minute, per V2 key) are V2's."""
        self.clock = clock or RealClock()
        self.strict = strict
        self.credentials = dict(credentials or {DEMO_API_KEY: DEMO_API_SECRET})
        self.rate = RateWindow(self.clock, rate_limit, window_seconds)
        self.faults, self.counters = Faults(), Counters()
        self.store_id = store_id
        self.stores = [_manual_store(store_id, "Temu (temuship)", self.clock.now())]
        self.orders: dict[str, dict[str, Any]] = {}
        self.lock = threading.RLock()
        self._ids = itertools.count(140335319)
        self.labels = Labels(self.orders, self.clock, self.lock)
        self.base_url: str | None = None  # where a webhook's resource_url points (launcher)
        self.v2 = V2Account(self, v2_keys, v2_rate_limit)

    # --- the V1 API -------------------------------------------------------------------------

    def create_orders(self, body: Any) -> tuple[int, dict[str, Any]]:
        """POST /orders/createorders: (status, body) as ShipStation answers."""
        model_state = validate(body, strict=self.strict)
        if model_state:
            return 400, {"Message": INVALID, "ModelState": model_state}
        with self.lock:
            results = [self._upsert(raw) for raw in body]
        return 200, {"hasErrors": not all(r["success"] for r in results), "results": results}

    def create_order(self, body: Any) -> tuple[int, dict[str, Any]]:
        """POST /orders/createorder: one order, answered with the whole order as stored."""
        model_state = validate_one(body, strict=self.strict)
        if model_state:
            return 400, {"Message": INVALID, "ModelState": model_state}
        with self.lock:
            result = self._upsert(body)
            if not result["success"]:  # shipstation.md §3.2: the answer is unsure [I]
                return 400, {"Message": result["errorMessage"]}
            return 200, public(self.orders[result["orderKey"]])

    def get_order(self, order_id: str) -> tuple[int, dict[str, Any]]:
        """GET /orders/{orderId}."""
        if not order_id.isdigit():
            message = f"The value '{order_id}' is not valid for orderId."
            return 400, {"Message": INVALID, "ModelState": {"orderId": [message]}}
        with self.lock:
            found = next((o for o in self.orders.values() if o["orderId"] == int(order_id)), None)
            if found is None:
                return 404, {"Message": f"Order {order_id} was not found."}
            return 200, public(found)

    def _upsert(self, raw: dict[str, Any]) -> dict[str, Any]:
        key = raw.get("orderKey") or f"ss-{next(self._ids)}"
        existing = self.orders.get(key)
        row = {"orderNumber": raw["orderNumber"], "orderKey": key, "errorMessage": None}
        if existing and existing["orderStatus"] in LOCKED:
            return {**row, "orderId": existing["orderId"], "success": False,
                    "errorMessage": LOCKED_MESSAGE}  # fmt: skip
        now = self.clock.now()
        order_id = existing["orderId"] if existing else next(self._ids)
        created = existing["_created"] if existing else now
        store = existing["advancedOptions"]["storeId"] if existing else self._store_of(raw)
        order = stored_order({**raw, "orderKey": key}, order_id, created, now, store)
        order.update(_created=created, _modified=now)
        self.labels.number_items(order, existing)
        self.orders[key] = order
        return {**row, "orderId": order_id, "success": True}

    def new_order_id(self) -> int:
        """The next orderId (V2: shipment_id "se-N"), from the counter V1's upserts use."""
        with self.lock:
            return next(self._ids)

    def _store_of(self, raw: dict[str, Any]) -> int:
        store = (raw.get("advancedOptions") or {}).get("storeId")
        return int(store) if store else self.store_id

    def list_orders(self, params: Mapping[str, str]) -> tuple[int, dict[str, Any]]:
        with self.lock:
            return list_orders(list(self.orders.values()), params)

    def list_shipments(self, params: Mapping[str, str]) -> tuple[int, dict[str, Any]]:
        with self.lock:
            return self.labels.listing(params)

    def list_stores(self, params: Mapping[str, str]) -> list[dict[str, Any]]:
        """GET /stores?showInactive=&marketplaceId=, dates in Pacific time like every answer."""
        everything = (params.get("showInactive") or "").lower() == "true"
        market = params.get("marketplaceId")
        return [
            self._store_answer(store)
            for store in self.stores
            if (everything or store["active"])
            and (not market or str(store["marketplaceId"]) == market)
        ]

    def store(self, store_id: str) -> tuple[int, Any]:
        """GET /stores/{storeId}: the store and its status mappings."""
        found = next((s for s in self.stores if str(s["storeId"]) == store_id), None)
        if found is None:
            return 404, {"Message": f"Store {store_id} was not found."}
        return 200, {**self._store_answer(found), "statusMappings": None}

    def _store_answer(self, store: dict[str, Any]) -> dict[str, Any]:
        dates = {k: pacific_text(v) if v else None for k, v in store["_dates"].items()}
        return {**public(store), **dates}

    def marketplaces(self) -> list[dict[str, Any]]:
        return [
            {"name": name, "marketplaceId": mid, "canRefresh": refresh,
             "supportsCustomMappings": mappings, "supportsCustomStatuses": statuses,
             "canConfirmShipments": confirms}
            for name, mid, refresh, mappings, statuses, confirms in MARKETPLACES
        ]  # fmt: skip

    def carriers(self) -> list[dict[str, Any]]:
        return [_carrier(code, name) for code, name in CARRIERS]

    # --- helpers for tests and the admin API ---------------------------------------------------

    def order(self, order_key: str) -> dict[str, Any] | None:
        """The order as GET /orders would show it."""
        with self.lock:
            found = self.orders.get(order_key)
            return envelope([found], "orders", 1, 1)["orders"][0] if found else None

    def create_labels(
        self,
        order_key: str,
        packages: Sequence[Mapping[str, int] | None] = (None,),
        carrier_code: str = "stamps_com",
        service_code: str = "usps_ground_advantage",
        voided: bool = False,
    ) -> list[dict[str, Any]]:
        """Buy labels: one shipment per package; a None package = every line not yet labelled.
        One call is one batch: both APIs see the labels, and the webhooks of both fire."""
        made = self.labels.create(order_key, packages, carrier_code, service_code, voided)
        self.v2.labels_bought([row["shipmentId"] for row in made])
        return made

    def void_label(self, shipment_id: int) -> dict[str, Any]:
        return self.labels.void(shipment_id)

    def inject_fault(
        self,
        kind: str,
        count: int = 1,
        delay: float = 0.0,
        status: int = 500,
        path: str | None = None,
        retry_after: int = 1,
    ) -> None:
        """The next `count` API requests (to `path...` only, if given; V1 or V2 paths) fail:
        `error` (5xx), `empty_error` (5xx, no body), `rate_limit` (429, retry after
        `retry_after` s), `slow` (delay s), `drop`, or a 200 that is `malformed` JSON, `html`
        or `empty`."""
        self.faults.inject(kind, count, delay, status, path, retry_after)

    def set_rate_limit(self, limit: int | None, window_seconds: float | None = None) -> None:
        """Raise, lower or (None) switch off the per-key limit."""
        self.rate.limit = limit
        self.rate.seconds = window_seconds or self.rate.seconds


def _manual_store(store_id: int, name: str, now: datetime) -> dict[str, Any]:
    """A Manual Store; its dates are instants, written in Pacific time when answered."""
    return {
        "storeId": store_id, "storeName": name, "marketplaceId": 0,
        "marketplaceName": "ShipStation", "accountName": None, "email": None,
        "integrationUrl": None, "active": True, "companyName": "", "phone": "",
        "publicEmail": "", "website": "",
        "autoRefresh": False,
        "_dates": {"createDate": now, "modifyDate": now, "refreshDate": None,
                   "lastRefreshAttempt": None},
    }  # fmt: skip


def _carrier(code: str, name: str) -> dict[str, Any]:
    return {
        "name": name, "code": code, "accountNumber": None,
        "requiresFundedAccount": code == "stamps_com",
        "balance": 100.0 if code == "stamps_com" else 0.0, "nickname": None,
        "shippingProviderId": 10000 + sum(map(ord, code)), "primary": code == "stamps_com",
    }  # fmt: skip
