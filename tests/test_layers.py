"""The architecture shows in the imports: HTTP (service/) and the shared shell (convdiag/) never
import the queue's worker side (worker/), the engine (diagnosis/) imports none of the three,
benchmarks/ never imports tests/ (what both need lives in testkit/), and no two top-level
packages import each other, even through a third."""

from __future__ import annotations

import ast
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
