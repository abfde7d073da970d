"""Every code the engine can emit is a published one (DESIGN.md), in one place."""

from __future__ import annotations

import ast
from pathlib import Path

from diagnosis.audit import REGISTRY as AUDITS
from diagnosis.causes import CATALOGUE
from diagnosis.rules import REGISTRY as RULES
from diagnosis.taxonomy import CAUSES, CODES, SYMPTOMS

PROBES = Path(__file__).resolve().parents[2] / "diagnosis" / "probes"


def test_the_taxonomy_matches_design() -> None:
    assert len(SYMPTOMS) == 12
    assert sum(len(codes) for codes in CAUSES.values()) == 25
    assert len(CODES) == 37


def test_rules_audits_and_causes_use_published_codes() -> None:
    assert set(RULES) <= CODES
    assert set(AUDITS) <= CODES
    assert set(CATALOGUE) <= CODES


def test_model_audit_and_probes_use_published_codes() -> None:
    # Findings there are built inline; every code=... string literal must be a published code.
    for module in PROBES.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text())):
            if isinstance(node, ast.keyword) and node.arg == "code" and isinstance(node.value, ast.Constant):
                assert node.value.value in CODES, (module.name, node.value.value)
