"""Re-authorisation: wait for a new Temu token (Prefect UI form or CLI), validate, catch up."""

from __future__ import annotations

from datetime import datetime
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
from domain.usecases.maintenance import all_shop_ids
from flows import wiring
from flows.reporting import artifact_key, run_url, update_dashboard
from flows.runs import REAUTHORIZE_FLOW as FLOW_NAME
from flows.runs import active_runs, paused_runs
from flows.shop_view import paused_reason
from flows.wording import plural, token_validity

MAX_ATTEMPTS = 20
CATCH_UP_WAIT = 600


class NewToken(RunInput):
    """The Resume form. The token is a password field (JSON schema `format: password`), which
    Prefect's V2 UI masks; it is optional, so an empty Resume means "I gave it with the CLI"."""

    access_token: SecretStr = Field(
        default=SecretStr(""),
        description="The new Temu access token (Temu seller centre > Apps > authorise the "
        "app again). Leave it empty if you already gave it with the temuship reauthorize "
        "command: the run then checks that the shop has a working token.",
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
    services, logger = wiring.current(), get_run_logger()
    result: dict[str, Any] = {"shop": shop_id, "resumed_by": None}
    if shop_id not in all_shop_ids(services):  # disconnected since the announcement
        logger.info("shop %s is not connected: nothing to do", shop_id)
        return {**result, "note": "the shop is not connected: nothing to do"}
    usable = shops.token_usable(services, shop_id)
    if usable and not even_if_active:
        logger.info("shop %s: the token is active: nothing to do", shop_id)
        return {**result, "note": "the token is active: nothing to do"}
    if other := _earlier_run(shop_id):
        logger.info("shop %s: run %s already waits for this token; this one ends", shop_id,
                    other.name)  # fmt: skip
        return {**result, "note": f"run {other.name} already waits for this token"}
    if not usable:
        ctx = EventContext(services.clock.now(), Source.OPERATOR, str(flow_run.get_id() or ""))
        tokens.start_reauthorization(services.uow(), shop_id, ctx)
    result["resumed_by"] = _wait_for_token(services, shop_id, timeout_seconds, poll_interval)
    if catch_up:
        result["catch_up"] = _catch_up(shop_id)
    _publish(shop_id, accepted_markdown(shop_id, result))
    update_dashboard(services, shop_id, logger.warning)
    logger.info("shop %s: %s", shop_id, outcome_line(result))
    return result


def _earlier_run(shop_id: str) -> Any:
    """Another re-authorisation run of this shop that keeps this one from asking: one that
    waits (Paused), or one that started before this one and may be about to wait."""
    me, runs = str(flow_run.get_id() or ""), active_runs(shop_id)
    mine = next((r for r in runs if str(r.id) == me), None)
    for run in runs:
        if str(run.id) == me:
            continue
        if run.state_type.value == "PAUSED":
            return run
        if mine is not None and (run.created or run.expected_start_time) < (
            mine.created or mine.expected_start_time
        ):
            return run
    return None


def _wait_for_token(services: Services, shop_id: str, timeout: int, poll: int) -> str:
    """Ask until Temu accepts a token; 'form' or 'cli' says where it came from."""
    logger, last, since = get_run_logger(), None, services.clock.now()
    for attempt in range(1, MAX_ATTEMPTS + 1):
        key = f"token-{flow_run.run_count}-{attempt}"  # a retried run asks again
        here = (str(flow_run.get_name() or "this run"), run_url(flow_run.get_id()))
        _publish(shop_id, waiting_markdown(services, shop_id, last, here[1], since))
        update_dashboard(services, shop_id, logger.warning, waiting=here)
        logger.warning(
            "shop %s waits for a new Temu token: open this run%s, choose Resume in its menu "
            "(the ⋮ button, top right) and paste the token, or run `temuship reauthorize %s "
            "--access-token ...`", shop_id, f" ({here[1]})" if here[1] else "", shop_id,
        )  # fmt: skip
        ship_logs()  # before the pause: the UI does not refresh the logs of a paused run
        answer = pause_flow_run(
            wait_for_input=NewToken.with_initial_data(description=_prompt(shop_id, last)),
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
        last = refusal(refused, empty=not text)
        if text:
            logger.warning("shop %s: new token refused: %s; asking again", shop_id, refused)
        else:
            logger.warning("shop %s: resumed with no token, and the shop has no working token "
                           "yet; asking again", shop_id)  # fmt: skip
    raise TemushipError(f"shop {shop_id}: no token Temu accepts after {MAX_ATTEMPTS} attempts")


def ship_logs() -> None:
    """Send the run's log lines to the Prefect API now, not with the next batch: the V2 UI
    reloads a run's logs every 5 s only while it runs, so a line that arrives after the run
    paused (why the last token was refused, what to do) stays unseen until the page is
    opened again. Waits at most 5 s."""
    from prefect.logging.handlers import APILogHandler

    APILogHandler().flush()


def refusal(reason: str | None, empty: bool) -> str:
    """Why the last answer did not resume the shop, as the form and the artifact say it."""
    if empty:
        return ("**The last answer had no token**, and the shop has no working token yet: "
                "paste the new token, or give it with `temuship reauthorize` before resuming "
                "with the field empty.")  # fmt: skip
    return f"**The last token was refused:** {str(reason or 'Temu did not accept it').rstrip('.')}."


def _prompt(shop_id: str, last: str | None) -> str:
    text = (
        f"**{shop_id}**: the Temu access token has expired or was rejected, so the shop is "
        "paused. Authorise the app again in Temu's seller centre and paste the new token. "
        "Leave the field empty if you already gave it with `temuship reauthorize`."
    )
    return text + (f"\n\n{last}" if last else "")


def _publish(shop_id: str, markdown: str) -> None:
    create_markdown_artifact(
        markdown,
        key=artifact_key("reauthorize", shop_id),
        description=f"temuship: re-authorising shop {shop_id}",
    )


def waiting_markdown(
    services: Services,
    shop_id: str,
    last: str | None,
    url: str | None = None,
    since: datetime | None = None,
) -> str:
    """The paused run's artifact: which shop, why it waits, where the token comes from, and
    the CLI alternative (never the token itself)."""
    from domain.usecases.reports import shop_status

    status = shop_status(services, shop_id)
    token = status.get("token") or {}
    state = {"expired": "expired", "reauthorizing": "expired", "revoked": "was rejected by Temu",
             "missing_permission": "lacks a permission temuship needs"}.get(
        str(token.get("state")), str(token.get("state")))  # fmt: skip
    lines = [
        f"# Shop {shop_id} waits for a new Temu token",
        "",
        f"**Why:** the shop's Temu access token {state}{token_validity(token)}, so the shop "
        "is paused: no orders are read or sent until it has a new one.",
        f"\n**Paused because:** {paused_reason(status)}",
        f"\n**Waiting since:** {since or services.clock.now():%Y-%m-%d %H:%M} UTC",
    ]
    if last:
        lines.append(f"\n{last} This run asks again.")
    lines += [
        "",
        "## What to do",
        "1. In **Temu seller centre**, open the app list and **authorise the app again**; "
        "Temu shows a new access token.",
        "2. Open this run in the Prefect UI"
        + (f" ([this link]({url}) opens it in the UI the server shows by default)" if url else "")
        + ", choose **Resume** in its menu (the ⋮ button, top right) and paste the token: "
        "the field masks what is typed. (Prefect's older V1 UI, behind *Switch to V1 UI*, "
        "shows it in clear: use the default UI or the command below.)",
        "",
        "Or, from a shell on the temuship machine (the token then never reaches Prefect; "
        "leave the form empty, or let the CLI finish this run):",
        "",
        "```",
        f"temuship reauthorize {shop_id} --access-token ...",
        f"TEMU_ACCESS_TOKEN=... temuship reauthorize {shop_id}",
        "```",
        "",
        "Temu checks the token before it is saved: a wrong one changes nothing, and this run "
        "asks again.",
    ]
    return "\n".join(lines)


def accepted_markdown(shop_id: str, result: dict[str, Any]) -> str:
    how = {"form": "the token pasted in the Resume form",
           "cli": "the token given with `temuship reauthorize`"}.get(
        str(result.get("resumed_by")), "a new token")  # fmt: skip
    lines = [f"# Shop {shop_id} is running again", "",
             f"Temu accepted {how}; the shop is resumed."]  # fmt: skip
    catch_up = result.get("catch_up")
    if catch_up:
        counts = catch_up.get("counts") or {}
        if catch_up.get("status") == "ok":
            lines.append(
                f"\n**Catch-up sync:** done: {plural(counts.get('orders_read', 0), 'Temu order')}"
                f" read, {counts.get('pushed', 0)} sent to ShipStation, "
                f"{counts.get('confirmed', 0)} confirmed to Temu."
            )
        else:
            lines.append(
                f"\n**Catch-up sync:** {catch_up.get('status')}: {catch_up.get('reason')}. "
                "The next scheduled sync tries again."
            )
    else:
        lines.append("\nNo catch-up sync was asked for: the next scheduled sync reads what "
                     "Temu changed meanwhile.")  # fmt: skip
    return "\n".join(lines)


def outcome_line(result: dict[str, Any]) -> str:
    words = f"token accepted ({result.get('resumed_by')}); the shop is resumed"
    if catch_up := result.get("catch_up"):
        words += f"; catch-up sync {catch_up.get('status')}"
    return words


def _forget(pause_key: str) -> None:
    """The form's answer is stored in plaintext by Prefect: delete it once read."""
    try:
        delete_flow_run_input(keyset_from_base_key(f"paused-{pause_key}")["response"])
    except Exception as err:  # an empty Resume stores no answer: nothing to delete
        if "404" not in str(err) and "not found" not in str(err).lower():
            raise


def _catch_up(shop_id: str) -> dict[str, Any]:
    """A sync from the saved cursor: what Temu changed while the shop was paused."""
    from flows.sync import summary_of, sync_shop

    state = sync_shop(shop_id, wait_for_lock_seconds=CATCH_UP_WAIT, return_state=True)
    return summary_of(shop_id, state)


def complete_waiting_runs(shop_id: str) -> list[str]:
    """After `temuship reauthorize`: resume this shop's waiting re-authorisation runs with an
    empty answer, so the token itself never reaches Prefect."""
    from prefect.flow_runs import resume_flow_run

    done = []
    for run in paused_runs(shop_id):
        resume_flow_run(UUID(str(run.id)), run_input={"access_token": ""})
        done.append(run.name)
    return done
