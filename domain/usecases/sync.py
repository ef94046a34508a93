"""Sync one shop once: gate, import Temu pages, push to ShipStation, read labels, confirm.

`sync_shop` is the whole sequence. Each step takes the ports and a plain `SyncRequest` and
returns a plain `StepResult`, so a Prefect flow can run every step as a task (`run_step`) and a
plan (`temuship sync --plan`) runs the very same sequence on dry-run ports (`dry_run.py`).

A cursor moves only when the run read everything from it to now, and never backwards.
"""

from __future__ import annotations

import contextvars
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import partial
from typing import Any, Protocol

from domain.errors import (
    PermissionMissing,
    ShopPaused,
    TokenError,
    TokenExpired,
    TokenLapsed,
    Unreachable,
)
from domain.history import EventContext
from domain.model import Label, Source
from domain.plan import FIRST_WIDTH, SyncPlan, next_width, shipment_start, temu_span, too_full
from domain.ports import Services, TimeWindow, UnreadableRow
from domain.shop import Shop
from domain.usecases import orders, ship_by, shipments, tokens

TEMU_CURSOR, SHIPMENT_CURSOR = "temu_orders", "shipstation_shipments"
ATTENTION_LIMIT = 500
SNS_PER_CALL = 20  # Temu's parentOrderSnList limit

Attention = tuple[str, str, str]  # (kind, order or shipment, reason)
STEP_NAMES = {
    "import_page": "reading Temu orders",
    "push": "sending orders to ShipStation",
    "read_labels": "reading ShipStation labels",
    "confirm": "confirming shipments to Temu",
    "ship_by_risk": "watching ship-by times",
}
STEP_APIS = {"import_page": "Temu", "push": "ShipStation", "read_labels": "ShipStation",
             "confirm": "Temu"}  # fmt: skip
"""The API each step needs: one found unreachable is not asked again in the same run."""


@dataclass(frozen=True)
class Stream:
    """One sequence of Temu order pages: an update-time window, one open status, or named
    parent orders (one page of at most 20)."""

    window: TimeWindow | None
    status: int | None = None
    parent_order_sns: tuple[str, ...] = ()

    def __str__(self) -> str:
        if self.parent_order_sns:
            return f"{len(self.parent_order_sns)} named order(s)"
        if self.window is None:
            return f"open orders in status {self.status}"
        return f"updated {self.window.start:%Y-%m-%d %H:%M} to {self.window.end:%Y-%m-%d %H:%M}"


@dataclass(frozen=True)
class SyncRequest:
    """What to sync: by default from the cursors to `started`; `since`/`until` narrow or widen
    the Temu window, `parent_order_sns` reads just those orders."""

    shop_id: str
    started: datetime
    run_id: str = ""
    since: datetime | None = None
    until: datetime | None = None
    parent_order_sns: tuple[str, ...] = ()

    def ctx(self, services: Services, source: Source = Source.TEMU) -> EventContext:
        return EventContext(services.clock.now(), source, self.run_id)


@dataclass(frozen=True)
class StepResult:
    """What one step did: counters, the items that need a person, and whether pages follow."""

    counts: tuple[tuple[str, int], ...] = ()
    attention: tuple[Attention, ...] = ()
    more: bool = False
    total: int = 0  # orders in the stream, as Temu counts them (import steps)


@dataclass
class SyncSummary:
    """One shop's run: ok / partial / paused / skipped / failed, why, counters, attention."""

    shop_id: str
    status: str = "ok"
    reason: str | None = None
    counts: Counter[str] = field(default_factory=Counter)
    attention: list[Attention] = field(default_factory=list)
    unreachable: set[str] = field(default_factory=set)  # APIs no step could reach this run

    def add(self, result: StepResult) -> StepResult:
        self.counts.update(dict(result.counts))
        for item in result.attention:
            self.counts[f"attention_{item[0]}"] += 1
            if len(self.attention) < ATTENTION_LIMIT:
                self.attention.append(item)
        return result

    def step_failed(self, reason: str) -> None:
        """A step failed: the run goes on and ends "partial", naming every reason."""
        self.add(StepResult(attention=(("step_failed", self.shop_id, reason),)))
        self.status = "partial"
        self.reason = f"{self.reason}; {reason}" if self.reason else reason

    def to_dict(self) -> dict[str, Any]:
        return {"shop": self.shop_id, "status": self.status, "reason": self.reason,
                "counts": dict(self.counts),
                "attention": [list(a) for a in self.attention]}  # fmt: skip


class StepRunner(Protocol):
    """Runs one step for `sync_shop`: called with the step and its arguments after `services`
    (a Prefect flow maps each step to a task; by default the step is simply called)."""

    def __call__(self, step: Callable[..., StepResult], *args: Any) -> StepResult: ...


def sync_shop(
    services: Services, request: SyncRequest, run_step: StepRunner | None = None
) -> SyncSummary:
    """Run every step. A token refusal pauses the shop and stops the run; any other failure of
    a step is recorded and the other steps still run (the run ends "partial", the next one
    finishes the rest); the Temu cursor moves only when every page was read."""
    run = run_step or (lambda step, *args: step(services, *args))
    summary = SyncSummary(request.shop_id)
    try:
        run(gate, request)
        with PushLane(services, request, summary) as lane:
            if _read_pages(run, request, streams(services, request), summary, lane):
                commit_temu_cursor(services, request)
            _read_pages(run, request, held_streams(services, request), summary, lane)
        for step in (push, read_labels, confirm):
            result = _isolated(summary, step, partial(run, step, request))
            if result is not None:
                summary.add(result)
        watched = _isolated(summary, ship_by_risk, partial(ship_by_risk, services, request))
        summary.add(watched or StepResult())
        error = summary.reason if summary.status == "partial" else None
        finish(services, request.shop_id, summary, error)
    except (TokenError, PermissionMissing) as err:
        pause(services, request, err, summary)
        finish(services, request.shop_id, summary, str(err))
    except ShopPaused as err:
        summary.status, summary.reason = "paused", str(err)
    except Exception as err:  # recorded on the shop and in the artifact, then the run fails
        summary.status, summary.reason = "failed", f"{type(err).__name__}: {err}"
        finish(services, request.shop_id, summary, summary.reason)
    record_state(services, request.shop_id, summary)
    return summary


def _read_pages(
    run: Callable[..., StepResult],
    request: SyncRequest,
    found: list[Stream],
    summary: SyncSummary,
    lane: PushLane | None = None,
) -> bool:
    """Import every page of every stream; True when all were read. A stream whose page fails
    is given up for this run (the failure is recorded); the others are still read. Each page
    read is told to the push lane, which sends the batches it fills meanwhile."""
    complete = True
    for stream in found:
        if stream.window is not None:
            done = _read_span(_told(run, lane), request, stream.window, summary)
        else:
            done = _read_stream(_told(run, lane), request, stream, summary, None) is not None
        complete = done and complete
    return complete


def _told(run: Callable[..., StepResult], lane: PushLane | None) -> Callable[..., StepResult]:
    if lane is None:
        return run

    def step_then_tell(step: Callable[..., StepResult], *args: Any) -> StepResult:
        result = run(step, *args)
        lane.page_imported(result)
        return result

    return step_then_tell


def _read_span(
    run: Callable[..., StepResult], request: SyncRequest, span: TimeWindow, summary: SyncSummary
) -> bool:
    """Read an update-time span window by window: a window widens while they come back empty
    and narrows when full (a window holding too many orders is read again, narrower)."""
    start, width = span.start, FIRST_WIDTH
    while start < span.end:
        window = TimeWindow(start, min(start + width, span.end))
        first = _isolated(
            summary, import_page, partial(run, import_page, request, Stream(window), 1)
        )
        if first is None:
            return False
        if too_full(window, first.total):
            width = next_width(width, first.total)
            continue
        if _read_stream(run, request, Stream(window), summary, first) is None:
            return False
        width, start = next_width(width, first.total), window.end
    return True


def _read_stream(
    run: Callable[..., StepResult],
    request: SyncRequest,
    stream: Stream,
    summary: SyncSummary,
    first: StepResult | None,
) -> StepResult | None:
    """Every page of one stream (page 1 may be read already); None when a page failed."""
    page, result = 1, first
    while True:
        if result is None:
            call = partial(run, import_page, request, stream, page)
            result = _isolated(summary, import_page, call)
            if result is None:
                return None
        if not summary.add(result).more:
            return result
        page, result = page + 1, None


def _isolated(
    summary: SyncSummary, step: Callable[..., StepResult], call: Callable[[], Any]
) -> Any:
    """Run one step; a failure other than the token's is recorded and the run goes on. Once
    an API could not be reached (after the client's retries), the steps that need it are
    skipped for the rest of the run: the next run tries again."""
    api = STEP_APIS.get(step.__name__)
    if api in summary.unreachable:
        summary.counts[f"skipped_{api.lower()}_unreachable"] += 1
        return None
    try:
        return call()
    except (TokenError, PermissionMissing, ShopPaused):
        raise
    except Unreachable as err:
        summary.unreachable.add(api or err.api)
        name = STEP_NAMES.get(step.__name__, step.__name__)
        summary.step_failed(f"{name} failed: {err}; not asked again in this run")
        return None
    except Exception as err:
        reason = f"{STEP_NAMES.get(step.__name__, step.__name__)} failed: {err}"
        summary.step_failed(reason)
        return None


def skipped(shop_id: str, reason: str) -> SyncSummary:
    return SyncSummary(shop_id, status="skipped", reason=reason)


# --- the steps ------------------------------------------------------------------------------


def load_shop(services: Services, shop_id: str) -> Shop:
    with services.uow() as uow:
        shop = uow.shops.get(shop_id)
    if shop is None:
        raise ShopPaused(f"no shop named {shop_id!r}: run `temuship connect` first")
    return shop


def gate(services: Services, request: SyncRequest) -> StepResult:
    """The token against the clock, then the shop's pause."""
    try:
        tokens.gate(services.uow(), request.shop_id, request.ctx(services, Source.CLOCK))
    except TokenLapsed:
        _announce(services, request.shop_id, "temuship.token.expired", {"by": "clock"})
        raise
    if (shop := load_shop(services, request.shop_id)).paused:
        raise ShopPaused(f"shop {request.shop_id} is paused: {shop.paused_reason}")
    return StepResult()


def streams(services: Services, request: SyncRequest) -> list[Stream]:
    if request.parent_order_sns:
        sns = request.parent_order_sns
        return [Stream(None, None, sns[i : i + SNS_PER_CALL])
                for i in range(0, len(sns), SNS_PER_CALL)]  # fmt: skip
    shop = load_shop(services, request.shop_id)
    with services.uow() as uow:
        cursor = uow.cursors.get(request.shop_id, TEMU_CURSOR)
    backfill = timedelta(days=shop.backfill_days)
    end = min(request.until, request.started) if request.until else request.started
    span = temu_span(cursor, end, backfill, request.since)
    found = [Stream(span)] if span else []
    if cursor is None and request.since is None:  # first sync: every open order, any age
        found = [Stream(None, status) for status in orders.OPEN_STATUSES] + found
    return found


def import_page(services: Services, request: SyncRequest, stream: Stream, page: int) -> StepResult:
    """Import one page of Temu orders (up to 100) into our store."""
    shop = load_shop(services, request.shop_id)
    temu = services.temu_for(shop)
    missing: list[Attention] = []
    if stream.parent_order_sns:
        result = temu.orders_by_sn(stream.parent_order_sns)
        found = {o.parent_order_sn for o in result.orders}
        found |= {f.parent_order_sn for f in result.failures if f.parent_order_sn}
        missing = [("not_found", sn, "Temu has no order with this number")
                   for sn in stream.parent_order_sns if sn not in found]  # fmt: skip
    else:
        result = temu.list_orders(stream.window, page, status=stream.status)
    plan = orders.import_page(services.uow(), temu, shop, result, request.ctx(services))
    more = result.has_more and bool(result.orders) and not stream.parent_order_sns
    return replace(_import_result(plan, missing, more), total=result.total)


def _import_result(plan: SyncPlan, missing: list[Attention], more: bool) -> StepResult:
    c = plan.counts()
    queued = sum(o.push_pending and o.importable for o in plan.orders.values())
    counts = (("orders_seen", c["seen"]), ("orders_new", c["new"]),
              ("orders_changed", c["changed"]), ("push_queued", queued),
              ("missing_ship_to_seen", len(plan.missing_ship_to)))  # fmt: skip
    attention = [*missing]
    for kind, rows in (("held", plan.held), ("conflict", plan.conflicts),
                       ("read_problem", plan.problems)):  # fmt: skip
        attention += [(kind, sn, reason) for sn, reason in rows]
    return StepResult(counts, tuple(attention), more)


def held_streams(services: Services, request: SyncRequest) -> list[Stream]:
    """The orders held without a ship-to, re-read by number (20 a call) on every sync: Temu
    need not move an order's update time when it releases the address."""
    if request.parent_order_sns:
        return []
    with services.uow() as uow:
        held = uow.orders.missing_ship_to(request.shop_id)
    return [Stream(None, None, tuple(held[i : i + SNS_PER_CALL]))
            for i in range(0, len(held), SNS_PER_CALL)]  # fmt: skip


def commit_temu_cursor(services: Services, request: SyncRequest) -> None:
    if request.until is None and not request.parent_order_sns:
        _advance_cursor(services, request, TEMU_CURSOR, request.started)


def push(services: Services, request: SyncRequest) -> StepResult:
    """Send the changed orders to ShipStation in batches of up to 100."""
    gateway = services.shipstation_for(load_shop(services, request.shop_id))
    summary = orders.push_changed_orders(
        services.uow, gateway, request.shop_id, request.ctx(services, Source.SHIPSTATION)
    )
    return _push_result(summary)


def _push_result(summary: orders.PushSummary) -> StepResult:
    counts = (("pushed", summary.sent), ("push_calls", summary.calls),
              ("push_unchanged", summary.skipped))  # fmt: skip
    return StepResult(counts, tuple(("push_failed", sn, why) for sn, why in summary.failed))


class PushLane:
    """Orders go to ShipStation as their batches fill, while Temu is still being read: each
    full batch of 100 is sent from a thread of its own, so neither API's budget waits for the
    other. What is left (a last, partial batch; a batch that failed) goes in the `push` step
    after the import, which also reports what ShipStation refused."""

    def __init__(self, services: Services, request: SyncRequest, summary: SyncSummary) -> None:
        self.services, self.request, self.summary = services, request, summary
        self._pool: ThreadPoolExecutor | None = None
        self._sending: Future[orders.PushSummary] | None = None
        self._queued = 0

    def __enter__(self) -> PushLane:
        return self

    def __exit__(self, *exc: object) -> None:
        self._collect(wait=True)
        if self._pool is not None:
            self._pool.shutdown(wait=True)

    def page_imported(self, result: StepResult) -> None:
        """A page was imported: once a batch is queued and no send is under way, send it."""
        self._queued += dict(result.counts).get("push_queued", 0)
        if self._queued < orders.BATCH or not self._collect(wait=False):
            return
        self._queued = 0
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="push-lane")
        send = contextvars.copy_context().run  # the run's context (Prefect's too) goes along
        self._sending = self._pool.submit(send, self._push_full_batches)

    def _push_full_batches(self) -> orders.PushSummary:
        gateway = self.services.shipstation_for(load_shop(self.services, self.request.shop_id))
        ctx = self.request.ctx(self.services, Source.SHIPSTATION)
        return orders.push_changed_orders(
            self.services.uow, gateway, self.request.shop_id, ctx, full_batches_only=True
        )

    def _collect(self, wait: bool) -> bool:
        """Take in the send under way once it is done (or wait for it); True when none is."""
        sending = self._sending
        if sending is None:
            return True
        if not wait and not sending.done():
            return False
        self._sending = None
        try:
            done = sending.result()
        except Exception:  # the push step after the import sends them and says why
            self.summary.counts["push_deferred"] += 1
            return True
        sent = replace(done, failed=[])  # the push step retries and reports refused orders
        self.summary.add(_push_result(sent))
        return True


def read_labels(services: Services, request: SyncRequest) -> StepResult:
    """Turn ShipStation labels (and voids) since the shipment cursor into confirmations."""
    shop = load_shop(services, request.shop_id)
    gateway = services.shipstation_for(shop)
    with services.uow() as uow:
        cursor = uow.cursors.get(request.shop_id, SHIPMENT_CURSOR)
    fetched_at = services.clock.now()
    backfill = timedelta(days=shop.backfill_days)
    since = shipment_start(cursor, fetched_at, backfill, request.since)
    total = SyncSummary(request.shop_id)
    for page in gateway.shipments_since(since):
        total.add(_labels(services, request, page.labels, "labels_seen"))
        total.add(_unreadable(page.failures))
    for page in gateway.voided_since(since):
        total.add(_labels(services, request, page.labels, "voids_seen"))
        total.add(_unreadable(page.failures))
    _advance_cursor(services, request, SHIPMENT_CURSOR, fetched_at)
    return StepResult(tuple(total.counts.items()), tuple(total.attention))


def _labels(
    services: Services, request: SyncRequest, labels: tuple[Label, ...], counter: str
) -> StepResult:
    ctx = request.ctx(services, Source.SHIPSTATION)
    plan = shipments.record_labels(services.uow(), request.shop_id, labels, ctx)
    counts = ((counter, len(labels)), ("confirmations_queued", len(plan.confirmations)))
    return StepResult(counts, tuple(("label_unresolved", sid, why) for sid, why in plan.unresolved))


def _unreadable(failures: tuple[UnreadableRow, ...]) -> StepResult:
    """Shipments ShipStation listed in a form we cannot read: reported for a person, since
    reading them again would give the same answer."""
    return StepResult(
        attention=tuple(("label_unreadable", f.key or "?", f.reason) for f in failures)
    )


def confirm(services: Services, request: SyncRequest) -> StepResult:
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
    shipping = shipments.Shipping(
        temu.carriers(shipments.carrier_region(token)), overrides, default
    )
    summary = shipments.send_confirmations(
        services.uow, temu, shop, shipping, request.ctx(services)
    )
    attention = [
        (kind, shipment_id, reason)
        for kind, rows in (
            ("confirmation_failed", summary.failed),
            ("confirmation_waiting", summary.waiting),
            ("confirmation_retry", summary.retry_later),
        )
        for shipment_id, reason in rows
    ]
    counts = (("confirmed", summary.confirmed), ("confirm_calls", summary.calls))
    return StepResult(counts, tuple(attention))


def ship_by_risk(services: Services, request: SyncRequest) -> StepResult:
    """The orders near or past their ship-by time with no label yet (announced once each)."""
    report = ship_by.watch(services, request.shop_id)
    attention = tuple(
        ("ship_by_risk", o.parent_order_sn, _ship_by_text(o.ship_by, o.hours_left))
        for o in report.orders
    )
    counts = (("ship_by_at_risk", len(report.orders)), ("ship_by_late", len(report.late)))
    return StepResult(counts, attention)


def _ship_by_text(ship_by: datetime, hours_left: float) -> str:
    when = f"ship by {ship_by:%Y-%m-%d %H:%M} UTC"
    if hours_left < 0:
        return f"{when}: LATE by {-hours_left:.0f} h, no label yet"
    return f"{when}: in {hours_left:.0f} h, no label yet"


# --- the end of a run -----------------------------------------------------------------------


def finish(
    services: Services, shop_id: str, summary: SyncSummary, error: str | None = None
) -> None:
    """Record a run that reached the shop: its last good sync, or its last error."""
    with services.uow() as uow:
        shop = uow.shops.get(shop_id)
        if shop is not None:
            if error is None:
                shop.last_sync_at = services.clock.now()
            shop.last_sync_error = error
            uow.shops.save(shop)
            uow.commit()


def record_state(services: Services, shop_id: str, summary: SyncSummary) -> None:
    """Keep the shop's sync state (ok / paused / failed ...); announce a change of it as
    `temuship.shop.<state>`."""
    with services.uow() as uow:
        shop = uow.shops.get(shop_id)
        if shop is None or shop.settings.get("sync_state") == summary.status:
            return
        shop.settings = {**shop.settings, "sync_state": summary.status}
        uow.shops.save(shop)
        uow.commit()
    _announce(services, shop_id, f"temuship.shop.{summary.status}",
                  {"reason": summary.reason or ""})  # fmt: skip


def pause(
    services: Services,
    request: SyncRequest,
    error: TokenError | PermissionMissing,
    summary: SyncSummary,
) -> None:
    """The token failed mid-run: pause the shop, say why, emit the event once."""
    newly = tokens.pause_for(services.uow(), request.shop_id, error, request.ctx(services))
    summary.status, summary.reason = "paused", str(error)
    if newly:
        expired = isinstance(error, TokenExpired)
        name = "temuship.token.expired" if expired else "temuship.token.rejected"
        _announce(services, request.shop_id, name, {"by": "api", "code": error.code})


def _announce(services: Services, shop_id: str, event: str, payload: dict[str, Any]) -> None:
    services.events.emit(event, shop_id, {"shop": shop_id, **payload})


def _advance_cursor(services: Services, request: SyncRequest, name: str, value: datetime) -> None:
    """Move a cursor to `value` only if this run read from it (a `since` later than the
    cursor leaves a gap unread), and never backwards."""
    with services.uow() as uow:
        cursor = uow.cursors.get(request.shop_id, name)
        if request.since is not None and (cursor is None or request.since > cursor):
            return
        if cursor is None or value > cursor:
            uow.cursors.set(request.shop_id, name, value)
            uow.commit()


def new_request(services: Services, shop_id: str, **options: Any) -> SyncRequest:
    """A request starting now; `parent_order_sns` are de-duplicated in order."""
    sns = tuple(dict.fromkeys(options.pop("parent_order_sns", ())))
    return replace(SyncRequest(shop_id, services.clock.now(), **options), parent_order_sns=sns)
