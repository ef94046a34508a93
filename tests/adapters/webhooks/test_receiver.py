"""The webhook receiver: only a delivery for a known shop, with its path token, a readable
body, a good V2 signature and a resource_url on the shop's own ShipStation is handed off."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from starlette.testclient import TestClient

from adapters.webhooks.hints import Hints
from adapters.webhooks.receiver import (
    MAX_BODY,
    Delivery,
    Endpoint,
    Receiver,
    create_receiver_app,
    same_origin,
)
from adapters.webhooks.signatures import JwksKeys, SignatureCheck, parse_timestamp
from tests.adapters.webhooks.signing import (
    KEY,
    OTHER_KEY,
    jwk,
    jwks,
    label_body,
    signed,
    stamp,
)
from tests.fakes import FakeTime

V1_TOKEN, V2_TOKEN = "v1-path-token-" + "a" * 30, "v2-path-token-" + "b" * 30
V1_BASE, V2_BASE = "https://ssapi.shipstation.com", "https://api.shipstation.com"
SHOPS = {
    "acme": Endpoint("acme", V1_TOKEN, "v1", V1_BASE, "account-1"),
    "beta": Endpoint("beta", V2_TOKEN, "v2", V2_BASE, "account-2"),
}
V1_URL = f"{V1_BASE}/shipments?storeID=1&batchId=2&includeShipmentItems=False"
V2_URL = f"{V2_BASE}/v2/labels?batch_id=se-1"


class Jwks:
    """The JWKS endpoint: what it serves now, and how often it was asked."""

    def __init__(self, *keys: dict) -> None:
        self.document, self.asked = jwks(*keys), 0

    def __call__(self, url: str) -> dict:
        self.asked += 1
        return self.document


@pytest.fixture
def served_keys() -> Jwks:
    return Jwks(jwk(KEY, "kid-1"))


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def handed() -> list[Delivery]:
    return []


@pytest.fixture
def client(served_keys: Jwks, fake_time: FakeTime, handed: list[Delivery]) -> TestClient:
    keys = JwksKeys("https://jwks.test/jwks", fetch=served_keys, monotonic=fake_time.monotonic)
    receiver = Receiver(SHOPS.get, SignatureCheck(keys), handed.append)
    return TestClient(create_receiver_app(receiver, lambda: True))


def post(client: TestClient, shop: str, token: str, body: bytes, headers: dict | None = None):
    return client.post(f"/webhooks/shipstation/{shop}/{token}", content=body,
                       headers=headers or {"content-type": "application/json"})  # fmt: skip


class TestV1:
    def test_a_ship_notify_with_the_path_token_is_accepted_and_handed_off(self, client, handed):
        answer = post(client, "acme", V1_TOKEN, label_body(V1_URL, "SHIP_NOTIFY"))
        assert answer.status_code == 202
        assert handed == [Delivery("acme", "account-1", "v1", "SHIP_NOTIFY", V1_URL)]

    def test_a_numbered_ssapi_host_is_shipstation_s_own(self, client, handed):
        url = V1_URL.replace("ssapi.", "ssapi4.")
        assert post(client, "acme", V1_TOKEN, label_body(url, "SHIP_NOTIFY")).status_code == 202
        assert handed[0].resource_url == url

    def test_a_wrong_path_token_is_404_and_nothing_is_handed_off(self, client, handed):
        answer = post(client, "acme", V1_TOKEN[:-1] + "x", label_body(V1_URL, "SHIP_NOTIFY"))
        assert answer.status_code == 404
        assert handed == []

    def test_an_unknown_shop_is_404(self, client, handed):
        assert (
            post(client, "nobody", V1_TOKEN, label_body(V1_URL, "SHIP_NOTIFY")).status_code == 404
        )
        assert handed == []

    def test_a_body_over_64_kib_is_413(self, client, handed):
        body = json.dumps({"resource_url": V1_URL, "pad": "x" * MAX_BODY}).encode()
        assert post(client, "acme", V1_TOKEN, body).status_code == 413
        assert handed == []

    def test_a_body_that_is_not_json_is_400(self, client, handed):
        assert post(client, "acme", V1_TOKEN, b"<html>hello</html>").status_code == 400
        assert post(client, "acme", V1_TOKEN, b"[1, 2]").status_code == 400
        assert handed == []

    def test_a_resource_url_on_another_host_is_refused_and_never_handed_off(self, client, handed):
        for url in ("https://evil.example/shipments", "http://ssapi.shipstation.com/shipments",
                    "https://ssapi.shipstation.com:8443/shipments",
                    "https://ssapi4.shipstation.com.evil.example/x"):  # fmt: skip
            answer = post(client, "acme", V1_TOKEN, label_body(url, "SHIP_NOTIFY"))
            assert answer.status_code == 400, url
        assert handed == []

    def test_an_event_other_than_a_label_is_refused(self, client, handed):
        answer = post(client, "acme", V1_TOKEN, label_body(V1_URL, "ORDER_NOTIFY"))
        assert answer.status_code == 400
        assert handed == []


class TestV2Signatures:
    def test_a_good_signature_is_accepted(self, client, handed):
        body = label_body(V2_URL)
        assert post(client, "beta", V2_TOKEN, body, signed(body, "kid-1")).status_code == 202
        assert [d.resource_type for d in handed] == ["LABEL_CREATED_V2"]

    def test_a_forged_signature_is_401(self, client, handed):
        body = label_body(V2_URL)
        forged = signed(body, "kid-1", key=OTHER_KEY)
        assert post(client, "beta", V2_TOKEN, body, forged).status_code == 401
        assert handed == []

    def test_a_body_changed_after_signing_is_401(self, client, handed):
        headers = signed(label_body(V2_URL), "kid-1")
        tampered = label_body(V2_URL + "&page=2")
        assert post(client, "beta", V2_TOKEN, tampered, headers).status_code == 401
        assert handed == []

    def test_an_unsigned_delivery_is_404(self, client, handed):
        assert post(client, "beta", V2_TOKEN, label_body(V2_URL)).status_code == 404
        partial = signed(label_body(V2_URL), "kid-1")
        del partial["x-shipengine-timestamp"]
        assert post(client, "beta", V2_TOKEN, label_body(V2_URL), partial).status_code == 404
        assert handed == []

    def test_a_timestamp_more_than_five_minutes_off_is_400(self, client, handed):
        body = label_body(V2_URL)
        for minutes in (-6, 6):
            when = stamp(datetime.now(UTC) + timedelta(minutes=minutes))
            assert (
                post(client, "beta", V2_TOKEN, body, signed(body, "kid-1", when)).status_code == 400
            )
        assert handed == []

    def test_a_replayed_delivery_is_refused(self, client, handed):
        body = label_body(V2_URL)
        headers = signed(body, "kid-1")
        assert post(client, "beta", V2_TOKEN, body, headers).status_code == 202
        assert post(client, "beta", V2_TOKEN, body, headers).status_code == 409
        assert len(handed) == 1

    def test_keys_are_not_fetched_again_moments_after_a_fetch(self, client, handed, served_keys):
        body = label_body(V2_URL)
        assert post(client, "beta", V2_TOKEN, body, signed(body, "kid-1")).status_code == 202
        served_keys.document = jwks(jwk(KEY, "kid-1"), jwk(OTHER_KEY, "kid-2"))  # rotated
        rotated = signed(body, "kid-2", key=OTHER_KEY)
        asked = served_keys.asked
        # a fetch moments ago: the new key is fetched only once the pause between fetches passed
        assert post(client, "beta", V2_TOKEN, body, rotated).status_code == 401
        assert served_keys.asked == asked

    def test_a_rotated_key_is_found_by_fetching_the_keys_again(
        self, client, handed, served_keys, fake_time
    ):
        body = label_body(V2_URL)
        assert post(client, "beta", V2_TOKEN, body, signed(body, "kid-1")).status_code == 202
        served_keys.document = jwks(jwk(KEY, "kid-1"), jwk(OTHER_KEY, "kid-2"))
        fake_time.sleep(11)
        rotated = signed(body, "kid-2", key=OTHER_KEY)
        assert post(client, "beta", V2_TOKEN, body, rotated).status_code == 202
        assert served_keys.asked == 2
        assert [d.shop_id for d in handed] == ["beta", "beta"]

    def test_a_kid_the_keys_do_not_hold_is_401(self, client, handed, served_keys):
        body = label_body(V2_URL)
        assert post(client, "beta", V2_TOKEN, body, signed(body, "kid-9")).status_code == 401
        assert served_keys.asked == 1
        assert handed == []

    def test_a_v2_resource_url_on_another_host_is_refused(self, client, handed):
        body = label_body("https://attacker.example/v2/labels")
        assert post(client, "beta", V2_TOKEN, body, signed(body, "kid-1")).status_code == 400
        assert handed == []


class TestHealth:
    def test_healthz_is_503_until_ready_then_200(self):
        ready: list[bool] = []
        receiver = Receiver(SHOPS.get, SignatureCheck(JwksKeys(fetch=Jwks())), lambda d: None)
        client = TestClient(create_receiver_app(receiver, lambda: bool(ready)))
        assert client.get("/healthz").status_code == 503
        ready.append(True)
        assert client.get("/healthz").status_code == 200


class TestBursts:
    def test_a_burst_for_one_account_asks_the_handler_once(self):
        asked: list[tuple[str, int]] = []
        hints = Hints(lambda account, deliveries: asked.append((account, len(deliveries))))
        for number in range(20):
            hints.put(Delivery("acme", "account-1", "v1", "SHIP_NOTIFY", f"{V1_URL}&n={number}"))
        for _ in range(3):
            hints.put(Delivery("beta", "account-2", "v2", "LABEL_CREATED_V2", V2_URL))
        hints.run_once()
        assert sorted(asked) == [("account-1", 20), ("account-2", 3)]

    def test_a_worker_thread_hands_over_what_arrived_and_stops(self):
        asked: list[str] = []
        hints = Hints(lambda account, deliveries: asked.append(account), settle_s=0.05).start()
        hints.put(Delivery("acme", "account-1", "v1", "SHIP_NOTIFY", V1_URL))
        hints.stop()
        assert asked == ["account-1"]


class TestRules:
    @pytest.mark.parametrize(
        ("url", "base", "same"),
        [
            ("http://127.0.0.1:8712/shipments?x=1", "http://127.0.0.1:8712", True),
            ("http://127.0.0.1:8713/shipments", "http://127.0.0.1:8712", False),
            ("https://api.shipstation.com/v2/labels", "https://api.shipstation.com", True),
            ("https://ssapi11.shipstation.com/x", "https://ssapi.shipstation.com", True),
            ("https://ssapi11.shipstation.com/x", "https://api.shipstation.com", False),
            ("https://ssapix.shipstation.com/x", "https://ssapi.shipstation.com", False),
            ("not a url", "https://ssapi.shipstation.com", False),
        ],
    )
    def test_same_origin(self, url: str, base: str, same: bool):
        assert same_origin(url, base) is same

    @pytest.mark.parametrize(
        "text",
        ["2026-03-01T12:00:00Z", "2026-03-01T12:00:00.000+00:00", "1772366400", "1772366400000"],
    )
    def test_the_timestamp_is_read_as_iso_or_epoch_seconds_or_milliseconds(self, text: str):
        assert parse_timestamp(text) == datetime(2026, 3, 1, 12, tzinfo=UTC).timestamp()

    def test_a_timestamp_without_a_zone_is_not_read(self):
        with pytest.raises(ValueError):
            parse_timestamp("2026-03-01T12:00:00")


def test_the_keys_of_other_kinds_are_skipped() -> None:
    fetch: Callable[[str], dict] = Jwks(jwk(KEY, "kid-1"))
    keys = JwksKeys("https://jwks.test", fetch=fetch)
    assert keys.key("ec-1") is None
    assert keys.key("kid-1") is not None
