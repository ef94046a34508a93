"""Prefect's runner in a thread of its own: serves the deployments (schedules, UI runs,
triggers) and starts each flow run as a subprocess with serve's environment. The main thread
keeps the signals; `stop()` cancels the runs in flight (Prefect marks them Cancelled: they can
be run again) and ends the polling."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from typing import Any

import uvicorn

RUNNER_NAME = "temuship-serve"


class RunnerThread:
    def __init__(self, deployments: list[Any]) -> None:
        from prefect.runner import Runner

        # pause_on_shutdown=False: a restart must not leave the schedules paused (PREFECT-NOTES
        # §12.15); the runner ignores work pools, so prefect.yaml's pool is not needed.
        self.runner = Runner(name=RUNNER_NAME, pause_on_shutdown=False)
        self.deployment_ids = [self.runner.add_deployment(d) for d in deployments]
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="prefect-runner", daemon=True)

    def _run(self) -> None:
        try:
            asyncio.run(self.runner.start())
        except BaseException as error:  # reported by `alive()`/`error`
            self.error = error

    def start(self, within_s: float = 60.0) -> RunnerThread:
        from flows.worker import keep_memory_flat

        keep_memory_flat()  # each run leaves the runner garbage in cycles (flows/worker.py)
        self._thread.start()
        deadline = time.monotonic() + within_s
        while not self.runner.started and time.monotonic() < deadline:
            if not self._thread.is_alive():
                raise RuntimeError(f"Prefect's runner stopped as it started: {self.error}")
            time.sleep(0.1)
        return self

    def alive(self) -> bool:
        return self._thread.is_alive()

    def stop(self, within_s: float) -> bool:
        """Stop polling and cancel the runs in flight; True if the thread ended in time."""
        if self._thread.is_alive() and self.runner.started:
            with contextlib.suppress(RuntimeError):  # its loop is closing already
                self.runner.execute_in_background(self.runner.astop)
        self._thread.join(within_s)
        return not self._thread.is_alive()


class HttpThread:
    """A uvicorn server for an ASGI app in a daemon thread (no access log: webhook paths hold
    secret tokens)."""

    def __init__(self, app: Any, host: str, port: int) -> None:
        config = uvicorn.Config(app, host=host, port=port, log_level="warning",
                                access_log=False, lifespan="off")  # fmt: skip
        self.server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self.server.run, name="receiver", daemon=True)

    def start(self, within_s: float = 15.0) -> HttpThread:
        self._thread.start()
        deadline = time.monotonic() + within_s
        while not self.server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the webhook receiver did not start")
            time.sleep(0.02)
        return self

    def stop(self, within_s: float = 5.0) -> bool:
        """True if it stopped within `within_s`."""
        self.server.should_exit = True
        self._thread.join(within_s)
        return not self._thread.is_alive()
