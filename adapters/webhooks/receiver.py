"""The webhook receiver `temuship serve` runs: `POST /webhooks/shipstation/{shop}/{token}` and
`GET /healthz`. A delivery is only a hint that new labels exist: it is checked (shop, path
token compared in constant time, size, JSON, V2 signature, where its resource_url points),
answered 202 at once and handed off; anything wrong is answered 4xx and changes nothing."""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from adapters.webhooks.signatures import Refusal, SignatureCheck

log = logging.getLogger(__name__)

MAX_BODY = 64 * 1024
LABEL_EVENTS = {"v1": {"SHIP_NOTIFY", "ITEM_SHIP_NOTIFY"}, "v2": {"LABEL_CREATED_V2"}}
V1_OFFICIAL_HOST = "ssapi.shipstation.com"


@dataclass(frozen=True)
class Endpoint:
    """What the receiver knows of a shop: its path token, its ShipStation API and base URL,
    and the account (API key and base URL) whose labels a delivery hints at."""

    shop_id: str
    path_token: str
    api: str
    base_url: str
    account: str


@dataclass(frozen=True)
class Delivery:
    """A delivery that passed every check."""

    shop_id: str
    account: str
    api: str
    resource_type: str
    resource_url: str


def same_origin(resource_url: str, base_url: str) -> bool:
    """`resource_url` has the scheme, host and port of the shop's ShipStation base URL. V1's
    own host also sends numbered hosts (`ssapi4.shipstation.com`, shipstation.md §1.1)."""
    try:
        got, base = urlsplit(resource_url), urlsplit(base_url)
        got_port, base_port = got.port, base.port
    except ValueError:
        return False
    if got.scheme != base.scheme or got_port != base_port or not got.hostname:
        return False
    host, own = got.hostname.lower(), (base.hostname or "").lower()
    if host == own:
        return True
    if own == V1_OFFICIAL_HOST and host.endswith(".shipstation.com"):
        label = host.removesuffix(".shipstation.com")
        return label.startswith("ssapi") and label[5:].isdigit()
    return False


class Receiver:
    """The receiver's checks, without HTTP (the ASGI app calls `accept`)."""

    def __init__(
        self,
        endpoint_of: Callable[[str], Endpoint | None],
        signatures: SignatureCheck,
        hand_off: Callable[[Delivery], None],
    ) -> None:
        self.endpoint_of, self.signatures, self.hand_off = endpoint_of, signatures, hand_off

    def accept(self, shop: str, token: str, headers: dict[str, str], body: bytes) -> Delivery:
        """The delivery, handed off; Refusal (status, reason) when a check fails."""
        endpoint = self.endpoint_of(shop)
        expected = endpoint.path_token if endpoint is not None else "-" * 43
        token_ok = hmac.compare_digest(token.encode(), expected.encode())
        if endpoint is None or not token_ok:
            raise Refusal(404, f"no webhook at this path for shop {shop!r}")
        if endpoint.api == "v2":
            self.signatures.verify(headers, body)
        payload = _json_object(body)
        kind, url = payload.get("resource_type"), payload.get("resource_url")
        if not isinstance(kind, str) or not isinstance(url, str):
            raise Refusal(400, "the delivery has no resource_type and resource_url")
        if kind.upper() not in LABEL_EVENTS.get(endpoint.api, set()):
            raise Refusal(400, f"{kind!r} is not a label event of ShipStation {endpoint.api}")
        if not same_origin(url, endpoint.base_url):
            log.warning(
                "shop %s: a delivery pointed at %s, not at the shop's ShipStation (%s): refused",
                shop, _origin(url), endpoint.base_url,
            )  # fmt: skip
            raise Refusal(400, "resource_url is not on the shop's ShipStation")
        delivery = Delivery(shop, endpoint.account, endpoint.api, kind.upper(), url)
        self.hand_off(delivery)
        return delivery


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        payload = json.loads(body)
    except (ValueError, RecursionError):
        raise Refusal(400, "the body is not JSON") from None
    if not isinstance(payload, dict):
        raise Refusal(400, "the body is not a JSON object")
    return payload


def _origin(url: str) -> str:
    try:
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}"[:200]
    except ValueError:
        return "an unreadable URL"


async def _body(request: Request) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise Refusal(413, f"a body over {MAX_BODY} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise Refusal(413, f"a body over {MAX_BODY} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def create_receiver_app(receiver: Receiver, ready: Callable[[], bool]) -> Starlette:
    """The ASGI app. `/healthz` answers 200 once `ready()`, 503 before."""

    async def healthz(request: Request) -> JSONResponse:
        if ready():
            return JSONResponse({"status": "ready"})
        return JSONResponse({"status": "starting"}, status_code=503)

    async def delivery(request: Request) -> JSONResponse:
        shop, token = request.path_params["shop"], request.path_params["token"]
        try:
            body = await _body(request)
            headers = {k.lower(): v for k, v in request.headers.items()}
            await anyio.to_thread.run_sync(receiver.accept, shop, token, headers, body)
        except Refusal as refusal:
            log.info("webhook for shop %s refused (%s): %s", shop, refusal.status, refusal.reason)
            return JSONResponse({"refused": refusal.reason}, status_code=refusal.status)
        return JSONResponse({"accepted": True}, status_code=202)

    return Starlette(
        routes=[
            Route("/healthz", healthz, methods=["GET"]),
            Route("/webhooks/shipstation/{shop}/{token}", delivery, methods=["POST"]),
        ]
    )
