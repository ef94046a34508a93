"""The README's order machine: grouped, drawn from TRANSITIONS, every transition shown once."""

import re
from pathlib import Path

from domain.model import OrderState
from domain.order_machine import TRANSITIONS
from domain.status import STATUS_RULES
from flows.diagram import GROUP, TRIGGERS, block, mermaid_diagram, unchanged_table

EDGE = re.compile(r"^\s*(\S+) --> (\S+): (.*)$")
ROW = re.compile(r"^\| `(\w+)` \| ([\w, ]+) \|")


def drawn() -> tuple[set[tuple[str, ...]], set[str], set[str]]:
    """The diagram's edges, the states inside the group and the choice points, as drawn."""
    text = mermaid_diagram()
    edges = {m.groups() for line in text.splitlines() if (m := EDGE.match(line))}
    inside = text.split(f"state {GROUP} {{", 1)[1].split("}", 1)[0]
    words = {word for line in inside.splitlines() for word in line.split(":")[0].split()}
    choices = set(re.findall(r"state (\w+) <<choice>>", text))
    return edges, words - {"-->", "[*]"}, choices


def unchanged() -> set[tuple[str, str]]:
    rows = [ROW.match(line) for line in unchanged_table().splitlines()]
    return {(m[1], state) for m in rows if m for state in m[2].split(", ")}


def transitions() -> list[tuple[str, str, str]]:
    found = []
    for spec in TRANSITIONS:
        sources = spec["source"] if isinstance(spec["source"], list) else [spec["source"]]
        for source in sources:
            found.append((spec["trigger"], source.value, (spec["dest"] or source).value))
    return found


def is_shown(trigger: str, source: str, dest: str) -> bool:
    edges, members, choices = drawn()
    starts = {source} | ({GROUP} if source in members else set())
    if source == dest and (trigger, source) in unchanged():
        return True
    if trigger in choices and any((s, trigger) == (a, b) for s in starts for a, b, _ in edges):
        return any((a, b) == (trigger, dest) for a, b, _ in edges)
    return any(a in starts and b == dest and TRIGGERS[trigger] in t for a, b, t in edges)


class TestTheDiagram:
    def test_it_has_at_most_15_edges(self):
        assert mermaid_diagram().startswith("stateDiagram-v2")
        assert mermaid_diagram().count(" --> ") <= 15

    def test_every_transition_is_an_edge_or_a_row_of_the_no_change_table(self):
        missing = [t for t in transitions() if not is_shown(*t)]
        assert not missing

    def test_the_open_states_are_one_composite(self):
        _, members, _ = drawn()
        assert {"new", "missing_ship_to", "on_hold", "awaiting_shipment"} <= members
        assert not {"shipped", "cancelled"} & members

    def test_edges_carry_the_temu_codes_of_the_status_table(self):
        shipped = "/".join(str(r.code) for r in STATUS_RULES if r.target is OrderState.SHIPPED)
        assert any(t == f"Temu {shipped}" and b == "shipped" for _, b, t in drawn()[0])

    def test_labels_avoid_what_mermaid_cannot_read(self):
        assert not [t for _, _, t in drawn()[0] if set(t) & {":", ";", "#"}]

    def test_the_readme_shows_the_current_diagram_and_table(self):
        readme = Path(__file__).parents[2].joinpath("README.md").read_text()
        assert block() in readme
