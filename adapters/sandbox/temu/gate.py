"""The gateway's checks, in temu.md §9's order, before any business validation."""

from __future__ import annotations

import json
import time
from bisect import bisect_left, bisect_right, insort
from collections.abc import Collection
from typing import Any

from adapters.sandbox.temu.model import SandboxToken, TemuFailure
from adapters.sandbox.temu.state import TemuSandbox
from adapters.temu.signing import sign

SKEW = 300
EXPIRED_MESSAGE = (
    "access_token is expired or have been refreshed, please contact seller to share the new "
    "access_token with you."
)
HTTP_401_MESSAGE = "access token is expired, please refresh it"


def admit(
    state: TemuSandbox, raw: bytes, known_types: Collection[str], arrived: float | None = None
) -> tuple[dict[str, Any], SandboxToken]:
    """The parsed body and its token, or a TemuFailure with the first check that fails
    (`arrived`: when the request reached the gateway, on the monotonic clock; now if None)."""
    body = _parse(raw)
    _check_signature(state, body)
    api_type = body.get("type")
    if not api_type:
        raise TemuFailure(3000002, "there is no type in body.")
    if api_type not in known_types:
        raise TemuFailure(3000003, "type not exists")
    _check_timestamp(state, body.get("timestamp"))
    data_type = body.get("data_type")
    if data_type is None:
        raise TemuFailure(3000013, "there is no data_type in body.")
    if str(data_type).upper() != "JSON":
        raise TemuFailure(3000014, "data_type is invalid")
    token = _check_token(state, body)
    if api_type not in token.scopes:
        raise TemuFailure(3000032, "access_token don't have this api access, please ask for seller "
                          "to authorize this api in seller center first, and share the new "
                          "access_token with you.")  # fmt: skip
    _check_rate(state, token.app_key, arrived)
    return body, token


def _parse(raw: bytes) -> dict[str, Any]:
    try:
        body = json.loads(raw)  # keeps the sender's key order, which the signature needs
    except ValueError:
        raise TemuFailure(3000000, "BAD_PARAMS") from None
    if not isinstance(body, dict):
        raise TemuFailure(3000000, "BAD_PARAMS")
    return body


def _check_signature(state: TemuSandbox, body: dict[str, Any]) -> None:
    app_key = body.get("app_key")
    if not app_key:
        raise TemuFailure(3000025, "app_key is missing")
    secret = state.apps.get(str(app_key))
    if secret is None:
        raise TemuFailure(3000026, "app_key not exists")
    if not body.get("sign"):
        raise TemuFailure(3000040, "there is no sign in body.")
    if sign(body, secret) != str(body["sign"]).upper():
        raise TemuFailure(3000001, "sign is invalid, please check your sign calculation")


def _check_timestamp(state: TemuSandbox, value: Any) -> None:
    if value is None or value == "":
        raise TemuFailure(3000010, "there is no timestamp in body.")
    try:
        stamp = int(value)  # the doc types it STRING; every example sends an integer
    except (TypeError, ValueError):
        raise TemuFailure(3000011, "timestamp is invalid.") from None
    now = state.clock.seconds()
    if stamp > now + SKEW:
        raise TemuFailure(3000011, "timestamp is invalid.")
    if stamp < now - SKEW:
        raise TemuFailure(3000012, "timestamp is expired.")


def _check_token(state: TemuSandbox, body: dict[str, Any]) -> SandboxToken:
    value = body.get("access_token")
    if not value:
        raise TemuFailure(3000030, "there is no access_token in body.")
    token = state.tokens.get(str(value))
    if token is None:
        raise TemuFailure(3000031, "access_token not exists.")
    if token.app_key != body.get("app_key"):
        raise TemuFailure(3000033, "access_token and app_key are not mapping.")
    if token.refreshed or token.expires_at <= state.clock.seconds():
        if state.expiry_mode == "http401":
            raise TemuFailure(3000034, HTTP_401_MESSAGE, http_status=401)
        raise TemuFailure(3000034, EXPIRED_MESSAGE)
    return token


def _check_rate(state: TemuSandbox, app_key: str, arrived: float | None = None) -> None:
    """At most `qps` accepted requests per app key in any trailing second, counted when they
    reached the gateway (`arrived`), as a gateway in front of many servers counts them: a
    request answered late, behind another's work, still counts when it came. Requests are
    checked in the order they are handled, which may differ from their arrival by a few
    milliseconds: one is refused if, accepted, it would make any second holding it (one ending
    at it, or at a later accepted arrival) hold more than `qps`."""
    if not state.qps:
        return
    with state.lock:
        now = time.monotonic() if arrived is None else arrived
        recent = state.recent.setdefault(app_key, [])
        del recent[: bisect_right(recent, now - 2.0)]  # older ones count in no second of `now`
        later = recent[bisect_right(recent, now) : bisect_left(recent, now + 1.0)]
        for end in (now, *later):
            held = bisect_right(recent, end) - bisect_right(recent, end - 1.0)
            if held + 1 > state.qps:
                raise TemuFailure(4000004, "RATE_LIMIT_EXCEED_EXCEPTION")
        insort(recent, now)
