"""underfitting: the model learned little of what the data holds, on the training set itself
or on anything it had not seen.

"Little" needs a yardstick: the loss of a model that learned nothing. A classifier has one in
ln K; a regression has one only when the caller sends `metadata.baseline_loss` (the loss of
always predicting the targets' mean), which also replaces ln K for imbalanced classes.

The training loss must end above half of the yardstick: the model fits even its training
data poorly, which rules out overfitting as the problem. That is underfitting when
- the training loss has also levelled off: more epochs will not help; or
- the validation loss never got clearly below the yardstick in the whole run: nothing learned
  so far carries over to new data (for a regression, R^2 on validation never reached a tenth),
  even if the training loss is still creeping down.

A binary classifier whose accuracy says it separates most samples (LEARNED_ACCURACY, the
better of its training and validation accuracy) has not fit poorly because its training loss
levelled off above half of ln 2: that line (0.35 nats) is the lowest ln K sets, and a
cross-entropy under it needs data about 90 % separable (the entropy of a 10 % error rate is
0.33 nats), which many real binary tasks are not (tabular survival or diagnosis data levelling
off at 80-85 % accuracy: wild logs w1067, w1379, w1804). The loss it leaves is the classes'
overlap, not a model too small. Not when the loss stayed at LEARNED_NOTHING of ln 2 or above
(it never moved: an accuracy there is the majority class's), and not when validation sits
clearly below training (the val_better_than_train gap): a training loss held up by Dropout is
the excessive_dropout shape, which this rule names (generated runs excessive_dropout-moons-*:
0.83 training and 0.88 validation accuracy, validation loss 30 % under training).

A regression with no `baseline_loss` is held against its first epoch's training loss, for the
second shape only: a fresh network predicts about zero, whose MSE is at least the targets'
variance, and one epoch lowers it only part of the way, so a validation loss that never got a
tenth below it learned nothing that carries over. Whether a training loss that levelled off
at half of it is high needs the real yardstick (a noisy target levels off there too). A log
that starts after epoch LATE_START (a pasted excerpt, epochs 64-73 of 100: wild log w1407) has
no such first epoch: its first loss is a trained model's, and it gets no yardstick from it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from diagnosis.curves import as_share, epochs_to, finite_curve, median, rounded, tail_gain, tail_length
from diagnosis.history import TrainingHistory
from diagnosis.judgeable import LATE_START
from diagnosis.models import Finding, Severity
from diagnosis.rules.base import Rule
from diagnosis.rules.val_better_than_train import GAP, aligned_medians
from diagnosis.taxonomy import Category, Code
from diagnosis.units import Settled

if TYPE_CHECKING:
    from diagnosis.probes.settling import BundleFacts

# Final training loss above this share of the baseline: the model has learned little.
HIGH_LOSS = 0.5
# The final quarter (at least MIN_TAIL epochs) improved less than this (relative): it has
# stopped learning. Two epochs are too few to tell: a loss still falling 2 % an epoch reads as
# level over a window of two.
TAIL_FRACTION = 0.25
MIN_TAIL = 3
FLAT = 0.05
# Best validation loss above this share of the baseline: it explains under a tenth of what
# the learned-nothing model leaves unexplained, i.e. it generalizes nothing.
LEARNED_NOTHING = 0.9
# K unknown: a training accuracy (median of the tail) under this gets most samples wrong.
MOSTLY_WRONG = 0.5
MIN_EPOCHS = 5
# K = 2: an accuracy (tail median, training or validation) of at least this separates most
# samples, half the way from chance (1/2) to all right; the loss it leaves above HIGH_LOSS x
# ln 2 is the classes' overlap. Faulty binary runs the rule names stay under it (wild w972,
# 0.71 training and 0.67 validation after 50 epochs at 80 % of ln 2; w228, w1264: 0.61-0.70).
LEARNED_ACCURACY = 0.75
# A bundle's data gives a better yardstick than the learned-nothing loss: what a simple model
# (the better of a nearest-neighbour vote or mean and a linear model) scores on the same
# validation rows. A replay that scores at least that has learned what the features hold for a
# simple model; the loss it leaves is the data's noise (a census table at its ~85 % ceiling),
# not a model too small or a training too short. "At least" allows the reference's sampling
# noise: for an accuracy PROPORTION_SD / sqrt(rows) (the largest standard error of a
# proportion), for an MSE a REFERENCE_MSE_SLACK share of it.
REFERENCE_MSE_SLACK = 0.1
# A regression replay that leaves under this share of the validation targets' variance
# (R^2 >= 0.99) has fit what the data holds for any practical purpose; judged only on at least
# MIN_FIT_ROWS validation rows (a sample variance's relative standard error, sqrt(2 / (n - 1)),
# is then about a quarter: the bound is uncertain by that, not by a factor).
FIT_VARIANCE_SHARE = 0.01
MIN_FIT_ROWS = 30
# A replay's training loss is read over its last this many epochs (one epoch's loss is noisy).
LEARNED_TAIL = 3


@dataclass
class Underfitting(Rule):
    code = Code.underfitting
    trials = ((Code.underfitting, "add_capacity"),)
    category = Category.training_dynamics
    causes = (
        ("capacity_too_low", 3.0),
        ("lr_too_low", 1.5),
        ("excessive_dropout", 1.5),
        ("label_noise", 1.5),
        ("unscaled_features", 1.0),
        ("output_activation_mismatch", 1.0),
    )
    monitor: str = "loss"

    def settle(self, finding: Finding, facts: BundleFacts) -> Settled | None:
        """Underfitting against what the data allows (REFERENCE_MSE_SLACK): the replay's
        validation score held against a simple model's on the same rows; and against the
        user's epochs: a replay cut short while still learning (_unfinished)."""
        if finding.severity is not Severity.warning:
            return None
        found = matches_simple_model(facts)
        if found is None:
            return _unfinished(finding, facts)
        said, evidence = found
        return Settled(
            f"but the model scores what a simple model gets from these features ({said}): "
            "the loss left is the data's, not the model's",
            evidence,
        )

    def check(self, run: TrainingHistory) -> Finding | None:
        values = finite_curve(run.get(self.monitor))
        baseline = run.facts.baseline_loss
        proxy = (
            baseline is None
            and run.facts.task == "regression"
            and values is not None
            and values[0] > 0
            and run.starts_at_beginning(LATE_START)
        )
        if proxy and values is not None:
            baseline = float(values[0])
        if values is None or run.epochs < MIN_EPOCHS:
            return None
        if baseline is None:
            return self._mostly_wrong(run, values)
        tail = tail_length(run.epochs, TAIL_FRACTION, MIN_TAIL)
        end = median(values[-tail:])
        gain = tail_gain(values, tail)
        share = end / baseline
        val = finite_curve(run.get(f"val_{self.monitor}"))
        val_best_share = float(val.min()) / baseline if val is not None else None
        levelled_off = gain < FLAT and not proxy
        generalizes_nothing = val_best_share is not None and val_best_share >= LEARNED_NOTHING
        if share < HIGH_LOSS or not (levelled_off or generalizes_nothing):
            return None
        if share < LEARNED_NOTHING and not generalizes_nothing and _separates_most(run, tail, values, val):
            return None
        evidence: dict[str, object] = {
            "metric": self.monitor,
            "end_median": rounded(end),
            "baseline_loss": rounded(baseline),
            "baseline_from": f"first {run.unit.one}'s training loss"
            if proxy
            else "metadata"
            if run.facts.reported_baseline_loss
            else "ln K",
            "share_of_baseline_loss": rounded(share, 3),
            "num_classes": run.facts.num_classes,
            "tail_gain": rounded(gain, 3),
            # Whether the training loss stopped improving (evidence.CONTRADICTIONS reads it).
            "levelled_off": levelled_off,
            "thresholds": {"high_loss": HIGH_LOSS, "flat": FLAT, "learned_nothing": LEARNED_NOTHING},
        }
        if val is not None and val_best_share is not None:
            evidence["val_end_median"] = rounded(median(val[-tail:]))
            evidence["val_best_share_of_baseline_loss"] = rounded(val_best_share, 3)
        yardstick = _yardstick(run, baseline)
        summary = (
            f"Training loss levelled off at {share:.0%} of {yardstick}: "
            "the model fits even the training data poorly."
            if levelled_off
            else f"The best val_{self.monitor} was {val_best_share:.0%} of {yardstick}: "
            "nothing the model learned carries over to data it has not seen."
        )
        return self.finding(
            run,
            severity=Severity.warning,
            confidence=0.8 if share > 0.8 or generalizes_nothing else 0.65,
            summary=summary,
            evidence=evidence,
            recommendation=(
                "Make sure a bigger model can overfit one batch; then double the hidden layer widths, "
                "lower Dropout to 0.2, and check a sample of labels by hand. For a regression, the "
                "output layer must be linear: a sigmoid or ReLU output cannot reach standardized targets."
            ),
            fix={"width_factor": 2.0},
            epochs=list(range(run.epochs - tail, run.epochs)),
        )

    def _mostly_wrong(self, run: TrainingHistory, values: np.ndarray) -> Finding | None:
        """K unknown: a training accuracy that levelled off under one half is a model that gets
        most of its own training samples wrong, whatever K is."""
        name = run.facts.accuracy_metric
        accuracy = finite_curve(run.get(name)) if name and run.facts.task != "regression" else None
        if accuracy is None:
            return None
        tail = tail_length(run.epochs, TAIL_FRACTION, MIN_TAIL)
        end_accuracy = median(accuracy[-tail:])
        gain = tail_gain(values, tail)
        if end_accuracy >= MOSTLY_WRONG or gain >= FLAT:
            return None
        return self.finding(
            run,
            severity=Severity.warning,
            confidence=0.65,
            summary=(
                f"The training loss levelled off with {name} at {end_accuracy:.3f}: the model gets most "
                "of its own training samples wrong."
            ),
            evidence={
                "metric": self.monitor,
                "accuracy_metric": name,
                "end_accuracy_median": rounded(end_accuracy),
                "tail_gain": rounded(gain, 3),
                "levelled_off": True,
                "thresholds": {"mostly_wrong": MOSTLY_WRONG, "flat": FLAT},
            },
            recommendation=(
                "Make sure a bigger model can overfit one batch; then double the hidden layer widths, "
                "lower Dropout to 0.2, raise the learning rate 3x, and check a sample of labels by hand."
            ),
            fix={"width_factor": 2.0},
            epochs=list(range(run.epochs - tail, run.epochs)),
        )


def _separates_most(run: TrainingHistory, tail: int, train: np.ndarray, val: np.ndarray | None) -> bool:
    """A binary classifier whose training or validation accuracy (median of the tail, one that
    moved) reaches LEARNED_ACCURACY, with no validation loss clearly below training (the val_better_than_train
    GAP over the second half: a training loss Dropout holds up)."""
    name = run.facts.accuracy_metric
    if run.facts.num_classes != 2 or name is None:
        return False
    # An accuracy held at one value through the tail is one answer for every sample: its level
    # is the majority class's share, not samples told apart (wild w1948 at 0.766, w612's
    # validation at 0.772).
    tails = [finite_curve(run.get(n)) for n in (name, f"val_{name}")]
    moving = [as_share(a)[-tail:] for a in tails if a is not None and float(np.ptp(a[-tail:])) > 0]
    best = max((median(a) for a in moving), default=0.0)
    if best < LEARNED_ACCURACY:
        return False
    if val is None or val.size != train.size:
        return True
    train_level, val_level = aligned_medians(train, val, run.epochs // 2)
    return not (train_level > 0 and (train_level - val_level) / train_level >= GAP)


def _unfinished(finding: Finding, facts: BundleFacts) -> Settled | None:
    """The second shape (validation never clearly below the yardstick while the training loss
    still falls) on a bundle's replay, which runs a few of the user's epochs: a validation loss
    still falling at a pace that takes it under LEARNED_NOTHING of the yardstick within the
    epochs configured beyond the replay (and no further ahead than the replay itself ran: a
    pace is not extrapolated past the window it was read on) is a run the replay cut short."""
    configured, replayed = facts.config.epochs, facts.replayed_epochs
    baseline = finding.evidence.get("baseline_loss")
    history = facts.replay.history.get(f"val_{finding.evidence.get('metric', 'loss')}")
    val = None if history is None else finite_curve(np.asarray(history, dtype=np.float64))
    if finding.evidence.get("levelled_off") is not False or val is None or not isinstance(baseline, float):
        return None
    if not configured or configured <= replayed or val.size < MIN_TAIL + 1:
        return None
    tail = tail_length(val.size, TAIL_FRACTION, MIN_TAIL)
    gain = tail_gain(val, tail)
    needed = epochs_to(float(val[-1]), gain, tail, LEARNED_NOTHING * baseline)
    if gain <= 0 or needed > min(configured - replayed, replayed):
        return None
    return Settled(
        f"but the replay stopped at epoch {replayed} of the {configured} configured with the "
        f"validation loss still falling {gain:.0%} over its last {tail} epochs: at that pace it is "
        f"under {LEARNED_NOTHING:.0%} of the yardstick within {math.ceil(needed)} more",
        {"val_tail_gain": rounded(gain, 3), "epochs_to_learned_nothing_line": rounded(needed, 3)},
    )


def _yardstick(run: TrainingHistory, baseline: float) -> str:
    if run.facts.baseline_loss is None:
        return f"the first {run.unit.one}'s training loss ({baseline:.3g})"
    if run.facts.reported_baseline_loss:
        return f"the loss of predicting the mean ({baseline:.3g})"
    return f"ln K = {baseline:.3f} (K = {run.facts.num_classes})"


def matches_simple_model(facts: BundleFacts, slack: bool = True) -> tuple[str, dict[str, object]] | None:
    """Whether the replay's validation score reaches a simple model's on the same rows (within
    a proportion's sampling error for an accuracy, REFERENCE_MSE_SLACK for an MSE; at least it
    without `slack`): the words that say so and their numbers, or None (below it, or no
    validation split to tell)."""
    from diagnosis.audit.duplicate_samples import PROPORTION_SD
    from diagnosis.audit.label_noise import reference_accuracy, reference_mse

    data, score = facts.data, facts.replay.score
    if data.x_val is None or data.y_val is None:
        return None
    accuracy, mse = score.get("accuracy"), score.get("mse")
    if accuracy is not None:
        reference = reference_accuracy(data.x, data.y, data.x_val, data.y_val, facts.info)
        if reference is None:
            return None
        best, rows = reference
        if accuracy < best - (PROPORTION_SD / math.sqrt(rows) if slack else 0.0):
            return None
        said = f"validation accuracy {accuracy:.3g} against the simple model's {best:.3g}"
    elif mse is not None:
        found = reference_mse(data.x, data.y, data.x_val, data.y_val)
        if found is None:
            return None
        best, rows = found
        if mse > best * (1 + (REFERENCE_MSE_SLACK if slack else 0.0)):
            return None
        said = f"validation MSE {mse:.3g} against the simple model's {best:.3g}"
    else:
        return None
    return (
        f"{said}, {rows} validation rows",
        {"replay_score": score, "reference_score": rounded(best, 4), "val_rows": rows},
    )


def replay_fits(facts: BundleFacts) -> tuple[str, dict[str, object]] | None:
    """Whether the replay of the user's own setup fit what the data holds: it scores at least a
    simple model's validation score (matches_simple_model without its slack: a hazard may cost
    a few points, which the slack would let pass), or, for a regression, leaves under
    FIT_VARIANCE_SHARE of the validation targets' variance. The second is needed where the data
    has no noise (a line): the linear reference then fits it exactly, and a network's small
    leftover never reaches an MSE near 0, although it explains all but a trace."""
    found = matches_simple_model(facts, slack=False)
    if found is not None:
        return found
    mse, y_val = facts.replay.score.get("mse"), facts.data.y_val
    if mse is None or y_val is None or len(y_val) < MIN_FIT_ROWS:
        return None
    variance = float(np.var(np.asarray(y_val, dtype=np.float64).reshape(len(y_val), -1), axis=0).mean())
    if not math.isfinite(variance) or variance <= 0 or mse > FIT_VARIANCE_SHARE * variance:
        return None
    return (
        f"validation MSE {mse:.3g}, {mse / variance:.2%} of the targets' variance {variance:.3g}, "
        f"{len(y_val)} validation rows",
        {"replay_score": facts.replay.score, "target_variance": rounded(variance, 4), "val_rows": len(y_val)},
    )


def trained_through(facts: BundleFacts) -> Settled | None:
    """The settling shared by hazards, findings that forecast a training that struggles (a
    scale far from unit, a rate off the usual one, a large first gradient or loss): the replay
    trains the user's own model with its own rate, batch size and data, so a replay that fit
    the data (replay_fits) shows the hazard cost nothing here."""
    found = replay_fits(facts)
    if found is None:
        return None
    said, evidence = found
    return Settled(f"but the replay of this setup fit the data ({said}), so it cost nothing here", evidence)


def replay_learned(facts: BundleFacts) -> Settled | None:
    """Whether the replay of the user's own setup brought its training loss (the median of its
    last LEARNED_TAIL epochs) under HIGH_LOSS of the learned-nothing loss, the underfitting
    rule's line for a model that learned much of what its training data holds. None where
    the loss has no such yardstick (a loss other than cross-entropy or MSE/MAE, or labels
    the loss does not fit: the audit names that mismatch)."""
    from diagnosis.bundle import label_info, replay_metadata

    losses = [v for v in facts.replay.history.get("loss", [])[-LEARNED_TAIL:] if math.isfinite(v)]
    labels = label_info(facts.data.y, facts.info.loss, facts.info.output_shape)
    baseline = replay_metadata(facts.info, labels, facts.config, facts.data.y).get("baseline_loss")
    # A negative loss is no progress: a cross-entropy below 0 has labels outside its range.
    if not losses or min(losses) < 0 or not isinstance(baseline, float) or not baseline > 0:
        return None
    share = float(np.median(losses)) / baseline
    if share >= HIGH_LOSS:
        return None
    return Settled(
        f"but the replay of this setup brought its training loss to {share:.0%} of the loss of "
        "learning nothing, so the model learns this data",
        {"replay_loss_share_of_baseline": round(share, 3), "learned_below": HIGH_LOSS},
    )
