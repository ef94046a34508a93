"""Print the order and token machines as mermaid, or rewrite them into the README."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from domain.order_machine import mermaid_diagram

START, END = "<!-- order-machine:start -->", "<!-- order-machine:end -->"


def block() -> str:
    return f"{START}\n```mermaid\n{mermaid_diagram()}\n```\n{END}"


def rewrite(readme: Path) -> bool:
    text = readme.read_text(encoding="utf-8")
    new = re.sub(re.escape(START) + r".*?" + re.escape(END), block(), text, flags=re.S)
    if new != text:
        readme.write_text(new, encoding="utf-8")
    return new != text


if __name__ == "__main__":
    if len(sys.argv) > 1:
        print("README updated" if rewrite(Path(sys.argv[1])) else "README already current")
    else:
        print(mermaid_diagram())
