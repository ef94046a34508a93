"""README's admin examples of the sandbox ("The sandbox's admin API"), run as written with curl
against a sandbox like `temuship sandbox`'s (200 orders of seed 7, a shop named `sandbox`
connected and synced once), in order; and every admin route of both simulated APIs is among
them."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from adapters.sandbox.launcher import Sandbox
from adapters.sandbox.shipstation.app import create_shipstation_app
from adapters.sandbox.temu.app import create_temu_app
from tests.integration.sync.sync_helpers import Cli

README = Path(__file__).resolve().parents[3] / "README.md"
BLOCK = re.compile(r"<!-- sandbox-admin:start -->(.*?)<!-- sandbox-admin:end -->", re.S)
PORTS = {"http://127.0.0.1:8711": "temu", "http://127.0.0.1:8712": "shipstation"}


def examples() -> list[list[str]]:
    """Each curl line of the block, as arguments (its comment left out)."""
    found = BLOCK.search(README.read_text())
    assert found, "README has no sandbox-admin block"
    lines = [line for line in found.group(1).splitlines() if line.startswith("curl ")]
    return [shlex.split(line, comments=True) for line in lines]


def method_and_url(argv: list[str]) -> tuple[str, str]:
    method = argv[argv.index("-X") + 1] if "-X" in argv else "GET"
    return method, next(arg for arg in argv if arg.startswith("http://"))


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox() as running:  # as `temuship sandbox` makes it
        running.temu.seed_orders(200)
        yield running


@pytest.mark.skipif(shutil.which("curl") is None, reason="no curl on this machine")
def test_every_admin_example_works_as_written_in_order(
    sandbox: Sandbox, any_database_url: str, tmp_path: Path
) -> None:
    cli = Cli(any_database_url, tmp_path / "home", sandbox)
    assert cli.connect("sandbox").exit_code == 0
    cli.json("sync", "sandbox")
    urls = {"temu": sandbox.temu_url, "shipstation": sandbox.shipstation_url}
    for argv in examples():
        sent = [_here(arg, urls) for arg in argv]
        done = subprocess.run([sent[0], "--fail-with-body", *sent[1:]], capture_output=True,
                              text=True, timeout=30)  # fmt: skip
        assert done.returncode == 0, f"{shlex.join(argv)}\n{done.stdout}{done.stderr}"


def _here(arg: str, urls: dict[str, str]) -> str:
    for written, api in PORTS.items():
        arg = arg.replace(written, urls[api])
    return arg


def routes_of(app: Any, prefix: str = "") -> Iterator[tuple[str, set[str]]]:
    """(path, methods) of every route of an ASGI app: the FastAPI app inside the gates and
    middleware, and the routers it includes (with their prefixes)."""
    while not hasattr(app, "routes"):
        app = getattr(app, "app", None) or app.api
    for route in app.routes:
        if hasattr(route, "original_router"):  # an included router
            yield from routes_of(route.original_router, prefix + route.include_context.prefix)
        elif hasattr(route, "path"):
            yield prefix + route.path, set(getattr(route, "methods", None) or ())


def test_every_admin_route_of_both_sandboxes_has_an_example() -> None:
    shown = [method_and_url(argv) for argv in examples()]
    checked = 0
    for base, app in (("http://127.0.0.1:8711", create_temu_app()),
                      ("http://127.0.0.1:8712", create_shipstation_app())):  # fmt: skip
        for path, methods in routes_of(app):
            if not path.startswith("/admin") or path.startswith("/admin/docs"):
                continue
            pattern = re.compile(re.escape(base) + re.sub(r"\\\{[^}]+\\\}", "[^/]+",
                                                          re.escape(path)) + "$")  # fmt: skip
            for method in sorted(methods - {"HEAD"}):
                checked += 1
                assert any(m == method and pattern.match(u) for m, u in shown), (
                    f"README shows no example of {method} {base}{path}"
                )
    assert checked == len(shown), f"{checked} admin routes, {len(shown)} examples"
