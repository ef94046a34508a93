"""`temuship --help` and each command's: sentences, wrapped at the terminal's width (60 and 200
columns), never cut short, and never broken where the source text happened to break."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest
from typer.main import get_command

from flows.cli.app import app

GROUP: Any = get_command(app)
COMMANDS = sorted(GROUP.commands)


def help_of(*args: str, columns: int) -> str:
    """The help as a terminal of `columns` shows it (a process of its own: the width is read
    from the environment, as a shell gives it)."""
    done = subprocess.run([sys.executable, "-m", "flows.cli", *args, "--help"],
                          env={**os.environ, "COLUMNS": str(columns)}, capture_output=True,
                          text=True, timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("columns", [60, 200])
@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_help_fits_the_width_and_nothing_is_cut_short(command: str, columns: int) -> None:
    text = help_of(*([command] if command else []), columns=columns)
    assert "…" not in text
    long = [line for line in text.splitlines() if len(line) > columns]
    assert not long, long


@pytest.mark.parametrize("command", COMMANDS)
def test_every_help_text_is_a_sentence(command: str) -> None:
    found = GROUP.commands[command]
    helps = [found.help or ""] + [getattr(p, "help", "") or "" for p in found.params]
    for words in helps:
        words = " ".join(words.split())
        assert words and words[0].isupper() and words.endswith((".", ")")), (command, words)


@pytest.mark.parametrize("columns", [60, 200])
def test_the_command_list_gives_each_summary_whole_wrapped_only_at_the_width(
    columns: int,
) -> None:
    listed = help_of(columns=columns).split("Commands:\n")[1]
    entries: dict[str, str] = {}
    for line in listed.splitlines():
        if line.startswith("  ") and not line.startswith("   "):
            name, _, words = line.strip().partition(" ")
            entries[name] = words
        elif line.strip():
            entries[name] += " " + line.strip()
    for command in COMMANDS:
        summary = " ".join((GROUP.commands[command].help or "").split("\n\n")[0].split())
        assert " ".join(entries[command].split()) == summary, (command, entries[command])
