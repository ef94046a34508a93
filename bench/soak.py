"""The chaos rounds of tests/chaos, for longer: more rounds, more orders, any seed.

Each round changes the shop in the simulated Temu and ShipStation (status changes, ship-tos
arriving, labels full, partial and in several packages, voids, a token expiry then
`temuship reauthorize`) under the sandbox's faults, running `temuship sync` processes that are
SIGKILLed at random moments; a final sync runs with every fault off, then the invariants are
checked. It prints each invariant, the faults survived by kind, the kills and exit codes, and
exits 1 when an invariant broke (the seed repeats the run).

    python bench/soak.py [--seed 7] [--rounds 12] [--orders 120] [--api v2] [--log]

`--api v2`: the shop speaks ShipStation V2, under V2's faults (tests/chaos/engine.py).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# As tests/conftest.py: Prefect reads its settings at import, so they go first.
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="temuship-soak-prefect-"))
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.pop("PREFECT_API_URL", None)
os.environ.setdefault("TEMUSHIP_SECRET_KEY", "soak-secret-key-not-for-production")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("--orders", type=int, default=120)
    parser.add_argument("--api", choices=["v1", "v2"], default="v1", help="ShipStation API")
    parser.add_argument("--log", action="store_true", help="print what each round did")
    args = parser.parse_args()

    from prefect.settings import (
        PREFECT_API_URL,
        PREFECT_FLOWS_HEARTBEAT_FREQUENCY,
        temporary_settings,
    )
    from prefect.testing.utilities import prefect_test_harness

    from tests.chaos.engine import run_chaos

    with (
        tempfile.TemporaryDirectory(prefix="temuship-soak-") as workdir,
        temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}),
        prefect_test_harness(server_startup_timeout=120),
    ):
        os.environ.setdefault("TEMUSHIP_HOME", str(Path(workdir) / "home"))
        url = str(PREFECT_API_URL.value())
        report = run_chaos(args.seed, args.orders, args.rounds, Path(workdir), url, args.api)
    print(report.render(verbose=args.log))
    print("invariants: " + ("all kept" if not report.violations else "BROKEN"))
    return 1 if report.violations else 0


if __name__ == "__main__":
    sys.exit(main())
