"""val_noisy: the validation loss jumps around far more than the training loss.

A validation curve that is much noisier than the training curve says the validation
measurement is unreliable (too few samples, or a distribution the model is unstable on),
so epoch-to-epoch choices made from it — early stopping, checkpoints — are a coin toss.
"""

from __future__ import annotations

from dataclasses import dataclass

from diagnosis.curves import finite_curve, relative_noise, rounded
from diagnosis.history import TrainingHistory
from diagnosis.models import Finding, Severity
from diagnosis.rules.base import Rule
from diagnosis.taxonomy import Category, Code

# Typical distance of val_loss from its own running median, as a share of its level.
NOISE = 0.06
# And at least this many times the training loss's own noise.
RATIO = 2.0
WINDOW = 5
MIN_EPOCHS = 8


@dataclass
class ValNoisy(Rule):
    code = Code.val_noisy
    category = Category.training_dynamics
    causes = (
        ("insufficient_data", 2.0),
        ("lr_too_high", 1.5),
        ("train_val_shift", 1.0),
        ("batch_size_unsuitable", 1.0),
    )
    monitor: str = "val_loss"

    def check(self, run: TrainingHistory) -> Finding | None:
        val = finite_curve(run.get(self.monitor))
        train = finite_curve(run.get(self.monitor.removeprefix("val_")))
        if val is None or train is None or run.epochs < MIN_EPOCHS:
            return None
        val_noise = relative_noise(val, WINDOW)
        train_noise = relative_noise(train, WINDOW)
        if val_noise < NOISE or val_noise < RATIO * train_noise:
            return None
        # The validation accuracy's steps of 1/n count its samples: a small n explains the noise.
        size = run.facts.val_samples
        return self.finding(
            run,
            severity=Severity.warning,
            confidence=min(0.85, 0.4 + val_noise),
            summary=(
                f"{self.monitor} swings {val_noise:.0%} around its trend from epoch to epoch, "
                f"{val_noise / max(train_noise, 1e-12):.0f}x the training loss's noise"
                + (
                    f"; validation holds {size} samples, one is {1 / size:.1%} of its accuracy."
                    if size
                    else "."
                )
            ),
            evidence={
                "metric": self.monitor,
                "val_noise": rounded(val_noise, 3),
                "train_noise": rounded(train_noise, 3),
                "val_samples": size,
                "thresholds": {"noise": NOISE, "ratio": RATIO, "window": WINDOW},
            },
            recommendation=(
                "Use a larger validation split (at least a few hundred samples, validation_split=0.2), "
                "lower the learning rate by 3x, and early-stop with patience of 5 or more epochs."
            ),
            fix={"validation_split": 0.2, "learning_rate_factor": 0.3},
        )
