"""serve's process ends soon after it stopped, whatever Python's exit hooks wait for
(flows/serve/processes.py `exit_within`)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

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


class Runner:
    def alive(self) -> bool:
        return True


class Server:
    """The Prefect server serve started: counts what a restart would do to it."""

    def __init__(self) -> None:
        self.stops = self.starts = 0

    def alive(self) -> bool:
        return True

    def stop(self, within_s: float = 10.0) -> None:
        self.stops += 1

    def start(self) -> None:
        self.starts += 1
        raise AssertionError("the Prefect server was started again after the signal")


def test_a_signal_during_a_failed_health_check_stops_serve_without_a_restart(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A check that failed because the host is slow, with SIGTERM meanwhile: serve stops, and
    does not first start its Prefect server again (that can take a minute)."""
    import flows.serve.service as service

    serve = service.Serve(service.ServeOptions(), services=None, say=lambda line: None)  # type: ignore[arg-type]
    serve.parts.runner, serve.parts.server = Runner(), Server()
    serve.api_url = "http://127.0.0.1:9/api"

    def check(url: str, timeout: float) -> bool:
        serve._stop.set()  # the signal handler ran while the check waited
        return False

    monkeypatch.setattr(service, "HEALTH_EVERY_S", 0.0)
    monkeypatch.setattr(service, "healthy", check)
    assert serve._watch() == 0
    assert (serve.parts.server.stops, serve.parts.server.starts) == (0, 0)
