"""lr_too_high / lr_too_low: the configured rate against the optimizer's usual one. Far off is
a suspicion (many setups train off the usual rate); beyond any usual range (LR_BEYOND_HIGH,
LR_BEYOND_LOW) it is a cause on its own."""

from __future__ import annotations

import math

from diagnosis.bundle import LabelInfo, ModelInfo
from diagnosis.evidence import LR_BEYOND_HIGH, LR_BEYOND_LOW, LR_FAR, TYPICAL_LR
from diagnosis.models import Finding, Severity
from diagnosis.probes.model_audit.base import ModelCheck
from diagnosis.taxonomy import Category, Code

# The evidence key that marks a rate beyond those bounds (read where the finding is settled).
BEYOND_USUAL = "beyond_usual_range"


class LearningRate(ModelCheck):
    name = "learning_rate"
    codes = (Code.lr_too_high, Code.lr_too_low)
    trials = ((Code.lr_too_high, "lower_learning_rate"), (Code.lr_too_low, "raise_learning_rate"))

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
