"""The simulated Temu gateway's records: tokens, orders, lines, shipments, faults, its clock."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

ALL_SCOPES = frozenset(
    {
        "bg.open.accesstoken.info.get",
        "bg.order.list.v2.get",
        "bg.order.detail.v2.get",
        "bg.order.shippinginfo.v2.get",
        "bg.order.amount.query",
        "bg.logistics.warehouse.list.get",
        "bg.logistics.companies.get",
        "bg.logistics.shipment.v2.confirm",
        "bg.logistics.shipment.v2.get",
    }
)
AMOUNT_TYPE = "bg.order.amount.query"  # sensitive: granted only by the admin switch
SHIPPABLE_ADDRESS_STATUSES = frozenset({2, 4})


class SandboxClock:
    """Real time plus an offset that tests can move forward (or pin)."""

    def __init__(self, start: datetime | None = None) -> None:
        self._lock = threading.Lock()
        self._offset = (start - datetime.now(UTC)) if start else timedelta()

    def now(self) -> datetime:
        with self._lock:
            return datetime.now(UTC) + self._offset

    def advance(self, seconds: float) -> datetime:
        with self._lock:
            self._offset += timedelta(seconds=seconds)
        return self.now()

    def seconds(self) -> int:
        return int(self.now().timestamp())


@dataclass
class SandboxToken:
    access_token: str
    app_key: str
    mall_id: int
    region_id: int
    expires_at: int
    scopes: set[str] = field(default_factory=lambda: set(ALL_SCOPES))
    refreshed: bool = False


@dataclass
class SandboxLine:
    order_sn: str
    goods_id: int
    sku_id: int
    goods_name: str
    spec: str
    ext_code: str
    quantity: int
    status: int
    unit_price: int
    warehouse_id: str
    thumb_url: str
    shipped_at: int | None = None


@dataclass
class SandboxOrder:
    parent_order_sn: str
    status: int
    created_at: int
    updated_at: int
    lines: list[SandboxLine]
    region_id: int = 211
    ship_by: int | None = None
    deliver_by: int | None = None
    shipping_method: int = 1
    warnings: list[str] = field(default_factory=list)
    labels: set[str] = field(default_factory=set)
    address: dict[str, Any] | None = None
    shipping_amount: int = 0
    currency: str = "USD"
    shipped_at: int | None = None
    mall_id: int | None = None  # the one mall whose tokens see it; None: every mall's

    def line(self, order_sn: str) -> SandboxLine | None:
        return next((line for line in self.lines if line.order_sn == order_sn), None)


@dataclass
class SandboxShipment:
    parent_order_sn: str
    order_sn: str
    tracking_number: str
    carrier_id: int
    warehouse_id: str
    sku_id: int
    quantity: int
    package_sn: str
    sub_tracking: list[str] = field(default_factory=list)


@dataclass
class Fault:
    """One kind of misbehaviour for `count` router requests: every `every`-th one from now."""

    kind: str  # "5xx" | "slow" | "rate_limit" | "malformed" | "html" | "empty" | "drop"
    count: int = 1
    status: int = 503
    delay: float = 1.0
    every: int = 1
    seen: int = 0

    def fires(self) -> bool:
        """Counts a request; True when this one is hit (and uses up one of `count`)."""
        self.seen += 1
        if self.seen % max(1, self.every):
            return False
        self.count -= 1
        return True


FAULT_KINDS = frozenset({"5xx", "slow", "rate_limit", "malformed", "html", "empty", "drop"})


class TemuFailure(Exception):
    """A Temu error answer: code and message, and the HTTP status (200 unless 401 mode)."""

    def __init__(self, code: int, message: str, http_status: int = 200) -> None:
        super().__init__(f"{code} {message}")
        self.code, self.message, self.http_status = code, message, http_status
