"""Counts in words, the same wherever temuship says one (the domain's reasons, the adapters'
findings, the terminal and the artifacts)."""

from __future__ import annotations


def plural(count: int, one: str, several: str | None = None) -> str:
    """`1 order`, `3 orders` (`several` when adding an s is wrong)."""
    return f"{count} {one if count == 1 else (several or one + 's')}"
