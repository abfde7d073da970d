"""diagnosis.audit.unscaled_targets: fires on a seeded data set with its problem, with the right
evidence and fix, and stays silent on a clean one."""

from __future__ import annotations

import numpy as np
import pytest

from diagnosis import Severity
from diagnosis.audit.unscaled_targets import UnscaledTargets
from diagnosis.bundle import BundleData
from testkit.factories import model_info
from tests.diagnosis.audit.samples import regression


def test_large_regression_targets_get_their_standardization() -> None:
    x, t = regression(1000)
    prices = 180_000 + 80_000 * t
    finding = UnscaledTargets().check(BundleData(x, prices), model_info("mean_squared_error", units=1))
    assert finding is not None
    assert finding.severity is Severity.warning
    scaling = finding.fix["standardize_targets"]
    assert scaling["mean"] == pytest.approx(prices.mean(), rel=1e-3)
    assert scaling["std"] == pytest.approx(prices.std(), rel=1e-3)
    assert finding.evidence["mse_of_predicting_zero"] > 1e10


def test_tiny_targets_are_flagged_too() -> None:
    x, t = regression(500)
    finding = UnscaledTargets().check(BundleData(x, 1e-5 * t), None)
    assert finding is not None
    assert "tiny" in finding.summary


def test_scaled_targets_class_labels_and_log_losses_are_silent() -> None:
    x, t = regression(500)
    assert UnscaledTargets().check(BundleData(x, t), None) is None
    assert UnscaledTargets().check(BundleData(x, np.arange(500) % 7), None) is None
    log_loss = model_info("mean_squared_logarithmic_error", units=1)
    assert UnscaledTargets().check(BundleData(x, 1e5 * np.exp(t)), log_loss) is None
