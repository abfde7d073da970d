"""Whether the curves can support a judgement at all.

A run can show a problem however little it says (a NaN in epoch 1 is one), but calling it
healthy needs enough to compare with: a few epochs for any trend, and for a regression a
yardstick for "the loss is still high" (the caller's `baseline_loss`) or validation data to
show what carries over, or a loss that is its own yardstick: one that fell far (FELL_TO), or
one that fell clearly and settled (a finished fit: CONVERGED_FELL_TO and SETTLED_SHARE). Where
that is missing, the honest answer is "inconclusive" with the reason, not "healthy": one or two
epochs, or a loss with no yardstick that is still on its way down, fell too little to say it
learned, or stopped right after its first epochs. `why_inconclusive` gives that reason; the
verdict uses it only when no warning or error was found (a problem the curves show stays a
problem).

Validation that a per-step reading left out (an evaluation after each epoch of a short
fine-tune, `SourceInfo.left_out`) counts as validation: read per epoch, the same run carries it
and is judged as a Keras run of as many epochs is; the per-step view keeps the training steps
for the rules, which need more points than its few epochs give.
"""

from __future__ import annotations

import re

import numpy as np

from diagnosis.curves import finite_curve, first_trained, median
from diagnosis.history import TrainingHistory

# Fewer epochs than this show no trend: the first epoch is an average over a model that changed
# throughout it, and two points make every shape.
MIN_EPOCHS = 3
# A log whose first epoch is numbered after this is an excerpt of a run (`Epoch 64/100` on) or a
# fit resumed from a checkpoint: its first loss is a trained model's, not the untrained start
# that the rules which hold a curve against its start measure from (see
# TrainingHistory.starts_at_beginning and, for what each rule still judges, its docstring).
LATE_START = 5
# The curve names a reason quotes for a run with nothing to judge it by.
NAMES_SHOWN = 5
# A detector's mean average precision (`mAP`, `mAP_50`, ...; the readers write `mAP_50` as
# `m_ap_50`), a score between 0 and 1 that a model that learned nothing holds near 0, ended at
# SCORE_ENDED_WELL or more: the yardstick a loss of unknown task lacks (a debris detector's loss
# flat at 0.21 while mAP_75 rose 0.40 -> 0.89 is converged, not "still high"). Not F1, Dice,
# IoU, precision or recall: answering "positive" everywhere scores high on those where positives
# are common. Half, as for an accuracy's ENDED_WELL: most of what can be scored.
SCORE = re.compile(r"^(?:train_)?m_?ap(?:_\w+)?$", re.IGNORECASE)
SCORE_ENDED_WELL = 0.5
# A loss that ended (the median of its last END_EPOCHS epochs, so one lucky step does not count)
# at FELL_TO or less of its first epoch's is a yardstick of its own, whatever the task: the
# first epoch's loss is at most what a model that learned nothing scores (it averages a model
# that was learning throughout it), so a fifth of it is a fit that explains at least 80 % of
# what a learned-nothing model leaves (R^2 >= 0.8 for an MSE; under ln 2 / 5 = 0.14 for a
# balanced binary cross-entropy). Nothing then suggests the final loss is still high. A loss
# that fell less (1.0 -> 0.4) may still be high and stays inconclusive. A regression whose first
# epoch was huge only because its targets sit far from zero (learning their mean removes most of
# the loss) is unexpected_initial_loss's alarm, and an alarm is judged whatever this says.
# A fresh network predicts about zero, so its first epoch pays the targets' mean as well as
# their variance: a model that learned only the mean (a bias, inputs it cannot use) also ends far
# under its first epoch, but it does so within its first epochs and then stops (loss_plateau's
# "stalled from its first epochs"). So the loss must also have KEPT_FALLING, ending at half or
# less of its value at epoch EARLY_EPOCHS (loss_plateau.STALL_FROM): a model that halved the loss
# left after its first epochs learned from its inputs.
FELL_TO = 0.2
END_EPOCHS = 3
EARLY_EPOCHS = 2
KEPT_FALLING = 0.5
# A loss that fell clearly and then settled is a finished fit the rules can judge, though it
# fell less than FELL_TO: its shape, not its depth, is the yardstick. What FELL_TO guards
# against is a loss still on its way down (where it ends may still be high for where it is
# heading); a loss that stopped moving has shown where it heads. Three conditions, each the
# complement of a shape that tells nothing:
# - fell clearly: it ended (median of END_EPOCHS) at CONVERGED_FELL_TO or less of its first
#   epoch: a model that halved what it paid in its first epoch learned something, while a loss
#   that lost a fifth (a CIFAR tutorial's first 140 steps, 4.67 -> 4.08; a binary
#   cross-entropy from ln 2 to 0.50) may be a model still stuck near where it started;
# - learned after its first epochs: it ended at least loss_plateau's MIN_IMPROVEMENT under its
#   value at epoch EARLY_EPOCHS (the complement of loss_plateau's "stalled from its first
#   epochs"): a model that learned only the targets' mean or the class priors does that in its
#   first epochs and then stops, however far the loss fell by then (26 -> 1.02 -> 0.99);
# - settled: its last third of epochs (SETTLED_FROM on) took SETTLED_SHARE or less of its
#   whole fall (the level where that third starts is the median of END_EPOCHS epochs, as the
#   end is): a curve that flattened, not one falling by the same ratio each epoch (1.0 -> 0.4
#   geometrically in 20 epochs still loses a fifth of its fall in its last third), and
# - long enough to show both: SETTLE_MIN_EPOCHS, two thirds to fall and a third of at least two
#   epochs to flatten.
# Whether such a floor is the data's noise or a model too small for it is a question of capacity
# that a training curve does not answer with or without validation; the verdict is about the run.
CONVERGED_FELL_TO = 0.5
SETTLED_FROM = 2 / 3
SETTLED_SHARE = 0.1
SETTLE_MIN_EPOCHS = 6
# loss_plateau.MIN_IMPROVEMENT (not imported: the rules import the evidence model, which imports
# this module); tests/diagnosis/test_curves_alone.py holds the two equal.
MIN_IMPROVEMENT = 0.05


def why_inconclusive(run: TrainingHistory) -> str | None:
    """What the input lacks for a judgement, in words a user can act on; None when it suffices."""
    if run.epochs < MIN_EPOCHS:
        return (
            f"{run.unit.count(run.epochs, spelled=True)}: too few to tell a trend; "
            f"send the history after at least {run.unit.count(MIN_EPOCHS)}"
        )
    facts = run.facts
    if run.get("loss") is None and facts.accuracy_metric is None and not _scored_well(run):
        # Every curve rule but the accuracy ones reads the training loss; a run without it or an
        # accuracy (a detector's box_loss, obj_loss and cls_loss, a PSNR) was checked for nothing.
        shown = ", ".join(run.curve_names[:NAMES_SHOWN])
        return (
            f"no training loss or accuracy among its curves ({shown}): nothing to judge it by; "
            "send the loss the model minimizes as `loss` (for a sum of parts, their total)"
        )
    # A per-step reading leaves out validation logged once an epoch (SourceInfo.left_out): the
    # same run read per epoch would carry it, and be judged as a Keras run of as many epochs is.
    has_validation = any(name.startswith("val_") for name in [*run.curve_names, *run.source.left_out])
    if (
        facts.task in {"regression", None}
        and facts.baseline_loss is None
        and not has_validation
        and not _scored_well(run)
        and not _fell_far(run)
        and not _converged(run)
    ):
        what = "a regression" if facts.task == "regression" else "a loss of unknown task"
        return (
            f"{what} without baseline_loss or validation data: nothing says whether its final loss is "
            "high; send metadata.baseline_loss (for MSE, np.var(y_train)) or validation curves"
        )
    return None


def _trained_loss(run: TrainingHistory) -> np.ndarray | None:
    """The finite training loss from its first trained epoch: a 0 printed before any training
    step is no first epoch's loss (curves.first_trained)."""
    loss = finite_curve(run.get("loss"))
    return None if loss is None else loss[first_trained(loss) :]


def _fell_far(run: TrainingHistory) -> bool:
    """A positive training loss whose last epochs' median is FELL_TO or less of its first epoch's
    and KEPT_FALLING or less of its value at epoch EARLY_EPOCHS."""
    loss = _trained_loss(run)
    if loss is None or loss.size <= EARLY_EPOCHS + END_EPOCHS or float(loss[0]) <= 0:
        return False
    end = median(loss[-END_EPOCHS:])
    return end <= FELL_TO * float(loss[0]) and end <= KEPT_FALLING * float(loss[EARLY_EPOCHS])


def _converged(run: TrainingHistory) -> bool:
    """A positive training loss that fell clearly, learned after its first epochs and settled
    (CONVERGED_FELL_TO, MIN_IMPROVEMENT, SETTLED_SHARE: see the comment above them)."""
    loss = _trained_loss(run)
    if loss is None or loss.size < SETTLE_MIN_EPOCHS or float(loss[0]) <= 0:
        return False
    first, early = float(loss[0]), float(loss[EARLY_EPOCHS])
    end = median(loss[-END_EPOCHS:])
    tail_from = round(SETTLED_FROM * loss.size)
    tail_start = median(loss[max(tail_from - END_EPOCHS + 1, 0) : tail_from + 1])
    return (
        end <= CONVERGED_FELL_TO * first
        and end <= (1 - MIN_IMPROVEMENT) * early
        and tail_start - end <= SETTLED_SHARE * (first - end)
    )


def _scored_well(run: TrainingHistory) -> bool:
    """A mean average precision (SCORE) within [0, 1] that ended at SCORE_ENDED_WELL or more."""
    scores = [finite_curve(run.get(name)) for name in run.curve_names if SCORE.match(name)]
    return any(
        values is not None
        and float(values.min()) >= 0
        and float(values.max()) <= 1
        and float(values[-1]) >= SCORE_ENDED_WELL
        for values in scores
    )
