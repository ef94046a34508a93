"""The /v2 routes of the simulated ShipStation (the V2Gate has checked key, rate, faults)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from adapters.sandbox.shipstation.v2.errors import V2Error

if TYPE_CHECKING:
    from adapters.sandbox.shipstation.state import ShipStationSandbox


async def body_of(request: Request) -> Any:
    raw = await request.body()
    if not raw.strip():
        raise V2Error(400, "request_body_required", "the request has no body")
    try:
        return json.loads(raw)
    except ValueError:
        raise V2Error(400, "invalid_object", "the request body is not valid JSON") from None


def answer(call: Callable[[], Any], status: int = 200) -> Response:
    """The call's result as JSON (204: no body), or its V2Error as the standard body."""
    try:
        result = call()
    except V2Error as err:
        return JSONResponse(err.body(), err.status)
    if status == 204:
        return Response(status_code=204)
    return JSONResponse(result, status)


async def answer_with_body(
    request: Request, call: Callable[[Any], Any], status: int = 200
) -> Response:
    try:
        body = await body_of(request)
    except V2Error as err:
        return JSONResponse(err.body(), err.status)
    return answer(lambda: call(body), status)


def v2_router(state: ShipStationSandbox) -> APIRouter:
    router = APIRouter(prefix="/v2")
    _shipment_routes(router, state)
    _label_routes(router, state)
    _reference_routes(router, state)
    _webhook_routes(router, state)
    return router


def _shipment_routes(router: APIRouter, state: ShipStationSandbox) -> None:
    v2 = state.v2

    @router.post("/shipments")
    async def create_shipments(request: Request) -> Response:
        return await answer_with_body(request, v2.shipments.create)

    @router.get("/shipments")
    async def list_shipments(request: Request) -> Response:
        return answer(lambda: v2.shipments.listing(request.query_params))

    @router.get("/shipments/external_shipment_id/{external_id}")
    async def by_external_id(external_id: str) -> Response:
        return answer(lambda: v2.shipments.by_external_id(external_id))

    @router.get("/shipments/{shipment_id}")
    async def get_shipment(shipment_id: str) -> Response:
        return answer(lambda: v2.shipments.get(shipment_id))

    @router.put("/shipments/{shipment_id}")
    async def update_shipment(shipment_id: str, request: Request) -> Response:
        return await answer_with_body(request, lambda b: v2.changes.update(shipment_id, b))

    @router.put("/shipments/{shipment_id}/cancel")
    async def cancel(shipment_id: str) -> Response:
        return answer(lambda: v2.changes.cancel(shipment_id), 204)

    @router.put("/shipments/{shipment_id}/hold")
    async def hold(shipment_id: str, request: Request) -> Response:
        return await answer_with_body(request, lambda b: v2.changes.hold(shipment_id, b), 204)

    @router.put("/shipments/{shipment_id}/restore")  # the path is unconfirmed (§4.4)
    async def restore(shipment_id: str) -> Response:
        return answer(lambda: v2.changes.restore(shipment_id), 204)

    @router.post("/fulfillments")
    async def fulfill(request: Request) -> Response:
        return await answer_with_body(request, v2.fulfillments.create)

    @router.get("/fulfillments")
    async def fulfillments(request: Request) -> Response:
        return answer(lambda: v2.fulfillments.listing(request.query_params))


def _label_routes(router: APIRouter, state: ShipStationSandbox) -> None:
    labels = state.v2.labels

    @router.get("/labels")
    async def list_labels(request: Request) -> Response:
        return answer(lambda: labels.listing(request.query_params))

    @router.get("/labels/{label_id}")
    async def get_label(label_id: str) -> Response:
        return answer(lambda: labels.get(label_id))

    @router.put("/labels/{label_id}/void")
    async def void_label(label_id: str) -> Response:
        return answer(lambda: labels.void(label_id))


def _reference_routes(router: APIRouter, state: ShipStationSandbox) -> None:
    catalog = state.v2.catalog

    @router.get("/warehouses")
    async def warehouses() -> Response:
        return answer(catalog.warehouse_list)

    @router.get("/warehouses/{warehouse_id}")
    async def warehouse(warehouse_id: str) -> Response:
        return answer(lambda: catalog.one_warehouse(warehouse_id))

    @router.get("/carriers")
    async def carriers() -> Response:
        return answer(catalog.carrier_list)

    @router.get("/carriers/{carrier_id}")
    async def carrier(carrier_id: str) -> Response:
        return answer(lambda: catalog.one_carrier(carrier_id))

    @router.get("/carriers/{carrier_id}/services")
    async def services(carrier_id: str) -> Response:
        return answer(lambda: catalog.services(carrier_id))

    @router.get("/jwks")
    async def jwks() -> Response:
        return answer(state.v2.signer.jwks)


def _webhook_routes(router: APIRouter, state: ShipStationSandbox) -> None:
    hooks = state.v2.webhooks

    @router.get("/environment/webhooks")
    async def list_webhooks() -> Response:
        return answer(hooks.list_v2)

    @router.post("/environment/webhooks")
    async def create_webhook(request: Request) -> Response:
        return await answer_with_body(request, hooks.create_v2)

    @router.get("/environment/webhooks/{webhook_id}")
    async def get_webhook(webhook_id: str) -> Response:
        return answer(lambda: hooks.get_v2(webhook_id))

    @router.put("/environment/webhooks/{webhook_id}")
    async def update_webhook(webhook_id: str, request: Request) -> Response:
        return await answer_with_body(request, lambda b: hooks.update_v2(webhook_id, b), 204)

    @router.delete("/environment/webhooks/{webhook_id}")
    async def delete_webhook(webhook_id: str) -> Response:
        return answer(lambda: hooks.delete_v2(webhook_id), 204)
