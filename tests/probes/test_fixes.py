"""Fix trials (diagnosis/probes/fixes.py): each check declares the trial for its codes, each
declared action has a planner and causes it cures, and a loss swap brings the output head the
new loss needs."""

from __future__ import annotations

from types import SimpleNamespace
from typing import cast

import numpy as np
import pytest

from diagnosis.bundle import label_info
from diagnosis.evidence import ACTION_CURES
from diagnosis.models import EvidenceSource, RunMetadata
from diagnosis.probes import fixes
from diagnosis.probes.fixes import ACTION_OF, PLANNERS, Bench, _head_for
from diagnosis.probes.registry import REGISTRY as PROBES
from diagnosis.taxonomy import Code
from testkit.factories import finding, network


def test_every_declared_trial_has_a_planner_and_cures_its_own_cause() -> None:
    assert set(PLANNERS) == set(ACTION_CURES)
    for code, action in ACTION_OF.items():
        assert action in PLANNERS
        # The action cures the cause its finding names (a symptom's action cures a cause it supports).
        assert code in ACTION_CURES[action] or code == "underfitting", (code, action)
    # Declared by the probes that raise them, not only by a list beside the planner.
    assert dict(PROBES["gradient_stats"].trials)["dead_units"] == ACTION_OF["dead_units"] == "relu_he_init"
    assert ACTION_OF["lr_too_low"] == "raise_learning_rate"
    # Data problems need the user's hands: no trial.
    assert "duplicate_samples" not in ACTION_OF
    assert "label_noise" not in ACTION_OF


def test_the_probes_are_registered_units_in_the_order_they_run() -> None:
    assert list(PROBES) == [
        "initial_loss",
        "overfit_one_batch",
        "lr_range_test",
        "gradient_stats",
        "saved_weights",
    ]
    assert [name for name, probe in PROBES.items() if probe.checks_wiring] == ["initial_loss"]
    assert all(probe.codes and probe.thresholds for probe in PROBES.values())


def test_a_loss_swap_brings_the_output_head_it_needs() -> None:
    ten = label_info(np.arange(50) % 10)
    assert _head_for("sparse_categorical_crossentropy", {}, ten) == {"activation": "softmax", "units": 10}
    assert _head_for("binary_crossentropy", {}, ten) == {"units": 1, "activation": "sigmoid"}
    assert _head_for("mean_squared_error", {}, label_info(np.linspace(0, 1, 20))) == {"activation": "linear"}


def test_a_larger_model_is_not_tried_where_there_is_no_hidden_layer_to_widen() -> None:
    # Widening a model with no hidden layer replays the same model: a trial measuring nothing
    # but noise, which the evidence would read as a larger model not helping.
    underfit = finding("underfitting", fix={"width_factor": 2.0})
    bare = SimpleNamespace(info=network(hidden=[]), model=SimpleNamespace(layers=[]))
    assert PLANNERS["add_capacity"](underfit, cast("Bench", bare)) is None
    hidden = SimpleNamespace(info=network(hidden=[8]), model=SimpleNamespace(layers=[]))
    assert PLANNERS["add_capacity"](underfit, cast("Bench", hidden)) is not None


def test_a_trial_that_would_change_no_layer_is_not_planned() -> None:
    """ReLU with He initialization on a model that has both, or lower dropout on one without
    any, replays the baseline: noise the evidence would read as the fix not helping."""
    import keras

    def model(activation: str, initializer: str, dropout: float) -> Bench:
        layers = [keras.Input((4,)), keras.layers.Dense(8, activation, kernel_initializer=initializer)]
        layers += [keras.layers.Dropout(dropout)] if dropout else []
        built = keras.Sequential([*layers, keras.layers.Dense(3, "softmax")])
        return cast("Bench", SimpleNamespace(model=built, info=network(hidden=[8])))

    dead = finding("dead_units")
    assert PLANNERS["relu_he_init"](dead, model("relu", "he_normal", 0.0)) is None
    assert PLANNERS["relu_he_init"](dead, model("relu", "glorot_uniform", 0.0)) is not None
    assert PLANNERS["relu_he_init"](dead, model("tanh", "he_normal", 0.0)) is not None
    heavy = finding("excessive_dropout", fix={"dropout": 0.2})
    assert PLANNERS["lower_dropout"](heavy, model("relu", "he_normal", 0.0)) is None
    assert PLANNERS["lower_dropout"](heavy, model("relu", "he_normal", 0.2)) is None
    assert PLANNERS["lower_dropout"](heavy, model("relu", "he_normal", 0.6)) is not None


def test_a_cause_no_check_raised_is_tried_from_its_stand_in(monkeypatch: pytest.MonkeyPatch) -> None:
    """Trials run per action in the order given: an action whose
    causes no finding raised is planned from a stand-in carrying the cause's own fix, and its
    outcome reaches the evidence though no finding carries it."""
    measured = {"before": {"accuracy": 0.6}, "after": {"accuracy": 0.9}, "steps": 10, "improved": True}
    monkeypatch.setattr(fixes, "_seed_noise", lambda bench: {"seeds": [0]})
    monkeypatch.setattr(fixes, "_run", lambda trial, bench, seeds: measured)
    bench = cast(
        "Bench",
        SimpleNamespace(
            model=SimpleNamespace(layers=[]),
            info=network(hidden=[8]),
            config=SimpleNamespace(batch_size=64),  # the catalogue's batch size: nothing to try
            probes=SimpleNamespace(count=lambda probe, steps: None),
        ),
    )
    stack = finding("vanishing_gradients", source=EvidenceSource.model_audit)
    order = [
        ("add_capacity", 0.05, (Code.capacity_too_low,)),
        ("class_weight", 0.04, (Code.class_imbalance,)),  # no weights to try: skipped
    ]
    out, trials = fixes.try_fixes([stack], bench, order, RunMetadata())
    assert [t.action for t in trials] == ["add_capacity"]
    assert out == [stack]  # the stand-in is never reported
    many = [
        ("add_capacity", 0.1, (Code.capacity_too_low,)),
        ("raise_batch_size", 0.1, (Code.batch_size_unsuitable,)),
        ("lower_learning_rate", 0.1, (Code.dead_units, Code.lr_too_high, Code.exploding_gradients)),
    ]
    meta = RunMetadata(optimizer="sgd", learning_rate=0.01)
    _, trials = fixes.try_fixes([stack], bench, many, meta)
    assert [t.action for t in trials] == ["add_capacity", "lower_learning_rate"]
    assert trials[1].fix == {"learning_rate": 0.001}  # the configured rate divided by ten
