"""class_imbalance: the accuracy barely beats always answering the majority class, which the
caller's `baseline_loss` says holds most of the samples.

A classifier's baseline loss (the loss of predicting the class frequencies) is their entropy,
which bounds the largest class's share from below (`RunFacts.majority_share`; for two classes
it is the share itself). A model whose accuracy stays near that share has learned little
beyond the majority answer, the usual picture of imbalanced data, whatever the accuracy's
absolute value (93 % looks good). Without `baseline_loss` the curves tell the majority's share
only when the model answered that class for every sample for a while (the training accuracy held
one value while the loss moved: `RunFacts.single_answer_share`); otherwise the rule stays silent.
"""

from __future__ import annotations

from dataclasses import dataclass

from diagnosis.curves import finite_curve, median, rounded, tail_length
from diagnosis.history import TrainingHistory
from diagnosis.models import Finding, Severity
from diagnosis.rules.base import Rule
from diagnosis.taxonomy import Category, Code

# From this majority share accuracy alone misleads (3:1 for two classes: a constant answer
# scores 75 %), as the bundle audit's class_imbalance check reads it too.
MIN_MAJORITY = 0.75
# "Barely beats": the model removes under this share of the majority answer's errors, i.e.
# (accuracy - majority) / (1 - majority) < 0.2, "slight" agreement beyond the trivial answer on
# the Landis-Koch scale for kappa-like statistics.
MIN_GAIN = 0.2
# Enough epochs that the accuracy had time to leave the majority rate it starts at.
MIN_EPOCHS = 10
# The accuracy at the end: the median over this share of the epochs.
TAIL_FRACTION = 0.2


@dataclass
class ClassImbalance(Rule):
    code = Code.class_imbalance
    trials = ((Code.class_imbalance, "class_weight"),)
    category = Category.data
    causes = (("class_imbalance", 3.0), ("capacity_too_low", 1.0), ("lr_too_low", 1.0))

    def check(self, run: TrainingHistory) -> Finding | None:
        facts = run.facts
        name = facts.accuracy_metric
        bounds = facts.majority_share
        if name is None or run.epochs < MIN_EPOCHS:
            return None
        # The least share the entropy allows: a bound that overstated the majority would call
        # a model that beat it imbalanced. The share a single answer scored is a measurement of
        # it, so it replaces that bound where it is higher and within the entropy's upper one.
        single = facts.single_answer_share
        if bounds is None or (single is not None and bounds[0] < single <= bounds[1]):
            majority = single
        else:
            majority = bounds[0]
        if majority is None:
            return None
        if majority < MIN_MAJORITY:
            return None
        for metric in (f"val_{name}", name):
            values = finite_curve(run.get(metric))
            if values is None:
                continue
            end = median(values[-tail_length(run.epochs, TAIL_FRACTION, 2) :])
            gain = (end - majority) / (1 - majority)
            if gain >= MIN_GAIN:
                return None
            return self._finding(run, metric, end, majority, gain)
        return None

    def _finding(
        self, run: TrainingHistory, metric: str, end: float, majority: float, gain: float
    ) -> Finding:
        baseline = run.facts.reported_baseline_loss
        measured = majority == run.facts.single_answer_share
        told = (
            "the training accuracy the model held while it answered that class for every sample"
            if measured or baseline is None
            else f"the baseline loss {baseline:.3g} says it holds at least that share"
        )
        return self.finding(
            run,
            severity=Severity.warning,
            confidence=0.65,
            summary=(
                f"{metric} ended at {end:.3f}, against {majority:.3f} for always answering the majority "
                f"class ({told}): the model removed {max(gain, 0.0):.0%} of the trivial answer's errors."
            ),
            evidence={
                "metric": metric,
                "end_median": rounded(end),
                "majority_share": rounded(majority),
                "gain_over_majority": rounded(gain),
                "baseline_loss": rounded(baseline) if baseline is not None else None,
                "majority_from": "single_answer_accuracy" if measured else "baseline_loss",
                "thresholds": {"min_majority": MIN_MAJORITY, "min_gain": MIN_GAIN, "min_epochs": MIN_EPOCHS},
            },
            recommendation=(
                "Weight the classes by inverse frequency (class_weight in fit, or oversample the minority), "
                "and monitor the minority class (precision/recall or AUC) instead of accuracy."
            ),
            fix={"class_weight": "balanced"},
        )
