"""A locally made RSA key and its JWKS, and deliveries signed as ShipStation V2 signs them."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _b64url(number: int) -> str:
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def jwk(key: rsa.RSAPrivateKey, kid: str) -> dict[str, str]:
    numbers = key.public_key().public_numbers()
    return {"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256",
            "n": _b64url(numbers.n), "e": _b64url(numbers.e)}  # fmt: skip


def jwks(*keys: dict[str, Any]) -> dict[str, Any]:
    ec_key = ec.generate_private_key(ec.SECP256R1()).public_key().public_numbers()
    other = {"kty": "EC", "kid": "ec-1", "crv": "P-256", "x": _b64url(ec_key.x),
             "y": _b64url(ec_key.y)}  # fmt: skip
    return {"keys": [other, *keys]}


def stamp(at: datetime | None = None) -> str:
    return (at or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def signed(
    body: bytes, kid: str, at: str | None = None, key: rsa.RSAPrivateKey = KEY
) -> dict[str, str]:
    timestamp = at or stamp()
    signature = key.sign(timestamp.encode() + b"." + body, padding.PKCS1v15(), hashes.SHA256())
    return {
        "x-shipengine-rsa-sha256-key-id": kid,
        "x-shipengine-rsa-sha256-signature": base64.b64encode(signature).decode(),
        "x-shipengine-timestamp": timestamp,
        "content-type": "application/json",
    }


def label_body(url: str, kind: str = "LABEL_CREATED_V2") -> bytes:
    return json.dumps({"resource_url": url, "resource_type": kind}).encode()
