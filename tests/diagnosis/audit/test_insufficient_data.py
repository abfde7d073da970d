"""diagnosis.audit.insufficient_data: fires on a seeded data set with its problem, with the right
evidence and fix, and stays silent on a clean one."""

from __future__ import annotations

import numpy as np

from diagnosis import Severity
from diagnosis.audit.insufficient_data import InsufficientData
from diagnosis.bundle import BundleData
from testkit.factories import model_info
from tests.diagnosis.audit.samples import blobs


def test_many_parameters_per_sample_is_insufficient_data() -> None:
    x, y = blobs(500)
    finding = InsufficientData().check(BundleData(x, y), model_info(params=20_000))
    assert finding is not None
    assert finding.severity is Severity.warning
    assert finding.evidence["params_per_sample"] == 40.0
    assert finding.fix == {"max_param_count": 5000}


def test_a_class_with_a_handful_of_examples_is_insufficient() -> None:
    x, _ = blobs(2000)
    y = np.where(np.arange(2000) < 6, 2, np.arange(2000) % 2)
    finding = InsufficientData().check(BundleData(x, y), model_info())
    assert finding is not None
    assert finding.evidence["short_classes"] == {2: 6}
    assert finding.fix == {"min_samples_per_class": 10}


def test_tiny_data_is_insufficient_even_without_a_model() -> None:
    x, y = blobs(60)
    assert InsufficientData().check(BundleData(x, y), None) is not None


def test_enough_data_is_silent() -> None:
    x, y = blobs(2000)
    assert InsufficientData().check(BundleData(x, y), model_info(params=20_000)) is None


def test_tiny_data_needs_the_parameters_to_memorize_it() -> None:
    """60 samples are memorized by a 61-parameter model, not by a 2-parameter line."""
    x, y = np.linspace(0, 1, 60)[:, None], np.linspace(0, 1, 60) + 0.1 * np.sin(np.arange(60))
    data = BundleData(x, y)
    assert InsufficientData().check(data, model_info("mean_squared_error", 1, params=61)) is not None
    assert InsufficientData().check(data, model_info("mean_squared_error", 1, params=2)) is None


def test_a_whole_truth_table_is_no_shortage() -> None:
    """XOR's four rows (or six, repeating two) are every input there is: nothing unseen is left
    to generalize to. Four rows of a larger grid, or of continuous features, are a shortage."""
    xor = np.array([[0, 0], [0, 1], [1, 0], [1, 1], [1, 1], [0, 0]], dtype=np.float32)
    y = np.array([0, 1, 1, 0, 0, 0])
    assert InsufficientData().check(BundleData(xor[:4], y[:4]), model_info(params=17)) is None
    assert InsufficientData().check(BundleData(xor, y), model_info(params=19)) is None
    three = np.array([[0, 0, 0], [0, 1, 1], [1, 0, 1], [1, 1, 0]], dtype=np.float32)  # 4 of 8
    assert InsufficientData().check(BundleData(three, y[:4]), model_info(params=17)) is not None
    x, labels = blobs(4)
    assert InsufficientData().check(BundleData(x, labels), model_info(params=17)) is not None
