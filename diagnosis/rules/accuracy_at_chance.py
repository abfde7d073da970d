"""accuracy_at_chance: accuracy never rose above guessing, or never moved at all.

Two shapes, one meaning (the model predicts nothing useful): an accuracy that ends within a
few points of 1/K, and an accuracy frozen at one value for the whole run, which is what a
model that outputs a single class for every sample shows (at the majority-class rate).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from diagnosis.curves import finite_curve, rounded, tail_length
from diagnosis.history import TrainingHistory
from diagnosis.models import Category, Finding, Severity
from diagnosis.rules.base import Rule

# Within this (absolute) of 1/K counts as chance.
MARGIN = 0.05
# An accuracy whose whole-run range is below this is frozen.
FROZEN = 0.002
MIN_EPOCHS = 5
TAIL_FRACTION = 0.2

AT_CHANCE_CAUSES = (
    ("loss_task_mismatch", 2.0),
    ("output_activation_mismatch", 2.0),
    ("lr_too_high", 1.5),
    ("label_noise", 1.0),
    ("dead_units", 1.0),
)
FROZEN_CAUSES = (
    ("class_imbalance", 3.0),
    ("output_activation_mismatch", 1.5),
    ("dead_units", 1.5),
    ("lr_too_high", 1.0),
)


@dataclass
class AccuracyAtChance(Rule):
    code = "accuracy_at_chance"
    category = Category.training_dynamics
    causes = AT_CHANCE_CAUSES

    def check(self, run: TrainingHistory) -> Finding | None:
        name = run.facts.accuracy_metric
        if name is None or run.epochs < MIN_EPOCHS:
            return None
        for metric in (f"val_{name}", name):
            values = finite_curve(run.get(metric))
            if values is None:
                continue
            if float(values.max() - values.min()) < FROZEN and values[0] < 1.0:
                return self._frozen(run, metric, values)
            chance = run.facts.chance_accuracy
            end = float(np.median(values[-tail_length(run.epochs, TAIL_FRACTION, 2) :]))
            if chance is not None and end <= chance + MARGIN:
                return self._at_chance(run, metric, end, chance)
        return None

    def _frozen(self, run: TrainingHistory, metric: str, values: np.ndarray) -> Finding:
        value = float(values[0])
        return self.finding(
            run,
            severity=Severity.error,
            confidence=0.85,
            summary=(
                f"{metric} stayed at {value:.4f} for all {run.epochs} epochs: the model predicts the "
                "same class for every sample."
            ),
            evidence={"metric": metric, "value": rounded(value), "thresholds": {"frozen_range": FROZEN}},
            recommendation=(
                "Count the classes in y_train: if one dominates, pass class_weight to fit; then check "
                "that the output activation matches the loss and lower the learning rate by 10x."
            ),
            fix={"class_weight": "balanced"},
            causes=FROZEN_CAUSES,
        )

    def _at_chance(self, run: TrainingHistory, metric: str, end: float, chance: float) -> Finding:
        return self.finding(
            run,
            severity=Severity.error,
            confidence=0.8,
            summary=(
                f"{metric} ended at {end:.3f}, within {MARGIN} of chance (1/{run.facts.num_classes} = "
                f"{chance:.3f}): the model has learned nothing it can use."
            ),
            evidence={
                "metric": metric,
                "end_median": rounded(end),
                "chance_accuracy": rounded(chance),
                "num_classes": run.facts.num_classes,
                "thresholds": {"margin": MARGIN},
            },
            recommendation=(
                "Check that labels and loss agree (integer labels with sparse_categorical_crossentropy, "
                "one-hot with categorical_crossentropy) and that the output layer has one unit per class "
                "with softmax; then verify the model can overfit one batch."
            ),
        )
