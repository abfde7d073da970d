"""Every code the engine can emit is a published one (docs/design.md), in one place."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from diagnosis.audit import REGISTRY as AUDITS
from diagnosis.rules import REGISTRY as RULES
from diagnosis.taxonomy import CATALOGUE, CAUSE_CODES, CAUSES, CODES, SYMPTOMS, Code

ROOT = Path(__file__).resolve().parents[2]
PROBES = ROOT / "diagnosis" / "probes"
DESIGN = ROOT / "docs" / "design.md"


def _published(heading: str) -> set[str]:
    """The backticked codes of the paragraph in docs/design.md that starts with `heading`."""
    text = DESIGN.read_text()
    start = text.index(f"\n{heading}") + 1
    paragraph = text[start : text.index("\n\n", start)]
    return set(re.findall(r"`([a-z_]+)`", paragraph))


def test_the_taxonomy_matches_the_published_document() -> None:
    assert set(SYMPTOMS) == _published("Symptoms:")
    assert set().union(*CAUSES.values()) == _published("Causes")
    assert set(SYMPTOMS).union(*CAUSES.values()) == CODES


def test_rules_audits_and_causes_use_published_codes() -> None:
    assert set(RULES) <= CODES
    assert set(AUDITS) <= CODES
    assert set(CATALOGUE) == CAUSE_CODES
    assert {code.value for code in Code} == CODES


def test_model_audit_and_probes_use_published_codes() -> None:
    # Findings there are built inline; every code=... string literal must be a published code.
    for module in PROBES.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text())):
            if isinstance(node, ast.keyword) and node.arg == "code" and isinstance(node.value, ast.Constant):
                assert node.value.value in CODES, (module.name, node.value.value)
