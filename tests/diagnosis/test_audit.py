"""The data audit: each check fires on a seeded data set with its problem, with the right
evidence and fix, and stays silent on a clean one; a healthy bundle gets no warning."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from diagnosis import Finding, Severity
from diagnosis.audit import REGISTRY, audit_data
from diagnosis.audit.class_imbalance import ClassImbalance
from diagnosis.audit.conflicting_labels import CHANCE_PAIRS, CHANCE_WARNING_ERROR, ConflictingLabels
from diagnosis.audit.constant_features import ConstantFeatures
from diagnosis.audit.duplicate_samples import DuplicateSamples
from diagnosis.audit.insufficient_data import InsufficientData
from diagnosis.audit.label_format_mismatch import LabelFormatMismatch
from diagnosis.audit.label_noise import LabelNoise
from diagnosis.audit.nonfinite_values import NonfiniteValues
from diagnosis.audit.train_val_shift import TrainValShift, ks_statistics
from diagnosis.audit.unscaled_features import UnscaledFeatures
from diagnosis.audit.unscaled_targets import UnscaledTargets
from diagnosis.bundle import BundleData, LayerInfo, ModelInfo
from diagnosis.models import Category
from diagnosis.taxonomy import CAUSES

DATA_CODES = CAUSES[Category.data]


def model(loss: str = "sparse_categorical_crossentropy", units: int = 3, params: int = 2000) -> ModelInfo:
    activation = {"binary_crossentropy": "sigmoid", "mean_squared_error": "linear"}.get(loss, "softmax")
    return ModelInfo(
        loss=loss, from_logits=False, output_units=units, output_activation=activation, param_count=params
    )


def blobs(n: int, d: int = 10, k: int = 3, separation: float = 5.0, seed: int = 0) -> tuple:
    """Standardized gaussian classes with balanced labels: what healthy tabular data looks like."""
    rng = np.random.default_rng(seed)
    centers = rng.normal(size=(k, d))
    centers *= separation / np.linalg.norm(centers, axis=1, keepdims=True)
    y = np.arange(n) % k
    rng.shuffle(y)
    x = centers[y] + rng.normal(size=(n, d))
    return ((x - x.mean(axis=0)) / x.std(axis=0)).astype(np.float32), y


def split(x: np.ndarray, y: np.ndarray, val: float = 0.2) -> BundleData:
    cut = int(len(x) * (1 - val))
    return BundleData(x[:cut], y[:cut], x[cut:], y[cut:])


def regression(n: int, d: int = 8, seed: int = 0) -> tuple:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d))
    return x, x @ rng.normal(size=d) / np.sqrt(d) + 0.1 * rng.normal(size=n)


def flip(y: np.ndarray, rate: float, k: int, seed: int = 1) -> np.ndarray:
    """Labels with `rate` of them moved to another class at random."""
    rng = np.random.default_rng(seed)
    wrong = rng.random(len(y)) < rate
    noisy = y.copy()
    noisy[wrong] = (y[wrong] + rng.integers(1, k, wrong.sum())) % k
    return noisy


def warnings_or_errors(findings: list[Finding]) -> list[str]:
    return [f"{f.code}: {f.summary}" for f in findings if f.severity is not Severity.info]


# --- the registry and the whole audit ------------------------------------------------------


def test_every_data_cause_has_a_check() -> None:
    assert set(REGISTRY) == DATA_CODES


@pytest.mark.parametrize("seed", range(3))
def test_healthy_classification_bundle_has_no_warning(seed: int) -> None:
    x, y = blobs(2500, d=20, k=3, seed=seed)
    findings = audit_data(split(x, y), model())
    assert warnings_or_errors(findings) == []


def test_healthy_regression_bundle_has_no_warning() -> None:
    x, t = regression(1500)
    findings = audit_data(split(x, t), model("mean_squared_error", units=1))
    assert warnings_or_errors(findings) == []


def test_findings_come_worst_first() -> None:
    x, y = blobs(600)
    x[3, 2] = np.nan
    y = np.where(np.arange(600) < 590, 0, 1)
    findings = audit_data(BundleData(x, y), model(units=2))
    ranks = [f.severity.rank for f in findings]
    assert ranks == sorted(ranks, reverse=True)
    assert findings[0].severity is Severity.error


def test_mismatched_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="x_train has 10 samples but y_train has 9"):
        audit_data(BundleData(np.zeros((10, 2)), np.zeros(9)))


def test_ten_thousand_by_a_hundred_completes() -> None:
    x, y = blobs(12_000, d=100, k=10, separation=8.0)
    findings = audit_data(split(x, y, val=1 / 6), model(units=10, params=50_000))
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
    findings = audit_data(BundleData(x, y, x[: len(x) // 2], y[: len(x) // 2]), model(loss, units=classes))
    assert all(f.code in DATA_CODES and 0 <= f.confidence <= 1 for f in findings)
    assert ("nonfinite_values" in {f.code for f in findings}) == (not np.isfinite(x).all())


# --- class_imbalance -----------------------------------------------------------------------


def test_class_imbalance_gives_balanced_weights() -> None:
    x, _ = blobs(1000)
    y = (np.arange(1000) >= 950).astype(int)  # 950 of class 0, 50 of class 1
    finding = ClassImbalance().check(BundleData(x, y), None)
    assert finding is not None
    assert finding.severity is Severity.warning
    assert finding.evidence["imbalance_ratio"] == 19.0
    assert finding.evidence["minority_share"] == 0.05
    assert finding.fix["class_weight"] == {0: pytest.approx(1000 / (2 * 950), 1e-3), 1: 10.0}
    assert "class_weight={0: 0.5263, 1: 10.0}" in finding.recommendation


def test_class_imbalance_reads_one_hot_labels() -> None:
    y = np.eye(3)[np.r_[np.zeros(800, int), np.ones(150, int), np.full(50, 2)]]
    finding = ClassImbalance().check(BundleData(np.zeros((1000, 2)), y), None)
    assert finding is not None
    assert finding.evidence["class_counts"] == {0: 800, 1: 150, 2: 50}
    assert finding.evidence["imbalance_ratio"] == 16.0


def test_moderate_imbalance_is_info_and_balanced_is_silent() -> None:
    x, _ = blobs(500)
    moderate = ClassImbalance().check(BundleData(x, (np.arange(500) % 5 == 0).astype(int)), None)
    assert moderate is not None
    assert moderate.severity is Severity.info
    assert ClassImbalance().check(BundleData(x, np.arange(500) % 2), None) is None


def test_a_single_class_is_an_error() -> None:
    finding = ClassImbalance().check(BundleData(np.zeros((50, 2)), np.ones(50)), None)
    assert finding is not None
    assert finding.severity is Severity.error


def test_regression_targets_are_not_classes() -> None:
    x, t = regression(300)
    assert ClassImbalance().check(BundleData(x, np.exp(3 * t)), None) is None


# --- unscaled_features ---------------------------------------------------------------------


def test_unscaled_features_names_the_worst_columns() -> None:
    x, y = blobs(800, d=6)
    x = x.astype(np.float64)
    x[:, 2] = x[:, 2] * 9 + 2005  # a year
    x[:, 4] *= 1e4  # an amount in cents
    finding = UnscaledFeatures().check(BundleData(x, y), None)
    assert finding is not None
    assert finding.severity is Severity.warning
    assert finding.evidence["features_off_scale"] == 2
    assert [c["feature"] for c in finding.evidence["worst_features"]] == [4, 2]
    assert finding.evidence["worst_features"][1]["mean"] == pytest.approx(2005, abs=1)
    assert finding.fix == {"standardize_inputs": True}


def test_raw_pixels_are_divided_by_255() -> None:
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(200, 8, 8, 1), dtype=np.uint8)
    finding = UnscaledFeatures().check(BundleData(images, np.arange(200) % 2), None)
    assert finding is not None
    assert finding.evidence["pixel_values"] is True
    assert finding.fix == {"rescale": pytest.approx(1 / 255)}
    assert "Rescaling(1/255)" in finding.recommendation


def test_scales_spanning_orders_of_magnitude_are_flagged() -> None:
    x, y = blobs(500, d=4)
    x = x.astype(np.float64) * np.array([0.02, 1.0, 1.0, 5.0])  # each in range, 250x apart
    finding = UnscaledFeatures().check(BundleData(x, y), None)
    assert finding is not None
    assert finding.evidence["features_off_scale"] == 0
    assert finding.evidence["std_spread"] == pytest.approx(250, rel=0.01)


def test_standardized_and_indicator_features_are_silent() -> None:
    x, y = blobs(2000, d=5)
    rare = (np.arange(2000) == 7).astype(np.float32)[:, None]  # a one-hot column seen once
    minmax = np.random.default_rng(0).random((2000, 1))
    assert UnscaledFeatures().check(BundleData(np.hstack([x, rare, minmax]), y), None) is None


def test_token_ids_for_an_embedding_are_not_features() -> None:
    tokens = np.random.default_rng(0).integers(0, 20_000, size=(300, 50))
    embedded = ModelInfo(
        loss="binary_crossentropy",
        from_logits=False,
        output_units=1,
        output_activation="sigmoid",
        param_count=10**6,
        layers=[LayerInfo(name="embed", kind="Embedding")],
    )
    assert UnscaledFeatures().check(BundleData(tokens, np.arange(300) % 2), embedded) is None
    assert UnscaledFeatures().check(BundleData(tokens, np.arange(300) % 2), None) is not None


# --- unscaled_targets ----------------------------------------------------------------------


def test_large_regression_targets_get_their_standardization() -> None:
    x, t = regression(1000)
    prices = 180_000 + 80_000 * t
    finding = UnscaledTargets().check(BundleData(x, prices), model("mean_squared_error", units=1))
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
    log_loss = model("mean_squared_logarithmic_error", units=1)
    assert UnscaledTargets().check(BundleData(x, 1e5 * np.exp(t)), log_loss) is None


# --- nonfinite_values ----------------------------------------------------------------------


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


# --- constant_features ---------------------------------------------------------------------


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


# --- duplicate_samples ---------------------------------------------------------------------


def test_duplicates_within_training_are_counted() -> None:
    x, y = blobs(1000)
    x[800:] = x[:200]  # 200 copies: 20%
    finding = DuplicateSamples().check(BundleData(x, y), None)
    assert finding is not None
    assert finding.severity is Severity.warning
    assert finding.evidence["train_copies"] == 200
    assert finding.evidence["first_copies"][:3] == [800, 801, 802]
    assert finding.fix == {"drop_duplicates": True}


def test_validation_rows_seen_in_training_are_leakage() -> None:
    x, y = blobs(1000)
    x_val, y_val = x[800:].copy(), y[800:]
    leaked = np.arange(0, 200, 10)  # 20 of 200: 10 %, above the score's noise of 3.5 %
    x_val[leaked] = x[:20]
    finding = DuplicateSamples().check(BundleData(x[:800], y[:800], x_val, y_val), None)
    assert finding is not None
    assert finding.severity is Severity.warning
    assert finding.evidence["val_in_train"] == 20
    assert finding.evidence["val_score_noise"] == 0.03536
    assert finding.fix == {"drop_val_indices": [int(i) for i in leaked]}


@pytest.mark.parametrize(
    ("n_val", "leaked", "severity"), [(30, 1, "info"), (30, 6, "warning"), (200, 3, "info")]
)
def test_a_leak_within_the_validation_scores_sampling_noise_is_info(
    n_val: int, leaked: int, severity: str
) -> None:
    """One repeated flower among 30 validation irises can lift the accuracy by 3.3 %, under its
    standard error of up to 0.5/sqrt(30) = 9.1 %; six (20 %) cannot hide in that noise."""
    x, y = blobs(120 + n_val)
    x_val, y_val = x[120:].copy(), y[120:]
    x_val[:leaked] = x[:leaked]
    finding = DuplicateSamples().check(BundleData(x[:120], y[:120], x_val, y_val), None)
    assert finding is not None
    assert finding.severity is Severity(severity)
    assert finding.evidence["val_in_train"] == leaked
    assert finding.fix == {"drop_val_indices": list(range(leaked))}
    if severity == "info":
        assert "within its sampling noise" in finding.summary


def test_repeats_of_few_categorical_values_are_only_info() -> None:
    rng = np.random.default_rng(0)
    x = rng.integers(0, 3, size=(1000, 3)).astype(np.float32)  # 27 possible rows
    finding = DuplicateSamples().check(BundleData(x, np.arange(1000) % 2), None)
    assert finding is not None
    assert finding.severity is Severity.info
    assert finding.evidence["chance_identical_pairs_train"] > 1


def test_a_few_copies_are_info_and_none_is_silent() -> None:
    x, y = blobs(1000)
    assert DuplicateSamples().check(split(x, y), None) is None
    x[999] = x[0]
    finding = DuplicateSamples().check(BundleData(x, y), None)
    assert finding is not None
    assert finding.severity is Severity.info
    assert finding.evidence["first_copies"] == [999]


# --- conflicting_labels --------------------------------------------------------------------


def test_copies_with_other_labels_are_conflicts() -> None:
    x, y = blobs(1000)
    x[900:], y[900:] = x[:100], (y[:100] + 1) % 3  # 100 conflicting pairs: 20% of samples
    finding = ConflictingLabels().check(BundleData(x, y), None)
    assert finding is not None
    assert finding.severity is Severity.error
    assert finding.evidence["conflicting_groups"] == 100
    assert finding.evidence["conflicting_samples"] == 200
    assert finding.evidence["unavoidable_error"] == 0.1
    assert len(finding.fix["drop_indices"]) == 100


def test_a_few_conflicts_are_a_warning_that_keeps_the_majority() -> None:
    x, y = blobs(1000)
    x[[10, 11]] = x[5]
    y[[5, 10, 11]] = [0, 0, 2]
    finding = ConflictingLabels().check(BundleData(x, y), None)
    assert finding is not None
    assert finding.severity is Severity.warning
    assert finding.fix == {"drop_indices": [11]}
    assert finding.evidence["examples"] == [{"samples": [5, 10, 11], "labels": [0, 2]}]


def test_conflicts_on_few_categorical_values_are_info() -> None:
    rng = np.random.default_rng(0)
    x = rng.integers(0, 2, size=(500, 3)).astype(np.float32)
    y = np.where(rng.random(500) < 0.1, 1 - x[:, 0], x[:, 0]).astype(np.int64)  # 10 % noise
    finding = ConflictingLabels().check(BundleData(x, y), None)
    assert finding is not None
    assert finding.severity is Severity.info
    assert finding.evidence["unavoidable_error"] < CHANCE_WARNING_ERROR


def test_chance_overlap_that_caps_accuracy_below_80_percent_is_a_warning() -> None:
    rng = np.random.default_rng(0)
    # Categorical inputs that say nothing about the label: half the samples must be wrong.
    x = rng.integers(0, 2, size=(500, 3)).astype(np.float32)
    finding = ConflictingLabels().check(BundleData(x, rng.integers(0, 2, 500)), None)
    assert finding is not None
    assert finding.severity is Severity.warning
    # 30 % of two continuous features copied with the other class: the copies themselves
    # make the chance estimate call the overlap expected, and the ceiling is 77 %.
    x = rng.normal(size=(1500, 2)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int64)
    copies = rng.choice(1500, 450, replace=False)
    x, y = np.concatenate([x, x[copies]]), np.concatenate([y, 1 - y[copies]])
    finding = ConflictingLabels().check(BundleData(x, y), None)
    assert finding is not None
    assert finding.evidence["chance_identical_pairs"] >= CHANCE_PAIRS
    assert finding.severity is Severity.warning


def test_consistent_copies_are_silent() -> None:
    x, y = blobs(500)
    x[400:], y[400:] = x[:100], y[:100]
    assert ConflictingLabels().check(BundleData(x, y), None) is None


# --- label_noise ---------------------------------------------------------------------------


@pytest.mark.parametrize("k", [2, 4])
def test_label_noise_estimate_is_near_the_injected_rate(k: int) -> None:
    x, y = blobs(3000, k=k, seed=k)
    noisy = flip(y, 0.3, k)
    finding = LabelNoise().check(BundleData(x, noisy), None)
    assert finding is not None
    assert finding.severity is Severity.warning
    assert 0.15 <= finding.evidence["estimated_noise_rate"] <= 0.45
    assert finding.evidence["samples_used"] == 2000
    assert finding.evidence["subsampled"] is True
    flagged = finding.fix["review_indices"]
    assert np.mean(noisy[flagged] != y[flagged]) > 0.8  # the listed samples are mostly the flipped ones


def test_clean_labels_are_silent() -> None:
    x, y = blobs(2000, k=3)
    assert LabelNoise().check(BundleData(x, y), None) is None


def test_noise_is_not_estimated_when_features_do_not_predict_labels() -> None:
    x, _ = blobs(1000)
    random_labels = np.random.default_rng(7).integers(0, 2, 1000)
    finding = LabelNoise().check(BundleData(x, random_labels), None)
    assert finding is not None
    assert finding.severity is Severity.info
    assert finding.evidence["estimated_noise_rate"] is None
    assert finding.evidence["knn_kappa"] < 0.2


# --- train_val_shift -----------------------------------------------------------------------


def test_shifted_features_are_named() -> None:
    x, y = blobs(2500, d=10)
    x_val = x[2000:].copy()
    x_val[:, [1, 6, 8]] += 1.5  # three of ten features move by 1.5 standard deviations
    finding = TrainValShift().check(BundleData(x[:2000], y[:2000], x_val, y[2000:]), None)
    assert finding is not None
    assert finding.severity is Severity.warning
    assert finding.evidence["features_shifted"] == 3
    assert {f["feature"] for f in finding.evidence["worst_features"]} == {1, 6, 8}
    assert finding.fix == {"shuffle_before_split": True, "stratify": True}


def test_a_spread_only_shift_is_named_by_the_scale_ratio() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2000, 12))
    y = (x[:, 0] > 0).astype(np.int64)
    x_val = rng.normal(size=(400, 12))
    x_val[:, :6] *= 3.0  # centred features recalibrated: same mean, three times the spread
    finding = TrainValShift().check(BundleData(x, y, x_val, (x_val[:, 0] > 0).astype(np.int64)), None)
    assert finding is not None
    assert finding.severity is Severity.warning
    assert finding.evidence["features_shifted"] == 6
    worst = finding.evidence["worst_features"]
    assert all(abs(f["smd"]) < 0.5 and f["scale_ratio"] > 2 for f in worst)


def test_a_split_sorted_by_label_shifts_the_labels() -> None:
    x, y = blobs(2000, k=2, separation=0.5)
    order = np.argsort(y, kind="stable")
    x, y = x[order], y[order]  # validation_split on sorted data: the last 20% is one class
    finding = TrainValShift().check(split(x, y), None)
    assert finding is not None
    assert finding.severity is Severity.warning
    assert finding.evidence["labels"]["shifted"] is True
    assert finding.evidence["labels"]["val_shares"] == {0: 0.0, 1: 1.0}


def test_classes_unseen_in_training_are_reported() -> None:
    x, y = blobs(1000)
    y_val = y[800:].copy()
    y_val[:5] = 9
    finding = TrainValShift().check(BundleData(x[:800], y[:800], x[800:], y_val), None)
    assert finding is not None
    assert finding.evidence["labels"]["val_classes_unseen_in_train"] == [9]


def test_feature_count_mismatch_is_an_error() -> None:
    x, y = blobs(300)
    finding = TrainValShift().check(BundleData(x, y, x[:, :5], y), None)
    assert finding is not None
    assert finding.severity is Severity.error


def test_a_random_split_does_not_shift() -> None:
    x, y = blobs(1200, d=30)
    assert TrainValShift().check(split(x, y), None) is None


def test_a_small_random_split_does_not_shift_either() -> None:
    x, y = blobs(1030, d=50)
    assert TrainValShift().check(BundleData(x[:1000], y[:1000], x[1000:], y[1000:]), None) is None


def test_float32_columns_stuck_at_one_value_do_not_shift() -> None:
    # Summed in float32 a constant column's mean and variance differ in the last bits between
    # splits of different sizes, which read as an SMD of 1-2 before the sums were float64.
    x, y = blobs(2000, d=8)
    x = x.astype(np.float32)
    x[:, [2, 5]] = np.float32(0.1), np.float32(1234.567)
    assert TrainValShift().check(BundleData(x[:1500], y[:1500], x[1500:], y[1500:]), None) is None
    # A column stuck at one value in training and another in validation has moved.
    x_val = x[1500:].copy()
    x_val[:, 2] = np.float32(0.2)
    finding = TrainValShift().check(BundleData(x[:1500], y[:1500], x_val, y[1500:]), None)
    assert finding is not None
    assert [f["feature"] for f in finding.evidence["worst_features"]] == [2]


def _brute_force_ks(a: np.ndarray, b: np.ndarray) -> float:
    points = np.concatenate([a, b])
    return float(
        max(abs(np.mean(a <= p) - np.mean(b <= p)) for p in points)  # sup over all sample points
    )


@settings(max_examples=60, deadline=None)
@given(
    a=hnp.arrays(np.float64, st.integers(1, 30), elements=st.integers(-3, 3).map(float)),
    b=hnp.arrays(np.float64, st.integers(1, 30), elements=st.floats(-3, 3, width=16)),
)
def test_ks_statistic_matches_its_definition(a: np.ndarray, b: np.ndarray) -> None:
    statistic = ks_statistics(a[:, None], b[:, None])
    assert statistic[0] == pytest.approx(_brute_force_ks(a, b), abs=1e-12)


# --- label_format_mismatch -----------------------------------------------------------------

ONE_HOT_3 = np.eye(3)[np.arange(90) % 3]
INTEGERS_3 = np.arange(90) % 3


@pytest.mark.parametrize(
    ("y", "loss", "units", "fix"),
    [
        (ONE_HOT_3, "sparse_categorical_crossentropy", 3, {"loss": "categorical_crossentropy"}),
        (INTEGERS_3, "categorical_crossentropy", 3, {"loss": "sparse_categorical_crossentropy"}),
        (INTEGERS_3 + 1, "sparse_categorical_crossentropy", 3, {"output_units": 4}),
        (INTEGERS_3 - 1, "sparse_categorical_crossentropy", 3, {"remap_labels": {-1: 0, 0: 1, 1: 2}}),
        (
            INTEGERS_3,
            "binary_crossentropy",
            1,
            {"loss": "sparse_categorical_crossentropy", "output_units": 3, "output_activation": "softmax"},
        ),
        (np.where(INTEGERS_3 > 0, 1, -1), "binary_crossentropy", 1, {"remap_labels": {-1: 0, 1: 1}}),
        (np.eye(2)[INTEGERS_3 % 2], "binary_crossentropy", 1, {"labels": "argmax"}),
        (
            INTEGERS_3 % 2,
            "categorical_crossentropy",
            1,
            {"loss": "binary_crossentropy", "output_activation": "sigmoid"},
        ),
        (
            (np.arange(90)[:, None] % 2 == np.arange(3)[None] % 2).astype(float),
            "categorical_crossentropy",
            3,
            {"loss": "binary_crossentropy", "output_activation": "sigmoid"},
        ),
        (
            INTEGERS_3,
            "mean_squared_error",
            3,
            {"loss": "sparse_categorical_crossentropy", "output_activation": "softmax"},
        ),
        (
            np.array(["cat", "dog", "eel"] * 30),
            "sparse_categorical_crossentropy",
            3,
            {"encode_labels": "integer"},
        ),
    ],
)
def test_label_format_mismatches_are_errors_with_a_fix(
    y: np.ndarray, loss: str, units: int, fix: dict
) -> None:
    finding = LabelFormatMismatch().check(BundleData(np.zeros((90, 2)), y), model(loss, units))
    assert finding is not None
    assert finding.severity is Severity.error
    assert finding.fix == fix
    assert finding.evidence["issues"][0]["array"] == "y_train"


@pytest.mark.parametrize(
    ("y", "loss", "units"),
    [
        (INTEGERS_3, "sparse_categorical_crossentropy", 3),
        (ONE_HOT_3, "categorical_crossentropy", 3),
        (INTEGERS_3 % 2, "binary_crossentropy", 1),
        (np.where(INTEGERS_3 > 0, 1, -1), "hinge", 1),
        (np.linspace(-5, 5, 90), "mean_squared_error", 1),
        (np.linspace(0, 1, 90), "binary_crossentropy", 1),
    ],
)
def test_matching_labels_are_silent(y: np.ndarray, loss: str, units: int) -> None:
    assert LabelFormatMismatch().check(BundleData(np.zeros((90, 2)), y), model(loss, units)) is None


def test_validation_labels_are_checked_too_and_no_model_means_no_check() -> None:
    data = BundleData(np.zeros((90, 2)), INTEGERS_3, np.zeros((90, 2)), ONE_HOT_3)
    finding = LabelFormatMismatch().check(data, model())
    assert finding is not None
    assert [i["array"] for i in finding.evidence["issues"]] == ["y_val"]
    assert LabelFormatMismatch().check(data, None) is None


# --- insufficient_data ---------------------------------------------------------------------


def test_many_parameters_per_sample_is_insufficient_data() -> None:
    x, y = blobs(500)
    finding = InsufficientData().check(BundleData(x, y), model(params=20_000))
    assert finding is not None
    assert finding.severity is Severity.warning
    assert finding.evidence["params_per_sample"] == 40.0
    assert finding.fix == {"max_param_count": 5000}


def test_a_class_with_a_handful_of_examples_is_insufficient() -> None:
    x, _ = blobs(2000)
    y = np.where(np.arange(2000) < 6, 2, np.arange(2000) % 2)
    finding = InsufficientData().check(BundleData(x, y), model())
    assert finding is not None
    assert finding.evidence["short_classes"] == {2: 6}
    assert finding.fix == {"min_samples_per_class": 10}


def test_tiny_data_is_insufficient_even_without_a_model() -> None:
    x, y = blobs(60)
    assert InsufficientData().check(BundleData(x, y), None) is not None


def test_enough_data_is_silent() -> None:
    x, y = blobs(2000)
    assert InsufficientData().check(BundleData(x, y), model(params=20_000)) is None


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
    audit_data(BundleData(x, y), model())
    assert seen
    assert set(seen) == {BLAS_THREADS}
