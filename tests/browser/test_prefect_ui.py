"""The Prefect UI, in chromium, against the real stack (see conftest.py), in the UI the server
shows by default (Prefect's V2 UI): an operator starts a custom rerun of named orders from a
run form that explains every parameter; a seller re-authorises a shop whose Temu token expired,
from the shop's dashboard to the Resume form (the token masked, never kept).

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
    DEPLOYMENTS,
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

    # Every parameter of every deployment has help text, and the run form shows it.
    helps = {name: stack.parameter_help(name) for name in DEPLOYMENTS}
    lacking = {name: [p for p, words in h.items() if not words] for name, h in helps.items()}
    assert not any(lacking.values()), f"parameters without help text: {lacking}"
    ui.open_custom_run(page, stack.deployment_id(RERUN))
    for param, words in helps[RERUN].items():
        expect(ui.parameter(page, param)).to_contain_text(" ".join(words.split()))
    ui.parameter(page, "shop_id").locator("textarea, input").first.fill(SHOP)
    orders = ui.parameter(page, "parent_order_sns")
    ui.fill_list(orders, sns)
    shots.snap(page, "rerun-1-custom-run-form", orders)
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page).to_have_url(
        re.compile(r"/deployments/deployment/[^/?]+\?tab=Runs"), timeout=UI_CATCH_UP
    )

    run = wait_for("the custom run", lambda: _new_run(stack, RERUN, before), 60)
    assert run.parameters["shop_id"] == SHOP and run.parameters["parent_order_sns"] == sns
    ui.open_run(page, run.id)
    # Green only when nothing needs a person: the sandbox's shop has orders due to ship.
    ui.expect_state(page, re.compile("^(Completed|Needs a person)$"), RUN_END)
    ui.show_tab(page, "Parameters")
    shown = page.get_by_role("tabpanel").get_by_text(sns[0]).first
    expect(shown).to_be_visible(timeout=UI_CATCH_UP)
    shots.snap(page, "rerun-2-custom-run-completed", shown)
    shots.doc(page, "6-custom-rerun-orders-run", shown)
    assert stack.final_name(run.id) in ("COMPLETED/Completed", "FAILED/Needs a person")
    missing = [sn for sn in sns if not stack.in_shipstation(sn)]
    assert not missing, f"the rerun did not send {missing} to ShipStation"


def test_expired_token_is_renewed_through_the_resume_form(
    stack: Stack, page: Page, shots: Shots, resume_form: dict[str, Any]
) -> None:
    """From what a seller opens (the server's root) to the shop running again."""
    # 0. The server's root opens the V2 UI: the one whose Resume form masks the token.
    page.goto("/")
    expect(page).to_have_url(re.compile(rf"{re.escape(stack.ui_url)}{ui.UI}/"), timeout=30_000)

    # 1. The token expires in Temu; the next sync hits it and pauses the shop: its run ends
    #    "Shop paused", a Failed-type state the UI shows red, never a green "Completed"; in
    #    the runs list too.
    stack.expire_token()
    sync = stack.start_run(SYNC, {"shop_id": SHOP})
    assert stack.wait_final(sync) == "FAILED"
    assert stack.final_name(sync) == "FAILED/Shop paused"
    ui.open_run(page, sync)
    ui.expect_state(page, "Shop paused", UI_CATCH_UP)
    expect(ui.state_badge(page)).not_to_have_class(re.compile(r"bg-state-completed"))
    listed = ui.runs_list_badge(page, sync)
    expect(listed).to_have_text("Shop paused", timeout=UI_CATCH_UP)
    expect(listed).to_have_class(re.compile(r"bg-state-failed"))
    shots.snap(page, "reauth-0-runs-list-shop-paused-red", listed)
    ui.open_run(page, sync)
    ui.newest_logs_first(page)
    expired = ui.log_line(page, "the shop is paused: nothing was read or sent")
    expect(expired).to_be_visible(timeout=UI_CATCH_UP)
    shots.snap(page, "reauth-1-sync-run-shop-paused", ui.state_badge(page))
    shots.snap(page, "reauth-1b-sync-log-token-expired", expired)
    status = stack.status()
    assert status["paused"] and status["token"]["state"] in ("expired", "reauthorizing"), status

    # 2. The trigger starts reauthorize-<shop>, which waits for a token (Paused) and says
    #    why and what to do in its artifact; the shop's dashboard links to it, and the link
    #    opens it in the default UI.
    run = wait_for("a paused reauthorize run", lambda: stack.reauth_run("PAUSED"), 180)
    say(f"{run.name} waits for a token")
    added = stack.add_orders(3, seed=77)  # Temu orders made while the shop is paused
    dashboard = wait_for(
        "the dashboard linking the waiting run",
        lambda: stack.artifact_saying(f"shop-{SHOP}", str(run.id)),
        120,
    )
    shown = ui.open_artifact(page, dashboard)
    expect(shown).to_contain_text("Paused: nothing is read or sent")
    expect(shown).not_to_contain_text("reauthorize SHOP")  # the shop is named
    link = shown.get_by_role("link", name=run.name)
    expect(link).to_be_visible()
    shots.snap(page, "reauth-2-dashboard-paused", shown)
    shots.doc(page, "3-shop-dashboard-paused", shown)
    href = link.get_attribute("href")
    assert href == f"{stack.ui_url}{ui.run_path(run.id)}", href
    page.goto(href)
    ui.expect_state(page, "Paused", UI_CATCH_UP)
    shots.snap(page, "reauth-3-reauthorize-run-paused", ui.state_badge(page))
    ui.show_tab(page, "Artifacts")
    card = page.get_by_text(f"reauthorize-{SHOP}").first
    expect(card).to_be_visible(timeout=UI_CATCH_UP)
    shots.doc(page, "1-waiting-reauthorize-run", card)
    waiting = wait_for(
        "the waiting artifact",
        lambda: stack.artifact_saying(f"reauthorize-{SHOP}", "waits for a new Temu token"),
        60,
    )
    shown = ui.open_artifact(page, waiting)
    for words in ("authorise the app again", "choose Resume in its menu",
                  f"temuship reauthorize {SHOP} --access-token"):  # fmt: skip
        expect(shown).to_contain_text(words)
    shots.snap(page, "reauth-4-reauthorize-artifact", shown)
    shots.doc(page, "2-reauthorize-artifact", shown)

    # 3. Resume with the field left empty (the form's text says it may be): the form takes
    #    it, and the run asks again, saying why. The field is a masked one.
    ui.open_run(page, run.id)
    dialog = ui.open_resume_form(page)
    expect(dialog).to_contain_text("Leave the field empty if you already gave it")
    resume_form.update(ui.describe_field(ui.token_field(dialog)))
    say(f"the Resume form's token field: {resume_form}")
    assert _masked(resume_form), f"the token field is not masked: {resume_form}"
    shots.snap(page, "reauth-5-resume-form", dialog)
    ui.submit_resume(dialog)
    wait_for("the run to ask again", lambda: stack.pause_key(run.id) == "token-1-2", 120)
    page.reload()
    ui.expect_state(page, "Paused", UI_CATCH_UP)
    dialog = ui.open_resume_form(page)
    expect(dialog).to_contain_text("The last answer had no token")

    # 4. A token Temu never issued: refused with Temu's reason, asked again.
    ui.token_field(dialog).fill(WRONG_TOKEN)
    shots.snap(page, "reauth-6-resume-form-wrong-token-masked", dialog, html=False)
    shots.doc(page, "4-resume-form-masked", dialog, region=dialog)
    ui.submit_resume(dialog)
    wait_for("the run to ask again", lambda: stack.pause_key(run.id) == "token-1-3", 120)
    page.reload()
    ui.expect_state(page, "Paused", UI_CATCH_UP)
    ui.newest_logs_first(page)
    refused = ui.log_line(page, "new token refused")
    expect(refused).to_be_visible(timeout=UI_CATCH_UP)
    shots.snap(page, "reauth-7-wrong-token-refused-in-log", refused)

    # 5. The token the seller got by authorising again; the prompt says why it asks again.
    dialog = ui.open_resume_form(page)
    expect(dialog.get_by_text("The last token was refused")).to_be_visible()
    shots.snap(page, "reauth-8-resume-form-asks-again", dialog)  # before the token is typed
    token = stack.rotate_token()
    ui.token_field(dialog).fill(token)
    ui.submit_resume(dialog)

    # 6. The run ends Completed; the shop is active again and caught up.
    ui.expect_state(page, "Completed", RUN_END)
    page.reload()
    ui.newest_logs_first(page)
    accepted = ui.log_line(page, "accepted")
    expect(accepted).to_be_visible(timeout=UI_CATCH_UP)
    shots.snap(page, "reauth-9-token-accepted-in-log", accepted)
    ui.show_tab(page, "Subflow Runs")
    catch_up = page.get_by_text(f"sync {SHOP}").first
    expect(catch_up).to_be_visible(timeout=UI_CATCH_UP)
    shots.snap(page, "reauth-10-catch-up-sync-subflow", catch_up)
    assert stack.final_state(run.id) == "COMPLETED"
    status = stack.status()  # `temuship status e2e-shop --json`
    assert not status["paused"] and status["token"]["state"] == "active", status
    missing = [sn for sn in added if not stack.in_shipstation(sn)]
    assert not missing, f"orders created during the pause were not caught up: {missing}"
    assert len(stack.reauth_runs()) == 1, "the catch-up started another reauthorize run"

    # 7. The artifacts follow the outcome; the dashboard lists the orders to ship now.
    refusal = stack.artifact_saying(f"reauthorize-{SHOP}", "The last token was refused")
    assert refusal, "no version of the artifact gives the refusal's reason"
    reason = ui.open_artifact(page, refusal)
    expect(reason).to_contain_text("This run asks again")
    shots.snap(page, "reauth-11-refusal-in-artifact", reason)
    latest = stack.artifact_versions(f"reauthorize-{SHOP}")[0]
    outcome = ui.open_artifact(page, latest[0])
    expect(outcome).to_contain_text("is running again")
    expect(outcome).to_contain_text("Catch-up sync")
    shots.snap(page, "reauth-12-outcome-in-artifact", outcome)
    board = ui.open_artifact(page, stack.artifact_versions(f"shop-{SHOP}")[0][0])
    expect(board).to_contain_text("Syncing")
    expect(board).to_contain_text("active")
    at_risk = status["ship_by_at_risk"]
    assert at_risk, "the sandbox's orders should include some near or past their ship-by time"
    first = at_risk[0]
    item = board.get_by_role("listitem").filter(has_text=f"{first['order']}: ship by").first
    expect(item).to_contain_text("late by" if first["late"] else "h left")
    shots.snap(page, "reauth-13-dashboard-active", board)
    shots.snap(page, "reauth-14-dashboard-ship-by-list", item, centre=True)
    shots.doc(page, "5-shop-dashboard", board)

    # 8. The token is in no page the seller saw, nor in what Prefect keeps of the form.
    ui.open_run(page, run.id)
    ui.newest_logs_first(page)
    for tab, shows in (
        ("Logs", ui.log_line(page, "accepted")),
        ("Artifacts", page.get_by_text(f"reauthorize-{SHOP}").first),
        ("Details", page.get_by_role("tabpanel").first),
        ("Parameters", page.get_by_text("shop_id").first),
    ):
        ui.show_tab(page, tab)
        expect(shows).to_be_visible(timeout=UI_CATCH_UP)
        shots.seen(page, f"reauthorize run, {tab} tab")
    for secret, what in ((token, "the valid token"), (WRONG_TOKEN, "the refused token")):
        shown_in = shots.pages_containing(secret)
        assert not shown_in, f"{what} appears in the HTML of: {shown_in}"
        kept = [value for value in stack.stored_inputs(run.id) if secret in value]
        assert not kept, f"{what} is still in the run's stored flow-run input"


def test_the_shop_dashboard_opens_within_two_clicks_of_the_home_page(
    stack: Stack, page: Page, shots: Shots
) -> None:
    """The server's home page (the V2 dashboard) > a sync run of the shop in its Flow Runs
    chart (1) > the dashboard link the run logs first (2): the shop's dashboard, the latest."""
    sync = stack.start_run(SYNC, {"shop_id": SHOP})
    stack.wait_final(sync)
    page.goto("/")
    run_link = page.get_by_role("link", name=f"Open flow run sync {SHOP}").first
    expect(run_link).to_be_attached(timeout=UI_CATCH_UP)
    shots.snap(page, "home-1-dashboard-flow-runs", page.get_by_text("Flow Runs").first)
    run_link.click()  # 1
    expect(page).to_have_url(re.compile(r"/runs/flow-run/"), timeout=UI_CATCH_UP)
    url = f"{stack.ui_url}{ui.UI}/artifacts/key/shop-{SHOP}"
    link = page.get_by_role("tabpanel").get_by_role("link", name=url).first
    expect(link).to_be_visible(timeout=UI_CATCH_UP)
    shots.snap(page, "home-2-run-log-links-the-dashboard", link)
    opened = ui.follow(page, link)  # 2
    board = opened.get_by_role("heading", name=f"Shop {SHOP}").first
    expect(board).to_be_visible(timeout=UI_CATCH_UP)
    expect(opened.locator("main")).to_contain_text("Everything, as text")
    shots.snap(opened, "home-3-shop-dashboard", board)


def test_token_field_is_masked(resume_form: dict[str, Any]) -> None:
    """The Resume form's token field, as Prefect's V2 UI (the server's default) renders it,
    masks what is typed."""
    if not resume_form:
        pytest.skip("the re-authorisation test did not reach the Resume form in this session")
    assert _masked(resume_form), f"the token field is not masked: {resume_form}"
    assert resume_form["autocomplete"] == "off", resume_form


def _masked(field: dict[str, Any]) -> bool:
    """A password input, or a field whose text the browser draws as discs."""
    password = field["tag"] == "input" and field["type"] == "password"
    return password or field["text_security"] not in ("none", "")


def _new_run(stack: Stack, deployment: str, before: set[str]) -> Any:
    new = [run for run in stack.runs_of(deployment) if str(run.id) not in before]
    return new[0] if new else None
