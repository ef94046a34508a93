"""What `temuship status` and `temuship history` show, as plain data (and --json)."""

from __future__ import annotations

from typing import Any

from domain.ports import Services, ShopReport
from domain.usecases import ship_by, turns


def shop_status(services: Services, shop_id: str) -> dict[str, Any]:
    now = services.clock.now()
    with services.uow() as uow:
        shop, token = uow.shops.get(shop_id, decrypt=False), uow.tokens.get(shop_id)
        report = uow.reports.shop_report(shop_id)
        at_risk = ship_by.at_risk_orders(uow, shop_id, now)
    if shop is None:
        return {"shop": shop_id, "error": "no such shop"}
    skipped = turns.skipped_since(services, shop_id)
    return {
        "shop": shop_id,
        "token": {
            "state": token.state.value if token else "missing",
            "expires_at": token.expires_at.isoformat() if token else None,
            "expiry_from_temu": token.expiry_known if token else None,
            "days_left": round(token.days_left(now), 1) if token else None,
        },
        "shipstation": {"api": shop.shipstation.api.value, "store": shop.shipstation.store_id,
                        "warehouse": shop.shipstation.warehouse_id},
        "paused": shop.paused, "paused_reason": shop.paused_reason,
        "sync_state": shop.settings.get("sync_state", "never run"),
        "turns_skipped_since": skipped.isoformat() if skipped else None,
        "last_successful_sync": shop.last_sync_at.isoformat() if shop.last_sync_at else None,
        "last_error": shop.last_sync_error,
        "prices": {None: "unknown yet", True: "read", False: "no amount permission"}[
            shop.amounts_permission],
        "orders_by_state": report.orders_by_state,
        "missing_ship_to": report.missing_ship_to,
        "held": [{"order": sn, "reason": why} for sn, why in report.held],
        "push_failed": [{"order": sn, "reason": why} for sn, why in report.push_failed],
        "confirmations_by_status": report.confirmations_by_status,
        "recent_shipments": report.recent_shipments,
        "confirmation_problems": [
            {"shipment": sid, "order": sn, "status": st, "reason": why}
            for sid, sn, st, why in report.confirmation_problems],
        "conflicts": report.conflicts,
        "read_failures": report.read_failures,
        "ship_by_horizon_hours": ship_by.DEFAULT_HORIZON_HOURS,
        "ship_by_at_risk": [risk.to_dict() for risk in at_risk],
        "needs_person": needs_person(shop.paused, report, at_risk),
    }  # fmt: skip


def needs_person(paused: bool, report: ShopReport, at_risk: list[ship_by.AtRisk]) -> dict[str, Any]:
    """What needs a person in the shop now, counted whole: {"total": N, "by_kind": {kind: n}}
    (kinds with none left out). Orders waiting for Temu's ship-to address are not in it: they
    wait on Temu, and are sent once it gives the address."""
    late = sum(1 for risk in at_risk if risk.late)
    confirmations = report.confirmations_by_status
    counts = {
        "shop_paused": int(paused),
        "push_failed": report.push_failed_count,
        "held": report.held_count,
        "confirmation_failed": confirmations.get("failed", 0),
        "confirmation_waiting": report.confirmations_waiting,
        "conflict": report.conflict_orders,
        "read_problem": report.read_failure_orders,
        "ship_by_late": late,
        "ship_by_due": len(at_risk) - late,
    }
    by_kind = {kind: n for kind, n in counts.items() if n}
    return {"total": sum(by_kind.values()), "by_kind": by_kind}


def order_history(
    services: Services, parent_order_sn: str, shop_id: str | None = None
) -> list[dict[str, Any]]:
    with services.uow() as uow:
        entries = uow.orders.history(shop_id, parent_order_sn)
    return [
        {"at": e.at.isoformat(), "from": e.from_state, "to": e.to_state, "event": e.event,
         "source": e.source, "temu_code": e.temu_code, "run_id": e.run_id,
         "accepted": e.accepted, "conflict": e.conflict, "reason": e.reason}
        for e in entries
    ]  # fmt: skip
