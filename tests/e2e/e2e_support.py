"""Processes the end-to-end run starts (each stopped by its PID), waiting, and failing clearly."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[2]


def environment(
    work: Path,
    api_url: str,
    database_url: str | None = None,
    secret_key: str = "e2e-only-secret-key",
) -> dict[str, str]:
    """The environment of every process a run starts: this run's Prefect server and homes, the
    temuship database (a SQLite file in `work` unless named), none of the caller's PREFECT_* or
    TEMUSHIP_* settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "TEMUSHIP_"))}
    return env | {
        "PREFECT_HOME": str(work / "prefect-home"),
        "PREFECT_API_URL": api_url,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_WORKER_QUERY_SECONDS": "2",
        "PREFECT_LOGGING_LEVEL": "INFO",
        "TEMUSHIP_DATABASE_URL": database_url or f"sqlite:///{work / 'temuship.db'}",
        "TEMUSHIP_HOME": str(work / "temuship-home"),
        "TEMUSHIP_SECRET_KEY": secret_key,
        "PWD": str(ROOT),  # prefect.yaml's pull step: `{{ $PWD }}` at deploy time
        "COLUMNS": "200",
    }


class E2EFailure(AssertionError):
    """A step of the end-to-end run did not do what it should."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(what: str, probe: Callable[[], T | None], timeout: float, every: float = 1.0) -> T:
    """Call `probe` until it returns something other than None or False; fail after `timeout`."""
    deadline, last_error = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        try:
            found = probe()
            if found is not None and found is not False:
                return found
        except Exception as error:  # a server still starting answers with errors
            last_error = error
        time.sleep(every)
    raise E2EFailure(
        f"timed out after {timeout:.0f} s waiting for {what} (last error: {last_error})"
    )


def check(condition: bool, message: str) -> None:
    if not condition:
        raise E2EFailure(message)


class Processes:
    """Long-running children, each in its own session, logged to a file, stopped by PID."""

    def __init__(self, log_dir: Path, env: dict[str, str]) -> None:
        self.log_dir, self.env = log_dir, env
        self.started: list[tuple[str, subprocess.Popen[bytes]]] = []

    def start(self, name: str, args: Sequence[str], cwd: Path | None = None) -> Any:
        log = (self.log_dir / f"{name}.log").open("wb")
        process = subprocess.Popen(
            list(args), cwd=cwd, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        self.started.append((name, process))
        say(f"started {name} (pid {process.pid})")
        return process

    def run(self, name: str, args: Sequence[str], cwd: Path | None = None, timeout: float = 180):
        """A short command; its output is returned, and printed when it fails."""
        done = subprocess.run(
            list(args), cwd=cwd, env=self.env, capture_output=True, text=True, timeout=timeout
        )
        if done.returncode != 0:
            raise E2EFailure(f"{name} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def alive(self, name: str) -> bool:
        return any(n == name and p.poll() is None for n, p in self.started)

    def stop_all(self) -> None:
        """SIGTERM each child's process group (its PID: it leads its session), then SIGKILL."""
        for name, process in reversed(self.started):
            _signal(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                _signal(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
            _signal(process.pid, signal.SIGKILL)  # whatever of its group is left (flow runs)
            say(f"stopped {name} (pid {process.pid}, exit {process.returncode})")

    def print_logs(self, lines: int = 60) -> None:
        for name, _ in self.started:
            path = self.log_dir / f"{name}.log"
            tail = path.read_text(errors="replace").splitlines()[-lines:] if path.exists() else []
            print(f"\n----- last {len(tail)} lines of {name}.log -----", flush=True)
            print("\n".join(tail), flush=True)


def _signal(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


def say(text: str, started: list[float] = [time.monotonic()]) -> None:  # noqa: B006
    print(f"[e2e {time.monotonic() - started[0]:6.1f}s] {text}", flush=True)
