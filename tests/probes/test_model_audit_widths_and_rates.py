"""The model audit's capacity check against the number of classes, and rates beyond any usual
range, which the pipeline keeps as causes without a replay symptom to confirm them."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from diagnosis.bundle import LayerInfo, ModelInfo, label_info
from diagnosis.models import Severity
from diagnosis.probes.model_audit import audit_model
from diagnosis.probes.model_audit.capacity_too_low import Bottleneck
from diagnosis.probes.model_audit.learning_rate import BEYOND_USUAL, LearningRate
from diagnosis.probes.settling import corroborate
from testkit.factories import bundle_facts, model_info

TEN_CLASSES = label_info(np.arange(10).repeat(5))
THREE_CLASSES = label_info(np.arange(3).repeat(5))
THREE_TARGETS = label_info(np.linspace(-1.0, 1.0, 30).reshape(10, 3))


def _model(
    *widths: int, classes: int = 10, optimizer: str = "adam", learning_rate: float = 1e-3
) -> ModelInfo:
    return model_info(
        "sparse_categorical_crossentropy",
        classes,
        "softmax",
        hidden=widths,
        params=1000,
        optimizer=optimizer,
        learning_rate=learning_rate,
    )


@pytest.mark.parametrize("widths", [(2,), (64, 3, 64), (64, 4)])
def test_a_hidden_layer_under_half_the_classes_is_a_bottleneck(widths: tuple[int, ...]) -> None:
    finding = Bottleneck().check(_model(*widths), TEN_CLASSES)
    assert finding is not None
    assert finding.severity is Severity.warning
    assert [layer["units"] for layer in finding.evidence["layers"]] == [w for w in widths if w < 4.5]
    assert finding.fix == {"min_hidden_units": 16}


@pytest.mark.parametrize(
    ("info", "labels"),
    [
        (_model(5), TEN_CLASSES),  # tapering by half is usual
        (_model(64, 32), TEN_CLASSES),
        (_model(2, classes=3), THREE_CLASSES),  # 2 units for 3 classes: their 2 directions
    ],
)
def test_usual_widths_pass(info: ModelInfo, labels) -> None:
    assert Bottleneck().check(info, labels) is None


def test_multi_output_regression_compares_widths_with_the_outputs() -> None:
    info = model_info("mean_squared_error", 12, "linear", hidden=(4,), params=100)
    assert Bottleneck().check(info, label_info(np.zeros((10, 12)) + np.arange(12.0))) is not None
    assert Bottleneck().check(dataclasses.replace(info, output_units=3), THREE_TARGETS) is None


@pytest.mark.parametrize(
    ("optimizer", "rate", "code", "beyond"),
    [
        ("adam", 5.0, "lr_too_high", True),  # 5000x
        ("rmsprop", 0.1, "lr_too_high", True),  # 100x
        ("adam", 0.02, "lr_too_high", False),  # 20x: a suspicion
        ("adam", 1e-7, "lr_too_low", True),  # 1e-4x
        ("adam", 1e-6, "lr_too_low", False),  # fine-tuning rates stay suspicions
        ("sgd", 1e-5, "lr_too_low", False),
    ],
)
def test_rates_beyond_any_usual_range_are_marked(
    optimizer: str, rate: float, code: str, beyond: bool
) -> None:
    finding = LearningRate().check(_model(64, optimizer=optimizer, learning_rate=rate), TEN_CLASSES)
    assert finding is not None
    assert finding.code == code
    assert finding.evidence[BEYOND_USUAL] is beyond


def test_a_rate_beyond_the_usual_range_needs_no_replay_symptom_and_a_suspicion_does() -> None:
    beyond = next(
        f for f in audit_model(_model(64, learning_rate=5.0), TEN_CLASSES) if f.code == "lr_too_high"
    )
    suspicion = next(
        f for f in audit_model(_model(64, learning_rate=0.02), TEN_CLASSES) if f.code == "lr_too_high"
    )
    # No symptom lists the rate, no trial helped: only the rate beyond any usual range stays a cause.
    facts = bundle_facts(_model(64, learning_rate=0.02))
    assert [f.severity for f in corroborate([beyond, suspicion], facts)] == [Severity.warning, Severity.info]
    # It outranks the range test's own lr_too_high (confidence 0.8) when the pipeline merges them.
    assert beyond.confidence > 0.8


def test_a_one_unit_linear_layer_under_one_output_is_no_bottleneck() -> None:
    """Dense(1) under Dense(1), no activation: one linear map of rank 1, all a one-output
    regression needs. A one-unit layer that bends its input, by its own ReLU or a ReLU() layer
    after it, is narrower than any nonlinear fit needs (MIN_HIDDEN_UNITS)."""
    line = label_info(np.linspace(-1.0, 1.0, 30))
    out = LayerInfo("out", "Dense", "linear", 1, params=2)

    def stack(*below: LayerInfo) -> ModelInfo:
        return model_info("mean_squared_error", 1, "linear", layers=[*below, out], params=4)

    assert Bottleneck().check(stack(LayerInfo("h", "Dense", "linear", 1)), line) is None
    assert Bottleneck().check(stack(LayerInfo("h", "Dense", "relu", 1)), line) is not None
    then_relu = stack(LayerInfo("h", "Dense", "linear", 1), LayerInfo("r", "ReLU", "relu"))
    assert Bottleneck().check(then_relu, line) is not None
