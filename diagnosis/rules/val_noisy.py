"""val_noisy: the validation loss jumps around far more than the training loss.

A validation curve that is much noisier than the training curve says the validation
measurement is unreliable (too few samples, or a distribution the model is unstable on),
so epoch-to-epoch choices made from it — early stopping, checkpoints — are a coin toss.

Below MIN_EPOCHS a running median of WINDOW epochs cannot tell a trend from noise (a healthy
run's steep first fall reads as noise there), so a short run counts swings instead: the
validation loss changed by a factor of SWING or more in at least two epochs, one up and one
down, while the training loss moved at most TRAIN_CALM (relative, log scale) in every epoch.
A validation loss that jumps by half and falls back while the model, by its training loss,
barely changed is a measurement that swings, not a model: an excerpt of six epochs with
validation at 14.2, 7.95, 7.97, 13.9, 20.3, 8.87 beside a training loss of 0.080 -> 0.070.
A healthy run's validation falls with its training loss in its first epochs, in one direction.

A running median of WINDOW epochs includes the epoch it is measured at, and on a zig-zag (up,
down, up every epoch) every second epoch is its own window's median: the noise reads as zero.
Over the second half of the run, where the model has settled, each epoch is therefore also held
against the median of its neighbours alone; a validation loss that sits SETTLED_NOISE away from
them in a typical epoch, RATIO times as far as the training loss does, swings too: a U-Net
whose validation loss goes 0.10, 0.17, 0.23, 0.12, 0.18, 0.24 beside a training loss that falls
0.057 -> 0.050 with a 3 % wobble. Only where validation is the worse curve (its median over that
half above the training loss's): a validation loss that wobbles below the training loss says at
each epoch that the model generalizes, and any checkpoint picked from it is as good as training.

A median of distances reads a few sharp spikes as no noise at all, however large: a validation
loss that jumps SPIKE_FACTOR (loss_spikes' measure) and falls back in SPIKES epochs or more, each
in an epoch whose training loss did not spike (nor the epoch beside it), is a measurement that
jumps while the model does not: a classifier whose validation loss leaps 1.04 -> 1.88 -> 1.06,
1.08 -> 1.78 -> 1.36 and 1.22 -> 2.06 -> 1.15 beside a training loss that falls. In the wild
corpus's labelled logs every run with three such spikes is faulty or allows val_noisy.

A log that reports validation only by its accuracy (no validation loss) is judged on the
validation error rate, 1 - accuracy, a curve that like a loss is lower when better: its noise
held against NOISE and RATIO times the training error rate's (or, with no training accuracy,
the training loss's). A 3-class classifier validated on 70 images whose accuracy jumps 0.44 ->
0.89 -> 0.99 -> 0.59 between epochs is the same unreliable measurement as a swinging loss.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from diagnosis.curves import as_share, finite_curve, median, neighbour_noise, relative_noise, rounded
from diagnosis.history import TrainingHistory
from diagnosis.infer import ACCURACY_NAMES
from diagnosis.models import Finding, Severity
from diagnosis.rules.base import Rule
from diagnosis.rules.loss_spikes import SPIKE_FACTOR, spike_epochs
from diagnosis.taxonomy import Category, Code

# Typical distance of val_loss from its own running median, as a share of its level.
NOISE = 0.06
# And at least this many times the training loss's own noise.
RATIO = 2.0
WINDOW = 5
MIN_EPOCHS = 8
# A zig-zag (see the docstring), read over the run's second half: each epoch's distance from the
# median of its WINDOW - 1 neighbours, the epoch itself left out, at twice NOISE (a distance to
# others, not to a median the epoch is part of) and RATIO times the training loss's.
SETTLED_NOISE = 2 * NOISE
# Short runs (3 to MIN_EPOCHS - 1 epochs), see the docstring: a swing is a change by this factor
# between consecutive epochs (up half, or down a third)...
SWING = 1.5
SHORT_MIN_EPOCHS = 3
# ...beside a training loss that moved at most this much (|ln ratio|, about 10 %) in any epoch.
# The wild logs' short runs whose validation swung so had training moves of 0.3 or more where
# the model itself jumped, or under 0.07 where only the measurement did.
TRAIN_CALM = 0.1
# Spikes (loss_spikes': SPIKE_FACTOR over the epochs before, back within its RECOVERY) of the
# validation loss in epochs where the training loss did not spike (nor the epoch before or after):
# one is a lucky or unlucky batch of samples, this many a measurement that jumps (docstring).
SPIKES = 3
# What a noisy validation measure asks for, whichever curve showed it.
ADVICE = (
    "Use a larger validation split (at least a few hundred samples, validation_split=0.2), "
    "lower the learning rate by 3x, and early-stop with patience of 5 or more epochs."
)
FIX = {"validation_split": 0.2, "learning_rate_factor": 0.3}


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
        if run.get(self.monitor) is None:
            return self._accuracy_only(run)
        val = finite_curve(run.get(self.monitor))
        train = finite_curve(run.get(self.monitor.removeprefix("val_")))
        if val is None or train is None:
            return None
        if run.epochs < MIN_EPOCHS:
            return self._swings(run, val, train)
        val_noise = relative_noise(val, WINDOW)
        train_noise = relative_noise(train, WINDOW)
        if val_noise < NOISE or val_noise < RATIO * train_noise:
            return self._zigzag(run, val, train) or self._spiking(run, val, train)
        # The validation accuracy's steps of 1/n count its samples: a small n explains the noise.
        size = run.facts.val_samples
        return self.finding(
            run,
            severity=Severity.warning,
            confidence=min(0.85, 0.4 + val_noise),
            summary=(
                f"{self.monitor} swings {val_noise:.0%} around its trend from {run.unit.one} to "
                f"{run.unit.one}, {val_noise / max(train_noise, 1e-12):.0f}x the training loss's noise"
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
            recommendation=ADVICE,
            fix=FIX,
        )

    def _zigzag(self, run: TrainingHistory, val: np.ndarray, train: np.ndarray) -> Finding | None:
        """The settled half's swings, each epoch held against its neighbours (see the docstring)."""
        half = run.epochs // 2
        if median(val[half:]) <= median(train[half:]):
            return None  # validation at or below training: every epoch's model generalizes
        val_noise = neighbour_noise(val[half:], WINDOW // 2)
        train_noise = neighbour_noise(train[half:], WINDOW // 2)
        if val_noise < SETTLED_NOISE or val_noise < RATIO * train_noise:
            return None
        return self.finding(
            run,
            severity=Severity.warning,
            confidence=min(0.85, 0.4 + val_noise / 2),
            summary=(
                f"Over the second half of the run {self.monitor} sits {val_noise:.0%} away from its "
                f"neighbouring {run.unit.many} in a typical {run.unit.one}, "
                f"{val_noise / max(train_noise, 1e-12):.0f}x "
                "the training loss's move: it zig-zags up and down while the model settles."
            ),
            evidence={
                "metric": self.monitor,
                "val_noise": rounded(val_noise, 3),
                "train_noise": rounded(train_noise, 3),
                "from_epoch": half,
                "thresholds": {"settled_noise": SETTLED_NOISE, "ratio": RATIO, "window": WINDOW},
            },
            recommendation=ADVICE,
            fix=FIX,
        )

    def _spiking(self, run: TrainingHistory, val: np.ndarray, train: np.ndarray) -> Finding | None:
        """Validation spikes the training loss did not share (see the docstring)."""
        trained = {e + d for e in spike_epochs(train) for d in (-1, 0, 1)}
        alone = [e for e in spike_epochs(val) if e not in trained]
        if len(alone) < SPIKES:
            return None
        return self.finding(
            run,
            severity=Severity.warning,
            confidence=min(0.85, 0.4 + 0.1 * len(alone)),
            summary=(
                f"{self.monitor} jumped up and fell back in {run.unit.count(len(alone))} "
                f"({', '.join(map(str, alone))}) in which the training loss did not: the validation "
                "measurement jumps, not the model."
            ),
            evidence={
                "metric": self.monitor,
                "spike_epochs": alone,
                "thresholds": {"spikes": SPIKES, "spike_factor": SPIKE_FACTOR},
            },
            recommendation=ADVICE,
            fix=FIX,
            epochs=alone,
        )

    def _accuracy_only(self, run: TrainingHistory) -> Finding | None:
        """Validation logged by its accuracy alone, judged on its error rate (see the docstring)."""
        name = next((f"val_{a}" for a in ACCURACY_NAMES if f"val_{a}" in run.metrics), None)
        val_accuracy = finite_curve(run.get(name)) if name else None
        if name is None or val_accuracy is None or run.epochs < MIN_EPOCHS:
            return None
        train_accuracy = finite_curve(run.get(name.removeprefix("val_")))
        val_noise = relative_noise(_error_rate(val_accuracy), WINDOW)
        reference = (
            _error_rate(train_accuracy) if train_accuracy is not None else finite_curve(run.get("loss"))
        )
        train_noise = relative_noise(reference, WINDOW) if reference is not None else 0.0
        if val_noise < NOISE or val_noise < RATIO * train_noise:
            return None
        return self.finding(
            run,
            severity=Severity.warning,
            confidence=min(0.85, 0.4 + val_noise),
            summary=(
                f"{name} swings: its error rate moves {val_noise:.0%} around its trend from "
                f"{run.unit.one} to {run.unit.one}, {val_noise / max(train_noise, 1e-12):.0f}x the "
                "training side's noise (the log has no validation loss)."
            ),
            evidence={
                "metric": name,
                "val_noise": rounded(val_noise, 3),
                "train_noise": rounded(train_noise, 3),
                "thresholds": {"noise": NOISE, "ratio": RATIO, "window": WINDOW},
            },
            recommendation=ADVICE,
            fix=FIX,
        )

    def _swings(self, run: TrainingHistory, val: np.ndarray, train: np.ndarray) -> Finding | None:
        found = _short_swings(val, train)
        if found is None:
            return None
        epochs, train_move = found
        return self.finding(
            run,
            severity=Severity.warning,
            confidence=0.6,
            summary=(
                f"{self.monitor} jumped by {SWING}x or more, up and down, in {len(epochs)} of "
                f"{run.unit.count(run.epochs)} while the training loss moved at most "
                f"{math.expm1(train_move):.0%} a {run.unit.one}: "
                "the validation measurement swings, the model does not."
            ),
            evidence={
                "metric": self.monitor,
                "swing_epochs": epochs,
                "train_largest_move": rounded(train_move, 3),
                "thresholds": {"swing": SWING, "train_calm": TRAIN_CALM, "min_epochs": MIN_EPOCHS},
            },
            recommendation=(
                "Evaluate on a larger validation set with the model in inference mode (check layers "
                "that behave differently there: BatchNormalization, Dropout), and compare the "
                "validation loss with the validation accuracy; lower the learning rate by 3x."
            ),
            fix=FIX,
            epochs=epochs,
        )


def _error_rate(accuracy: np.ndarray) -> np.ndarray:
    """1 - accuracy, an accuracy logged in percent read as the share (curves.as_share)."""
    return 1.0 - as_share(accuracy)


def _short_swings(val: np.ndarray, train: np.ndarray) -> tuple[list[int], float] | None:
    """The epochs where a short run's validation loss swung (see the docstring) and the
    training loss's largest move, or None."""
    if val.size < SHORT_MIN_EPOCHS or val.size != train.size or (val <= 0).any() or (train <= 0).any():
        return None
    train_move = float(np.abs(np.diff(np.log(train))).max())
    if train_move > TRAIN_CALM:
        return None
    steps = np.diff(np.log(val))
    big = np.flatnonzero(np.abs(steps) >= math.log(SWING))
    if not (steps[big] > 0).any() or not (steps[big] < 0).any():
        return None
    return [int(e) + 1 for e in big], train_move
