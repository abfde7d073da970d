"""The whole data audit: every data cause has a registered check, a healthy bundle gets no
warning, findings come worst first, and any small bundle is audited without crashing."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from diagnosis import Finding, Severity
from diagnosis.audit import REGISTRY, audit_data
from diagnosis.audit.label_noise import LabelNoise
from diagnosis.bundle import BundleData, ModelInfo
from diagnosis.models import Category
from diagnosis.taxonomy import CAUSES
from testkit.factories import model_info
from tests.diagnosis.audit.samples import blobs, regression, split, warnings_or_errors

DATA_CODES = CAUSES[Category.data]


def test_every_data_cause_has_a_check() -> None:
    assert set(REGISTRY) == DATA_CODES


@pytest.mark.parametrize("seed", range(3))
def test_healthy_classification_bundle_has_no_warning(seed: int) -> None:
    x, y = blobs(2500, d=20, k=3, seed=seed)
    findings = audit_data(split(x, y), model_info())
    assert warnings_or_errors(findings) == []


def test_healthy_regression_bundle_has_no_warning() -> None:
    x, t = regression(1500)
    findings = audit_data(split(x, t), model_info("mean_squared_error", units=1))
    assert warnings_or_errors(findings) == []


def test_findings_come_worst_first() -> None:
    x, y = blobs(600)
    x[3, 2] = np.nan
    y = np.where(np.arange(600) < 590, 0, 1)
    findings = audit_data(BundleData(x, y), model_info(units=2))
    ranks = [f.severity.rank for f in findings]
    assert ranks == sorted(ranks, reverse=True)
    assert findings[0].severity is Severity.error


def test_mismatched_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="x_train has 10 samples but y_train has 9"):
        audit_data(BundleData(np.zeros((10, 2)), np.zeros(9)))


def test_ten_thousand_by_a_hundred_completes() -> None:
    x, y = blobs(12_000, d=100, k=10, separation=8.0)
    findings = audit_data(split(x, y, val=1 / 6), model_info(units=10, params=50_000))
    assert warnings_or_errors(findings) == []


@settings(max_examples=40, deadline=None)
@given(
    x=hnp.arrays(
        np.float64,
        st.tuples(st.integers(1, 40), st.integers(1, 5)),
        elements=st.floats(allow_nan=True, allow_infinity=True, width=32),
    ),
    classes=st.integers(1, 4),
    loss=st.sampled_from(["sparse_categorical_crossentropy", "binary_crossentropy", "mean_squared_error"]),
)
def test_any_small_bundle_is_audited_without_crashing(x: np.ndarray, classes: int, loss: str) -> None:
    y = np.arange(len(x)) % classes
    findings = audit_data(
        BundleData(x, y, x[: len(x) // 2], y[: len(x) // 2]), model_info(loss, units=classes)
    )
    assert all(f.code in DATA_CODES and 0 <= f.confidence <= 1 for f in findings)
    assert ("nonfinite_values" in {f.code for f in findings}) == (not np.isfinite(x).all())


def test_the_checks_run_on_one_blas_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    from threadpoolctl import threadpool_info

    from diagnosis.audit import BLAS_THREADS

    seen: list[int] = []
    original = LabelNoise.check

    def recording(self: LabelNoise, data: BundleData, model: ModelInfo | None) -> Finding | None:
        seen.extend(pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas")
        return original(self, data, model)

    monkeypatch.setattr(LabelNoise, "check", recording)
    x, y = blobs(300)
    audit_data(BundleData(x, y), model_info())
    assert seen
    assert set(seen) == {BLAS_THREADS}
