"""Prefect for the commands that run flows (and only those): its API answering before the first
flow, its temporary server started at most twice, that server's own output (start-up, and the
tracebacks of its services cancelled at shutdown) kept in a log file, not on the terminal."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from adapters.db.location import PRIVATE_FILE
from flows.cli.boundary import (
    EPHEMERAL_TIMEOUT,
    PrefectUnavailable,
    debug_enabled,
    ephemeral_timeout_text,
    prefect_log,
)

RETRY_PAUSE_S = 2.0


def ensure_prefect_api() -> None:
    """Prefect's API answers: PREFECT_API_URL's server, else a temporary one started now.

    Each is given a second chance (the machine may just be busy); then PrefectUnavailable says
    what happened and what to do.
    """
    from prefect.settings import PREFECT_API_URL

    quiet_run_logs()
    url = PREFECT_API_URL.value()
    if url:
        _check_api(url)
    else:
        start_temporary_server()


def _check_api(url: str) -> None:
    from prefect.client.orchestration import get_client

    problem: Exception | None = None
    for attempt in (1, 2):
        with get_client(sync_client=True) as client:
            problem = client.api_healthcheck()
        if problem is None:
            return
        if attempt == 1:
            time.sleep(RETRY_PAUSE_S)
    raise PrefectUnavailable(
        f"Prefect's API at {url} (PREFECT_API_URL) did not answer ({_said(problem)}): "
        "start it with `prefect server start` in another terminal, or unset PREFECT_API_URL "
        "to let temuship start a temporary one"
    )


def _said(problem: Exception | None) -> str:
    text = " ".join(str(problem).split())[:160]
    return f"{type(problem).__name__}: {text}" if text else type(problem).__name__


def start_temporary_server() -> None:
    """Start Prefect's temporary server now, as Prefect would on the first flow, once more if
    it times out: a server still starting gets a second window, one that died a new start."""
    from prefect.server.api.server import SubprocessASGIServer
    from prefect.settings import PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS as TIMEOUT

    server = SubprocessASGIServer()
    if server.running:
        return
    log = _fresh_log()
    _output_into(server, log)
    try:
        server.start()
        return
    except RuntimeError as first:
        if EPHEMERAL_TIMEOUT not in str(first):
            raise
    process = server.server_process
    if process is not None and process.poll() is None:
        if _healthy(server.api_url, float(TIMEOUT.value()), process):
            server.running = True  # Prefect's get_client() now uses it as started
            return
    else:
        server.stop()
        server = SubprocessASGIServer()
        _output_into(server, log)
        try:
            server.start()
            return
        except RuntimeError as second:
            if EPHEMERAL_TIMEOUT not in str(second):
                raise
    server.stop()
    raise PrefectUnavailable(ephemeral_timeout_text(log))


def _healthy(api_url: str, within_s: float, process: subprocess.Popen[Any]) -> bool:
    import httpx

    deadline = time.monotonic() + within_s
    with httpx.Client(timeout=5.0) as client:
        while time.monotonic() < deadline and process.poll() is None:
            try:
                if client.get(f"{api_url}/health").status_code == 200:
                    return True
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
    return False


def _fresh_log() -> Path | None:
    """Prefect's log file, emptied (it holds this run's output only), owner-only (0600)."""
    log = prefect_log()
    if log is None:
        return None
    try:
        fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
        try:
            os.fchmod(fd, PRIVATE_FILE)
        finally:
            os.close(fd)
    except OSError:
        return None
    return log


class _RunOutcomes(logging.Filter):
    """On the terminal, Prefect's console handler leaves out what the command says itself:
    the flow and task runs' own logs (the command prints each shop's outcome, its reasons and
    what needs a person), the API clients' notes on retries, and any record carrying a
    traceback. The Prefect server still gets every run log; --debug shows them all."""

    SAID_BY_THE_COMMAND = ("prefect.flow_runs", "prefect.task_runs", "adapters.")

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info is not None and record.name.startswith("prefect"):
            return False
        return not record.name.startswith(self.SAID_BY_THE_COMMAND)


class _NoTraceback(logging.Filter):
    """Prefect's own warnings on the terminal in one line each (a server restarting under
    `temuship serve` makes its clients log their lost connections with tracebacks); --debug
    keeps the tracebacks."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info is not None and record.name.startswith("prefect"):
            record.exc_info, record.exc_text = None, None
        return True


def one_line_prefect_logs() -> None:
    """Add _NoTraceback to Prefect's console handlers (not with --debug); once."""
    _filter_console(_NoTraceback)


def quiet_run_logs() -> None:
    """Add _RunOutcomes to Prefect's console handlers (not with --debug); once."""
    _filter_console(_RunOutcomes)


def _filter_console(kind: type[logging.Filter]) -> None:
    """Add a `kind` filter to each of Prefect's console handlers that has none, unless --debug.
    Prefect's logging is configured first (importing prefect.main does it), or it would
    replace the handlers later, filter and all."""
    import prefect.main  # noqa: F401
    from prefect.logging.handlers import PrefectConsoleHandler

    if debug_enabled():
        return
    for logger in (logging.getLogger(), logging.getLogger("prefect")):
        for handler in logger.handlers:
            wanted = isinstance(handler, PrefectConsoleHandler)
            if wanted and not any(isinstance(f, kind) for f in handler.filters):
                handler.addFilter(kind())


class _PopenInto:
    """`subprocess` as Prefect's server module sees it while it starts its server: the same,
    but the child's stdout and stderr go to the log file."""

    def __init__(self, log: Path | None) -> None:
        self._log = log

    def __getattr__(self, name: str) -> Any:
        return getattr(subprocess, name)

    def Popen(self, *args: Any, **kwargs: Any) -> subprocess.Popen[Any]:
        if self._log is None:
            sink: Any = subprocess.DEVNULL
        else:
            sink = open(self._log, "ab")  # noqa: SIM115 (the child keeps it; we close ours)
        try:
            kwargs.setdefault("stdout", sink)
            kwargs.setdefault("stderr", subprocess.STDOUT)
            return subprocess.Popen(*args, **kwargs)
        finally:
            if sink is not subprocess.DEVNULL:
                sink.close()


def _output_into(server: Any, log: Path | None) -> None:
    """Run this server instance's `_run_uvicorn_command` with its output sent to the log."""
    if getattr(server, "_temuship_quiet", False):
        return
    module = sys.modules[type(server).__module__]
    start_process = server._run_uvicorn_command

    def run_logged() -> subprocess.Popen[Any]:
        real = module.subprocess
        module.subprocess = _PopenInto(log)  # type: ignore[attr-defined]
        try:
            return start_process()
        finally:
            module.subprocess = real  # type: ignore[attr-defined]

    server._run_uvicorn_command = run_logged
    server._temuship_quiet = True
