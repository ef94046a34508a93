"""The Prefect UI moves the browser tests make, in the UI `prefect server start` (3.9.1) shows
by default: its V2 UI (under /v2; the root redirects there when the browser has no saved
preference). temuship's links (the shop dashboard, the reauthorize artifact) point there too.

Its Resume form renders the token field (`format: password`) as <input type=password>; the
older V1 UI (the same paths without /v2, behind "Switch to V1 UI") renders it as a plain
<textarea>. Pages scroll inside a container: callers scroll to what they capture."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from playwright.sync_api import Locator, Page, expect

UI = "/v2"
# The label of the Resume form's field for `NewToken.access_token` (flows/reauthorize.py).
TOKEN_LABEL = "Access Token"


def run_path(run_id: UUID | str) -> str:
    return f"{UI}/runs/flow-run/{run_id}"


def open_run(page: Page, run_id: UUID | str) -> None:
    page.goto(run_path(run_id))
    expect(state_badge(page)).to_be_visible(timeout=60_000)


def state_badge(page: Page) -> Locator:
    """The run's state, under its name in the page heading (the first badge coloured by a
    state: tag badges come before it)."""
    return page.locator("[data-slot=badge][class*='bg-state-']").first


def expect_state(page: Page, state: str | re.Pattern[str], timeout: float) -> None:
    expect(state_badge(page)).to_have_text(state, timeout=timeout)


def runs_list_badge(page: Page, run_id: UUID | str) -> Locator:
    """The state badge of one run in the Runs page's list (the row holding its link)."""
    page.goto(f"{UI}/runs")
    row = page.locator(f"a[href*='/runs/flow-run/{run_id}']").first
    expect(row).to_be_visible(timeout=60_000)
    for depth in range(1, 8):  # the nearest ancestor of the link that holds a state badge
        holder = row.locator(f"xpath=ancestor::*[{depth}]")
        badge = holder.locator("[class*='bg-state-']")
        if badge.count():
            return badge.first
    raise AssertionError(f"no state badge near run {run_id} in the runs list")


def follow(page: Page, link: Locator) -> Page:
    """Click a link: the page it opens (a new tab when the link asks for one)."""
    if (link.get_attribute("target") or "") == "_blank":
        with page.context.expect_page() as opened:
            link.click()
        new = opened.value
        new.wait_for_load_state()
        return new
    link.click()
    return page


def show_tab(page: Page, name: str) -> Locator:
    tab = page.get_by_role("tab", name=name, exact=True)
    tab.click()
    return tab


def log_line(page: Page, text: str | re.Pattern[str]) -> Locator:
    """A line of the Logs tab (shown by default; it refreshes itself while the run is live).
    The tab renders the lines near the top only: call `newest_logs_first` for a late one."""
    return page.get_by_role("tabpanel").get_by_text(text).first


LOG_ORDERS = re.compile("Oldest to newest|Newest to oldest")


def newest_logs_first(page: Page) -> None:
    """Sort the Logs tab newest first (the browser remembers the choice)."""
    sort = page.get_by_role("combobox").filter(has_text=LOG_ORDERS)
    expect(sort).to_be_visible(timeout=30_000)
    if "Oldest to newest" in sort.inner_text():
        sort.click()
        page.get_by_role("option", name="Newest to oldest").click()
    expect(sort).to_have_text("Newest to oldest")


def open_resume_form(page: Page) -> Locator:
    """The run's menu (the ⋮ button in the heading) > Resume: the modal with the form built
    from the run's input schema."""
    page.locator("button[aria-haspopup=menu]").first.click()
    page.get_by_role("menuitem", name="Resume", exact=True).click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible(timeout=15_000)
    expect(token_field(dialog)).to_be_visible(timeout=15_000)
    return dialog


def token_field(dialog: Locator) -> Locator:
    """The token field, by its label (never by its type: the masking is what is tested)."""
    return dialog.get_by_label(re.compile(rf"^\s*{TOKEN_LABEL}\b")).first


def describe_field(field: Locator) -> dict[str, Any]:
    """What the browser renders for a form field, as facts a report can quote."""
    return dict(
        field.evaluate(
            """el => {
                const style = getComputedStyle(el);
                return {
                    tag: el.tagName.toLowerCase(),
                    type: el.getAttribute("type"),
                    autocomplete: el.getAttribute("autocomplete"),
                    text_security: style.getPropertyValue("-webkit-text-security") || "none",
                };
            }"""
        )
    )


def submit_resume(dialog: Locator) -> None:
    dialog.get_by_role("button", name="Resume", exact=True).click()
    expect(dialog).to_be_hidden(timeout=30_000)


def open_artifact(page: Page, artifact_id: UUID | str) -> Locator:
    """An artifact's page; returns its rendered markdown."""
    page.goto(f"{UI}/artifacts/artifact/{artifact_id}")
    shown = page.get_by_test_id("markdown-display").first
    expect(shown).to_be_visible(timeout=30_000)
    return shown


# --- a deployment's custom run ------------------------------------------------------------------


def open_custom_run(page: Page, deployment_id: UUID | str) -> None:
    """The deployment's page > Run > Custom run: the form built from its parameter schema."""
    page.goto(f"{UI}/deployments/deployment/{deployment_id}")
    page.get_by_role("button", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Custom run", exact=True).click()
    expect(page).to_have_url(re.compile(r"/deployments/deployment/[^/]+/run\b"), timeout=30_000)
    expect(page.get_by_role("heading", name="Parameters")).to_be_visible(timeout=30_000)


def parameter(page: Page, name: str) -> Locator:
    """One parameter of the run form: its label ("name" or "name (Optional)"), its help text
    and its field, i.e. the nearest block around the label that holds a fieldset."""
    label = page.locator("label").filter(has_text=re.compile(rf"^\s*{re.escape(name)}\b"))
    return label.first.locator("xpath=ancestor::*[.//fieldset][1]")


def fill_list(block: Locator, values: list[str]) -> None:
    """A list parameter: one item per value (Add item, then type it)."""
    for i, value in enumerate(values):
        block.get_by_role("button", name="Add item").click()
        block.locator("fieldset").locator("textarea, input").nth(i).fill(value)
