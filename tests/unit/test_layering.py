"""The domain imports no I/O library, no concurrency and nothing from adapters/ or flows/: it runs
on its caller's thread (a call that may run beside it goes through the Background port)."""

import ast
import sys
from pathlib import Path

import pytest

DOMAIN = Path(__file__).parents[2] / "domain"
IO_MODULES = {
    "os",
    "io",
    "socket",
    "http",
    "urllib",
    "sqlite3",
    "subprocess",
    "pathlib",
    "shutil",
    "asyncio",
    "logging",
    "tempfile",
    "ssl",
    "select",
}
CONCURRENCY_MODULES = {"threading", "concurrent", "multiprocessing", "asyncio", "contextvars",
                       "_thread", "queue"}  # fmt: skip
ALLOWED_THIRD_PARTY = {"transitions"}


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("path", sorted(DOMAIN.rglob("*.py")), ids=lambda p: p.name)
def test_domain_module_imports_only_the_standard_library_and_transitions(path):
    roots = imported_roots(path) - {"__future__", "domain"}
    foreign = {r for r in roots if r not in sys.stdlib_module_names} - ALLOWED_THIRD_PARTY
    assert not foreign, f"{path.name} imports {foreign}"
    assert not roots & IO_MODULES, f"{path.name} imports I/O modules {roots & IO_MODULES}"
    assert not roots & CONCURRENCY_MODULES, f"{path.name} imports {roots & CONCURRENCY_MODULES}"
    assert not roots & {"adapters", "flows"}


def test_the_concurrency_check_sees_a_threading_import(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("import threading\nfrom concurrent.futures import Future\n")
    assert imported_roots(module) & CONCURRENCY_MODULES == {"threading", "concurrent"}
