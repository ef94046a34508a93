"""The operator API's V2 part, under /admin: keys, the V2 rate limit, the readings, and the
webhook deliveries made (of both APIs). Labels are bought and voided by /admin/labels, the
one path both APIs see."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel

if TYPE_CHECKING:
    from adapters.sandbox.shipstation.state import ShipStationSandbox


class KeyRequest(BaseModel):
    key: str | None = None


class V2RateLimitRequest(BaseModel):
    limit: int | None = 200
    windowSeconds: float | None = None


def v2_admin_router(state: ShipStationSandbox) -> APIRouter:
    router = APIRouter()
    v2 = state.v2

    @router.post("/v2/keys")
    def create_key(req: KeyRequest | None = None) -> dict[str, str]:
        """A new V2 API key (random unless `key` is given), valid at once."""
        return {"api_key": v2.new_key(req.key if req else None)}

    @router.delete("/v2/keys/{key}")
    def revoke_key(key: str) -> dict[str, str]:
        if key not in v2.keys:
            raise HTTPException(404, "no such V2 key")
        v2.keys.discard(key)
        return {"revoked": "key"}

    @router.post("/v2/rate-limit")
    def rate_limit(req: V2RateLimitRequest) -> dict[str, object]:
        v2.set_rate_limit(req.limit, req.windowSeconds)
        return {"limit": v2.rate.limit, "windowSeconds": v2.rate.seconds}

    @router.get("/v2/readings")
    def readings() -> dict[str, bool]:
        return v2.readings.snapshot()

    @router.post("/v2/readings")
    def set_readings(switches: dict[str, bool]) -> dict[str, bool]:
        """Stricter (true) or lenient (false) reading of each unconfirmed point."""
        try:
            v2.readings.set(**switches)
        except ValueError as exc:
            raise HTTPException(400, str(exc)) from None
        return v2.readings.snapshot()

    @router.get("/webhooks/deliveries")
    def deliveries() -> dict[str, Any]:
        return {"deliveries": v2.deliveries.snapshot()}

    return router
