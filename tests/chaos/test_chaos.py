"""Our own fault suite: rounds of Temu and ShipStation changes under the sandbox's faults, with
`temuship sync` processes SIGKILLed at random moments, then the invariants after a final clean
sync (tests/chaos/engine.py says what runs and what is checked). Each seed is one repeatable
run; `python bench/soak.py --seed N --rounds R --orders O` runs the same for longer."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.chaos.engine import run_chaos

ORDERS, ROUNDS = 40, 4


@pytest.mark.slow
@pytest.mark.timeout(420)  # a hang guard (each process has its own): ~100 s a seed here
@pytest.mark.parametrize("seed", [68, 130, 301])  # together: every fate (plan_rounds)
def test_no_fault_or_kill_breaks_an_invariant(
    seed: int, tmp_path: Path, prefect_api_url: str
) -> None:
    report = run_chaos(seed, ORDERS, ROUNDS, tmp_path, prefect_api_url)
    print(report.render(verbose=True))
    assert not report.violations, report.render()
