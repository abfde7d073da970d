"""diagnosis.audit.duplicate_samples: fires on a seeded data set with its problem, with the right
evidence and fix, and stays silent on a clean one."""

from __future__ import annotations

import numpy as np
import pytest

from diagnosis import Severity
from diagnosis.audit.duplicate_samples import DuplicateSamples
from diagnosis.bundle import BundleData
from tests.diagnosis.audit.samples import blobs, split


def test_duplicates_within_training_are_counted() -> None:
    x, y = blobs(1000)
    x[800:] = x[:200]  # 200 copies: 20%
    finding = DuplicateSamples().check(BundleData(x, y), None)
    assert finding is not None
    assert finding.severity is Severity.warning
    assert finding.evidence["train_copies"] == 200
    assert finding.evidence["first_copies"][:3] == [800, 801, 802]
    assert finding.fix == {"drop_duplicates": True}


def test_validation_rows_seen_in_training_are_leakage() -> None:
    x, y = blobs(1000)
    x_val, y_val = x[800:].copy(), y[800:]
    leaked = np.arange(0, 200, 10)  # 20 of 200: 10 %, above the score's noise of 3.5 %
    x_val[leaked] = x[:20]
    finding = DuplicateSamples().check(BundleData(x[:800], y[:800], x_val, y_val), None)
    assert finding is not None
    assert finding.severity is Severity.warning
    assert finding.evidence["val_in_train"] == 20
    assert finding.evidence["val_score_noise"] == 0.03536
    assert finding.fix == {"drop_val_indices": [int(i) for i in leaked]}


@pytest.mark.parametrize(
    ("n_val", "leaked", "severity"), [(30, 1, "info"), (30, 6, "warning"), (200, 3, "info")]
)
def test_a_leak_within_the_validation_scores_sampling_noise_is_info(
    n_val: int, leaked: int, severity: str
) -> None:
    """One repeated flower among 30 validation irises can lift the accuracy by 3.3 %, under its
    standard error of up to 0.5/sqrt(30) = 9.1 %; six (20 %) cannot hide in that noise."""
    x, y = blobs(120 + n_val)
    x_val, y_val = x[120:].copy(), y[120:]
    x_val[:leaked] = x[:leaked]
    finding = DuplicateSamples().check(BundleData(x[:120], y[:120], x_val, y_val), None)
    assert finding is not None
    assert finding.severity is Severity(severity)
    assert finding.evidence["val_in_train"] == leaked
    assert finding.fix == {"drop_val_indices": list(range(leaked))}
    if severity == "info":
        assert "within its sampling noise" in finding.summary


def test_repeats_of_few_categorical_values_are_only_info() -> None:
    rng = np.random.default_rng(0)
    x = rng.integers(0, 3, size=(1000, 3)).astype(np.float32)  # 27 possible rows
    finding = DuplicateSamples().check(BundleData(x, np.arange(1000) % 2), None)
    assert finding is not None
    assert finding.severity is Severity.info
    assert finding.evidence["chance_identical_pairs_train"] > 1


def test_a_few_copies_are_info_and_none_is_silent() -> None:
    x, y = blobs(1000)
    assert DuplicateSamples().check(split(x, y), None) is None
    x[999] = x[0]
    finding = DuplicateSamples().check(BundleData(x, y), None)
    assert finding is not None
    assert finding.severity is Severity.info
    assert finding.evidence["first_copies"] == [999]


def _imbalanced(n: int = 1000, minority: int = 100) -> tuple[np.ndarray, np.ndarray]:
    """Two gaussian classes, the second `minority` of n rows (9:1 by default)."""
    rng = np.random.default_rng(4)
    y = (np.arange(n) >= n - minority).astype(np.int64)
    return (rng.normal(size=(n, 5)) + 2 * y[:, None]).astype(np.float32), y


def test_copies_that_even_out_the_classes_are_oversampling_not_a_fault() -> None:
    """The minority's rows drawn again up to the majority's count (9:1 -> 1:1) are the cure for
    imbalance: info, with the ratios. As many copies drawn at random keep the 9:1 and warn."""
    x, y = _imbalanced()
    rng = np.random.default_rng(5)
    extra = rng.choice(np.flatnonzero(y == 1), 800)
    finding = DuplicateSamples().check(BundleData(np.r_[x, x[extra]], np.r_[y, y[extra]]), None)
    assert finding is not None
    assert finding.severity is Severity.info
    assert finding.evidence["oversampling"] == {"distinct_rows_class_ratio": 9.0, "class_ratio": 1.0}
    random = rng.choice(len(x), 800)
    finding = DuplicateSamples().check(BundleData(np.r_[x, x[random]], np.r_[y, y[random]]), None)
    assert finding is not None
    assert finding.severity is Severity.warning
    assert "oversampling" not in finding.evidence
