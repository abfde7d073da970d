"""val_better_than_train: validation loss sits well below training loss, or validation
accuracy well above training accuracy.

Some of that is normal — Dropout and other regularizers act only in training, and the
training loss is an average over an epoch in which the model was still improving — so a
modest gap is only worth knowing (info). A large one is more than those explain: the
validation data may overlap the training data, or be easier (warning). A large loss gap with
no accuracy gap to match (where accuracy is logged) is not one: between two small losses a
handful of confidently wrong training samples sets the ratio, and the model predicts the two
sets about equally well.

A training loss whose epoch points are mostly one logged step's (`SourceInfo.single_steps`:
Lightning logging every 50 steps of a 33-step epoch) is one batch's loss an epoch, in training
mode, wherever in the epoch the step fell: no level to hold the validation set's against, so its
loss gap alone is only worth knowing (wild log w1464, an LSTM forecaster whose single-batch
training losses wander 5.7e-05-0.0034 beside a validation loss of 0.0003). An accuracy gap still
counts.

Keras logs training metrics averaged over the epoch and validation metrics at its end, so
while the model learns fast (the first epochs a live run reports) training trails validation
by about half an epoch. Each validation epoch is therefore compared with the next training
epoch, the one measured around the same point of learning.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from diagnosis.curves import as_share, finite_curve, median, rounded
from diagnosis.history import TrainingHistory
from diagnosis.models import EvidenceSource, Finding, Severity
from diagnosis.rules.base import Rule
from diagnosis.taxonomy import Category, Code
from diagnosis.units import Settled

if TYPE_CHECKING:
    from diagnosis.probes.settling import BundleFacts

# Validation loss below training loss by this share (second half of the run, medians)...
GAP = 0.15
# ...and by this much it is more than regularization explains.
LARGE_GAP = 0.5
# The same on accuracy, in points: validation accuracy above training accuracy by this much.
ACCURACY_GAP = 0.05
LARGE_ACCURACY_GAP = 0.15
MIN_EPOCHS = 4

LARGE_GAP_CAUSES = (("excessive_dropout", 2.0), ("duplicate_samples", 1.5), ("train_val_shift", 1.5))
AUDITS = (EvidenceSource.data_audit, EvidenceSource.model_audit)
# What makes a validation set easier than training beyond regularization; a bundle's data audit
# looks for both.
VAL_EASIER_CAUSES = frozenset({Code.duplicate_samples, Code.train_val_shift})
# Layers that act only in training, so the training loss carries noise the validation loss does not.
TRAINING_ONLY_LAYERS = frozenset(
    {
        "Dropout",
        "SpatialDropout1D",
        "SpatialDropout2D",
        "SpatialDropout3D",
        "AlphaDropout",
        "GaussianDropout",
        "GaussianNoise",
    }
)


@dataclass
class ValBetterThanTrain(Rule):
    code = Code.val_better_than_train
    category = Category.training_dynamics
    causes = (("excessive_dropout", 2.0), ("duplicate_samples", 1.0), ("train_val_shift", 1.0))
    monitor: str = "loss"

    def check(self, run: TrainingHistory) -> Finding | None:
        train = finite_curve(run.get(self.monitor))
        val = finite_curve(run.get(f"val_{self.monitor}"))
        if train is None or val is None or run.epochs < MIN_EPOCHS:
            return None
        half = run.epochs // 2
        train_level, val_level = aligned_medians(train, val, half)
        gap = (train_level - val_level) / train_level if train_level > 0 else 0.0
        logged_gap = self._accuracy_gap(run, half)
        accuracy_gap = 0.0 if logged_gap is None else logged_gap
        if gap < GAP and accuracy_gap < ACCURACY_GAP:
            return None
        accuracy_agrees = logged_gap is None or accuracy_gap >= ACCURACY_GAP
        single_steps = run.source.single_steps(self.monitor)
        large = (
            gap >= LARGE_GAP and accuracy_agrees and not single_steps
        ) or accuracy_gap >= LARGE_ACCURACY_GAP
        return self.finding(
            run,
            severity=Severity.warning if large else Severity.info,
            confidence=0.7 if large else 0.5,
            summary=(
                f"Validation is better than training over the second half of the run (loss {gap:.0%} lower, "
                f"accuracy {accuracy_gap:+.2f})"
                + (
                    ": more than regularization explains."
                    if large
                    else ", as Dropout or a regularizer causes."
                )
            ),
            evidence={
                "train_median": rounded(train_level),
                "val_median": rounded(val_level),
                "gap": rounded(gap, 3),
                "accuracy_gap": rounded(accuracy_gap, 3),
                "single_steps": single_steps,
                "thresholds": {
                    "gap": GAP,
                    "large_gap": LARGE_GAP,
                    "accuracy_gap": ACCURACY_GAP,
                    "large_accuracy_gap": LARGE_ACCURACY_GAP,
                },
            },
            recommendation=(
                "Check that no validation sample also appears in the training set and that both sets "
                "come from the same shuffled data and preprocessing."
                if large
                else "Nothing to fix if the model uses Dropout or weight penalties; compare "
                "model.evaluate on the training set with the validation loss to be sure."
            ),
            causes=LARGE_GAP_CAUSES if large else None,
        )

    def settle(self, finding: Finding, facts: BundleFacts) -> Settled | None:
        """From curves alone a large gap is more than regularization explains: leakage or an
        easier validation set. A bundle's data audit has looked for both; when it found neither
        and the model has layers that act only in training, regularization is the explanation
        left, which is worth knowing rather than a warning."""
        leak_or_shift = any(f.code in VAL_EASIER_CAUSES for f in facts.alarms(*AUDITS))
        regularized = any(
            layer.kind in TRAINING_ONLY_LAYERS or layer.input_dropout or layer.recurrent_dropout
            for layer in facts.info.layers
        )
        if finding.severity is not Severity.warning or leak_or_shift or not regularized:
            return None
        return Settled(
            "the data audit found no leakage or shift, so the model's Dropout/noise layers, "
            "active only in training, explain it"
        )

    @staticmethod
    def _accuracy_gap(run: TrainingHistory, half: int) -> float | None:
        """Validation minus training accuracy (aligned medians) as a share of samples, None when
        either is not logged. A log in percent is read as shares: 3 points ahead is 0.03, not 3.0
        (wild log w1801, a healthy binary run at 92 % and 95 %)."""
        name = run.facts.accuracy_metric
        train = finite_curve(run.get(name)) if name else None
        val = finite_curve(run.get(f"val_{name}")) if name else None
        if train is None or val is None:
            return None
        train_level, val_level = aligned_medians(as_share(train), as_share(val), half)
        return val_level - train_level


def aligned_medians(train: np.ndarray, val: np.ndarray, start: int) -> tuple[float, float]:
    """Medians from epoch `start` on, each validation epoch paired with the next training one."""
    return median(train[start + 1 :]), median(val[start:-1])
