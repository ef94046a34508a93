"""The sandbox's admin HTTP API under /admin: seed, statuses, tokens, modes, faults, clock."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel

from adapters.sandbox.temu.api import list_item
from adapters.sandbox.temu.state import DEMO_ACCESS_TOKEN, TemuSandbox


class Seed(BaseModel):
    count: int = 100
    seed: int = 7


class Status(BaseModel):
    status: int
    lineStatus: int | None = None


class Address(BaseModel):
    address: dict[str, Any] | None


class TokenRef(BaseModel):
    accessToken: str = DEMO_ACCESS_TOKEN


class Switch(BaseModel):
    enabled: bool


class Mode(BaseModel):
    mode: str


class FaultSpec(BaseModel):
    kind: str
    count: int = 1
    status: int = 503
    delay: float = 1.0
    every: int = 1


class Advance(BaseModel):
    seconds: float


class Qps(BaseModel):
    qps: float | None


def admin_router(state: TemuSandbox) -> APIRouter:
    """Routes that drive the sandbox from outside the process (demo, CLI, other languages)."""
    admin = APIRouter(prefix="/admin")
    _order_routes(admin, state)
    _control_routes(admin, state)
    return admin


def _order_routes(admin: APIRouter, state: TemuSandbox) -> None:
    """Seed orders, read them, change their status or address."""

    @admin.post("/seed")
    def seed(body: Seed) -> dict[str, Any]:
        return {"parentOrderSns": state.seed_orders(body.count, body.seed)}

    @admin.get("/orders")
    def orders() -> dict[str, Any]:
        sns = sorted(state.order_sns())
        return {"count": len(sns), "parentOrderSns": sns}

    @admin.get("/orders/{sn}")
    def order(sn: str) -> dict[str, Any]:
        with state.lock:
            return list_item(_known(state, sn))

    @admin.post("/orders/{sn}/status")
    def status(sn: str, body: Status) -> dict[str, Any]:
        _known(state, sn)
        state.set_status(sn, body.status, body.lineStatus)
        return {"ok": True}

    @admin.post("/orders/{sn}/address")
    def address(sn: str, body: Address) -> dict[str, Any]:
        _known(state, sn)
        state.set_address(sn, body.address)
        return {"ok": True}


def _control_routes(admin: APIRouter, state: TemuSandbox) -> None:
    """Tokens, faults, the clock, the rate limit and the counters."""

    @admin.post("/tokens/expire")
    def expire(body: TokenRef) -> dict[str, Any]:
        state.expire_token(body.accessToken)
        return {"ok": True}

    @admin.post("/tokens/rotate")
    def rotate(body: TokenRef) -> dict[str, Any]:
        return {"accessToken": state.rotate_token(body.accessToken)}

    @admin.post("/expiry-mode")
    def expiry_mode(body: Mode) -> dict[str, Any]:
        _checked(state.set_expiry_mode, body.mode)
        return {"mode": state.expiry_mode}

    @admin.post("/amounts-permission")
    def amounts_permission(body: Switch) -> dict[str, Any]:
        state.set_amounts_permission(body.enabled)
        return {"enabled": body.enabled}

    @admin.post("/faults")
    def faults(body: FaultSpec) -> dict[str, Any]:
        _checked(
            lambda: state.inject(
                body.kind, body.count, status=body.status, delay=body.delay, every=body.every
            )
        )
        return {"queued": len(state.faults)}

    @admin.delete("/faults")
    def clear_faults() -> dict[str, Any]:
        state.clear_faults()
        return {"queued": 0}

    @admin.post("/clock/advance")
    def advance(body: Advance) -> dict[str, Any]:
        return {"now": state.clock.advance(body.seconds).isoformat()}

    @admin.post("/qps")
    def qps(body: Qps) -> dict[str, Any]:
        state.qps = body.qps
        return {"qps": state.qps}

    @admin.get("/stats")
    def stats() -> dict[str, Any]:
        by_mall = {str(mall): n for mall, n in state.requests_by_mall.items()}
        return {"requests": dict(state.requests), "refusals": dict(state.refusals),
                "orders": len(state.orders), "shipments": len(state.shipments),
                "requestsByMall": by_mall}  # fmt: skip


def _known(state: TemuSandbox, sn: str) -> Any:
    order = state.orders.get(sn)
    if order is None:
        raise HTTPException(404, f"no order {sn}")
    return order


def _checked(action: Any, *args: Any) -> None:
    try:
        action(*args)
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None
