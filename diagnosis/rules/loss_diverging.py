"""loss_diverging: the training loss climbs back up and stays up.

A loss that ends above where it started has diverged (error). A loss that gave back more
than half of the improvement it had made is drifting off (warning); a loss that never improved
by MIN_IMPROVEMENT has no improvement to give back and is judged by its rise alone: ending
NEVER_IMPROVED_RISE above its best is drifting off (warning). Both are
judged on the median of the final epochs so that one noisy epoch does not decide it.

A loss that rose RISE_EPOCHS epochs in a row to RISE above where the climb began (and above
NOISE_MULTIPLE times its own epoch-to-epoch noise), and ended there, is drifting off too
(warning), however large the progress before it: an optimizer that makes the training loss
worse epoch after epoch is overshooting. The noise counts in the loss's own units too: a curve
whose points are single batches' losses (MiniTorch prints one mini-batch's loss every 10
epochs, wild log w1772: 1.29, 0.34, 1.59, then 0.077, 0.77, 1.20, 1.92 at the end) has troughs
far below its level, and three rises out of one are its scatter unless they rise by more than
NOISE_MULTIPLE times its typical distance from its running median (relative to the trough
alone, that scatter looks several times smaller than it is). That holds where the climb starts
at a best epoch among the final ones, too: a best late in the run says "still improving" only
when no climb followed it (a matting net at its best 0.079 in epoch 44 of 50, then 0.100,
0.282, 0.420 and down to 0.193 at the end, 2.4x its best), and only where the climb gave back
LATE_CLIMB_GIVEBACK of all the run had learned: a converged loss's noise at the end of a long
descent (0.10-0.17 after 3.3) gives back a hundredth. A converged loss that wanders by its
noise is not, and neither is a climb through which the training accuracy held at
loss_oscillating.NEAR_PERFECT or above: the loss moved its confidence on the last few samples,
not its answers (info).

A loss that drifts up from its best, not RISE_EPOCHS epochs in a row but as a trend through its
noise, is drifting off too (warning): the DRIFT_EPOCHS or more epochs from its best to its end
rise with the epoch (rank correlation DRIFT_TREND or more) and end RISE above the best (a CNN at
its best 0.741 in epoch 64 of 200, then 0.784, 0.850, 0.951, 1.116 and 1.221 at epochs 100-200,
each stretch with a dip or two in it: wild log w1696). A converged loss wandering about its level
has no such trend: the healthy logs of the wild corpus reach 0.56 at most.

A first loss of exactly 0 followed by positive ones is no starting value: it is a line printed
before any training step with its counters at zero (MiniTorch's `Epoch: 0/1000, loss: 0,
correct: 0`, then 36.9 at epoch 10, falling to 7.0: wild logs w1766, w1767), not a loss any
model had, and a curve measured from it "rose above its starting value" at its first trained
epoch. The curve is judged from the line after it (curves.first_trained).

A short run (judgeable.MIN_EPOCHS, the fewest epochs any judgement is made on, up to
MIN_EPOCHS) has no tail to take a median of, so it is judged on levels: a loss that sits
ABOVE_START above its first epoch in every epoch after it rose and stayed there (error). A
learning run's second epoch is below its first (the first epoch's mean still holds the untrained
start), so this is the climb of "a training loss that rises for several epochs", at the length a
pasted excerpt has (a tfjs-node run, wild log w1221: 0.297, then 16.1 twice, accuracy 0.92 to 0).

A log that starts after epoch LATE_START (a pasted excerpt, `Epoch 64/100` on) has no starting
value: its first loss is a trained model's, and ending ABOVE_START above it is a rise within the
excerpt, not a model worse than untrained. Such a log is judged by the rest (the improvement
given back, the climb, the drift), each measured within what it shows. A short one is still
judged on levels: a loss above its first line by ABOVE_START in every epoch after it got worse
(0.297, then 16.1 twice), wherever the paste starts; where the training accuracy held at
loss_oscillating.NEAR_PERFECT or above through it, it is said as info, as a climb is (RSC's
excerpt, wild log w2021: single batches' losses 0.014, 0.047, 0.047 at accuracy 99.2-100 %).

A loss that falls below zero without bound diverges the other way (error): it ends negative and
at least UNBOUNDED times further from zero than where it started (or than 1, whichever is
larger), still falling over the last epochs. A loss that can be negative is bounded (cosine
similarity stops at -1); one that runs to -1e7 has labels it was not made for (a
cross-entropy on targets outside [0, 1]), and "lower is better" must not read it as progress.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from diagnosis.curves import first_trained, median, rank_correlation, relative_noise, rounded, tail_length
from diagnosis.history import TrainingHistory
from diagnosis.judgeable import LATE_START
from diagnosis.judgeable import MIN_EPOCHS as SHORT_EPOCHS
from diagnosis.models import Finding, Severity
from diagnosis.rules.base import Rule
from diagnosis.rules.loss_oscillating import answers_settled
from diagnosis.taxonomy import Category, Code

# The end of the run: this share of the epochs, and never fewer than MIN_TAIL of them.
TAIL_FRACTION = 0.2
MIN_TAIL = 3
# Ends this much above the first epoch's loss (relative): diverged.
ABOVE_START = 0.10
# Gave back this share of the improvement from the first epoch to the best: drifting.
PROGRESS_LOST = 0.5
# The share above is judged only on an improvement of at least this much of the starting loss
# (relative). Below it the run never improved (best at or next to the first epoch: a loss frozen
# at 5.7257 after 5.7178 would "give back" billions of percent of a 0.0 improvement), so "gave
# back its improvement" is undefined: the rule judges by the rise itself, relative to the loss
# (ABOVE_START, the climb, NEVER_IMPROVED_RISE), or does not fire.
MIN_IMPROVEMENT = 0.01
# A loss that never improved and whose final epochs sit this much (relative to the loss) above
# its best is drifting off (warning): twice the improvement floor, so a loss frozen or wandering
# within that floor (w828: +0.14 %) is not, while a training loss creeping up from its first
# epoch by a few percent (the wild logs w034, w626, w880: +3 % to +8 %) is moving the wrong way.
NEVER_IMPROVED_RISE = 0.02
# Rising: at least RISE_EPOCHS consecutive increases, the tail's median still RISE (relative)
# and NOISE_MULTIPLE times the curve's relative noise above the median of the epochs just
# before the climb, and NOISE_MULTIPLE times its noise in the loss's units (curves.relative_noise
# times the curve's level) above it (see the docstring).
RISE_EPOCHS = 3
RISE = 0.1
NOISE_MULTIPLE = 5.0
UNBOUNDED = 10.0
# A climb from a best among the final epochs counts when it gave back this share of the run's
# whole improvement (start to best): a tenth is no noise about a converged level.
LATE_CLIMB_GIVEBACK = 0.1
# A drift: at least DRIFT_EPOCHS epochs from the best to the end, rising with the epoch at a rank
# correlation of DRIFT_TREND or more. A curve with no trend reaches 0.8 over ten epochs by chance
# less than once in a hundred (Spearman's one-sided 1 % point for ten is 0.75).
DRIFT_EPOCHS = 10
DRIFT_TREND = 0.8
# Fewer epochs than this say nothing about a trend.
MIN_EPOCHS = 4
# Dividing the rate by ten is the first thing to try against an overshooting optimizer.
LR_FACTOR = 0.1


UNBOUNDED_CAUSES = (("label_format_mismatch", 3.0), ("loss_task_mismatch", 2.0))


@dataclass
class LossDiverging(Rule):
    code = Code.loss_diverging
    category = Category.training_dynamics
    causes = (
        ("lr_too_high", 4.0),
        ("exploding_gradients", 1.5),
        ("unscaled_features", 1.0),
        ("batch_size_unsuitable", 0.5),
    )
    monitor: str = "loss"

    def _unbounded(self, run: TrainingHistory, values: np.ndarray) -> Finding:
        start, end = float(values[0]), float(values[-1])
        return self.finding(
            run,
            severity=Severity.error,
            confidence=0.9,
            summary=(
                f"{self.monitor} fell from {start:.4g} to {end:.4g} and is still falling: a loss that "
                "runs below zero without bound is not measuring the error on these labels."
            ),
            evidence={
                "metric": self.monitor,
                "start": rounded(start),
                "end": rounded(end),
                "thresholds": {"unbounded": UNBOUNDED},
            },
            recommendation=(
                "Check the labels against the loss: binary_crossentropy needs targets in [0, 1], "
                "sparse_categorical_crossentropy integers 0..K-1; scale or re-encode the targets, "
                "or use a regression loss (mse) for continuous targets."
            ),
            epochs=list(range(run.epochs)),
            causes=UNBOUNDED_CAUSES,
        )

    def _short_rise(self, run: TrainingHistory, values: np.ndarray, first: int) -> Finding:
        start, end = float(values[0]), float(values[-1])
        # Through a rise the training accuracy held near perfect, the loss moved its confidence on
        # a few samples, not its answers (as for a climb, see the docstring).
        settled = answers_settled(run, first)
        return self.finding(
            run,
            severity=Severity.info if settled else Severity.error,
            confidence=0.8,
            summary=(
                f"{self.monitor} rose from {start:.4g} to {end:.4g} and stayed above its first "
                f"{run.unit.one} in every one of the {run.unit.count(values.size)}: the optimizer "
                "makes the model worse."
            ),
            evidence={
                "metric": self.monitor,
                "start": rounded(start),
                "end": rounded(end),
                "epochs": values.size,
                "thresholds": {"above_start": ABOVE_START, "short_epochs": SHORT_EPOCHS},
            },
            recommendation=(
                f"Lower the learning rate by {round(1 / LR_FACTOR)}x and check the inputs are "
                "standardized; then send the whole history."
            ),
            fix={"learning_rate_factor": LR_FACTOR},
            epochs=list(range(run.epochs - values.size, run.epochs)),
        )

    def check(self, run: TrainingHistory) -> Finding | None:
        values = run.get(self.monitor)
        if values is None or not np.isfinite(values).all():
            # Non-finite curves are loss_nan's to report.
            return None
        # A placeholder printed before any training step is no starting value (docstring): the
        # curve is judged from the epoch after it, and epochs are named as the run counts them.
        first = first_trained(values)
        values = values[first:]
        if values.size < SHORT_EPOCHS:
            return None
        start = float(values[0])
        if values.size < MIN_EPOCHS:
            return self._short_rise(run, values, first) if _rose_and_stayed(values) else None
        if _unbounded_below(values):
            return self._unbounded(run, values)
        best_at = int(np.argmin(values))
        best_epoch = first + best_at
        best = float(values[best_at])
        tail = tail_length(values.size, TAIL_FRACTION, MIN_TAIL)
        end = median(values[-tail:])
        climb = _climb(values, end)
        late_climb = (
            climb is not None
            and climb[0] >= best_at
            and climb[3] - best >= LATE_CLIMB_GIVEBACK * (start - best)
        )
        if best_at >= values.size - tail and not late_climb:
            return None  # the best value is in the final epochs: still improving
        scale = max(abs(start), 1e-12)
        improved = start - best >= MIN_IMPROVEMENT * scale
        lost = (end - best) / (start - best) if improved else float("nan")
        if end > start + ABOVE_START * scale and run.starts_at_beginning(LATE_START):
            severity, confidence = Severity.error, 0.9
            summary = f"{self.monitor} rose above its starting value after {run.unit.one} {best_epoch}."
        elif improved and lost > PROGRESS_LOST:
            severity, confidence = Severity.warning, 0.7
            summary = (
                f"{self.monitor} gave back {lost:.0%} of its improvement after its best at "
                f"{run.unit.one} {best_epoch}."
            )
        elif not improved and end - best >= NEVER_IMPROVED_RISE * scale:
            severity, confidence = Severity.warning, 0.7
            summary = (
                f"{self.monitor} never improved on {run.unit.one} {best_epoch} and ended "
                f"{(end - best) / scale:.1%} above it."
            )
        elif _drifted(values, best_at, end):
            severity, confidence = Severity.warning, 0.7
            summary = (
                f"{self.monitor} has drifted up since its best at {run.unit.one} {best_epoch} and ended "
                f"{end / best - 1:.0%} above it."
            )
        elif climb is not None:
            climb_epoch = first + climb[0]
            severity = Severity.info if answers_settled(run, climb_epoch) else Severity.warning
            confidence = 0.65
            summary = (
                f"{self.monitor} rose {run.unit.count(climb[1] - climb[0])} in a row from "
                f"{run.unit.one} {climb_epoch} and "
                f"ended {climb[3] / climb[2] - 1:.0%} above where the climb began."
            )
        else:
            return None
        fix: dict[str, float] = {"learning_rate_factor": LR_FACTOR}
        if run.metadata.learning_rate:
            fix["learning_rate"] = run.metadata.learning_rate * LR_FACTOR
        return self.finding(
            run,
            severity=severity,
            confidence=confidence,
            summary=summary,
            evidence={
                "metric": self.monitor,
                "start": rounded(start),
                "best": rounded(best),
                "best_epoch": best_epoch,
                "end_median": rounded(end),
                "tail_epochs": tail,
                "progress_lost": rounded(lost, 3),
                "thresholds": {
                    "above_start": ABOVE_START,
                    "progress_lost": PROGRESS_LOST,
                    "min_improvement": MIN_IMPROVEMENT,
                    "never_improved_rise": NEVER_IMPROVED_RISE,
                    "rise_epochs": RISE_EPOCHS,
                    "rise": RISE,
                    "drift_epochs": DRIFT_EPOCHS,
                    "drift_trend": DRIFT_TREND,
                },
            },
            recommendation=(
                f"Lower the learning rate by {round(1 / LR_FACTOR)}x, or add a schedule "
                "(keras.callbacks.ReduceLROnPlateau(monitor='loss', factor=0.5, patience=3)); "
                "check for gradient clipping and for data that changes between epochs."
            ),
            fix=fix,
            epochs=[best_epoch],
        )


def _rose_and_stayed(values: np.ndarray) -> bool:
    """Every epoch after the first sits ABOVE_START (relative) above it (see the docstring)."""
    start = float(values[0])
    return start > 0 and bool((values[1:] > start * (1 + ABOVE_START)).all())


def _drifted(values: np.ndarray, best_epoch: int, end: float) -> bool:
    """The epochs from the best to the end trend up and end RISE above it (see the docstring)."""
    after = values[best_epoch:]
    best = float(values[best_epoch])
    return (
        after.size >= DRIFT_EPOCHS
        and best > 0
        and end >= (1 + RISE) * best
        and rank_correlation(after) >= DRIFT_TREND
    )


def _unbounded_below(values: np.ndarray) -> bool:
    end = float(values[-1])
    tail = tail_length(values.size, TAIL_FRACTION, MIN_TAIL)
    still_falling = end < float(values[-tail - 1]) if tail < values.size else end < float(values[0])
    return end < 0 and abs(end) >= UNBOUNDED * max(abs(float(values[0])), 1.0) and still_falling


def _climb(values: np.ndarray, end: float) -> tuple[int, int, float, float] | None:
    """(first, last epoch, level before, level ended at) of a climb of RISE_EPOCHS or more
    increases that the run ended above by RISE and NOISE_MULTIPLE times its noise (relative to
    the level before, and in the loss's units: its scatter); None when
    there is none. The run ended at `end` (its final epochs' median), or, where the climb was
    still going at the last epoch, at that epoch's loss: the final epochs are then the climb's
    own steps, each above the one before, and their median is a level the run had already
    left behind (w796: 0.851, 0.866, 0.936, 1.001 ends 18 % up, its last three's median 10 %)."""
    noise = relative_noise(values)
    need = 1 + max(RISE, NOISE_MULTIPLE * noise)
    scatter = NOISE_MULTIPLE * noise * median(np.abs(values))
    up = np.diff(values) > 0
    start = None
    for i, rising in enumerate([*up.tolist(), False]):
        if rising and start is None:
            start = i
        elif not rising and start is not None:
            if i - start >= RISE_EPOCHS:
                before = median(values[max(0, start - 2) : start + 1])
                ended = float(values[-1]) if i == values.size - 1 else end
                if (
                    before > 0
                    and ended >= need * before
                    and float(values[i]) >= need * before
                    and ended - before > scatter
                ):
                    return start, i, before, ended
            start = None
    return None
