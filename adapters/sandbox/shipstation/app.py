"""The simulated ShipStation, V1 (api/shipstation.md) and V2 (api/shipstation-v2.md, under
/v2/ on the same server) over one account, served by `serving(app)`.

state = ShipStationSandbox()                 # demo key/secret: DEMO_API_KEY / DEMO_API_SECRET
with serving(create_shipstation_app(state)) as server:
    ShipStationCredentials(DEMO_API_KEY, Secret(DEMO_API_SECRET), DEMO_STORE_ID, server.url)
    # V2: header API-Key: DEMO_V2_API_KEY, base URL server.url (paths /v2/...)
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from adapters.sandbox.shipstation.admin import admin_router
from adapters.sandbox.shipstation.gate import ShipStationGate
from adapters.sandbox.shipstation.state import (
    DEMO_API_KEY,
    DEMO_API_SECRET,
    DEMO_STORE_ID,
    DEMO_V2_API_KEY,
    ShipStationSandbox,
)
from adapters.sandbox.shipstation.v2.admin import v2_admin_router
from adapters.sandbox.shipstation.v2.errors import error_body, error_entry
from adapters.sandbox.shipstation.v2.gate import V2Gate
from adapters.sandbox.shipstation.v2.routes import v2_router

__all__ = [
    "DEMO_API_KEY",
    "DEMO_API_SECRET",
    "DEMO_STORE_ID",
    "DEMO_V2_API_KEY",
    "ShipStationSandbox",
    "create_shipstation_app",
]


def create_shipstation_app(state: ShipStationSandbox | None = None) -> Any:
    """An ASGI app for one simulated account (a fresh one when no state is given)."""
    state = state or ShipStationSandbox()
    app = FastAPI(title="Simulated ShipStation", docs_url="/admin/docs", openapi_url=None)
    app.state.sandbox = state
    _v1_errors(app)
    _crash_shapes(app)
    _api_routes(app, state)
    _v1_webhook_routes(app, state)
    app.include_router(v2_router(state))
    app.include_router(admin_router(state), prefix="/admin")
    app.include_router(v2_admin_router(state), prefix="/admin")
    return V2Gate(app, ShipStationGate(app, state), state)


def _answer(result: tuple[int, Any]) -> JSONResponse:
    return JSONResponse(result[1], status_code=result[0])


async def _read_json(request: Request) -> tuple[bool, Any]:
    try:
        return True, json.loads(await request.body())
    except ValueError:
        return False, None


def _v1_errors(app: FastAPI) -> None:
    """Unknown routes and methods answer as V1's ASP.NET does (shipstation.md §1.2, §1.3):
    `{"Message": ...}`, not FastAPI's `{"detail": ...}`. The /admin API keeps FastAPI's."""
    default = app.exception_handlers[StarletteHTTPException]

    @app.exception_handler(StarletteHTTPException)
    async def v1_shape(request: Request, exc: StarletteHTTPException) -> Any:
        if request.url.path.startswith("/admin"):
            return await default(request, exc)  # type: ignore[misc]
        if request.url.path == "/v2" or request.url.path.startswith("/v2/"):
            return _v2_shape(request, exc)
        if exc.status_code == 405:
            message = f"The requested resource does not support http method '{request.method}'."
        elif exc.status_code == 404:
            message = f"No HTTP resource was found that matches the request URI '{request.url}'."
        else:
            message = str(exc.detail)
        return JSONResponse({"Message": message}, exc.status_code, headers=exc.headers)


def _crash_shapes(app: FastAPI) -> None:
    """A failure of the sandbox itself: V2's standard body on /v2 (§9: 500), Starlette's
    plain text elsewhere, as before."""

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception) -> Response:
        path = request.url.path
        if path == "/v2" or path.startswith("/v2/"):
            entry = error_entry("unknown", "An unexpected error occurred.", "system")
            return JSONResponse(error_body([entry]), 500)
        return PlainTextResponse("Internal Server Error", 500)


def _v2_shape(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    """Unknown /v2 routes and methods answer V2's standard error body (§9)."""
    where = f"{request.method} {request.url.path}"
    if exc.status_code == 405:
        entry = error_entry("unspecified", f"{where}: the method is not allowed on this path.")
    elif exc.status_code == 404:
        entry = error_entry("invalid_identifier", f"{where}: no such resource.")
    else:
        entry = error_entry("unspecified", str(exc.detail))
    return JSONResponse(error_body([entry]), exc.status_code, headers=exc.headers)


def _v1_webhook_routes(app: FastAPI, state: ShipStationSandbox) -> None:
    """V1 webhooks (shipstation.md §5.1): SHIP_NOTIFY and ITEM_SHIP_NOTIFY fire on labels."""
    hooks = state.v2.webhooks

    @app.post("/webhooks/subscribe")
    async def subscribe(request: Request) -> JSONResponse:
        ok, body = await _read_json(request)
        return _answer(hooks.subscribe_v1(body if ok else None))

    @app.get("/webhooks")
    async def webhooks() -> JSONResponse:
        return JSONResponse(hooks.list_v1())

    @app.delete("/webhooks/{webhook_id}")
    async def unsubscribe(webhook_id: str) -> Response:
        status, body = hooks.delete_v1(webhook_id)
        return Response(status_code=status) if body is None else JSONResponse(body, status)


def _api_routes(app: FastAPI, state: ShipStationSandbox) -> None:
    @app.post("/orders/createorders")
    async def create_orders(request: Request) -> JSONResponse:
        ok, body = await _read_json(request)
        if not ok:
            return _answer((400, {"Message": "The request is invalid.",
                                  "ModelState": {"apiOrders": ["Invalid JSON."]}}))  # fmt: skip
        return _answer(state.create_orders(body))

    @app.post("/orders/createorder")
    async def create_order(request: Request) -> JSONResponse:
        ok, body = await _read_json(request)
        if not ok:
            return _answer((400, {"Message": "The request is invalid.",
                                  "ModelState": {"apiOrder": ["Invalid JSON."]}}))  # fmt: skip
        return _answer(state.create_order(body))

    @app.get("/orders")
    async def list_orders(request: Request) -> JSONResponse:
        return _answer(state.list_orders(request.query_params))

    @app.get("/orders/{order_id}")
    async def get_order(order_id: str) -> JSONResponse:
        return _answer(state.get_order(order_id))

    @app.get("/shipments")
    async def list_shipments(request: Request) -> JSONResponse:
        return _answer(state.list_shipments(request.query_params))

    @app.get("/stores")
    async def stores(request: Request) -> JSONResponse:
        return JSONResponse(state.list_stores(request.query_params))

    @app.get("/stores/marketplaces")
    async def marketplaces() -> JSONResponse:
        return JSONResponse(state.marketplaces())

    @app.get("/stores/{store_id}")
    async def store(store_id: str) -> JSONResponse:
        return _answer(state.store(store_id))

    @app.get("/carriers")
    async def carriers() -> JSONResponse:
        return JSONResponse(state.carriers())
