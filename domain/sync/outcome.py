"""What a sync is asked to do and what it did: the request, the steps, the status of a run and
the items that need a person (each with its kind and the advice a person acts on)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from domain.history import EventContext
from domain.model import Source
from domain.ports import Clock

ATTENTION_LIMIT = 500  # items kept per run; the counters count them all


class RunStatus(StrEnum):
    """How one shop's run ended."""

    OK = "ok"
    PARTIAL = "partial"  # some steps could not finish: the next run finishes the rest
    PAUSED = "paused"  # the shop is paused (its token): nothing was read or sent
    SKIPPED = "skipped"  # another sync of the shop was running
    FAILED = "failed"

    @property
    def words(self) -> str:
        return {
            RunStatus.OK: "done",
            RunStatus.PARTIAL: "partly done: some steps could not finish, see the reason",
            RunStatus.PAUSED: "the shop is paused: nothing was read or sent",
            RunStatus.SKIPPED: "not run: another sync of this shop was running",
            RunStatus.FAILED: "failed",
        }[self]


class AttentionKind(StrEnum):
    """What needs a person; `advice` says what to do about it."""

    HELD = "held"
    CONFLICT = "conflict"
    PUSH_FAILED = "push_failed"
    NOT_SENT = "not_sent"
    LABEL_UNRESOLVED = "label_unresolved"
    LABEL_UNREADABLE = "label_unreadable"
    CONFIRMATION_FAILED = "confirmation_failed"
    CONFIRMATION_WAITING = "confirmation_waiting"
    CONFIRMATION_RETRY = "confirmation_retry"
    READ_PROBLEM = "read_problem"
    NOT_FOUND = "not_found"
    SHIP_BY_RISK = "ship_by_risk"
    STEP_FAILED = "step_failed"
    SHOP_PAUSED = "shop_paused"

    @property
    def advice(self) -> str:
        return ADVICE[self]


K = AttentionKind
ADVICE = {
    K.HELD: "unknown Temu status: check the order in Temu; it is not sent to ShipStation",
    K.CONFLICT: "Temu contradicts a locked ShipStation status: check both sides",
    K.PUSH_FAILED: "ShipStation refused the order: fix the field named, it is retried each sync",
    K.NOT_SENT: "kept out of ShipStation for the reason given: sent once that changes",
    K.LABEL_UNRESOLVED: "a label whose lines match no Temu line: confirm it in Temu by hand",
    K.LABEL_UNREADABLE: "ShipStation's data for this shipment could not be read: it is retried",
    K.CONFIRMATION_FAILED: "Temu refused the confirmation: correct it in Temu seller centre",
    K.CONFIRMATION_WAITING: "the confirmation waits for the fix named",
    K.CONFIRMATION_RETRY: "a temporary failure: it is retried on the next sync",
    K.READ_PROBLEM: "Temu's data for this order could not be read: it is kept for replay",
    K.NOT_FOUND: "check the order number (PO-...) in Temu",
    K.SHIP_BY_RISK: "ship it now: create its label in ShipStation (Temu penalises late shipment)",
    K.STEP_FAILED: "this step did not finish: the next sync tries again",
    K.SHOP_PAUSED: "nothing is read or sent until the cause named is fixed: for the token, "
    "give the new one (`temuship reauthorize`, or Resume the waiting reauthorize run)",
}


SHIPMENT_KINDS = frozenset({K.LABEL_UNRESOLVED, K.LABEL_UNREADABLE, K.CONFIRMATION_FAILED,
                            K.CONFIRMATION_WAITING, K.CONFIRMATION_RETRY})  # fmt: skip
"""The kinds whose subject is a ShipStation shipment (a label), not a Temu order."""


@dataclass(frozen=True, slots=True)
class Attention:
    """One item that needs a person: its kind, the order or shipment, and why; `order` is the
    Temu order of a shipment, when known."""

    kind: AttentionKind
    subject: str
    reason: str
    order: str | None = None

    @property
    def advice(self) -> str:
        return self.kind.advice

    @property
    def shipment(self) -> str | None:
        return self.subject if self.kind in SHIPMENT_KINDS else None

    def as_list(self) -> list[str]:
        """The JSON form (`--json`, a run's result): [kind, order or shipment, reason]."""
        return [self.kind.value, self.subject, self.reason]

    def as_dict(self) -> dict[str, str | None]:
        """The JSON form with every field named: the shipment's order beside it."""
        shipment = self.shipment
        order = self.order if shipment else (self.order or self.subject)
        if self.kind is K.SHOP_PAUSED or self.kind is K.STEP_FAILED:
            order = None
        return {"kind": self.kind.value, "order": order, "shipment": shipment,
                "reason": self.reason, "advice": self.advice}  # fmt: skip


class Step(StrEnum):
    """The steps of a sync; the value is the name of the Prefect task that runs it."""

    GATE = "gate"
    IMPORT_PAGE = "temu-page"
    PUSH = "push-to-shipstation"
    READ_LABELS = "read-labels"
    CONFIRM = "confirm-to-temu"
    SHIP_BY = "ship-by-risk"

    @property
    def words(self) -> str:
        return {
            Step.GATE: "checking the token",
            Step.IMPORT_PAGE: "reading Temu orders",
            Step.PUSH: "sending orders to ShipStation",
            Step.READ_LABELS: "reading ShipStation labels",
            Step.CONFIRM: "confirming shipments to Temu",
            Step.SHIP_BY: "watching ship-by times",
        }[self]

    @property
    def api(self) -> str | None:
        """The API the step needs: one found unreachable is not asked again in the same run."""
        return {Step.IMPORT_PAGE: "Temu", Step.PUSH: "ShipStation",
                Step.READ_LABELS: "ShipStation", Step.CONFIRM: "Temu"}.get(self)  # fmt: skip


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

    def ctx(self, clock: Clock, source: Source = Source.TEMU) -> EventContext:
        return EventContext(clock.now(), source, self.run_id)


@dataclass(frozen=True)
class StepResult:
    """What one step did: counters, the items that need a person, and whether pages follow."""

    counts: tuple[tuple[str, int], ...] = ()
    attention: tuple[Attention, ...] = ()
    more: bool = False
    total: int = 0  # orders in the stream, as Temu counts them (import steps)
    read: tuple[tuple[str, datetime], ...] = ()  # (parent order, Temu update time) imported
    changed: tuple[str, ...] = ()  # of those, the ones known before whose state changed
    waiting: tuple[str, ...] = ()  # of those, the ones still without a ship-to address

    def count(self, name: str) -> int:
        return dict(self.counts).get(name, 0)


@dataclass
class SyncSummary:
    """One shop's run: its status, why, counters, and the items that need a person.

    Counters ending in `_seen` count readings (an order read in two streams counts twice);
    `orders_read`, `orders_new`, `orders_state_changed` and `orders_without_ship_to` count
    orders, each once (the last: still without a ship-to when the run ended)."""

    shop_id: str
    status: RunStatus = RunStatus.OK
    reason: str | None = None
    counts: Counter[str] = field(default_factory=Counter)
    attention: list[Attention] = field(default_factory=list)
    unreachable: set[str] = field(default_factory=set)  # APIs no step could reach this run
    orders: dict[str, set[str]] = field(
        default_factory=lambda: {
            "orders_read": set(),
            "orders_state_changed": set(),
            "orders_without_ship_to": set(),
        }
    )

    def add(self, result: StepResult) -> StepResult:
        self.counts.update(dict(result.counts))
        if result.read:
            self._orders(result)
        for item in result.attention:
            self.counts[f"attention_{item.kind.value}"] += 1
            if len(self.attention) < ATTENTION_LIMIT:
                self.attention.append(item)
        return result

    def _orders(self, result: StepResult) -> None:
        """The orders a page read: each counted once, the last reading deciding its ship-to."""
        read, waiting = self.orders["orders_read"], self.orders["orders_without_ship_to"]
        sns = {sn for sn, _ in result.read}
        read.update(sns)
        waiting.difference_update(sns)
        waiting.update(result.waiting)
        self.orders["orders_state_changed"].update(result.changed)
        for name, sns in self.orders.items():
            self.counts[name] = len(sns)

    def step_failed(self, reason: str) -> None:
        """A step failed: the run goes on and ends partial, naming every reason."""
        self.add(StepResult(attention=(Attention(K.STEP_FAILED, self.shop_id, reason),)))
        self.status = RunStatus.PARTIAL
        self.reason = f"{self.reason}; {reason}" if self.reason else reason

    def end(self, status: RunStatus, reason: str | None) -> None:
        self.status, self.reason = status, reason
        if status is RunStatus.PAUSED:  # a paused shop always needs a person
            why = reason or "the shop is paused"
            self.add(StepResult(attention=(Attention(K.SHOP_PAUSED, self.shop_id, why),)))

    @property
    def needs_person(self) -> int:
        """Items that need a person (counted, also those past ATTENTION_LIMIT)."""
        return sum(v for k, v in self.counts.items() if k.startswith("attention_"))

    def to_dict(self) -> dict[str, Any]:
        """The run's result (and `--json`): `attention` as [kind, subject, reason] lists,
        `items` the same with every field named, `needs_person` how many there are in all."""
        return {"shop": self.shop_id, "status": self.status.value, "reason": self.reason,
                "counts": dict(self.counts),
                "attention": [a.as_list() for a in self.attention],
                "needs_person": self.needs_person,
                "items": [a.as_dict() for a in self.attention]}  # fmt: skip
