"""accuracy_at_chance: accuracy never rose above guessing, or never moved at all.

Two shapes, one meaning (the model predicts nothing useful): an accuracy that ends within a
few points of 1/K, and an accuracy frozen at one value for the whole run, which is what a
model that outputs a single class for every sample shows (at the majority-class rate). A
model at its ceiling freezes too (a validation set with one sample wrong): when the caller's
`baseline_loss` bounds the majority class's share, an accuracy frozen above what any single
answer could score is not this.

A third shape needs no K: an accuracy that collapsed, losing COLLAPSE (absolute) from its best
and ending no higher than MARGIN above its first epoch. Whatever it had learned is gone; it is
back at (or below) where a fresh model starts.

A model at its ceiling is not frozen on one answer either, whatever the class shares: its
accuracy climbed there (CEILING_CLIMB or more above its first epoch) and its loss kept falling
while the accuracy stood still (to under CEILING_LOSS_FALL of where it stood when the accuracy
froze; 0.998 for 16 epochs while the validation loss fell 0.023 -> 0.003). A model answering
one class for every sample has nothing left to gain on the loss once its accuracy stops: in the
generated corpus a frozen accuracy that had climbed kept its loss within 10 %, and a loss that
fell by half came with an accuracy that never moved.

An accuracy frozen at 1 (within FROZEN) is a perfect score, not a single answer: one class for
every sample scores it only on a set that holds one class, where the accuracy says nothing, and
then the training curves tell. A training loss under the binary entropy of the training
accuracy's level is below what any constant answer scores at that accuracy (the class shares'
entropy is at least that): the model tells the classes apart (validation 1.0 from epoch 2 on, the
training accuracy 0.9995 with its loss at 0.001, under the 0.004 a constant answer would cost).

A fourth shape needs no K either: an accuracy that never moved from its first epoch (the training
accuracy within TRAIN_FROZEN over the whole run, validation's never MARGIN above it) while still
mostly wrong (under underfitting.MOSTLY_WRONG, or within MARGIN of 1/K where K is known) and the
training loss fell to UNMOVED_LOSS_FALL of its first epoch or less. A model that learns changes
its answers as its loss falls; one whose loss halves while its answers stay where a fresh model's
are is scored on something other than what it learns (integer labels read by an accuracy for
one-hot ones, a loss fit to another target): wild log w1231, a generator with sparse labels whose
loss fell 1.48 -> 0.61 while its accuracy sat at 0.100-0.102 for six epochs (0.50 -> 0.61 with
one-hot labels in the same thread). A model at its ceiling from the first epoch is not this: it
is right on most samples, not wrong on most.

An accuracy that rises through the frozen epochs is not frozen on one answer, however little it
moves: one class for every sample scores the same on a validation set every epoch (its steps are
zero) and wanders with the batches on the training set (its steps go up and down about evenly),
while a model still learning at a small learning rate climbs in step after step (wild log w978,
a tumour-segmentation U-Net on ReduceLROnPlateau: validation accuracy 0.98735 -> 0.98842, up at
each of the 18 steps of its last 19 epochs, inside FROZEN, while its loss fell 0.0366 ->
0.0345). RISING_SHARE of its steps up and an end above its start is that climb.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from diagnosis.curves import finite_curve, median, rounded, tail_length
from diagnosis.history import TrainingHistory
from diagnosis.models import Finding, Severity
from diagnosis.rules.base import Rule
from diagnosis.rules.underfitting import MOSTLY_WRONG
from diagnosis.taxonomy import Category, Code

# Within this (absolute) of 1/K counts as chance.
MARGIN = 0.05
# Frozen: over the last FROZEN_SHARE of the epochs the validation accuracy moves less than
# FROZEN (one sample's worth on a few hundred) and the training accuracy less than
# TRAIN_FROZEN (or never rises more than TRAIN_FROZEN above the value validation holds),
# while a learning model's accuracies keep moving. The first epochs are left
# out: a model collapses onto the majority class within an epoch or two.
FROZEN = 0.002
TRAIN_FROZEN = 0.01
FROZEN_SHARE = 0.8
# At its ceiling: the frozen accuracy rose at least CEILING_CLIMB (absolute) from its first epoch
# and the loss beside it fell below CEILING_LOSS_FALL of its value at the start of the frozen epochs.
CEILING_CLIMB = 0.15
CEILING_LOSS_FALL = 0.5
# Rising: at least this share of the frozen epochs' steps go up, and it ends above where it
# started (see the docstring); a constant answer's steps are zero or go up about half the time.
RISING_SHARE = 0.75
# Frozen at or above PERFECT: every sample right (a set of a few hundred has no room for one
# wrong between PERFECT and 1); judged on the training curves (see the docstring).
PERFECT = 1.0 - FROZEN
# Unmoved (see the docstring): the training loss ended at this share of its first epoch or less
# (the same halving as CEILING_LOSS_FALL: a loss that fell so far has learned something), while
# the accuracy stayed under MOSTLY_WRONG (underfitting's: most samples still wrong).
UNMOVED_LOSS_FALL = CEILING_LOSS_FALL
# Keras names recall metrics recall, recall_1, val_recall, ...
RECALL = re.compile(r"^(val_)?recall(_\d+)?$")
MIN_EPOCHS = 5
TAIL_FRACTION = 0.2
# Collapsed: the end (median of the tail) lost this much accuracy from the run's best.
COLLAPSE = 0.15

AT_CHANCE_CAUSES = (
    ("loss_task_mismatch", 2.0),
    ("output_activation_mismatch", 2.0),
    ("lr_too_high", 1.5),
    ("label_noise", 1.0),
    ("dead_units", 1.0),
)
COLLAPSE_CAUSES = (
    ("lr_too_high", 3.0),
    ("output_activation_mismatch", 2.0),
    ("exploding_gradients", 1.5),
    ("dead_units", 1.0),
)
UNMOVED_CAUSES = (
    ("label_format_mismatch", 3.0),
    ("loss_task_mismatch", 2.0),
    ("output_activation_mismatch", 1.5),
)
FROZEN_CAUSES = (
    ("class_imbalance", 3.0),
    ("output_activation_mismatch", 1.5),
    ("dead_units", 1.5),
    ("lr_too_high", 1.0),
)


@dataclass
class AccuracyAtChance(Rule):
    code = Code.accuracy_at_chance
    category = Category.training_dynamics
    causes = AT_CHANCE_CAUSES

    def check(self, run: TrainingHistory) -> Finding | None:
        name = run.facts.accuracy_metric
        if name is None or run.epochs < MIN_EPOCHS:
            return None
        frozen = self._frozen_metric(run, name)
        if (
            frozen is not None
            and not _beats_any_single_answer(run, frozen[0], float(frozen[1][-1]))
            and not _at_ceiling(run, *frozen)
            and not _perfect(run, *frozen)
            and not _rising(frozen[1])
        ):
            return self._frozen(run, *frozen)
        unmoved = _unmoved(run, name)
        if unmoved is not None:
            return self._unmoved(run, name, *unmoved)
        for metric in (f"val_{name}", name):
            values = finite_curve(run.get(metric))
            if values is None:
                continue
            chance = run.facts.chance_accuracy
            end = median(values[-tail_length(run.epochs, TAIL_FRACTION, 2) :])
            if chance is not None and end <= chance + MARGIN:
                return self._at_chance(run, metric, end, chance)
            if float(values.max()) - end >= COLLAPSE and end <= float(values[0]) + MARGIN:
                return self._collapsed(run, metric, values, end)
        return None

    def _unmoved(
        self, run: TrainingHistory, name: str, level: float, loss_first: float, loss_end: float
    ) -> Finding:
        return self.finding(
            run,
            severity=Severity.error,
            confidence=0.75,
            summary=(
                f"{name} stayed at {level:.3f} from its first {run.unit.one} to its last while the "
                "loss fell from "
                f"{loss_first:.4g} to {loss_end:.4g}: the model's answers did not improve at all, so the "
                "accuracy scores something other than what the loss trains."
            ),
            evidence={
                "metric": name,
                "level": rounded(level),
                "loss_first": rounded(loss_first),
                "loss_end": rounded(loss_end),
                "thresholds": {
                    "train_frozen_range": TRAIN_FROZEN,
                    "margin": MARGIN,
                    "mostly_wrong": MOSTLY_WRONG,
                    "unmoved_loss_fall": UNMOVED_LOSS_FALL,
                },
            },
            recommendation=(
                "Check that labels, loss and metric agree: integer labels need "
                "sparse_categorical_crossentropy and sparse_categorical_accuracy, one-hot labels "
                "categorical_crossentropy; print a few predictions beside their labels."
            ),
            causes=UNMOVED_CAUSES,
        )

    def _collapsed(self, run: TrainingHistory, metric: str, values: np.ndarray, end: float) -> Finding:
        best_epoch = int(np.argmax(values))
        return self.finding(
            run,
            severity=Severity.error,
            confidence=0.8,
            summary=(
                f"{metric} collapsed from {float(values[best_epoch]):.3f} at {run.unit.one} {best_epoch} to "
                f"{end:.3f}, no better than its first {run.unit.one}'s {float(values[0]):.3f}: the "
                "model lost what it had learned."
            ),
            evidence={
                "metric": metric,
                "first": rounded(float(values[0])),
                "best": rounded(float(values[best_epoch])),
                "best_epoch": best_epoch,
                "end_median": rounded(end),
                "thresholds": {"collapse": COLLAPSE, "margin": MARGIN},
            },
            recommendation=(
                "Lower the learning rate by 10x and add gradient clipping (clipnorm=1.0); check that the "
                "output activation matches the loss (softmax for categorical cross-entropy, or "
                "from_logits=True with a linear output)."
            ),
            fix={"learning_rate_factor": 0.1, "clipnorm": 1.0},
            epochs=[best_epoch],
            causes=COLLAPSE_CAUSES,
        )

    @staticmethod
    def _frozen_metric(run: TrainingHistory, name: str) -> tuple[str, np.ndarray] | None:
        """The accuracy curve that sits still (validation first), if the run's accuracies do;
        or a recall that stays at zero: the positive class is never predicted at all."""
        window = tail_length(run.epochs, FROZEN_SHARE, MIN_EPOCHS)
        for metric in run.curve_names:
            recall = finite_curve(run.get(metric)) if RECALL.match(metric) else None
            if recall is not None and not recall[-window:].any():
                return metric, recall[-window:]
        train = finite_curve(run.get(name))
        val = finite_curve(run.get(f"val_{name}"))
        if train is None:
            return None
        train_still = float(np.ptp(train[-window:])) < (TRAIN_FROZEN if val is not None else FROZEN)
        val_still = val is not None and float(np.ptp(val[-window:])) < FROZEN
        # A training accuracy still climbing, but never past the one value validation holds,
        # is a model working its way up to the constant answer, not past it.
        # ...as long as validation held that value from its first epoch (a model that climbed to
        # its ceiling and stayed there is not answering one class) and its loss has not beaten
        # the best constant answer's (the class shares' entropy, at least H_b(level)).
        below_frozen = (
            val is not None
            and val_still
            and abs(float(val[0]) - float(val[-1])) <= TRAIN_FROZEN
            and float(train[-window:].max()) <= float(val[-1]) + TRAIN_FROZEN
            and _no_better_than_constant(run, float(val[-1]))
        )
        if (not train_still and not below_frozen) or train[-1] >= 1.0:
            return None
        if val is None:
            return name, train[-window:]
        return (f"val_{name}", val[-window:]) if float(np.ptp(val[-window:])) < FROZEN else None

    def _frozen(self, run: TrainingHistory, metric: str, values: np.ndarray) -> Finding:
        value = float(values[-1])
        return self.finding(
            run,
            severity=Severity.error,
            confidence=0.85,
            summary=(
                f"{metric} stayed at {value:.4f} for the last {len(values)} of "
                f"{run.unit.count(run.epochs)}: the model predicts the same class for (nearly) every sample."
            ),
            evidence={
                "metric": metric,
                "value": rounded(value),
                "frozen_epochs": len(values),
                "thresholds": {
                    "frozen_range": FROZEN,
                    "train_frozen_range": TRAIN_FROZEN,
                    "share": FROZEN_SHARE,
                },
            },
            recommendation=(
                "Count the classes in y_train: if one dominates, pass class_weight to fit; then check "
                "that the output activation matches the loss and lower the learning rate by 10x."
            ),
            fix={"class_weight": "balanced"},
            causes=FROZEN_CAUSES,
        )

    def _at_chance(self, run: TrainingHistory, metric: str, end: float, chance: float) -> Finding:
        return self.finding(
            run,
            severity=Severity.error,
            confidence=0.8,
            summary=(
                f"{metric} ended at {end:.3f}, within {MARGIN} of chance (1/{run.facts.num_classes} = "
                f"{chance:.3f}): the model has learned nothing it can use."
            ),
            evidence={
                "metric": metric,
                "end_median": rounded(end),
                "chance_accuracy": rounded(chance),
                "num_classes": run.facts.num_classes,
                "thresholds": {"margin": MARGIN},
            },
            recommendation=(
                "Check that labels and loss agree (integer labels with sparse_categorical_crossentropy, "
                "one-hot with categorical_crossentropy) and that the output layer has one unit per class "
                "with softmax; then verify the model can overfit one batch."
            ),
        )


def _at_ceiling(run: TrainingHistory, metric: str, frozen: np.ndarray) -> bool:
    """An accuracy that climbed to where it froze while its loss kept falling (CEILING_CLIMB,
    CEILING_LOSS_FALL): a model at its ceiling, not one answering a single class."""
    accuracy = finite_curve(run.get(metric))
    loss = finite_curve(run.get("val_loss" if metric.startswith("val_") else "loss"))
    if RECALL.match(metric) or accuracy is None or loss is None:
        return False
    window = loss[-len(frozen) :]
    climbed = float(frozen[-1]) - float(accuracy[0]) >= CEILING_CLIMB
    return climbed and window[0] > 0 and float(window[-1]) < CEILING_LOSS_FALL * float(window[0])


def _unmoved(run: TrainingHistory, name: str) -> tuple[float, float, float] | None:
    """The training accuracy's level and the loss's first and last values where the accuracy never
    moved while mostly wrong and the loss fell UNMOVED_LOSS_FALL (see the docstring), else None."""
    train = finite_curve(run.get(name))
    loss = finite_curve(run.get("loss"))
    if train is None or loss is None or float(train.min()) < 0 or float(train.max()) > 1:
        return None
    chance = run.facts.chance_accuracy
    wrong = max(MOSTLY_WRONG, chance + MARGIN) if chance is not None else MOSTLY_WRONG
    level = median(train)
    if float(np.ptp(train)) >= TRAIN_FROZEN or float(train.max()) >= wrong:
        return None
    val = finite_curve(run.get(f"val_{name}"))
    if val is not None and float(val.max()) > level + MARGIN:
        return None
    first, end = float(loss[0]), float(loss[-1])
    if first <= 0 or end < 0 or end > UNMOVED_LOSS_FALL * first:
        return None
    return level, first, end


def _rising(frozen: np.ndarray) -> bool:
    """An accuracy that climbs through its frozen epochs (RISING_SHARE): a model still learning."""
    steps = np.diff(frozen)
    return bool(frozen[-1] > frozen[0] and np.mean(steps > 0) >= RISING_SHARE)


def _perfect(run: TrainingHistory, metric: str, frozen: np.ndarray) -> bool:
    """An accuracy frozen at PERFECT or above beside a training loss that beats any constant
    answer at the training accuracy's level (see the docstring)."""
    name = run.facts.accuracy_metric
    if RECALL.match(metric) or name is None or float(frozen[-1]) < PERFECT:
        return False
    train = finite_curve(run.get(name))
    loss = finite_curve(run.get("loss"))
    if train is None or loss is None:
        return False
    level = median(train[-len(frozen) :])
    if level >= 1.0:
        return True
    return median(loss[-len(frozen) :]) < _binary_entropy(level)


def _binary_entropy(level: float) -> float:
    if not 0.0 < level < 1.0:
        return 0.0
    return float(-level * np.log(level) - (1 - level) * np.log(1 - level))


def _beats_any_single_answer(run: TrainingHistory, metric: str, value: float) -> bool:
    """An accuracy above the largest share a class can hold (by the baseline loss's entropy)
    plus the chance margin: no model that answers one class for every sample scores it."""
    bounds = run.facts.majority_share
    return bounds is not None and not RECALL.match(metric) and value > bounds[1] + MARGIN


def _no_better_than_constant(run: TrainingHistory, level: float) -> bool:
    """Whether the last validation loss is at least the binary entropy of `level`: no lower than
    any constant prediction of class shares whose largest is `level` can score."""
    val_loss = finite_curve(run.get("val_loss"))
    if val_loss is None or not 0.5 <= level < 1:
        return False
    return bool(float(val_loss[-1]) >= _binary_entropy(level))
