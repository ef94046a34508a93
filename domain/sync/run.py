"""One shop's sync, start to end: the sequence of steps and how a failure is contained.

gate -> every Temu page (each order joins the push queue when its plan says so; full batches
go to ShipStation between pages) -> the held orders re-read -> the rest of the push queue ->
ShipStation labels -> confirmations to Temu -> the ship-by watch. A token refusal pauses the
shop and ends the run; any other failure of a step is recorded and the other steps still run
(the run ends partial and the next one finishes the rest); an API found unreachable is not
asked again in the run; the Temu cursor moves only when every page was read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

import domain.sync.shop_state as shop_state
import domain.sync.steps as steps
from domain.errors import PermissionMissing, ShopPaused, TokenError, Unreachable
from domain.ports import Services, TimeWindow
from domain.sync.outcome import RunStatus, Step, StepResult, SyncRequest, SyncSummary
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


StepRunner = Callable[[StepCall], StepResult]
"""Runs one step (a Prefect flow runs each as a task); by default the call is simply made."""


def sync_shop(
    services: Services, request: SyncRequest, runner: StepRunner | None = None
) -> SyncSummary:
    """Sync one shop once (see the module's docstring)."""
    run = _Run(services, request, runner or (lambda step: step.call()))
    summary = run.summary
    try:
        run.runner(StepCall(Step.GATE, partial(steps.open_gate, services, request)))
        with PushQueue(services, request, summary) as queue:
            if run.read(steps.streams(services, request), queue):
                shop_state.commit_temu_cursor(services, request)
            run.read(run.held(), queue)
            run.isolated(Step.PUSH, steps.push_orders, queue)
        run.isolated(Step.READ_LABELS, steps.read_labels)
        run.isolated(Step.CONFIRM, steps.confirm_shipments)
        run.isolated(Step.SHIP_BY, steps.watch_ship_by)
        shop_state.finish(services, request.shop_id, summary)
    except (TokenError, PermissionMissing) as err:
        shop_state.pause(services, request, err, summary)
    except ShopPaused as err:
        summary.end(RunStatus.PAUSED, str(err))
    except Exception as err:  # recorded on the shop and in the artifact, then the run fails
        summary.end(RunStatus.FAILED, f"{type(err).__name__}: {err}")
        shop_state.finish(services, request.shop_id, summary)
    shop_state.record_state(services, request.shop_id, summary)
    return summary


@dataclass
class _Run:
    services: Services
    request: SyncRequest
    runner: StepRunner
    summary: SyncSummary = field(init=False)
    imported: dict[str, datetime] = field(default_factory=dict)  # order: its Temu update time

    def __post_init__(self) -> None:
        self.summary = SyncSummary(self.request.shop_id)

    def isolated(self, step: Step, function: Callable[..., StepResult], *args: Any) -> Any:
        """Run one step; a failure other than the token's is recorded and the run goes on.
        Once an API could not be reached (after the client's retries), the steps that need it
        are skipped for the rest of the run: the next run tries again."""
        call = StepCall(step, partial(function, self.services, self.request, *args))
        result = self._contained(call)
        return self.summary.add(result) if result is not None else None

    def _contained(self, call: StepCall) -> StepResult | None:
        api, summary = call.step.api, self.summary
        if api in summary.unreachable:
            summary.counts[f"skipped_{api.lower()}_unreachable"] += 1
            return None
        try:
            return self.runner(call)
        except (TokenError, PermissionMissing, ShopPaused):
            raise
        except Unreachable as err:
            summary.unreachable.add(api or err.api)
            summary.step_failed(f"{call.step.words} failed: {err}; not asked again in this run")
        except Exception as err:
            summary.step_failed(f"{call.step.words} failed: {err}")
        return None

    def held(self) -> list[Stream]:
        if self.request.parent_order_sns:
            return []
        with self.services.uow() as uow:
            held = uow.orders.missing_ship_to(self.request.shop_id)
        return held_to_reread(held, self.imported)

    def read(self, found: Iterable[Stream], queue: PushQueue) -> bool:
        """Import every page of every stream; True when all were read. A stream whose page
        fails is given up for this run (the failure is recorded); the others are still read."""
        complete = True
        for stream in found:
            if stream.window is not None:
                done = self._span(stream.window, queue)
            else:
                done = self._stream(stream, queue, None) is not None
            complete = done and complete
        return complete

    def _span(self, span: TimeWindow, queue: PushQueue) -> bool:
        """Read an update-time span window by window: a window widens while they come back
        empty and narrows when full (a window holding too many orders is read again)."""
        start, width = span.start, FIRST_WIDTH
        while start < span.end:
            window = Stream(TimeWindow(start, min(start + width, span.end)))
            first = self._page(window, 1, queue)
            if first is None:
                return False
            assert window.window is not None
            if too_full(window.window, first.total):
                width = next_width(width, first.total)
                continue
            if self._stream(window, queue, first) is None:
                return False
            width, start = next_width(width, first.total), window.window.end
        return True

    def _stream(self, stream: Stream, queue: PushQueue, first: StepResult | None) -> Any:
        """Every page of one stream (page 1 may be read already); None when a page failed."""
        page, result = 1, first
        while True:
            result = result or self._page(stream, page, queue)
            if result is None or not self.summary.add(result).more:
                return result
            page, result = page + 1, None

    def _page(self, stream: Stream, page: int, queue: PushQueue) -> StepResult | None:
        """One page imported; then the push queue may send a full batch beside the import."""
        call = partial(steps.import_page, self.services, self.request, stream, page, self.imported)
        result = self._contained(StepCall(Step.IMPORT_PAGE, call, stream, page))
        if result is not None:
            self.imported.update(result.read)
            queue.joined(result.count("push_queued"))
            queue.while_importing()
        return result


def new_request(services: Services, shop_id: str, **options: Any) -> SyncRequest:
    """A request starting now; `parent_order_sns` are de-duplicated in order."""
    sns = tuple(dict.fromkeys(options.pop("parent_order_sns", ())))
    return SyncRequest(shop_id, services.clock.now(), parent_order_sns=sns, **options)


def skipped(shop_id: str, reason: str) -> SyncSummary:
    return SyncSummary(shop_id, status=RunStatus.SKIPPED, reason=reason)
