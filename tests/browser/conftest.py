"""Browser tests: Debian's chromium through Playwright, against the whole stack of the
end-to-end run (a real `prefect server start` with its UI, `prefect deploy --all`, a process
worker, the sandbox, one connected shop).

The stack is started once for the browser suite (module scope: every browser test lives in one
module, so the stack is gone before the rest of the suite runs) and every process it started
is stopped by its PID at the end, pass or fail. Screenshots go to $TEMUSHIP_BROWSER_ARTIFACTS
(default tests/browser/screenshots/, git-ignored); the ones an earlier run left there are
removed when the stack starts, and the run's summary names the directory.
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
    OWN_SHOT,
    VIEWPORT,
    Shots,
    artifacts_dir,
    clear_screenshots,
    missing_requirements,
)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "browser: drives the Prefect UI in chromium (tests/browser; needs chromium)"
    )


_SHOTS_IN: list[Path] = []  # the screenshot directory, once the stack has started


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Where this run's screenshots are (when the browser tests ran)."""
    for directory in _SHOTS_IN:
        count = len([p for p in directory.glob("*.png") if OWN_SHOT.match(p.name)])
        terminalreporter.write_line(f"browser screenshots: {count} in {directory}")


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

    clear_screenshots(artifacts_dir())
    _SHOTS_IN[:] = [artifacts_dir()]
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
    refused: list[str] = []  # the API calls the page made that failed, for a failure report
    tab.on("response", lambda r: refused.append(f"{r.status} {r.request.method} {r.url}")
           if r.status >= 400 and "/api/" in r.url else None)  # fmt: skip
    try:
        yield tab
    finally:
        failed = getattr(request.node, "report_call", None)
        if failed is not None and failed.failed:
            name = re.sub(r"[^\w.-]+", "_", request.node.name)
            tab.screenshot(path=str(artifacts_dir() / f"FAILED-{name}.png"))
            calls = "\n".join(refused[-20:]) or "none"
            print(f"page at failure: {tab.url}\nAPI calls that failed:\n{calls}\n{stack.logs()}")
        context.close()


@pytest.fixture
def shots() -> Shots:
    return Shots(artifacts_dir())


@pytest.fixture(scope="module")
def resume_form() -> dict[str, Any]:
    """What the Resume form's token field was, as the re-authorisation test saw it."""
    return {}
