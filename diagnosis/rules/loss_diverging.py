"""loss_diverging: the training loss climbs back up and stays up.

A loss that ends above where it started has diverged (error). A loss that gave back more
than half of the improvement it had made is drifting off (warning). Both are judged on the
median of the final epochs so that one noisy epoch does not decide it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from diagnosis.curves import rounded, tail_length
from diagnosis.history import TrainingHistory
from diagnosis.models import Category, Finding, Severity
from diagnosis.rules.base import Rule

# The end of the run: this share of the epochs, and never fewer than MIN_TAIL of them.
TAIL_FRACTION = 0.2
MIN_TAIL = 3
# Ends this much above the first epoch's loss (relative): diverged.
ABOVE_START = 0.10
# Gave back this share of the improvement from the first epoch to the best: drifting.
PROGRESS_LOST = 0.5
# Fewer epochs than this say nothing about a trend.
MIN_EPOCHS = 4
# Dividing the rate by ten is the first thing to try against an overshooting optimizer.
LR_FACTOR = 0.1


@dataclass
class LossDiverging(Rule):
    code = "loss_diverging"
    category = Category.training_dynamics
    causes = (
        ("lr_too_high", 4.0),
        ("exploding_gradients", 1.5),
        ("unscaled_features", 1.0),
        ("batch_size_unsuitable", 0.5),
    )
    monitor: str = "loss"

    def check(self, run: TrainingHistory) -> Finding | None:
        values = run.get(self.monitor)
        if values is None or run.epochs < MIN_EPOCHS or not np.isfinite(values).all():
            # Non-finite curves are loss_nan's to report.
            return None
        start = float(values[0])
        best_epoch = int(np.argmin(values))
        best = float(values[best_epoch])
        tail = tail_length(run.epochs, TAIL_FRACTION, MIN_TAIL)
        end = float(np.median(values[-tail:]))
        if best_epoch >= run.epochs - tail:
            return None  # the best value is in the final epochs: still improving
        scale = max(abs(start), 1e-12)
        lost = (end - best) / max(start - best, 1e-12)
        if end > start + ABOVE_START * scale:
            severity, confidence = Severity.error, 0.9
            summary = f"{self.monitor} rose above its starting value after epoch {best_epoch}."
        elif lost > PROGRESS_LOST:
            severity, confidence = Severity.warning, 0.7
            summary = (
                f"{self.monitor} gave back {lost:.0%} of its improvement after its best at epoch "
                f"{best_epoch}."
            )
        else:
            return None
        fix: dict[str, float] = {"learning_rate_factor": LR_FACTOR}
        if run.metadata.learning_rate:
            fix["learning_rate"] = run.metadata.learning_rate * LR_FACTOR
        return self.finding(
            run,
            severity=severity,
            confidence=confidence,
            summary=summary,
            evidence={
                "metric": self.monitor,
                "start": rounded(start),
                "best": rounded(best),
                "best_epoch": best_epoch,
                "end_median": rounded(end),
                "tail_epochs": tail,
                "progress_lost": rounded(lost, 3),
                "thresholds": {"above_start": ABOVE_START, "progress_lost": PROGRESS_LOST},
            },
            recommendation=(
                f"Lower the learning rate by {round(1 / LR_FACTOR)}x, or add a schedule "
                "(keras.callbacks.ReduceLROnPlateau(monitor='loss', factor=0.5, patience=3)); "
                "check for gradient clipping and for data that changes between epochs."
            ),
            fix=fix,
            epochs=[best_epoch],
        )
