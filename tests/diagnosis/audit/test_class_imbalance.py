"""diagnosis.audit.class_imbalance: fires on a seeded data set with its problem, with the right
evidence and fix, and stays silent on a clean one."""

from __future__ import annotations

import numpy as np
import pytest

from diagnosis import Severity
from diagnosis.audit.class_imbalance import ClassImbalance
from diagnosis.bundle import BundleData
from tests.diagnosis.audit.samples import blobs, regression


def test_class_imbalance_gives_balanced_weights() -> None:
    x, _ = blobs(1000)
    y = (np.arange(1000) >= 950).astype(int)  # 950 of class 0, 50 of class 1
    finding = ClassImbalance().check(BundleData(x, y), None)
    assert finding is not None
    assert finding.severity is Severity.warning
    assert finding.evidence["imbalance_ratio"] == 19.0
    assert finding.evidence["minority_share"] == 0.05
    assert finding.fix["class_weight"] == {0: pytest.approx(1000 / (2 * 950), 1e-3), 1: 10.0}
    assert "class_weight={0: 0.5263, 1: 10.0}" in finding.recommendation


def test_class_imbalance_reads_one_hot_labels() -> None:
    y = np.eye(3)[np.r_[np.zeros(800, int), np.ones(150, int), np.full(50, 2)]]
    finding = ClassImbalance().check(BundleData(np.zeros((1000, 2)), y), None)
    assert finding is not None
    assert finding.evidence["class_counts"] == {0: 800, 1: 150, 2: 50}
    assert finding.evidence["imbalance_ratio"] == 16.0


def test_moderate_imbalance_is_info_and_balanced_is_silent() -> None:
    x, _ = blobs(500)
    moderate = ClassImbalance().check(BundleData(x, (np.arange(500) % 5 == 0).astype(int)), None)
    assert moderate is not None
    assert moderate.severity is Severity.info
    assert ClassImbalance().check(BundleData(x, np.arange(500) % 2), None) is None


def test_a_single_class_is_an_error() -> None:
    finding = ClassImbalance().check(BundleData(np.zeros((50, 2)), np.ones(50)), None)
    assert finding is not None
    assert finding.severity is Severity.error


def test_regression_targets_are_not_classes() -> None:
    x, t = regression(300)
    assert ClassImbalance().check(BundleData(x, np.exp(3 * t)), None) is None
