"""How an event is fired on a machine shared by many models, and written to their history.

One module-level `transitions.Machine(model=None)` per aggregate; each event is triggered on a
short-lived view of one model (`MachineView`), so no machine is built or bound per model.
Whatever happens, accepted or refused, one `HistoryEntry` is kept on the model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Generic, Protocol, TypeVar, cast

from transitions import Machine, MachineError

from domain.history import EventContext, HistoryEntry


class Recorded(Protocol):
    new_history: list[HistoryEntry]


M = TypeVar("M", bound=Recorded)


class MachineView(Generic[M]):
    """What a machine sees of one model during one event: the model's `state` attribute,
    proxied, and (in subclasses) the guards and callbacks the transitions name."""

    attribute = "state"

    def __init__(self, model: M) -> None:
        self.model = model

    @property
    def state(self) -> StrEnum:
        return cast(StrEnum, getattr(self.model, self.attribute))

    @state.setter
    def state(self, value: StrEnum) -> None:
        setattr(self.model, self.attribute, type(self.state)(value))


@dataclass(frozen=True, slots=True)
class Refusal:
    reason: str
    conflict: bool = False


def not_allowed(event: str, state: StrEnum) -> Refusal:
    return Refusal(f"{event} is not allowed from {state.value}")


def fire_on(
    machine: Machine,
    view: MachineView[M],
    event: str,
    ctx: EventContext,
    *,
    refuse: Callable[[str, StrEnum], Refusal] = not_allowed,
    note: str | None = None,
    temu_code: int | None = None,
    **kwargs: Any,
) -> HistoryEntry:
    """Trigger `event` on the view's model; keep (and return) its history entry.

    The callbacks get `at`, `temu_code` and `kwargs`. A refusal (no transition from this
    state, or every guard false) changes nothing; `refuse(event, state)` explains it.
    """
    before = view.state
    try:
        accepted = bool(
            machine.events[event].trigger(view, temu_code=temu_code, at=ctx.at, **kwargs)
        )
    except MachineError:
        accepted = False
    refusal = None if accepted else refuse(event, view.state)
    entry = HistoryEntry(
        at=ctx.at,
        from_state=before.value,
        to_state=view.state.value,
        event=event,
        source=ctx.source.value,
        accepted=accepted,
        temu_code=temu_code,
        run_id=ctx.run_id,
        reason=refusal.reason if refusal else note,
        conflict=refusal.conflict if refusal else False,
    )
    view.model.new_history.append(entry)
    return entry
