"""What the bundle checks look at, as plain data: the arrays, a description of the model,
and the training configuration.

The worker builds these from an uploaded bundle (`model.keras` + `data.npz` +
`training.json`); the data audit reads only numpy arrays and `ModelInfo`, so it runs
without TensorFlow, and the Keras-side code (model audit, probes) fills `ModelInfo` in.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

# Loss names as Keras serializes them, grouped by the labels they expect.
BINARY_LOSSES = frozenset({"binary_crossentropy", "binary_focal_crossentropy", "hinge", "squared_hinge"})
SPARSE_LOSSES = frozenset({"sparse_categorical_crossentropy"})
ONE_HOT_LOSSES = frozenset({"categorical_crossentropy", "categorical_focal_crossentropy", "kl_divergence"})
REGRESSION_LOSSES = frozenset(
    {
        "mean_squared_error",
        "mean_absolute_error",
        "huber",
        "log_cosh",
        "mean_squared_logarithmic_error",
        "mean_absolute_percentage_error",
    }
)
# Losses for counts and rates (Keras's Poisson: y_pred - y_true * log(y_pred)): the targets are
# non-negative quantities, whole numbers included (event counts are not class ids), and the
# prediction must stay positive for its logarithm.
COUNT_LOSSES = frozenset({"poisson"})
# Losses that compare the direction of each sample's target vector with the output's
# (embeddings): over a single value that direction is only its sign.
DIRECTION_LOSSES = frozenset({"cosine_similarity"})
# Every loss whose targets are quantities rather than class ids.
QUANTITY_LOSSES = REGRESSION_LOSSES | COUNT_LOSSES | DIRECTION_LOSSES


@dataclass(frozen=True)
class BundleData:
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray | None = None
    y_val: np.ndarray | None = None


@dataclass(frozen=True)
class LayerInfo:
    name: str
    kind: str  # the Keras class name: "Dense", "Dropout", "BatchNormalization", ...
    activation: str | None = None
    units: int | None = None
    rate: float | None = None  # Dropout rate
    params: int = 0
    # A recurrent layer's own dropout (LSTM/GRU/SimpleRNN `dropout`, on its inputs, and
    # `recurrent_dropout`, on its state), read through a Bidirectional wrapper.
    input_dropout: float | None = None
    recurrent_dropout: float | None = None


@dataclass(frozen=True)
class ModelInfo:
    """What the model audit and the data audit need to know about the model."""

    loss: str | None  # canonical Keras name, e.g. "sparse_categorical_crossentropy"
    from_logits: bool
    output_units: int | None
    output_activation: str | None  # "softmax", "sigmoid", "linear", ...
    param_count: int
    layers: list[LayerInfo] = field(default_factory=list)
    optimizer: str | None = None  # lower-case class name: "adam", "sgd", ...
    learning_rate: float | None = None
    input_shape: tuple[int | None, ...] | None = None
    # The first layer standardizes the raw inputs with statistics it holds (an adapted or
    # configured Normalization layer): the arrays' own scales are not what the network sees.
    normalizes_inputs: bool = False
    # The shape of one sample's output, without the batch axis: (1,) for one unit, (12, 12, 1)
    # for a per-pixel output, whose labels carry the same positions.
    output_shape: tuple[int | None, ...] | None = None
    # The batch size it trains with (training.json): what batch statistics are taken over.
    batch_size: int | None = None


@dataclass(frozen=True)
class TrainingConfig:
    """training.json: how the user trains; every field optional."""

    batch_size: int = 32
    epochs: int | None = None
    optimizer: str | None = None
    learning_rate: float | None = None
    loss: str | None = None  # needed when model.keras was saved uncompiled
    validation_split: float | None = None


@dataclass(frozen=True)
class LabelInfo:
    """What the labels look like, read from the arrays alone."""

    format: str  # "binary", "integer", "one_hot", "soft", "multi_hot", "continuous"
    num_classes: int | None  # distinct classes, for the single-label class formats
    distinct: int
    # Values per sample: one-hot classes, independent 0/1 tags, or regression targets.
    columns: int = 1
    # Smallest and largest finite target, for continuous targets.
    value_range: tuple[float, float] | None = None


# Up to this many distinct integral values, labels are classes rather than a quantity.
MAX_CLASSES = 1000
# Under a regression loss, whole-number targets are read as class ids only when they look like
# ids. Class ids are the labels 0..K-1 of a data set, so a sample of them fills most of that
# range; a quantity on a grid (y = 2x, y = x**2 for integer x) leaves gaps. Below this share of
# 0..max present, the targets are numbers, not ids (y = 2x fills about half, a parabola far less).
MIN_ID_COVERAGE = 0.8
# A classifier learns a class from several examples of it; a measured quantity takes a new value
# at nearly every sample. With more than FEW_VALUES distinct targets and more of them than this
# share of the samples (fewer than two samples per value), the targets are numbers, not ids.
MAX_DISTINCT_SHARE = 0.5
# Up to this many distinct values the repetition test cannot tell (three classes in five samples).
FEW_VALUES = 10
# Rows of a one-hot or soft label may sum to 1 within float32 rounding.
ROW_SUM_TOLERANCE = 1e-3
# Label formats that give each sample one distribution over the classes: exact one-hot rows,
# and soft rows (label smoothing done in the data, a teacher's probabilities in distillation).
# Both are what a softmax with categorical cross-entropy is trained on.
CLASS_DISTRIBUTIONS = frozenset({"one_hot", "soft"})


def distribution_rows(y: np.ndarray) -> bool:
    """Rows of K >= 2 values in [0, 1] summing to 1: one-hot or soft labels."""
    return (
        y.shape[1] > 1
        and bool(((y >= 0) & (y <= 1)).all())
        and bool(np.allclose(y.sum(axis=1), 1.0, atol=ROW_SUM_TOLERANCE))
    )


def position_rows(y: np.ndarray, output_shape: tuple[int | None, ...] | None) -> np.ndarray | None:
    """The labels as rows of what one output position predicts, or None when the output keeps
    no positions the labels share. A model whose output keeps positions (a mask of 12x12
    pixels: output shape (12, 12, 1); a word per time step: (3, 50)) predicts each position
    apart, and its labels carry the same positions: each position's label is one row, so a
    language model's (n, 3, 50) one-hot targets are 3n one-hot rows over 50 words and its
    sparse (n, 3) targets 3n class ids, not 150 label columns or 3 quantities per sample."""
    positions = tuple(output_shape[:-1]) if output_shape else ()
    if positions and None not in positions and tuple(y.shape[1 : 1 + len(positions)]) == positions:
        return y.reshape(-1, math.prod(y.shape[1 + len(positions) :]))
    return None


def label_info(
    y: np.ndarray, loss: str | None = None, output_shape: tuple[int | None, ...] | None = None
) -> LabelInfo:
    """What the labels look like, read per output position where the model's output keeps
    positions the labels share (see position_rows). Under a count loss (Poisson) whole numbers
    are counts, read as continuous targets with their range; under any other loss they may be
    classes, and the audits hold that reading against the loss."""
    y = np.asarray(y)
    rows = position_rows(y, output_shape)
    if rows is not None:
        y = rows
    finite = y[np.isfinite(y)] if y.dtype.kind == "f" else y
    if y.ndim == 2 and y.shape[1] > 1:
        columns = int(y.shape[1])
        zero_one = finite.size == y.size and bool(np.isin(y, (0, 1)).all())
        if zero_one and (y.sum(axis=1) == 1).all():
            return LabelInfo("one_hot", columns, columns, columns)
        if zero_one:
            # Several independent 0/1 tags per sample (multi-label): classes, not quantities.
            return LabelInfo("multi_hot", None, int(np.unique(finite).size), columns)
        distinct_values = int(np.unique(finite).size)
        if finite.size == y.size and distribution_rows(y):
            # Non-negative rows summing to 1 are a probability per class, not K quantities.
            return LabelInfo("soft", columns, distinct_values, columns)
        return LabelInfo("continuous", None, distinct_values, columns, _value_range(finite))
    flat = finite.reshape(-1)
    distinct = np.unique(flat)
    integral = flat.size > 0 and np.array_equal(distinct, np.round(distinct)) and loss not in COUNT_LOSSES
    if integral and distinct.size <= 2 and set(distinct.tolist()) <= {0, 1}:
        return LabelInfo("binary", 2, int(distinct.size))
    if (
        integral
        and distinct.size <= MAX_CLASSES
        and distinct.min() >= 0
        and _could_be_ids(distinct, flat.size, loss)
    ):
        return LabelInfo("integer", int(distinct.max()) + 1, int(distinct.size))
    return LabelInfo("continuous", None, int(distinct.size), value_range=_value_range(flat))


def _could_be_ids(distinct: np.ndarray, samples: int, loss: str | None) -> bool:
    """Whether non-negative whole numbers could be class ids. A classification loss says they are
    (gaps there are the audits' label_format_mismatch: 0/255 labels); under a regression loss they
    are ids only if they fill most of 0..max and repeat, else a quantity that happens to be
    integral, which the regression loss fits as it should."""
    if loss not in REGRESSION_LOSSES | DIRECTION_LOSSES:
        return True
    coverage = distinct.size / (float(distinct.max()) + 1)
    unrepeated = distinct.size > FEW_VALUES and distinct.size > MAX_DISTINCT_SHARE * samples
    return coverage >= MIN_ID_COVERAGE and not unrepeated


def _value_range(finite: np.ndarray) -> tuple[float, float] | None:
    return (float(finite.min()), float(finite.max())) if finite.size else None


def replay_metadata(
    info: ModelInfo, labels: LabelInfo, config: TrainingConfig, y: np.ndarray
) -> dict[str, Any]:
    """What the bundle tells the history engine about the replay it reads: the curve rules
    otherwise guess the task and the number of classes from the curves (a first loss of 2.0
    read as two classes makes a 10-class run look confidently wrong). Task, classes and the
    learned-nothing loss are only given where the loss and the labels agree on the task; a
    mismatch between them is the audit's to name, and the curves then speak for themselves."""
    meta: dict[str, Any] = {
        "learning_rate": info.learning_rate,
        "optimizer": info.optimizer,
        "batch_size": config.batch_size,
        "param_count": info.param_count,
    }
    classes = labels.num_classes
    # A label per output position (a word per time step) is one row each, as label_info read them.
    rows = position_rows(np.asarray(y), info.output_shape)
    y = rows if rows is not None else y
    agree = (
        (info.loss in BINARY_LOSSES and labels.format == "binary")
        or (info.loss in SPARSE_LOSSES and labels.format in {"binary", "integer"})
        or (info.loss in ONE_HOT_LOSSES and labels.format in CLASS_DISTRIBUTIONS)
    )
    if agree and classes and classes >= 2:
        if labels.format in CLASS_DISTRIBUTIONS:
            # The best constant prediction is the mean label row (the class shares for one-hot
            # rows), and its cross-entropy is that row's entropy.
            shares = np.asarray(y, dtype=np.float64).mean(axis=0)
        else:
            codes = np.asarray(y).reshape(-1).astype(int)
            shares = np.bincount(codes[codes >= 0]) / max(1, int((codes >= 0).sum()))
        shares = shares[shares > 0]
        baseline = float(-(shares * np.log(shares)).sum())
        meta |= {"task": "binary" if classes == 2 else "multiclass", "num_classes": classes}
        if info.loss in {
            "binary_crossentropy",
            "sparse_categorical_crossentropy",
            "categorical_crossentropy",
        }:
            meta["baseline_loss"] = baseline
    elif labels.format == "continuous" and info.loss in {"mean_squared_error", "mean_absolute_error"}:
        targets = np.asarray(y, dtype=np.float64).reshape(len(y), -1)
        targets = targets[np.isfinite(targets).all(axis=1)]
        if len(targets):
            meta["task"] = "regression"
            spread = (
                targets.var(axis=0)
                if info.loss == "mean_squared_error"
                else np.abs(targets - np.median(targets, axis=0)).mean(axis=0)
            )
            baseline = float(spread.mean())
            if math.isfinite(baseline):
                meta["baseline_loss"] = baseline
    return {k: v for k, v in meta.items() if v is not None}
