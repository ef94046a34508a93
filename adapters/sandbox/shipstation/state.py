"""ShipStationSandbox: the simulated account's state, with Python helpers for tests."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from adapters.sandbox.shipstation.clock import RealClock, SandboxClock
from adapters.sandbox.shipstation.labels import Labels
from adapters.sandbox.shipstation.limits import Counters, Faults, RateWindow
from adapters.sandbox.shipstation.listing import envelope, list_orders
from adapters.sandbox.shipstation.orders import LOCKED, LOCKED_MESSAGE, stored_order, validate

DEMO_API_KEY = "sandbox-shipstation-key"
DEMO_API_SECRET = "sandbox-shipstation-secret"
DEMO_STORE_ID = 123456
CARRIERS = (
    ("stamps_com", "Stamps.com"),
    ("ups", "UPS"),
    ("fedex", "FedEx"),
    ("dhl_express", "DHL Express"),
)


class ShipStationSandbox:
    """In-memory ShipStation V1 account: orders by orderKey, labels, limits, faults, counters."""

    def __init__(
        self,
        *,
        credentials: Mapping[str, str] | None = None,
        rate_limit: int | None = 40,
        window_seconds: float = 60.0,
        clock: SandboxClock | None = None,
        store_id: int = DEMO_STORE_ID,
    ) -> None:
        self.clock = clock or RealClock()
        self.credentials = dict(credentials or {DEMO_API_KEY: DEMO_API_SECRET})
        self.rate = RateWindow(self.clock, rate_limit, window_seconds)
        self.faults, self.counters = Faults(), Counters()
        self.store_id = store_id
        self.stores = [_manual_store(store_id, "Temu (temuship)", self.clock.now())]
        self.orders: dict[str, dict[str, Any]] = {}
        self.lock = threading.RLock()
        self._ids = itertools.count(140335319)
        self.labels = Labels(self.orders, self.clock, self.lock)

    # --- the V1 API -------------------------------------------------------------------------

    def create_orders(self, body: Any) -> tuple[int, dict[str, Any]]:
        """POST /orders/createorders: (status, body) as ShipStation answers."""
        model_state = validate(body)
        if model_state:
            return 400, {"Message": "The request is invalid.", "ModelState": model_state}
        with self.lock:
            results = [self._upsert(raw) for raw in body]
        return 200, {"hasErrors": not all(r["success"] for r in results), "results": results}

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

    def _store_of(self, raw: dict[str, Any]) -> int:
        store = (raw.get("advancedOptions") or {}).get("storeId")
        return int(store) if store else self.store_id

    def list_orders(self, params: Mapping[str, str]) -> tuple[int, dict[str, Any]]:
        with self.lock:
            return list_orders(list(self.orders.values()), params)

    def list_shipments(self, params: Mapping[str, str]) -> tuple[int, dict[str, Any]]:
        with self.lock:
            return self.labels.listing(params)

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
        """Buy labels: one shipment per package; a None package = every line not yet labelled."""
        return self.labels.create(order_key, packages, carrier_code, service_code, voided)

    def void_label(self, shipment_id: int) -> dict[str, Any]:
        return self.labels.void(shipment_id)

    def inject_fault(
        self, kind: str, count: int = 1, delay: float = 0.0, status: int = 500
    ) -> None:
        """The next `count` API requests fail: `error` (5xx), `slow` (delay s) or `drop`."""
        self.faults.inject(kind, count, delay, status)

    def set_rate_limit(self, limit: int | None, window_seconds: float | None = None) -> None:
        """Raise, lower or (None) switch off the per-key limit."""
        self.rate.limit = limit
        self.rate.seconds = window_seconds or self.rate.seconds


def _manual_store(store_id: int, name: str, now: datetime) -> dict[str, Any]:
    stamp = now.strftime("%Y-%m-%dT%H:%M:%S.0000000")
    return {
        "storeId": store_id, "storeName": name, "marketplaceId": 0,
        "marketplaceName": "ShipStation", "accountName": None, "email": None,
        "integrationUrl": None, "active": True, "companyName": "", "phone": "",
        "publicEmail": "", "website": "", "refreshDate": None, "lastRefreshAttempt": None,
        "createDate": stamp, "modifyDate": stamp, "autoRefresh": False,
    }  # fmt: skip


def _carrier(code: str, name: str) -> dict[str, Any]:
    return {
        "name": name, "code": code, "accountNumber": None,
        "requiresFundedAccount": code == "stamps_com",
        "balance": 100.0 if code == "stamps_com" else 0.0, "nickname": None,
        "shippingProviderId": 10000 + sum(map(ord, code)), "primary": code == "stamps_com",
    }  # fmt: skip
