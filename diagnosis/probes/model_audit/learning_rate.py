"""lr_too_high / lr_too_low: the configured rate against the optimizer's usual one. Far off is
a suspicion (many setups train off the usual rate); beyond any usual range (LR_BEYOND_HIGH,
LR_BEYOND_LOW) it is a cause on its own."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from diagnosis.bundle import LabelInfo, ModelInfo
from diagnosis.evidence import LR_BEYOND_HIGH, LR_BEYOND_LOW, LR_FAR, SHORT_HORIZON_FAVOURED, TYPICAL_LR
from diagnosis.models import Finding, Severity
from diagnosis.probes.model_audit.base import ModelCheck
from diagnosis.rules.underfitting import trained_through
from diagnosis.taxonomy import Category, Code
from diagnosis.units import Settled

if TYPE_CHECKING:
    from diagnosis.probes.settling import BundleFacts

# The evidence key that marks a rate beyond those bounds (read where the finding is settled).
BEYOND_USUAL = "beyond_usual_range"
# A short replay favours a higher rate whatever rate suits the whole run (short-horizon bias,
# Wu et al. 2018), so a rate suspected too low is not corroborated by a slow replay when the
# configured rate is within this factor of the optimizer's usual one (Adam at its default 1e-3):
# there a slow replay is the model's own pace (a small CNN that needs more steps). For the
# same reason a higher rate that helped the replay corroborates nothing
# (evidence.SHORT_HORIZON_FAVOURED).
USUAL_RATE_BAND = 3.0


class LearningRate(ModelCheck):
    name = "learning_rate"
    codes = (Code.lr_too_high, Code.lr_too_low)
    trials = ((Code.lr_too_high, "lower_learning_rate"), (Code.lr_too_low, "raise_learning_rate"))

    def settle(self, finding: Finding, facts: BundleFacts) -> Settled | None:
        """A rate off the usual one is a hazard: the replay runs at this very rate, and one
        that fit the data anyway shows the rate suits this setup (trained_through)."""
        return trained_through(facts)

    def corroborated(self, finding: Finding, facts: BundleFacts) -> bool:
        return rate_corroborated(finding, facts, dict(self.trials))

    def check(self, info: ModelInfo, labels: LabelInfo) -> Finding | None:
        """The rate against the optimizer's usual one: far off is a suspicion, beyond any usual
        range (LR_BEYOND_HIGH, LR_BEYOND_LOW) a cause on its own."""
        typical = TYPICAL_LR.get(info.optimizer or "")
        if typical is None or not info.learning_rate:
            return None
        ratio = info.learning_rate / typical
        if ratio >= LR_FAR:
            code, direction, beyond = Code.lr_too_high, "above", ratio >= LR_BEYOND_HIGH
        elif ratio <= 1 / (LR_FAR * LR_FAR):
            code, direction, beyond = Code.lr_too_low, "below", ratio <= LR_BEYOND_LOW
        else:
            return None
        verdict = (
            f"{math.log10(ratio):+.1f} orders of magnitude from it, "
            "beyond any rate that usual setups train at"
            if beyond
            else f"far {direction} what it usually needs"
        )
        return Finding(
            code=code,
            category=Category.hyperparameters,
            severity=Severity.warning,
            # Beyond the usual range the rate alone settles it: ranked above the range test's 0.8.
            confidence=0.9 if beyond else 0.6,
            summary=(
                f"The learning rate {info.learning_rate:g} is {ratio:.3g}x the usual {typical:g} for "
                f"{info.optimizer}, {verdict}."
            ),
            evidence={
                "learning_rate": info.learning_rate,
                "optimizer": info.optimizer,
                "typical": typical,
                "ratio": float(f"{ratio:.3g}"),
                BEYOND_USUAL: beyond,
                "thresholds": {"far": LR_FAR, "beyond_high": LR_BEYOND_HIGH, "beyond_low": LR_BEYOND_LOW},
            },
            recommendation=f"Start from learning_rate={typical:g}; the learning-rate range test refines it.",
            fix={"learning_rate": typical},
        )


def usual_rate(info: ModelInfo) -> bool:
    """The configured rate is within USUAL_RATE_BAND of the optimizer's usual one, either way
    (False when the optimizer or the rate is unknown)."""
    typical = TYPICAL_LR.get(info.optimizer or "")
    if typical is None or not info.learning_rate:
        return False
    return typical / USUAL_RATE_BAND < info.learning_rate < typical * USUAL_RATE_BAND


def _below_usual(info: ModelInfo) -> bool:
    """The configured rate is more than USUAL_RATE_BAND below the optimizer's usual one (True
    when the optimizer or the rate is unknown: nothing to hold the suspicion against)."""
    typical = TYPICAL_LR.get(info.optimizer or "")
    if typical is None or not info.learning_rate:
        return True
    return info.learning_rate <= typical / USUAL_RATE_BAND


def rate_corroborated(finding: Finding, facts: BundleFacts, trials: dict[Code, str]) -> bool:
    """A rate suspicion (this check's, or the range test's) stands when the replay raised a
    symptom that lists it among its causes (a plateau for a low rate, not the NaN of a
    non-finite input), when trying its fix measurably helped, or when the rate is beyond any
    usual range; a rate suspected too low within USUAL_RATE_BAND of the usual one never does."""
    if finding.code is Code.lr_too_low and not _below_usual(facts.info):
        return False
    listed = facts.symptom_supports(finding.code)
    helped = finding.fix_helped and trials.get(finding.code) not in SHORT_HORIZON_FAVOURED
    return listed or helped or finding.evidence.get(BEYOND_USUAL) is True
