"""Where the browser comes from: Debian's chromium, driven by the playwright pip package. Nothing
is downloaded at run time (`playwright install` is never needed, nor run)."""

from __future__ import annotations

import importlib.util
import os
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


class Shots:
    """Screenshots, one per step, and the HTML of every page state they show."""

    def __init__(self, directory: Path) -> None:
        self.dir = directory
        self.taken: list[Path] = []
        self.html: list[tuple[str, str]] = []

    def snap(self, page: Any, name: str, focus: Any = None) -> Path:
        """Scroll `focus` into view (pages scroll inside a container), then capture the page."""
        if focus is not None:
            focus.scroll_into_view_if_needed(timeout=15_000)
        path = self.dir / f"{name}.png"
        page.screenshot(path=str(path))
        self.taken.append(path)
        self.seen(page, name)
        return path

    def seen(self, page: Any, label: str) -> None:
        self.html.append((f"{label} ({page.url})", page.content()))

    def pages_containing(self, text: str) -> list[str]:
        return [label for label, html in self.html if text in html]
