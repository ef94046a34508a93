"""The sync decision as pure functions: (Temu state, our state, ShipStation state) -> actions,
and the time windows each cursor is read in.

The planners work on copies of the stored orders; the sync use case saves the planned orders.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from domain.confirmation import ShipmentConfirmation
from domain.digest import payload_digest
from domain.history import EventContext
from domain.model import Label, LabelLine, TemuOrder
from domain.order import Order
from domain.ports import TimeWindow

Render = Callable[[Order], dict[str, Any]]


@dataclass(frozen=True, slots=True)
class PushAction:
    parent_order_sn: str
    order_key: str
    status: str
    payload: dict[str, Any] = field(repr=False)
    digest: str = field(repr=False)


@dataclass
class SyncPlan:
    orders: dict[str, Order] = field(default_factory=dict)
    pushes: list[PushAction] = field(default_factory=list)
    confirmations: list[ShipmentConfirmation] = field(default_factory=list)
    held: list[tuple[str, str]] = field(default_factory=list)
    conflicts: list[tuple[str, str]] = field(default_factory=list)
    missing_ship_to: list[str] = field(default_factory=list)
    unresolved: list[tuple[str, str]] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)
    new_orders: int = 0
    changed: int = 0

    def counts(self) -> dict[str, int]:
        return {
            "seen": len(self.orders), "new": self.new_orders, "changed": self.changed,
            "to_push": len(self.pushes), "confirmations_queued": len(self.confirmations),
            "held": len(self.held), "conflicts": len(self.conflicts),
            "missing_ship_to": len(self.missing_ship_to), "unresolved_labels": len(self.unresolved),
            "problems": len(self.problems),
        }  # fmt: skip


def plan_orders(
    shop_id: str,
    seen: Iterable[TemuOrder],
    stored: Mapping[str, Order],
    ctx: EventContext,
    render: Render | None = None,
) -> SyncPlan:
    """Apply what Temu says to copies of our orders; list what ShipStation must be sent."""
    plan = SyncPlan()
    for temu_order in seen:
        sn = temu_order.parent_order_sn
        order = copy.deepcopy(stored[sn]) if sn in stored else Order(shop_id, sn)
        plan.new_orders += sn not in stored
        before = order.state
        entry = order.observe(temu_order, ctx)
        if entry is not None and entry.conflict:
            plan.conflicts.append((sn, entry.reason or ""))
        plan.changed += order.state is not before
        _classify(plan, order, render)
    return plan


def plan_labels(
    shop_id: str,
    labels: Sequence[Label],
    stored: Mapping[str, Order],
    owners: Mapping[str, str],
    ctx: EventContext,
) -> SyncPlan:
    """Turn ShipStation labels into confirmations, matching lines by lineItemKey (= orderSn)."""
    plan = SyncPlan(orders={sn: copy.deepcopy(order) for sn, order in stored.items()})
    for label in labels:
        by_parent: dict[str, list[LabelLine]] = defaultdict(list)
        unknown = [ln.order_sn for ln in label.lines if ln.order_sn not in owners]
        for line in label.lines:
            if line.order_sn in owners:
                by_parent[owners[line.order_sn]].append(line)
        if unknown:
            plan.unresolved.append((label.shipment_id, _unresolved(label, unknown)))
        for parent_sn, lines in by_parent.items():
            order = plan.orders.get(parent_sn)
            if order is None:
                plan.unresolved.append((label.shipment_id, f"order {parent_sn} is not stored"))
                continue
            known = {c.shipment_id for c in order.confirmations}
            order.record_label(label, tuple(lines), ctx)
            plan.confirmations += [c for c in order.confirmations if c.shipment_id not in known]
    plan.confirmations = [c for c in plan.confirmations if c.is_open]
    return plan


def _unresolved(label: Label, unknown: list[str]) -> str:
    return (
        f"shipment {label.shipment_id} (tracking {label.tracking_number}) has line(s) "
        f"{', '.join(unknown) or '(no lineItemKey)'} that match no Temu order line: not confirmed"
    )


def _classify(plan: SyncPlan, order: Order, render: Render | None) -> None:
    sn = order.parent_order_sn
    plan.orders[sn] = order
    if order.ship_to is None and not order.locked:
        plan.missing_ship_to.append(sn)
    if order.held_reason:
        plan.held.append((sn, order.held_reason))
    if render is not None and order.importable:
        payload = render(order)
        digest = payload_digest(payload)
        if order.needs_push(digest):
            plan.pushes.append(PushAction(sn, order.key, order.state.value, payload, digest))


# --- time windows -------------------------------------------------------------------------

OVERLAP = timedelta(minutes=10)
FIRST_WIDTH = timedelta(days=1)
NARROWEST = timedelta(minutes=15)
WIDEST = timedelta(days=365)  # Temu documents no maximum window: an empty year costs one call
FULL = 2000
"""Orders in one window past which it is read as narrower windows: Temu documents neither a
maximum window nor a maximum page depth, so a window never holds more than 20 pages."""


def temu_span(
    cursor: datetime | None,
    now: datetime,
    backfill: timedelta,
    since: datetime | None = None,
    overlap: timedelta = OVERLAP,
) -> TimeWindow | None:
    """The update-time span to read: from `since`, else the cursor minus an overlap, else the
    backfill; None when it is empty."""
    start = since or (cursor - overlap if cursor else now - backfill)
    return TimeWindow(start, now) if start < now else None


def next_width(width: timedelta, total: int) -> timedelta:
    """Windows widen while they are empty and narrow when full, so reading years back costs in
    proportion to the orders found, not to the days."""
    if total == 0:
        return min(width * 4, WIDEST)
    if total > FULL // 2:
        return max(width / 4, NARROWEST)
    return width


def too_full(window: TimeWindow, total: int) -> bool:
    """Read this window again as narrower ones?"""
    return total > FULL and window.end - window.start > NARROWEST


def shipment_start(
    cursor: datetime | None,
    now: datetime,
    backfill: timedelta,
    since: datetime | None = None,
    overlap: timedelta = OVERLAP,
) -> datetime:
    return since or (cursor - overlap if cursor else now - backfill)
