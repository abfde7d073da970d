"""The architecture shows in the imports: HTTP (service/) and the shared shell (convdiag/) never
import the queue's worker side (worker/), and the engine (diagnosis/) imports none of the three."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = {
    "service": {"worker"},
    "convdiag": {"worker", "service"},
    "diagnosis": {"worker", "service", "convdiag"},
}


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
