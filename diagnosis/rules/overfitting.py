"""overfitting: the model does much better on its training data than on new data.

Shapes:
- memorizing: the validation loss turns back up while the training loss keeps falling. The
  onset is the epoch with the best validation loss; the finding says what early stopping there
  would have saved. Milder forms: validation stalled since early on (worse than its best, not
  merely level), or creeping up along a steady trend for a good part of the run, or rising
  nearly every epoch for ten epochs or more.
- worse from the first epoch: the validation loss rose in every epoch of the run, VAL_RISE in
  all, while the training loss fell in every one, TRAIN_FALL in all. From judgeable.MIN_EPOCHS
  (3) epochs on: no patience to wait out, since validation never had a best after its first
  epoch to come back to, and every step the model took on its training data took it further
  from new data (wild log w1213: validation 0.265, 0.278, 0.328 beside training 0.320, 0.193,
  0.121). In the wild corpus's labelled logs every run of this shape is faulty (13, ten of them
  labelled overfitting); a healthy run's validation falls with its training loss at first.
- gave back half: validation gained little from its first epoch to an early best (in the first
  STALL_ONSET of the run) and then lost GAVE_BACK of that gain again, ending GAVE_BACK_RISE or
  more above its best, while the training loss fell GAVE_BACK_TRAIN_FALL after that best and
  ended below validation: the model went on learning, and what it learned made it worse on new
  data. The memorizing shape's VAL_RISE measures the rise against validation's level; a
  validation curve that never moved far from its first epoch has little to rise from, and
  giving back half of what it had gained is the same turn (wild logs w1120, w1251, w1676,
  w2023, w2121: a translation model whose validation went 4.89 -> 4.71 at epoch 2 -> 4.81
  while training went 5.90 -> 4.02). No healthy log of the wild corpus's tuning data has an
  early best, half its gain given back and the training loss a sixth lower after it.
- never improved: validation never got clearly below its first epoch while the training loss
  fell an order of magnitude under it; needs no yardstick.
- levelled off early: validation came within STALL_VAL_RISE of its best in the first
  STALL_ONSET of the run and stayed there, while the training loss went on falling (by
  STALL_TRAIN_FALL) to end GAP_RATIO below validation's best: all the run learned after that
  point it learned by heart. Needs no yardstick either (a regressor whose validation error sat
  at 109-122 for 990 epochs while its training error fell from 28 to 0.03). Not where the
  validation accuracy ended well (unexpected_initial_loss.ENDED_WELL of the way from chance to
  1): then validation levelled off where what the model learned carries over, and the training
  loss far below it is confidence on samples it already gets right (generated healthy digit
  runs: validation 0.137 at accuracy 0.97, training 0.003 at 1.0). In the wild corpus's tuning
  logs every faulty run of this shape is labelled overfitting, and the two healthy ones allow it.
- widening: validation's best came with WIDENING_AFTER of the run or more still to go, and
  from there validation ended WIDENING_RISE above that best (beyond its own noise, giving back
  GIVEBACK of what it had gained), while the gap between the two losses grew by WIDENING_GROWTH
  of validation's best and training ended below validation: for the whole latter part of the
  run each step on the training data moved the model away from new data, by a little each time
  (a churn net whose validation bottomed at 0.388 at epoch 22 of 50 and ended at 0.43 while
  training went 0.368 -> 0.344: wild log w131; a model whose training loss was already near zero
  and wobbling, 0.026 -> 0.028, while validation went 0.097 -> 0.17: w2373). A GRU that rose only
  to 0.40-0.43 from 0.399 (w534) stays below WIDENING_RISE. The milder cousin of memorizing and of
  the stalled shape (its training fall): what makes it a finding is how long it lasted, not how
  far it went. An EarlyStopping tail that sits a few epochs past the best is no such stretch.
- an accuracy gap: the training accuracy ends near perfect (or at twice validation's) while
  validation's ends a quarter of the samples or more below it, whatever the losses do (a large
  regularization term in the loss, or a loss that keeps falling as the model grows more
  confident of its right answers, hides it there); needs no yardstick. A gap is a level held at
  the end, not a trend waiting out a patience: it needs only the epochs any judgement needs
  (judgeable.MIN_EPOCHS, its tail of MIN_TAIL epochs both showing it). An excerpt of three
  epochs with training at 1.00 and validation at 0.69 (wild log w1203, 49 samples memorized)
  shows it as plainly as a whole run. A run that logs no accuracy but an overlap score (IoU,
  Dice, Jaccard, F1, AUC: a share between 0 and 1, higher for better, as an accuracy is) shows
  the same gap there: a U-Net whose training IoU climbs 0.14 -> 0.31 while validation's falls to
  0.005 (wild log w1222) gets right what it has seen and nothing new. Short of both, the same
  gap counts where validation's accuracy turned: its best (on a running median of TREND_WINDOW)
  came in the first STALL_ONSET of the run and it ended TURN_DROP below that, while the training
  accuracy went on to gain TURN_DROP or more: what the model learned after that point it learned
  by heart, at the cost of new samples (wild log w1790, train only to 0.85 with no validation
  loss logged: validation 0.72 at epoch 15 of 250, 0.55 at the end). No healthy log of the wild
  corpus has validation's best in the first STALL_ONSET and an end 0.04 below it.
- a gap from the start: the training loss falls far below what validation ever reaches, and
  validation stays at more than half of what a model that learned nothing scores (ln K, or the
  caller's `baseline_loss`). Validation data unlike the training data (another source,
  another preprocessing) or too few samples to generalize from look like this. A regression
  with no `baseline_loss` takes the first epoch's training loss as the yardstick: a fresh
  network predicts about zero, whose MSE is at least the targets' variance, and one epoch moves
  it down only part of the way (so the share is if anything understated). A classifier of unknown
  K takes ln 2 (the least one that learned nothing scores) where validation was already
  GAP_RATIO above the training loss in the log's first epoch at a validation accuracy no worse
  than training's (_foreign_from_start): right as often on new samples, but wildly confident in
  its wrong answers there (wild logs w1480, w1487: validation images fed unscaled, 0-255, to a
  CNN trained on rescaled ones; validation loss 30-400x training's at 99 % accuracy).

A validation loss evaluated on a cadence (a Hugging Face Trainer's `eval_steps`, Keras'
`validation_freq`: no value between evaluations) is judged on the epochs it was evaluated in,
each against the training loss of the same epoch, and the finding names those epochs. A log read
per step (`SourceInfo.granularity` "step": a Hugging Face Trainer's loss every 25 steps, an eval
every 250) holds each evaluation against the mean of the training steps logged since the one
before: one step's loss is one batch's, and a Whisper fine-tune's batch at its first
evaluation (0.17) sat below the 0.25 its steps averaged (wild log w209). A
Whisper fine-tune whose five evaluations climb 0.32 -> 0.42 while the training loss goes to
0.0002 memorizes as plainly as one evaluated every epoch; leaving the gaps out of the check
called it healthy.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from diagnosis.curves import (
    finite_curve,
    fitted_change,
    median,
    rank_correlation,
    relative_noise,
    rolling_median,
    rounded,
    tail_length,
)
from diagnosis.history import TrainingHistory
from diagnosis.judgeable import MIN_EPOCHS as JUDGEABLE_EPOCHS
from diagnosis.models import Finding, Severity
from diagnosis.rules.base import Rule
from diagnosis.rules.loss_spikes import CLASSIFICATION_TASKS, NOISE_WIDTHS
from diagnosis.rules.underfitting import HIGH_LOSS
from diagnosis.rules.unexpected_initial_loss import ended_well
from diagnosis.taxonomy import Category, Code
from diagnosis.wording import PER_STEP

# Validation loss must end this much above its best (relative) to count as rising.
VAL_RISE = 0.10
# ...and give back at least this share of what validation gained from its start to its
# best: a rise smaller than that is the noise of a curve that has stopped improving (the
# usual tail of an EarlyStopping run), not memorization.
GIVEBACK = 0.1
# ...and lie more than loss_spikes.NOISE_WIDTHS times the validation curve's noise (its typical
# distance from its running median, curves.relative_noise, times its level) above the best: on
# a noisy curve the best epoch is a lucky draw, not a level the model held and then lost (wild
# log w187: validation 0.025-0.12 wobbling about its trend by 11 % of its level, a best of 0.025
# between 0.085 and 0.043, an end at 0.037 below where the ten epochs before the best sat).
# Training loss must keep falling by this much (relative) after the onset.
TRAIN_FALL = 0.05
# The rise must last at least this many epochs after the best one (Keras' `patience`).
PATIENCE = 3
# The end of the run is judged on the median of this share of epochs (at least MIN_TAIL).
TAIL_FRACTION = 0.2
MIN_TAIL = 2
# Stalled validation, a milder memorizing: the best validation epoch in the first STALL_ONSET
# of the run, the training loss falling STALL_TRAIN_FALL (relative) after it, to below
# validation, while validation ended STALL_VAL_RISE above its best (half of VAL_RISE, with
# GIVEBACK waived: worse, not merely level, and not judged against a far-off first epoch).
STALL_ONSET = 0.45
STALL_TRAIN_FALL = 0.3
STALL_VAL_RISE = VAL_RISE / 2
# A slow climb, the memorizing shape with less of a rise: from the best epoch of the smoothed
# validation curve (a running median of TREND_WINDOW, so one lucky epoch is not the onset) the
# validation loss trends up (rank correlation with the epoch of at least TREND_CORRELATION, so
# most later epochs are above most earlier ones) by TREND_RISE of its best along a fitted line,
# while the fitted training loss falls TREND_TRAIN_FALL over the same epochs. The climb must
# take up the last TREND_SPAN of the run at least: a validation loss that turns up only for
# the last few epochs is the patience window of an EarlyStopping run, which ends a healthy run
# that way. And the climb must give back TREND_GIVEBACK of what validation gained from its
# first epoch to its best: a run that gained a lot and drifts up a little is a tail that
# stopped improving (labelled healthy in the wild corpus), one that loses a quarter of its
# gain is unlearning what carried over.
TREND_WINDOW = 3
TREND_CORRELATION = 0.5
TREND_RISE = 0.05
TREND_TRAIN_FALL = 0.1
TREND_SPAN = 0.4
TREND_GIVEBACK = 0.25
# A steady climb needs neither TREND_SPAN nor TREND_GIVEBACK: validation rising nearly every
# epoch (rank correlation of at least STEADY_CORRELATION) for STEADY_EPOCHS epochs or more after
# its smoothed best is no noise around a level and no patience window (Keras examples stop
# after 2-10 epochs without improvement); it gets worse epoch after epoch, however much it had
# gained from a far-off first epoch (a first validation loss three times its best, as a fresh
# softmax scores, leaves a mild climb a small share of that gain).
STEADY_CORRELATION = 0.8
STEADY_EPOCHS = 10
# Widening (see the docstring): validation's best (the raw minimum: the point it climbs from)
# with at least WIDENING_AFTER of the run after it; an end WIDENING_RISE above that best, where
# the train/validation gap grew by WIDENING_GROWTH of validation's best. WIDENING_AFTER: "most of
# the run" short of half (a best at epoch 22 of 50, 11 of 20, 55 of 100 in the tuning logs),
# far more than an EarlyStopping patience window. WIDENING_RISE: memorizing's ten percent (a
# two percent rise also caught healthy runs of the same shape in the tuning logs);
# WIDENING_GROWTH: five percent, above a flat validation's wobble (held against its noise too),
# where a converged run's gap grows by a share of its training loss's last creep; in the wild
# corpus's tuning logs no healthy run without an overfitting alarm already has this shape.
WIDENING_AFTER = 0.4
WIDENING_RISE = VAL_RISE
WIDENING_GROWTH = 0.05
# ...and validation got worse on its own: the training loss's end at most WIDENING_TRAIN_SHARE of
# validation's rise above where it stood at validation's best (a near-zero training loss that
# wobbles, 0.026 -> 0.028 while validation went 0.097 -> 0.15, passes). A run whose training
# loss climbed with validation is diverging or bouncing (lr_too_high, loss_spikes), not
# memorizing: in the tuning logs those rise 15-4000 % of validation's climb.
WIDENING_TRAIN_SHARE = 0.2
# Gave back half (see the docstring): validation ended GAVE_BACK of its first-to-best gain above
# its best, and GAVE_BACK_RISE (relative) above it, while the training loss fell
# GAVE_BACK_TRAIN_FALL (relative) after the best epoch; the best in the first STALL_ONSET.
GAVE_BACK = 0.5
GAVE_BACK_RISE = 0.02
GAVE_BACK_TRAIN_FALL = 0.15
# A gap from the start: validation's best is at least HIGH_LOSS of the baseline loss, and an
# order of magnitude above where the training loss ended.
GAP_RATIO = 10.0
# Validation that never got NEVER_IMPROVED below its first epoch while the training loss fell
# GAP_RATIO below it: whatever the model learned after its first epoch it learned by heart
# (a first epoch that already generalized all there was would leave the training loss near
# validation's, not an order of magnitude under it). Needs no yardstick.
NEVER_IMPROVED = 0.05
# An accuracy gap: the training accuracy (median of the tail) at least MEMORIZED_ACCURACY, all
# but a few training samples right, and validation's at least ACCURACY_GAP (absolute) below it:
# one new sample in four or more goes wrong that the same model gets right when it has seen it.
# Healthy runs in the wild corpus that fit their training data end within 0.22 of it.
MEMORIZED_ACCURACY = 0.95
ACCURACY_GAP = 0.25
# ...or, short of MEMORIZED_ACCURACY, a training accuracy at least ACCURACY_RATIO times
# validation's and ACCURACY_GAP above it: the model gets right twice the share of samples it
# has seen as of new ones (a 40-class model at 0.46 training accuracy against 0.13). No healthy
# run in the wild or generated corpora ends with a gap of 0.2 or more at twice validation's.
ACCURACY_RATIO = 2.0
# ...or validation's accuracy turned (see the docstring): it ended this far (absolute) below its
# early best, and the training accuracy gained as much after it. Five samples in a hundred: more
# than the epoch-to-epoch wobble of a level validation accuracy (healthy wild logs: 0.04 at most).
TURN_DROP = 0.05
# Overlap scores judged like an accuracy where the run logs none (Keras and segmentation_models
# names: iou_score, mean_io_u, dice_coef, jaccard_coef, f1_score, auc, ...).
SCORE = re.compile(r"^(?:[a-z]+_)?(?:iou|io_u|dice|jaccard|f1|auc)(?:_[a-z0-9]+)*$", re.IGNORECASE)
# A validation curve with gaps is judged on its evaluated epochs when it has at least this many:
# a best one and PATIENCE after it.
MIN_EVALUATIONS = PATIENCE + 1
# Where a classifier's K is unknown (no ln K), a validation loss GAP_RATIO above the training
# loss in the log's first epoch while validation's accuracy is at least training's there is
# held against ln 2 (the least a classifier that learned nothing scores): see _foreign_from_start.
FOREIGN_FROM_START = "ln 2 (validation 10x the training loss from the first epoch, its accuracy no worse)"
GAP_CAUSES = (
    ("train_val_shift", 2.0),
    ("insufficient_data", 2.0),
    ("capacity_too_high", 1.0),
    ("label_noise", 1.0),
)


class _EarlyBest(NamedTuple):
    """Validation's early best epoch and the levels around it (Overfitting._early_best)."""

    onset: int
    val_best: float
    val_end: float
    train_onset: float
    train_end: float


@dataclass
class Overfitting(Rule):
    code = Code.overfitting
    category = Category.training_dynamics
    causes = (
        ("insufficient_data", 3.0),
        ("capacity_too_high", 2.5),
        ("duplicate_samples", 0.5),
        ("train_val_shift", 0.5),
    )
    monitor: str = "val_loss"
    patience: int = PATIENCE

    def check(self, run: TrainingHistory) -> Finding | None:
        evaluated = self._evaluated(run)
        found = None
        if evaluated is not None:
            view, at = evaluated
            val, train = view.metrics[self.monitor], view.metrics[self.monitor.removeprefix("val_")]
            found = (
                self._memorizing(view, val, train, at)
                or self._gap(view, val, train)
                or self._stalled(view, val, train, at)
                or self._climbing(view, val, train, at)
                or self._gave_back(view, val, train, at)
                or self._never_improved(view, val, train)
                or self._levelled_gap(view, val, train, at)
                or self._worse_from_start(view, val, train, at)
                or self._widening(view, val, train, at)
            )
            if found is not None and view is not run:
                found = found.model_copy(
                    update={"evidence": {**found.evidence, "evaluated_epochs": at.tolist()}}
                )
        return found or self._accuracy_gap(run)

    def _evaluated(self, run: TrainingHistory) -> tuple[TrainingHistory, np.ndarray] | None:
        """The run as its validation saw it, with the epoch number of each point: the whole run
        where validation is finite throughout; where it was evaluated on a cadence (finite at
        MIN_EVALUATIONS epochs or more, NaN between), those epochs of every curve (see the
        docstring). A training curve that is not finite there is loss_nan's to judge."""
        val, train = run.get(self.monitor), run.get(self.monitor.removeprefix("val_"))
        if val is None or train is None:
            return None
        if finite_curve(val) is not None and finite_curve(train) is not None:
            return run, np.arange(run.epochs)
        at = np.flatnonzero(np.isfinite(val))
        if at.size < MIN_EVALUATIONS or at.size == run.epochs or not np.isfinite(train[at]).all():
            return None
        metrics = {name: values[at] for name, values in run.metrics.items()}
        if run.source.granularity == PER_STEP:
            # One logged step's loss is one batch's; an evaluation is held against the mean of
            # the training steps since the one before, as an epoch's training loss is its mean.
            name = self.monitor.removeprefix("val_")
            parts = np.split(train[: at[-1] + 1], at[:-1] + 1)
            metrics[name] = np.array([float(np.mean(part)) for part in parts])
        view = TrainingHistory(metrics=metrics, metadata=run.metadata, source=run.source)
        return view, at

    def _accuracy_gap(self, run: TrainingHistory) -> Finding | None:
        if run.epochs < JUDGEABLE_EPOCHS:
            return None
        name = run.facts.accuracy_metric
        if name is not None:
            return self._share_gap(run, name)
        scores = (n for n in run.curve_names if SCORE.match(n) and f"val_{n}" in run.metrics)
        return next((found for n in scores if (found := self._share_gap(run, n)) is not None), None)

    def _share_gap(self, run: TrainingHistory, name: str) -> Finding | None:
        """An accuracy's (or an overlap score's) gap between training and validation."""
        train = finite_curve(run.get(name))
        val = finite_curve(run.get(f"val_{name}"))
        if train is None or val is None:
            return None
        if max(float(train.max()), float(val.max())) > 1 or min(float(train.min()), float(val.min())) < 0:
            return None  # not a share of samples (a percentage, or not an accuracy at all)
        tail = tail_length(run.epochs, TAIL_FRACTION, MIN_TAIL)
        train_end, val_end = median(train[-tail:]), median(val[-tail:])
        gap = train_end - val_end
        if gap < ACCURACY_GAP:
            return None
        turned = None
        if train_end < MEMORIZED_ACCURACY and train_end < ACCURACY_RATIO * val_end:
            turned = _turned(train, val, train_end, val_end)
            if turned is None:
                return None
        since = (
            ""
            if turned is None
            else f" (down from {float(rolling_median(val, TREND_WINDOW)[turned]):.3g} at "
            f"{run.unit.one} {turned})"
        )
        return self.finding(
            run,
            severity=Severity.warning,
            confidence=min(0.9, 0.5 + gap),
            summary=(
                f"The training {name} ended at {train_end:.3g} but validation's at {val_end:.3g}{since}: the "
                "model gets right the samples it has seen and misses new ones, it memorized its training set."
            ),
            evidence={
                "metric": name,
                "train_end_median": rounded(train_end),
                "val_end_median": rounded(val_end),
                "accuracy_gap": rounded(gap, 3),
                "thresholds": {
                    "memorized_accuracy": MEMORIZED_ACCURACY,
                    "accuracy_gap": ACCURACY_GAP,
                    "accuracy_ratio": ACCURACY_RATIO,
                    "turn_drop": TURN_DROP,
                },
                "val_turned_at": turned,
            },
            recommendation=(
                "Check that the validation data comes from the same source as the training data and is "
                "preprocessed the very same way; if it does, get more training data or regularize (Dropout "
                "0.3, an L2 penalty of 1e-4, data augmentation)."
            ),
            epochs=list(range(run.epochs - tail, run.epochs)),
            causes=GAP_CAUSES,
        )

    def _never_improved(self, run: TrainingHistory, val: np.ndarray, train: np.ndarray) -> Finding | None:
        if run.epochs < self.patience + 1:
            return None
        tail = tail_length(run.epochs, TAIL_FRACTION, MIN_TAIL)
        val_first, val_best = float(val[0]), float(val.min())
        train_end = median(train[-tail:])
        if val_best < (1 - NEVER_IMPROVED) * val_first or val_best < GAP_RATIO * max(train_end, 1e-12):
            return None
        return self.finding(
            run,
            severity=Severity.warning,
            confidence=0.75,
            summary=(
                f"{self.monitor} never got {NEVER_IMPROVED:.0%} below its first {run.unit.one}'s "
                f"{val_first:.4g} while the training loss fell to {train_end:.3g}: nothing the "
                "model learned carries over to new data."
            ),
            evidence={
                "val_first": rounded(val_first),
                "val_best": rounded(val_best),
                "train_end_median": rounded(train_end),
                "thresholds": {"never_improved": NEVER_IMPROVED, "gap_ratio": GAP_RATIO},
            },
            recommendation=(
                "Check that the validation data comes from the same source as the training data and is "
                "preprocessed the very same way; if it does, get more training data or regularize (Dropout "
                f"0.3, an L2 penalty of 1e-4) and stop at the first {run.unit.one}."
            ),
            epochs=list(range(run.epochs)),
            causes=GAP_CAUSES,
        )

    def _levelled_gap(
        self, run: TrainingHistory, val: np.ndarray, train: np.ndarray, at: np.ndarray
    ) -> Finding | None:
        if ended_well(run):
            return None
        best = float(val.min())
        # The first epoch validation came within STALL_VAL_RISE of its best (the best itself
        # can come late on a curve that wanders at its level).
        levelled = int(np.argmax(val <= (1 + STALL_VAL_RISE) * best))
        if best <= 0 or levelled > STALL_ONSET * run.epochs or run.epochs - 1 - levelled < self.patience:
            return None
        tail = tail_length(run.epochs, TAIL_FRACTION, MIN_TAIL)
        train_at, train_end = float(train[levelled]), median(train[-tail:])
        if train_end <= 0 or best < GAP_RATIO * train_end:
            return None
        train_fall = (train_at - train_end) / train_at if train_at > 0 else 0.0
        if train_fall < STALL_TRAIN_FALL:
            return None
        return self._since_onset(
            run,
            at,
            levelled,
            confidence=0.7,
            summary=(
                f"{self.monitor} levelled off by {run.unit.one} {at[levelled]} (best {best:.4g}) while "
                f"the training loss fell another {train_fall:.0%}, to {train_end:.3g}, "
                f"{best / train_end:.0f}x below it: what the model learned since then it learned by heart."
            ),
            evidence={
                "val_best": rounded(best),
                "train_at_onset": rounded(train_at),
                "train_end_median": rounded(train_end),
                "train_fall": rounded(train_fall, 3),
                "thresholds": {
                    "stall_onset": STALL_ONSET,
                    "stall_val_rise": STALL_VAL_RISE,
                    "stall_train_fall": STALL_TRAIN_FALL,
                    "gap_ratio": GAP_RATIO,
                },
            },
        )

    def _climbing(
        self, run: TrainingHistory, val: np.ndarray, train: np.ndarray, at: np.ndarray
    ) -> Finding | None:
        smoothed = rolling_median(val, TREND_WINDOW)
        onset = int(np.argmin(smoothed))
        after = val[onset:]
        if after.size < self.patience + 1:
            return None
        # Each measure only once the one before passed: a healthy validation curve fails the
        # rank test, and the two line fits it then skips were most of this rule's time.
        correlation = rank_correlation(after)
        if correlation < TREND_CORRELATION:
            return None
        rise = fitted_change(after)
        if rise < TREND_RISE:
            return None
        train_fall = -fitted_change(train[onset:])
        best = float(smoothed[onset])
        giveback = rise * abs(best) / max(float(val[0]) - best, 1e-12)
        steady = correlation >= STEADY_CORRELATION and after.size - 1 >= STEADY_EPOCHS
        if train_fall < TREND_TRAIN_FALL or not (
            steady or (after.size >= TREND_SPAN * run.epochs and giveback >= TREND_GIVEBACK)
        ):
            return None
        return self._since_onset(
            run,
            at,
            onset,
            confidence=min(0.8, 0.5 + correlation * rise * 2),
            summary=(
                f"{self.monitor} has crept up {rise:.0%} since {run.unit.one} {at[onset]} while the "
                f"training loss fell {train_fall:.0%}: what the model learns since then does not "
                "carry over to new data."
            ),
            evidence={
                "val_fitted_rise": rounded(rise, 3),
                "val_rank_correlation": rounded(correlation, 3),
                "giveback": rounded(giveback, 3),
                "train_fitted_fall": rounded(train_fall, 3),
                "steady": steady,
                "thresholds": {
                    "trend_correlation": TREND_CORRELATION,
                    "trend_rise": TREND_RISE,
                    "trend_train_fall": TREND_TRAIN_FALL,
                    "trend_span": TREND_SPAN,
                    "trend_giveback": TREND_GIVEBACK,
                    "steady_correlation": STEADY_CORRELATION,
                    "steady_epochs": STEADY_EPOCHS,
                },
            },
        )

    def _early_best(self, run: TrainingHistory, val: np.ndarray, train: np.ndarray) -> _EarlyBest | None:
        """Validation's best epoch where it came in the first STALL_ONSET of the run with at
        least `patience` epochs after it, with the levels the stalled and gave-back shapes weigh
        (validation's best and tail median, training's at the best and its tail median)."""
        onset = int(np.argmin(val))
        if onset > STALL_ONSET * run.epochs or run.epochs - 1 - onset < self.patience:
            return None
        tail = tail_length(run.epochs, TAIL_FRACTION, MIN_TAIL)
        return _EarlyBest(
            onset, float(val[onset]), median(val[-tail:]), float(train[onset]), median(train[-tail:])
        )

    def _stalled(
        self, run: TrainingHistory, val: np.ndarray, train: np.ndarray, at: np.ndarray
    ) -> Finding | None:
        best = self._early_best(run, val, train)
        if best is None:
            return None
        onset, val_best, val_end, train_onset, train_end = best
        if train_onset <= 0 or train_end <= 0:
            return None
        train_fall = (train_onset - train_end) / train_onset
        worse = val_end >= (1 + STALL_VAL_RISE) * val_best
        if train_fall < STALL_TRAIN_FALL or not worse or train_end >= val_end:
            return None
        return self._since_onset(
            run,
            at,
            onset,
            confidence=0.6,
            summary=(
                f"{self.monitor} has not improved since {run.unit.one} {at[onset]} ({val_best:.4g}, now "
                f"{val_end:.4g}) while the training loss fell another {train_fall:.0%}: what the model "
                "learns since then does not carry over to new data."
            ),
            evidence={
                "val_best": rounded(val_best),
                "val_end_median": rounded(val_end),
                "train_at_onset": rounded(train_onset),
                "train_end_median": rounded(train_end),
                "train_fall": rounded(train_fall, 3),
                "thresholds": {
                    "stall_onset": STALL_ONSET,
                    "stall_train_fall": STALL_TRAIN_FALL,
                    "stall_val_rise": STALL_VAL_RISE,
                    "patience": self.patience,
                },
            },
        )

    def _gave_back(
        self, run: TrainingHistory, val: np.ndarray, train: np.ndarray, at: np.ndarray
    ) -> Finding | None:
        best = self._early_best(run, val, train)
        if best is None:
            return None
        onset, val_best, val_end, train_onset, train_end = best
        if val_best <= 0 or train_onset <= 0 or train_end >= val_end:
            return None
        gain = float(val[0]) - val_best
        giveback = (val_end - val_best) / gain if gain > 0 else 0.0
        rise = (val_end - val_best) / val_best
        train_fall = (train_onset - train_end) / train_onset
        if giveback < GAVE_BACK or rise < GAVE_BACK_RISE or train_fall < GAVE_BACK_TRAIN_FALL:
            return None
        if _lucky_best(val, val_best, val_end):
            return None
        return self._since_onset(
            run,
            at,
            onset,
            confidence=0.6,
            summary=(
                f"{self.monitor} gave back {giveback:.0%} of what it had gained by {run.unit.one} "
                f"{at[onset]} "
                f"({val_best:.4g}, now {val_end:.4g}) while the training loss fell another {train_fall:.0%}: "
                "what the model learns since then makes it worse on new data."
            ),
            evidence={
                "val_first": rounded(float(val[0])),
                "val_best": rounded(val_best),
                "val_end_median": rounded(val_end),
                "giveback": rounded(giveback, 3),
                "val_rise": rounded(rise, 3),
                "train_at_onset": rounded(train_onset),
                "train_end_median": rounded(train_end),
                "train_fall": rounded(train_fall, 3),
                "thresholds": {
                    "gave_back": GAVE_BACK,
                    "gave_back_rise": GAVE_BACK_RISE,
                    "gave_back_train_fall": GAVE_BACK_TRAIN_FALL,
                    "stall_onset": STALL_ONSET,
                    "patience": self.patience,
                },
            },
        )

    def _worse_from_start(
        self, run: TrainingHistory, val: np.ndarray, train: np.ndarray, at: np.ndarray
    ) -> Finding | None:
        if val.size < JUDGEABLE_EPOCHS or val[0] <= 0 or train[0] <= 0:
            return None
        if not (np.diff(val) > 0).all() or not (np.diff(train) < 0).all():
            return None
        rise, fall = val[-1] / val[0] - 1, 1 - train[-1] / train[0]
        if rise < VAL_RISE or fall < TRAIN_FALL:
            return None
        return self._since_onset(
            run,
            at,
            0,
            confidence=0.6,
            summary=(
                f"{self.monitor} rose in every {run.unit.one}, {rise:.0%} in all, while the "
                "training loss fell "
                f"in every one, {fall:.0%} in all: each step on the training data took the model "
                "further from new data."
            ),
            evidence={
                "val_rise": rounded(float(rise), 3),
                "train_fall": rounded(float(fall), 3),
                "thresholds": {
                    "val_rise": VAL_RISE,
                    "train_fall": TRAIN_FALL,
                    "min_epochs": JUDGEABLE_EPOCHS,
                },
            },
            epochs=[int(e) for e in at],
        )

    def _widening(
        self, run: TrainingHistory, val: np.ndarray, train: np.ndarray, at: np.ndarray
    ) -> Finding | None:
        onset = int(np.argmin(val))
        after = run.epochs - 1 - onset
        if after < max(self.patience, WIDENING_AFTER * run.epochs):
            return None
        tail = tail_length(run.epochs, TAIL_FRACTION, MIN_TAIL)
        val_best, val_end = float(val[onset]), median(val[-tail:])
        train_onset, train_end = float(train[onset]), median(train[-tail:])
        if val_best <= 0 or train_end <= 0 or train_end >= val_end:
            return None
        rise = (val_end - val_best) / val_best
        giveback = (val_end - val_best) / max(float(val[0]) - val_best, 1e-12)
        growth = ((val_end - train_end) - (val_best - train_onset)) / val_best
        if rise < WIDENING_RISE or giveback < GIVEBACK or growth < WIDENING_GROWTH:
            return None
        if train_end - train_onset > WIDENING_TRAIN_SHARE * (val_end - val_best):
            return None
        if _lucky_best(val, val_best, val_end):
            return None
        return self._since_onset(
            run,
            at,
            onset,
            confidence=0.55,
            summary=(
                f"{self.monitor} has not been back to its best of {run.unit.one} {at[onset]} "
                f"({val_best:.4g}, now {val_end:.4g}) for the last {run.unit.count(after)}, while the "
                f"gap to the training loss ({train_end:.3g}) kept growing: what the model learns since "
                "then does not carry over to new data."
            ),
            evidence={
                "val_best": rounded(val_best),
                "val_end_median": rounded(val_end),
                "val_rise": rounded(rise, 3),
                "giveback": rounded(giveback, 3),
                "gap_growth": rounded(growth, 3),
                "train_at_onset": rounded(train_onset),
                "train_end_median": rounded(train_end),
                "thresholds": {
                    "widening_after": WIDENING_AFTER,
                    "widening_rise": WIDENING_RISE,
                    "widening_growth": WIDENING_GROWTH,
                    "widening_train_share": WIDENING_TRAIN_SHARE,
                    "giveback": GIVEBACK,
                    "patience": self.patience,
                },
            },
        )

    def _since_onset(
        self,
        run: TrainingHistory,
        at: np.ndarray,
        onset: int,
        *,
        confidence: float,
        summary: str,
        evidence: dict[str, Any],
        epochs: list[int] | None = None,
    ) -> Finding:
        """The finding of a shape whose validation stopped improving at point `onset` (epoch
        `at[onset]`; the memorizing shapes): a warning at that epoch (or at `epochs`), with its
        onset first in the evidence, and what to do as advice and as a fix a caller can apply:
        stop there with EarlyStopping, which saves the epochs the run trained after it, then
        regularize."""
        best = int(at[onset])
        wasted = int(at[-1]) - best
        # EarlyStopping's patience counts epochs: a run read per logged step keeps its best
        # evaluation's checkpoint instead (a Trainer evaluates on a step schedule).
        stop = (
            "keep the checkpoint of its best evaluation (load_best_model_at_end=True with "
            f"metric_for_best_model='{self.monitor.removeprefix('val_')}' in a Hugging Face Trainer, "
            f"keras.callbacks.ModelCheckpoint(monitor='{self.monitor}', save_best_only=True) in Keras)"
            if run.source.granularity == PER_STEP
            else f"use keras.callbacks.EarlyStopping(monitor='{self.monitor}', patience={self.patience}, "
            "restore_best_weights=True)"
        )
        advice = (
            f"Stop at the best {run.unit.one}: {stop}, which would have saved {run.unit.count(wasted)}; "
            "then add regularization (Dropout 0.2-0.5 or an L2 penalty of 1e-4) or more training data."
        )
        fix = {
            "early_stopping": {
                "monitor": self.monitor,
                "patience": self.patience,
                "restore_best_weights": True,
            },
            "best_epoch": best,
            "epochs_saved": wasted,
        }
        return self.finding(
            run,
            severity=Severity.warning,
            confidence=confidence,
            summary=summary,
            evidence={"onset_epoch": best, **evidence},
            recommendation=advice,
            fix=fix,
            epochs=[best] if epochs is None else epochs,
        )

    def _memorizing(
        self, run: TrainingHistory, val: np.ndarray, train: np.ndarray, at: np.ndarray
    ) -> Finding | None:
        onset = int(np.argmin(val))
        if run.epochs - 1 - onset < self.patience:
            return None
        tail = tail_length(run.epochs, TAIL_FRACTION, MIN_TAIL)
        val_best = float(val[onset])
        val_end = median(val[-tail:])
        train_onset = float(train[onset])
        train_end = median(train[-tail:])
        val_rise = (val_end - val_best) / max(abs(val_best), 1e-12)
        giveback = (val_end - val_best) / max(float(val[0]) - val_best, 1e-12)
        train_fall = (train_onset - train_end) / max(abs(train_onset), 1e-12)
        if val_rise < VAL_RISE or giveback < GIVEBACK or train_fall < TRAIN_FALL:
            return None
        if _lucky_best(val, val_best, val_end):
            return None
        return self._since_onset(
            run,
            at,
            onset,
            confidence=min(0.95, 0.6 + val_rise),
            summary=(
                f"{self.monitor} has risen {val_rise:.0%} since {run.unit.one} {at[onset]} while "
                "the training loss kept falling: the model is memorizing the training set."
            ),
            evidence={
                "val_best": rounded(val_best),
                "val_end_median": rounded(val_end),
                "val_rise": rounded(val_rise, 3),
                "giveback": rounded(giveback, 3),
                "train_at_onset": rounded(train_onset),
                "train_end_median": rounded(train_end),
                "epochs_after_onset": int(at[-1]) - int(at[onset]),  # the fix's epochs_saved
                "thresholds": {
                    "val_rise": VAL_RISE,
                    "giveback": GIVEBACK,
                    "train_fall": TRAIN_FALL,
                    "patience": self.patience,
                },
            },
        )

    def _gap(self, run: TrainingHistory, val: np.ndarray, train: np.ndarray) -> Finding | None:
        baseline = run.facts.baseline_loss
        baseline_from = "ln K or metadata"
        if baseline is None and run.facts.task == "regression" and float(train[0]) > 0:
            baseline, baseline_from = float(train[0]), f"first {run.unit.one}'s training loss"
        if (
            baseline is None
            and run.facts.saturated_epochs
            and run.facts.saturated_epochs[-1] == run.epochs - 1
        ):
            # Certain of every training sample (the loss at float32's epsilon): held against
            # ln 2, the least any balanced classifier that learned nothing scores.
            baseline, baseline_from = math.log(2), "ln 2 (training loss at float32's epsilon)"
        if (
            baseline is None
            and run.facts.task in CLASSIFICATION_TASKS
            and _foreign_from_start(run, val, train)
        ):
            baseline, baseline_from = math.log(2), FOREIGN_FROM_START
        if baseline is None:
            return None
        tail = tail_length(run.epochs, TAIL_FRACTION, MIN_TAIL)
        val_best = float(val.min())
        train_end = median(train[-tail:])
        val_share = val_best / baseline
        if val_share < HIGH_LOSS or val_best < GAP_RATIO * max(train_end, 1e-12):
            return None
        return self.finding(
            run,
            severity=Severity.warning,
            confidence=0.7,
            summary=(
                f"The training loss fell to {train_end:.3g} but the best {self.monitor} was {val_best:.3g}, "
                f"{val_share:.0%} of what a model that learned nothing scores: what the model learned "
                "does not carry over to the validation data."
            ),
            evidence={
                "val_best": rounded(val_best),
                "train_end_median": rounded(train_end),
                "baseline_loss": rounded(baseline),
                "baseline_from": baseline_from,
                "foreign_from_start": baseline_from == FOREIGN_FROM_START,
                "val_best_share_of_baseline_loss": rounded(val_share, 3),
                "thresholds": {"high_loss": HIGH_LOSS, "gap_ratio": GAP_RATIO},
            },
            recommendation=(
                "Check that the validation data comes from the same source as the training data and is "
                "preprocessed by the very same fitted scaler (compare per-feature means and standard "
                "deviations of both); if it does, get more training data or regularize (Dropout 0.3, "
                "an L2 penalty of 1e-4)."
            ),
            epochs=list(range(run.epochs)),
            causes=GAP_CAUSES,
        )


def _lucky_best(val: np.ndarray, val_best: float, val_end: float) -> bool:
    """Validation ended within NOISE_WIDTHS times its own noise of its best: the best was a
    lucky epoch, not a level the model left (see NOISE_WIDTHS above)."""
    return val_end - val_best <= NOISE_WIDTHS * relative_noise(val) * median(np.abs(val))


def _turned(train: np.ndarray, val: np.ndarray, train_end: float, val_end: float) -> int | None:
    """The epoch of validation's early best (smoothed) where its accuracy turned down by TURN_DROP
    while the training accuracy gained as much after it (see the docstring); None where it did not."""
    smoothed = rolling_median(val, TREND_WINDOW)
    best = int(np.argmax(smoothed))
    if best > STALL_ONSET * val.size or float(smoothed[best]) - val_end < TURN_DROP:
        return None
    if train_end - float(rolling_median(train, TREND_WINDOW)[best]) < TURN_DROP:
        return None
    return best


def _foreign_from_start(run: TrainingHistory, val: np.ndarray, train: np.ndarray) -> bool:
    """Validation GAP_RATIO above the training loss in the first epoch, while the validation
    accuracy there is at least the training accuracy: the model answers new samples as well as
    the ones it trains on, yet scores them an order of magnitude worse, so its few wrong answers
    on them are wildly confident (validation inputs on another scale: unscaled images beside
    rescaled training ones). A model that memorized (an excerpt of a long run) is more right on
    what it has seen. Needs an accuracy: the loss alone cannot tell the two apart."""
    name = run.facts.accuracy_metric
    accuracy = run.get(name) if name else None
    val_accuracy = run.get(f"val_{name}") if name else None
    if accuracy is None or val_accuracy is None or not float(train[0]) > 0:
        return False
    first, val_first = float(accuracy[0]), float(val_accuracy[0])
    return (
        math.isfinite(first)
        and math.isfinite(val_first)
        and val_first >= first
        and float(val[0]) >= GAP_RATIO * float(train[0])
    )
