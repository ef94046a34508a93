"""Where the temuship command writes: results on stdout, problems on stderr, JSON for scripts."""

from __future__ import annotations

import json
import sys
from typing import Any

from rich.console import Console

out = Console()
err = Console(stderr=True)


def problem(text: str) -> None:
    """A refusal or failure on stderr, in red: as written (no markup read in it: Temu's and
    ShipStation's answers may hold brackets) and on one line however narrow the terminal."""
    err.print(text, style="red", markup=False, highlight=False, soft_wrap=True)


def dump(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")
