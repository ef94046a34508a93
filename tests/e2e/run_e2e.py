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

from e2e_support import ROOT, E2EFailure, Processes, environment, free_port, say


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
