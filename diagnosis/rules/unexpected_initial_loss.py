"""unexpected_initial_loss: the first epoch's loss is far from what a fresh model gives.

A freshly initialized classifier predicts roughly uniform probabilities, so its
cross-entropy starts near ln K. Keras logs the first epoch's average, which is already a
little lower; a value far above ln K means the model started confidently wrong (an output
layer, activation or label encoding that does not fit the loss, or unscaled inputs), and a
negative cross-entropy is impossible for valid labels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from diagnosis.curves import rounded
from diagnosis.history import TrainingHistory
from diagnosis.models import Finding, Severity
from diagnosis.rules.base import Rule
from diagnosis.taxonomy import Category, Code
from diagnosis.units import Settled

if TYPE_CHECKING:
    from diagnosis.probes.settling import BundleFacts

# First-epoch loss above this multiple of ln K, and at least ABOVE nats above it. A fresh
# softmax over standardized inputs starts within a few tenths of ln K, and the first epoch's
# average is lower still; twice ln K means the model started far off.
FACTOR = 2.0
ABOVE = 1.0
# Regression: networks train best on targets of about unit scale, where an untrained
# model's MSE is of order 1. A first-epoch loss this large means targets (or inputs) are on
# a scale of tens or more, and the first updates are spent just reaching it.
REGRESSION_SCALE = 1000.0
# K unknown (no metadata, no tell in the curves): a classifier's first loss is held against the
# largest K any common task has (ImageNet's 1000 classes, ln K = 6.9), so a first epoch that is
# unexpected for every K up to it is unexpected for this run's.
MAX_PLAUSIBLE_CLASSES = 1000

REGRESSION_CAUSES = (("unscaled_targets", 3.0), ("unscaled_features", 2.0), ("lr_too_low", 0.5))

NEGATIVE_CAUSES = (("label_format_mismatch", 3.0), ("loss_task_mismatch", 2.0))


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
        shows it cost nothing (underfitting.trained_through)."""
        from diagnosis.rules.underfitting import trained_through

        return trained_through(facts)

    def check(self, run: TrainingHistory) -> Finding | None:
        loss = run.get("loss")
        if loss is None or not np.isfinite(loss[0]):
            return None
        # Unknown task: a first loss of thousands is as far off for a cross-entropy as for an MSE.
        if run.facts.task in {"regression", None}:
            return self._regression(run, float(loss[0]))
        chance = run.facts.chance_loss
        if chance is None and run.facts.task in {"classification", "binary", "multiclass"}:
            chance = math.log(MAX_PLAUSIBLE_CLASSES)
        if chance is None:
            return None
        first = float(loss[0])
        evidence = {
            "first_epoch_loss": rounded(first),
            "expected_near": rounded(chance),
            "num_classes": run.facts.num_classes,
            "thresholds": {"factor": FACTOR, "above": ABOVE, "max_plausible_classes": MAX_PLAUSIBLE_CLASSES},
        }
        if first < 0:
            return self.finding(
                run,
                severity=Severity.error,
                confidence=0.95,
                summary=f"The cross-entropy loss is negative ({first:.3g}): the labels are not valid for it.",
                evidence=evidence,
                recommendation=(
                    "Labels must be 0/1 for binary_crossentropy, integers 0..K-1 for "
                    "sparse_categorical_crossentropy, and one-hot rows for categorical_crossentropy."
                ),
                epochs=[0],
                causes=NEGATIVE_CAUSES,
            )
        if first < FACTOR * chance or first - chance < ABOVE:
            return None
        return self.finding(
            run,
            severity=Severity.warning,
            confidence=0.7,
            summary=(
                f"The first epoch's loss was {first:.3g}, {first / chance:.0f}x ln K = {chance:.3f}"
                + ("" if run.facts.num_classes else f" for as many as {MAX_PLAUSIBLE_CLASSES} classes")
                + ": the model started confidently wrong."
            ),
            evidence=evidence,
            recommendation=(
                "Check the output layer (one unit per class, softmax; or from_logits=True with a linear "
                "output), the label encoding against the loss, and standardize the inputs."
            ),
            epochs=[0],
        )

    def _regression(self, run: TrainingHistory, first: float) -> Finding | None:
        if first < REGRESSION_SCALE:
            return None
        return self.finding(
            run,
            severity=Severity.warning,
            confidence=0.7,
            summary=(
                f"The first epoch's regression loss was {first:.3g}: targets or inputs are far from unit "
                "scale, which slows and destabilizes training."
            ),
            evidence={
                "first_epoch_loss": rounded(first),
                "thresholds": {"regression_scale": REGRESSION_SCALE},
            },
            recommendation=(
                "Standardize the targets (subtract the mean, divide by the standard deviation; invert at "
                "prediction time) and the inputs (keras.layers.Normalization)."
            ),
            fix={"standardize_targets": True, "standardize_inputs": True},
            epochs=[0],
            causes=REGRESSION_CAUSES,
        )
