"""The model audit: the model's wiring against its loss and its labels, before any training.

Every module in this package but `base` and `linear_capacity` defines one `ModelCheck`
subclass; it is registered by being defined and found by importing this package, so adding a
check means adding one module here plus its test. Mismatches between output layer, loss and
labels are the most common reason a model "does not learn" and the cheapest to find.
"""

from __future__ import annotations

import importlib
import pkgutil

from diagnosis.bundle import LabelInfo, ModelInfo
from diagnosis.models import EvidenceSource, Finding
from diagnosis.probes.model_audit.base import REGISTRY, ModelCheck
from diagnosis.taxonomy import Code

# Not registered checks: the linear-capacity judgement reads the probes' results.
_SUPPORT = {"base", "linear_capacity"}

for _module in pkgutil.iter_modules(__path__):
    if _module.name not in _SUPPORT:
        importlib.import_module(f"{__name__}.{_module.name}")

# The causes whose checks read them completely, so that their silence rules them out.
CLEARS: frozenset[Code] = frozenset(
    code for check in REGISTRY.values() if check.clears for code in check.codes
)


def audit_model(info: ModelInfo, labels: LabelInfo) -> list[Finding]:
    """Run every registered check; worst findings first."""
    findings = [
        finding.model_copy(update={"source": EvidenceSource.model_audit})
        for check in REGISTRY.values()
        if (finding := check().check(info, labels)) is not None
    ]
    return sorted(findings, key=lambda f: (-f.severity.rank, -f.confidence, f.code))


__all__ = ["CLEARS", "REGISTRY", "ModelCheck", "audit_model"]
