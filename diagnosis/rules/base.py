"""What a rule is: a named check over a training history that returns a finding or nothing.

Rules are dataclasses so that their thresholds are named fields with defaults at the top of
each module, overridable in tests and benchmarks (`Overfitting(patience=3)`), and so the
vocabulary matches Keras callbacks users already know: `monitor`, `min_delta`, `patience`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

from diagnosis.causes import rank
from diagnosis.history import TrainingHistory
from diagnosis.models import Category, Finding, Severity

REGISTRY: dict[str, type[Rule]] = {}


class Rule(ABC):
    code: ClassVar[str]
    category: ClassVar[Category]
    # Likely causes as (cause code from diagnosis.causes.CATALOGUE, base weight): how often
    # each is behind this symptom in practice, before the run's own evidence reweighs them.
    causes: ClassVar[tuple[tuple[str, float], ...]] = ()

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
            causes=rank(self.causes if causes is None else causes, run),
        )
