"""loss_task_mismatch: the loss is lower than any K-class cross-entropy can be at the
accuracy the run logged, so it is not the cross-entropy of these labels.

For a sample the model gets wrong, the true class has probability at most 1/2, so its
cross-entropy is at least ln 2. Averaged over an epoch (loss and accuracy are averaged
over the same batches), a categorical or sparse cross-entropy therefore satisfies
    loss >= ln 2 * (1 - accuracy).
An epoch below that bound means another loss is in use: binary_crossentropy over K
one-hot units (which averages per unit), or MSE on class ids.

The bound holds for two classes too (a sigmoid under binary cross-entropy) and whatever K is,
so it is checked on any classifier, K known or not: an MSE or MAE on class ids, or a loss that
stays at exactly zero, breaks it. Without metadata a run is taken for a classifier only when
its accuracy is a share of samples (every value a multiple of 1/n, `RunFacts.train_samples`):
a regression that logs `accuracy` (a colorizer's per-pixel match) is not one.

The bound is loose at low accuracy, so a second, first-epoch check backs it up when K > 2 is
known: a fresh
K-class model starts at ln K, and an epoch whose average ends far below that, or at the ln 2
a fresh binary cross-entropy starts at per unit whatever K is, while the model was mostly
wrong has a loss on another scale.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from diagnosis.curves import finite_curve, rounded
from diagnosis.history import TrainingHistory
from diagnosis.models import Finding, Severity
from diagnosis.rules.base import Rule
from diagnosis.taxonomy import Category, Code

# Below this share of the bound (a margin for rounding in logged values) is a violation.
MARGIN = 0.9
# Epochs below the bound needed; one could be a logging quirk.
MIN_VIOLATIONS = 2
# First epoch: average loss under this share of ln K, or at most BINARY_START x ln 2, with
# accuracy under FIRST_ACCURACY. A fresh binary cross-entropy starts near ln 2 per unit whatever
# K is, a multi-class cross-entropy at ln K >= ln 3 = 1.58 ln 2; the bound sits halfway between
# the two on a log scale, sqrt(ln 3 / ln 2) = 1.26 ln 2 (an epoch of learning pulls either down).
FIRST_RATIO = 0.5
BINARY_START = math.sqrt(math.log(3) / math.log(2))
FIRST_ACCURACY = 0.5
# K unknown: a sigmoid under binary cross-entropy that is wrong on most samples pays more than
# ln 2 on each of them (p(true) < 1/2), and a fresh one pays about ln 2 on all; a first-epoch
# average under ln 2 at an accuracy under UNKNOWN_K_ACCURACY is a per-unit average over several
# one-hot units, which fall towards 0 on the units that are off before any class is learned.
UNKNOWN_K_ACCURACY = 0.4


@dataclass
class LossTaskMismatch(Rule):
    code = Code.loss_task_mismatch
    trials = ((Code.loss_task_mismatch, "swap_loss"),)
    category = Category.implementation
    causes = (
        ("loss_task_mismatch", 3.0),
        ("output_activation_mismatch", 2.0),
        ("label_format_mismatch", 1.0),
    )

    def check(self, run: TrainingHistory) -> Finding | None:
        classes = run.facts.num_classes
        name = run.facts.accuracy_metric
        if name is None or run.facts.task == "regression":
            return None
        told = run.metadata.task is not None or run.metadata.num_classes is not None
        if not told and run.facts.train_samples is None:
            return None  # no sign the accuracy counts samples: maybe a regression logging it
        for prefix in ("", "val_"):
            loss = finite_curve(run.get(f"{prefix}loss"))
            accuracy = finite_curve(run.get(f"{prefix}{name}"))
            if loss is None or accuracy is None:
                continue
            bound = math.log(2) * (1 - accuracy)
            below = np.flatnonzero(loss < MARGIN * bound)
            if below.size >= MIN_VIOLATIONS:
                return self._finding(run, prefix, loss, accuracy, below)
            if prefix == "" and not classes and loss[0] < math.log(2) and accuracy[0] < UNKNOWN_K_ACCURACY:
                return self._finding(run, prefix, loss, accuracy, np.array([0]))
            if not classes or classes <= 2:
                continue  # for two classes binary_crossentropy is the right loss
            first_limit = max(FIRST_RATIO * math.log(classes), BINARY_START * math.log(2))
            if prefix == "" and loss[0] < first_limit and accuracy[0] < FIRST_ACCURACY:
                return self._finding(run, prefix, loss, accuracy, np.array([0]))
        return None

    def _finding(
        self, run: TrainingHistory, prefix: str, loss: np.ndarray, accuracy: np.ndarray, below: np.ndarray
    ) -> Finding:
        epoch = int(below[0])
        return self.finding(
            run,
            severity=Severity.error,
            confidence=0.85,
            summary=(
                f"At epoch {epoch} the {prefix}loss was {loss[epoch]:.3g} with {prefix}accuracy "
                f"{accuracy[epoch]:.3f}: too low for "
                + (f"a {run.facts.num_classes}-class" if run.facts.num_classes else "any")
                + " cross-entropy, so the loss is not one."
            ),
            evidence={
                "epoch": epoch,
                "loss": rounded(float(loss[epoch])),
                "accuracy": rounded(float(accuracy[epoch])),
                "lower_bound": rounded(math.log(2) * (1 - float(accuracy[epoch]))),
                "epochs_below_bound": int(below.size),
                "num_classes": run.facts.num_classes,
                "ln_k": rounded(math.log(run.facts.num_classes)) if run.facts.num_classes else None,
                "thresholds": {
                    "margin": MARGIN,
                    "min_violations": MIN_VIOLATIONS,
                    "first_ratio": FIRST_RATIO,
                    "binary_start": rounded(BINARY_START),
                    "first_accuracy": FIRST_ACCURACY,
                    "unknown_k_accuracy": UNKNOWN_K_ACCURACY,
                },
            },
            recommendation=(
                "For one label per sample, use softmax outputs with sparse_categorical_crossentropy (integer "
                "labels) or categorical_crossentropy (one-hot labels), not binary_crossentropy or MSE."
            ),
            fix={"loss": "sparse_categorical_crossentropy", "output_activation": "softmax"},
            epochs=[int(e) for e in below[:10]],
        )
