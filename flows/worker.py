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

takes what `prefect worker start` takes."""

from __future__ import annotations

import gc
import sys
import threading
import time

COLLECT_EVERY_S = 30.0


def _collect_forever(every_s: float) -> None:
    while True:
        time.sleep(every_s)
        gc.collect()


def main() -> None:
    import prefect.workers.process  # noqa: F401  what the worker imports, frozen with the rest
    from prefect.cli import app

    gc.collect()
    gc.freeze()
    collector = threading.Thread(
        target=_collect_forever, args=(COLLECT_EVERY_S,), name="temuship-gc", daemon=True
    )
    collector.start()
    sys.argv = ["prefect", "worker", "start", *sys.argv[1:]]
    app()


if __name__ == "__main__":
    main()
