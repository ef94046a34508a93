"""Re-authorisation: wait for a new Temu token (Prefect UI form or CLI), validate, catch up."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact
from prefect.flow_runs import pause_flow_run
from prefect.input import RunInput, keyset_from_base_key
from prefect.input.actions import delete_flow_run_input
from prefect.runtime import flow_run
from pydantic import Field, SecretStr

from domain.errors import TemushipError
from domain.history import EventContext
from domain.model import Source
from domain.ports import Services
from domain.usecases import shops, tokens
from flows import wiring
from flows.reporting import artifact_key

FLOW_NAME = "reauthorize"
MAX_ATTEMPTS = 20
CATCH_UP_WAIT = 600


class NewToken(RunInput):
    access_token: SecretStr = Field(
        description="The new Temu access token (seller centre > Apps > authorise again). "
        "Leave empty if you already gave it with `temuship reauthorize`.",
    )


@flow(name=FLOW_NAME, flow_run_name="reauthorize {shop_id}")
def reauthorize(
    shop_id: str,
    timeout_seconds: int = 24 * 3600,
    poll_interval: int = 10,
    catch_up: bool = True,
    even_if_active: bool = False,
) -> dict[str, Any]:
    """Pause for a new token, validate it against Temu, resume the shop and catch up.

    Safe to start at any time: with an active token (the CLI got there first) it ends at once
    unless `even_if_active`; if another run already waits for this shop's token, it ends too.

    Args:
        shop_id: The shop whose Temu token to renew.
        timeout_seconds: How long to wait for the new token before the run fails.
        poll_interval: How often (seconds) the paused run looks for an answer.
        catch_up: Run a sync from the saved cursor once the token is accepted.
        even_if_active: Ask for a new token even though the current one still works.
    """
    services = wiring.current()
    result: dict[str, Any] = {"shop": shop_id, "resumed_by": None}
    usable = shops.token_usable(services, shop_id)
    if usable and not even_if_active:
        return {**result, "note": "the token is active: nothing to do"}
    waiting = [run for run in paused_runs(shop_id) if str(run.id) != str(flow_run.get_id())]
    if waiting:
        return {**result, "note": f"run {waiting[0].name} already waits for this token"}
    if not usable:
        ctx = EventContext(services.clock.now(), Source.OPERATOR, str(flow_run.get_id() or ""))
        tokens.start_reauthorization(services.uow(), shop_id, ctx)
    result["resumed_by"] = _wait_for_token(services, shop_id, timeout_seconds, poll_interval)
    if catch_up:
        result["catch_up"] = _catch_up(shop_id)
    return result


def _wait_for_token(services: Services, shop_id: str, timeout: int, poll: int) -> str:
    """Ask until Temu accepts a token; 'form' or 'cli' says where it came from."""
    logger, refused = get_run_logger(), None
    for attempt in range(1, MAX_ATTEMPTS + 1):
        key = f"token-{flow_run.run_count}-{attempt}"  # a retried run asks again
        answer = pause_flow_run(
            wait_for_input=NewToken.with_initial_data(description=_prompt(shop_id, refused)),
            timeout=timeout,
            poll_interval=poll,
            key=key,
        )
        _forget(key)
        text = answer.access_token.get_secret_value().strip() if answer.access_token else ""
        run = str(flow_run.get_id() or "")
        outcome, refused = shops.answer_token_request(services, shop_id, text, run)
        if outcome is not None:
            logger.info("shop %s: new token accepted (%s); the shop is resumed", shop_id, outcome)
            return outcome
        logger.warning("shop %s: new token refused: %s", shop_id, refused)
        markdown = _prompt(shop_id, refused)
        create_markdown_artifact(markdown, key=artifact_key("reauthorize", shop_id))
    raise TemushipError(f"shop {shop_id}: no token Temu accepts after {MAX_ATTEMPTS} attempts")


def _prompt(shop_id: str, refused: str | None) -> str:
    text = (
        f"**{shop_id}**: the Temu access token has expired or was rejected, so the shop is "
        "paused. Authorise the app again in Temu's seller centre and paste the new token."
    )
    return text + (f"\n\n**The last token was refused:** {refused}" if refused else "")


def _forget(pause_key: str) -> None:
    """The form's answer is stored in plaintext by Prefect: delete it once read."""
    delete_flow_run_input(keyset_from_base_key(f"paused-{pause_key}")["response"])


def _catch_up(shop_id: str) -> dict[str, Any]:
    """A sync from the saved cursor: what Temu changed while the shop was paused."""
    from flows.sync import sync_shop

    state = sync_shop(shop_id, wait_for_lock_seconds=CATCH_UP_WAIT, return_state=True)
    if state.is_completed():
        return dict(state.result())
    return {"shop": shop_id, "status": "failed", "reason": state.message}


def paused_runs(shop_id: str) -> list[Any]:
    """This shop's re-authorisation runs waiting for a token (none without a Prefect API)."""
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
            flow_filter=FlowFilter(name=FlowFilterName(any_=[FLOW_NAME])),
            flow_run_filter=FlowRunFilter(
                state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.PAUSED]))
            ),
        )
    return [run for run in runs if run.parameters.get("shop_id") == shop_id]


def complete_waiting_runs(shop_id: str) -> list[str]:
    """After `temuship reauthorize`: resume this shop's waiting re-authorisation runs with an
    empty answer, so the token itself never reaches Prefect."""
    from prefect.flow_runs import resume_flow_run

    done = []
    for run in paused_runs(shop_id):
        resume_flow_run(UUID(str(run.id)), run_input={"access_token": ""})
        done.append(run.name)
    return done
