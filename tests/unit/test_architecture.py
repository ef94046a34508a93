"""The layout keeps its shape: no import cycle between modules, no function over 60 lines, no
module over 400, a public function name means one thing in domain/, and only the composition
root builds API clients."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).parents[2]
PACKAGES = ("domain", "adapters", "flows")
MAX_FUNCTION_LINES = 60
MAX_MODULE_LINES = 400


def source_files() -> list[Path]:
    return sorted(p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py"))


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking_only(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            return True
    return False


def imports_of(path: Path, modules: set[str]) -> set[str]:
    """The project modules a module imports at run time (TYPE_CHECKING imports left out)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    found: set[str] = set()
    for node in ast.walk(tree):
        if _type_checking_only(node, parents):
            continue
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        found |= {name for name in names if name in modules}
    return found - {module_name(path)}


def import_graph() -> dict[str, set[str]]:
    files = {module_name(p): p for p in source_files()}
    return {name: imports_of(path, set(files)) for name, path in files.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


class TestImports:
    def test_no_module_imports_itself_through_others(self):
        cycle = find_cycle(import_graph())
        assert cycle is None, " -> ".join(cycle or [])

    def test_the_cycle_finder_finds_a_cycle(self):
        assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
        assert find_cycle({"a": {"b"}, "b": set()}) is None

    def test_dependencies_point_inward(self):
        graph = import_graph()
        for module, imported in graph.items():
            if module.startswith("domain"):
                assert not {m for m in imported if not m.startswith("domain")}, module
            if module.startswith("adapters"):
                assert not {m for m in imported if m.startswith("flows")}, module

    def test_only_the_composition_root_builds_api_clients(self):
        builders = []
        for path in source_files():
            text = path.read_text(encoding="utf-8")
            if "TemuClient(" in text or "ShipStationClient(" in text:
                builders.append(module_name(path))
        assert set(builders) <= {
            "flows.wiring",
            "adapters.temu.client",
            "adapters.shipstation.client",
        }


class TestSize:
    def test_no_function_is_longer_than_sixty_lines(self):
        long = []
        for path in source_files():
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    length = (node.end_lineno or node.lineno) - node.lineno + 1
                    if length > MAX_FUNCTION_LINES:
                        long.append(f"{module_name(path)}.{node.name}: {length} lines")
        assert not long, long

    def test_no_module_is_longer_than_four_hundred_lines(self):
        long = [
            f"{module_name(path)}: {lines} lines"
            for path in source_files()
            if "migrations" not in path.parts
            and (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
        ]
        assert not long, long


def public_functions(path: Path) -> set[str]:
    """The module-level functions a module defines that other modules may call."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    functions = (n for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef))
    return {node.name for node in functions if not node.name.startswith("_")}


class TestNames:
    def test_a_public_function_name_is_defined_once_in_the_domain(self):
        seen: dict[str, list[str]] = {}
        for path in sorted((ROOT / "domain").rglob("*.py")):
            for name in public_functions(path):
                seen.setdefault(name, []).append(module_name(path))
        assert not {name: where for name, where in seen.items() if len(where) > 1}

    def test_the_name_check_sees_a_name_defined_twice(self, tmp_path):
        for module in ("a", "b"):
            (tmp_path / f"{module}.py").write_text("def gate():\n    pass\n")
        names = [public_functions(tmp_path / f"{m}.py") for m in ("a", "b")]
        assert names[0] & names[1] == {"gate"}
