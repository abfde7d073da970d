"""What every check declares beside the finding it returns, whether it is a curve rule
(diagnosis/rules), a data audit check (diagnosis/audit), a model audit check
(diagnosis/probes/model_audit) or a training probe (diagnosis/probes/registry).

A check's own thresholds are named at the top of its module, and the causes its finding
supports are its `causes` (a rule's symptom) or its own code (an audit or probe names the cause
outright; diagnosis.evidence weighs both). What the bundle pipeline needs on top:
- `trials`: the fix trial for each code it raises, an action of diagnosis.probes.fixes.PLANNERS
  (diagnosis.evidence.ACTION_CURES says which causes that action cures).
"""

from __future__ import annotations

from typing import ClassVar

from diagnosis.taxonomy import Code


class Unit:
    trials: ClassVar[tuple[tuple[Code, str], ...]] = ()
