"""The simulated ShipStation V2 over the same two transports as the V1 contract tests (the
parent conftest's `transport`, `clock`, `shipstation` and `ss_wire`): in process and served on
127.0.0.1. `api` speaks V2 (header API-Key), `api.v1` speaks V1 to the same account."""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from adapters.sandbox.server import ServerThread
from adapters.sandbox.shipstation.state import DEMO_API_KEY, DEMO_API_SECRET, DEMO_V2_API_KEY
from tests.contracts.conftest import Wire

SHIP_TO = {
    "name": "Buyer One",
    "phone": "5125550100",
    "email": "buyer@example.com",
    "company_name": None,
    "address_line1": "101 Main St",
    "address_line2": None,
    "city_locality": "Austin",
    "state_province": "TX",
    "postal_code": "78701",
    "country_code": "US",
    "address_residential_indicator": "unknown",
}


def shipment(n: int, **changes: Any) -> dict[str, Any]:
    """A shipment as a connector would create it (two lines, prices, our keys)."""
    made = {
        "external_shipment_id": f"temu-shop-PO-{n:06d}",
        "shipment_number": f"PO-{n:06d}",
        "create_sales_order": True,
        "store_id": "123456",
        "warehouse_id": "se-260001",
        "shipment_status": "pending",
        "ship_to": copy.deepcopy(SHIP_TO),
        "items": [
            {
                "sku": f"SKU-{i}",
                "name": f"Item {i}",
                "quantity": 1 + i,
                "unit_price": 8.99 + i,
                "image_url": f"https://img.example.com/{n}/{i}.jpg",
                "external_order_item_id": f"211-{n:06d}{i:03d}",
                "options": [{"name": "Color", "value": "Black"}],
            }
            for i in range(2)
        ],
        "amount_paid": {"currency": "usd", "amount": 30.97},
        "shipping_paid": {"currency": "usd", "amount": 2.0},
        "advanced_options": {"custom_field1": f"temu-shop-PO-{n:06d}"},
        "internal_notes": "Temu PO",
        "notes_from_buyer": "leave at the door",
    }
    made.update(changes)
    return made


@dataclass
class Api:
    """Requests to the sandbox over the test's transport: V2 by default, V1 with `v1`."""

    wire: Wire
    key: str = DEMO_V2_API_KEY

    def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"API-Key": self.key, **kwargs.pop("headers", {})}
        return self.wire.http.request(
            method, f"{self.wire.base_url}{path}", headers=headers, **kwargs
        )

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.call("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.call("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.call("PUT", path, **kwargs)

    def v1(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        auth = (DEMO_API_KEY, DEMO_API_SECRET)
        return self.wire.http.request(method, f"{self.wire.base_url}{path}", auth=auth, **kwargs)

    def admin(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return self.wire.admin(method, path, **kwargs)

    def create(self, *shipments: dict[str, Any]) -> list[dict[str, Any]]:
        """Create shipments that must all go in; their answers."""
        answer = self.post("/v2/shipments", json={"shipments": list(shipments)})
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["has_errors"] is False, body
        return list(body["shipments"])


@pytest.fixture
def api(ss_wire: Wire) -> Api:
    return Api(ss_wire)


def errors_of(answer: httpx.Response) -> list[dict[str, Any]]:
    """The standard V2 error body's entries (checking its shape on the way)."""
    body = answer.json()
    assert set(body) == {"request_id", "errors"}, body
    assert len(body["request_id"]) == 36
    for entry in body["errors"]:
        assert set(entry) == {"error_source", "error_type", "error_code", "message"}, entry
    return list(body["errors"])


@dataclass
class Receiver:
    """A webhook receiver on 127.0.0.1 that records every POST (headers, raw body)."""

    url: str
    seen: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    status: int = 204
    lock: threading.Lock = field(default_factory=threading.Lock)

    def deliveries(self) -> list[tuple[dict[str, str], bytes]]:
        with self.lock:
            return list(self.seen)


def _receiver_app(receiver: Receiver) -> Any:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode(): v.decode() for k, v in scope["headers"]}
        with receiver.lock:
            receiver.seen.append((headers, body))
        await send({"type": "http.response.start", "status": receiver.status, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    return app


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    made = Receiver(url="")
    server = ServerThread(_receiver_app(made)).start()
    made.url = f"{server.url}/hooks/shipstation?token=t0k3n"
    try:
        yield made
    finally:
        server.stop()
