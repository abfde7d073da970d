"""loss_spikes: the training loss jumps up for an epoch or two, then comes back down.

A spike that recovers is not divergence: the optimizer hit a region (or a batch) where one
update was far too large. Repeated spikes are the classic sign of exploding gradients or
of a few extreme samples. A single excursion that the run left behind (it ended below where
it stood before the spike) did no lasting harm, so it is worth knowing (`info`), not a
warning: momentum SGD on a healthy run can do that once.
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
# More spikes than this, or a run that never got back under its pre-spike best, is a warning.
HARMLESS_SPIKES = 1


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
    monitors: tuple[str, ...] = ("loss", "val_loss")

    def check(self, run: TrainingHistory) -> Finding | None:
        found = {}
        for name in self.monitors:
            values = finite_curve(run.get(name))
            if values is not None and run.epochs >= 3 and (spikes := _spikes(values)):
                found[name] = spikes
        if not found:
            return None
        metric = max(found, key=lambda name: len(found[name]))
        spikes = found[metric]
        values = run.metrics[metric]
        worst = max(spikes, key=lambda e: values[e])
        harmless = len(spikes) <= HARMLESS_SPIKES and _left_behind(values, spikes[0])
        return self.finding(
            run,
            severity=Severity.info if harmless else Severity.warning,
            confidence=min(0.9, 0.6 + 0.1 * len(spikes)),
            summary=f"{metric} spiked in {len(spikes)} epoch(s) and recovered each time.",
            evidence={
                "metric": metric,
                "spike_epochs": spikes,
                "worst_epoch": worst,
                "worst_value": rounded(float(values[worst])),
                "spikes_by_metric": found,
                "left_behind": harmless,
                "thresholds": {
                    "spike_factor": SPIKE_FACTOR,
                    "window": WINDOW,
                    "recovery": RECOVERY,
                    "harmless_spikes": HARMLESS_SPIKES,
                },
            },
            recommendation=(
                "Clip gradients (optimizer clipnorm=1.0), lower the learning rate by 3x, and look for "
                "extreme or corrupt samples in the batches of those epochs."
            ),
            fix={"clipnorm": 1.0, "learning_rate_factor": 0.3},
            epochs=spikes,
        )


def _spikes(values: np.ndarray) -> list[int]:
    """Epochs (from the second) that jump above the median of the up-to-WINDOW epochs before
    them and fall back within RECOVERY epochs; the first epochs compare with what exists."""
    windows = np.lib.stride_tricks.sliding_window_view
    span = float(values.max() - values.min())
    candidates = np.arange(1, values.size - 1)
    # Padding the front with the first value lets epoch e < WINDOW use the epochs it has.
    prior = np.pad(values[:-1], (WINDOW - 1, 0), mode="edge")
    before = np.median(windows(prior, WINDOW), axis=1)[: candidates.size]
    after_padded = np.pad(values[1:], (0, RECOVERY - 1), constant_values=np.inf)
    after = windows(after_padded, RECOVERY).min(axis=1)[1 : 1 + candidates.size]
    current = values[candidates]
    is_spike = (
        (before > 0)
        & (current >= SPIKE_FACTOR * before)
        & (current - before >= MIN_JUMP * span)
        & (after < RECOVERED * before)
    )
    return [int(e) for e in candidates[is_spike]]


def _left_behind(values: np.ndarray, spike: int) -> bool:
    """Whether the run ended at or under its best before `spike` (an epoch from the second on,
    on a curve that is finite throughout)."""
    return bool(values[-1] <= values[:spike].min())
