"""The Prefect UI, in chromium, against the real stack (see conftest.py): an operator
re-authorises a shop whose Temu token expired, and starts a custom rerun of named orders.

Skipped, with the reason, where /usr/bin/chromium or the playwright package is missing
(.ci/run installs both). Screenshots: $TEMUSHIP_BROWSER_ARTIFACTS or tests/browser/screenshots/.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.browser_env import Shots, missing_requirements

if _missing := missing_requirements():
    pytest.skip(_missing, allow_module_level=True)

from playwright.sync_api import Page, expect

from tests.browser import prefect_ui as ui
from tests.browser.browser_support import (
    RERUN,
    SHOP,
    SYNC,
    WRONG_TOKEN,
    Stack,
    say,
    wait_for,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(480)]

RUN_END = 240_000  # ms: a flow run on the process worker, on a busy 2-core machine
UI_CATCH_UP = 60_000  # ms: the UI polls; a state or a log line shows within this


def test_custom_rerun_of_named_orders_from_the_deployment_page(
    stack: Stack, page: Page, shots: Shots
) -> None:
    sns = stack.add_orders(2, seed=41)  # new in Temu: only a run that reads them imports them
    before = {str(run.id) for run in stack.runs_of(RERUN)}

    page.goto(f"/deployments/deployment/{stack.deployment_id(RERUN)}")
    page.get_by_role("button", name="Run", exact=True).click()
    page.get_by_text("Custom run", exact=True).click()
    expect(page).to_have_url(re.compile(r"/deployments/deployment/[^/]+/run\b"), timeout=30_000)
    ui.form_property(page, "shop_id").locator("textarea, input").first.fill(SHOP)
    orders = ui.form_property(page, "parent_order_sns")
    for i, sn in enumerate(sns):
        orders.get_by_role("button", name="Add item").click()
        orders.locator("textarea, input").nth(i).fill(sn)
    shots.snap(page, "rerun-1-custom-run-form", orders)
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page).to_have_url(re.compile(r"/deployments/deployment/[^/?]+\?tab=Runs"))

    run = wait_for("the custom run", lambda: _new_run(stack, RERUN, before), 60)
    assert run.parameters["shop_id"] == SHOP and run.parameters["parent_order_sns"] == sns
    ui.open_run(page, run.id)
    ui.expect_state(page, "Completed", RUN_END)
    ui.show_tab(page, "Parameters")
    shots.snap(page, "rerun-2-custom-run-completed", page.get_by_text(sns[0]).first)
    assert stack.final_state(run.id) == "COMPLETED"
    missing = [sn for sn in sns if not stack.in_shipstation(sn)]
    assert not missing, f"the rerun did not send {missing} to ShipStation"


def test_expired_token_is_renewed_through_the_resume_form(
    stack: Stack, page: Page, shots: Shots, resume_form: dict[str, Any]
) -> None:
    # 1. The token expires in Temu; the next sync hits it and pauses the shop.
    stack.expire_token()
    sync = stack.start_run(SYNC, {"shop_id": SHOP})
    assert stack.wait_final(sync) == "COMPLETED"
    ui.open_run(page, sync)
    expired = ui.log_line(page, re.compile(r"expired", re.IGNORECASE))
    expect(expired).to_be_visible(timeout=UI_CATCH_UP)
    shots.snap(page, "reauth-1-sync-hits-expired-token", expired)
    status = stack.status()
    assert status["paused"] and status["token"]["state"] in ("expired", "reauthorizing"), status

    # 2. The trigger starts reauthorize-<shop>, which waits for a token (Paused).
    run = wait_for("a paused reauthorize run", lambda: stack.reauth_run("PAUSED"), 180)
    say(f"{run.name} waits for a token")
    added = stack.add_orders(3, seed=77)  # Temu orders made while the shop is paused
    ui.open_run(page, run.id)
    ui.expect_state(page, "Paused", UI_CATCH_UP)
    shots.snap(page, "reauth-2-reauthorize-run-paused", ui.state_badge(page))

    # 3. Resume, with a token Temu never issued.
    dialog = ui.open_resume_form(page)
    field = ui.token_field(dialog)
    # Whether this field masks what is typed is asserted in test_token_field_is_masked, an
    # expected failure for now: Prefect's default UI renders it as a plain <textarea>.
    resume_form.update(ui.describe_field(field))
    say(f"the Resume form's token field: {resume_form}")
    field.fill(WRONG_TOKEN)
    shots.snap(page, "reauth-3-resume-form-wrong-token", dialog)
    ui.submit(dialog)

    # 4. The run asks again, and says why.
    wait_for("the run to ask again", lambda: stack.paused_again(run.id), 120)
    ui.expect_state(page, "Paused", UI_CATCH_UP)
    refused = ui.log_line(page, "refused")
    expect(refused).to_be_visible(timeout=UI_CATCH_UP)
    shots.snap(page, "reauth-4-wrong-token-refused-in-log", refused)
    assert stack.status()["paused"], "a wrong token resumed the shop"

    # 5. Resume with the token the seller got by authorising again; the prompt says why.
    dialog = ui.open_resume_form(page)
    expect(dialog.get_by_text("The last token was refused")).to_be_visible()
    shots.snap(page, "reauth-5-resume-form-asks-again", dialog)  # before the real token is typed
    token = stack.rotate_token()
    ui.token_field(dialog).fill(token)
    shots.seen(page, "resume form with the valid token typed")
    ui.submit(dialog)

    # 6. The run ends Completed; the shop is active again and caught up.
    ui.expect_state(page, "Completed", RUN_END)
    shots.snap(page, "reauth-6-reauthorize-completed", ui.state_badge(page))
    accepted = ui.log_line(page, "accepted")
    expect(accepted).to_be_visible(timeout=UI_CATCH_UP)
    shots.snap(page, "reauth-7-token-accepted-in-log", accepted)
    ui.show_tab(page, "Subflow Runs")
    catch_up = page.get_by_text(f"sync {SHOP}").first
    expect(catch_up).to_be_visible(timeout=UI_CATCH_UP)
    shots.snap(page, "reauth-8-catch-up-sync-subflow", catch_up)
    assert stack.final_state(run.id) == "COMPLETED"
    status = stack.status()  # `temuship status e2e-shop --json`
    assert not status["paused"] and status["token"]["state"] == "active", status
    missing = [sn for sn in added if not stack.in_shipstation(sn)]
    assert not missing, f"orders created during the pause were not caught up: {missing}"
    assert len(stack.reauth_runs()) == 1, "the catch-up started another reauthorize run"

    # 7. The token is in no page the operator saw, nor in what Prefect keeps of the form.
    for tab, shows in (
        ("Logs", ui.log_line(page, "accepted")),
        ("Artifacts", page.get_by_text(f"reauthorize-{SHOP}").first),
        ("Details", page.get_by_text("Flow Run ID").first),
        ("Parameters", page.get_by_text("shop_id").first),
    ):
        ui.show_tab(page, tab)
        expect(shows).to_be_visible(timeout=UI_CATCH_UP)
        shots.seen(page, f"reauthorize run, {tab} tab")
    page.goto(f"/artifacts/key/reauthorize-{SHOP}")
    page.locator("a[href*='/artifacts/artifact/']").first.click()  # its latest version
    reason = page.get_by_text("The last token was refused").first
    expect(reason).to_be_visible(timeout=UI_CATCH_UP)
    shots.snap(page, "reauth-9-refusal-in-artifact", reason)
    for secret, what in ((token, "the valid token"), (WRONG_TOKEN, "the refused token")):
        shown = shots.pages_containing(secret)
        assert not shown, f"{what} appears in the HTML of: {shown}"
        kept = [value for value in stack.stored_inputs(run.id) if secret in value]
        assert not kept, f"{what} is still in the run's stored flow-run input"


@pytest.mark.xfail(
    strict=False,
    reason="Prefect's default UI renders the `SecretStr` token field of the Resume form "
    "(format: password) as a plain textarea, so the token shows in clear while it is typed",
)
def test_token_field_is_masked(resume_form: dict[str, Any]) -> None:
    if not resume_form:
        pytest.skip("the re-authorisation test did not reach the Resume form in this session")
    masked = (resume_form["tag"] == "input" and resume_form["type"] == "password") or (
        resume_form["text_security"] not in ("none", "")
    )
    assert masked, f"the token field is not masked: {resume_form}"


def _new_run(stack: Stack, deployment: str, before: set[str]) -> Any:
    new = [run for run in stack.runs_of(deployment) if str(run.id) not in before]
    return new[0] if new else None
