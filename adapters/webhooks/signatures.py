"""ShipStation V2's signed deliveries (shipstation-v2.md §8.3): RSA-SHA256 (PKCS#1 v1.5) over
`<timestamp>.<raw body>`, with the public key of the JWKS whose `kid` the delivery names.

The JWKS is fetched from a setting (TEMUSHIP_SHIPSTATION_JWKS_URL), kept, and fetched again
once when a delivery names a key it does not hold (keys rotate). A signature already seen
within the timestamp window is a replay and is refused."""

from __future__ import annotations

import base64
import binascii
import logging
import os
import threading
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import httpx
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey, RSAPublicNumbers

log = logging.getLogger(__name__)

JWKS_URL_ENV = "TEMUSHIP_SHIPSTATION_JWKS_URL"
DEFAULT_JWKS_URL = "https://api.shipengine.com/jwks"
KEY_ID, SIGNATURE, TIMESTAMP = (
    "x-shipengine-rsa-sha256-key-id",
    "x-shipengine-rsa-sha256-signature",
    "x-shipengine-timestamp",
)
WINDOW_S = 300.0  # a timestamp further than this from now, either way, is refused
REFETCH_MIN_S = 10.0  # an unknown kid fetches the JWKS again at most this often


class Refusal(Exception):
    """A delivery refused: the HTTP status to answer and why (for the log, never a secret)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


def jwks_url() -> str:
    return os.environ.get(JWKS_URL_ENV, "").strip() or DEFAULT_JWKS_URL


def fetch_json(url: str) -> Any:
    response = httpx.get(url, timeout=5.0, follow_redirects=False)
    response.raise_for_status()
    return response.json()


def rsa_keys(jwks: Any) -> dict[str, RSAPublicKey]:
    """The RSA keys of a JWKS by kid; other kinds of key and unreadable entries are skipped."""
    found: dict[str, RSAPublicKey] = {}
    entries = jwks.get("keys") if isinstance(jwks, Mapping) else None
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, Mapping) or entry.get("kty") != "RSA":
            continue
        kid, n, e = entry.get("kid"), entry.get("n"), entry.get("e")
        if not (isinstance(kid, str) and isinstance(n, str) and isinstance(e, str)):
            continue
        try:
            numbers = RSAPublicNumbers(_b64url_int(e), _b64url_int(n))
            found[kid] = numbers.public_key()
        except (ValueError, binascii.Error):
            log.warning("JWKS key %s is not a usable RSA key: skipped", kid)
    return found


def _b64url_int(text: str) -> int:
    raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if not raw:
        raise ValueError("empty number")
    return int.from_bytes(raw, "big")


class JwksKeys:
    """The JWKS's RSA keys, fetched on first use, fetched again (at most every REFETCH_MIN_S)
    when asked for a kid they do not hold."""

    def __init__(
        self,
        url: str | None = None,
        fetch: Callable[[str], Any] = fetch_json,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.url, self._fetch, self._monotonic = url or jwks_url(), fetch, monotonic
        self._keys: dict[str, RSAPublicKey] = {}
        self._fetched_at: float | None = None
        self._lock = threading.Lock()
        self.fetches = 0

    def key(self, kid: str) -> RSAPublicKey | None:
        with self._lock:
            if kid not in self._keys and self._may_fetch():
                self._refresh()
            return self._keys.get(kid)

    def _may_fetch(self) -> bool:
        last = self._fetched_at
        return last is None or self._monotonic() - last >= REFETCH_MIN_S

    def _refresh(self) -> None:
        self._fetched_at = self._monotonic()
        self.fetches += 1
        try:
            self._keys = rsa_keys(self._fetch(self.url)) or self._keys
        except (httpx.HTTPError, ValueError) as error:
            log.warning("could not fetch ShipStation's webhook keys from %s: %s", self.url, error)


class ReplayGuard:
    """Signatures seen within the window: the same one again is a replay."""

    def __init__(self) -> None:
        self._seen: dict[str, float] = {}
        self._lock = threading.Lock()

    def first_time(self, signature: str, now: float) -> bool:
        with self._lock:
            self._seen = {s: t for s, t in self._seen.items() if t > now - 2 * WINDOW_S}
            if signature in self._seen:
                return False
            self._seen[signature] = now
            return True


def parse_timestamp(text: str) -> float:
    """Seconds since the epoch from the timestamp header: ISO 8601 (with Z or an offset) or a
    number of seconds (milliseconds when it is that large); ValueError otherwise."""
    value = text.strip()
    try:
        number = float(value)
    except ValueError:
        stamp = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
        if stamp.tzinfo is None:
            raise ValueError("a timestamp without a time zone") from None
        return stamp.timestamp()
    return number / 1000.0 if number > 1e11 else number


class SignatureCheck:
    """Verifies one V2 delivery; raises Refusal with the status §8.3 asks for."""

    def __init__(self, keys: JwksKeys, wall: Callable[[], float] = time.time) -> None:
        self.keys, self.wall, self.replays = keys, wall, ReplayGuard()

    def verify(self, headers: Mapping[str, str], body: bytes) -> None:
        kid, signature, stamp = (headers.get(h) for h in (KEY_ID, SIGNATURE, TIMESTAMP))
        if not kid or not signature or not stamp:
            raise Refusal(404, "a V2 delivery without its signature headers")
        now = self.wall()
        try:
            at = parse_timestamp(stamp)
        except ValueError:
            raise Refusal(400, "the delivery's timestamp cannot be read") from None
        if abs(now - at) > WINDOW_S:
            raise Refusal(400, f"the delivery's timestamp is {abs(now - at):.0f} s from now")
        key = self.keys.key(kid)
        if key is None:
            raise Refusal(401, f"no RSA key {kid!r} in ShipStation's JWKS")
        try:
            raw = base64.b64decode(signature, validate=True)
            key.verify(raw, stamp.encode() + b"." + body, padding.PKCS1v15(), hashes.SHA256())
        except (InvalidSignature, binascii.Error, ValueError):
            raise Refusal(401, "the delivery's signature does not verify") from None
        if not self.replays.first_time(f"{kid}:{signature}", now):
            raise Refusal(409, "a delivery already received (replayed)")
