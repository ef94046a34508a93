"""The Prefect server `temuship serve` starts when PREFECT_API_URL names none: a real
`prefect server start` (API and UI) on 127.0.0.1, its output appended to `prefect-server.log`
(0600) in temuship's data directory, in a process group of its own so that stopping it stops
everything it started, and only ever the one serve started."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from domain.errors import TemushipError
from flows.serve.processes import group_alive, port_free, stop_group

HOST = "127.0.0.1"
DEFAULT_PORT = 4200
LOG_NAME = "prefect-server.log"
PORT_ENV = "PREFECT_SERVER_API_PORT"
START_TIMEOUT_ENV = "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"


class PrefectServerProblem(TemushipError):
    """The Prefect server could not be started or stopped answering: the message says why and
    what to do."""


def server_port() -> int:
    raw = os.environ.get(PORT_ENV, "").strip()
    if not raw:
        return DEFAULT_PORT
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise PrefectServerProblem(f"{PORT_ENV}={raw!r} is not a port number (1-65535)")
    return int(raw)


def start_timeout() -> float:
    try:
        return max(10.0, float(os.environ.get(START_TIMEOUT_ENV, "120")))
    except ValueError:
        return 120.0


def log_path() -> Path:
    from adapters.db.location import data_dir, private_file

    return private_file(data_dir() / LOG_NAME)


def healthy(api_url: str, timeout: float = 5.0) -> bool:
    try:
        return httpx.get(f"{api_url}/health", timeout=timeout).status_code == 200
    except httpx.HTTPError:
        return False


@dataclass
class PrefectServer:
    """One `prefect server start` child; `start()` returns once /api/health answers."""

    port: int
    log: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def api_url(self) -> str:
        return f"http://{HOST}:{self.port}/api"

    @property
    def ui_url(self) -> str:
        return f"http://{HOST}:{self.port}/"

    def check_port(self) -> None:
        if not port_free(HOST, self.port):
            raise PrefectServerProblem(
                f"port {self.port} on {HOST} is busy, so temuship cannot start its Prefect "
                f"server there. If a Prefect server runs there, use it: PREFECT_API_URL="
                f"http://{HOST}:{self.port}/api temuship serve; else free the port or set "
                f"{PORT_ENV} to another"
            )

    def start(self) -> None:
        self.check_port()
        env = dict(os.environ)
        env.pop("PREFECT_API_URL", None)
        env |= {"PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1",
                "PREFECT_UI_API_URL": self.api_url}  # fmt: skip
        command = [sys.executable, "-m", "prefect", "server", "start", "--host", HOST,
                   "--port", str(self.port), "--analytics-off"]  # fmt: skip
        with open(self.log, "ab") as sink:
            sink.write(f"\n--- temuship serve: {' '.join(command[1:])}\n".encode())
            sink.flush()
            self.process = subprocess.Popen(
                command, env=env, stdin=subprocess.DEVNULL, stdout=sink,
                stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        self._wait_healthy(start_timeout())

    def _wait_healthy(self, within_s: float) -> None:
        deadline = time.monotonic() + within_s
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                code = self.process.returncode
                self.stop()
                raise PrefectServerProblem(
                    f"the Prefect server exited (code {code}) before it answered; its output "
                    f"is in {self.log}. A busy port or a Prefect database in use by another "
                    "server are the usual causes"
                )
            if healthy(self.api_url, timeout=2.0):
                return
            time.sleep(0.5)
        self.stop()
        raise PrefectServerProblem(
            f"the Prefect server did not answer at {self.api_url}/health within {within_s:.0f} s "
            f"(its output: {self.log}); on a busy machine raise {START_TIMEOUT_ENV}, or start "
            "`prefect server start` yourself and set PREFECT_API_URL"
        )

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, within_s: float = 10.0) -> None:
        """SIGTERM its process group (the CLI and the uvicorn it runs), SIGKILL what is left
        after `within_s`."""
        if self.process is None:
            return
        stop_group(self.process.pid, grace_s=within_s)
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)

    def gone(self) -> bool:
        return self.process is None or not group_alive(self.process.pid)
