"""A fix trial is judged against the noise of two seeds, never below a fixed floor."""

from __future__ import annotations

import pytest

from diagnosis.probes.fixes import (
    MIN_ACCURACY_GAIN,
    MIN_MSE_GAIN,
    NOISE_MULTIPLE,
    _improved,
    noise,
    threshold,
)


def test_the_gap_between_two_seeds_is_in_the_metrics_terms() -> None:
    assert noise({"accuracy": 0.70}, {"accuracy": 0.64}) == pytest.approx(0.06)
    assert noise({"mse": 2.0}, {"mse": 1.5}) == pytest.approx(0.25)
    assert noise({"accuracy": None}, {"accuracy": 0.5}) is None


def test_a_gain_inside_the_seed_noise_did_not_help() -> None:
    before = {"accuracy": 0.60}
    assert threshold(0.0, accuracy=True) == MIN_ACCURACY_GAIN
    assert threshold(0.05, accuracy=True) == pytest.approx(NOISE_MULTIPLE * 0.05)
    assert _improved(before, {"accuracy": 0.65}, gap=0.0)
    assert not _improved(before, {"accuracy": 0.65}, gap=0.05)  # 5 points, seeds differ by 5
    assert _improved(before, {"accuracy": 0.75}, gap=0.05)
    assert threshold(None, accuracy=False) == MIN_MSE_GAIN
    assert not _improved({"mse": 1.0}, {"mse": 0.8}, gap=0.15)  # 20 % against 2 x 15 %
    assert _improved({"mse": 1.0}, {"mse": 0.6}, gap=0.15)
