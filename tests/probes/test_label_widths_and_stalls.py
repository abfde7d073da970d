"""The third round's rule changes, one behaviour each: multi-hot labels are a label format,
output units are held against regression target columns and multi-label tags, a batch is
un-memorizable only when its loss has really stopped, a range test does not confirm a rate
at the optimizer's usual value as too low, the saved weights' own dead units are seen, and a
replay cut short of the configured epochs does not make slow convergence a warning."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from diagnosis.audit import audit_data
from diagnosis.bundle import BundleData, LayerInfo, ModelInfo, TrainingConfig, label_info
from diagnosis.models import Category, Finding, Severity
from diagnosis.probes.model_audit import audit_model, output_shape
from diagnosis.probes.run import USUAL_RATE_BAND, _confirm, _settle_truncated
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

ALARMS = (Severity.warning, Severity.error)


def _multi_hot(n: int = 300, tags: int = 3, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 6)).astype(np.float32)
    y = (x[:, :tags] + 0.3 * rng.normal(size=(n, tags)) > 0).astype(np.float32)
    assert (y.sum(axis=1) != 1).any()  # several tags per row: not one-hot
    return x, y


def _info(loss: str, units: int, activation: str, optimizer: str = "adam", rate: float = 1e-3) -> ModelInfo:
    return ModelInfo(
        loss=loss,
        from_logits=False,
        output_units=units,
        output_activation=activation,
        param_count=200,
        layers=[LayerInfo("h", "Dense", "relu", 16), LayerInfo("out", "Dense", activation, units)],
        optimizer=optimizer,
        learning_rate=rate,
    )


def test_multi_hot_rows_are_a_label_format_that_sigmoid_and_binary_crossentropy_fit() -> None:
    x, y = _multi_hot()
    labels = label_info(y)
    assert (labels.format, labels.columns, labels.num_classes) == ("multi_hot", 3, None)
    info = _info("binary_crossentropy", 3, "sigmoid")
    findings = audit_data(BundleData(x, y), info) + audit_model(info, labels)
    assert [f.code for f in findings if f.severity in ALARMS] == []
    # Too few sigmoid units for the tags is the output's width, not the task.
    short = audit_model(_info("binary_crossentropy", 2, "sigmoid"), labels)
    assert [(f.code, f.fix) for f in short] == [("output_shape_mismatch", {"output_units": 3})]


def test_multi_hot_scores_each_tag() -> None:
    class Echo:  # a "model" that predicts the labels, wrong on one tag of one row
        def __call__(self, x: np.ndarray, training: bool = False) -> np.ndarray:
            return x

    y = np.array([[1, 0, 1], [0, 1, 1]], dtype=np.float32)
    guess = y.copy()
    guess[0, 0] = 0.2
    assert task_score(Echo(), guess, y, label_info(y)) == {"accuracy": pytest.approx(5 / 6, abs=1e-4)}


@pytest.mark.parametrize(("units", "flagged"), [(1, True), (2, True), (3, False)])
def test_regression_outputs_are_held_against_the_target_columns(units: int, flagged: bool) -> None:
    targets = label_info(np.linspace(-1.0, 1.0, 30).reshape(10, 3))
    finding = output_shape(_info("mean_squared_error", units, "linear"), targets)
    assert (finding is not None) == flagged
    if finding is not None:
        assert finding.severity is Severity.error
        assert finding.evidence["needed_units"] == 3
    one_target = label_info(np.linspace(-1.0, 1.0, 30))
    assert output_shape(_info("mean_squared_error", 1, "linear"), one_target) is None


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


def _suspicion(code: str) -> Finding:
    return Finding(
        code=code,
        category=Category.hyperparameters,
        severity=Severity.warning,
        confidence=0.8,
        summary=f"{code}.",
        recommendation="Change the rate.",
    )


def test_a_slow_replay_does_not_confirm_a_usual_rate_as_too_low() -> None:
    plateau = Finding(
        code="slow_convergence",
        category=Category.training_dynamics,
        severity=Severity.warning,
        confidence=0.7,
        summary="Slow.",
        recommendation="Wait.",
        supports={"lr_too_low": 1.0},
    )
    usual = _info("sparse_categorical_crossentropy", 3, "softmax", "adam", 1e-3)
    low = dataclasses.replace(usual, learning_rate=1e-3 / (USUAL_RATE_BAND * 3))
    assert _confirm([_suspicion("lr_too_low")], [plateau], usual)[0].severity is Severity.info
    assert _confirm([_suspicion("lr_too_low")], [plateau], low)[0].severity is Severity.warning
    # A rate too high is still confirmed by its symptoms at any rate.
    high = Finding(
        **{
            **plateau.model_dump(),
            "supports": {"lr_too_high": 1.0},
        }
    )
    assert _confirm([_suspicion("lr_too_high")], [high], usual)[0].severity is Severity.warning


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
    info = _info("mean_squared_error", 1, "linear")
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


@pytest.mark.parametrize(("configured", "demoted"), [(20, True), (8, False), (None, False)])
def test_slow_convergence_on_a_replay_cut_short_describes_the_cut(
    configured: int | None, demoted: bool
) -> None:
    slow = Finding(
        code="slow_convergence",
        category=Category.training_dynamics,
        severity=Severity.warning,
        confidence=0.7,
        summary="Loss was still falling when training stopped.",
        recommendation="Train longer.",
    )
    other = slow.model_copy(update={"code": "loss_plateau"})
    settled = _settle_truncated([slow, other], TrainingConfig(epochs=configured), replayed=8)
    assert settled[0].severity is (Severity.info if demoted else Severity.warning)
    assert settled[1].severity is Severity.warning
