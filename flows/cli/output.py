"""Where the temuship command writes: results on stdout, problems on stderr, JSON for scripts;
and how it names a command a person may paste (`command`)."""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import textwrap
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

WHOLE = frozenset({"order", "shipment", "tracking", "when", "ship by", "left"})
TRAILING = re.compile(r" +((?:\x1b\[[0-9;]*m)*)$")  # spaces ending a line (before its resets)
QUOTED_COMMAND = re.compile(r"`(temuship|prefect) ")  # a command quoted in a sentence

# No automatic highlighting: rich would colour numbers, brackets and words like `call(s)` at
# random. Colour is only what temuship asks for (a green ✔, a red ✘).
out = Console(highlight=False)
err = Console(stderr=True, highlight=False)


def problem(text: str) -> None:
    """A refusal or failure on stderr, in red: as written (no markup read in it: Temu's and
    ShipStation's answers may hold brackets) and on one line however narrow the terminal."""
    err.print(pasteable(text), style="red", markup=False, highlight=False, soft_wrap=True)


def say(text: str, indent: int = 0) -> None:
    """Sentences on stdout, as written (no markup read in it), wrapped at word boundaries to
    the terminal's width, each line indented by `indent` spaces and none ending in spaces."""
    pad = " " * indent
    wrapped = textwrap.fill(pasteable(text), width=max(20, out.width), initial_indent=pad,
                            subsequent_indent=pad, break_on_hyphens=False,
                            break_long_words=False)  # fmt: skip
    out.print(wrapped, markup=False, soft_wrap=True)


def show(renderable: Any) -> None:
    """A table (or any rich renderable) without the spaces rich pads its last column with."""
    with out.capture() as captured:
        out.print(renderable)
    text = "\n".join(TRAILING.sub(r"\1", row) for row in captured.get().splitlines())
    out.file.write(text + "\n")


def line(text: str) -> None:
    """A line to copy (a command, a URL): never wrapped, never marked up."""
    out.print(text, markup=False, soft_wrap=True)


def table(*columns: str) -> Table:
    """An aligned table without borders (a header row when columns are named): the first
    column and those of numbers and times (WHOLE) never wrapped, the others wrapped at word
    boundaries, never cut short."""
    grid = Table(box=None, show_header=any(columns), header_style="bold", pad_edge=False,
                 padding=(0, 2, 0, 0))  # fmt: skip
    for index, name in enumerate(columns):
        whole = index == 0 or name in WHOLE
        grid.add_column(name, no_wrap=whole, overflow="fold")
    return grid


def dump(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")


def command(name: str = "temuship") -> str:
    """How to type `name` (temuship, prefect) in this shell so that it runs the one installed
    beside this temuship: the bare name when PATH finds that one (the virtualenv is active),
    else its path (`.venv/bin/temuship` from the project directory, or the whole path)."""
    beside = Path(sys.executable).parent / name
    if not beside.exists():
        return name
    found = shutil.which(name)
    if found and Path(found).resolve() == beside.resolve():
        return name
    relative = os.path.relpath(beside)
    return relative if not relative.startswith("..") else str(beside)


def pasteable(text: str) -> str:
    """`text` with each command it quotes (`temuship ...`, `prefect ...`, as the domain and the
    flows write them) named as this shell must type it (`command`)."""
    return QUOTED_COMMAND.sub(lambda found: f"`{command(found.group(1))} ", text)
