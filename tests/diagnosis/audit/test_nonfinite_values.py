"""diagnosis.audit.nonfinite_values: fires on a seeded data set with its problem, with the right
evidence and fix, and stays silent on a clean one."""

from __future__ import annotations

import numpy as np

from diagnosis import Severity
from diagnosis.audit.nonfinite_values import NonfiniteValues
from diagnosis.bundle import BundleData
from tests.diagnosis.audit.samples import blobs, split


def test_nonfinite_values_are_counted_per_array() -> None:
    x, y = blobs(1000)
    x[[3, 3, 50], [1, 2, 1]] = [np.nan, np.inf, np.nan]
    y_val = np.arange(100, dtype=np.float32) % 3
    y_val[9] = np.nan
    finding = NonfiniteValues().check(BundleData(x, y, x[:100], y_val), None)
    assert finding is not None
    assert finding.severity is Severity.error
    assert finding.evidence["x_train"]["nan"] == 2
    assert finding.evidence["x_train"]["inf"] == 1
    assert finding.evidence["x_train"]["first_rows"] == [3, 50]
    assert finding.evidence["x_train"]["worst_columns"] == {1: 2, 2: 1}
    assert finding.evidence["y_val"]["first_rows"] == [9]
    assert finding.fix == {"drop_nonfinite_rows": True}


def test_many_nonfinite_feature_rows_are_imputed() -> None:
    x, y = blobs(200)
    x[::4, 0] = np.nan  # 25% of the rows, all in one column
    finding = NonfiniteValues().check(BundleData(x, y), None)
    assert finding is not None
    assert finding.fix == {"impute_nonfinite": "median"}


def test_finite_data_is_silent() -> None:
    x, y = blobs(300)
    assert NonfiniteValues().check(split(x, y), None) is None
