"""Re-authorisation: wait for a new Temu token (Prefect UI form or CLI), validate, catch up."""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact
from prefect.flow_runs import pause_flow_run
from prefect.input import RunInput, keyset_from_base_key
from prefect.input.actions import delete_flow_run_input
from pydantic import Field, SecretStr

from domain.errors import ExternalApiError, PermissionMissing
from domain.history import EventContext
from domain.model import Source
from domain.secrets import Secret
from domain.services import tokens
from flows import wiring
from flows.reporting import artifact_key

FLOW_NAME = "reauthorize"


class NewToken(RunInput):
    access_token: SecretStr | None = Field(
        default=None,
        description="The new Temu access token (seller centre > Apps > authorise again). "
        "Leave empty if you already gave it with `temuship reauthorize`.",
    )


def _prompt(shop_id: str, refused: str | None) -> str:
    text = (
        f"**{shop_id}**: the Temu access token has expired or was rejected, so the shop is "
        "paused. Authorise the app again in Temu's seller centre and paste the new token."
    )
    return text + (f"\n\n**The last token was refused:** {refused}" if refused else "")


def _forget(pause_key: str) -> None:
    """The form's answer is stored in plaintext by Prefect: delete it once read."""
    delete_flow_run_input(keyset_from_base_key(f"paused-{pause_key}")["response"])


@flow(name=FLOW_NAME, flow_run_name="reauthorize {shop_id}")
def reauthorize(
    shop_id: str, timeout_seconds: int = 24 * 3600, poll_interval: int = 10, catch_up: bool = True
) -> dict[str, Any]:
    """Pause for a new token, validate it against Temu, resume the shop and catch up."""
    logger = get_run_logger()
    services = wiring.current()
    ctx = EventContext(services.clock.now(), Source.OPERATOR)
    tokens.start_reauthorization(services.uow(), shop_id, ctx)
    refused: str | None = None
    for attempt in range(1, 100):
        key = f"token-{attempt}"
        answer = pause_flow_run(
            wait_for_input=NewToken.with_initial_data(description=_prompt(shop_id, refused)),
            timeout=timeout_seconds,
            poll_interval=poll_interval,
            key=key,
        )
        _forget(key)
        outcome, refused = _take(services, shop_id, answer.access_token)
        if outcome is not None:
            break
        logger.warning("shop %s: new token refused: %s", shop_id, refused)
        create_markdown_artifact(
            _prompt(shop_id, refused), key=artifact_key("reauthorize", shop_id)
        )
    result: dict[str, Any] = {"shop": shop_id, "resumed_by": outcome}
    if catch_up:
        from flows.sync import sync_shop

        result["catch_up"] = sync_shop(shop_id)
    return result


def _take(
    services: wiring.Services, shop_id: str, value: SecretStr | None
) -> tuple[str | None, str | None]:
    """('form'|'cli', None) when the shop is active again, else (None, why)."""
    if value is None or not value.get_secret_value().strip():
        with services.uow() as uow:
            token = uow.tokens.get(shop_id)
        if token is not None and token.usable:
            return "cli", None
        return None, "no token was entered"
    with services.uow() as uow:
        shop = uow.shops.get(shop_id)
    make = services.temu_for_token
    if shop is None or make is None:
        return None, f"no shop named {shop_id}"
    ctx = EventContext(services.clock.now(), Source.OPERATOR)
    try:
        tokens.reauthorize(
            services.uow(),
            shop_id,
            Secret(value.get_secret_value().strip()),
            lambda secret: make(shop, secret).token_info(),
            ctx,
        )
    except (ExternalApiError, PermissionMissing) as err:
        return None, str(err)
    return "form", None


def complete_waiting_runs(shop_id: str) -> list[str]:
    """After `temuship reauthorize`: resume this shop's paused re-authorisation runs (if a
    Prefect server is configured), with an empty answer so the token is never sent to it."""
    import os

    if not os.environ.get("PREFECT_API_URL"):
        return []
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        FlowFilter,
        FlowFilterName,
        FlowRunFilter,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType
    from prefect.flow_runs import resume_flow_run

    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(
            flow_filter=FlowFilter(name=FlowFilterName(any_=[FLOW_NAME])),
            flow_run_filter=FlowRunFilter(
                state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.PAUSED]))
            ),
        )
    done = []
    for run in runs:
        if run.parameters.get("shop_id") == shop_id:
            resume_flow_run(run.id, run_input={"access_token": None})
            done.append(run.name)
    return done
