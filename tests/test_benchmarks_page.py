"""BENCHMARKS.md stays a results page a reader takes in at once, and its links lead somewhere.

The round-by-round log lives under docs/benchmarks/; a page that grows back into a log, or a
link that a move left dangling, fails here rather than in a reader's browser.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from testkit.support import ROOT

# One screen per benchmark plus the table on top: past this the page is a log again.
MAX_LINES = 300
PAGE = ROOT / "BENCHMARKS.md"
HISTORY = ROOT / "docs" / "benchmarks"
# [text](target) with a target that is a path, not a URL or an in-page anchor.
LINK = re.compile(r"\[[^\]]*\]\((?!https?://|#|mailto:)([^)\s#]+)(?:#[^)]*)?\)")


def links(document: Path) -> list[Path]:
    return [(document.parent / target).resolve() for target in LINK.findall(document.read_text())]


def test_the_page_fits_its_line_budget() -> None:
    assert len(PAGE.read_text().splitlines()) <= MAX_LINES


def test_the_page_links_the_history_of_every_benchmark() -> None:
    targets = set(links(PAGE))
    logs = {path.resolve() for path in HISTORY.glob("*.md")} - {(HISTORY / "README.md").resolve()}
    assert logs, "docs/benchmarks/ holds no log"
    # Every log is reached from the page itself or from the index the page links to.
    assert (HISTORY / "README.md").resolve() in targets
    reached = targets | set(links(HISTORY / "README.md"))
    assert logs <= reached, sorted(str(path.relative_to(ROOT)) for path in logs - reached)


@pytest.mark.parametrize("document", [PAGE, *sorted(HISTORY.glob("*.md"))], ids=lambda p: p.name)
def test_every_relative_link_resolves(document: Path) -> None:
    found = links(document)
    missing = [str(path) for path in found if not path.exists()]
    assert missing == []


def test_nothing_cites_a_design_document_outside_the_repository() -> None:
    # The taxonomy and contract are docs/design.md; an upper-case name is the old external copy.
    name = "DESIGN" + ".md"
    hits = subprocess.run(
        ["git", "grep", "-n", "-I", "-w", name], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout
    assert hits == ""
