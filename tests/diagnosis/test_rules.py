"""Each rule fires on the shape it detects and stays silent on healthy runs."""

from __future__ import annotations

import numpy as np
import pytest

from diagnosis import Severity, diagnose
from diagnosis.history import history_from_mapping
from diagnosis.rules import REGISTRY
from tests import histories


def codes(raw: dict, **metadata: object) -> dict[str, Severity]:
    result = diagnose(history_from_mapping(raw, metadata))
    return {f.code: f.severity for f in result.findings}


def test_every_rule_is_registered() -> None:
    assert {"loss_nan", "loss_diverging", "loss_plateau", "overfitting"} <= set(REGISTRY)


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("epochs", [5, 12, 30, 100])
def test_healthy_runs_have_no_warning_or_error(seed: int, epochs: int) -> None:
    result = diagnose(history_from_mapping(histories.healthy(epochs, seed)))
    assert result.healthy, [f.code for f in result.findings]


def test_loss_nan_names_the_first_bad_epoch() -> None:
    result = diagnose(history_from_mapping(histories.nan_loss(at=7), {"learning_rate": 0.01}))
    finding = result.findings[0]
    assert finding.code == "loss_nan"
    assert finding.severity is Severity.error
    assert finding.evidence["first_nonfinite_epoch"] == 7
    assert finding.fix["learning_rate"] == pytest.approx(0.001)
    assert not result.healthy


def test_nan_in_val_loss_only_is_reported_too() -> None:
    raw = histories.healthy(10)
    raw["val_loss"][4] = float("nan")
    assert codes(raw).get("loss_nan") is Severity.error


@pytest.mark.parametrize("seed", range(5))
def test_diverging_loss(seed: int) -> None:
    assert codes(histories.diverging(seed=seed)).get("loss_diverging") is Severity.error


def test_loss_that_gives_back_most_of_its_progress_is_a_warning() -> None:
    loss = [1.0, 0.6, 0.3, 0.2, 0.2, 0.4, 0.6, 0.7, 0.72, 0.75]
    assert codes({"loss": loss}).get("loss_diverging") is Severity.warning


def test_noisy_but_improving_loss_is_not_diverging() -> None:
    rng = np.random.default_rng(3)
    loss = (np.linspace(1.0, 0.3, 40) + rng.normal(0, 0.03, 40)).tolist()
    assert "loss_diverging" not in codes({"loss": loss})


@pytest.mark.parametrize("seed", range(5))
def test_plateau_from_the_start(seed: int) -> None:
    assert codes(histories.plateau(seed=seed)).get("loss_plateau") is Severity.warning


def test_converged_run_is_not_a_plateau() -> None:
    loss = [1.0, 0.4, 0.2, *([0.1] * 30)]
    assert "loss_plateau" not in codes({"loss": loss})


@pytest.mark.parametrize("seed", range(5))
def test_overfitting_onset_and_early_stopping(seed: int) -> None:
    result = diagnose(history_from_mapping(histories.overfitting(seed=seed)))
    finding = next(f for f in result.findings if f.code == "overfitting")
    assert 5 <= finding.evidence["onset_epoch"] <= 15
    assert finding.fix["early_stopping"]["restore_best_weights"] is True
    assert finding.fix["epochs_saved"] == 39 - finding.evidence["onset_epoch"]


def test_val_loss_rising_with_train_loss_is_not_overfitting() -> None:
    t = np.arange(20)
    raw = {"loss": (0.5 + 0.02 * t).tolist(), "val_loss": (0.5 + 0.03 * t).tolist()}
    assert "overfitting" not in codes(raw)


def test_findings_are_ordered_worst_first() -> None:
    raw = histories.overfitting()
    raw["loss"][-1] = float("nan")
    result = diagnose(history_from_mapping(raw))
    assert result.findings[0].severity is Severity.error
