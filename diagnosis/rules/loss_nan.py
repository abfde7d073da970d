"""loss_nan: the loss became NaN or infinite; training is broken from that epoch on."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from diagnosis.curves import first_nonfinite, rounded
from diagnosis.history import TrainingHistory
from diagnosis.models import Finding, Severity
from diagnosis.rules.base import Rule
from diagnosis.taxonomy import Category, Code

# Dividing the learning rate by ten is the usual first step: NaN mostly comes from an update
# that overshoots, and a tenth of the rate is small enough to tell if that was the cause.
LR_FACTOR = 0.1
# Keras' `clipnorm` caps each gradient's norm; 1.0 is the value most reference code uses.
CLIPNORM = 1.0


@dataclass
class LossNaN(Rule):
    code = Code.loss_nan
    category = Category.training_dynamics
    causes = (
        ("lr_too_high", 3.0),
        ("nonfinite_values", 2.0),
        ("exploding_gradients", 2.0),
        ("loss_task_mismatch", 1.0),
        ("unscaled_features", 1.0),
    )
    monitors: tuple[str, ...] = ("loss", "val_loss")

    def check(self, run: TrainingHistory) -> Finding | None:
        hits = {}
        for name in self.monitors:
            values = run.get(name)
            epoch = None if values is None else first_nonfinite(values)
            if epoch is not None:
                hits[name] = epoch
        if not hits:
            return None
        metric, epoch = min(hits.items(), key=lambda item: item[1])
        values = run.metrics[metric]
        fix: dict[str, float] = {"learning_rate_factor": LR_FACTOR, "clipnorm": CLIPNORM}
        if run.metadata.learning_rate:
            fix["learning_rate"] = run.metadata.learning_rate * LR_FACTOR
        return self.finding(
            run,
            severity=Severity.error,
            confidence=1.0,
            summary=f"{metric} became non-finite at epoch {epoch}; nothing after it is learning.",
            evidence={
                "metric": metric,
                "first_nonfinite_epoch": epoch,
                "last_finite_value": rounded(values[epoch - 1]) if epoch > 0 else None,
                "nonfinite_epochs": int((~np.isfinite(values)).sum()),
            },
            recommendation=(
                f"Divide the learning rate by {round(1 / LR_FACTOR)}, add gradient clipping "
                f"(optimizer clipnorm={CLIPNORM}), and check inputs and labels for NaN or "
                "infinite values; keras.callbacks.TerminateOnNaN stops such runs early."
            ),
            fix=fix,
            epochs=[epoch],
        )
