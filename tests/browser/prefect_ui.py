"""The Prefect UI moves the browser tests make (Prefect 3's default UI, as `prefect server start`
serves it). Run pages scroll inside a container: callers scroll to what they capture."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from playwright.sync_api import Locator, Page, expect

# The field the Resume form renders for `NewToken.access_token` (flows/reauthorize.py).
TOKEN_FIELD = "textarea, input"
TOKEN_LABEL = "Access Token"


def open_run(page: Page, run_id: UUID | str) -> None:
    page.goto(f"/runs/flow-run/{run_id}")
    expect(state_badge(page)).to_be_visible(timeout=60_000)


def state_badge(page: Page) -> Locator:
    """The run's state, in the page heading (the first state badge on a run page)."""
    return page.locator(".state-badge").first


def expect_state(page: Page, state: str, timeout: float) -> None:
    expect(state_badge(page)).to_have_text(state, timeout=timeout)


def show_tab(page: Page, name: str) -> Locator:
    tab = page.locator("li.p-tab").filter(has_text=re.compile(rf"^\s*{re.escape(name)}\s*$"))
    tab.click()
    return tab


def log_line(page: Page, text: str | re.Pattern[str]) -> Locator:
    """A line of the Logs tab (it refreshes itself while the run is live)."""
    return page.locator(".log-row").filter(has_text=text).first


def open_resume_form(page: Page) -> Locator:
    """Click Resume on a paused run: the modal with the form built from the run's input schema."""
    page.get_by_role("button", name="Resume", exact=True).click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible(timeout=15_000)
    expect(token_field(dialog)).to_be_visible(timeout=15_000)
    return dialog


def token_property(dialog: Locator) -> Locator:
    label = dialog.page.locator(".schema-form-property__label").filter(  # relative to each property
        has_text=re.compile(rf"^\s*{TOKEN_LABEL}\s*$")
    )
    return dialog.locator(".schema-form-property").filter(has=label).first


def token_field(dialog: Locator) -> Locator:
    return token_property(dialog).locator(TOKEN_FIELD).first


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
                    classes: el.className,
                    wrapper_classes: el.parentElement ? el.parentElement.className : null,
                    text_security: style.getPropertyValue("-webkit-text-security") || "none",
                    outer_html: el.outerHTML,
                };
            }"""
        )
    )


def submit(dialog: Locator) -> None:
    dialog.get_by_role("button", name="Submit", exact=True).click()
    expect(dialog).to_be_hidden(timeout=30_000)


def form_property(page: Page, label: str) -> Locator:
    """One parameter of a schema form (the custom-run page), by its label."""
    name = page.locator(".schema-form-property__label").filter(
        has_text=re.compile(rf"^\s*{re.escape(label)}\s*$")
    )
    return page.locator(".schema-form-property").filter(has=name).first


# --- Prefect's V2 UI ----------------------------------------------------------------------------
# What `prefect server start` (3.9.1) opens at its root, and where temuship's links point (the
# shop dashboard, the reauthorize artifact): its Resume form renders the token field
# (`format: password`) as <input type=password>. The V1 UI (the paths above, without /v2)
# renders it as a plain <textarea>.

V2 = "/v2"


def v2_open_run(page: Page, run_id: UUID | str) -> None:
    page.goto(f"{V2}/runs/flow-run/{run_id}")
    expect(v2_state_badge(page)).to_be_visible(timeout=60_000)


def v2_state_badge(page: Page) -> Locator:
    """The run's state, under its name in the page heading (the first badge coloured by a
    state: tag badges come before it)."""
    return page.locator("[data-slot=badge][class*='bg-state-']").first


def v2_expect_state(page: Page, state: str, timeout: float) -> None:
    expect(v2_state_badge(page)).to_have_text(state, timeout=timeout)


def v2_show_tab(page: Page, name: str) -> Locator:
    tab = page.get_by_role("tab", name=name, exact=True)
    tab.click()
    return tab


def v2_log_line(page: Page, text: str | re.Pattern[str]) -> Locator:
    """A line of the Logs tab (shown by default; it refreshes itself while the run is live)."""
    return page.get_by_role("tabpanel").get_by_text(text).first


def v2_open_resume_form(page: Page) -> Locator:
    """The run's menu (the ⋮ button in the heading) > Resume: the modal with the form built
    from the run's input schema."""
    page.locator("button[aria-haspopup=menu]").first.click()
    page.get_by_role("menuitem", name="Resume", exact=True).click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible(timeout=15_000)
    expect(v2_token_field(dialog)).to_be_visible(timeout=15_000)
    return dialog


def v2_token_field(dialog: Locator) -> Locator:
    """The token field, by its label (never by its type: the masking is what is tested)."""
    return dialog.get_by_label(re.compile(rf"^\s*{TOKEN_LABEL}\b")).first


def v2_submit(dialog: Locator) -> None:
    dialog.get_by_role("button", name="Resume", exact=True).click()
    expect(dialog).to_be_hidden(timeout=30_000)


def v2_open_artifact(page: Page, artifact_id: UUID | str) -> Locator:
    """An artifact's page; returns its rendered markdown."""
    page.goto(f"{V2}/artifacts/artifact/{artifact_id}")
    shown = page.get_by_test_id("markdown-display").first
    expect(shown).to_be_visible(timeout=30_000)
    return shown
