"""The steps of one shop's sync. Each takes the ports and the request and returns a plain
`StepResult` (a Prefect flow runs each as a task); `run.py` puts them in sequence."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import domain.sync.confirming as confirming
from domain.carriers import carrier_region
from domain.errors import ShopPaused, TokenLapsed
from domain.model import Label, Source
from domain.ports import LabelPage, Services, TimeWindow, UnreadableRow
from domain.shop import Shop
from domain.sync.importing import apply_page
from domain.sync.outcome import Attention, StepResult, SyncRequest, SyncSummary
from domain.sync.outcome import AttentionKind as K
from domain.sync.plan import (
    SHIPMENT_CURSOR,
    TEMU_CURSOR,
    Stream,
    SyncPlan,
    is_backlog,
    named_streams,
    shipment_start,
    streams_to_read,
)
from domain.sync.pushing import PushQueue
from domain.usecases import ship_by, tokens


def load_shop(services: Services, shop_id: str) -> Shop:
    with services.uow() as uow:
        shop = uow.shops.get(shop_id)
    if shop is None:
        raise ShopPaused(f"no shop named {shop_id!r}: run `temuship connect` first")
    return shop


def open_gate(services: Services, request: SyncRequest) -> StepResult:
    """The token against the clock, then the shop's pause."""
    ctx = request.ctx(services.clock, Source.CLOCK)
    try:
        tokens.check_before_sync(services.uow(), request.shop_id, ctx)
    except TokenLapsed:
        announce(services, request.shop_id, "temuship.token.expired", {"by": "clock"})
        raise
    if (shop := load_shop(services, request.shop_id)).paused:
        raise ShopPaused(f"shop {request.shop_id} is paused: {shop.paused_reason}")
    return StepResult()


def streams(services: Services, request: SyncRequest) -> list[Stream]:
    """What this run reads from Temu, in order (`plan.streams_to_read`); tells the shop's
    Temu budget whether they are a backlog (`plan.is_backlog`)."""
    if request.parent_order_sns:
        return named_streams(request.parent_order_sns)
    shop = load_shop(services, request.shop_id)
    with services.uow() as uow:
        cursor = uow.cursors.get(request.shop_id, TEMU_CURSOR)
    end = min(request.until, request.started) if request.until else request.started
    services.temu_backlog(request.shop_id, is_backlog(cursor, end, request.since))
    return streams_to_read(cursor, end, timedelta(days=shop.backfill_days), request.since)


def import_page(
    services: Services,
    request: SyncRequest,
    stream: Stream,
    page: int,
    known: Mapping[str, datetime] | None = None,
    then: TimeWindow | None = None,
) -> StepResult:
    """Import one page of Temu orders (up to 100) into our store; an order this run imported
    already at the same Temu update time (`known`) is not applied again. `then`: the window
    read after this stream's (its first page may be read ahead)."""
    shop = load_shop(services, request.shop_id)
    temu = services.temu_for(shop)
    missing: list[Attention] = []
    if stream.parent_order_sns:
        result = temu.orders_by_sn(stream.parent_order_sns)
        found = {o.parent_order_sn for o in result.orders}
        found |= {f.parent_order_sn for f in result.failures if f.parent_order_sn}
        missing = [Attention(K.NOT_FOUND, sn, "Temu has no order with this number")
                   for sn in stream.parent_order_sns if sn not in found]  # fmt: skip
    else:
        result = temu.list_orders(stream.window, page, status=stream.status, then=then)
    more = result.has_more and bool(result.orders) and not stream.parent_order_sns
    fresh = [o for o in result.orders if (known or {}).get(o.parent_order_sn) != o.updated_at]
    plan = apply_page(
        services.uow(),
        temu,
        shop,
        replace(result, orders=tuple(fresh)),
        request.ctx(services.clock),
    )
    read = tuple((o.parent_order_sn, o.updated_at) for o in fresh)
    return replace(_import_result(plan, missing, more), total=result.total, read=read)


def _import_result(plan: SyncPlan, missing: list[Attention], more: bool) -> StepResult:
    counts = (("orders_seen", len(plan.orders)), ("orders_new", plan.new_orders),
              ("orders_changed", plan.changed), ("push_queued", plan.queued),
              ("missing_ship_to_seen", len(plan.missing_ship_to)))  # fmt: skip
    attention = [*missing]
    for kind, rows in ((K.HELD, plan.held), (K.CONFLICT, plan.conflicts),
                       (K.READ_PROBLEM, plan.problems)):  # fmt: skip
        attention += [Attention(kind, sn, reason) for sn, reason in rows]
    return StepResult(
        counts,
        tuple(attention),
        more,
        changed=tuple(plan.state_changed),
        waiting=tuple(plan.missing_ship_to),
    )


def push_orders(services: Services, request: SyncRequest, queue: PushQueue) -> StepResult:
    """Send what is left in the push queue to ShipStation, in batches of up to 100."""
    return queue.flush()


def read_labels(services: Services, request: SyncRequest) -> StepResult:
    """Turn ShipStation labels (and voids) since the shipment cursor into confirmations."""
    shop = load_shop(services, request.shop_id)
    gateway = services.shipstation_for(shop)
    with services.uow() as uow:
        cursor = uow.cursors.get(request.shop_id, SHIPMENT_CURSOR)
    fetched_at = services.clock.now()
    since = shipment_start(cursor, fetched_at, timedelta(days=shop.backfill_days), request.since)
    labels, voids = gateway.labels_since(since), gateway.voided_since(since)
    return take_labels(services, request, labels, voids, fetched_at)


def take_labels(
    services: Services,
    request: SyncRequest,
    labels: Iterable[LabelPage],
    voids: Iterable[LabelPage],
    read_at: datetime | None,
) -> StepResult:
    """Labels and voids read from ShipStation turned into confirmations (each page as it
    comes); then the shipment cursor moved to `read_at`, the time the reading started (None:
    left where it is, for a reading that did not cover all since the cursor)."""
    total = SyncSummary(request.shop_id)
    for page in labels:
        total.add(_labels(services, request, page.labels, "labels_seen"))
        total.add(_unreadable(page.failures))
    for page in voids:
        total.add(_labels(services, request, page.labels, "voids_seen"))
        total.add(_unreadable(page.failures))
    if read_at is not None:
        advance_cursor(services, request, SHIPMENT_CURSOR, read_at)
    return StepResult(tuple(total.counts.items()), tuple(total.attention))


def _labels(
    services: Services, request: SyncRequest, labels: tuple[Label, ...], counter: str
) -> StepResult:
    ctx = request.ctx(services.clock, Source.SHIPSTATION)
    plan = confirming.record_labels(services.uow(), request.shop_id, labels, ctx)
    counts = ((counter, len(labels)), ("confirmations_queued", len(plan.confirmations)))
    unresolved = K.LABEL_UNRESOLVED
    return StepResult(
        counts, tuple(Attention(unresolved, sid, why) for sid, why in plan.unresolved)
    )


def _unreadable(failures: tuple[UnreadableRow, ...]) -> StepResult:
    """Shipments ShipStation listed in a form we cannot read: reported for a person, since
    reading them again would give the same answer."""
    kind = K.LABEL_UNREADABLE
    return StepResult(attention=tuple(Attention(kind, f.key or "?", f.reason) for f in failures))


def confirm_shipments(services: Services, request: SyncRequest) -> StepResult:
    """Send the outbox's open confirmations to Temu, one call per parent order."""
    with services.uow() as uow:
        if not uow.orders.open_confirmations(request.shop_id):
            return StepResult()
        overrides = uow.carriers.overrides(request.shop_id)
        token = uow.tokens.get(request.shop_id)
    shop = load_shop(services, request.shop_id)
    temu = services.temu_for(shop)
    warehouses = temu.warehouses()
    default = next((w.warehouse_id for w in warehouses if w.is_default), None)
    default = default or (warehouses[0].warehouse_id if warehouses else None)
    shipping = confirming.Shipping(temu.carriers(carrier_region(token)), overrides, default)
    ctx = request.ctx(services.clock)
    summary = confirming.send_confirmations(services.uow, temu, shop, shipping, ctx)
    attention = [
        Attention(kind, shipment_id, reason, order)
        for kind, rows in (
            (K.CONFIRMATION_FAILED, summary.failed),
            (K.CONFIRMATION_WAITING, summary.waiting),
            (K.CONFIRMATION_RETRY, summary.retry_later),
        )
        for shipment_id, reason, order in rows
    ]
    counts = (("confirmed", summary.confirmed), ("confirm_calls", summary.calls))
    return StepResult(counts, tuple(attention))


def watch_ship_by(services: Services, request: SyncRequest) -> StepResult:
    """The orders near or past their ship-by time with no label yet (announced once each)."""
    report = ship_by.watch_shop(services, request.shop_id)
    attention = tuple(
        Attention(K.SHIP_BY_RISK, o.parent_order_sn, ship_by_text(o.ship_by, o.hours_left))
        for o in report.orders
    )
    counts = (("ship_by_at_risk", len(report.orders)), ("ship_by_late", len(report.late)))
    return StepResult(counts, attention)


def ship_by_text(ship_by: datetime, hours_left: float) -> str:
    when = f"ship by {ship_by:%Y-%m-%d %H:%M} UTC"
    if hours_left < 0:
        return f"{when}: late by {-hours_left:.0f} h, no label yet"
    return f"{when}: in {hours_left:.0f} h, no label yet"


def announce(services: Services, shop_id: str, event: str, payload: dict[str, Any]) -> None:
    services.events.emit(event, shop_id, {"shop": shop_id, **payload})


def advance_cursor(services: Services, request: SyncRequest, name: str, value: datetime) -> None:
    """Move a cursor to `value` only if this run read from it (a `since` later than the
    cursor leaves a gap unread), and never backwards."""
    with services.uow() as uow:
        cursor = uow.cursors.get(request.shop_id, name)
        if request.since is not None and (cursor is None or request.since > cursor):
            return
        if cursor is None or value > cursor:
            uow.cursors.set(request.shop_id, name, value)
            uow.commit()
