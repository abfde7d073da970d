"""slow_convergence: the loss falls steadily but slowly, and is still falling at the end.

A steady, unfinished descent means the run stopped before converging. When it also made
little progress overall, or it is lagging, the step size is the usual suspect (warning); when
it made good progress the run simply needs more epochs (info).

Lagging: the loss is still above half of what a model that learned nothing scores (ln K, or
the caller's `baseline_loss`), and at the pace of the last quarter it would need more epochs
than the run has had to get down to that half. A lagging loss is a slow descent however noisy
the way down, as long as the last quarter still fell; levelled off, it would be underfitting.
A live run early in training that falls fast is not lagging, however high its loss still is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from diagnosis.curves import epochs_to, finite_curve, rounded, tail_gain, tail_length
from diagnosis.history import TrainingHistory
from diagnosis.models import Finding, Severity
from diagnosis.rules.base import Rule
from diagnosis.rules.loss_plateau import MIN_IMPROVEMENT
from diagnosis.rules.underfitting import FLAT, HIGH_LOSS
from diagnosis.taxonomy import Category, Code
from diagnosis.units import Settled

if TYPE_CHECKING:
    from diagnosis.probes.settling import BundleFacts

# Share of epochs in which the loss fell: the descent is steady, not noise.
STEADY = 0.75
# The final quarter of the run still delivered this share of the total improvement.
TAIL_FRACTION = 0.25
STILL_FALLING = 0.15
# Total improvement (share of the starting loss) below which the descent counts as slow.
SLOW = 0.4
MIN_EPOCHS = 8


@dataclass
class SlowConvergence(Rule):
    code = Code.slow_convergence
    category = Category.training_dynamics
    causes = (
        ("lr_too_low", 3.0),
        ("unscaled_features", 1.5),
        ("vanishing_gradients", 1.0),
        ("excessive_dropout", 0.5),
        ("batch_size_unsuitable", 0.5),
    )
    monitor: str = "loss"

    def settle(self, finding: Finding, facts: BundleFacts) -> Settled | None:
        """A bundle's replay runs at most a few of the user's epochs, so a loss "still falling
        when training stopped" there is where the probe stopped, not where the user's run does:
        with more epochs configured than replayed this says nothing about the user's run. A rate
        suspicion it may point at is still judged against the curves as the rules raised them."""
        configured, replayed = facts.config.epochs, facts.replayed_epochs
        if finding.severity is not Severity.warning or not configured or configured <= replayed:
            return None
        return Settled(
            f"the replay stopped at epoch {replayed} of the {configured} configured, "
            "so a loss still falling there is expected"
        )

    def check(self, run: TrainingHistory) -> Finding | None:
        values = finite_curve(run.get(self.monitor))
        if values is None or run.epochs < MIN_EPOCHS or values[0] <= 0:
            return None
        start, end = float(values[0]), float(values[-1])
        improvement = (start - end) / start
        if improvement < MIN_IMPROVEMENT:
            return None  # that is a plateau, not a slow descent
        steady = float(np.mean(np.diff(values) < 0))
        tail = tail_length(run.epochs, TAIL_FRACTION, 2)
        tail_share = (float(values[-tail - 1]) - end) / (start - end)
        gain = tail_gain(values, tail)
        baseline = run.facts.baseline_loss
        lagging = baseline is not None and epochs_to(end, gain, tail, HIGH_LOSS * baseline) > run.epochs
        steady_descent = steady >= STEADY and tail_share >= STILL_FALLING
        if not (steady_descent or (lagging and gain >= FLAT)):
            return None
        slow = improvement < SLOW or lagging
        progress = (
            f"{improvement:.0%} below its start, {tail_share:.0%} of that in the last {run.unit.count(tail)}"
            if steady_descent
            else f"{gain:.0%} lower over the last {run.unit.count(tail)}"
        )
        high = (
            f", and is still at {end / baseline:.0%} of what a model that learned nothing scores"
            if lagging and baseline
            else ""
        )
        return self.finding(
            run,
            severity=Severity.warning if slow else Severity.info,
            confidence=0.7 if slow else 0.5,
            summary=(
                f"{self.monitor} was still falling when training stopped ({progress})"
                + high
                + (": learning is too slow." if slow else ": it would gain from more epochs.")
            ),
            evidence={
                "metric": self.monitor,
                "relative_improvement": rounded(improvement, 3),
                "steady_share": rounded(steady, 3),
                "tail_share_of_improvement": rounded(tail_share, 3),
                "tail_epochs": tail,
                "share_of_baseline_loss": rounded(end / baseline, 3) if baseline else None,
                "thresholds": {
                    "steady": STEADY,
                    "still_falling": STILL_FALLING,
                    "slow": SLOW,
                    "high_loss": HIGH_LOSS,
                },
            },
            recommendation=(
                "Raise the learning rate 3-10x (or run a learning-rate range test) and standardize "
                "the inputs."
                if slow
                else "Train for more epochs, with EarlyStopping(monitor='val_loss', "
                "restore_best_weights=True)."
            ),
            fix={"learning_rate_factor": 3.0} if slow else {"epochs_factor": 2.0},
            epochs=list(range(run.epochs - tail, run.epochs)),
        )
