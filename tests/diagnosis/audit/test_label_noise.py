"""diagnosis.audit.label_noise: fires on a seeded data set with its problem, with the right
evidence and fix, and stays silent on a clean one."""

from __future__ import annotations

import numpy as np
import pytest

from diagnosis import Severity
from diagnosis.audit.label_noise import MIN_KAPPA, LabelNoise, out_of_fold_probabilities
from diagnosis.bundle import BundleData
from tests.diagnosis.audit.samples import blobs, flip


@pytest.mark.parametrize("k", [2, 4])
def test_label_noise_estimate_is_near_the_injected_rate(k: int) -> None:
    x, y = blobs(3000, k=k, seed=k)
    noisy = flip(y, 0.3, k)
    finding = LabelNoise().check(BundleData(x, noisy), None)
    assert finding is not None
    assert finding.severity is Severity.warning
    assert 0.15 <= finding.evidence["estimated_noise_rate"] <= 0.45
    assert finding.evidence["samples_used"] == 2000
    assert finding.evidence["subsampled"] is True
    flagged = finding.fix["review_indices"]
    assert np.mean(noisy[flagged] != y[flagged]) > 0.8  # the listed samples are mostly the flipped ones


def test_clean_labels_are_silent() -> None:
    x, y = blobs(2000, k=3)
    assert LabelNoise().check(BundleData(x, y), None) is None


def test_noise_is_not_estimated_when_features_do_not_predict_labels() -> None:
    x, _ = blobs(1000)
    random_labels = np.random.default_rng(7).integers(0, 2, 1000)
    finding = LabelNoise().check(BundleData(x, random_labels), None)
    assert finding is not None
    assert finding.severity is Severity.info
    assert finding.evidence["estimated_noise_rate"] is None
    assert finding.evidence["knn_kappa"] < 0.2


# label_noise's out-of-sample models: the k-fold softmax regression next to the kNN vote.


def _linear_labels_among_noise_features(
    seed: int, n: int = 2000, features: int = 20
) -> tuple[np.ndarray, ...]:
    """Binary labels decided by 2 of 20 features: the other 18 dilute every neighbour distance."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, features)).astype(np.float32)
    y = (x[:, 0] + x[:, 1] > 0).astype(np.int64)
    noisy = y.copy()
    flipped = rng.choice(n, int(0.3 * n), replace=False)
    noisy[flipped] = 1 - noisy[flipped]
    return x, y, noisy


def test_noise_the_neighbour_vote_cannot_see_is_estimated_by_the_linear_model() -> None:
    x, y, noisy = _linear_labels_among_noise_features(seed=1)
    finding = LabelNoise().check(BundleData(x, noisy), None)
    assert finding is not None
    assert finding.evidence["knn_kappa"] < MIN_KAPPA  # the vote alone would give up
    assert finding.evidence["model"].startswith("softmax regression")
    assert finding.severity is Severity.warning
    assert 0.2 <= finding.evidence["estimated_noise_rate"] <= 0.4
    flagged = finding.fix["review_indices"]
    assert np.mean(noisy[flagged] != y[flagged]) > 0.8


def test_clean_linear_labels_among_noise_features_are_silent() -> None:
    x, y, _ = _linear_labels_among_noise_features(seed=2)
    assert LabelNoise().check(BundleData(x, y), None) is None


def test_out_of_fold_probabilities_are_out_of_sample() -> None:
    """Labels that are pure noise: a model that saw a sample's label would lean towards it."""
    rng = np.random.default_rng(3)
    points = rng.normal(size=(600, 40)).astype(np.float32)
    codes = rng.integers(0, 3, 600)
    probabilities = out_of_fold_probabilities(points, codes, 3)
    assert probabilities.shape == (600, 3)
    assert np.allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    agreement = float(np.mean(probabilities.argmax(axis=1) == codes))
    assert agreement < 0.42  # chance is 1/3; in-sample, 40 features would fit far above it
