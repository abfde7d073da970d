"""unexpected_initial_loss: the first epoch's loss is far from what a fresh model gives.

A freshly initialized classifier predicts roughly uniform probabilities, so its
cross-entropy starts near ln K. Keras logs the first epoch's average, which is already a
little lower; a value far above ln K means the model started confidently wrong (an output
layer, activation or label encoding that does not fit the loss, or unscaled inputs), and a
negative cross-entropy is impossible for valid labels.

The whole curve decides, not the first epoch alone. The first epoch's training loss is an
average over that epoch's steps: a blow-up in its first steps lifts it far above ln K even when
the model ends the epoch where a fresh one should be. The validation loss is measured at the end
of the first epoch and the second epoch's training loss over the whole of the next: when both
are in the expected range (the same test) and the run ended well (its accuracy at least
ENDED_WELL of the way from chance to 1), the model was not confidently wrong: it recovered
inside its first epoch and went on to learn. Real healthy runs do this (27.7 at epoch 0, 1.51
at epoch 1, 0.07 at the end, validation 1.25 -> 0.21, accuracy 0.93), so such a start is
reported as info. The generated corpus labels some runs of this shape faulty (a ReLU output
under a cross-entropy that still reached 0.97): from the curves alone they cannot be told from
healthy ones, and calling every real run with a noisy first epoch faulty is the worse error.
A start that is still far off after the first epoch, or a run that ended with most samples
wrong (an MSE on class ids), stays a warning. A log that starts after epoch LATE_START (a pasted
excerpt, `Epoch 64/100` on) shows no first epoch at all: its first loss is a trained model's.

OTHER_SCALE: a training loss that fell over the run yet ended still far off (FACTOR x ln K and
ABOVE over it) in a run that ended well, and ended more than val_better_than_train.LARGE_GAP
above the validation loss while the two accuracies agree (within its ACCURACY_GAP), is logged
on another scale than validation's (a sum over an epoch's batches, a class-weighted loss: a
graph classifier at 89.9 -> 40.4 against validation 5.4, both at accuracy 0.87; a ViT at 813
-> 515 against 0.91, at 74 % and 71 %): the same model scoring the same share of samples right
has no such gap in a mean cross-entropy. Its first epoch then says nothing of the model's first
predictions (info). A mean cross-entropy can be that high at a good accuracy (unscaled inputs
make logits in the thousands: 54 at 0.77 accuracy), but validation's is then as high. A loss
that rose over the run stays a warning: it is the climb, not the scale (a blow-up ending at
1055).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from diagnosis.curves import as_share, rounded
from diagnosis.history import TrainingHistory
from diagnosis.judgeable import LATE_START
from diagnosis.models import Finding, Severity
from diagnosis.rules.base import Rule
from diagnosis.rules.unscaled_targets import REGRESSION_SCALE, TARGETS_AT_SCALE, target_scale
from diagnosis.rules.val_better_than_train import ACCURACY_GAP, LARGE_GAP
from diagnosis.taxonomy import Category, Code
from diagnosis.units import Settled

if TYPE_CHECKING:
    from diagnosis.probes.settling import BundleFacts

# First-epoch loss above this multiple of ln K, and at least ABOVE nats above it. A fresh
# softmax over standardized inputs starts within a few tenths of ln K, and the first epoch's
# average is lower still; twice ln K means the model started far off.
FACTOR = 2.0
ABOVE = 1.0
# K unknown (no metadata, no tell in the curves): a classifier's first loss is held against the
# largest K any common task has (ImageNet's 1000 classes, ln K = 6.9), so a first epoch that is
# unexpected for every K up to it is unexpected for this run's.
MAX_PLAUSIBLE_CLASSES = 1000
# Ended well: the final accuracy (validation's where the run has it) got at least this share of
# the way from chance (1/K, or 0 with K unknown) to 1; with K unknown that is most samples right.
ENDED_WELL = 0.5

REGRESSION_CAUSES = (("unscaled_targets", 3.0), ("unscaled_features", 2.0), ("lr_too_low", 0.5))
# Targets at scale (a baseline_loss at most TARGETS_AT_SCALE, see rules.unscaled_targets) cannot
# make a first loss of REGRESSION_SCALE: the inputs' scale or the first steps did. Only an offset
# mean is left to the targets, hence the small weight kept for them. On the generated corpus's
# tuning splits the regressions raising this warning with baseline_loss 1 were 11 unscaled inputs
# and 7 rates too high; the 33 with unscaled targets had baselines of 2,500 and more.
SCALED_TARGETS_CAUSES = (("unscaled_features", 3.0), ("lr_too_high", 1.5), ("unscaled_targets", 0.5))

NEGATIVE_CAUSES = (("label_format_mismatch", 3.0), ("loss_task_mismatch", 2.0))
# A start still far off after the first epoch in a run that nonetheless ended well: the output
# layer and the loss fit the task (a model wired wrong does not end with most samples right), so
# what made the first predictions confidently wrong was the size of its inputs (huge logits
# from raw features) or of its first steps. On the generated corpus's tuning splits, of the
# classifiers raising this warning that ended well (both metadata modes together), 34 had
# unscaled inputs, 22 a rate too high, 8 heavy dropout and 7 a mismatched output activation; no
# loss or label mismatch ended well.
LEARNED_ANYWAY_CAUSES = (
    ("unscaled_features", 3.0),
    ("lr_too_high", 1.5),
    ("output_activation_mismatch", 1.0),
)


@dataclass
class UnexpectedInitialLoss(Rule):
    code = Code.unexpected_initial_loss
    category = Category.implementation
    causes = (
        ("output_activation_mismatch", 2.0),
        ("unscaled_features", 1.5),
        ("loss_task_mismatch", 1.5),
        ("label_format_mismatch", 1.0),
        ("lr_too_high", 1.0),
    )

    def settle(self, finding: Finding, facts: BundleFacts) -> Settled | None:
        """In a bundle, a first loss far off is a hazard: a replay that went on to fit the data
        shows it cost nothing (underfitting.trained_through), and one that brought its training
        loss under half of the learned-nothing loss recovered from it (replay_learned: a raw
        regression target of 100 starts at an MSE of thousands and trains anyway)."""
        from diagnosis.rules.underfitting import replay_learned, trained_through

        return trained_through(facts) or replay_learned(facts)

    def check(self, run: TrainingHistory) -> Finding | None:
        loss = run.get("loss")
        if loss is None or not np.isfinite(loss[0]):
            return None
        from_start = run.starts_at_beginning(LATE_START)
        # Unknown task: a first loss of thousands is as far off for a cross-entropy as for an MSE.
        if run.facts.task in {"regression", None}:
            return self._regression(run, float(loss[0])) if from_start else None
        chance = run.facts.chance_loss
        if chance is None and run.facts.task in {"classification", "binary", "multiclass"}:
            chance = math.log(MAX_PLAUSIBLE_CLASSES)
        if chance is None:
            return None
        first = float(loss[0])
        evidence: dict[str, object] = {
            "first_epoch_loss": rounded(first),
            "expected_near": rounded(chance),
            "num_classes": run.facts.num_classes,
            "thresholds": {
                "factor": FACTOR,
                "above": ABOVE,
                "max_plausible_classes": MAX_PLAUSIBLE_CLASSES,
                "ended_well": ENDED_WELL,
            },
        }
        # A negative cross-entropy is wrong labels wherever a run starts: reported from_start or not.
        negative = _negative_first(run)
        if negative is not None:
            name, value = negative
            return self.finding(
                run,
                severity=Severity.error,
                confidence=0.95,
                summary=(
                    f"The {'training' if name == 'loss' else 'validation'} cross-entropy is negative in "
                    f"the first {run.unit.one} ({value:.3g}): the labels are not valid for it."
                ),
                evidence=evidence,
                recommendation=(
                    "Labels must be 0/1 for binary_crossentropy, integers 0..K-1 for "
                    "sparse_categorical_crossentropy, and one-hot rows for categorical_crossentropy."
                ),
                epochs=[0],
                causes=NEGATIVE_CAUSES,
            )
        if not from_start or not _far_off(first, chance):
            return None
        after = _after_first_epoch(run)
        in_range = bool(after) and not any(_far_off(value, chance) for value in after.values())
        final_accuracy = final_val_accuracy(run)
        learned = ended_well(run)
        recovered = in_range and learned
        last = float(loss[-1])
        # See OTHER_SCALE in the docstring: still far off at the end of a run that fell and
        # ended well is a loss on another scale, not a model confidently wrong.
        other_scale = (
            learned and not recovered and last < first and _far_off(last, chance) and _another_scale(run)
        )
        evidence["after_first_epoch"] = {name: rounded(value) for name, value in after.items()}
        evidence["final_accuracy"] = None if final_accuracy is None else rounded(final_accuracy)
        evidence["last_epoch_loss"] = rounded(last)
        reading = (
            f", and it ended at {last:.3g}, still far above ln K, in a run that ended at accuracy "
            f"{final_accuracy:.3g}: no mean cross-entropy is that high with most samples right, so the "
            "logged loss is on another scale (a sum over batches, a weighted loss)."
            if other_scale and final_accuracy is not None
            else f", but the model was in range by the end of that {run.unit.one} ("
            + ", ".join(f"{name} {value:.3g}" for name, value in after.items())
            + f") and ended at accuracy {final_accuracy:.3g}: a blow-up in its first steps that it "
            "recovered from."
            if recovered
            else f", and the run ended at accuracy {final_accuracy:.3g}: the model started confidently "
            "wrong, though its output layer and loss let it learn the task."
            if learned and final_accuracy is not None
            else ": the model started confidently wrong."
        )
        return self.finding(
            run,
            severity=Severity.info if recovered or other_scale else Severity.warning,
            confidence=0.7,
            summary=(
                f"The first {run.unit.one}'s loss was {first:.3g}, {first / chance:.0f}x ln K = {chance:.3f}"
                + ("" if run.facts.num_classes else f" for as many as {MAX_PLAUSIBLE_CLASSES} classes")
                + reading
            ),
            evidence=evidence,
            recommendation=(
                "Check the output layer (one unit per class, softmax; or from_logits=True with a linear "
                "output), the label encoding against the loss, and standardize the inputs."
            ),
            epochs=[0],
            causes=LEARNED_ANYWAY_CAUSES if learned else None,
        )

    def _regression(self, run: TrainingHistory, first: float) -> Finding | None:
        # A loss that stayed on the targets' scale names its cause: rules.unscaled_targets.
        if first < REGRESSION_SCALE or target_scale(run) is not None:
            return None
        # The reported value itself, not facts.baseline_loss: that one reads a zero (constant
        # targets) as absent, and zero variance is targets at scale, leaving their offset mean.
        variance = run.facts.reported_baseline_loss if run.facts.task == "regression" else None
        targets_at_scale = variance is not None and variance <= TARGETS_AT_SCALE
        return self.finding(
            run,
            severity=Severity.warning,
            confidence=0.7,
            summary=(
                f"The first {run.unit.one}'s regression loss was {first:.3g}: "
                + (
                    f"the targets' variance is only {variance:.3g}, so the inputs are far from unit scale"
                    if targets_at_scale
                    else "targets or inputs are far from unit scale"
                )
                + ", which slows and destabilizes training."
            ),
            evidence={
                "first_epoch_loss": rounded(first),
                **({} if variance is None else {"baseline_loss": variance}),
                "thresholds": {"regression_scale": REGRESSION_SCALE, "targets_at_scale": TARGETS_AT_SCALE},
            },
            recommendation=(
                "Standardize the targets (subtract the mean, divide by the standard deviation; invert at "
                "prediction time) and the inputs (keras.layers.Normalization)."
            ),
            fix={"standardize_targets": True, "standardize_inputs": True},
            epochs=[0],
            causes=SCALED_TARGETS_CAUSES if targets_at_scale else REGRESSION_CAUSES,
        )


def _another_scale(run: TrainingHistory) -> bool:
    """The training loss ended LARGE_GAP or more above the validation loss while the final
    training and validation accuracies agree within ACCURACY_GAP (see OTHER_SCALE)."""
    loss, val = run.get("loss"), run.get("val_loss")
    name = run.facts.accuracy_metric
    train_acc, val_acc = (run.get(name), run.get(f"val_{name}")) if name else (None, None)
    if loss is None or val is None or train_acc is None or val_acc is None:
        return False
    ends = [float(values[-1]) for values in (loss, val, train_acc, val_acc)]
    if not all(math.isfinite(v) for v in ends):
        return False
    last, val_last = ends[:2]
    # Accuracies logged in percent compare as shares.
    train_end, val_end = as_share(np.array(ends[2:]))
    agree = abs(float(train_end) - float(val_end)) < ACCURACY_GAP
    return agree and 0 <= val_last <= (1 - LARGE_GAP) * last


def _negative_first(run: TrainingHistory) -> tuple[str, float] | None:
    """The first epoch's training or validation loss where it is negative, which no
    cross-entropy is on valid labels: the validation set's labels are checked as well as the
    training set's (w273: labels 0, 1, 2, 2 under a binary cross-entropy give val_loss -0.106
    while the training labels fit)."""
    for name in ("loss", "val_loss"):
        values = run.get(name)
        if values is not None and len(values) and np.isfinite(values[0]) and float(values[0]) < 0:
            return name, float(values[0])
    return None


def _far_off(loss: float, chance: float) -> bool:
    """A classifier's loss that a fresh model would not have: FACTOR times ln K and ABOVE over it."""
    return loss >= FACTOR * chance and loss - chance >= ABOVE


def _after_first_epoch(run: TrainingHistory) -> dict[str, float]:
    """What the model scored once its first epoch was over: the validation loss measured at the
    end of it and the second epoch's training loss (each where the run has it and it is finite)."""
    found = {}
    for name, epoch in (("val_loss", 0), ("loss", 1)):
        values = run.get(name)
        if values is not None and len(values) > epoch and np.isfinite(values[epoch]):
            found[f"{name}[{epoch}]"] = float(values[epoch])
    return found


def final_val_accuracy(run: TrainingHistory) -> float | None:
    """The last epoch's accuracy, on validation where the run has it."""
    name = run.facts.accuracy_metric
    if name is None:
        return None
    values = run.get(f"val_{name}")
    values = run.get(name) if values is None else values
    if values is None or not np.isfinite(values[-1]):
        return None
    return float(values[-1])


def ended_well(run: TrainingHistory) -> bool:
    """The run's final accuracy got ENDED_WELL of the way from chance to 1."""
    final = final_val_accuracy(run)
    chance = run.facts.chance_accuracy or 0.0
    return final is not None and final >= chance + ENDED_WELL * (1.0 - chance)


def replay_recovered(facts: BundleFacts, chance_loss: float) -> Settled | None:
    """This rule's reading of a recovered start applied to a bundle's replay: a fresh copy's
    first loss far off (the initial-loss probe) that the replay left within its first epoch (the
    validation loss at its end and the second epoch's training loss in range, as
    _after_first_epoch reads a history) and that went on to end well (ENDED_WELL of the way from
    what a constant answer scores, the validation set's largest class share, to 1). A blow-up
    of the first steps that the setup recovered from cost nothing; real healthy runs do this."""
    # Bundle-only: the audit's arrays are imported here, as underfitting does, so the history
    # path never loads the audit package (whose checks import the rules).
    from diagnosis.audit.arrays import class_labels

    history, score = facts.replay.history, facts.replay.score
    after = {}
    for name, epoch in (("val_loss", 0), ("loss", 1)):
        values = history.get(name) or []
        if len(values) > epoch and math.isfinite(values[epoch]):
            after[f"{name}[{epoch}]"] = float(values[epoch])
    accuracy, y_val = score.get("accuracy"), facts.data.y_val
    if not after or any(_far_off(value, chance_loss) for value in after.values()):
        return None
    if accuracy is None or y_val is None or not len(y_val):
        return None
    # Labels that are not one class per sample (multi-hot tags, a label per time step) have no
    # single majority class whose share a constant answer scores: no reading.
    classes = class_labels(np.asarray(y_val), facts.info)
    if classes is None:
        return None
    majority = float(classes.counts.max()) / len(classes.codes)
    constant = max(majority, 1.0 / max(2, round(math.exp(chance_loss))))
    if accuracy < constant + ENDED_WELL * (1.0 - constant):
        return None
    return Settled(
        "but the replay was in range by the end of its first epoch ("
        + ", ".join(f"{name} {value:.3g}" for name, value in after.items())
        + f") and ended at validation accuracy {accuracy:.3g}, where one answer for all scores "
        f"{constant:.3g}: a start it recovered from",
        {
            "after_first_epoch": {k: rounded(v) for k, v in after.items()},
            "constant_answer": rounded(constant),
        },
    )
