"""`prefect worker start`, in this process, with a full garbage collection every 30 seconds, so
the worker's memory stays flat.

Each flow run leaves the worker garbage in reference cycles: the run's two Prefect clients and
their TLS contexts, two websockets with their zlib streams, the cancellation observer, ...,
about 1.7 MB, most of it OpenSSL's and zlib's, outside Python's own heap. Only a full
collection frees such cycles once they are old, and Python runs one only when the objects
that aged since the last outnumber a quarter of the old ones: a worker holds some 130,000
(Prefect's modules and models), so it went tens of runs between full collections and its RSS
rose from 92 MB to 155-173 MB in 200 runs (flat at about 120 MB with this). Freezing the
start-up objects (`gc.freeze`) keeps them out of every collection, so each one takes
milliseconds; on its own it did not collect often enough (155 MB).

    python -m flows.worker --pool temuship --name "$(hostname)" --limit 4

takes what `prefect worker start` takes. `temuship serve` runs the same collector beside its
runner, which starts each flow run the same way.

It also starts each flow run as one process, `python -m prefect.engine`, where Prefect's process
worker starts two when the pool names no command: a workspace supervisor, which imports Prefect,
reads the deployment and runs its pull steps, then execs the engine, which does all of that again
(`prefect/runner/_workspace_supervisor.py`). That start-up is most of a one-shop run's CPU: in a
20-shop run on one app key (bench/scale.py), 70% of the flow runs' samples were imports. The
engine alone runs the pull steps too (`load_flow_from_flow_run`), as every process worker did
before the supervisor. A command set in the pool or the deployment is left as it is."""

from __future__ import annotations

import functools
import gc
import sys
import threading
import time
from typing import Any

COLLECT_EVERY_S = 30.0
COLLECTOR = "temuship-gc"
# How long a thread holding the GIL keeps it while another waits (Python's default: 5 ms).
SWITCH_INTERVAL_S = 0.001


def freeze_start_up() -> None:
    """Keep what this process holds now out of every later collection, unless some of it is
    kept out already, and let a thread whose request slot comes take the GIL within 1 ms: the
    process's services call it when they are built (flows/wiring.py `current`).

    A flow run's process holds some 320,000 objects once Prefect, SQLAlchemy and ours are
    loaded, and Python's full collections scanned them all: 100-210 ms each, several in a
    sync, in which no thread sends a request. The requests due meanwhile then left together,
    21 inside one second of Temu's count: a refusal (4000004) in 2 of 4 first syncs of one
    shop (bench/shared_budget.py --shops 1 --orders 800), 0 of 7 with this.

    The switch interval: a slot reached more than 10 ms late is given up (adapters/db/
    temu_budget.py LATE). Traced in a 100-shop run (bench/scale.py), a backlog's threads
    reached 6.6% of their slots too late, and 24% of those due while the run's main thread
    saved a page (Python code that keeps the GIL 5 ms at a time); with 1 ms the time lost in
    gaps between Temu's answers went from 10.6-11.6% to 8.7-9.1% of the import."""
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    if not gc.get_freeze_count():
        gc.collect(1)  # the young garbage, not frozen with the rest (a few milliseconds)
        gc.freeze()


def keep_memory_flat(every_s: float = COLLECT_EVERY_S) -> None:
    """Freeze what this process holds now out of every later collection, and collect the rest
    fully every `every_s` seconds, in a daemon thread (once per process). A process that starts
    Prefect's flow runs needs it: the worker here, `temuship serve`'s runner."""
    if any(thread.name == COLLECTOR for thread in threading.enumerate()):
        return
    gc.collect()
    gc.freeze()
    threading.Thread(target=_collect_forever, args=(every_s,), name=COLLECTOR, daemon=True).start()


def _collect_forever(every_s: float) -> None:
    while True:
        time.sleep(every_s)
        gc.collect()


def start_engine_directly() -> None:
    """Have the process worker start a flow run whose job names no command as
    `<this python> -m prefect.engine`, in one process (the module's docstring: why)."""
    from prefect.utilities.processutils import command_to_string
    from prefect.workers.process import ProcessJobConfiguration

    prepare = ProcessJobConfiguration.prepare_for_flow_run
    if getattr(prepare, "_temuship_direct", False):
        return

    @functools.wraps(prepare)
    def prepare_direct(self: ProcessJobConfiguration, *args: Any, **kwargs: Any) -> None:
        if self.command is None:
            self.command = command_to_string([sys.executable, "-m", "prefect.engine"])
        prepare(self, *args, **kwargs)

    prepare_direct._temuship_direct = True  # type: ignore[attr-defined]
    ProcessJobConfiguration.prepare_for_flow_run = prepare_direct  # type: ignore[method-assign]


def main() -> None:
    import prefect.workers.process  # noqa: F401  what the worker imports, frozen with the rest
    from prefect.cli import app

    start_engine_directly()
    keep_memory_flat()
    sys.argv = ["prefect", "worker", "start", *sys.argv[1:]]
    app()


if __name__ == "__main__":
    main()
