"""diagnosis.audit.label_format_mismatch: fires on a seeded data set with its problem, with the right
evidence and fix, and stays silent on a clean one."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from diagnosis import Severity
from diagnosis.audit.label_format_mismatch import LabelFormatMismatch
from diagnosis.bundle import BundleData
from testkit.factories import model_info

ONE_HOT_3 = np.eye(3)[np.arange(90) % 3]
INTEGERS_3 = np.arange(90) % 3


@pytest.mark.parametrize(
    ("y", "loss", "units", "fix"),
    [
        (ONE_HOT_3, "sparse_categorical_crossentropy", 3, {"loss": "categorical_crossentropy"}),
        (INTEGERS_3, "categorical_crossentropy", 3, {"loss": "sparse_categorical_crossentropy"}),
        (INTEGERS_3 + 1, "sparse_categorical_crossentropy", 3, {"output_units": 4}),
        (INTEGERS_3 - 1, "sparse_categorical_crossentropy", 3, {"remap_labels": {-1: 0, 0: 1, 1: 2}}),
        (
            INTEGERS_3,
            "binary_crossentropy",
            1,
            {"loss": "sparse_categorical_crossentropy", "output_units": 3, "output_activation": "softmax"},
        ),
        (np.where(INTEGERS_3 > 0, 1, -1), "binary_crossentropy", 1, {"remap_labels": {-1: 0, 1: 1}}),
        (np.eye(2)[INTEGERS_3 % 2], "binary_crossentropy", 1, {"labels": "argmax"}),
        (
            INTEGERS_3 % 2,
            "categorical_crossentropy",
            1,
            {"loss": "binary_crossentropy", "output_activation": "sigmoid"},
        ),
        (
            (np.arange(90)[:, None] % 2 == np.arange(3)[None] % 2).astype(float),
            "categorical_crossentropy",
            3,
            {"loss": "binary_crossentropy", "output_activation": "sigmoid"},
        ),
        (
            INTEGERS_3,
            "mean_squared_error",
            3,
            {"loss": "sparse_categorical_crossentropy", "output_activation": "softmax"},
        ),
        (
            np.array(["cat", "dog", "eel"] * 30),
            "sparse_categorical_crossentropy",
            3,
            {"encode_labels": "integer"},
        ),
    ],
)
def test_label_format_mismatches_are_errors_with_a_fix(
    y: np.ndarray, loss: str, units: int, fix: dict
) -> None:
    finding = LabelFormatMismatch().check(BundleData(np.zeros((90, 2)), y), model_info(loss, units))
    assert finding is not None
    assert finding.severity is Severity.error
    assert finding.fix == fix
    assert finding.evidence["issues"][0]["array"] == "y_train"


@pytest.mark.parametrize(
    ("y", "loss", "units"),
    [
        (INTEGERS_3, "sparse_categorical_crossentropy", 3),
        (ONE_HOT_3, "categorical_crossentropy", 3),
        (INTEGERS_3 % 2, "binary_crossentropy", 1),
        (np.where(INTEGERS_3 > 0, 1, -1), "hinge", 1),
        (np.linspace(-5, 5, 90), "mean_squared_error", 1),
        (np.linspace(0, 1, 90), "binary_crossentropy", 1),
    ],
)
def test_matching_labels_are_silent(y: np.ndarray, loss: str, units: int) -> None:
    assert LabelFormatMismatch().check(BundleData(np.zeros((90, 2)), y), model_info(loss, units)) is None


def test_validation_labels_are_checked_too_and_no_model_means_no_check() -> None:
    data = BundleData(np.zeros((90, 2)), INTEGERS_3, np.zeros((90, 2)), ONE_HOT_3)
    finding = LabelFormatMismatch().check(data, model_info())
    assert finding is not None
    assert [i["array"] for i in finding.evidence["issues"]] == ["y_val"]
    assert LabelFormatMismatch().check(data, None) is None


MASKS = (np.arange(90 * 144).reshape(90, 12, 12, 1) % 7 == 0).astype(np.float32)


def test_per_pixel_labels_are_read_per_position() -> None:
    """A per-pixel output (12x12x1, one sigmoid unit) takes one 0/1 label per pixel: 0/1 masks
    are clean, 0/255 masks are a yes/no label to divide by 255 (the labels' fault), and the same
    144 values against a one-unit output with no positions are still 144 label columns."""
    per_pixel = replace(model_info("binary_crossentropy", 1), output_shape=(12, 12, 1))
    images = np.zeros((90, 12, 12, 1))
    assert LabelFormatMismatch().check(BundleData(images, MASKS), per_pixel) is None
    wrong = LabelFormatMismatch().check(BundleData(images, MASKS * 255), per_pixel)
    assert wrong is not None
    assert wrong.fix == {"remap_labels": {0: 0, 255.0: 1}}
    assert wrong.evidence["fault_side"] == "labels"
    flat = replace(model_info("binary_crossentropy", 1), output_shape=(1,))
    columns = LabelFormatMismatch().check(BundleData(np.zeros((90, 2)), MASKS.reshape(90, 144)), flat)
    assert columns is not None
    assert "144 columns" in columns.summary


def test_labels_off_in_one_split_only_are_the_labels_fault() -> None:
    """Non-integer labels under a sparse loss are a task the model was not built for (quantities),
    unless the other split's labels are the class indices the model expects: then one split's
    labels were changed (divided by 255), and the labels are at fault."""
    sparse = model_info("sparse_categorical_crossentropy", 3)
    x = np.zeros((90, 2))
    both = LabelFormatMismatch().check(BundleData(x, INTEGERS_3 / 255, x, INTEGERS_3 / 255), sparse)
    assert both is not None
    assert both.evidence["fault_side"] == "model"
    one = LabelFormatMismatch().check(BundleData(x, INTEGERS_3 / 255, x, INTEGERS_3), sparse)
    assert one is not None
    assert one.evidence["fault_side"] == "labels"
