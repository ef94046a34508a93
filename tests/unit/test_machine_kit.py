"""The shared way to fire an event: one history entry per event, accepted or refused."""

from dataclasses import dataclass, field
from enum import StrEnum

from transitions import Machine

from domain.history import HistoryEntry
from domain.machine_kit import MachineView, Refusal, fire_on
from tests.builders import ctx


class Light(StrEnum):
    OFF = "off"
    ON = "on"


MACHINE = Machine(
    model=None,
    states=Light,
    transitions=[
        {"trigger": "switch_on", "source": Light.OFF, "dest": Light.ON, "conditions": "powered"}
    ],
    initial=Light.OFF,
    auto_transitions=False,
    send_event=True,
)


@dataclass(eq=False)
class Lamp:
    state: Light = Light.OFF
    powered: bool = True
    new_history: list[HistoryEntry] = field(default_factory=list)


class View(MachineView[Lamp]):
    def powered(self, event) -> bool:
        return self.model.powered


class TestFire:
    def test_an_accepted_event_moves_the_model_and_keeps_the_note(self):
        lamp = Lamp()
        entry = fire_on(MACHINE, View(lamp), "switch_on", ctx(run="r1"), note="by hand")
        assert lamp.state is Light.ON and lamp.new_history == [entry]
        assert (entry.from_state, entry.to_state, entry.accepted) == ("off", "on", True)
        assert (entry.reason, entry.run_id, entry.conflict) == ("by hand", "r1", False)

    def test_a_false_guard_is_a_refusal_with_the_default_reason(self):
        lamp = Lamp(powered=False)
        entry = fire_on(MACHINE, View(lamp), "switch_on", ctx(), note="by hand")
        assert lamp.state is Light.OFF and not entry.accepted
        assert entry.reason == "switch_on is not allowed from off"

    def test_no_transition_from_the_state_is_a_refusal_not_an_error(self):
        lamp = Lamp(state=Light.ON)
        entry = fire_on(MACHINE, View(lamp), "switch_on", ctx())
        assert not entry.accepted and entry.from_state == entry.to_state == "on"

    def test_the_caller_explains_its_refusals(self):
        def refuse(event: str, state: StrEnum) -> Refusal:
            return Refusal(f"{event} refused in {state.value}", conflict=True)

        entry = fire_on(MACHINE, View(Lamp(state=Light.ON)), "switch_on", ctx(), refuse=refuse)
        assert (entry.reason, entry.conflict) == ("switch_on refused in on", True)
