"""What the curves imply about the task before any rule runs: classification or regression,
the number of classes, the loss and accuracy a model that learned nothing would have, and
how the learning-rate schedule moved.

The caller's metadata wins where it says something; inference fills the gaps.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from diagnosis.models import LearningRateChange

if TYPE_CHECKING:
    from diagnosis.history import TrainingHistory

# A loss this close to ln K (relative) while the model is stuck says "K balanced classes".
LN_K_TOLERANCE = 0.06
# Largest class count inferred from a loss value; beyond it ln K values crowd together.
MAX_INFERRED_CLASSES = 20
# Epochs at the start whose loss is read to recognize a stuck model's ln K.
EARLY_EPOCHS = 5
# A learning-rate change smaller than this (relative) is noise in the logged column.
LR_CHANGE = 0.05
# Epochs after a learning-rate drop over which its effect on the loss is measured.
LR_EFFECT_EPOCHS = 3
# A schedule that changes the rate every epoch (cosine, exponential) is summarized by its
# first changes; the summary is for reading, not a full copy of the column.
MAX_LR_CHANGES = 50

ACCURACY_NAMES = ("accuracy", "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy")
REGRESSION_NAMES = (
    "mae",
    "mse",
    "rmse",
    "mean_absolute_error",
    "mean_squared_error",
    "root_mean_squared_error",
)


@dataclass(frozen=True)
class RunFacts:
    task: str | None  # "binary", "multiclass", "regression" or None when nothing says
    num_classes: int | None
    accuracy_metric: str | None
    lr_changes: list[LearningRateChange] = field(default_factory=list)
    reported_baseline_loss: float | None = None  # metadata.baseline_loss

    @property
    def chance_loss(self) -> float | None:
        """Cross-entropy of a model that predicts the uniform distribution: ln K. A freshly
        initialized classifier starts there."""
        return math.log(self.num_classes) if self.num_classes and self.num_classes >= 2 else None

    @property
    def baseline_loss(self) -> float | None:
        """The loss of a model that learned nothing, the yardstick for "the loss is still high":
        the caller's `baseline_loss` (the only one a regression has, and for imbalanced classes
        lower than ln K), else ln K."""
        # Zero (constant targets) is no yardstick: everything would be infinitely above it.
        return self.reported_baseline_loss or self.chance_loss

    @property
    def chance_accuracy(self) -> float | None:
        return 1.0 / self.num_classes if self.num_classes and self.num_classes >= 2 else None

    @property
    def majority_share(self) -> tuple[float, float] | None:
        """Bounds on the largest class's share, from a classifier's reported baseline loss (the
        class frequencies' entropy) and K; None when either is unknown."""
        if self.task not in {"binary", "multiclass"} or not self.num_classes or self.num_classes < 2:
            return None
        if self.reported_baseline_loss is None:
            return None
        return majority_share_bounds(self.reported_baseline_loss, self.num_classes)


def _bisect_decreasing(function: Callable[[float], float], value: float, low: float, high: float) -> float:
    """The point in [low, high] where a decreasing `function` crosses `value`."""
    for _ in range(50):
        mid = (low + high) / 2
        low, high = (mid, high) if function(mid) > value else (low, mid)
    return (low + high) / 2


def _binary_entropy(p: float) -> float:
    return -p * math.log(p) - (1 - p) * math.log(1 - p) if 0 < p < 1 else 0.0


def majority_share_bounds(entropy: float, classes: int) -> tuple[float, float]:
    """Least and greatest share p of the largest of `classes` classes whose frequencies have
    this entropy (nats). For a given p the entropy is smallest with one other class holding the
    rest (H_b(p), when p > 1/2) and largest with the rest spread evenly (Fano's
    H_b(p) + (1 - p) ln(K - 1)); both fall as p grows, so each bound is where one crosses
    `entropy`. Two classes: both bounds are the share itself."""
    entropy = min(max(entropy, 0.0), math.log(classes))

    def spread(p: float) -> float:
        return _binary_entropy(p) + (1 - p) * math.log(classes - 1)

    high = _bisect_decreasing(spread, entropy, 1.0 / classes, 1.0)
    # Above ln 2 the two-class split cannot reach the entropy; the share is still at least
    # e^-H, since no class can be likelier than the largest (min-entropy <= entropy).
    low = (
        _bisect_decreasing(_binary_entropy, entropy, 0.5, 1.0)
        if entropy < math.log(2)
        else math.exp(-entropy)
    )
    return min(low, high), high


def _classes_from_loss(values: np.ndarray) -> int | None:
    """K when the early loss sits at ln K, the signature of a model that learned nothing."""
    early = values[:EARLY_EPOCHS]
    early = early[np.isfinite(early)]
    if early.size == 0:
        return None
    level = float(np.median(early))
    k = min(range(2, MAX_INFERRED_CLASSES + 1), key=lambda k: abs(level - math.log(k)))
    return k if abs(level - math.log(k)) <= LN_K_TOLERANCE * math.log(k) else None


def _lr_changes(run: TrainingHistory) -> list[LearningRateChange]:
    lr = run.get("learning_rate")
    loss = run.get("loss")
    if lr is None or run.epochs < 2:
        return []
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = np.abs(np.diff(lr)) / lr[:-1]
    epochs = np.flatnonzero(np.isfinite(relative) & (lr[:-1] > 0) & (relative >= LR_CHANGE)) + 1
    changes = []
    for epoch in epochs[:MAX_LR_CHANGES].tolist():
        effect = None
        if loss is not None and epoch + LR_EFFECT_EPOCHS <= run.epochs:
            start, end = loss[epoch - 1], loss[epoch + LR_EFFECT_EPOCHS - 1]
            if np.isfinite(start) and np.isfinite(end) and start != 0:
                effect = float((end - start) / abs(start))
        changes.append(
            LearningRateChange(epoch=epoch, learning_rate=float(lr[epoch]), loss_change_after=effect)
        )
    return changes


def infer_facts(run: TrainingHistory) -> RunFacts:
    meta = run.metadata
    accuracy = next((name for name in ACCURACY_NAMES if name in run.metrics), None)
    task = meta.task
    classes = meta.num_classes
    if task == "regression":
        classes = None
    elif classes is None and task == "binary":
        classes = 2
    if task is None:
        if accuracy is not None or (classes or 0) >= 2:
            task = "classification"
        elif any(name in run.metrics for name in REGRESSION_NAMES):
            task = "regression"
    if classes is None and task in {"classification", "multiclass", "binary"} and "loss" in run.metrics:
        classes = _classes_from_loss(run.metrics["loss"])
    if accuracy == "binary_accuracy":
        classes = classes or 2
    if task == "classification" and classes:
        task = "binary" if classes == 2 else "multiclass"
    return RunFacts(
        task=task,
        num_classes=classes,
        accuracy_metric=accuracy,
        lr_changes=_lr_changes(run),
        reported_baseline_loss=meta.baseline_loss,
    )
