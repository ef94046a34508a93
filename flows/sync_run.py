"""One shop's sync, step by step, as plain Python: the Prefect flow calls these steps as tasks."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from domain.errors import PermissionMissing, ShopPaused, TokenError, TokenExpired, TokenLapsed
from domain.history import EventContext
from domain.model import Label, Source
from domain.ports import ShipStationGateway, TemuGateway, TimeWindow
from domain.services import orders, shipments, tokens
from domain.shop import Shop
from domain.sync_plan import SyncPlan
from flows.windows import shipment_start, temu_windows
from flows.wiring import Services

TEMU_CURSOR, SHIPMENT_CURSOR = "temu_orders", "shipstation_shipments"
ATTENTION_LIMIT = 500
SNS_PER_CALL = 20  # Temu's parentOrderSnList limit


@dataclass(frozen=True)
class Stream:
    """One sequence of Temu order pages: an update-time window, one open status, or named
    parent orders (one page of at most 20)."""

    window: TimeWindow | None
    status: int | None = None
    parent_order_sns: tuple[str, ...] = ()

    def __str__(self) -> str:
        return self.describe()

    def describe(self) -> str:
        if self.parent_order_sns:
            return f"{len(self.parent_order_sns)} named order(s)"
        if self.window is None:
            return f"open orders in status {self.status}"
        return f"updated {self.window.start:%Y-%m-%d %H:%M} to {self.window.end:%Y-%m-%d %H:%M}"


@dataclass
class Outcome:
    shop_id: str
    status: str = "ok"
    reason: str | None = None
    counts: Counter[str] = field(default_factory=Counter)
    attention: list[tuple[str, str, str]] = field(default_factory=list)

    def flag(self, kind: str, ident: str, reason: str) -> None:
        self.counts[f"attention_{kind}"] += 1
        if len(self.attention) < ATTENTION_LIMIT:
            self.attention.append((kind, ident, reason))

    def to_dict(self) -> dict[str, Any]:
        return {"shop": self.shop_id, "status": self.status, "reason": self.reason,
                "counts": dict(self.counts),
                "attention": [list(a) for a in self.attention]}  # fmt: skip


class ShopSync:
    """The state of one sync run of one shop: its clients, windows and outcome.

    By default a run reads from the cursors to now and moves them. `since` and `until` narrow
    or widen the Temu window, `parent_order_sns` reads just those orders; a cursor moves only
    when the run read everything from it to now, and never backwards.
    """

    def __init__(
        self,
        services: Services,
        shop_id: str,
        run_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        parent_order_sns: Sequence[str] = (),
    ) -> None:
        self.services, self.shop_id, self.run_id, self.since = services, shop_id, run_id, since
        self.until, self.parent_order_sns = until, tuple(dict.fromkeys(parent_order_sns))
        self.started = services.clock.now()
        self.outcome = Outcome(shop_id)
        self._temu: TemuGateway | None = None
        self._shipstation: ShipStationGateway | None = None

    def ctx(self, source: Source = Source.TEMU) -> EventContext:
        return EventContext(self.services.clock.now(), source, self.run_id)

    def shop(self) -> Shop:
        with self.services.uow() as uow:
            shop = uow.shops.get(self.shop_id)
        if shop is None:
            raise ShopPaused(f"no shop named {self.shop_id!r}: run `temuship connect` first")
        return shop

    @property
    def temu(self) -> TemuGateway:
        if self._temu is None:
            self._temu = self.services.temu_for(self.shop())
        return self._temu

    @property
    def shipstation(self) -> ShipStationGateway:
        if self._shipstation is None:
            self._shipstation = self.services.shipstation_for(self.shop())
        return self._shipstation

    # --- steps ---------------------------------------------------------------------------

    def gate(self) -> None:
        try:
            tokens.gate(self.services.uow(), self.shop_id, self.ctx(Source.CLOCK))
        except TokenLapsed:
            self._announce("temuship.token.expired", {"by": "clock"})
            raise
        if (shop := self.shop()).paused:
            raise ShopPaused(f"shop {self.shop_id} is paused: {shop.paused_reason}")

    def streams(self) -> list[Stream]:
        if self.parent_order_sns:
            sns = self.parent_order_sns
            return [Stream(None, None, sns[i : i + SNS_PER_CALL])
                    for i in range(0, len(sns), SNS_PER_CALL)]  # fmt: skip
        shop = self.shop()
        with self.services.uow() as uow:
            cursor = uow.cursors.get(self.shop_id, TEMU_CURSOR)
        backfill = timedelta(days=shop.backfill_days)
        end = min(self.until, self.started) if self.until else self.started
        found = [Stream(w) for w in temu_windows(cursor, end, backfill, self.since)]
        if cursor is None and self.since is None:  # first sync: every open order, any age
            found = [Stream(None, status) for status in orders.OPEN_STATUSES] + found
        return found

    def import_page(self, stream: Stream, page: int) -> bool:
        """Import one page; True while more pages follow."""
        if stream.parent_order_sns:
            result = self.temu.orders_by_sn(stream.parent_order_sns)
            found = {o.parent_order_sn for o in result.orders}
            found |= {f.parent_order_sn for f in result.failures if f.parent_order_sn}
            for sn in stream.parent_order_sns:
                if sn not in found:
                    self.outcome.flag("not_found", sn, "Temu has no order with this number")
        else:
            result = self.temu.list_orders(stream.window, page, status=stream.status)
        plan = orders.import_page(
            self.services.uow(), self.temu, self.shop(), result, self.ctx(), None
        )
        self._count_import(plan)
        return result.has_more and bool(result.orders) and not stream.parent_order_sns

    def commit_temu_cursor(self) -> None:
        if self.until is None and not self.parent_order_sns:
            self._advance_cursor(TEMU_CURSOR, self.started)

    def push(self) -> None:
        summary = orders.push_changed_orders(
            self.services.uow, self.shipstation, self.shop_id, self.ctx(Source.SHIPSTATION)
        )
        self.outcome.counts.update(
            pushed=summary.sent, push_calls=summary.calls, push_unchanged=summary.skipped
        )
        for sn, error in summary.failed:
            self.outcome.flag("push_failed", sn, error)

    def record_labels(self) -> None:
        shop = self.shop()
        with self.services.uow() as uow:
            cursor = uow.cursors.get(self.shop_id, SHIPMENT_CURSOR)
        fetched_at = self.services.clock.now()
        since = shipment_start(cursor, fetched_at, timedelta(days=shop.backfill_days), self.since)
        for page in self.shipstation.shipments_since(since):
            self._labels(page.labels, "labels_seen")
        for page in self.shipstation.voided_since(since):
            self._labels(page.labels, "voids_seen")
        self._advance_cursor(SHIPMENT_CURSOR, fetched_at)

    def _labels(self, labels: tuple[Label, ...], counter: str) -> None:
        plan = shipments.record_labels(
            self.services.uow(), self.shop_id, labels, self.ctx(Source.SHIPSTATION)
        )
        self.outcome.counts.update(
            {counter: len(labels), "confirmations_queued": len(plan.confirmations)}
        )
        for shipment_id, reason in plan.unresolved:
            self.outcome.flag("label_unresolved", shipment_id, reason)

    def confirm(self) -> None:
        with self.services.uow() as uow:
            if not uow.orders.open_confirmations(self.shop_id):
                return
            overrides = uow.carriers.overrides(self.shop_id)
        shop = self.shop()
        warehouses = self.temu.warehouses()
        default = next((w.warehouse_id for w in warehouses if w.is_default), None)
        default = default or (warehouses[0].warehouse_id if warehouses else None)
        with self.services.uow() as uow:
            token = uow.tokens.get(self.shop_id)
        carriers = self.temu.carriers(token.region_id if token and token.region_id else 211)
        summary = shipments.send_confirmations(
            self.services.uow,
            self.temu,
            shop,
            shipments.Shipping(carriers, overrides, default),
            self.ctx(),
        )
        self.outcome.counts.update(confirmed=summary.confirmed, confirm_calls=summary.calls)
        for kind, rows in (
            ("confirmation_failed", summary.failed),
            ("confirmation_waiting", summary.waiting),
            ("confirmation_retry", summary.retry_later),
        ):
            for shipment_id, reason in rows:
                self.outcome.flag(kind, shipment_id, reason)

    def finish(self, error: str | None = None) -> None:
        with self.services.uow() as uow:
            shop = uow.shops.get(self.shop_id)
            if shop is not None:
                if error is None:
                    shop.last_sync_at = self.services.clock.now()
                shop.last_sync_error = error
                uow.shops.save(shop)
                uow.commit()

    def pause(self, error: TokenError | PermissionMissing) -> None:
        """The token failed mid-run: pause the shop, say why, emit the event once."""
        newly = tokens.pause_for(self.services.uow(), self.shop_id, error, self.ctx())
        self.outcome.status, self.outcome.reason = "paused", str(error)
        if newly:
            expired = isinstance(error, TokenExpired)
            name = "temuship.token.expired" if expired else "temuship.token.rejected"
            self._announce(name, {"by": "api", "code": error.code})

    # --- helpers -------------------------------------------------------------------------

    def _announce(self, event: str, payload: dict[str, Any]) -> None:
        self.services.events.emit(event, self.shop_id, {"shop": self.shop_id, **payload})

    def _advance_cursor(self, name: str, value: datetime) -> None:
        """Move a cursor to `value` only if this run read from it (a `since` later than the
        cursor leaves a gap unread), and never backwards."""
        with self.services.uow() as uow:
            cursor = uow.cursors.get(self.shop_id, name)
            if self.since is not None and (cursor is None or self.since > cursor):
                return
            if cursor is None or value > cursor:
                uow.cursors.set(self.shop_id, name, value)
                uow.commit()

    def _count_import(self, plan: SyncPlan) -> None:
        c = plan.counts()
        self.outcome.counts.update(
            orders_seen=c["seen"], orders_new=c["new"], orders_changed=c["changed"]
        )
        self.outcome.counts["missing_ship_to_seen"] += len(plan.missing_ship_to)
        for sn, reason in plan.held:
            self.outcome.flag("held", sn, reason)
        for sn, reason in plan.conflicts:
            self.outcome.flag("conflict", sn, reason)
        for sn, reason in plan.problems:
            self.outcome.flag("read_problem", sn, reason)
