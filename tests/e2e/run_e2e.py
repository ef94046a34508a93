"""End to end, as it runs for real: `prefect server start`, `prefect deploy --all` from
prefect.yaml, a process worker, and the sandbox (simulated Temu and ShipStation) in its own
process. Sync, expire the token, see the trigger start the re-authorisation deployment, refuse
a wrong token, resume with a new one, check the catch-up. Every process started here is stopped
by its PID at the end, pass or fail.

    .venv/bin/python tests/e2e/run_e2e.py        (called by .ci/run; not collected by pytest)
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import traceback
from pathlib import Path

from e2e_support import E2EFailure, Processes, free_port, say

ROOT = Path(__file__).resolve().parents[2]


def environment(work: Path, api_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "TEMUSHIP_"))}
    return env | {
        "PREFECT_HOME": str(work / "prefect-home"),
        "PREFECT_API_URL": api_url,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_WORKER_QUERY_SECONDS": "2",
        "PREFECT_LOGGING_LEVEL": "INFO",
        "TEMUSHIP_DATABASE_URL": f"sqlite:///{work / 'temuship.db'}",
        "TEMUSHIP_HOME": str(work / "temuship-home"),
        "TEMUSHIP_SECRET_KEY": "e2e-only-secret-key",
        "PWD": str(ROOT),  # prefect.yaml's pull step: `{{ $PWD }}` at deploy time
        "COLUMNS": "200",
    }


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="temuship-e2e-"))
    api_url = f"http://127.0.0.1:{free_port()}/api"
    os.environ.update(environment(work, api_url))  # before prefect is imported
    processes = Processes(work, environment(work, api_url))
    try:
        from scenario import Scenario

        Scenario(processes, api_url, ROOT).run()
        say("PASSED")
        return 0
    except Exception as error:
        if not isinstance(error, E2EFailure):
            traceback.print_exc()
        print(f"\nE2E FAILED: {error}", file=sys.stderr, flush=True)
        processes.print_logs()
        return 1
    finally:
        processes.stop_all()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
