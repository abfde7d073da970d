"""diagnosis.audit.unscaled_features: fires on a seeded data set with its problem, with the right
evidence and fix, and stays silent on a clean one."""

from __future__ import annotations

import numpy as np
import pytest

from diagnosis import Severity
from diagnosis.audit.unscaled_features import UnscaledFeatures
from diagnosis.bundle import BundleData, LayerInfo
from testkit.factories import model_info
from tests.diagnosis.audit.samples import blobs


def test_unscaled_features_names_the_worst_columns() -> None:
    x, y = blobs(800, d=6)
    x = x.astype(np.float64)
    x[:, 2] = x[:, 2] * 9 + 2005  # a year
    x[:, 4] *= 1e4  # an amount in cents
    finding = UnscaledFeatures().check(BundleData(x, y), None)
    assert finding is not None
    assert finding.severity is Severity.warning
    assert finding.evidence["features_off_scale"] == 2
    assert [c["feature"] for c in finding.evidence["worst_features"]] == [4, 2]
    assert finding.evidence["worst_features"][1]["mean"] == pytest.approx(2005, abs=1)
    assert finding.fix == {"standardize_inputs": True}


def test_raw_pixels_are_divided_by_255() -> None:
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(200, 8, 8, 1), dtype=np.uint8)
    finding = UnscaledFeatures().check(BundleData(images, np.arange(200) % 2), None)
    assert finding is not None
    assert finding.evidence["pixel_values"] is True
    assert finding.fix == {"rescale": pytest.approx(1 / 255)}
    assert "Rescaling(1/255)" in finding.recommendation


def test_scales_spanning_orders_of_magnitude_are_flagged() -> None:
    x, y = blobs(500, d=4)
    x = x.astype(np.float64) * np.array([0.02, 1.0, 1.0, 5.0])  # each in range, 250x apart
    finding = UnscaledFeatures().check(BundleData(x, y), None)
    assert finding is not None
    assert finding.evidence["features_off_scale"] == 0
    assert finding.evidence["std_spread"] == pytest.approx(250, rel=0.01)


def test_standardized_and_indicator_features_are_silent() -> None:
    x, y = blobs(2000, d=5)
    rare = (np.arange(2000) == 7).astype(np.float32)[:, None]  # a one-hot column seen once
    minmax = np.random.default_rng(0).random((2000, 1))
    assert UnscaledFeatures().check(BundleData(np.hstack([x, rare, minmax]), y), None) is None


def test_token_ids_for_an_embedding_are_not_features() -> None:
    tokens = np.random.default_rng(0).integers(0, 20_000, size=(300, 50))
    embedded = model_info(
        "binary_crossentropy", 1, params=10**6, layers=[LayerInfo(name="embed", kind="Embedding")]
    )
    assert UnscaledFeatures().check(BundleData(tokens, np.arange(300) % 2), embedded) is None
    assert UnscaledFeatures().check(BundleData(tokens, np.arange(300) % 2), None) is not None


# unscaled_features reads a sparse column's scale two ways (its std and the size of its
# departures from its common value) and flags it only when both are off scale.


def _images(n: int = 1500, seed: int = 0) -> np.ndarray:
    """[0, 1] pixels, dense in the middle, a border pixel that is lit in 3 images only."""
    rng = np.random.default_rng(seed)
    x = rng.random((n, 16)).astype(np.float32)
    x[:, 0] = 0.0
    x[:3, 0] = 0.0625
    return x


def test_a_rarely_lit_pixel_of_a_scaled_image_is_silent() -> None:
    x = _images()
    assert UnscaledFeatures().check(BundleData(x, np.arange(len(x)) % 2), None) is None


def test_the_same_pixel_standardized_is_silent_too() -> None:
    x = _images()
    x = (x - x.mean(axis=0)) / x.std(axis=0)  # the rare pixel's 3 values become ~22 std away
    assert UnscaledFeatures().check(BundleData(x, np.arange(len(x)) % 2), None) is None


def test_a_sparse_column_off_scale_both_ways_is_still_flagged() -> None:
    x = _images()
    x[:3, 0] = 1e-4  # rare and tiny: std ~4e-6, departures 1e-4
    finding = UnscaledFeatures().check(BundleData(x, np.arange(len(x)) % 2), None)
    assert finding is not None
    assert finding.evidence["worst_features"][0]["feature"] == 0
