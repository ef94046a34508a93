"""TemuSandbox: the simulated gateway's in-memory state and the helpers tests and demos call."""

from __future__ import annotations

import secrets
import threading
from collections import Counter, deque
from typing import Any

from adapters.sandbox.temu import seed as temu_seed
from adapters.sandbox.temu.model import (
    ALL_SCOPES,
    AMOUNT_TYPE,
    FAULT_KINDS,
    Fault,
    SandboxClock,
    SandboxOrder,
    SandboxShipment,
    SandboxToken,
)

DEMO_APP_KEY = "d3m0a9b8c7d6e5f4a3b2c1d0e9f8a7b6"
DEMO_APP_SECRET = "demo-sandbox-secret-0123456789abcdef0123"
DEMO_ACCESS_TOKEN = "upldemosandboxtoken0123456789abcdefghijklmnopqrstuvw"
DEMO_MALL_ID = 635517726820718
YEAR = 365 * 86_400
CARRIERS = (
    (998264743, "USPS", "USPS"),
    (998264744, "UPS", "UPS"),
    (998264745, "FedEx", "FedEx"),
    (998264746, "DHL eCommerce", "DHL"),
)
WAREHOUSES = (
    {"warehouseId": temu_seed.WAREHOUSE, "warehouseName": "NJ Warehouse", "regionId1": 211,
     "defaultWarehouse": True, "warehouseManagementType": 1},
    {"warehouseId": "WH-04024228864152999", "warehouseName": "TX Overflow", "regionId1": 211,
     "defaultWarehouse": False, "warehouseManagementType": 1},
)  # fmt: skip


class TemuSandbox:
    """Apps, tokens, orders and shipments of a simulated Temu, plus switches and faults."""

    def __init__(
        self,
        clock: SandboxClock | None = None,
        qps: float | None = 20.0,
        app_key: str = DEMO_APP_KEY,
        app_secret: str = DEMO_APP_SECRET,
        access_token: str = DEMO_ACCESS_TOKEN,
        mall_id: int | None = None,
        amounts_permission: bool = False,
    ) -> None:
        """`mall_id`: the demo token's mall (default: one of this sandbox's own, so two
        sandboxes are two sellers). `amounts_permission`: whether tokens may call the
        sensitive bg.order.amount.query; off by default, as for a real app until Temu
        whitelists it (temu.md §3.4, §6): calls answer 3000032."""
        self.lock = threading.RLock()
        self.mall_id = mall_id or DEMO_MALL_ID + secrets.randbelow(10**9)
        self.clock = clock or SandboxClock()
        self.qps = qps
        self.apps: dict[str, str] = {app_key: app_secret}
        self.tokens: dict[str, SandboxToken] = {}
        self.orders: dict[str, SandboxOrder] = {}
        self.shipments: list[SandboxShipment] = []
        self.faults: deque[Fault] = deque()
        self.expiry_mode = "code"  # or "http401"
        self.carrier_container = "array"  # or "items", "logisticsCompaniesList", ...
        self.requests: Counter[str] = Counter()
        self.requests_by_mall: Counter[int] = Counter()  # answered requests per token's mall
        self.refusals: Counter[int] = Counter()
        self.recent: dict[str, list[float]] = {}  # accepted arrivals per app key, in order
        self.listed_at: int | None = None  # when an order list was last answered
        self.amounts_permission = amounts_permission
        self.add_token(access_token, app_key)

    # --- tokens ---------------------------------------------------------------------------

    def add_token(self, access_token: str, app_key: str | None = None, **fields: Any) -> None:
        """A token of the app; its scopes (unless given) follow the amounts switch."""
        with self.lock:
            fields.setdefault("scopes", self.default_scopes())
            self.tokens[access_token] = SandboxToken(
                access_token,
                app_key or next(iter(self.apps)),
                fields.pop("mall_id", self.mall_id),
                fields.pop("region_id", 211),
                fields.pop("expires_at", self.clock.seconds() + YEAR),
                **fields,
            )

    def expire_token(self, access_token: str = DEMO_ACCESS_TOKEN) -> None:
        with self.lock:
            self.tokens[access_token].expires_at = self.clock.seconds() - 1

    def rotate_token(self, access_token: str = DEMO_ACCESS_TOKEN) -> str:
        """The seller re-authorised: a new token; the old one answers 3000034 from now on."""
        with self.lock:
            old = self.tokens[access_token]
            old.refreshed = True
            new = "upl" + secrets.token_hex(26)
            self.add_token(new, old.app_key, mall_id=old.mall_id, region_id=old.region_id,
                           scopes=set(old.scopes))  # fmt: skip
            return new

    def revoke_token(self, access_token: str = DEMO_ACCESS_TOKEN) -> None:
        with self.lock:
            self.tokens.pop(access_token, None)

    def default_scopes(self) -> set[str]:
        return set(ALL_SCOPES) if self.amounts_permission else set(ALL_SCOPES - {AMOUNT_TYPE})

    def set_amounts_permission(self, enabled: bool) -> None:
        """Grant (or withdraw) bg.order.amount.query to every token, and to tokens made later."""
        with self.lock:
            self.amounts_permission = enabled
            for token in self.tokens.values():
                (token.scopes.add if enabled else token.scopes.discard)(AMOUNT_TYPE)

    def set_expiry_mode(self, mode: str) -> None:
        if mode not in ("code", "http401"):
            raise ValueError(f"unknown expiry mode {mode!r}")
        self.expiry_mode = mode

    # --- orders ---------------------------------------------------------------------------

    def seed_orders(self, count: int, seed: int = 7, mall_id: int | None = None) -> list[str]:
        """Add `count` generated orders (deterministic for a seed); their parentOrderSns.
        With `mall_id`, only that mall's tokens see them (else every token does).

        Once the sandbox has answered an order list, the orders it is given are new to its
        clients: they are updated now, so the next incremental sync reads them, as a real Temu
        never shows a client an order that changed before a list it has already answered."""
        with self.lock:
            now = self.clock.seconds()
            made = temu_seed.generate(count, seed, now, len(self.orders))
            for order in made:
                order.mall_id = mall_id
            if self.listed_at is not None:
                for order in made:
                    order.updated_at = max(order.updated_at, now)
            self.orders.update((order.parent_order_sn, order) for order in made)
            return [order.parent_order_sn for order in made]

    def add_order(self, order: SandboxOrder) -> None:
        with self.lock:
            self.orders[order.parent_order_sn] = order

    def set_status(self, sn: str, status: int, line_status: int | None = None) -> None:
        with self.lock:
            order = self.orders[sn]
            order.status = status
            for line in order.lines:
                line.status = line_status if line_status is not None else status
            self.touch(order)

    def ship_outside(self, sn: str, tracking: str | None) -> None:
        """The seller shipped the order without temuship (Temu's own label, say): status 4, with
        Temu's record of the package when `tracking` is given (none when it is None)."""
        with self.lock:
            order = self.orders[sn]
            if tracking is not None:
                warehouse = str(WAREHOUSES[0]["warehouseId"])
                self.shipments += [
                    SandboxShipment(sn, line.order_sn, tracking, CARRIERS[0][0], warehouse,
                                    line.sku_id, line.quantity, f"PK-{tracking}-{i}")
                    for i, line in enumerate(order.lines)
                ]  # fmt: skip
        self.set_status(sn, 4)

    def set_address(self, sn: str, address: dict[str, Any] | None) -> None:
        with self.lock:
            self.orders[sn].address = address
            self.touch(self.orders[sn])

    def set_label(self, sn: str, label: str, on: bool = True) -> None:
        with self.lock:
            labels = self.orders[sn].labels
            labels.add(label) if on else labels.discard(label)
            self.touch(self.orders[sn])

    def touch(self, order: SandboxOrder) -> None:
        """Every change bumps updateTime (never backwards)."""
        order.updated_at = max(order.updated_at + 1, self.clock.seconds())

    def order_sns(self, statuses: set[int] | None = None) -> set[str]:
        with self.lock:
            return {sn for sn, o in self.orders.items() if statuses is None or o.status in statuses}

    # --- faults ---------------------------------------------------------------------------

    def inject(self, kind: str, count: int = 1, **options: Any) -> None:
        """Misbehave on the next `count` router requests (after faults already queued)."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; one of {sorted(FAULT_KINDS)}")
        with self.lock:
            self.faults.append(Fault(kind, count, **options))

    def next_fault(self) -> Fault | None:
        with self.lock:
            if not self.faults:
                return None
            fault = self.faults[0]
            if not fault.fires():
                return None
            if fault.count <= 0:
                self.faults.popleft()
            return fault

    def clear_faults(self) -> None:
        with self.lock:
            self.faults.clear()
