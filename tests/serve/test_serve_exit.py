"""serve's process ends soon after it stopped, whatever Python's exit hooks wait for
(flows/serve/processes.py `exit_within`)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import atexit, sys, time
    from flows.serve.processes import exit_within
    if sys.argv[1] == "hangs":
        atexit.register(time.sleep, 60)  # as Prefect's last logs to a server that is gone
    exit_within(0.5, 3, lambda line: print(line, flush=True))
    sys.exit(0)
    """
)


def run(mode: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", SCRIPT, mode], capture_output=True, text=True, timeout=30
    )


def test_an_exit_hook_that_hangs_is_cut_short_with_the_code_and_a_line() -> None:
    done = run("hangs")
    assert done.returncode == 3
    assert done.stdout.strip() == (
        "Python's exit hooks did not end within 0.5 s: exiting without them"
    )


def test_an_exit_that_ends_in_time_keeps_its_own_code_and_says_nothing() -> None:
    done = run("ends")
    assert done.returncode == 0
    assert done.stdout == ""
