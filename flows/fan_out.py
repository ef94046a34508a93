"""The fan-out of `sync-all-shops`: one `sync-shop/one-shop` run per shop, started on the work
pool (or `temuship serve`'s runner, which serves the same deployment) without waiting, so the
shops sync side by side up to the workers' limits and a shop importing a backlog holds back no
other. A shop whose run from an earlier turn is still scheduled, pending or running is skipped
this turn, and the skip is counted. The shops are read at every run: a shop connected later
is in the next turn, with no redeploy."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

ONE_SHOP = "sync-shop/one-shop"
IN_FLIGHT = ("SCHEDULED", "PENDING", "RUNNING")  # Late runs are Scheduled ones


@dataclass
class FanOut:
    """What one turn did: the runs it started, the shops it skipped (their earlier run still
    in flight: its name and state), and the shops whose run could not be created."""

    started: dict[str, str] = field(default_factory=dict)  # shop -> run name
    skipped: dict[str, str] = field(default_factory=dict)  # shop -> "run name (State)"
    failed: dict[str, str] = field(default_factory=dict)  # shop -> why

    def to_dict(self) -> dict[str, Any]:
        return {"started": len(self.started), "skipped": len(self.skipped),
                "failed": len(self.failed), "runs": dict(self.started),
                "skipped_shops": dict(self.skipped), "failed_shops": dict(self.failed)}  # fmt: skip


def one_shop_deployment() -> Any | None:
    """The `sync-shop/one-shop` deployment, or None when it is not deployed (nor served)."""
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectNotFound

    with get_client(sync_client=True) as client:
        try:
            return client.read_deployment_by_name(ONE_SHOP)
        except ObjectNotFound:
            return None


def in_flight(deployment_id: Any) -> dict[str, str]:
    """The shops with a run of the deployment scheduled, pending or running: shop -> that run
    ("name (State)"), the oldest one when there are several."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        DeploymentFilter,
        DeploymentFilterId,
        FlowRunFilter,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType
    from prefect.client.schemas.sorting import FlowRunSort

    states = FlowRunFilterStateType(any_=[StateType(s) for s in IN_FLIGHT])
    found: dict[str, str] = {}
    with get_client(sync_client=True) as client:
        offset = 0
        while True:  # the API answers at most 200 runs at a time
            runs = client.read_flow_runs(
                deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment_id])),
                flow_run_filter=FlowRunFilter(state=FlowRunFilterState(type=states)),
                sort=FlowRunSort.EXPECTED_START_TIME_ASC, limit=200, offset=offset,
            )  # fmt: skip
            for run in runs:
                state = run.state.name if run.state else "?"
                found.setdefault(str(run.parameters.get("shop_id")), f"{run.name} ({state})")
            if len(runs) < 200:
                return found
            offset += 200


def start_runs(
    deployment: Any,
    shop_ids: list[str],
    since: datetime | None,
    parent_run_id: str,
    spread_seconds: float = 0.0,
) -> FanOut:
    """Start one run of the deployment (`sync-shop/one-shop`) per shop, without waiting for
    it, except for a shop whose earlier run is still in flight. `spread_seconds` spreads the
    starts over that many seconds (the Prefect server and the workers get them a few at a
    time). The runs are keyed by the parent run and the shop: a retry of the parent starts
    none twice."""
    from prefect.deployments import run_deployment

    busy = in_flight(deployment.id)
    turn, start = FanOut(), datetime.now(UTC)
    due = [shop for shop in shop_ids if shop not in busy]
    turn.skipped = {shop: busy[shop] for shop in shop_ids if shop in busy}
    step = spread_seconds / len(due) if due else 0.0
    for number, shop_id in enumerate(due):
        parameters: dict[str, Any] = {"shop_id": shop_id}
        if since is not None:
            parameters["since"] = since
        try:
            run: Any = run_deployment(
                deployment.id, parameters=parameters, timeout=0,
                scheduled_time=start + timedelta(seconds=number * step),
                idempotency_key=f"{parent_run_id or 'direct'}:{shop_id}",
            )  # fmt: skip
        except Exception as error:  # the API refused this one: the others still start
            turn.failed[shop_id] = f"{type(error).__name__}: {error}"
            continue
        turn.started[shop_id] = str(run.name)
    return turn


def turn_rows(turn: FanOut) -> list[dict[str, str]]:
    """The turn's table artifact: one row per shop, skipped and failed ones first."""
    rows = [{"shop": s, "this turn": "failed to start", "run": why}
            for s, why in turn.failed.items()]  # fmt: skip
    rows += [{"shop": s, "this turn": "skipped: its last run is still in flight", "run": run}
             for s, run in turn.skipped.items()]  # fmt: skip
    rows += [{"shop": s, "this turn": "started", "run": run} for s, run in turn.started.items()]
    return rows
