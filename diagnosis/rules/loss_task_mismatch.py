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

A training loss at zero (to the last digit a log shows, ZERO_LOSS) at every epoch while no
accuracy the run logs, the model's or any output head's, reaches ZERO_LOSS_ACCURACY is a loss
that does not see the labels: any loss that measures them, a regression's included, is zero only
on predictions that are right. Categorical cross-entropy over a single sigmoid unit is one (its
one column's label term is zero when the label is 0, the sum over one softmax unit is always 1).
That needs no sign that the accuracy counts samples: a zero loss beside accuracies of 0.5
(wild log w1928, dogs vs cats) or 0.0-0.1 per character head (w1829) is no regression's fit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from diagnosis.curves import as_share, finite_curve, rounded
from diagnosis.history import TrainingHistory
from diagnosis.infer import ACCURACY_NAMES
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
# A training loss at or under this at every epoch is zero: 0.0000 in a 4-decimal log.
ZERO_LOSS = 5e-5
# ...and one beside accuracies all under this share did not measure the labels (a zero loss is
# predictions all right; a tenth of samples wrong costs a cross-entropy 0.07 at the least).
ZERO_LOSS_ACCURACY = 0.9


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
        if run.facts.task == "regression":
            return None
        blind = self._zero_loss(run)
        if blind is not None:
            return blind
        if name is None:
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

    def _zero_loss(self, run: TrainingHistory) -> Finding | None:
        """A training loss at zero throughout beside accuracies that never learned."""
        loss = finite_curve(run.get("loss"))
        if loss is None or loss.size < MIN_VIOLATIONS or float(np.max(np.abs(loss))) > ZERO_LOSS:
            return None
        # Each logged training accuracy's best, the model's or an output head's (`char_0_accuracy`).
        best = {
            name: float(np.max(as_share(values)))
            for name in run.curve_names
            if not name.startswith("val_")
            and name.endswith(ACCURACY_NAMES)
            and (values := finite_curve(run.get(name))) is not None
        }
        if not best or max(best.values()) >= ZERO_LOSS_ACCURACY:
            return None
        name = max(best, key=best.__getitem__)
        return self.finding(
            run,
            severity=Severity.error,
            confidence=0.85,
            summary=(
                f"The training loss is zero at every {run.unit.one} while {name} stays at most "
                f"{best[name]:.3f}: the loss does not measure the labels."
            ),
            evidence={
                "loss_max": rounded(float(np.max(np.abs(loss)))),
                "accuracies_max": {k: rounded(v) for k, v in best.items()},
                "thresholds": {"zero_loss": ZERO_LOSS, "zero_loss_accuracy": ZERO_LOSS_ACCURACY},
            },
            recommendation=(
                "Match the loss to the labels and the output: one sigmoid unit with binary_crossentropy and "
                "0/1 labels, or a softmax over K units with sparse_categorical_crossentropy (integer "
                "labels) or categorical_crossentropy (one-hot labels)."
            ),
            fix={"loss": "sparse_categorical_crossentropy", "output_activation": "softmax"},
            epochs=list(range(min(loss.size, 10))),
        )

    def _finding(
        self, run: TrainingHistory, prefix: str, loss: np.ndarray, accuracy: np.ndarray, below: np.ndarray
    ) -> Finding:
        epoch = int(below[0])
        return self.finding(
            run,
            severity=Severity.error,
            confidence=0.85,
            summary=(
                f"At {run.unit.one} {epoch} the {prefix}loss was {loss[epoch]:.3g} with {prefix}accuracy "
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
