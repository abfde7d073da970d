"""unscaled_targets: a regression whose loss stays on its targets' large scale for the whole run.

A network starts out predicting about zero, so its first epoch's MSE is the targets' second
moment (their variance plus their squared mean); unexpected_initial_loss flags a first epoch of
REGRESSION_SCALE or more. Two setups give one, and the rest of the curve tells them apart:

- unscaled inputs: huge activations make the first predictions wildly off; once the weights
  adapt, the loss drops by orders of magnitude (the generated corpus's unscaled-input runs fell
  76x to 800x from their first epoch);
- unscaled targets: the loss is the targets' own size; the best a model can do is explain their
  mean and variance, so the loss falls by a factor of tens at most (raw-target runs there fell
  2x to 23x; house prices in dollars, 4e11 -> 2.4e10, 17x) and stays on their scale.

So a regression (or a loss of unknown task) whose first epoch was REGRESSION_SCALE or more and
whose lowest loss is still END_SCALE or more, less than FELL_BY below its first epoch's, has
targets far from unit scale: even a good fit leaves errors of tens of units, where a model on
standardized targets scores about 1 by predicting their mean. That is this finding (the
targets, with the fix to scale them), not unexpected_initial_loss's "targets or inputs"; a run
can converge like this, and whether it did is the other rules' to judge. A caller's
baseline_loss (the targets' variance) at or under TARGETS_AT_SCALE says the targets are at
scale: then the inputs made the loss, and this rule stays silent. So does an error metric in
the targets' units (MAE, MSE, RMSE) whose best epoch is under END_SCALE's size: the targets are
small and the loss is a custom one on its own scale (an image model's loss 7816 -> 1158 with
MAE 0.41 -> 0.07).
"""

from __future__ import annotations

from dataclasses import dataclass

from diagnosis.curves import finite_curve, rounded
from diagnosis.history import TrainingHistory
from diagnosis.models import Finding, Severity
from diagnosis.rules.base import Rule
from diagnosis.taxonomy import Category, Code

# Regression: networks train best on targets of about unit scale, where an untrained
# model's MSE is of order 1. A first-epoch loss this large means targets (or inputs) are on
# a scale of tens or more, and the first updates are spent just reaching it.
REGRESSION_SCALE = 1000.0
# The caller's baseline_loss for a regression is the targets' variance. At most this (a standard
# deviation of about 3) the targets' spread is near unit scale.
TARGETS_AT_SCALE = 10.0
# The lowest training loss still at least this: errors of ten units or more in the best epoch.
END_SCALE = 100.0
# The lowest loss above first epoch / FELL_BY: the loss stayed on the scale it started on. Halfway
# (on a log scale) between the raw-target runs' largest fall (26x) and the unscaled-input runs'
# smallest (76x) in the generated and wild corpora.
FELL_BY = 50.0
# Error metrics in the targets' units, squared or not: compared with END_SCALE or its root.
SQUARED_ERRORS = frozenset({"mse", "mean_squared_error"})
ABSOLUTE_ERRORS = frozenset({"mae", "mean_absolute_error", "rmse", "root_mean_squared_error"})


def target_scale(run: TrainingHistory) -> tuple[float, float] | None:
    """The first epoch's and the lowest training loss where the run's loss started and stayed on
    its targets' large scale (see the docstring); None otherwise."""
    loss = finite_curve(run.get("loss"))
    if run.facts.task not in {"regression", None} or loss is None:
        return None
    variance = run.facts.reported_baseline_loss if run.facts.task == "regression" else None
    if variance is not None and variance <= TARGETS_AT_SCALE:
        return None
    if _small_errors(run):
        return None
    first, lowest = float(loss[0]), float(loss.min())
    if first >= REGRESSION_SCALE and lowest >= END_SCALE and lowest * FELL_BY > first:
        return first, lowest
    return None


def _small_errors(run: TrainingHistory) -> bool:
    """An error metric in the targets' units whose lowest value is under END_SCALE (squared) or
    its root (not squared): the targets themselves are not on a large scale."""
    for name in run.curve_names:
        values = finite_curve(run.get(name))
        metric = name.removeprefix("val_")
        if values is None or metric not in SQUARED_ERRORS | ABSOLUTE_ERRORS:
            continue
        limit = END_SCALE if metric in SQUARED_ERRORS else END_SCALE**0.5
        if float(values.min()) < limit:
            return True
    return False


@dataclass
class UnscaledTargetsOnCurve(Rule):
    code = Code.unscaled_targets
    category = Category.data

    def check(self, run: TrainingHistory) -> Finding | None:
        scale = target_scale(run)
        if scale is None:
            return None
        first, lowest = scale
        return self.finding(
            run,
            severity=Severity.warning,
            confidence=0.7,
            summary=(
                f"The loss started at {first:.3g} and its best {run.unit.one} was still {lowest:.3g}, "
                f"{first / lowest:.0f}x lower: the targets are far from unit scale, which slows training "
                "and makes the learning rate hard to set."
            ),
            evidence={
                "first_epoch_loss": rounded(first),
                "lowest_loss": rounded(lowest),
                "thresholds": {
                    "regression_scale": REGRESSION_SCALE,
                    "end_scale": END_SCALE,
                    "fell_by": FELL_BY,
                },
            },
            recommendation=(
                "Standardize the targets (subtract the mean, divide by the standard deviation; invert at "
                "prediction time), or train on log targets for prices and counts."
            ),
            fix={"standardize_targets": True},
            epochs=[0],
        )
