"""loss_plateau: the training loss barely moved over the whole run.

A converged run also ends flat, so flatness alone is not a finding: the rule fires only
when the loss never improved much from where it started (it was stuck, not finished), or when
the run ends with the loss equal to ln K to four digits (`RunFacts.uniform_epochs`): a softmax
that outputs 1/K for every class has learned nothing, whatever the loss did before (a run that
collapses there after a few epochs of learning is stuck too).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from diagnosis.curves import rounded
from diagnosis.history import TrainingHistory
from diagnosis.models import Category, Finding, Severity
from diagnosis.rules.base import Rule

# Total improvement, as a share of the starting loss, below which the run never learned.
MIN_IMPROVEMENT = 0.05
# Fewer epochs than this are too short to call anything stuck.
MIN_EPOCHS = 5
# Stuck at uniform outputs: the last epoch and at least this many in all equal ln K.
UNIFORM_EPOCHS = 3


@dataclass
class LossPlateau(Rule):
    code = "loss_plateau"
    category = Category.training_dynamics
    causes = (
        ("lr_too_low", 2.0),
        ("loss_task_mismatch", 1.5),
        ("output_activation_mismatch", 1.5),
        ("dead_units", 1.0),
        ("vanishing_gradients", 1.0),
        ("unscaled_features", 1.0),
        ("lr_too_high", 1.0),
        ("label_noise", 0.5),
    )
    monitor: str = "loss"
    min_improvement: float = MIN_IMPROVEMENT

    def check(self, run: TrainingHistory) -> Finding | None:
        values = run.get(self.monitor)
        if values is None or run.epochs < MIN_EPOCHS:
            return None
        uniform = run.facts.uniform_epochs
        if len(uniform) >= UNIFORM_EPOCHS and uniform[-1] == run.epochs - 1:
            return self._uniform(run, uniform)
        if not np.isfinite(values).all():
            return None
        start = float(values[0])
        best = float(values.min())
        if start <= 0:
            return None  # a loss already at zero has nothing left to improve
        improvement = (start - best) / start
        if improvement >= self.min_improvement:
            return None
        return self.finding(
            run,
            severity=Severity.warning,
            confidence=0.8 if improvement < self.min_improvement / 2 else 0.6,
            summary=(
                f"{self.monitor} improved only {improvement:.1%} in {run.epochs} epochs: "
                "the model is not learning."
            ),
            evidence={
                "metric": self.monitor,
                "start": rounded(start),
                "best": rounded(best),
                "relative_improvement": rounded(improvement, 3),
                "epochs": run.epochs,
                "thresholds": {"min_improvement": self.min_improvement},
            },
            recommendation=(
                "Check that the labels match the loss and that the inputs are standardized "
                "(zero mean, unit variance); then try a learning rate 10x higher, and make "
                "sure the model can overfit a single batch."
            ),
            fix={"learning_rate_factor": 10.0, "standardize_inputs": True},
            epochs=list(range(run.epochs)),
        )

    def _uniform(self, run: TrainingHistory, epochs: tuple[int, ...]) -> Finding:
        classes = run.facts.num_classes or 2
        return self.finding(
            run,
            severity=Severity.warning,
            confidence=0.9,
            summary=(
                f"The loss equals ln {classes} = {np.log(classes):.4f} in {len(epochs)} epochs up to the "
                f"last: the model outputs probability 1/{classes} for every class, it has learned nothing."
            ),
            evidence={
                "metric": self.monitor,
                "uniform_epochs": len(epochs),
                "first_uniform_epoch": epochs[0],
                "num_classes": classes,
                "ln_k": rounded(float(np.log(classes))),
                "thresholds": {"uniform_epochs": UNIFORM_EPOCHS},
            },
            recommendation=(
                "Lower the learning rate by 10x (a too-large step kills the units feeding the softmax), "
                "check that the inputs are standardized and the labels match the loss, and make sure the "
                "model can overfit a single batch."
            ),
            fix={"learning_rate_factor": 0.1, "standardize_inputs": True},
            epochs=list(epochs),
        )
