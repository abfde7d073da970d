"""loss_oscillating: the epoch-level training loss goes up and down instead of down.

Keras averages the training loss over an epoch, so even small-batch noise is smoothed
out; an epoch curve that keeps going back up by a sizeable step is an optimizer that
overshoots, most often a learning rate that is too high. The size is the typical step up's,
not the typical step's: a loss falling fast takes large steps down that say nothing of
going back up (a DenseNet fine-tune falling 0.24 -> 0.04 in 50 epochs, whose steps are a
tenth of its level while its steps up are 7 %: wild log w1946).

The ups are weighed against what the run learned, not only against the loss's level: a run
that took its loss down by orders of magnitude ends where a batch's few hard samples move the
epoch mean by a fifth, yet a step back of 1 % of the way it came is invisible on its curve
and undoes nothing. An optimizer that overshoots gives back a visible share of its progress
with each step up. Steps up that each give back a quarter of all it learned (LARGE_UNDONE) cancel
the steps down even in under a third of the epochs (UP_SHARE_UNDOING): no net progress.

A model right on nearly every training sample has no answers left to throw about: where the
training accuracy stayed at NEAR_PERFECT or above over the second half of the run, the loss's
steps up move its confidence on the last few samples (a phishing classifier at 0.9994-1.0 whose
loss wanders 0.0002-0.0025), and the finding is info, not a warning. The same holds for a
validation accuracy at NEAR_PERFECT or above over the second half: measured on fixed data with
the weights as each epoch left them, it would fall with weights an optimizer throws about; a
training accuracy under it is the training epochs' dropout and augmentation (a BatchNorm lesson
at 0.98 training and 0.995 validation accuracy, a histopathology classifier at 0.99 and 0.996-1.0
whose training loss goes up in 36-40 % of epochs: wild logs w1526, w1837).

A validation loss that fell in nearly every epoch (VAL_STEADY) says the same from the other
side: it is measured on fixed data with the weights as each epoch left them, so an optimizer
throwing the weights about would throw it about too; the training loss's ups are then its
epoch means' batches (few on a small data set, augmented, under dropout), and the finding is info.

A log read per step (a Hugging Face Trainer's loss every `logging_steps`, a short
Lightning run: `SourceInfo.granularity` "step") has no epoch mean to smooth the batches: each
point averages a few batches, so a third of them going up is the batches' sampling noise that
an epoch curve averages away, not an optimizer that overshoots. There the finding is info: an
overshooting rate on such a run shows as a loss that climbs or blows up (loss_diverging,
loss_spikes, loss_nan) or one stuck where it started (loss_plateau), which those rules judge.

A log read per epoch from its logged steps (Lightning's `train_loss` every few steps, averaged
per epoch: `SourceInfo.epoch_mean_noise`) says how noisy each epoch point still is: the mean of
n logged batches is off by the steps' spread over sqrt(n). Where the typical step up is within
NOISE_Z standard errors of a difference of two such means, the ups are the logged batches'
sampling noise, not an optimizer going back up; where most epochs logged a single step, each
epoch point is one batch, read as a per-step log. Both are info.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from diagnosis.curves import as_share, finite_curve, median, rounded
from diagnosis.history import TrainingHistory
from diagnosis.models import Finding, Severity
from diagnosis.rules.base import Rule
from diagnosis.taxonomy import Category, Code
from diagnosis.wording import PER_STEP

# Share of epoch-to-epoch steps that go up; a converging loss rarely goes up a third of the time.
UP_SHARE = 0.35
# Typical step up relative to the loss level; below this the wobble is harmless.
AMPLITUDE = 0.08
# Too few epochs to tell a wobble from a trend.
MIN_EPOCHS = 8
# ...unless the run has no downward trend to mistake: from SHORT_MIN_EPOCHS epochs on, a loss
# that went up in at least SHORT_UP_SHARE of its steps (a converging run's first epochs go
# down; healthy runs of 3-7 epochs in the wild corpus went up in a quarter at most), by
# AMPLITUDE of its level on a typical step up, each undoing LARGE_UNDONE of what it had learned.
SHORT_MIN_EPOCHS = 4
SHORT_UP_SHARE = 0.5
# The typical step up must undo at least this share of what the run learned: from where it
# started (the median of its first START_EPOCHS epochs, so one blown-up first epoch does not
# pass for progress) down to its lowest loss.
UNDONE_SHARE = 0.01
START_EPOCHS = 3
# A loss that sits high above what the run can take off it (a regression's or a detector's
# loss with a large floor) steps by little against its level, yet a typical step up that
# undoes LARGE_UNDONE of all the run learned is overshooting: then a step of SMALL_AMPLITUDE
# of the level is enough (half of AMPLITUDE: still well above the epoch mean's noise).
LARGE_UNDONE = 0.25
SMALL_AMPLITUDE = AMPLITUDE / 2
# Steps up that each undo LARGE_UNDONE of all the run learned cancel its steps down: in this share
# of the epochs (under UP_SHARE) they are enough to leave it with no net progress (SGD with
# momentum 0.9 at 0.1: 0.82, 0.76, 0.73, 0.76, 0.69, 0.74, 0.78, 0.77, 0.75, 0.69, three steps up
# of ten, each half of what it had learned). A converging loss gives back no such share at all.
UP_SHARE_UNDOING = 0.3
# Right on all but one sample in a hundred: the loss's wobble changes no answers (docstring).
NEAR_PERFECT = 0.99
# The validation loss, measured on fixed data with the weights as an epoch left them, falling in
# this share of its steps or more: the weights improved epoch after epoch, so an optimizer that
# overshoots (which throws the weights about, and validation with them) is not what makes the
# training loss's epoch means go up and down; a small data set's few batches, augmentation or
# dropout do (a fine-tune on 168 images: validation 0.755 -> 0.201, down in 28 of 29 steps).
VAL_STEADY = 0.9
# Standard errors of a difference of two epoch means that sampling noise stays within (about 95 %
# of the time): a typical step up smaller than this is the logged batches' noise (docstring).
NOISE_Z = 2.0
# An accuracy above 1 is a percentage (`train_accuracy` 94.2 ... 100) up to this; above it, it is
# not an accuracy at all. A percentage that stays under 1 % is no near-perfect score either way.
PERCENT = 100.0


@dataclass
class LossOscillating(Rule):
    code = Code.loss_oscillating
    category = Category.training_dynamics
    causes = (
        ("lr_too_high", 3.0),
        ("batch_size_unsuitable", 1.5),
        ("unscaled_features", 1.0),
        ("exploding_gradients", 1.0),
    )
    monitor: str = "loss"

    def check(self, run: TrainingHistory) -> Finding | None:
        values = finite_curve(run.get(self.monitor))
        if values is None or run.epochs < SHORT_MIN_EPOCHS:
            return None
        steps = np.diff(values)
        up_share = float(np.mean(steps > 0))
        level = median(np.abs(values))
        ups_size = steps[steps > 0]
        amplitude = median(ups_size) / level if level and ups_size.size else 0.0
        undone = progress_undone(values, steps)
        if (
            up_share < (UP_SHARE_UNDOING if undone >= LARGE_UNDONE else UP_SHARE)
            or amplitude < SMALL_AMPLITUDE
        ):
            return None
        if undone < UNDONE_SHARE or (amplitude < AMPLITUDE and undone < LARGE_UNDONE):
            return None
        short = run.epochs < MIN_EPOCHS
        if short and (up_share < SHORT_UP_SHARE or amplitude < AMPLITUDE or undone < LARGE_UNDONE):
            return None
        ups = [int(i) + 1 for i in np.flatnonzero(steps > 0)]
        settled = answers_settled(run, run.epochs // 2) or answers_settled(run, run.epochs // 2, "val_")
        per_step = run.source.granularity == PER_STEP or run.source.single_steps(self.monitor)
        within_noise = within_epoch_noise(run, self.monitor, steps)
        val_steady = validation_steady(run, self.monitor)
        return self.finding(
            run,
            severity=Severity.info if settled or per_step or within_noise or val_steady else Severity.warning,
            confidence=min(0.9, 0.5 + up_share),
            summary=(
                f"{self.monitor} went up in {up_share:.0%} of {run.unit.many}, "
                f"by {amplitude:.0%} of its level "
                f"on a typical step up, undoing {min(undone, 1.0):.0%} of what the run had learned each "
                + (
                    "time, while the accuracy held near 1: confidence on a few samples moving."
                    if settled
                    else "time, read per logged step: batch-to-batch noise that no epoch mean smooths."
                    if per_step
                    else "time, within the sampling noise of epoch means of a few logged steps each: "
                    "batch-to-batch noise, not an optimizer going back up."
                    if within_noise
                    else "time, while the validation loss fell in nearly every epoch: the weights "
                    "improved steadily, the wobble is the epoch mean's batches."
                    if val_steady
                    else "time: the optimizer is overshooting."
                )
            ),
            evidence={
                "metric": self.monitor,
                "up_share": rounded(up_share, 3),
                "relative_step": rounded(amplitude, 3),
                "progress_undone": rounded(undone, 3),
                "accuracy_near_perfect": settled,
                "per_step": per_step,
                "within_epoch_mean_noise": within_noise,
                "thresholds": {
                    "noise_z": NOISE_Z,
                    "up_share": UP_SHARE,
                    "relative_step": AMPLITUDE,
                    "progress_undone": UNDONE_SHARE,
                    "large_undone": LARGE_UNDONE,
                    "small_relative_step": SMALL_AMPLITUDE,
                    "min_epochs": MIN_EPOCHS,
                    "short_up_share": SHORT_UP_SHARE,
                    "near_perfect": NEAR_PERFECT,
                },
            },
            recommendation=(
                "Divide the learning rate by 3-10; if it persists, use batches of at least 32 and "
                "standardize the inputs."
            ),
            fix={"learning_rate_factor": 0.3},
            epochs=ups,
        )


def within_epoch_noise(run: TrainingHistory, monitor: str, steps: np.ndarray) -> bool:
    """The typical step up of `monitor`'s epoch means is under NOISE_Z standard errors of a
    difference of two of them (docstring)."""
    noise = run.source.epoch_mean_noise.get(monitor)
    ups = steps[steps > 0]
    if not noise or ups.size == 0:
        return False
    return median(ups) < NOISE_Z * math.sqrt(2.0) * noise


def validation_steady(run: TrainingHistory, monitor: str) -> bool:
    """The validation curve of `monitor` fell in VAL_STEADY of its epoch-to-epoch steps or more (see the
    docstring)."""
    val = finite_curve(run.get(f"val_{monitor}"))
    if val is None or val.size < MIN_EPOCHS:
        return False
    return float(np.mean(np.diff(val) < 0)) >= VAL_STEADY


def answers_settled(run: TrainingHistory, start: int, prefix: str = "") -> bool:
    """The training accuracy (where the run logs one; the validation accuracy with `prefix`
    "val_") stayed at NEAR_PERFECT or above from epoch `start` on; an accuracy logged in
    percent (above 1 anywhere, never above PERCENT) is read as the share it is: 99.6 is 0.996."""
    name = run.facts.accuracy_metric
    accuracy = finite_curve(run.get(f"{prefix}{name}")) if name else None
    if accuracy is None or start >= accuracy.size or float(accuracy.max()) > PERCENT:
        return False
    return float(as_share(accuracy)[start:].min()) >= NEAR_PERFECT


def progress_undone(values: np.ndarray, steps: np.ndarray) -> float:
    """The median step up as a share of the run's progress (see UNDONE_SHARE); infinite for a
    run that made none, whose every step up is a step back."""
    ups = steps[steps > 0]
    progress = median(values[:START_EPOCHS]) - float(values.min())
    if ups.size == 0:
        return 0.0
    return median(ups) / progress if progress > 0 else math.inf
