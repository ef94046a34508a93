"""Where the browser comes from: Debian's chromium, driven by the playwright pip package. Nothing
is downloaded at run time (`playwright install` is never needed, nor run)."""

from __future__ import annotations

import importlib.util
import os
import re
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1400, "height": 900}


def missing_requirements() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    lacking = []
    if not os.access(CHROMIUM, os.X_OK):
        lacking.append(f"no {CHROMIUM} (apt-get install -y chromium)")
    try:
        has_playwright = importlib.util.find_spec("playwright") is not None
    except ValueError:  # a stub in sys.modules
        has_playwright = False
    if not has_playwright:
        lacking.append("no playwright package (pip install playwright; no `playwright install`)")
    return "browser tests skipped: " + "; ".join(lacking) if lacking else None


def artifacts_dir() -> Path:
    """$TEMUSHIP_BROWSER_ARTIFACTS, or tests/browser/screenshots/ (git-ignored)."""
    given = os.environ.get("TEMUSHIP_BROWSER_ARTIFACTS")
    path = Path(given).resolve() if given else Path(__file__).resolve().parent / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


# The screenshots this suite writes (and, on a failure, FAILED-<test>.png): cleared from the
# artifacts directory when the suite starts, so what it holds is the last run's.
OWN_SHOT = re.compile(r"^(FAILED-.+|rerun-.+|reauth-.+|home-.+)\.png$")


def clear_screenshots(directory: Path) -> int:
    """Remove the screenshots an earlier run of this suite left in `directory` (nothing else)."""
    old = [path for path in directory.glob("*.png") if OWN_SHOT.match(path.name)]
    for path in old:
        path.unlink(missing_ok=True)
    return len(old)


DOC_LIMIT = 150_000  # bytes: README screenshots stay small
SIDEBAR = 255  # px: Prefect's navigation column, left of every page


def docs_dir() -> Path | None:
    """docs/ui/ when $TEMUSHIP_DOCS_SCREENSHOTS is set (1, or a directory), else None."""
    given = os.environ.get("TEMUSHIP_DOCS_SCREENSHOTS")
    if not given:
        return None
    root = Path(__file__).resolve().parents[2]
    path = root / "docs" / "ui" if given == "1" else Path(given).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def _scroll_to(locator: Any, attempts: int = 3) -> None:
    """Scroll a locator into view; the V2 UI re-renders a page when its data refreshes, which
    can detach the element mid-scroll: the locator then finds the new one."""
    for attempt in range(attempts):
        try:
            locator.scroll_into_view_if_needed(timeout=15_000)
            return
        except Exception:
            if attempt == attempts - 1:
                raise
            locator.page.wait_for_timeout(1_000)


def _box(locator: Any, pad: int = 12) -> dict[str, float]:
    box = locator.bounding_box()
    assert box is not None, "nothing to cut the screenshot to"
    x, y = max(0.0, box["x"] - pad), max(0.0, box["y"] - pad)
    return {"x": x, "y": y, "width": min(box["width"] + 2 * pad, VIEWPORT["width"] - x),
            "height": min(box["height"] + 2 * pad, VIEWPORT["height"] - y)}  # fmt: skip


class Shots:
    """Screenshots, one per step, and the HTML of every page state they show."""

    def __init__(self, directory: Path) -> None:
        self.dir = directory
        self.taken: list[Path] = []
        self.html: list[tuple[str, str]] = []

    def snap(
        self, page: Any, name: str, focus: Any = None, html: bool = True, centre: bool = False
    ) -> Path:
        """Scroll `focus` into view (pages scroll inside a container; to the middle of the
        screen when `centre`), then capture the page (and its HTML, unless `html` is False: a
        form with what the person typed in it)."""
        if focus is not None:
            _scroll_to(focus)
            if centre:
                focus.evaluate("el => el.scrollIntoView({block: 'center'})")
        path = self.dir / f"{name}.png"
        page.screenshot(path=str(path))
        self.taken.append(path)
        if html:
            self.seen(page, name)
        return path

    def doc(self, page: Any, name: str, focus: Any = None, region: Any = None) -> Path | None:
        """A screenshot for the README (docs/ui/<name>.png, under DOC_LIMIT bytes), taken only
        when $TEMUSHIP_DOCS_SCREENSHOTS is set. Too big whole, it is cut to `region` (a
        locator), then to the page right of the sidebar, then to `focus`."""
        target = docs_dir()
        if target is None:
            return None
        if focus is not None:
            _scroll_to(focus)
        page.wait_for_timeout(500)  # let a transition end
        path = target / f"{name}.png"
        width, height = VIEWPORT["width"], VIEWPORT["height"]
        cuts: list[Any] = [None]
        if region is not None:
            cuts.append(_box(region))
        cuts.append({"x": SIDEBAR, "y": 0, "width": width - SIDEBAR, "height": height})
        if focus is not None:
            cuts.append(_box(focus))
        for clip in cuts:
            page.screenshot(path=str(path), clip=clip, animations="disabled")
            if path.stat().st_size < DOC_LIMIT:
                return path
        path.unlink()
        raise AssertionError(f"no screenshot {name} under {DOC_LIMIT} bytes")

    def seen(self, page: Any, label: str) -> None:
        self.html.append((f"{label} ({page.url})", page.content()))

    def pages_containing(self, text: str) -> list[str]:
        return [label for label, html in self.html if text in html]
