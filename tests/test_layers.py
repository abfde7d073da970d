"""The architecture shows in the imports: HTTP (service/) and the shared shell (convdiag/) never
import the queue's worker side (worker/), the engine (diagnosis/) imports none of the three,
benchmarks/ never imports tests/ (what both need lives in testkit/), no two top-level
packages import each other, even through a third, and no two modules do either, counting the
imports made late inside a function or for type checking only. And benchmarks/ and scripts/
stay within a line budget."""

from __future__ import annotations

import ast
from collections.abc import Collection
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = {
    "service": {"worker"},
    "convdiag": {"worker", "service"},
    "diagnosis": {"worker", "service", "convdiag"},
    "benchmarks": {"tests"},
    "testkit": {"tests", "benchmarks"},
}
# Every top-level package of the repository, the shipped ones and the ones around them.
PACKAGES = ("benchmarks", "convdiag", "diagnosis", "scripts", "service", "testkit", "tests", "worker")


def imported_packages(path: Path) -> set[str]:
    """Top-level packages a module imports, lazily inside functions too."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_go_one_way(package: str) -> None:
    crossings = {
        str(module.relative_to(ROOT)): sorted(imported_packages(module) & FORBIDDEN[package])
        for module in (ROOT / package).rglob("*.py")
    }
    assert {name: bad for name, bad in crossings.items() if bad} == {}


def package_graph() -> dict[str, set[str]]:
    """Which of the repository's top-level packages each one imports."""
    return {
        package: {
            imported
            for module in (ROOT / package).rglob("*.py")
            for imported in imported_packages(module)
            if imported in PACKAGES and imported != package
        }
        for package in PACKAGES
    }


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each import cycle, found by depth-first search (a path that comes back to its start)."""
    found: list[list[str]] = []

    def walk(path: list[str]) -> None:
        for nxt in sorted(graph[path[-1]]):
            if nxt == path[0]:
                found.append([*path, nxt])
            elif nxt not in path and nxt > path[0]:  # each cycle once, from its smallest member
                walk([*path, nxt])

    for start in sorted(graph):
        walk([start])
    return found


def test_no_import_cycles_between_packages() -> None:
    assert cycles(package_graph()) == []


def test_the_cycle_finder_finds_cycles() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c", "a"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


# Imports that close a loop, kept as known debts until they go. Each run checks that they are
# still there (a fixed one is dropped from here) and that nothing else loops.
KNOWN_BACK_EDGES: set[tuple[str, str]] = set()
# Modules whose type-only imports are not counted yet: the units and the checks name
# BundleFacts, which the module that runs them (settling) defines; BundleFacts beside the units
# would end it.
KNOWN_TYPE_ONLY = {"diagnosis.probes.settling"}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for package in PACKAGES for path in (ROOT / package).rglob("*.py")}


def imported_modules(
    name: str, source: str, is_package: bool, modules: Collection[str], tolerated: Collection[str] = ()
) -> set[str]:
    """The modules among `modules` that module `name` imports: at the top, inside functions and
    under `if TYPE_CHECKING:` alike (but for the `tolerated` ones there). A late import is how
    a cycle hides, and a type-only one ties the two modules' designs together as much as any.
    `from a import b` is module a.b when there is one, else a's __init__; a package's own
    __init__ is not counted for its submodules."""
    tree = ast.parse(source)
    type_only = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for statement in node.body
        for inner in ast.walk(statement)
    }
    found: set[str] = set()
    for node in ast.walk(tree):
        named: set[str] = set()
        if isinstance(node, ast.Import):
            named = {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                here = name.split(".") if is_package else name.split(".")[:-1]
                base = ".".join([*here[: len(here) - node.level + 1], *([base] if base else [])])
            named = {
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names
            }
        found |= named - set(tolerated) if id(node) in type_only else named
    return (found & set(modules)) - {name}


def module_graph(tolerated: Collection[str] = KNOWN_TYPE_ONLY) -> dict[str, set[str]]:
    return {
        name: imported_modules(name, path.read_text(), path.name == "__init__.py", MODULES, tolerated)
        for name, path in MODULES.items()
    }


def module_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Modules that import each other, directly or around a loop: every strongly connected
    component of more than one module (Tarjan), each sorted, the list sorted."""
    index: dict[str, int] = {}
    lowest: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = lowest[node] = len(index)
        stack.append(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                lowest[node] = min(lowest[node], lowest[nxt])
            elif nxt in stack:
                lowest[node] = min(lowest[node], index[nxt])
        if lowest[node] == index[node]:
            component = stack[stack.index(node) :]
            del stack[stack.index(node) :]
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def test_no_import_cycles_between_modules() -> None:
    graph = module_graph()
    fixed = sorted(edge for edge in KNOWN_BACK_EDGES if edge[1] not in graph[edge[0]])
    assert fixed == [], "no longer imported: drop these from KNOWN_BACK_EDGES"
    assert module_graph(tolerated=()) != graph, "no type-only import left: empty KNOWN_TYPE_ONLY"
    for importer, imported in KNOWN_BACK_EDGES:
        graph[importer] = graph[importer] - {imported}
    assert module_cycles(graph) == []


def test_late_and_type_only_imports_count() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "import pkg.e\n"
        "if TYPE_CHECKING:\n    from pkg.b import Thing\n    from pkg.f import Other\n"
        "def late():\n    from pkg import c\n    from . import d\n"
    )
    modules = {"pkg", "pkg.a", "pkg.b", "pkg.c", "pkg.d", "pkg.e", "pkg.f", "pkg.g"}
    found = imported_modules("pkg.a", source, False, modules)
    assert found == {"pkg.b", "pkg.c", "pkg.d", "pkg.e", "pkg.f"}
    assert imported_modules("pkg.a", source, False, modules, tolerated={"pkg.f", "pkg.e"}) == found - {
        "pkg.f"
    }


def test_the_module_cycle_finder_finds_cycles() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a", "e"}, "e": {"d"}, "f": {"a"}}
    assert module_cycles(graph) == [["a", "b", "c"], ["d", "e"]]
    assert module_cycles({"a": {"b"}, "b": set()}) == []


# Issue 15: benchmarks/ and scripts/ hold benchmarks and generators, not data written as code
# (corpora are manifests under tests/corpus/) nor what tests use too (that is testkit/). The
# budget keeps them from creeping back; 4,780 lines when it was set, under it since.
BENCHMARKS_AND_SCRIPTS_MAX_LINES = 4_000


def test_benchmarks_and_scripts_stay_within_their_line_budget() -> None:
    lines = {
        str(path.relative_to(ROOT)): len(path.read_text().splitlines())
        for package in ("benchmarks", "scripts")
        for path in sorted((ROOT / package).rglob("*.py"))
    }
    assert sum(lines.values()) < BENCHMARKS_AND_SCRIPTS_MAX_LINES, sorted(
        lines.items(), key=lambda row: -row[1]
    )
