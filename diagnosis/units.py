"""What every check declares beside the finding it returns, whether it is a curve rule
(diagnosis/rules), a data audit check (diagnosis/audit), a model audit check
(diagnosis/probes/model_audit) or a training probe (diagnosis/probes/registry).

A check's own thresholds are named at the top of its module, and the causes its finding
supports are its `causes` (a rule's symptom) or its own code (an audit or probe names the cause
outright; diagnosis.evidence weighs both). What the bundle pipeline needs on top:
- `trials`: the fix trial for each code it raises, an action of diagnosis.probes.fixes.PLANNERS
  (diagnosis.evidence.ACTION_CURES says which causes that action cures);
- `settle`: where what else a bundle showed (its data, its model, the replay, the other probes)
  explains the check's alarm away, why; by default the alarm stands
  (diagnosis.probes.settling runs these);
- `corroborated`: for a check whose warning is only a suspicion (a rate off the usual one: many
  setups train fine there), whether the rest of the bundle's evidence, fix trials included,
  bears it out; by default a warning needs no corroboration.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from diagnosis.models import Finding
from diagnosis.taxonomy import Code

if TYPE_CHECKING:
    from diagnosis.probes.settling import BundleFacts


@dataclass(frozen=True)
class Settled:
    """Why an alarm is set at info, and the numbers that showed it (added to its evidence)."""

    reason: str
    evidence: dict[str, Any] = field(default_factory=dict)


class Unit:
    trials: ClassVar[tuple[tuple[Code, str], ...]] = ()

    def settle(self, finding: Finding, facts: BundleFacts) -> Settled | None:
        """Why the bundle's other evidence sets this alarm at info, or None: it stands."""
        return None

    def corroborated(self, finding: Finding, facts: BundleFacts) -> bool:
        """Whether the bundle's other evidence bears this warning out (asked after the fix trials)."""
        return True
