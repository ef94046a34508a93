"""bg.logistics.shipment.v2.confirm: every check of temu.md §9, then the status changes."""

from __future__ import annotations

import secrets
from typing import Any

from adapters.sandbox.temu.model import (
    SandboxLine,
    SandboxOrder,
    SandboxShipment,
    SandboxToken,
    TemuFailure,
)
from adapters.sandbox.temu.state import CARRIERS, WAREHOUSES, TemuSandbox

MAX_SUB_PACKAGES = 10
SHIPPABLE = frozenset({2, 41, 51})
PENDING = (
    ("pending_buyer_cancellation", "DENY_CANCELLATION", 120012030,
     "The buyer has requested to cancel the order"),
    ("pending_buyer_address_change", "DENY_ADDRESS_CHANGE", 120012023,
     "The buyer has requested to change the address"),
    ("pending_risk_control_alert", "DENY_PARENT_RISK_WARNING", 120012031,
     "The order has a pending risk alert"),
)  # fmt: skip
SIGNATURE_WARNING = "Signature on delivery is suggested for this order"


def confirm(state: TemuSandbox, body: dict[str, Any], token: SandboxToken) -> Any:
    packages = _packages(body)
    used = {s.tracking_number for s in state.shipments} | {
        t for s in state.shipments for t in s.sub_tracking
    }
    in_call: set[str] = set()
    items = []
    # The orders first: a repeat of a confirm that went through says "already shipped".
    for package in packages:
        items += [(package, *_check_item(state, package, i)) for i in package["orderSendInfoList"]]
    for package in packages:
        _check_package(package, used, in_call)
    if body["sendType"] != 2 and len({order.parent_order_sn for _, order, _ in items}) > 1:
        raise TemuFailure(3000000, "BAD_PARAMS: sendType 0/1 ships one parent order")
    return {"assistantAgreementText": None, "warningMessage": _apply(state, items)}


def _packages(body: dict[str, Any]) -> list[dict[str, Any]]:
    packages = body.get("sendRequestList")
    if body.get("sendType") not in (0, 1, 2) or not isinstance(packages, list) or not packages:
        raise TemuFailure(3000000, "BAD_PARAMS: sendType and sendRequestList are required")
    if body["sendType"] == 0 and len(packages) != 1:
        raise TemuFailure(3000000, "BAD_PARAMS: sendType 0 takes exactly one package")
    if not all(isinstance(p, dict) and p.get("orderSendInfoList") for p in packages):
        raise TemuFailure(3000000, "BAD_PARAMS: orderSendInfoList is required")
    return packages


def _check_package(package: dict[str, Any], used: set[str], in_call: set[str]) -> None:
    subs = package.get("subSendRequests") or []
    if len(subs) > MAX_SUB_PACKAGES:
        raise TemuFailure(120011098, "The number of sub-packages cannot exceed 10")
    for part in [package, *subs]:
        _check_tracking(part.get("trackingNumber"), used, in_call)
        if part.get("carrierId") not in {cid for cid, _, _ in CARRIERS}:
            raise TemuFailure(120014022, "Incorrect trackingNumber/carrierId")
        warehouse = part.get("selfShippingWarehouseId")
        if not warehouse:
            raise TemuFailure(120015527, "selfShippingWarehouseId is required")
        if warehouse not in {w["warehouseId"] for w in WAREHOUSES}:
            raise TemuFailure(120011085, "Invalid selfShippingWarehouseId")


def _check_tracking(number: Any, used: set[str], in_call: set[str]) -> None:
    if not isinstance(number, str) or not number.strip():
        raise TemuFailure(120014001, "Tracking number cannot be blank")
    if not number.isalnum():
        raise TemuFailure(120014020, "Tracking number is not recognized, please remove symbols")
    if number in used:
        raise TemuFailure(120014004, "Tracking number has been used")
    if number in in_call:
        raise TemuFailure(120014003, "Duplicate tracking number")
    in_call.add(number)


def _check_item(
    state: TemuSandbox, package: dict[str, Any], item: dict[str, Any]
) -> tuple[SandboxOrder, SandboxLine]:
    order = state.orders.get(str(item.get("parentOrderSn")))
    line = order.line(str(item.get("orderSn"))) if order else None
    if order is None or line is None:
        raise TemuFailure(120012007, "The parentOrder or Order is invalid")
    if line.status in (4, 5) or order.status in (4, 5):
        raise TemuFailure(120012004, "The order has been shipped. This submission is not "
                          "effective for the shipped order.")  # fmt: skip
    if order.status not in SHIPPABLE or line.status != 2:
        raise TemuFailure(120012016, "The parentOrder or Order is invalid for shipment")
    if item.get("quantity") != line.quantity:
        raise TemuFailure(120012016, "The fulfillment quantity must be the order's whole quantity")
    accepted = set(package.get("confirmAcceptance") or [])
    for label, waiver, code, message in PENDING:
        if label in order.labels and waiver not in accepted:
            raise TemuFailure(code, message)
    return order, line


def _apply(
    state: TemuSandbox, items: list[tuple[dict[str, Any], SandboxOrder, SandboxLine]]
) -> list[str]:
    now, warnings = state.clock.seconds(), []
    for package, order, line in items:
        subs = [s["trackingNumber"] for s in package.get("subSendRequests") or []]
        state.shipments.append(SandboxShipment(
            order.parent_order_sn, line.order_sn, package["trackingNumber"], package["carrierId"],
            package["selfShippingWarehouseId"], line.sku_id, line.quantity,
            f"PK-{secrets.randbelow(10**19):019d}", subs))  # fmt: skip
        line.status, line.shipped_at = 4, now
    for order in {id(o): o for _, o, _ in items}.values():
        done = all(line.status in (3, 4, 5) for line in order.lines)
        order.status, order.shipped_at = (4 if done else 41), now
        state.touch(order)
        if "SUGGEST_SIGNATURE_ON_DELIVERY" in order.warnings:
            warnings.append(SIGNATURE_WARNING)
    return warnings
