"""The V2 side of one simulated account: its keys, rate window, readings and services."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from adapters.sandbox.shipstation.limits import RateWindow
from adapters.sandbox.shipstation.v2.changes import ShipmentChanges
from adapters.sandbox.shipstation.v2.delivery import Deliveries
from adapters.sandbox.shipstation.v2.fulfillments import Fulfillments
from adapters.sandbox.shipstation.v2.labels import LabelsV2
from adapters.sandbox.shipstation.v2.readings import Readings
from adapters.sandbox.shipstation.v2.reference import Catalog
from adapters.sandbox.shipstation.v2.shipments import Shipments
from adapters.sandbox.shipstation.v2.signing import Signer
from adapters.sandbox.shipstation.v2.validation import Checker
from adapters.sandbox.shipstation.v2.webhooks import Webhooks

if TYPE_CHECKING:
    from adapters.sandbox.shipstation.state import ShipStationSandbox

Row = dict[str, Any]
DEMO_V2_API_KEY = "sandbox-shipstation-v2-key"
V2_RATE_LIMIT = 200  # requests a minute per V2 key (shipstation-v2.md §2)
FALLBACK_BASE = "http://127.0.0.1"


class V2Account:
    """V2 keys are apart from V1 key/secret pairs; the rate window is per V2 key, apart from
    V1's. Everything else is the account V1 sees: the same orders and labels."""

    def __init__(
        self,
        host: ShipStationSandbox,
        keys: set[str] | None = None,
        rate_limit: int | None = V2_RATE_LIMIT,
        window_seconds: float = 60.0,
    ) -> None:
        self.host = host
        self.keys = set(keys if keys is not None else {DEMO_V2_API_KEY})
        self.rate = RateWindow(host.clock, rate_limit, window_seconds)
        self.readings = Readings()
        carriers = [(c["shippingProviderId"], c["code"], c["name"]) for c in host.carriers()]
        self.catalog = Catalog(carriers, host.clock.now())
        self.checker = Checker(self.readings, self.catalog, self.store_numbers)
        self.shipments = Shipments(host, self)
        self.changes = ShipmentChanges(host, self)
        self.labels = LabelsV2(host, self)
        self.fulfillments = Fulfillments(host, self)
        self.signer = Signer()
        self.deliveries = Deliveries()
        self.webhooks = Webhooks(self.store_numbers, self.deliveries, self.signer)

    def store_numbers(self) -> set[int]:
        return {int(s["storeId"]) for s in self.host.stores}

    def new_key(self, key: str | None = None) -> str:
        """Add a V2 key (a random one unless given) and return it."""
        made = key or f"sandbox-v2-{secrets.token_urlsafe(18)}"
        self.keys.add(made)
        return made

    def set_rate_limit(self, limit: int | None, window_seconds: float | None = None) -> None:
        """Raise, lower or (None) switch off the per-key V2 limit."""
        self.rate.limit = limit
        self.rate.seconds = window_seconds or self.rate.seconds

    def base(self) -> str:
        return self.host.base_url or FALLBACK_BASE

    def labels_bought(self, shipment_ids: list[int]) -> None:
        """Deliver the webhooks of labels just bought (one batch, one order)."""
        wanted = set(shipment_ids)
        with self.host.lock:
            rows = [s for s in self.host.labels.shipments if s["shipmentId"] in wanted]
        if rows:
            store = rows[0]["advancedOptions"]["storeId"]
            self.webhooks.labels_bought(self.base(), rows[0]["_batch"], store)

    def fulfilled(self, row: Row) -> None:
        self.webhooks.fulfilled(self.base(), row)
