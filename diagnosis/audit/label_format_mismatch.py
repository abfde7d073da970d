"""label_format_mismatch: the labels are not what the model's loss and output layer expect.

Keras often accepts the wrong encoding without an error: integer labels broadcast against a
K-unit regression output, a categorical loss over one output unit is 0 whatever the model
does, labels 0..4 go into binary cross-entropy, and a label equal to the number of output
units makes the sparse loss NaN or silently wrong on some backends. Training then runs and
does not converge. Needs the model's loss; without it the check stays silent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from diagnosis.audit.arrays import as_rows, finite_mask, is_numeric
from diagnosis.audit.base import Check
from diagnosis.bundle import (
    BINARY_LOSSES,
    ONE_HOT_LOSSES,
    QUANTITY_LOSSES,
    SPARSE_LOSSES,
    BundleData,
    ModelInfo,
    distribution_rows,
    position_rows,
)
from diagnosis.models import Finding, Severity
from diagnosis.taxonomy import Code

# Hinge losses take -1/1 labels (Keras also converts 0/1 ones).
HINGE_LOSSES = frozenset({"hinge", "squared_hinge"})
# Up to this many distinct labels, a remapping to 0..K-1 is spelled out in the fix.
MAX_REMAP = 20
# Which side of the mismatch is at fault. The labels state the task: where they carry it
# in another encoding (one-hot for indices, 1..K for 0..K-1, -1/1 for 0/1) the labels are to
# change (LABELS); where they are a task the model was not built for (quantities under a
# cross-entropy, ten classes under one sigmoid unit) the loss or output layer is (MODEL), and
# the model audit's loss/output finding names the same fault from the model's side.
LABELS, MODEL = "labels", "model"


def _issue(
    problem: str, change: str, fix: dict[str, Any] | None = None, side: str = LABELS
) -> dict[str, Any]:
    return {"problem": problem, "change": change, "fix": fix or {}, "side": side}


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "."


def _integral(cols: np.ndarray) -> bool:
    return cols.dtype.kind in "biu" or bool((cols == np.round(cols)).all())


def _sparse(cols: np.ndarray, loss: str, units: int | None) -> list[dict[str, Any]]:
    if cols.shape[1] > 1:
        if distribution_rows(cols):
            return [
                _issue(
                    f"one-hot labels ({cols.shape[1]} columns) with {loss}, which expects one class index "
                    "per sample",
                    "use loss='categorical_crossentropy' (or pass y.argmax(axis=1) as labels)",
                    {"loss": "categorical_crossentropy"},
                )
            ]
        return [
            _issue(
                f"labels have {cols.shape[1]} columns; {loss} expects one class index per sample",
                "pass one integer class per sample",
            )
        ]
    values = cols[:, 0]
    if not _integral(values):
        example = float(values[values != np.round(values)][0])
        return [
            _issue(
                f"non-integer labels (e.g. {example:.4g}) with {loss}, which expects class indices",
                "pass integer class indices, or use a regression loss if the labels are quantities",
                side=MODEL,
            )
        ]
    issues = []
    low, high = int(values.min()), int(values.max())
    if low < 0:
        distinct = np.unique(values)
        remap = {int(old): i for i, old in enumerate(distinct)} if len(distinct) <= MAX_REMAP else None
        issues.append(
            _issue(
                f"negative labels (min {low}) with {loss}; class indices start at 0",
                "map the labels to 0..K-1" + (f" ({remap})" if remap else ""),
                {"remap_labels": remap} if remap else {},
            )
        )
    if units is not None and high >= units:
        # More distinct classes than units: the output is too small; fewer: the classes are
        # coded past the units (1..K, codes of 100) and a remapping fits them.
        too_few_units = len(np.unique(values)) > units
        issues.append(
            _issue(
                f"label {high} with {units} output units; class indices must be below {units}",
                f"give the output layer {high + 1} units (softmax), or fix the labels",
                {"output_units": high + 1},
                side=MODEL if too_few_units else LABELS,
            )
        )
    return issues


def _one_hot(cols: np.ndarray, loss: str, units: int | None) -> list[dict[str, Any]]:
    if cols.shape[1] == 1:
        if units == 1:
            return [
                _issue(
                    f"{loss} over a single output unit: a one-unit softmax is always 1, so the loss is 0 "
                    "whatever the model predicts",
                    "use one sigmoid unit with loss='binary_crossentropy'",
                    {"loss": "binary_crossentropy", "output_activation": "sigmoid"},
                    side=MODEL,
                )
            ]
        return [
            _issue(
                f"one integer label per sample with {loss}, which expects one-hot rows"
                + (f" of {units} columns" if units else ""),
                "use loss='sparse_categorical_crossentropy' (or one-hot encode y)",
                {"loss": "sparse_categorical_crossentropy"},
            )
        ]
    issues = []
    if units is not None and cols.shape[1] != units:
        issues.append(
            _issue(
                f"one-hot labels have {cols.shape[1]} columns but the model outputs {units}",
                f"give the output layer {cols.shape[1]} units",
                {"output_units": int(cols.shape[1])},
                side=MODEL,
            )
        )
    if not distribution_rows(cols):
        sums = cols.sum(axis=1)
        if ((cols == 0) | (cols == 1)).all():
            issues.append(
                _issue(
                    f"label rows hold several 1s (row sums {sums.min():.0f}..{sums.max():.0f}): multi-label "
                    f"targets, which {loss} cannot fit",
                    "use sigmoid outputs with loss='binary_crossentropy'",
                    {"loss": "binary_crossentropy", "output_activation": "sigmoid"},
                    side=MODEL,
                )
            )
        else:
            issues.append(
                _issue(
                    f"label rows sum to {sums.min():.4g}..{sums.max():.4g} with values {cols.min():.4g}.."
                    f"{cols.max():.4g}; {loss} expects one probability distribution per row",
                    "make each label row non-negative and sum to 1",
                    {"normalize_label_rows": True},
                )
            )
    return issues


def _binary(cols: np.ndarray, loss: str, units: int | None) -> list[dict[str, Any]]:
    issues = []
    width = cols.shape[1]
    if units is not None and width != units:
        if width > 1 and units == 1 and distribution_rows(cols):
            issues.append(
                _issue(
                    f"one-hot labels ({width} columns) for a single {loss} output",
                    "pass y.argmax(axis=1) as labels",
                    {"labels": "argmax"},
                )
            )
        elif width == 1:
            issues.append(
                _issue(
                    f"one label per sample but {units} output units: {loss} broadcasts it against every unit",
                    "give the output layer 1 unit (sigmoid)",
                    {"output_units": 1},
                    side=MODEL,
                )
            )
        else:
            issues.append(
                _issue(
                    f"labels have {width} columns but the model outputs {units}",
                    f"give the output layer {width} units (sigmoid)",
                    {"output_units": width},
                    side=MODEL,
                )
            )
    distinct = np.unique(cols)
    if loss in HINGE_LOSSES:
        if not (set(distinct.tolist()) <= {-1, 1} or set(distinct.tolist()) <= {0, 1}):
            issues.append(
                _issue(
                    f"labels {distinct[:5].tolist()} with {loss}, which expects -1/1",
                    "pass -1/1 labels",
                )
            )
        return issues
    if distinct.min() >= 0 and distinct.max() <= 1:
        return issues
    if set(distinct.tolist()) == {-1, 1}:
        issues.append(
            _issue(
                f"labels -1/1 with {loss}, which expects 0/1",
                "map -1 to 0",
                {"remap_labels": {-1: 0, 1: 1}},
            )
        )
    elif len(distinct) == 2 and distinct.min() == 0:
        # Two values, one of them 0: a yes/no label in another encoding (a 0/255 mask as an image
        # file stores it), not classes 0..255 nor a quantity. The labels are to change.
        top = distinct.max()
        issues.append(
            _issue(
                f"labels 0/{top:g} with {loss}, which expects 0/1",
                f"divide the labels by {top:g}",
                {"remap_labels": {0: 0, float(top): 1}},
            )
        )
    elif width == 1 and _integral(distinct) and distinct.min() >= 0:
        k = int(distinct.max()) + 1
        issues.append(
            _issue(
                f"labels 0..{k - 1} ({len(distinct)} classes) with {loss}, which expects 0/1",
                f"use a {k}-unit softmax output with loss='sparse_categorical_crossentropy'",
                {
                    "loss": "sparse_categorical_crossentropy",
                    "output_units": k,
                    "output_activation": "softmax",
                },
                side=MODEL,
            )
        )
    else:
        issues.append(
            _issue(
                f"labels range {distinct.min():.4g}..{distinct.max():.4g} with {loss}, which expects values "
                "in [0, 1]",
                "for quantities use a linear output with loss='mean_squared_error'",
                {"loss": "mean_squared_error", "output_activation": "linear"},
                side=MODEL,
            )
        )
    return issues


def _regression(cols: np.ndarray, loss: str, units: int | None) -> list[dict[str, Any]]:
    width = cols.shape[1]
    if units is None or width == units:
        return []
    if width == 1 and _integral(cols) and cols.min() >= 0 and cols.max() < units:
        return [
            _issue(
                f"integer class labels 0..{int(cols.max())} with {loss} and {units} outputs: the loss "
                f"broadcasts each label against all {units} outputs",
                "use a softmax output with loss='sparse_categorical_crossentropy'",
                {"loss": "sparse_categorical_crossentropy", "output_activation": "softmax"},
                side=MODEL,
            )
        ]
    return [
        _issue(
            f"targets have {width} columns but the model outputs {units}: {loss} broadcasts one against "
            "the other",
            f"give the output layer {width} units",
            {"output_units": width},
            side=MODEL,
        )
    ]


def per_position(y: np.ndarray, output_shape: tuple[int | None, ...] | None) -> np.ndarray:
    """Each output position's label as one row (so 0/1 masks are one 0/1 label per pixel
    against one sigmoid unit, not 144 label columns); other labels one row per sample."""
    rows = position_rows(y, output_shape)
    return rows if rows is not None else as_rows(y)


def label_issues(y: np.ndarray, model: ModelInfo) -> list[dict[str, Any]]:
    """What is wrong with labels y for the model's loss and output units (finite values only)."""
    loss = model.loss or ""
    if not is_numeric(y):
        return [
            _issue(
                f"labels are {y.dtype} values (e.g. {y.ravel()[:3].tolist()}); Keras needs numbers",
                "encode the classes as integers 0..K-1 (np.unique(y, return_inverse=True)[1])",
                {"encode_labels": "integer"},
            )
        ]
    cols = per_position(y[finite_mask(y)], model.output_shape)
    if len(cols) == 0:
        return []
    for losses, reader in (
        (SPARSE_LOSSES, _sparse),
        (ONE_HOT_LOSSES, _one_hot),
        (BINARY_LOSSES, _binary),
        (QUANTITY_LOSSES, _regression),
    ):
        if loss in losses:
            return reader(cols, loss, model.output_units)
    return []


@dataclass
class LabelFormatMismatch(Check):
    code = Code.label_format_mismatch
    trials = ((Code.label_format_mismatch, "swap_loss"),)

    def check(self, data: BundleData, model: ModelInfo | None) -> Finding | None:
        if model is None or model.loss is None:
            return None
        arrays = [name for name in ("y_train", "y_val") if getattr(data, name) is not None]
        issues = [
            {"array": name, **issue} for name in arrays for issue in label_issues(getattr(data, name), model)
        ]
        if not issues:
            return None
        fix: dict[str, Any] = {}
        for issue in issues:
            fix = issue["fix"] | fix  # the first issue's fix wins where two disagree
        first = issues[0]
        more = len({i["problem"] for i in issues}) - 1
        return self.finding(
            severity=Severity.error,
            score=0.95,
            summary=f"{first['array']}: {first['problem']}"
            + (f" (and {more} more problems)." if more else "."),
            evidence={
                "loss": model.loss,
                "output_units": model.output_units,
                "output_activation": model.output_activation,
                "label_shapes": {
                    name: list(y.shape)
                    for name in ("y_train", "y_val")
                    if (y := getattr(data, name)) is not None
                },
                "issues": [{k: v for k, v in i.items() if k != "fix"} for i in issues],
                # The model's side only when every issue is: one the labels must fix stays theirs.
                # So does a fault in one split's labels where the other split's fit the model
                # (training labels divided by 255, validation labels still class indices): the
                # model was built for the labels, one split's labels were changed.
                "fault_side": MODEL
                if all(i["side"] == MODEL for i in issues) and {i["array"] for i in issues} == set(arrays)
                else LABELS,
            },
            recommendation=_sentence("; ".join(dict.fromkeys(i["change"] for i in issues))),
            fix=fix,
        )
