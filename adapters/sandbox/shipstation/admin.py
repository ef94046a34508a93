"""The simulated ShipStation's operator API under /admin: labels, voids, faults, counters."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel

from adapters.sandbox.shipstation.state import ShipStationSandbox


class LabelRequest(BaseModel):
    orderKey: str
    lines: dict[str, int] | None = None
    packages: list[dict[str, int] | None] | None = None
    carrierCode: str = "stamps_com"
    serviceCode: str = "usps_ground_advantage"
    voided: bool = False


class FaultRequest(BaseModel):
    kind: str
    count: int = 1
    delay: float = 0.0
    status: int = 500
    path: str | None = None
    retryAfter: int = 1  # rate_limit: the Retry-After (V2) / X-Rate-Limit-Reset (V1) seconds


class Switch(BaseModel):
    enabled: bool


class RateLimitRequest(BaseModel):
    limit: int | None = 40
    windowSeconds: float | None = None


def admin_router(state: ShipStationSandbox) -> APIRouter:
    """Routes an operator or a test uses to act as the ShipStation user (no auth, no limit)."""
    router = APIRouter()

    @router.post("/labels")
    def create_labels(req: LabelRequest) -> dict[str, Any]:
        packages = req.packages or [req.lines]
        if state.order(req.orderKey) is None:
            raise HTTPException(404, f"no order with orderKey {req.orderKey}")
        made = state.create_labels(req.orderKey, packages, req.carrierCode, req.serviceCode,
                                   req.voided)  # fmt: skip
        return {"shipments": made}

    @router.post("/labels/{shipment_id}/void")
    def void_label(shipment_id: int) -> dict[str, Any]:
        try:
            return state.void_label(shipment_id)
        except StopIteration:
            raise HTTPException(404, f"no shipment {shipment_id}") from None

    _control_routes(router, state)

    @router.get("/orders/{order_key}")
    def order(order_key: str) -> dict[str, Any]:
        found = state.order(order_key)
        if found is None:
            raise HTTPException(404, f"no order with orderKey {order_key}")
        return found

    return router


def _control_routes(router: APIRouter, state: ShipStationSandbox) -> None:
    """Faults, counters, the rate limit and the strictness switch."""

    @router.post("/faults")
    def inject_fault(req: FaultRequest) -> dict[str, str]:
        try:
            state.inject_fault(req.kind, req.count, req.delay, req.status, req.path,
                               req.retryAfter)  # fmt: skip
        except ValueError as exc:
            raise HTTPException(400, str(exc)) from None
        return {"queued": req.kind}

    @router.delete("/faults")
    def clear_faults() -> dict[str, str]:
        state.faults.clear()
        return {"cleared": "faults"}

    @router.get("/counters")
    def counters() -> dict[str, object]:
        return state.counters.snapshot()

    @router.post("/counters/reset")
    def reset_counters() -> dict[str, object]:
        state.counters.reset()
        return state.counters.snapshot()

    @router.post("/rate-limit")
    def rate_limit(req: RateLimitRequest) -> dict[str, object]:
        state.set_rate_limit(req.limit, req.windowSeconds)
        return {"limit": state.rate.limit, "windowSeconds": state.rate.seconds}

    @router.post("/strict")
    def strict(req: Switch) -> dict[str, bool]:
        """Refuse (on) or read leniently (off) string numbers and a shipTo without country."""
        state.strict = req.enabled
        return {"strict": state.strict}
