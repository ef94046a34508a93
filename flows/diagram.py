"""Draw the order machine from its definition: a grouped mermaid diagram for what moves an
order, a table for the events that change no state. Print them, or rewrite the README block."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from domain.order_machine import INITIAL, OPEN, TEMU_GUARDS, TRANSITIONS

START, END = "<!-- order-machine:start -->", "<!-- order-machine:end -->"
GROUP = "open"  # the composite state drawn around OPEN
TRIGGERS = {
    "temu_status_seen": "Temu status seen",
    "address_arrived": "address arrived",
    "label_created": "label",
    "label_voided": "label voided",
}
GUARDS = {  # name: (text when it holds, text when it does not)
    "has_ship_to": ("with ship-to", "no ship-to"),
    "label_ships_all_remaining_lines": ("all lines", "some lines"),
    "void_cancels_unsent_confirmation": ("its confirmation unsent", "its confirmation sent"),
}
IMPLIED = {"address_arrived": {"has_ship_to"}}  # guards the event's name already says
EFFECTS = {
    "queue_confirmation": "a confirmation is queued for the label's lines",
    "void_confirmation": "the unsent confirmation is dropped, its lines are open again",
}


@dataclass(frozen=True, slots=True)
class Edge:
    source: str
    dest: str
    label: str


@dataclass(frozen=True, slots=True)
class Unchanged:
    """An event accepted without a change of state."""

    trigger: str
    states: tuple[str, ...]
    when: str
    effect: str


def _names(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value or [])


def _guard_text(name: str, holds: bool) -> str:
    if name in TEMU_GUARDS:
        guard = TEMU_GUARDS[name]
        codes = [f"Temu {'/'.join(map(str, guard.codes))}"] if guard.codes else []
        text = " or ".join(codes + (["unknown Temu code"] if None in guard.targets else []))
        return text if holds else f"not {text}"
    plain = name.replace("_", " ")
    yes, no = GUARDS.get(name, (plain, f"not {plain}"))
    return yes if holds else no


def when(spec: dict[str, Any]) -> str:
    """The transition's guards in words, Temu codes read from the status table."""
    implied = IMPLIED.get(spec["trigger"], set())
    conditions = [(n, True) for n in _names(spec.get("conditions"))]
    unless = [(n, False) for n in _names(spec.get("unless"))]
    return ", ".join(_guard_text(n, holds) for n, holds in conditions + unless if n not in implied)


def _trigger_text(trigger: str) -> str:
    return TRIGGERS.get(trigger, trigger.replace("_", " "))


def _label(spec: dict[str, Any]) -> str:
    trigger, guards = _trigger_text(spec["trigger"]), when(spec)
    return f"{trigger} ({guards})" if guards else trigger


def _states(value: Any) -> list[str]:
    return [state.value for state in (value if isinstance(value, list) else [value])]


def layout() -> tuple[list[Edge], list[Unchanged]]:
    """The edges, with a Temu status seen in any open state drawn through one choice, and
    the events accepted without a change of state."""
    edges: dict[Edge, None] = {}  # ordered, without repeats
    unchanged: list[Unchanged] = []
    group = set(_states(OPEN))
    for spec in TRANSITIONS:
        trigger, sources = spec["trigger"], _states(spec["source"])
        dest = spec["dest"].value if spec["dest"] else None
        if dest is not None and set(sources) == group:
            edges[Edge(GROUP, trigger, _trigger_text(trigger))] = None
            edges[Edge(trigger, dest, when(spec) or "any code")] = None
            continue
        stays = [source for source in sources if dest in (None, source)]
        if stays:
            effects = [EFFECTS.get(name, name) for name in _names(spec.get("after"))]
            unchanged.append(
                Unchanged(trigger, tuple(stays), when(spec) or "always", "; ".join(effects))
            )
        for source in (s for s in sources if s not in stays):
            edges[Edge(source, str(dest), _label(spec))] = None
    return list(edges), unchanged


def _edge(edge: Edge, indent: int) -> str:
    return f"{' ' * indent}{edge.source} --> {edge.dest}: {edge.label}"


def mermaid_diagram() -> str:
    """The machine as a mermaid stateDiagram-v2, the open states grouped in one composite."""
    edges, _ = layout()
    group = _states(OPEN)
    initial = INITIAL.value
    inner = [e for e in edges if e.source in group and e.dest in group]
    lines = ["stateDiagram-v2", f"    [*] --> {GROUP if initial in group else initial}"]
    lines.append(f"    state {GROUP} {{")
    lines += [f"        [*] --> {initial}"] if initial in group else []
    lines += [f"        {state}" for state in group if state != initial]
    lines += [_edge(edge, 8) for edge in inner]
    lines.append("    }")
    lines += [f"    state {e.dest} <<choice>>" for e in edges if e.source == GROUP]
    lines += [_edge(edge, 4) for edge in edges if edge not in inner]
    return "\n".join(lines)


def unchanged_table() -> str:
    """The events accepted without a change of state, as a markdown table."""
    _, rows = layout()
    lines = ["| event | in | when | what happens |", "|---|---|---|---|"]
    for row in rows:
        effect = row.effect or "recorded in history, nothing else"
        lines.append(f"| `{row.trigger}` | {', '.join(row.states)} | {row.when} | {effect} |")
    return "\n".join(lines)


def block() -> str:
    return (
        f"{START}\n```mermaid\n{mermaid_diagram()}\n```\n\n"
        f"Accepted without a change of state:\n\n{unchanged_table()}\n{END}"
    )


def rewrite(readme: Path) -> bool:
    text = readme.read_text(encoding="utf-8")
    new = re.sub(re.escape(START) + r".*?" + re.escape(END), lambda _: block(), text, flags=re.S)
    if new != text:
        readme.write_text(new, encoding="utf-8")
    return new != text


if __name__ == "__main__":
    if len(sys.argv) > 1:
        print("README updated" if rewrite(Path(sys.argv[1])) else "README already current")
    else:
        print(block())
