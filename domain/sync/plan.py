"""The sync's decisions, as pure functions: which Temu orders to read and in which windows, what
Temu's answer does to our orders, which orders go to ShipStation and when, and which labels
become confirmations to Temu.

The one path to ShipStation: an order joins the push queue when applying what Temu says
changes it (`plan_orders` sets `push_pending`); the queue is flushed in batches of 100 whenever
it holds one, while Temu is still being read, and to the last order at the end of the import
(`take_batches`); an order whose payload is what ShipStation already has leaves the queue
unsent (`choose_pushes`). The gateway behind it speaks V1 or V2; the decision is the same.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from domain.confirmation import ShipmentConfirmation
from domain.digest import payload_digest
from domain.history import EventContext
from domain.model import Label, LabelLine, OrderState, TemuOrder
from domain.order import Order
from domain.ports import OutgoingOrder, TimeWindow
from domain.shop import ShipStationApi
from domain.words import plural

TEMU_CURSOR, SHIPMENT_CURSOR = "temu_orders", "shipstation_shipments"
OPEN_STATUSES = (1, 2, 41, 51)
"""Temu statuses still to ship: a first sync reads every order in them, whatever its age."""
SNS_PER_CALL = 20  # Temu's parentOrderSnList limit
BATCH = 100  # ShipStation takes up to 100 orders a call

# --- what to read ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Stream:
    """One sequence of Temu order pages: an update-time window, one open status, or named
    parent orders (one page of at most 20)."""

    window: TimeWindow | None
    status: int | None = None
    parent_order_sns: tuple[str, ...] = ()

    def __str__(self) -> str:
        if self.parent_order_sns:
            return plural(len(self.parent_order_sns), "named order")
        if self.window is None:
            return f"open orders in status {self.status}"
        return f"updated {self.window.start:%Y-%m-%d %H:%M} to {self.window.end:%Y-%m-%d %H:%M}"


def named_streams(parent_order_sns: Sequence[str]) -> list[Stream]:
    """Named parent orders, 20 a call (Temu's limit)."""
    sns = tuple(parent_order_sns)
    return [Stream(None, None, sns[i : i + SNS_PER_CALL]) for i in range(0, len(sns), SNS_PER_CALL)]


def streams_to_read(
    cursor: datetime | None,
    end: datetime,
    backfill: timedelta,
    since: datetime | None = None,
) -> list[Stream]:
    """The update-time span from the cursor (or `since`, or the backfill) to `end`; a first
    sync also reads every open order, any age, first."""
    span = temu_span(cursor, end, backfill, since)
    found = [Stream(span)] if span else []
    if cursor is None and since is None:
        found = [Stream(None, status) for status in OPEN_STATUSES] + found
    return found


CATCH_UP = timedelta(hours=1)
"""A pause longer than this makes the next run a catch-up: its pages are a backlog."""


def is_backlog(cursor: datetime | None, end: datetime, since: datetime | None) -> bool:
    """Whether a run's Temu pages are a backlog (a first sync, a run from a given time, a
    catch-up after a long pause): they take what the key's other shops leave."""
    return cursor is None or since is not None or end - cursor > CATCH_UP


def held_to_reread(held: Sequence[str], read_this_run: Iterable[str]) -> list[Stream]:
    """The orders held without a ship-to, re-read by number: Temu need not move an order's
    update time when it releases the address. Those this run has just read are not asked again."""
    fresh = set(read_this_run)
    return named_streams([sn for sn in held if sn not in fresh])


# --- time windows ---------------------------------------------------------------------------

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


# --- what Temu's answer does to our orders ----------------------------------------------------


@dataclass
class SyncPlan:
    orders: dict[str, Order] = field(default_factory=dict)
    confirmations: list[ShipmentConfirmation] = field(default_factory=list)
    held: list[tuple[str, str]] = field(default_factory=list)
    conflicts: list[tuple[str, str]] = field(default_factory=list)
    missing_ship_to: list[str] = field(default_factory=list)
    unresolved: list[tuple[str, str]] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)
    new_orders: int = 0
    changed: int = 0  # orders whose state changed, new ones included
    state_changed: list[str] = field(default_factory=list)  # known orders whose state changed
    to_save: list[Order] = field(default_factory=list)  # what Temu's answer changed

    @property
    def queued(self) -> int:
        """Orders this plan put in the push queue (only those ShipStation may take)."""
        return sum(o.push_pending and o.importable for o in self.orders.values())


def plan_orders(
    shop_id: str, seen: Iterable[TemuOrder], stored: Mapping[str, Order], ctx: EventContext
) -> SyncPlan:
    """Apply what Temu says to copies of our orders; a changed order joins the push queue."""
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
        if order.state is not before and sn in stored:
            plan.state_changed.append(sn)
        plan.orders[sn] = order
        if _differs(order, stored.get(sn)):
            plan.to_save.append(order)
        if order.ship_to is None and not order.locked:
            plan.missing_ship_to.append(sn)
        if order.held_reason:
            plan.held.append((sn, order.held_reason))
    return plan


def _differs(order: Order, before: Order | None) -> bool:
    """Anything to write: a new order, a history entry, or a field Temu's answer changed."""
    if before is None or order.new_history:
        return True
    fields = ("state", "temu_status", "snapshot", "ship_to", "held_reason", "push_pending")
    return any(getattr(order, f) != getattr(before, f) for f in fields)


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


# --- what goes to ShipStation, and when ---------------------------------------------------------


REHOLD_WITHIN = timedelta(days=3)
"""A hold in ShipStation ends on its date (V2 puts the order back to awaiting shipment): an
order Temu still holds is held again once its hold ends within this."""
NO_TRACKING = (
    "Temu says it is shipped but has no tracking number on record: not sent to ShipStation, "
    "where it would wait as if it still had to ship (V2 marks an order shipped only with a "
    "tracking number); it is sent once Temu records one"
)


@dataclass(frozen=True)
class Outgoing:
    """One queued order to send: its whole payload, that payload's digest, and the order as it
    was when chosen (its version tells whether an import changed it meanwhile)."""

    order: Order
    payload: dict[str, Any]
    digest: str

    def to_send(self) -> OutgoingOrder:
        """The order as the gateway takes it. Its digest forgotten (a rerun asked to resend
        it), what ShipStation holds is not taken as known: V2 then sends it whole again."""
        order = self.order
        tracking = order.snapshot.tracking if order.snapshot else ()
        known = order.pushed_payload if order.pushed_digest is not None else None
        return OutgoingOrder(order.key, order.parent_order_sn, order.state, self.payload,
                             order.shipstation_order_id, order.pushed_state, order.hold_until,
                             tracking, known)  # fmt: skip


@dataclass
class PushChoice:
    """The queued orders to send, those that leave the queue unsent, and those kept out of
    ShipStation for a reason a person should know (each with it)."""

    ready: list[Outgoing] = field(default_factory=list)
    dropped: list[Order] = field(default_factory=list)
    withheld: list[tuple[Order, str]] = field(default_factory=list)


def choose_pushes(
    queued: Sequence[Order],
    render: Callable[[Order], dict[str, Any]],
    api: ShipStationApi = ShipStationApi.V1,
    today: date | None = None,
) -> PushChoice:
    """An order is sent when ShipStation may take it and its payload differs from what it last
    took, or its hold there ends soon; V2 marks an order shipped only with Temu's tracking."""
    choice = PushChoice()
    for order in queued:
        payload = render(order) if order.importable else None
        digest = payload_digest(payload) if payload is not None else ""
        if payload is None or not (order.needs_push(digest) or _hold_ends(order, today)):
            order.push_pending = False
            choice.dropped.append(order)
        elif api.ships_with_tracking and _shipped_untracked(order):
            order.push_pending = False
            choice.withheld.append((order, NO_TRACKING))
        else:
            choice.ready.append(Outgoing(order, payload, digest))
    return choice


def _hold_ends(order: Order, today: date | None) -> bool:
    held = order.pushed_state is OrderState.ON_HOLD and order.state is OrderState.ON_HOLD
    ends = order.hold_until
    return held and today is not None and ends is not None and ends - today <= REHOLD_WITHIN


def _shipped_untracked(order: Order) -> bool:
    """Shipped by Temu (not by our labels) with no tracking number Temu has on record."""
    shipped = order.state is OrderState.SHIPPED and not order.confirmations
    return shipped and not (order.snapshot and order.snapshot.tracking)


def take_batches(
    ready: list[Outgoing], final: bool, size: int = BATCH
) -> tuple[list[list[Outgoing]], list[Outgoing]]:
    """(the batches to send now, what waits): full batches only while Temu is still being read;
    at the end of the import the rest too."""
    cut = len(ready) if final else len(ready) - len(ready) % size
    batches = [ready[i : i + size] for i in range(0, cut, size)]
    return batches, ready[cut:]
