"""What Prefect knows of temuship's runs: the re-authorisation runs of a shop that wait for
its token (or are about to). Used by the flows, the dashboard and the CLI; none without a
Prefect API."""

from __future__ import annotations

from typing import Any

REAUTHORIZE_FLOW = "reauthorize"


def paused_runs(shop_id: str) -> list[Any]:
    """This shop's re-authorisation runs waiting for a token (none without a Prefect API)."""
    return [run for run in active_runs(shop_id) if run.state_type.value == "PAUSED"]


def active_runs(shop_id: str) -> list[Any]:
    """This shop's re-authorisation runs that wait, run or are about to run (Paused, Running,
    Pending), oldest first (none without a Prefect API)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        FlowFilter,
        FlowFilterName,
        FlowRunFilter,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType
    from prefect.settings import get_current_settings

    if not get_current_settings().api.url:
        return []
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(
            flow_filter=FlowFilter(name=FlowFilterName(any_=[REAUTHORIZE_FLOW])),
            flow_run_filter=FlowRunFilter(
                state=FlowRunFilterState(
                    type=FlowRunFilterStateType(
                        any_=[StateType.PAUSED, StateType.RUNNING, StateType.PENDING]
                    )
                )
            ),
        )
    found = [run for run in runs if run.parameters.get("shop_id") == shop_id]
    return sorted(found, key=lambda run: str(run.created))
