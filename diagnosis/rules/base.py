"""What a rule is: a named check over a training history that returns a finding or nothing.

Rules are dataclasses so that their thresholds are named fields with defaults at the top of
each module, overridable in tests and benchmarks (`Overfitting(patience=3)`), and so the
vocabulary matches Keras callbacks users already know: `monitor`, `min_delta`, `patience`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

from diagnosis.history import TrainingHistory
from diagnosis.models import EvidenceSource, Finding, Severity
from diagnosis.taxonomy import Category, Code
from diagnosis.units import Unit

REGISTRY: dict[str, type[Rule]] = {}


class Rule(ABC, Unit):
    code: ClassVar[Code]
    category: ClassVar[Category]
    # The causes this finding is evidence for, as (cause code, weight): 1 for a usual cause of
    # it, 3-4 for the first thing to suspect. diagnosis.evidence turns a weight into a
    # likelihood ratio and weighs it with everything else known about the run.
    causes: ClassVar[tuple[tuple[str, float], ...]] = ()
    # Rules that read the caller's metadata rather than the curves say so.
    source: ClassVar[EvidenceSource] = EvidenceSource.curve_rule

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.code in REGISTRY:
            raise TypeError(f"two rules claim the code {cls.code!r}")
        REGISTRY[cls.code] = cls

    @abstractmethod
    def check(self, run: TrainingHistory) -> Finding | None:
        """Return a finding when the run shows what this rule detects."""

    def finding(
        self,
        run: TrainingHistory,
        *,
        severity: Severity,
        confidence: float,
        summary: str,
        evidence: dict[str, Any],
        recommendation: str,
        fix: dict[str, Any] | None = None,
        epochs: list[int] | None = None,
        causes: tuple[tuple[str, float], ...] | None = None,
    ) -> Finding:
        return Finding(
            code=self.code,
            category=self.category,
            severity=severity,
            confidence=round(confidence, 3),
            summary=summary,
            evidence=evidence,
            recommendation=recommendation,
            fix=fix or {},
            epochs=epochs or [],
            source=self.source,
            supports={Code(code): weight for code, weight in (self.causes if causes is None else causes)},
        )
