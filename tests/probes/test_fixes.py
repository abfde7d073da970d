"""Fix trials (diagnosis/probes/fixes.py): each check declares the trial for its codes, each
declared action has a planner and causes it cures, and a loss swap brings the output head the
new loss needs."""

from __future__ import annotations

from types import SimpleNamespace
from typing import cast

import numpy as np

from diagnosis.bundle import label_info
from diagnosis.evidence import ACTION_CURES
from diagnosis.probes.fixes import ACTION_OF, PLANNERS, Bench, _head_for
from diagnosis.probes.registry import REGISTRY as PROBES
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
