"""The sandbox's own webhook signing key and its JWKS (shipstation-v2.md §8.3).

A delivery carries `x-shipengine-rsa-sha256-key-id` (the key's kid),
`x-shipengine-timestamp` (ISO 8601, UTC, milliseconds) and
`x-shipengine-rsa-sha256-signature`: base64 of RSASSA-PKCS1-v1_5 / SHA-256 over
`<timestamp>.<raw body>`. `GET /v2/jwks` serves the public key, beside an EC key that signs
nothing: a verifier must pick the key by kid, as the reference warns.
"""

from __future__ import annotations

import base64
import secrets
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from adapters.sandbox.shipstation.v2.wire import iso

Row = dict[str, Any]


def _b64url(number: int) -> str:
    raw = number.to_bytes((number.bit_length() + 7) // 8 or 1, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class Signer:
    """An RSA key made the first time it is needed (a sandbox that never signs makes none)."""

    def __init__(self, now: Callable[[], datetime] | None = None) -> None:
        """`now`: the delivery timestamp's clock; wall time, as the receiver checks it with
        its own clock whatever the sandbox's clock says."""
        self.now = now or (lambda: datetime.now(UTC))
        self._lock = threading.Lock()
        self._rsa: rsa.RSAPrivateKey | None = None
        self._ec: ec.EllipticCurvePrivateKey | None = None
        self.kid = f"sandbox-rsa-{secrets.token_hex(6)}"
        self.other_kid = f"sandbox-ec-{secrets.token_hex(6)}"

    def _keys(self) -> tuple[rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey]:
        with self._lock:
            if self._rsa is None or self._ec is None:
                self._rsa = rsa.generate_private_key(public_exponent=65537, key_size=2048)
                self._ec = ec.generate_private_key(ec.SECP256R1())
            return self._rsa, self._ec

    def jwks(self) -> Row:
        rsa_key, ec_key = self._keys()
        public = rsa_key.public_key().public_numbers()
        point = ec_key.public_key().public_numbers()
        return {"keys": [
            {"kty": "EC", "kid": self.other_kid, "use": "sig", "alg": "ES256", "crv": "P-256",
             "x": _b64url(point.x), "y": _b64url(point.y)},
            {"kty": "RSA", "kid": self.kid, "use": "sig", "alg": "RS256",
             "n": _b64url(public.n), "e": _b64url(public.e)},
        ]}  # fmt: skip

    def headers(self, body: bytes) -> dict[str, str]:
        """The three signature headers for `body`, stamped now."""
        rsa_key, _ = self._keys()
        stamp = iso(self.now()) or ""
        signature = rsa_key.sign(stamp.encode() + b"." + body, padding.PKCS1v15(), hashes.SHA256())
        return {
            "x-shipengine-rsa-sha256-key-id": self.kid,
            "x-shipengine-rsa-sha256-signature": base64.b64encode(signature).decode(),
            "x-shipengine-timestamp": stamp,
        }
