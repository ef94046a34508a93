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
