"""The processes of a shared-budget test (budget_worker.py): started, ready, let go, collected."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
WORKER = Path(__file__).with_name("budget_worker.py")
Worker = subprocess.Popen[str]


def start(command: list[str]) -> Worker:
    """A worker, once it says it is ready (its budget and client made)."""
    worker = subprocess.Popen(
        [sys.executable, str(WORKER), *command],
        cwd=ROOT,
        text=True,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert worker.stdout is not None and worker.stderr is not None
    line = worker.stdout.readline()
    if line.strip() != "ready":
        worker.kill()
        raise AssertionError(f"worker did not start: {line}{worker.stderr.read()}")
    return worker


def go(worker: Worker) -> None:
    assert worker.stdin is not None
    worker.stdin.write("go\n")
    worker.stdin.flush()


def collect(workers: list[Worker]) -> list[dict[str, object]]:
    """Each worker's figures (its last line), once it ended; a failed worker fails the test."""
    try:
        results = []
        for worker in workers:
            out, err = worker.communicate(timeout=120)
            assert worker.returncode == 0, err[-3000:]
            results.append(json.loads(out.strip().splitlines()[-1]))
        return results
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()


def run_together(*commands: list[str]) -> list[dict[str, object]]:
    """Start every worker, wait until all are ready, let them go at once, collect figures."""
    workers: list[Worker] = []
    try:
        workers.extend(start(command) for command in commands)
    except AssertionError:
        for worker in workers:
            worker.kill()
        raise
    for worker in workers:
        go(worker)
    return collect(workers)


def wait_until(condition: Callable[[], bool], worker: Worker, seconds: float = 60) -> None:
    """Until the condition holds (a worker's progress, as the sandbox sees it)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if worker.poll() is not None or time.monotonic() > deadline:
            raise AssertionError("the worker ended or stalled before the condition held")
        time.sleep(0.005)
