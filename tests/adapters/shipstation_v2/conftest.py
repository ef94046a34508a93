"""A ShipStationV2Api wired to an isolated respx router, with a fake clock and no real sleep."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import respx

from adapters.shipstation.v2 import ShipStationV2Api
from adapters.temu.pacing import RateLimiter
from tests.fakes import FakeTime

BASE = "https://api.shipstation.com"
KEY = "v2key-AbCdEf0123456789XyZ"
NOW = datetime(2026, 3, 2, 12, 0, 0, tzinfo=UTC)


@pytest.fixture
def router() -> respx.Router:
    return respx.Router(base_url=BASE, assert_all_called=False)


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def make_api(router: respx.Router, fake_time: FakeTime) -> Callable[..., ShipStationV2Api]:
    def make(rate: float = 0.0, **kwargs: Any) -> ShipStationV2Api:
        # rate 0: no spacing between requests, so the sleeps a test sees are its own.
        limiter = RateLimiter(rate, monotonic=fake_time.monotonic, sleep=fake_time.sleep)
        kwargs.setdefault("limiter", limiter)
        return ShipStationV2Api(
            KEY,
            transport=httpx.MockTransport(router.handler),
            sleep=fake_time.sleep,
            rng=random.Random(7),
            clock=lambda: NOW,
            **kwargs,
        )

    return make


@pytest.fixture
def api(make_api: Callable[..., ShipStationV2Api]) -> ShipStationV2Api:
    return make_api()


def error_body(
    code: str = "invalid_field_value",
    message: str = "ship_to.postal_code is invalid",
    request_id: str = "req-9f1c",
    error_type: str = "validation",
    source: str = "ShipStation",
) -> dict[str, Any]:
    entry = {"error_source": source, "error_type": error_type, "error_code": code}
    return {"request_id": request_id, "errors": [{**entry, "message": message}]}


def shipment_row(n: int = 1, **changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "shipment_id": f"se-{1000 + n}",
        "external_shipment_id": f"temu-shop-1-PO-{n}",
        "shipment_number": f"PO-{n}",
        "shipment_status": "pending",
        "created_at": "2026-03-01T10:00:00.000Z",
        "modified_at": "2026-03-01T10:05:00.123Z",
        "store_id": "se-77",
        "warehouse_id": "se-5",
        "items": [
            {"external_order_item_id": f"211-{n}-a", "sku": "SKU-A", "quantity": 2},
            {"external_order_item_id": f"211-{n}-b", "sku": "SKU-B", "quantity": 1},
        ],
    }
    row.update(changes)
    return row


def label_row(n: int = 1, **changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "label_id": f"se-{5000 + n}",
        "status": "completed",
        "shipment_id": f"se-{1000 + n}",
        "external_shipment_id": f"temu-shop-1-PO-{n}",
        "created_at": "2026-03-01T11:00:00Z",
        "ship_date": "2026-03-02T00:00:00Z",
        "tracking_number": f"9400{n:018d}",
        "carrier_id": "se-11",
        "carrier_code": "stamps_com",
        "service_code": "usps_priority_mail",
        "shipment_cost": {"currency": "usd", "amount": 7.45},
        "voided": False,
        "voided_at": None,
    }
    row.update(changes)
    return row


def page(key: str, rows: list[Any], next_href: str | None = None, **extra: Any) -> dict:
    links: dict[str, Any] = {"first": {"href": f"{BASE}/v2/{key}?page=1"}, "prev": {}}
    links["next"] = {"href": next_href} if next_href else {}
    return {key: rows, "total": len(rows), "page": 1, "pages": 1, "links": links, **extra}
