"""Webhook subscriptions on both APIs, and what a bought label delivers: label_created_v2
signed as §8.3 says (checked here with the JWKS the sandbox serves), SHIP_NOTIFY unsigned."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from adapters.sandbox.server import free_port
from tests.contracts.shipstation_v2.conftest import Api, Receiver, errors_of, shipment


def eventually(check: Callable[[], Any], seconds: float = 10.0) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        found = check()
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.02)


def subscribe(api: Api, event: str, url: str, **more: Any) -> dict[str, Any]:
    answer = api.post(
        "/v2/environment/webhooks", json={"name": "temuship", "event": event, "url": url, **more}
    )
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def b64url_int(text: str) -> int:
    return int.from_bytes(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)), "big")


def verified(api: Api, headers: dict[str, str], raw: bytes) -> bool:
    """§8.3 as a receiver does it: the key by kid from the JWKS, PKCS1v15/SHA-256 over
    `<timestamp>.<raw body>`, the timestamp within 5 minutes."""
    jwks = api.wire.http.get(f"{api.wire.base_url}/v2/jwks").json()
    kid = headers["x-shipengine-rsa-sha256-key-id"]
    (jwk,) = [k for k in jwks["keys"] if k["kid"] == kid]
    key = rsa.RSAPublicNumbers(b64url_int(jwk["e"]), b64url_int(jwk["n"])).public_key()
    stamp = headers["x-shipengine-timestamp"]
    moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    assert abs(datetime.now(UTC) - moment) < timedelta(minutes=5)
    signature = base64.b64decode(headers["x-shipengine-rsa-sha256-signature"])
    key.verify(signature, f"{stamp}.".encode() + raw, padding.PKCS1v15(), hashes.SHA256())
    return True


class TestV2Subscriptions:
    def test_create_list_get_update_delete(self, api: Api) -> None:
        made = subscribe(
            api,
            "label_created_v2",
            "https://example.com/a",
            store_id=123456,
            headers=[{"key": "x-secret", "value": "s"}],
        )
        hook_id = made["webhook_id"]
        assert hook_id.startswith("se-") and made["store_id"] == 123456
        assert api.get("/v2/environment/webhooks").json() == [made]
        assert api.get(f"/v2/environment/webhooks/{hook_id}").json() == made
        changed = api.put(f"/v2/environment/webhooks/{hook_id}", json={"url": "https://e.com/b"})
        assert changed.status_code == 204
        assert api.get(f"/v2/environment/webhooks/{hook_id}").json()["url"] == "https://e.com/b"
        assert api.call("DELETE", f"/v2/environment/webhooks/{hook_id}").status_code == 204
        assert api.get(f"/v2/environment/webhooks/{hook_id}").status_code == 404

    def test_the_same_event_and_url_twice_is_a_409(self, api: Api) -> None:
        subscribe(api, "label_created_v2", "https://example.com/a")
        twin = api.post(
            "/v2/environment/webhooks",
            json={"name": "again", "event": "label_created_v2", "url": "https://example.com/a"},
        )
        assert twin.status_code == 409 and errors_of(twin)[0]["message"]

    def test_a_bad_subscription_is_a_400_naming_the_field(self, api: Api) -> None:
        good = {"name": "n", "event": "label_created_v2", "url": "https://example.com/a"}
        for change, field in [
            ({"event": "SHIP_NOTIFY"}, "event"),
            ({"url": "ftp://x"}, "url"),
            ({"name": None}, "name"),
            ({"store_id": "123456"}, "store_id"),
            ({"headers": [{"key": 1}]}, "headers"),
        ]:
            answer = api.post("/v2/environment/webhooks", json={**good, **change})
            assert answer.status_code == 400, change
            assert errors_of(answer)[0]["message"].startswith(field)


class TestV1Subscriptions:
    def test_subscribe_list_delete_as_v1_answers(self, api: Api) -> None:
        answer = api.v1(
            "POST",
            "/webhooks/subscribe",
            json={
                "target_url": "https://example.com/v1",
                "event": "SHIP_NOTIFY",
                "store_id": 123456,
                "friendly_name": "temuship",
            },
        )
        hook_id = answer.json()["id"]
        (listed,) = api.v1("GET", "/webhooks").json()["webhooks"]
        assert (listed["WebHookID"], listed["HookType"], listed["Url"]) == (
            hook_id,
            "SHIP_NOTIFY",
            "https://example.com/v1",
        )
        assert api.v1("DELETE", f"/webhooks/{hook_id}").status_code == 200
        assert api.v1("DELETE", f"/webhooks/{hook_id}").status_code == 404
        bad = api.v1(
            "POST",
            "/webhooks/subscribe",
            json={"target_url": "https://e.com", "event": "label_created_v2"},
        )
        assert bad.status_code == 400 and "Message" in bad.json()


class TestDeliveries:
    def test_a_label_bought_is_delivered_signed_and_its_url_lists_the_labels(
        self, api: Api, receiver: Receiver
    ) -> None:
        subscribe(
            api,
            "label_created_v2",
            receiver.url,
            headers=[{"key": "x-temuship-secret", "value": "s3"}],
        )
        (made,) = api.create(shipment(1))
        api.admin(
            "POST",
            "/labels",
            json={
                "orderKey": made["external_shipment_id"],
                "packages": [{"211-000001000": 1}, None],
            },
        )
        (headers, raw), *_ = eventually(receiver.deliveries)
        assert verified(api, headers, raw)
        assert headers["x-temuship-secret"] == "s3"
        payload = json.loads(raw)
        assert payload["resource_type"] == "LABEL_CREATED_V2"
        assert payload["resource_url"].startswith(f"{api.wire.base_url}/v2/labels?batch_id=se-")
        labels = api.wire.http.get(payload["resource_url"], headers={"API-Key": api.key}).json()
        assert {x["shipment_id"] for x in labels["labels"]} == {made["shipment_id"]}
        assert labels["total"] == 2

    def test_a_tampered_body_does_not_verify(self, api: Api, receiver: Receiver) -> None:
        subscribe(api, "label_created_v2", receiver.url)
        (made,) = api.create(shipment(2))
        api.admin("POST", "/labels", json={"orderKey": made["external_shipment_id"]})
        (headers, raw), *_ = eventually(receiver.deliveries)
        try:
            verified(api, headers, raw.replace(b"LABEL", b"LABEX"))
        except Exception as exc:  # cryptography's InvalidSignature
            assert type(exc).__name__ == "InvalidSignature"
        else:
            raise AssertionError("a changed body verified")

    def test_ship_notify_is_delivered_unsigned_with_a_v1_url(
        self, api: Api, receiver: Receiver
    ) -> None:
        api.v1(
            "POST", "/webhooks/subscribe", json={"target_url": receiver.url, "event": "SHIP_NOTIFY"}
        )
        api.create(shipment(3))
        api.admin("POST", "/labels", json={"orderKey": "temu-shop-PO-000003"})
        (headers, raw), *_ = eventually(receiver.deliveries)
        assert not any(h.startswith("x-shipengine") for h in headers)
        payload = json.loads(raw)
        assert payload["resource_type"] == "SHIP_NOTIFY"
        listed = api.v1("GET", payload["resource_url"].removeprefix(api.wire.base_url)).json()
        assert [s["orderKey"] for s in listed["shipments"]] == ["temu-shop-PO-000003"]
        assert "includeShipmentItems=False" in payload["resource_url"]

    def test_a_fulfillment_delivers_fulfillment_shipped_v2(self, api: Api, receiver) -> None:
        subscribe(api, "fulfillment_shipped_v2", receiver.url)
        (made,) = api.create(shipment(4))
        api.post(
            "/v2/fulfillments",
            json={"fulfillments": [{"shipment_id": made["shipment_id"], "tracking_number": "1Z1"}]},
        )
        (headers, raw), *_ = eventually(receiver.deliveries)
        assert verified(api, headers, raw)
        url = json.loads(raw)["resource_url"]
        found = api.wire.http.get(url, headers={"API-Key": api.key}).json()["fulfillments"]
        assert [f["tracking_number"] for f in found] == ["1Z1"]

    def test_a_failed_delivery_is_recorded_and_not_retried_forever(self, api: Api) -> None:
        dead = f"http://127.0.0.1:{free_port()}/hook"
        subscribe(api, "label_created_v2", dead)
        (made,) = api.create(shipment(5))
        bought = api.admin("POST", "/labels", json={"orderKey": made["external_shipment_id"]})
        assert bought.status_code == 200  # answered whatever becomes of the delivery

        def failed() -> list[dict[str, Any]]:
            records = api.admin("GET", "/webhooks/deliveries").json()["deliveries"]
            return [r for r in records if r["state"] == "failed"]

        (record,) = eventually(failed)
        assert (record["url"], record["attempts"], record["status_code"]) == (dead, 2, None)
        assert record["error"] and record["signed"] is True
