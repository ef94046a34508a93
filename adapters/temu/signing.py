"""Temu's request signature (temu.md §1.4) and the exact bytes that go on the wire."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any


def value_text(value: Any) -> str:
    """One value as Temu's official sample serialises it: compact JSON, outer quotes stripped."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).strip('"')


def sign(params: Mapping[str, Any], app_secret: str) -> str:
    """MD5 over secret + sorted key/value pairs + secret, upper-case hex; `sign` is excluded."""
    joined = "".join(f"{key}{value_text(params[key])}" for key in sorted(params) if key != "sign")
    return hashlib.md5(f"{app_secret}{joined}{app_secret}".encode()).hexdigest().upper()


def encode(body: Mapping[str, Any]) -> bytes:
    """The body as sent: compact JSON in insertion order, so nested values match what was signed."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def signed_body(params: Mapping[str, Any], app_secret: str) -> dict[str, Any]:
    """The params with their `sign` appended last."""
    body = {key: value for key, value in params.items() if key != "sign"}
    body["sign"] = sign(body, app_secret)
    return body
