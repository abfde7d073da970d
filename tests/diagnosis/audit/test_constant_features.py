"""diagnosis.audit.constant_features: fires on a seeded data set with its problem, with the right
evidence and fix, and stays silent on a clean one."""

from __future__ import annotations

from diagnosis import Severity
from diagnosis.audit.constant_features import ConstantFeatures
from diagnosis.bundle import BundleData
from tests.diagnosis.audit.samples import blobs


def test_a_few_constant_columns_are_info_with_the_columns_to_drop() -> None:
    x, y = blobs(300)
    x[:, 3], x[:, 7] = 0.0, 1.5
    finding = ConstantFeatures().check(BundleData(x, y), None)
    assert finding is not None
    assert finding.severity is Severity.info
    assert finding.fix == {"drop_features": [3, 7]}
    assert finding.evidence["values"] == [0.0, 1.5]


def test_mostly_or_all_constant_inputs_are_worse() -> None:
    x, y = blobs(300)
    x[:, 2:] = 0.0
    mostly = ConstantFeatures().check(BundleData(x, y), None)
    assert mostly is not None
    assert mostly.severity is Severity.warning
    x[:, :2] = 1.0
    every = ConstantFeatures().check(BundleData(x, y), None)
    assert every is not None
    assert every.severity is Severity.error
    assert every.fix == {}


def test_a_third_of_a_tables_columns_constant_is_a_warning_but_not_of_image_positions() -> None:
    x, y = blobs(300, d=30)
    x[:, 10:20] = x[:, 10:20].mean(axis=0)  # mean-imputed whole columns: constant, not zero
    table = ConstantFeatures().check(BundleData(x, y), None)
    assert table is not None
    assert table.severity is Severity.warning
    assert table.evidence["thresholds"]["warning_share"] == 0.25
    images = ConstantFeatures().check(BundleData(x.reshape(300, 5, 6, 1), y), None)
    assert images is not None
    assert images.severity is Severity.info


def test_varying_columns_are_silent() -> None:
    x, y = blobs(300)
    assert ConstantFeatures().check(BundleData(x, y), None) is None
