"""One shop's sync, start to end: the sequence of steps and how a failure is contained.

gate -> every Temu page (pages.py: each order joins the push queue when its plan says so, full
batches go to ShipStation between pages) -> the held orders re-read -> the rest of the push queue ->
ShipStation labels -> confirmations to Temu -> the ship-by watch. A token refusal pauses the
shop and ends the run; any other failure of a step is recorded and the other steps still run
(the run ends partial and the next one finishes the rest); an API found unreachable is not
asked again in the run; the Temu cursor moves only when every page was read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import domain.sync.shop_state as shop_state
import domain.sync.steps as steps
from domain.errors import PermissionMissing, ShopPaused, TokenError, Unreachable
from domain.ports import Services
from domain.sync.outcome import RunStatus, Step, StepResult, SyncRequest, SyncSummary
from domain.sync.pages import StepCall, TemuPages
from domain.sync.pushing import PushQueue

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
            temu = TemuPages(services, request, run.contained, summary, queue)
            try:
                if temu.read(steps.streams(services, request)):
                    shop_state.commit_temu_cursor(services, request)
            finally:
                services.temu_backlog(request.shop_id, False)  # the rest is incremental work
            temu.read(temu.held())
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
    """The run's failure isolation: a step that fails is recorded, the run goes on."""

    services: Services
    request: SyncRequest
    runner: StepRunner
    summary: SyncSummary = field(init=False)

    def __post_init__(self) -> None:
        self.summary = SyncSummary(self.request.shop_id)

    def isolated(self, step: Step, function: Callable[..., StepResult], *args: Any) -> Any:
        """Run one step; a failure other than the token's is recorded and the run goes on.
        Once an API could not be reached (after the client's retries), the steps that need it
        are skipped for the rest of the run: the next run tries again."""
        call = StepCall(step, partial(function, self.services, self.request, *args))
        result = self.contained(call)
        return self.summary.add(result) if result is not None else None

    def contained(self, call: StepCall) -> StepResult | None:
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


def new_request(services: Services, shop_id: str, **options: Any) -> SyncRequest:
    """A request starting now; `parent_order_sns` are de-duplicated in order."""
    sns = tuple(dict.fromkeys(options.pop("parent_order_sns", ())))
    return SyncRequest(shop_id, services.clock.now(), parent_order_sns=sns, **options)


def skipped(shop_id: str, reason: str) -> SyncSummary:
    return SyncSummary(shop_id, status=RunStatus.SKIPPED, reason=reason)
