"""Reading Temu for one run: every page of every stream, each page a step; an update-time span
read in windows that widen while empty and narrow when full; after each page the push queue
may send a full batch beside the import. An order this run imported already at the same Temu
update time is not applied again, and is not re-read among the held orders."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import domain.sync.steps as steps
from domain.ports import Services, TimeWindow
from domain.sync.outcome import Step, StepResult, SyncRequest, SyncSummary
from domain.sync.plan import FIRST_WIDTH, Stream, held_to_reread, next_width, too_full
from domain.sync.pushing import PushQueue


@dataclass(frozen=True)
class StepCall:
    """One step to run: what it is (and, for a Temu page, which), and the call itself."""

    step: Step
    call: Callable[[], StepResult]
    stream: Stream | None = None
    page: int | None = None

    @property
    def label(self) -> str:
        return f"temu {self.stream}: page {self.page}" if self.stream else self.step.value


Contain = Callable[[StepCall], StepResult | None]
"""Runs a step, recording its failure (None) as the run's isolation does."""


@dataclass
class TemuPages:
    services: Services
    request: SyncRequest
    contain: Contain
    summary: SyncSummary
    queue: PushQueue
    imported: dict[str, datetime] = field(default_factory=dict)  # order: its Temu update time

    def held(self) -> list[Stream]:
        if self.request.parent_order_sns:
            return []
        with self.services.uow() as uow:
            held = uow.orders.missing_ship_to(self.request.shop_id)
        return held_to_reread(held, self.imported)

    def read(self, found: Iterable[Stream]) -> bool:
        """Import every page of every stream; True when all were read. A stream whose page
        fails is given up for this run (the failure is recorded); the others are still read."""
        complete = True
        for stream in found:
            if stream.window is not None:
                done = self._span(stream.window)
            else:
                done = self._stream(stream, None) is not None
            complete = done and complete
        return complete

    def _span(self, span: TimeWindow) -> bool:
        """Read an update-time span window by window: a window widens while they come back
        empty and narrows when full (a window holding too many orders is read again).

        Each window's pages name the window read after it (`then`), so that the Temu gateway
        can read its first page ahead while this window's last page is applied: a backlog's
        windows hold a page or two each, and the key sat idle while each window's last page
        was saved. Before a window's total is known the guess is a window as wide as this one
        (right unless this one turns out empty or too full); none after an empty window."""
        start, width, found = span.start, FIRST_WIDTH, False
        while start < span.end:
            end = min(start + width, span.end)
            window = TimeWindow(start, end)
            first = self._page(Stream(window), 1, _following(end, width, span) if found else None)
            if first is None:
                return False
            if too_full(window, first.total):
                width = next_width(width, first.total)
                continue
            width, found = next_width(width, first.total), first.total > 0
            if self._stream(Stream(window), first, _following(end, width, span)) is None:
                return False
            start = end
        return True

    def _stream(
        self, stream: Stream, first: StepResult | None, then: TimeWindow | None = None
    ) -> Any:
        """Every page of one stream (page 1 may be read already); None when a page failed."""
        page, result = 1, first
        while True:
            result = result or self._page(stream, page, then)
            if result is None or not self.summary.add(result).more:
                return result
            page, result = page + 1, None

    def _page(self, stream: Stream, page: int, then: TimeWindow | None = None) -> StepResult | None:
        """One page imported; then the push queue may send a full batch beside the import."""
        call = partial(steps.import_page, self.services, self.request, stream, page,
                       self.imported, then)  # fmt: skip
        result = self.contain(StepCall(Step.IMPORT_PAGE, call, stream, page))
        if result is not None:
            self.imported.update(result.read)
            self.queue.joined(result.count("push_queued"))
            self.queue.while_importing()
        return result


def _following(end: datetime, width: timedelta, span: TimeWindow) -> TimeWindow | None:
    """The window read after one ending at `end`, `width` wide (none past the span)."""
    return TimeWindow(end, min(end + width, span.end)) if end < span.end else None
