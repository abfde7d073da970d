"""The model audit names wiring mismatches from ModelInfo and the labels alone."""

from __future__ import annotations

import numpy as np
import pytest

from diagnosis.audit import REGISTRY as DATA_CHECKS
from diagnosis.bundle import LayerInfo, ModelInfo, label_info
from diagnosis.evidence import Context, conclude, consequences
from diagnosis.models import EvidenceSource, Severity
from diagnosis.probes.model_audit import CLEARS, REGISTRY, audit_model
from diagnosis.probes.model_audit.deep_plain_stack import DEEP_PLAIN
from diagnosis.probes.run import _checked
from testkit.factories import finding, network

INT3 = label_info(np.array([0, 1, 2, 1, 0]))
BINARY = label_info(np.array([0, 1, 1, 0]))
ONE_HOT3 = label_info(np.eye(3)[[0, 1, 2, 1]])
CONTINUOUS = label_info(np.linspace(-3.0, 40.0, 50))


def codes(info: ModelInfo, labels=INT3) -> set[str]:
    return {f.code for f in audit_model(info, labels)}


@pytest.mark.parametrize(
    ("info", "labels"),
    [
        (network(), INT3),
        (network(loss="binary_crossentropy", activation="sigmoid", units=1), BINARY),
        (network(loss="categorical_crossentropy"), ONE_HOT3),
        (network(loss="mean_squared_error", activation="linear", units=1), CONTINUOUS),
        (network(activation="linear", from_logits=True), INT3),
    ],
    ids=["sparse", "binary", "one-hot", "regression", "logits"],
)
def test_well_wired_models_pass(info: ModelInfo, labels) -> None:
    assert audit_model(info, labels) == []


@pytest.mark.parametrize(
    ("info", "labels", "code"),
    [
        (
            network(loss="binary_crossentropy", activation="softmax", units=1),
            BINARY,
            "output_activation_mismatch",
        ),
        (network(from_logits=True), INT3, "output_activation_mismatch"),
        (network(activation="linear"), INT3, "output_activation_mismatch"),
        (
            network(loss="categorical_crossentropy", activation="sigmoid"),
            ONE_HOT3,
            "output_activation_mismatch",
        ),
        (network(units=2), INT3, "output_shape_mismatch"),
        (network(loss="categorical_crossentropy", units=4), ONE_HOT3, "output_shape_mismatch"),
        (network(loss="mean_squared_error", activation="linear"), INT3, "loss_task_mismatch"),
        (
            network(loss="binary_crossentropy", activation="sigmoid", units=1),
            CONTINUOUS,
            "loss_task_mismatch",
        ),
        (network(loss="binary_crossentropy", activation="sigmoid", units=1), INT3, "loss_task_mismatch"),
        (
            network(hidden=[LayerInfo("h", "Dense", "relu", 32), LayerInfo("d", "Dropout", rate=0.8)]),
            INT3,
            "excessive_dropout",
        ),
        (
            network(hidden=[LayerInfo(f"h{i}", "Dense", "sigmoid", 32) for i in range(5)]),
            INT3,
            "vanishing_gradients",
        ),
        (network(hidden=[LayerInfo("h", "Dense", "relu", 1)]), INT3, "capacity_too_low"),
        (network(learning_rate=0.5), INT3, "lr_too_high"),
        (network(optimizer="sgd", learning_rate=1e-6), INT3, "lr_too_low"),
    ],
)
def test_mismatches_are_named(info: ModelInfo, labels, code: str) -> None:
    assert code in codes(info, labels)


def test_normalization_or_skip_connections_clear_a_saturating_stack() -> None:
    hidden = [LayerInfo(f"h{i}", "Dense", "tanh", 32) for i in range(5)] + [
        LayerInfo("bn", "BatchNormalization")
    ]
    assert "vanishing_gradients" not in codes(network(hidden=hidden))


def test_a_deep_plain_relu_stack_is_named_and_owns_its_dead_units() -> None:
    """100 ReLU layers with no normalization (the handson-ml2 notebook): the stack's vanishing
    gradients, tried with SELU and LeCun normal weights; its dead units are the stack's fault
    seen per unit, listed under it. Fewer layers, or a normalized stack, are left alone."""
    deep = [LayerInfo(f"h{i}", "Dense", "relu", 100) for i in range(DEEP_PLAIN)]
    (stack,) = [f for f in audit_model(network(hidden=deep), INT3) if f.code == "vanishing_gradients"]
    assert stack.fix == {"hidden_activation": "selu", "kernel_initializer": "lecun_normal"}
    assert "vanishing_gradients" not in codes(network(hidden=deep[1:]))
    assert "vanishing_gradients" not in codes(network(hidden=[*deep, LayerInfo("bn", "BatchNormalization")]))
    selu = [LayerInfo(f"h{i}", "Dense", "selu", 100) for i in range(DEEP_PLAIN)]
    assert "vanishing_gradients" not in codes(network(hidden=selu))
    dead = finding("dead_units", severity=Severity.warning, confidence=0.8, source=EvidenceSource.probe)
    stuck = finding("accuracy_at_chance", {"dead_units": 1.5, "vanishing_gradients": 1.0})
    _, verdict = conclude([stack, dead, stuck], Context(epochs=5))
    assert verdict.causes[0].code == "vanishing_gradients"
    assert "dead_units" in verdict.causes[0].explains
    # Only the deep stack's reading owns them: a gradient measured small leaves them their own.
    measured = finding("vanishing_gradients", source=EvidenceSource.probe)
    assert consequences([measured, dead]) == {}


def test_fix_data_is_concrete() -> None:
    finding = next(f for f in audit_model(network(units=2), INT3) if f.code == "output_shape_mismatch")
    assert finding.fix == {"output_units": 3}


def test_a_bounded_output_is_held_against_the_regression_targets_range() -> None:
    standardized = label_info(np.random.default_rng(0).normal(size=500))
    proportions = label_info(np.random.default_rng(0).uniform(0.05, 0.95, 500))
    for activation in ("tanh", "sigmoid", "relu"):
        info = network(loss="mean_squared_error", activation=activation, units=1)
        finding = next(f for f in audit_model(info, standardized) if f.code == "output_activation_mismatch")
        assert finding.fix == {"output_activation": "linear"}
    # Targets inside what the activation produces are fine: proportions under a sigmoid.
    assert "output_activation_mismatch" not in codes(
        network(loss="mean_squared_error", activation="sigmoid", units=1), proportions
    )


def test_a_softmax_over_tags_that_can_be_on_together_is_a_mismatch_under_a_regression_loss() -> None:
    multi_hot = label_info(np.array([[1, 1, 0], [0, 1, 1], [1, 0, 0], [1, 1, 1]]))
    finding = next(
        f
        for f in audit_model(network(loss="mean_squared_error", activation="softmax"), multi_hot)
        if f.code == "output_activation_mismatch"
    )
    assert finding.fix == {"output_activation": "sigmoid"}
    # Sigmoid outputs over the same tags are the multi-label wiring; under a cross-entropy the
    # label audit names a softmax over tags (label_format_mismatch), so this check leaves it.
    for loss, activation in (("mean_squared_error", "sigmoid"), ("categorical_crossentropy", "softmax")):
        assert "output_activation_mismatch" not in codes(network(loss=loss, activation=activation), multi_hot)


def test_labels_0_and_255_under_binary_crossentropy_are_two_classes_not_256() -> None:
    info = network(loss="binary_crossentropy", activation="sigmoid", units=1)
    assert "loss_task_mismatch" not in codes(info, label_info(np.array([0, 255, 255, 0])))


def test_every_model_check_is_a_registered_unit_that_declares_what_its_silence_clears() -> None:
    assert set(REGISTRY) == {
        "output_activation",
        "output_shape",
        "loss_for_task",
        "dropout",
        "saturating_stack",
        "deep_plain_stack",
        "bottleneck",
        "learning_rate",
        "batch_size",
    }
    # Only the checks that read every form of their cause rule it out by staying silent.
    assert {
        "output_activation_mismatch",
        "output_shape_mismatch",
        "loss_task_mismatch",
        "excessive_dropout",
    } == CLEARS
    with pytest.raises(TypeError, match="two model checks"):
        type("Again", (REGISTRY["dropout"],), {"name": "dropout"})


def test_a_data_check_that_needs_a_validation_split_clears_nothing_without_one() -> None:
    needing = {code for code, check in DATA_CHECKS.items() if check.needs_validation}
    assert needing == {"train_val_shift", "duplicate_samples"}
    assert needing <= _checked(has_validation=True)
    assert not needing & _checked(has_validation=False)
    assert _checked(has_validation=False) >= CLEARS
