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


def test_a_process_freezes_its_start_up_once_when_it_builds_its_services(tmp_path):
    # A flow run's process: its services built from its settings (flows/wiring.py `current`).
    frozen = json.loads(
        _python(
            "-c",
            "import gc, json, os, sys\n"
            f"os.environ['TEMUSHIP_DATABASE_URL'] = 'sqlite:///{tmp_path / 't.db'}'\n"
            "from flows import wiring\n"
            "from flows.worker import freeze_start_up\n"
            "before = gc.get_freeze_count(), sys.getswitchinterval()\n"
            "wiring.current()\n"
            "after = gc.get_freeze_count(), sys.getswitchinterval()\n"
            "junk = [[] for _ in range(1000)]\n"
            "wiring.current(); freeze_start_up()\n"
            "print(json.dumps([before, after, gc.get_freeze_count()]))\n",
        )
    )
    (before, switch_before), (after, switch), again = frozen
    assert before == 0
    assert after > 50_000  # SQLAlchemy's, Prefect's and our modules: out of every collection
    assert again == after  # later objects are collected as usual
    # A thread whose request slot comes waits at most 1 ms for the GIL (Python's default: 5).
    assert switch_before == 0.005 and switch == 0.001


def test_the_worker_starts_a_flow_run_as_one_engine_process_unless_told_otherwise():
    # Without a command Prefect's process worker starts a workspace supervisor that imports
    # Prefect and then execs the engine, which imports it again (flows/worker.py).
    commands = json.loads(
        _python(
            "-c",
            "import json, uuid\n"
            "from prefect.client.schemas.objects import FlowRun\n"
            "from prefect.workers.process import ProcessJobConfiguration\n"
            "from flows.worker import start_engine_directly\n"
            "start_engine_directly(); start_engine_directly()\n"
            "run = FlowRun(flow_id=uuid.uuid4(), name='r')\n"
            "out = []\n"
            "for command in (None, 'python -m mine'):\n"
            "    job = ProcessJobConfiguration(command=command)\n"
            "    job.prepare_for_flow_run(run)\n"
            "    out.append([job.command, job._command_configured])\n"
            "print(json.dumps(out))\n",
        )
    )
    assert commands == [
        [f"{sys.executable} -m prefect.engine", True],  # one process: no supervisor
        ["python -m mine", True],  # the pool's or the deployment's own command stands
    ]
