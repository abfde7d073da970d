"""diagnosis.audit.train_val_shift: fires on a seeded data set with its problem, with the right
evidence and fix, and stays silent on a clean one."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from diagnosis import Severity
from diagnosis.audit.train_val_shift import TrainValShift, ks_statistics
from diagnosis.bundle import BundleData
from tests.diagnosis.audit.samples import blobs, split


def test_shifted_features_are_named() -> None:
    x, y = blobs(2500, d=10)
    x_val = x[2000:].copy()
    x_val[:, [1, 6, 8]] += 1.5  # three of ten features move by 1.5 standard deviations
    finding = TrainValShift().check(BundleData(x[:2000], y[:2000], x_val, y[2000:]), None)
    assert finding is not None
    assert finding.severity is Severity.warning
    assert finding.evidence["features_shifted"] == 3
    assert {f["feature"] for f in finding.evidence["worst_features"]} == {1, 6, 8}
    assert finding.fix == {"shuffle_before_split": True, "stratify": True}


def test_a_spread_only_shift_is_named_by_the_scale_ratio() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2000, 12))
    y = (x[:, 0] > 0).astype(np.int64)
    x_val = rng.normal(size=(400, 12))
    x_val[:, :6] *= 3.0  # centred features recalibrated: same mean, three times the spread
    finding = TrainValShift().check(BundleData(x, y, x_val, (x_val[:, 0] > 0).astype(np.int64)), None)
    assert finding is not None
    assert finding.severity is Severity.warning
    assert finding.evidence["features_shifted"] == 6
    worst = finding.evidence["worst_features"]
    assert all(abs(f["smd"]) < 0.5 and f["scale_ratio"] > 2 for f in worst)


def test_a_split_sorted_by_label_shifts_the_labels() -> None:
    x, y = blobs(2000, k=2, separation=0.5)
    order = np.argsort(y, kind="stable")
    x, y = x[order], y[order]  # validation_split on sorted data: the last 20% is one class
    finding = TrainValShift().check(split(x, y), None)
    assert finding is not None
    assert finding.severity is Severity.warning
    assert finding.evidence["labels"]["shifted"] is True
    assert finding.evidence["labels"]["val_shares"] == {0: 0.0, 1: 1.0}


def test_classes_unseen_in_training_are_reported() -> None:
    x, y = blobs(1000)
    y_val = y[800:].copy()
    y_val[:5] = 9
    finding = TrainValShift().check(BundleData(x[:800], y[:800], x[800:], y_val), None)
    assert finding is not None
    assert finding.evidence["labels"]["val_classes_unseen_in_train"] == [9]


def test_feature_count_mismatch_is_an_error() -> None:
    x, y = blobs(300)
    finding = TrainValShift().check(BundleData(x, y, x[:, :5], y), None)
    assert finding is not None
    assert finding.severity is Severity.error


def test_a_random_split_does_not_shift() -> None:
    x, y = blobs(1200, d=30)
    assert TrainValShift().check(split(x, y), None) is None


def test_a_small_random_split_does_not_shift_either() -> None:
    x, y = blobs(1030, d=50)
    assert TrainValShift().check(BundleData(x[:1000], y[:1000], x[1000:], y[1000:]), None) is None


def test_float32_columns_stuck_at_one_value_do_not_shift() -> None:
    # Summed in float32 a constant column's mean and variance differ in the last bits between
    # splits of different sizes, which read as an SMD of 1-2 before the sums were float64.
    x, y = blobs(2000, d=8)
    x = x.astype(np.float32)
    x[:, [2, 5]] = np.float32(0.1), np.float32(1234.567)
    assert TrainValShift().check(BundleData(x[:1500], y[:1500], x[1500:], y[1500:]), None) is None
    # A column stuck at one value in training and another in validation has moved.
    x_val = x[1500:].copy()
    x_val[:, 2] = np.float32(0.2)
    finding = TrainValShift().check(BundleData(x[:1500], y[:1500], x_val, y[1500:]), None)
    assert finding is not None
    assert [f["feature"] for f in finding.evidence["worst_features"]] == [2]


def _brute_force_ks(a: np.ndarray, b: np.ndarray) -> float:
    points = np.concatenate([a, b])
    return float(
        max(abs(np.mean(a <= p) - np.mean(b <= p)) for p in points)  # sup over all sample points
    )


@settings(max_examples=60, deadline=None)
@given(
    a=hnp.arrays(np.float64, st.integers(1, 30), elements=st.integers(-3, 3).map(float)),
    b=hnp.arrays(np.float64, st.integers(1, 30), elements=st.floats(-3, 3, width=16)),
)
def test_ks_statistic_matches_its_definition(a: np.ndarray, b: np.ndarray) -> None:
    statistic = ks_statistics(a[:, None], b[:, None])
    assert statistic[0] == pytest.approx(_brute_force_ks(a, b), abs=1e-12)


def test_oversampled_training_rows_are_compared_by_their_distinct_rows() -> None:
    """Training oversampled to 1:1 against a validation split at the data's own 9:1: the copies
    changed what the model is fitted to, not where the rows come from: neither the labels nor
    the features the classes move (x carries 2 * y) have shifted."""
    rng = np.random.default_rng(4)
    y = (np.arange(1250) >= 1125).astype(np.int64)
    rng.shuffle(y)
    x = (rng.normal(size=(1250, 5)) + 2 * y[:, None]).astype(np.float32)
    x_train, y_train, x_val, y_val = x[:1000], y[:1000], x[1000:], y[1000:]
    plain = TrainValShift().check(BundleData(x_train, y_train, x_val, y_val), None)
    assert plain is None
    minority = np.flatnonzero(y_train == 1)
    extra = rng.choice(minority, int((y_train == 0).sum()) - len(minority))
    balanced = BundleData(np.r_[x_train, x_train[extra]], np.r_[y_train, y_train[extra]], x_val, y_val)
    assert TrainValShift().check(balanced, None) is None
    # The same copies of a validation split moved off the training rows are still a shift.
    moved = BundleData(balanced.x_train, balanced.y_train, x_val + 1.5, y_val)
    finding = TrainValShift().check(moved, None)
    assert finding is not None
    assert finding.evidence["train_rows"] == "distinct (oversampled)"
    assert finding.evidence["features_shifted"] == 5
