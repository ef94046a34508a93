"""The order state machine, defined once as data, driving plain `Order` objects.

One module-level `transitions.Machine` serves every order: an event is fired through
`MACHINE.events[name].trigger(model)` on a small per-event view of the order, so no machine
(and no binding) is built per order. Every accepted or refused event yields one history entry.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from transitions import Machine, MachineError

from domain.history import EventContext, HistoryEntry
from domain.model import LOCKED_STATES, LabelLine, OrderState
from domain.status import describe, target_state

if TYPE_CHECKING:
    from domain.order import Order

S = OrderState
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
    initial=S.NEW,
    auto_transitions=False,
    send_event=True,
)


class _View:
    """What the machine sees of one order during one event: its state and the guards."""

    def __init__(self, order: Order) -> None:
        self.order = order

    @property
    def state(self) -> OrderState:
        return self.order.state

    @state.setter
    def state(self, value: OrderState) -> None:
        self.order.state = OrderState(value)

    def has_ship_to(self, event: Any) -> bool:
        return self.order.ship_to is not None

    def temu_says_on_hold(self, event: Any) -> bool:
        return target_state(event.kwargs["temu_code"]) is S.ON_HOLD

    def temu_says_awaiting_shipment(self, event: Any) -> bool:
        return target_state(event.kwargs["temu_code"]) is S.AWAITING_SHIPMENT

    def temu_says_cancelled(self, event: Any) -> bool:
        return target_state(event.kwargs["temu_code"]) is S.CANCELLED

    def temu_says_shipped(self, event: Any) -> bool:
        return target_state(event.kwargs["temu_code"]) is S.SHIPPED

    def temu_status_unknown(self, event: Any) -> bool:
        return target_state(event.kwargs["temu_code"]) is None

    def temu_wants_import(self, event: Any) -> bool:
        return target_state(event.kwargs["temu_code"]) in (S.ON_HOLD, S.AWAITING_SHIPMENT)

    def label_ships_all_remaining_lines(self, event: Any) -> bool:
        shipped = {line.order_sn for line in event.kwargs["lines"]}
        return self.order.remaining_line_sns() <= shipped

    def queue_confirmation(self, event: Any) -> None:
        self.order.queue_confirmation(event.kwargs["label"], event.kwargs["lines"])

    def void_cancels_unsent_confirmation(self, event: Any) -> bool:
        return self.order.unsent_confirmation(event.kwargs["label"].shipment_id) is not None

    def void_confirmation(self, event: Any) -> None:
        self.order.void_confirmation(event.kwargs["label"].shipment_id, event.kwargs["at"])


def fire(
    order: Order, event: str, ctx: EventContext, temu_code: int | None = None, **kwargs: Any
) -> HistoryEntry:
    """Fire one event on one order; return (and keep on the order) its history entry."""
    before = order.state
    accepted, reason = True, None
    try:
        accepted = MACHINE.events[event].trigger(
            _View(order), temu_code=temu_code, at=ctx.at, **kwargs
        )
    except MachineError:
        accepted = False
    if not accepted:
        reason = refusal_reason(order, event, temu_code, kwargs.get("lines", ()))
    entry = HistoryEntry(
        at=ctx.at,
        from_state=before.value,
        to_state=order.state.value,
        event=event,
        source=ctx.source.value,
        accepted=accepted,
        temu_code=temu_code,
        run_id=ctx.run_id,
        reason=reason if not accepted else kwargs.get("note"),
        conflict=not accepted and is_conflict(order, event, temu_code),
    )
    order.new_history.append(entry)
    return entry


def is_conflict(order: Order, event: str, temu_code: int | None) -> bool:
    if order.state not in LOCKED_STATES:
        return False
    if event == "temu_status_seen" and order.state is S.SHIPPED and order.has_open_confirmations():
        return target_state(temu_code or 0) is not S.AWAITING_SHIPMENT
    return event != "label_voided"


def refusal_reason(
    order: Order, event: str, temu_code: int | None, lines: tuple[LabelLine, ...]
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
        return "label voided after its confirmation was sent to Temu: correct it in Temu"
    return f"{event} is not allowed from {state}"


def mermaid_diagram() -> str:
    """The machine drawn from TRANSITIONS itself (mermaid stateDiagram-v2)."""
    lines = ["stateDiagram-v2", f"    [*] --> {S.NEW.value}"]
    seen: set[tuple[str, str, str]] = set()
    for spec in TRANSITIONS:
        sources = spec["source"] if isinstance(spec["source"], list) else [spec["source"]]
        for source in sources:
            dest = spec["dest"] or source
            guard = _guard_text(spec)
            label = f"{spec['trigger']}{f' [{guard}]' if guard else ''}"
            key = (source.value, dest.value, label)
            if key not in seen:
                seen.add(key)
                lines.append(f"    {source.value} --> {dest.value}: {label}")
    return "\n".join(lines)


def _guard_text(spec: dict[str, Any]) -> str:
    def names(value: Any) -> list[str]:
        return [value] if isinstance(value, str) else list(value or [])

    return " and ".join(
        [*names(spec.get("conditions")), *(f"not {n}" for n in names(spec.get("unless")))]
    )
