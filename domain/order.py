"""The order aggregate: one Temu parent order, our state for it, its history and its outbox."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from domain.confirmation import VOIDED_AFTER_SENDING, ConfirmationStatus, ShipmentConfirmation
from domain.history import EventContext, HistoryEntry
from domain.model import (
    LOCKED_STATES,
    SHIPSTATION_STATES,
    Address,
    Label,
    LabelLine,
    OrderLine,
    OrderState,
    TemuOrder,
    order_key,
)
from domain.order_machine import fire
from domain.status import rule_for

COVERING = frozenset(
    {ConfirmationStatus.PENDING, ConfirmationStatus.SENT, ConfirmationStatus.CONFIRMED}
)
# How far ShipStation's answer time (its Date header: whole seconds, and a server may send a
# Date cached up to a second old) can trail its own label times.
CLOCK_SKEW = timedelta(seconds=2)


@dataclass(frozen=True, slots=True)
class Pushed:
    """What ShipStation took of an order: the payload, its digest, its id there, when (on
    ShipStation's clock, when it says) and until when it holds the order (V2)."""

    payload: Mapping[str, Any]
    digest: str
    remote_id: str | None = None
    at: datetime | None = None
    hold_until: date | None = None


def sent_lines(payload: Mapping[str, Any]) -> set[str]:
    """The Temu lines (orderSn) a payload carries: V1's items' lineItemKey, V2's shipment
    items' external_order_item_id."""
    items = payload.get("items") or (payload.get("shipment") or {}).get("items") or []
    keys = (i.get("lineItemKey") or i.get("external_order_item_id") for i in items)
    return {key for key in keys if isinstance(key, str) and key}


@dataclass(eq=False)
class Order:
    shop_id: str
    parent_order_sn: str
    state: OrderState = OrderState.NEW
    temu_status: int | None = None
    snapshot: TemuOrder | None = None
    ship_to: Address | None = None
    held_reason: str | None = None
    pushed_digest: str | None = None
    shipstation_order_id: str | None = None  # ShipStation's id (V2's without "se-")
    push_error: str | None = None
    push_pending: bool = False
    pushed_state: OrderState | None = None
    pushed_payload: dict[str, Any] | None = None
    pushed_at: datetime | None = None  # when ShipStation last took the payload (its clock)
    hold_until: date | None = None  # when ShipStation's hold of the order ends (V2)
    version: int = 0
    confirmations: list[ShipmentConfirmation] = field(default_factory=list)
    new_history: list[HistoryEntry] = field(default_factory=list)

    @property
    def key(self) -> str:
        return order_key(self.shop_id, self.parent_order_sn)

    @property
    def lines(self) -> tuple[OrderLine, ...]:
        return self.snapshot.lines if self.snapshot else ()

    @property
    def importable(self) -> bool:
        """May be sent to ShipStation: a ShipStation status, a ship-to, not held."""
        return (
            self.state in SHIPSTATION_STATES
            and self.ship_to is not None
            and self.held_reason is None
            and self.snapshot is not None
        )

    @property
    def locked(self) -> bool:
        return self.state in LOCKED_STATES

    def covered_line_sns(self) -> dict[str, str]:
        return {
            line.order_sn: c.shipment_id
            for c in self.confirmations
            if c.status in COVERING
            for line in c.lines
        }

    def remaining_line_sns(self) -> set[str]:
        covered = self.covered_line_sns()
        return {ln.order_sn for ln in self.lines if ln.shippable and ln.order_sn not in covered}

    def has_open_confirmations(self) -> bool:
        return any(c.is_open for c in self.confirmations)

    def confirmation(self, shipment_id: str) -> ShipmentConfirmation | None:
        return next((c for c in self.confirmations if c.shipment_id == shipment_id), None)

    def unsent_confirmation(self, shipment_id: str) -> ShipmentConfirmation | None:
        found = self.confirmation(shipment_id)
        return found if found and found.status is ConfirmationStatus.PENDING else None

    # --- what Temu says -------------------------------------------------------------------

    def observe(self, seen: TemuOrder, ctx: EventContext) -> HistoryEntry | None:
        """Apply what Temu says of this order now; fire an event only when something is new."""
        previous, state_before = self.snapshot, self.state
        first_sight = previous is None
        had_ship_to = self.ship_to is not None
        status_changed = seen.status != self.temu_status
        keep_address = seen.ship_to is None and self.ship_to is not None
        self.snapshot = seen.with_ship_to(self.ship_to) if keep_address else seen
        self.ship_to = seen.ship_to or self.ship_to
        entry = None
        if first_sight or status_changed:
            entry = fire(self, "temu_status_seen", ctx, temu_code=seen.status)
        elif not had_ship_to and self.ship_to is not None:
            entry = fire(self, "address_arrived", ctx, temu_code=seen.status)
        if entry is not None and entry.accepted:
            self.temu_status = seen.status
            self.held_reason = None if rule_for(seen.status) else self._unknown(seen.status)
        elif entry is not None:
            self.temu_status = seen.status
        if self.snapshot != previous or self.state is not state_before:
            self.push_pending = True
        return entry

    def needs_push(self, digest: str) -> bool:
        """Send to ShipStation? Only importable orders whose payload changed, never once locked
        there; an order first seen shipped (Temu 4) with a ship-to is imported as shipped."""
        if not self.importable or self.pushed_state in LOCKED_STATES:
            return False
        if self.pushed_state is None and self.locked:
            return self.state is OrderState.SHIPPED  # cancelled before import: recorded only
        if self.state is OrderState.SHIPPED and self.confirmations:
            # Shipped by our labels: ShipStation closed the order itself, unless it still
            # carries lines no label covered (sent before Temu shipped them): then say so.
            return self._shipstation_still_open() and digest != self.pushed_digest
        return digest != self.pushed_digest

    def _shipstation_still_open(self) -> bool:
        """ShipStation took the status we last sent; it closes the order itself when labels
        bought after that cover every line the order carries there. A label bought before our
        last send (say, before we sent a partly shipped order again with the lines left) did
        not close it. Both times are ShipStation's own, but its answer's Date has whole seconds
        and may lag the label's clock by one (a server's cached Date): a label bought within
        CLOCK_SKEW of our send could be from before it, and is not taken to have closed the
        order (marking it shipped again costs one call; an order left open costs a person)."""
        sent = sent_lines(self.pushed_payload or {})
        closing = {
            line.order_sn
            for c in self.confirmations
            if c.status in COVERING
            and (self.pushed_at is None or c.created_at >= self.pushed_at + CLOCK_SKEW)
            for line in c.lines
        }
        return bool(sent - closing)

    def mark_pushed(
        self,
        sent: Pushed,
        ctx: EventContext,
        sent_as: OrderState | None = None,
        changed_since: bool = False,
    ) -> None:
        """ShipStation took the payload, sent while the order was `sent_as` (its state now by
        default); `changed_since`: the order changed after it was sent and stays queued."""
        state = sent_as or self.state
        self.pushed_payload, self.pushed_digest = dict(sent.payload), sent.digest
        self.pushed_state, self.push_error = state, None
        self.pushed_at = sent.at or ctx.at
        self.hold_until = sent.hold_until if state is OrderState.ON_HOLD else None
        self.push_pending = self.push_pending and changed_since
        self.shipstation_order_id = sent.remote_id or self.shipstation_order_id
        self.note("pushed_to_shipstation", ctx, f"sent as {state.value}")

    def mark_push_failed(self, error: str, ctx: EventContext) -> None:
        if error != self.push_error:
            self.note("push_failed", ctx, error, accepted=False)
        self.push_error = error

    @staticmethod
    def _unknown(code: int) -> str:
        return f"unknown Temu status {code}: held, not sent to ShipStation"

    # --- what ShipStation says ------------------------------------------------------------

    def record_label(
        self, label: Label, lines: tuple[LabelLine, ...], ctx: EventContext
    ) -> HistoryEntry | None:
        """A ShipStation label for some of this order's lines; None when already recorded."""
        if label.voided:
            return self._record_void(label, ctx)
        if self.confirmation(label.shipment_id) or self._is_extra_tracking(label):
            return None
        covered = self.covered_line_sns()
        new_lines = tuple(line for line in lines if line.order_sn not in covered)
        if new_lines:
            return fire(
                self,
                "label_created",
                ctx,
                label=label,
                lines=new_lines,
                note=f"shipment {label.shipment_id}, {_lines(len(new_lines))}: "
                f"{label.describe()}, tracking {label.tracking_number}",
            )
        return self._record_extra_package(label, lines, covered, ctx)

    def _is_extra_tracking(self, label: Label) -> bool:
        return any(label.tracking_number in c.extra_tracking for c in self.confirmations)

    def _record_extra_package(
        self,
        label: Label,
        lines: tuple[LabelLine, ...],
        covered: dict[str, str],
        ctx: EventContext,
    ) -> HistoryEntry:
        owners = {covered[line.order_sn] for line in lines}
        pending = [self.unsent_confirmation(sid) for sid in owners]
        if len(owners) == 1 and pending[0] is not None:
            pending[0].extra_tracking = (*pending[0].extra_tracking, label.tracking_number)
            return self.note(
                "extra_package",
                ctx,
                f"shipment {label.shipment_id} adds tracking "
                f"to the confirmation of shipment {pending[0].shipment_id}",
            )
        rejected = ShipmentConfirmation.for_label(self.shop_id, self.parent_order_sn, label, lines)
        reason = (
            f"shipment {label.shipment_id}: its lines were already confirmed by shipment(s) "
            f"{', '.join(sorted(owners))}; not sent to Temu"
        )
        rejected.settle_failed(ctx.at, "already_confirmed", reason)
        self.confirmations.append(rejected)
        return self.note("label_refused", ctx, reason, accepted=False)

    def _record_void(self, label: Label, ctx: EventContext) -> HistoryEntry | None:
        existing = self.confirmation(label.shipment_id)
        if existing is None or existing.error_code == VOIDED_AFTER_SENDING:
            return None
        if existing.status in (ConfirmationStatus.VOIDED, ConfirmationStatus.FAILED):
            return None
        entry = fire(self, "label_voided", ctx, label=label)
        if not entry.accepted:  # already sent to Temu: say so once, on the confirmation too
            existing.error_code, existing.last_error = VOIDED_AFTER_SENDING, entry.reason
        return entry

    def queue_confirmation(self, label: Label, lines: tuple[LabelLine, ...]) -> None:
        self.confirmations.append(
            ShipmentConfirmation.for_label(self.shop_id, self.parent_order_sn, label, lines)
        )

    def void_confirmation(self, shipment_id: str, at: datetime) -> None:
        found = self.unsent_confirmation(shipment_id)
        if found:
            found.void(at)

    def settle_void_in_doubt(
        self, conf: ShipmentConfirmation, reached_temu: bool, ctx: EventContext
    ) -> HistoryEntry:
        """A voided label whose confirmation may or may not have reached Temu, once Temu's own
        record of the line says which: confirmed there (correct it in Temu), or never sent (the
        confirmation is dropped and its lines are open again)."""
        sid, tracking = conf.shipment_id, conf.tracking_number
        if reached_temu:
            reason = conf.last_error or "label voided after its confirmation was sent"
            conf.settle_confirmed(ctx.at, conf.warnings)
            conf.error_code, conf.last_error = VOIDED_AFTER_SENDING, reason
            return self.note(
                "confirmed_to_temu",
                ctx,
                f"shipment {sid} tracking {tracking}: Temu had it before the label was voided "
                "in ShipStation: correct it in Temu",
                accepted=False,
            )
        conf.void(ctx.at)
        conf.error_code, conf.last_error = None, None
        return self.note(
            "label_voided",
            ctx,
            f"shipment {sid} tracking {tracking}: Temu never received its confirmation (the run "
            "that sent it stopped first): dropped, its lines are open again",
        )

    # --- notes that change no state ---------------------------------------------------------

    def note(
        self, event: str, ctx: EventContext, reason: str, accepted: bool = True
    ) -> HistoryEntry:
        """A history entry for something that happened without a state change."""
        entry = HistoryEntry(
            at=ctx.at,
            from_state=self.state.value,
            to_state=self.state.value,
            event=event,
            source=ctx.source.value,
            accepted=accepted,
            temu_code=self.temu_status,
            run_id=ctx.run_id,
            reason=reason,
        )
        self.new_history.append(entry)
        return entry


def _lines(count: int) -> str:
    return f"{count} line" if count == 1 else f"{count} lines"
