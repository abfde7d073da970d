"""loss_spikes: the training loss jumps up for an epoch or two, then comes back down.

A spike that recovers is not divergence: the optimizer hit a region (or a batch) where one
update was far too large. Repeated spikes are the classic sign of exploding gradients or
of a few extreme samples.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from diagnosis.curves import finite_curve, rounded
from diagnosis.history import TrainingHistory
from diagnosis.models import Category, Finding, Severity
from diagnosis.rules.base import Rule

# A spike: an epoch above this multiple of the median of the WINDOW epochs before it...
SPIKE_FACTOR = 1.5
WINDOW = 3
# ...that also jumps by at least this share of the run's whole loss range (ignores tiny losses)...
MIN_JUMP = 0.1
# ...and falls back under RECOVERED times that median within RECOVERY epochs.
RECOVERY = 3
RECOVERED = 1.2


@dataclass
class LossSpikes(Rule):
    code = "loss_spikes"
    category = Category.training_dynamics
    causes = (
        ("exploding_gradients", 2.0),
        ("lr_too_high", 2.0),
        ("batch_size_unsuitable", 1.0),
        ("nonfinite_values", 0.5),
    )
    monitor: str = "loss"

    def check(self, run: TrainingHistory) -> Finding | None:
        values = finite_curve(run.get(self.monitor))
        if values is None or run.epochs < WINDOW + 2:
            return None
        span = float(values.max() - values.min())
        spikes = []
        for epoch in range(WINDOW, run.epochs - 1):
            before = float(np.median(values[epoch - WINDOW : epoch]))
            if (
                before <= 0
                or values[epoch] < SPIKE_FACTOR * before
                or values[epoch] - before < MIN_JUMP * span
            ):
                continue
            after = values[epoch + 1 : epoch + 1 + RECOVERY]
            if (after < RECOVERED * before).any():
                spikes.append(epoch)
        if not spikes:
            return None
        worst = max(spikes, key=lambda e: values[e])
        return self.finding(
            run,
            severity=Severity.warning,
            confidence=min(0.9, 0.6 + 0.1 * len(spikes)),
            summary=f"{self.monitor} spiked in {len(spikes)} epoch(s) and recovered each time.",
            evidence={
                "metric": self.monitor,
                "spike_epochs": spikes,
                "worst_epoch": worst,
                "worst_value": rounded(float(values[worst])),
                "thresholds": {"spike_factor": SPIKE_FACTOR, "window": WINDOW, "recovery": RECOVERY},
            },
            recommendation=(
                "Clip gradients (optimizer clipnorm=1.0), lower the learning rate by 3x, and look for "
                "extreme or corrupt samples in the batches of those epochs."
            ),
            fix={"clipnorm": 1.0, "learning_rate_factor": 0.3},
            epochs=spikes,
        )
