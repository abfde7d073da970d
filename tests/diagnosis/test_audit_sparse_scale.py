"""unscaled_features reads a sparse column's scale two ways (its std and the size of its
departures from its common value) and flags it only when both are off scale."""

from __future__ import annotations

import numpy as np

from diagnosis.audit.unscaled_features import UnscaledFeatures
from diagnosis.bundle import BundleData


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
