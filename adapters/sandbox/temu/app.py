"""A simulated Temu Open API gateway (temu.md §9) on 127.0.0.1, for tests, demos and benchmarks.

state = TemuSandbox(qps=20.0)
state.seed_orders(500)
with serving(create_temu_app(state)) as server:
    credentials = demo_credentials(server.url)
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from adapters.sandbox.temu.admin import admin_router
from adapters.sandbox.temu.api import (
    amounts,
    carriers,
    order_detail,
    order_list,
    shipment_get,
    shipping_info,
    token_info,
    warehouses,
)
from adapters.sandbox.temu.confirm import confirm
from adapters.sandbox.temu.faults import ARRIVED, FaultMiddleware
from adapters.sandbox.temu.gate import admit
from adapters.sandbox.temu.model import SandboxClock, TemuFailure
from adapters.sandbox.temu.state import (
    DEMO_ACCESS_TOKEN,
    DEMO_APP_KEY,
    DEMO_APP_SECRET,
    TemuSandbox,
)
from domain.secrets import Secret
from domain.shop import TemuCredentials

__all__ = [
    "DEMO_ACCESS_TOKEN",
    "DEMO_APP_KEY",
    "DEMO_APP_SECRET",
    "SandboxClock",
    "TemuSandbox",
    "create_temu_app",
    "demo_credentials",
]

HANDLERS = {
    "bg.open.accesstoken.info.get": token_info,
    "bg.order.list.v2.get": order_list,
    "bg.order.detail.v2.get": order_detail,
    "bg.order.shippinginfo.v2.get": shipping_info,
    "bg.order.amount.query": amounts,
    "bg.logistics.warehouse.list.get": warehouses,
    "bg.logistics.companies.get": carriers,
    "bg.logistics.shipment.v2.confirm": confirm,
    "bg.logistics.shipment.v2.get": shipment_get,
}


def create_temu_app(state: TemuSandbox | None = None) -> Any:
    """The gateway as an ASGI app: POST /openapi/router plus the /admin API."""
    state = state or TemuSandbox()
    api = FastAPI(title="temuship Temu sandbox", docs_url="/admin/docs", openapi_url=None)
    api.state.temu = state

    @api.post("/openapi/router")
    async def router(request: Request) -> Response:
        arrived = request.scope.get(ARRIVED)
        raw = await request.body()
        # Answered off the event loop, which meanwhile takes (and times) the next requests:
        # a request waiting behind another's page of 100 orders still counts when it came.
        return await run_in_threadpool(answer, state, raw, arrived)

    @api.api_route("/openapi/router", methods=["GET", "PUT", "PATCH", "DELETE"])
    async def post_only() -> Response:
        return JSONResponse({"error": "we only support the POST method"}, status_code=405)

    api.include_router(admin_router(state))
    return FaultMiddleware(api, state)


def answer(state: TemuSandbox, raw: bytes, arrived: float | None = None) -> JSONResponse:
    """One router call: the gateway checks, then the business handler, in Temu's envelope
    (`arrived`: when the request reached the gateway; now if None)."""
    request_id = f"us-{uuid.uuid4()}"
    try:
        with state.lock:
            body, token = admit(state, raw, HANDLERS, arrived)
            state.requests[body["type"]] += 1
            state.requests_by_mall[token.mall_id] += 1
            result = HANDLERS[body["type"]](state, body, token)
    except TemuFailure as failure:
        state.refusals[failure.code] += 1
        error = {"success": False, "requestId": request_id, "errorCode": failure.code,
                 "errorMsg": failure.message}  # fmt: skip
        return JSONResponse(error, status_code=failure.http_status)
    ok = {"success": True, "requestId": request_id, "errorCode": 1000000, "errorMsg": "",
          "result": result}  # fmt: skip
    return JSONResponse(ok)


def demo_credentials(base_url: str, access_token: str = DEMO_ACCESS_TOKEN) -> TemuCredentials:
    """Credentials that the sandbox's default app and token accept, pointed at `base_url`."""
    return TemuCredentials(
        app_key=DEMO_APP_KEY,
        app_secret=Secret(DEMO_APP_SECRET),
        access_token=Secret(access_token),
        base_url=base_url,
    )
