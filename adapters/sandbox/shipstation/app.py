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
    _api_routes(app, state)
    app.include_router(admin_router(state), prefix="/admin")
    return ShipStationGate(app, state)


def _answer(result: tuple[int, Any]) -> JSONResponse:
    return JSONResponse(result[1], status_code=result[0])


def _api_routes(app: FastAPI, state: ShipStationSandbox) -> None:
    @app.post("/orders/createorders")
    async def create_orders(request: Request) -> JSONResponse:
        try:
            body = json.loads(await request.body())
        except ValueError:
            return _answer((400, {"Message": "The request is invalid.",
                                  "ModelState": {"apiOrders": ["Invalid JSON."]}}))  # fmt: skip
        return _answer(state.create_orders(body))

    @app.get("/orders")
    async def list_orders(request: Request) -> JSONResponse:
        return _answer(state.list_orders(request.query_params))

    @app.get("/shipments")
    async def list_shipments(request: Request) -> JSONResponse:
        return _answer(state.list_shipments(request.query_params))

    @app.get("/stores")
    async def stores() -> JSONResponse:
        return JSONResponse(state.stores)

    @app.get("/carriers")
    async def carriers() -> JSONResponse:
        return JSONResponse(state.carriers())
