"""The order state machine, defined once as data, driving plain `Order` objects.

One module-level `transitions.Machine` serves every order, through `domain.machine_kit`: an
event is triggered on a small per-event view of the order, so no machine (and no binding) is
built per order. Every accepted or refused event yields one history entry. The Temu guards
read the status table (`domain.status`); `flows/diagram.py` draws the machine for the README.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from transitions import Machine

from domain import machine_kit
from domain.confirmation import ConfirmationStatus
from domain.history import EventContext, HistoryEntry
from domain.machine_kit import MachineView, Refusal, not_allowed
from domain.model import LOCKED_STATES, Label, LabelLine, OrderState
from domain.status import OPEN_TARGETS, codes_for, describe, target_state

if TYPE_CHECKING:
    from domain.order import Order

S = OrderState
INITIAL = S.NEW
OPEN = [S.NEW, S.MISSING_SHIP_TO, S.AWAITING_PAYMENT, S.ON_HOLD, S.AWAITING_SHIPMENT]
LABELLABLE = [S.ON_HOLD, S.AWAITING_SHIPMENT]

# fmt: off
TRANSITIONS: list[dict[str, Any]] = [
    # A Temu status was seen (first sight, or a new code).
    {"trigger": "temu_status_seen", "source": OPEN, "dest": S.MISSING_SHIP_TO,
     "conditions": "temu_wants_import", "unless": "has_ship_to"},
    {"trigger": "temu_status_seen", "source": OPEN, "dest": S.ON_HOLD,
     "conditions": ["temu_says_on_hold", "has_ship_to"]},
    {"trigger": "temu_status_seen", "source": OPEN, "dest": S.AWAITING_SHIPMENT,
     "conditions": ["temu_says_awaiting_shipment", "has_ship_to"]},
    {"trigger": "temu_status_seen", "source": OPEN, "dest": S.ON_HOLD,
     "conditions": "temu_status_unknown"},
    {"trigger": "temu_status_seen", "source": OPEN, "dest": S.CANCELLED,
     "conditions": "temu_says_cancelled"},
    {"trigger": "temu_status_seen", "source": OPEN, "dest": S.SHIPPED,
     "conditions": "temu_says_shipped"},
    # 4 -> 5 (shipped -> delivered) and a repeated cancel change nothing.
    {"trigger": "temu_status_seen", "source": S.SHIPPED, "dest": None,
     "conditions": "temu_says_shipped"},
    {"trigger": "temu_status_seen", "source": S.CANCELLED, "dest": None,
     "conditions": "temu_says_cancelled"},
    # The ship-to address arrived for an order that could not be imported.
    {"trigger": "address_arrived", "source": S.MISSING_SHIP_TO, "dest": S.ON_HOLD,
     "conditions": ["has_ship_to", "temu_says_on_hold"]},
    {"trigger": "address_arrived", "source": S.MISSING_SHIP_TO, "dest": S.AWAITING_SHIPMENT,
     "conditions": ["has_ship_to", "temu_says_awaiting_shipment"]},
    # A ShipStation label: all remaining lines ship the order, some lines leave it open.
    {"trigger": "label_created", "source": LABELLABLE, "dest": S.SHIPPED,
     "conditions": "label_ships_all_remaining_lines", "after": "queue_confirmation"},
    {"trigger": "label_created", "source": LABELLABLE, "dest": None,
     "unless": "label_ships_all_remaining_lines", "after": "queue_confirmation"},
    # After shipping (say a void, then a new label) new lines still get their confirmation.
    {"trigger": "label_created", "source": S.SHIPPED, "dest": None,
     "after": "queue_confirmation"},
    # A label voided before its confirmation left: the confirmation is dropped, the lines
    # are open again for a new label. Shipped never regresses.
    {"trigger": "label_voided", "source": [*LABELLABLE, S.SHIPPED], "dest": None,
     "conditions": "void_cancels_unsent_confirmation", "after": "void_confirmation"},
]
# fmt: on

MACHINE = Machine(
    model=None,
    states=OrderState,
    transitions=TRANSITIONS,
    initial=INITIAL,
    auto_transitions=False,
    send_event=True,
)


@dataclass(frozen=True, slots=True)
class TemuSays:
    """A guard: the event's Temu code leads, by the status table, to one of `targets`
    (None standing for a code the table does not know)."""

    targets: frozenset[OrderState | None]

    def __call__(self, event: Any) -> bool:
        return target_state(event.kwargs["temu_code"]) in self.targets

    @property
    def codes(self) -> tuple[int, ...]:
        return codes_for(self.targets)


class _View(MachineView["Order"]):
    """What the machine sees of one order during one event: its state and the guards."""

    temu_says_on_hold = TemuSays(frozenset({S.ON_HOLD}))
    temu_says_awaiting_shipment = TemuSays(frozenset({S.AWAITING_SHIPMENT}))
    temu_says_cancelled = TemuSays(frozenset({S.CANCELLED}))
    temu_says_shipped = TemuSays(frozenset({S.SHIPPED}))
    temu_status_unknown = TemuSays(frozenset({None}))
    temu_wants_import = TemuSays(OPEN_TARGETS)

    def has_ship_to(self, event: Any) -> bool:
        return self.model.ship_to is not None

    def label_ships_all_remaining_lines(self, event: Any) -> bool:
        shipped = {line.order_sn for line in event.kwargs["lines"]}
        return self.model.remaining_line_sns() <= shipped

    def queue_confirmation(self, event: Any) -> None:
        self.model.queue_confirmation(event.kwargs["label"], event.kwargs["lines"])

    def void_cancels_unsent_confirmation(self, event: Any) -> bool:
        return self.model.unsent_confirmation(event.kwargs["label"].shipment_id) is not None

    def void_confirmation(self, event: Any) -> None:
        self.model.void_confirmation(event.kwargs["label"].shipment_id, event.kwargs["at"])


TEMU_GUARDS: dict[str, TemuSays] = {
    name: guard for name, guard in vars(_View).items() if isinstance(guard, TemuSays)
}
"""The guards that read the Temu code, by the name the transitions use."""


def fire(
    order: Order, event: str, ctx: EventContext, temu_code: int | None = None, **kwargs: Any
) -> HistoryEntry:
    """Fire one event on one order; return (and keep on the order) its history entry."""

    def refuse(name: str, state: StrEnum) -> Refusal:
        reason = refusal_reason(
            order, name, temu_code, kwargs.get("lines", ()), kwargs.get("label")
        )
        return Refusal(reason, is_conflict(order, name, temu_code))

    view = _View(order)
    return machine_kit.fire_on(
        MACHINE, view, event, ctx, refuse=refuse, temu_code=temu_code, **kwargs
    )


def is_conflict(order: Order, event: str, temu_code: int | None) -> bool:
    if order.state not in LOCKED_STATES:
        return False
    if event == "temu_status_seen" and order.state is S.SHIPPED and order.has_open_confirmations():
        return target_state(temu_code or 0) is not S.AWAITING_SHIPMENT
    return event != "label_voided"


def refusal_reason(
    order: Order,
    event: str,
    temu_code: int | None,
    lines: tuple[LabelLine, ...],
    label: Label | None = None,
) -> str:
    state = order.state.value
    if event == "temu_status_seen":
        if order.state in LOCKED_STATES:
            if not is_conflict(order, event, temu_code):
                return (
                    f"Temu still says {describe(temu_code)}: it has not yet recorded our "
                    "shipment confirmation"
                )
            return (
                f"conflict: Temu says {describe(temu_code)} but the order is {state}, "
                "which is locked in ShipStation; not applied"
            )
        return f"Temu status {describe(temu_code)} has no rule from {state}"
    if event == "address_arrived":
        return f"an address arrived while the order is {state}; nothing to import"
    if event == "label_created":
        return f"a label was created while the order is {state}; no confirmation queued"
    if event == "label_voided":
        sent = order.confirmation(label.shipment_id) if label is not None else None
        if sent is not None and sent.status is ConfirmationStatus.SENT:
            return (
                "label voided while Temu's answer to its confirmation is unknown (the run that "
                "sent it stopped): not sent again; Temu's record of the line decides"
            )
        return "label voided after its confirmation was sent to Temu: correct it in Temu"
    return not_allowed(event, order.state).reason
