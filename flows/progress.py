"""A sync run's progress artifact (`sync-progress-<shop>`), moved on after Temu's pages (at
most every `PAGES_EVERY` seconds) and after every later step."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, cast

from prefect import get_run_logger
from prefect.artifacts import create_progress_artifact, update_progress_artifact

from domain.ports import Services
from domain.sync import Step, StepCall, StepResult, Stream, SyncRequest
from domain.sync.steps import streams
from flows.ui_links import artifact_key
from flows.wording import plural

# Each move is a call to the Prefect server in the sync's own thread: beside 100 shops it took
# 130-1,040 ms a page (median about 300), while the app key waited for the sync's next page.
PAGES_EVERY = 10.0


class Progress:
    """Temu's reading takes 0-70 %: each stream of `steps.streams` an equal share, an
    update-time span by how far its windows have got, a window by its pages (Temu's total);
    then ShipStation 80 %, labels 90 %, confirmations 100 %."""

    TEMU_SHARE, PAGE = 70.0, 100
    AFTER = {Step.PUSH: (80.0, "orders sent to ShipStation"),
             Step.READ_LABELS: (90.0, "ShipStation labels read"),
             Step.CONFIRM: (100.0, "confirmations sent to Temu")}  # fmt: skip

    def __init__(
        self,
        services: Services,
        request: SyncRequest,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.services, self.request, self.clock = services, request, clock
        self.artifact_id = cast(Any, None)
        self.streams: list[Stream] | None = None
        self.orders = 0
        self.shown_at: float | None = None

    def moved(self, call: StepCall, result: StepResult) -> None:
        """A step ended: show how far the run has got (a display: never fails the sync)."""
        try:
            self._moved(call, result)
        except Exception as err:
            get_run_logger().debug("progress not updated: %s", err)

    def _moved(self, call: StepCall, result: StepResult) -> None:
        if call.step is Step.IMPORT_PAGE and call.stream is not None:
            stream, page = call.stream, call.page or 1
            self.orders += len(result.read)  # readings: an order read twice counts twice
            if self.shown_at is not None and self.clock() - self.shown_at < PAGES_EVERY:
                return
            pages = -(-result.total // self.PAGE) if result.total else page
            within = 1.0 if not result.more else min(1.0, page / max(pages, 1))
            self._show(self.TEMU_SHARE * self._share(stream, within),
                       f"Temu: {stream}, page {page} of {max(pages, page)}; "
                       f"{plural(self.orders, 'order')} read so far")  # fmt: skip
        elif call.step in self.AFTER:
            percent, words = self.AFTER[call.step]
            self._show(percent, f"{words}; {plural(self.orders, 'Temu order')} read")

    def _share(self, stream: Stream, within: float) -> float:
        """How much of Temu's reading is done once `within` of this stream's pages are read."""
        if self.streams is None:  # what the run walks (a DB read)
            self.streams = streams(self.services, self.request)
        total = max(1, len(self.streams))
        for index, planned in enumerate(self.streams):
            if planned == stream:
                return (index + within) / total
            span, window = planned.window, stream.window
            if span and window and span.start <= window.start < span.end:
                length = (span.end - span.start).total_seconds() or 1.0
                done = (window.start - span.start).total_seconds()
                done += (window.end - window.start).total_seconds() * within
                return (index + min(1.0, done / length)) / total
        return 1.0  # a stream read after the planned ones (held orders)

    def _show(self, percent: float, words: str) -> None:
        self.shown_at = self.clock()
        percent = round(min(100.0, max(0.0, percent)), 1)
        description = f"sync of {self.request.shop_id}: {words}"
        if self.artifact_id is None:
            key = artifact_key("sync-progress", self.request.shop_id)
            self.artifact_id = create_progress_artifact(percent, key=key, description=description)
        else:
            update_progress_artifact(self.artifact_id, percent, description=description)
