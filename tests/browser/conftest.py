"""Browser tests: Debian's chromium through Playwright, against the whole stack of the
end-to-end run (a real `prefect server start` with its UI, `prefect deploy --all`, a process
worker, the sandbox, one connected shop).

The stack is started once for the browser suite (module scope: every browser test lives in one
module, so the stack is gone before the rest of the suite runs) and every process it started
is stopped by its PID at the end, pass or fail. Screenshots go to $TEMUSHIP_BROWSER_ARTIFACTS
(default tests/browser/screenshots/, git-ignored).
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.browser_env import (
    CHROMIUM,
    LAUNCH_ARGS,
    VIEWPORT,
    Shots,
    artifacts_dir,
    missing_requirements,
)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "browser: drives the Prefect UI in chromium (tests/browser; needs chromium)"
    )


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Each phase's report on the item, so the page fixture knows whether its test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="module")
def stack() -> Iterator[Any]:
    if reason := missing_requirements():
        pytest.skip(reason)
    from tests.browser.browser_support import Stack

    work = Path(tempfile.mkdtemp(prefix="temuship-browser-"))
    running = Stack(work)
    try:
        running.start()
        yield running
    except BaseException:
        print(running.logs())
        raise
    finally:
        running.stop()
        shutil.rmtree(work, ignore_errors=True)


@pytest.fixture(scope="module")
def browser(stack: Any) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Any, stack: Any, request: pytest.FixtureRequest) -> Generator[Any]:
    context = browser.new_context(viewport=VIEWPORT, base_url=stack.ui_url)
    tab = context.new_page()
    tab.set_default_timeout(30_000)
    try:
        yield tab
    finally:
        failed = getattr(request.node, "report_call", None)
        if failed is not None and failed.failed:
            name = re.sub(r"[^\w.-]+", "_", request.node.name)
            tab.screenshot(path=str(artifacts_dir() / f"FAILED-{name}.png"))
            print(f"page at failure: {tab.url}\n{stack.logs()}")
        context.close()


@pytest.fixture
def shots() -> Shots:
    return Shots(artifacts_dir())


@pytest.fixture(scope="module")
def resume_form() -> dict[str, Any]:
    """What the Resume form's token field was, as the re-authorisation test saw it."""
    return {}
