"""The training probes (diagnosis/probes/training.py): a loss still falling is slow memorization
and a flat one is stuck, the probes get only the finite rows, multi-hot outputs are scored per
tag, and dead units in the saved weights are told apart from a fresh draw's."""

from __future__ import annotations

import numpy as np
import pytest

from diagnosis.bundle import ModelInfo, label_info
from diagnosis.models import Severity
from diagnosis.probes.training import (
    OVERFIT_STEPS,
    STALL_GAIN,
    FreshStart,
    Memorization,
    Prepared,
    ProbeResults,
    saved_weights,
    task_score,
)
from testkit.factories import network


def test_multi_hot_scores_each_tag() -> None:
    class Echo:  # a "model" that predicts the labels, wrong on one tag of one row
        def __call__(self, x: np.ndarray, training: bool = False) -> np.ndarray:
            return x

    y = np.array([[1, 0, 1], [0, 1, 1]], dtype=np.float32)
    guess = y.copy()
    guess[0, 0] = 0.2
    assert task_score(Echo(), guess, y, label_info(y)) == {"accuracy": pytest.approx(5 / 6, abs=1e-4)}


def test_a_loss_still_falling_a_few_percent_is_not_stuck() -> None:
    steps = np.arange(OVERFIT_STEPS, dtype=np.float64)
    # A slow learner: 1.12 -> 0.96, about 5 % over the last 50 steps, like the 1-D CNN.
    slow = Memorization(list(1.12 * np.exp(-steps / 1000)))
    # A wiring fault: the loss has levelled off to within a fraction of a percent.
    stuck = Memorization(list(0.68 + 0.2 * np.exp(-steps / 10)))
    assert not slow.memorized
    assert slow.still_falling
    assert slow.late_gain is not None
    assert slow.late_gain < 0.1  # the old 10 % rule called it stuck
    assert not stuck.memorized
    assert not stuck.still_falling
    assert stuck.late_gain is not None
    assert stuck.late_gain < STALL_GAIN


def _dense(bias: float) -> tuple[object, ModelInfo, Prepared]:
    import keras

    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.layers.Input((6,)),
            keras.layers.Dense(16, activation="relu"),
            keras.layers.Dense(16, activation="relu", name="last_hidden"),
            keras.layers.Dense(1),
        ]
    )
    layer = model.get_layer("last_hidden")
    kernel, b = layer.get_weights()
    layer.set_weights([kernel, np.full_like(b, bias)])
    model.compile(optimizer="adam", loss="mse")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 6)).astype(np.float32)
    y = x.sum(axis=1).astype(np.float32)
    info = network("mean_squared_error", 1, hidden=(16,), params=200)
    return model, info, Prepared(x, y, x[:50], y[:50])


def test_dead_units_in_the_saved_weights_are_found_before_any_reinitialization() -> None:
    model, info, data = _dense(bias=-20.0)
    out = ProbeResults()
    saved_weights(model, FreshStart(model, info), data, out)
    [finding] = out.findings
    assert finding.code == "dead_units"
    assert finding.severity is Severity.warning
    assert [layer["layer"] for layer in finding.evidence["layers"]] == ["last_hidden"]
    assert finding.evidence["layers"][0]["share"] == 1.0
    assert finding.evidence["layers"][0]["fresh_share"] < 0.5


def test_saved_weights_that_a_fresh_draw_matches_are_quiet() -> None:
    model, info, data = _dense(bias=0.0)
    out = ProbeResults()
    saved_weights(model, FreshStart(model, info), data, out)
    assert out.findings == []
    assert out.measurements["saved_weights"]["batch"] == len(data.x[:256])


def test_a_loss_still_falling_is_slow_memorization_and_a_flat_one_is_stuck() -> None:
    steps = np.arange(OVERFIT_STEPS)
    falling = Memorization(list(0.8 * np.exp(-steps / 120)))  # 0.8 -> 0.23, still dropping
    flat = Memorization(list(0.7 - 0.1 * (1 - np.exp(-steps / 10))))  # levelled off at 0.6
    assert not falling.memorized
    assert falling.still_falling
    assert not flat.memorized
    assert not flat.still_falling
    assert Memorization([0.7] * 10 + [float("nan")]).late_gain is None


def test_model_probes_get_only_the_finite_rows() -> None:
    x = np.ones((10, 3), dtype=np.float32)
    x[2, 1] = np.nan
    y = np.arange(10.0)
    y[5] = np.inf
    prepared = Prepared(x, y, x[:4].copy(), y[:4].copy())
    finite = prepared.finite()
    assert len(finite.x) == 8
    assert np.isfinite(finite.x).all()
    assert np.isfinite(finite.y).all()
    assert finite.x_val.shape == (3, 3)


def test_dead_units_behind_a_relu_layer_are_found() -> None:
    """Dense then ReLU() (the usual way after BatchNormalization): the ReLU layer has no
    `activation` attribute, and its dead units are as dead as a Dense(relu)'s."""
    import keras

    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.layers.Input((6,)),
            keras.layers.Dense(16, name="pre"),
            keras.layers.ReLU(name="gate"),
            keras.layers.Dense(1),
        ]
    )
    layer = model.get_layer("pre")
    kernel, b = layer.get_weights()
    layer.set_weights([kernel, np.full_like(b, -20.0)])
    model.compile(optimizer="adam", loss="mse")
    x = np.random.default_rng(0).normal(size=(300, 6)).astype(np.float32)
    y = x.sum(axis=1).astype(np.float32)
    info = network("mean_squared_error", 1, hidden=(16,), params=129)
    out = ProbeResults()
    saved_weights(model, FreshStart(model, info), Prepared(x, y, x[:50], y[:50]), out)
    [finding] = out.findings
    assert finding.code == "dead_units"
    assert [layer["layer"] for layer in finding.evidence["layers"]] == ["gate"]
