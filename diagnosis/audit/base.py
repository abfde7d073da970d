"""What an audit check is: a named look at a bundle's arrays that returns a finding or nothing.

Mirrors `diagnosis.rules`: one check per module, its thresholds named at the top, registered
by being defined. Each check computes a score in 0..1 (how sure it is that the problem is
there and matters), which becomes the finding's confidence; the evidence carries the numbers
behind it, and the fix says the change as data where it can.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

from diagnosis.bundle import BundleData, ModelInfo
from diagnosis.models import EvidenceSource, Finding, Severity
from diagnosis.taxonomy import Category, Code
from diagnosis.units import Unit

REGISTRY: dict[Code, type[Check]] = {}


class Check(ABC, Unit):
    code: ClassVar[Code]
    category: ClassVar[Category] = Category.data
    # Every check's silence rules its cause out (diagnosis.evidence.CLEARED_LR), except where it
    # needs a validation split to say anything and the bundle has none.
    needs_validation: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.code in REGISTRY:
            raise TypeError(f"two audit checks claim the code {cls.code!r}")
        REGISTRY[cls.code] = cls

    @abstractmethod
    def check(self, data: BundleData, model: ModelInfo | None) -> Finding | None:
        """Return a finding when the data shows what this check detects."""

    def finding(
        self,
        *,
        severity: Severity,
        score: float,
        summary: str,
        evidence: dict[str, Any],
        recommendation: str,
        fix: dict[str, Any] | None = None,
    ) -> Finding:
        return Finding(
            code=self.code,
            category=self.category,
            source=EvidenceSource.data_audit,
            severity=severity,
            confidence=round(min(1.0, max(0.0, score)), 3),
            summary=summary,
            evidence=evidence,
            recommendation=recommendation,
            fix=fix or {},
        )
