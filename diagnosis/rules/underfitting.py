"""underfitting: training stopped improving while the loss is still high.

"High" needs a yardstick: the loss of a model that learned nothing. A classifier has one in
ln K; a regression has one only when the caller sends `metadata.baseline_loss` (the loss of
always predicting the targets' mean), which also replaces ln K for imbalanced classes. A run
that levels off above half of it has learned little of what the data holds, on the training
set itself, which rules out overfitting as the problem.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from diagnosis.curves import finite_curve, rounded, tail_length
from diagnosis.history import TrainingHistory
from diagnosis.models import Category, Finding, Severity
from diagnosis.rules.base import Rule

# Final training loss above this share of the baseline: the model has learned little.
HIGH_LOSS = 0.5
# The final quarter improved less than this (relative): it has stopped learning.
TAIL_FRACTION = 0.25
FLAT = 0.05
MIN_EPOCHS = 5


@dataclass
class Underfitting(Rule):
    code = "underfitting"
    category = Category.training_dynamics
    causes = (
        ("capacity_too_low", 3.0),
        ("lr_too_low", 1.5),
        ("excessive_dropout", 1.5),
        ("label_noise", 1.5),
        ("unscaled_features", 1.0),
        ("output_activation_mismatch", 1.0),
    )
    monitor: str = "loss"

    def check(self, run: TrainingHistory) -> Finding | None:
        values = finite_curve(run.get(self.monitor))
        baseline = run.facts.baseline_loss
        if values is None or baseline is None or run.epochs < MIN_EPOCHS:
            return None
        tail = tail_length(run.epochs, TAIL_FRACTION, 2)
        end = float(np.median(values[-tail:]))
        before_tail = float(values[-tail - 1]) if tail < run.epochs else float(values[0])
        tail_gain = (before_tail - float(values[-1])) / max(abs(before_tail), 1e-12)
        share = end / baseline
        if share < HIGH_LOSS or tail_gain >= FLAT:
            return None
        evidence: dict[str, object] = {
            "metric": self.monitor,
            "end_median": rounded(end),
            "baseline_loss": rounded(baseline),
            "baseline_from": "metadata" if run.facts.reported_baseline_loss else "ln K",
            "share_of_baseline_loss": rounded(share, 3),
            "num_classes": run.facts.num_classes,
            "tail_gain": rounded(tail_gain, 3),
            "thresholds": {"high_loss": HIGH_LOSS, "flat": FLAT},
        }
        val = finite_curve(run.get(f"val_{self.monitor}"))
        if val is not None:
            evidence["val_end_median"] = rounded(float(np.median(val[-tail:])))
        return self.finding(
            run,
            severity=Severity.warning,
            confidence=0.8 if share > 0.8 else 0.65,
            summary=(
                f"Training loss levelled off at {share:.0%} of {_yardstick(run, baseline)}: "
                "the model fits even the training data poorly."
            ),
            evidence=evidence,
            recommendation=(
                "Make sure a bigger model can overfit one batch; then double the hidden layer widths, "
                "lower Dropout to 0.2, and check a sample of labels by hand."
            ),
            fix={"width_factor": 2.0},
            epochs=list(range(run.epochs - tail, run.epochs)),
        )


def _yardstick(run: TrainingHistory, baseline: float) -> str:
    if run.facts.reported_baseline_loss:
        return f"the loss of predicting the mean ({baseline:.3g})"
    return f"ln K = {baseline:.3f} (K = {run.facts.num_classes})"
