"""A fix trial is judged against the noise of two seeds, never below a fixed floor."""

from __future__ import annotations

import pytest

from diagnosis.probes.fixes import (
    BALANCED_METRIC,
    MIN_ACCURACY_GAIN,
    MIN_MSE_GAIN,
    NOISE_MULTIPLE,
    _improved,
    _reference,
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


def test_a_trial_judged_on_balanced_accuracy_reads_that_score_and_its_noise() -> None:
    """Class weights on 600:1 classes lower accuracy and lift the minority's recall: judged on
    balanced accuracy (its seeds' gap too), the trial helped; on accuracy it would not."""
    before = {"accuracy": 0.998, "balanced_accuracy": 0.5}
    after = {"accuracy": 0.97, "balanced_accuracy": 0.9}
    seeds = ({"accuracy": 0.998, "balanced_accuracy": 0.5}, {"accuracy": 0.997, "balanced_accuracy": 0.55})
    assert noise(*seeds, BALANCED_METRIC) == pytest.approx(0.05)
    assert noise(*seeds) == pytest.approx(0.001)
    assert _improved(before, after, gap=0.05, metric=BALANCED_METRIC)
    assert not _improved(before, after, gap=0.001)
    # A score without the metric (a regression's MSE) is judged on what it has.
    assert _improved({"mse": 1.0}, {"mse": 0.5}, gap=None, metric=BALANCED_METRIC)


def test_a_gain_is_counted_from_the_worse_of_the_two_seeds() -> None:
    """Which seed the baseline drew does not decide a trial: counted from the worse seed by twice
    the gap (beating the better one by the gap), 0.79 -> 1.00 with the other seed at 0.65 helped;
    from the baseline alone it needed 1.065. The MSE's worse seed is the larger one."""
    seeds = {"scores": [{"accuracy": 0.7875}, {"accuracy": 0.65}]}
    reference = _reference(seeds, {"accuracy": 0.7875}, "accuracy")
    assert reference == {"accuracy": 0.65}
    gap = noise(*seeds["scores"], "accuracy")
    assert _improved(reference, {"accuracy": 1.0}, gap, "accuracy")
    assert not _improved({"accuracy": 0.7875}, {"accuracy": 1.0}, gap, "accuracy")
    assert not _improved(reference, {"accuracy": 0.9}, gap, "accuracy")  # not past the better seed by the gap
    mse = {"scores": [{"mse": 1.0}, {"mse": 1.2}]}
    assert _reference(mse, {"mse": 1.0}, "mse") == {"mse": 1.2}
    assert _reference({"seeds": [0]}, {"mse": 1.0}, "mse") == {"mse": 1.0}  # one seed: the baseline
