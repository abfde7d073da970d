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
        windows = np.lib.stride_tricks.sliding_window_view
        # For epoch e (WINDOW <= e < epochs - 1): the median of the WINDOW epochs before it,
        # and the lowest of the RECOVERY epochs after it.
        candidates = np.arange(WINDOW, run.epochs - 1)
        before = np.median(windows(values[:-1], WINDOW), axis=1)[: candidates.size]
        after_padded = np.pad(values[1:], (0, RECOVERY - 1), constant_values=np.inf)
        after = windows(after_padded, RECOVERY).min(axis=1)[WINDOW : WINDOW + candidates.size]
        current = values[candidates]
        is_spike = (
            (before > 0)
            & (current >= SPIKE_FACTOR * before)
            & (current - before >= MIN_JUMP * span)
            & (after < RECOVERED * before)
        )
        spikes = [int(e) for e in candidates[is_spike]]
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
