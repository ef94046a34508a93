"""`python -m flows.worker` is `prefect worker start` with a full garbage collection every 30 s
and its start-up objects frozen out of them (flows/worker.py: why the worker's memory grew)."""

from __future__ import annotations

import json
import subprocess
import sys

START_WITHOUT_WORKING = (
    "import gc, json, sys, threading\n"
    "import prefect.cli\n"
    "prefect.cli.app = lambda: print(json.dumps(\n"
    "    [gc.get_freeze_count(), sys.argv, [t.name for t in threading.enumerate()]]))\n"
    "sys.argv = ['flows.worker', '--pool', 'temuship', '--limit', '4']\n"
    "from flows.worker import main\n"
    "main()\n"
)


def _python(*args: str) -> str:
    done = subprocess.run([sys.executable, *args], capture_output=True, text=True, check=True)
    return done.stdout


def test_it_hands_its_arguments_to_prefect_worker_start():
    assert "Usage: prefect worker start" in _python("-m", "flows.worker", "--help")


def test_the_worker_starts_with_prefect_frozen_and_a_collector_running():
    frozen, argv, threads = json.loads(_python("-c", START_WITHOUT_WORKING))
    assert argv == ["prefect", "worker", "start", "--pool", "temuship", "--limit", "4"]
    assert frozen > 50_000  # Prefect's modules and models: skipped by every collection
    assert "temuship-gc" in threads


def test_serve_and_the_worker_start_one_collector_however_often_asked():
    threads = json.loads(
        _python(
            "-c",
            "import json, threading\n"
            "from flows.worker import keep_memory_flat\n"
            "keep_memory_flat(); keep_memory_flat()\n"
            "print(json.dumps([t.name for t in threading.enumerate()]))\n",
        )
    )
    assert threads.count("temuship-gc") == 1
