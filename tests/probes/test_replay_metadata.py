"""The replay's curves reach the history engine with the task, classes and learned-nothing loss
the bundle shows, where its loss and labels agree, so curve rules need not guess them."""

from __future__ import annotations

import math

import numpy as np
import pytest

from diagnosis.bundle import ModelInfo, TrainingConfig, label_info, replay_metadata
from diagnosis.engine import diagnose
from diagnosis.history import history_from_mapping
from testkit.factories import network


def _info(loss: str, units: int = 10, activation: str = "softmax") -> ModelInfo:
    return network(loss, units, activation, params=5000)


def test_a_classifier_gets_its_classes_and_the_entropy_of_their_shares() -> None:
    y = np.repeat(np.arange(10), 20)
    meta = replay_metadata(_info("sparse_categorical_crossentropy"), label_info(y), TrainingConfig(), y)
    assert meta["task"] == "multiclass"
    assert meta["num_classes"] == 10
    assert meta["baseline_loss"] == pytest.approx(math.log(10))
    assert meta["batch_size"] == 32


def test_one_hot_and_binary_labels() -> None:
    one_hot = np.eye(3)[[0, 0, 1, 2]]
    meta = replay_metadata(
        _info("categorical_crossentropy", 3), label_info(one_hot), TrainingConfig(), one_hot
    )
    assert (meta["num_classes"], meta["baseline_loss"]) == (
        3,
        pytest.approx(-(0.5 * math.log(0.5) + math.log(0.25) / 2)),
    )
    binary = np.array([0, 1, 1, 1])
    meta = replay_metadata(
        _info("binary_crossentropy", 1, "sigmoid"), label_info(binary), TrainingConfig(), binary
    )
    assert meta["task"] == "binary"


def test_regression_gets_the_variance_of_its_targets_for_mse() -> None:
    y = np.array([0.5, 1.5, 3.25, 7.0, np.nan])
    meta = replay_metadata(_info("mean_squared_error", 1, "linear"), label_info(y), TrainingConfig(), y)
    assert meta["task"] == "regression"
    assert meta["baseline_loss"] == pytest.approx(np.var([0.5, 1.5, 3.25, 7.0]))


def test_a_loss_that_does_not_fit_the_labels_tells_nothing_about_the_task() -> None:
    one_hot = np.eye(10)[np.arange(40) % 10]
    meta = replay_metadata(
        _info("sparse_categorical_crossentropy"), label_info(one_hot), TrainingConfig(), one_hot
    )
    assert "task" not in meta
    assert "num_classes" not in meta
    assert "baseline_loss" not in meta
    classes = np.arange(40) % 10
    meta = replay_metadata(
        _info("mean_squared_error", 1, "linear"), label_info(classes), TrainingConfig(), classes
    )
    assert "task" not in meta


def test_a_ten_class_replay_that_learns_fast_is_not_an_unexpected_initial_loss() -> None:
    """A first epoch at 1.97 (under ln 10) that falls to 0.7 at once is a fast learner, not a
    model that started confidently wrong: the replay's metadata says K = 10. Without it the
    engine once read the losses near 0.7 as ln 2 and so called 1.97 far off; it now infers K
    from an early loss only when the first epoch agrees (diagnosis/infer.py), so neither
    reading flags it."""
    curves = {
        "loss": [1.97, 0.75, 0.7, 0.65, 0.6, 0.55, 0.5, 0.45],
        "accuracy": [0.45, 0.8, 0.82, 0.84, 0.86, 0.87, 0.88, 0.89],
    }
    y = np.repeat(np.arange(10), 20)
    meta = replay_metadata(_info("sparse_categorical_crossentropy"), label_info(y), TrainingConfig(), y)
    guessed = {f.code for f in diagnose(history_from_mapping(curves, {})).findings}
    told = {f.code for f in diagnose(history_from_mapping(curves, meta)).findings}
    assert "unexpected_initial_loss" not in guessed
    assert "unexpected_initial_loss" not in told
