"""diagnosis.audit.conflicting_labels: fires on a seeded data set with its problem, with the right
evidence and fix, and stays silent on a clean one."""

from __future__ import annotations

import numpy as np

from diagnosis import Severity
from diagnosis.audit.conflicting_labels import CHANCE_PAIRS, CHANCE_WARNING_ERROR, ConflictingLabels
from diagnosis.bundle import BundleData
from tests.diagnosis.audit.samples import blobs


def test_copies_with_other_labels_are_conflicts() -> None:
    x, y = blobs(1000)
    x[900:], y[900:] = x[:100], (y[:100] + 1) % 3  # 100 conflicting pairs: 20% of samples
    finding = ConflictingLabels().check(BundleData(x, y), None)
    assert finding is not None
    assert finding.severity is Severity.error
    assert finding.evidence["conflicting_groups"] == 100
    assert finding.evidence["conflicting_samples"] == 200
    assert finding.evidence["unavoidable_error"] == 0.1
    assert len(finding.fix["drop_indices"]) == 100


def test_a_few_conflicts_keep_the_majority_and_warn_once_a_score_can_show_them() -> None:
    """One group of three copies caps training accuracy at 99.9 %: a cost no accuracy over 1000
    rows (noise 1.6 %) can show, so info. Twenty conflicting pairs cap it at 98 %: a warning."""
    x, y = blobs(1000)
    x[[10, 11]] = x[5]
    y[[5, 10, 11]] = [0, 0, 2]
    finding = ConflictingLabels().check(BundleData(x, y), None)
    assert finding is not None
    assert finding.severity is Severity.info
    assert "sampling noise" in finding.summary
    assert finding.fix == {"drop_indices": [11]}
    assert finding.evidence["examples"] == [{"samples": [5, 10, 11], "labels": [0, 2]}]
    x, y = blobs(1000)
    x[900:920], y[900:920] = x[:20], (y[:20] + 1) % 3
    finding = ConflictingLabels().check(BundleData(x, y), None)
    assert finding is not None
    assert finding.severity is Severity.warning
    assert finding.evidence["unavoidable_error"] == 0.02
    # The same twenty against a 30-row validation split (noise 9 %) are info.
    data = BundleData(x, y, x[:30], y[:30])
    finding = ConflictingLabels().check(data, None)
    assert finding is not None
    assert finding.severity is Severity.info


def test_conflicts_on_few_categorical_values_are_info() -> None:
    rng = np.random.default_rng(0)
    x = rng.integers(0, 2, size=(500, 3)).astype(np.float32)
    y = np.where(rng.random(500) < 0.1, 1 - x[:, 0], x[:, 0]).astype(np.int64)  # 10 % noise
    finding = ConflictingLabels().check(BundleData(x, y), None)
    assert finding is not None
    assert finding.severity is Severity.info
    assert finding.evidence["unavoidable_error"] < CHANCE_WARNING_ERROR


def test_chance_overlap_that_caps_accuracy_below_80_percent_is_a_warning() -> None:
    rng = np.random.default_rng(0)
    # Categorical inputs that say nothing about the label: half the samples must be wrong.
    x = rng.integers(0, 2, size=(500, 3)).astype(np.float32)
    finding = ConflictingLabels().check(BundleData(x, rng.integers(0, 2, 500)), None)
    assert finding is not None
    assert finding.severity is Severity.warning
    # 30 % of two continuous features copied with the other class: the copies themselves
    # make the chance estimate call the overlap expected, and the ceiling is 77 %.
    x = rng.normal(size=(1500, 2)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int64)
    copies = rng.choice(1500, 450, replace=False)
    x, y = np.concatenate([x, x[copies]]), np.concatenate([y, 1 - y[copies]])
    finding = ConflictingLabels().check(BundleData(x, y), None)
    assert finding is not None
    assert finding.evidence["chance_identical_pairs"] >= CHANCE_PAIRS
    assert finding.severity is Severity.warning


def test_consistent_copies_are_silent() -> None:
    x, y = blobs(500)
    x[400:], y[400:] = x[:100], y[:100]
    assert ConflictingLabels().check(BundleData(x, y), None) is None
