"""The simulated ShipStation V1 API (see api/shipstation.md), served by `serving(app)`.

state = ShipStationSandbox()                 # demo key/secret: DEMO_API_KEY / DEMO_API_SECRET
with serving(create_shipstation_app(state)) as server:
    ShipStationCredentials(DEMO_API_KEY, Secret(DEMO_API_SECRET), DEMO_STORE_ID, server.url)
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from adapters.sandbox.shipstation.admin import admin_router
from adapters.sandbox.shipstation.gate import ShipStationGate
from adapters.sandbox.shipstation.state import (
    DEMO_API_KEY,
    DEMO_API_SECRET,
    DEMO_STORE_ID,
    ShipStationSandbox,
)

__all__ = [
    "DEMO_API_KEY",
    "DEMO_API_SECRET",
    "DEMO_STORE_ID",
    "ShipStationSandbox",
    "create_shipstation_app",
]


def create_shipstation_app(state: ShipStationSandbox | None = None) -> Any:
    """An ASGI app for one simulated account (a fresh one when no state is given)."""
    state = state or ShipStationSandbox()
    app = FastAPI(title="Simulated ShipStation V1", docs_url="/admin/docs", openapi_url=None)
    app.state.sandbox = state
    _v1_errors(app)
    _api_routes(app, state)
    app.include_router(admin_router(state), prefix="/admin")
    return ShipStationGate(app, state)


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
        if exc.status_code == 405:
            message = f"The requested resource does not support http method '{request.method}'."
        elif exc.status_code == 404:
            message = f"No HTTP resource was found that matches the request URI '{request.url}'."
        else:
            message = str(exc.detail)
        return JSONResponse({"Message": message}, exc.status_code, headers=exc.headers)


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
