"""train_val_shift: the validation set does not come from the training set's distribution.

Per feature, the standardized mean difference (SMD), the two-sample Kolmogorov-Smirnov
statistic and the ratio of the spreads compare x_val with x_train; the labels are compared
too (class shares, or the targets like a feature). A shifted validation set makes the
validation loss say little about generalization: it sits above the training loss from the
first epoch, or falls and rises with no relation to overfitting. The usual culprits are a
split without shuffling (Keras' validation_split takes the last fraction of the arrays as
they are) and preprocessing fitted separately on each split.

The spread ratio catches what the other two miss: a centred feature recorded on another
scale (a sensor recalibrated 3x) keeps its mean, so it has no SMD, and a normal against one
of three times its spread is only ~0.23 apart in KS distance. A spread counts as changed only
when the standard deviation and the interquartile range both moved by the same factor in the
same direction: the standard deviation alone swings with a few outliers, and the IQR alone
jumps between the few values of a discrete column (pixel intensities, counts).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from diagnosis.audit.arrays import (
    class_labels,
    embeds_tokens,
    finite_mask,
    finite_samples,
    first_copies,
    rebalanced,
    regression_targets,
    sample_indices,
)
from diagnosis.audit.base import Check
from diagnosis.audit.duplicate_samples import OVERSAMPLED_FROM, REBALANCE_GAIN
from diagnosis.bundle import BundleData, ModelInfo
from diagnosis.curves import rounded
from diagnosis.models import Finding, Severity
from diagnosis.taxonomy import Code

# A feature has shifted when its means differ by half a pooled standard deviation (a
# "medium" effect), or its distributions differ by 0.3 in KS distance.
SMD = 0.5
KS = 0.3
# Small validation sets differ by chance: the thresholds never go below what a split of the
# sizes at hand exceeds with probability ~1e-4 per feature (z for the SMD, c(alpha) =
# sqrt(-ln(alpha / 2) / 2) for the KS statistic).
SMD_Z = 3.9
KS_C = 2.23
# A feature's spread has shifted when it doubled or halved (std and IQR both, log ratio past
# ln 2), and past chance: SCALE_Z times the sampling noise of a log IQR ratio, which for
# normal data has variance IQR_LOG_VARIANCE * (1/n + 1/m) (the quartiles' asymptotic
# variances and covariance); at 10 validation rows the floor is a ratio of ~7.6.
SCALE_RATIO = 2.0
SCALE_Z = 3.9
IQR_LOG_VARIANCE = 1.36
# From this share of shifted features the validation set is a different population.
SHARE = 0.1
# KS sorts every column: at most this many rows per split and this many features take part
# (seeded samples), which keeps the chance floor (~0.05 at 2000 rows) far under KS.
MAX_ROWS = 2000
MAX_FEATURES = 512
# Fewer validation samples than this say nothing about a distribution.
MIN_VAL = 10
# Class shares: a total variation distance from 0.1 on (and over LABEL_Z times its sampling
# noise) moves the majority-class baseline by as much.
LABEL_TVD = 0.1
LABEL_Z = 3.0
# Features named in the evidence, most shifted first.
LISTED = 5


def ks_statistics(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Two-sample Kolmogorov-Smirnov statistic of each column of a (n, d) against b (m, d):
    the largest gap between the two empirical CDFs, evaluated after every run of ties."""
    n, m = len(a), len(b)
    pooled = np.ascontiguousarray(np.concatenate([a, b]).T)  # one row per column: fast sorts
    order = np.argsort(pooled, axis=1)
    values = np.take_along_axis(pooled, order, axis=1)
    gap = np.cumsum(np.where(order < n, 1.0 / n, -1.0 / m), axis=1)
    run_end = np.ones(values.shape, dtype=bool)
    run_end[:, :-1] = values[:, 1:] != values[:, :-1]
    largest: np.ndarray = np.abs(np.where(run_end, gap, 0.0)).max(axis=1)
    return largest


def standardized_mean_difference(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(mean b - mean a) over the pooled standard deviation, per column; infinite for a
    column constant in both splits at different values.

    Accumulated in float64, and a spread or difference below float32's resolution at the
    column's magnitude counts as none: summed in float32, a constant column's mean and
    variance come out a few last bits apart in the two splits, and their ratio read as an SMD
    of 1-2."""
    mean_a, mean_b = a.mean(axis=0, dtype=np.float64), b.mean(axis=0, dtype=np.float64)
    resolution = np.finfo(np.float32).eps * np.maximum(np.abs(mean_a), np.abs(mean_b))
    difference = mean_b - mean_a
    difference = np.where(np.abs(difference) > resolution, difference, 0.0)
    pooled = np.sqrt((a.var(axis=0, dtype=np.float64) + b.var(axis=0, dtype=np.float64)) / 2)
    pooled = np.where(pooled > resolution, pooled, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(pooled > 0, difference / pooled, np.where(difference == 0, 0.0, np.inf))


def log_scale_ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """ln(spread of b / spread of a) per column, where the standard deviation and the IQR
    agree on the direction: the one of the two nearer 1 (the weaker claim); 0 where they
    disagree, and for a column without spread (std or IQR 0) in either split."""

    def iqr(values: np.ndarray) -> np.ndarray:
        upper, lower = np.percentile(values, [75, 25], axis=0)
        spread: np.ndarray = upper - lower
        return spread

    with np.errstate(divide="ignore", invalid="ignore"):
        by_std = np.log(b.std(axis=0) / a.std(axis=0))
        by_iqr = np.log(iqr(b) / iqr(a))
    agree = np.isfinite(by_std) & np.isfinite(by_iqr) & (np.sign(by_std) == np.sign(by_iqr))
    return np.where(agree, np.sign(by_std) * np.minimum(np.abs(by_std), np.abs(by_iqr)), 0.0)


@dataclass(frozen=True)
class Comparison:
    """Per-column SMD, KS and log spread ratio of two samples, the thresholds their sizes
    allow, and the verdict."""

    smd: np.ndarray
    ks: np.ndarray
    scale: np.ndarray
    smd_limit: float
    ks_limit: float
    scale_limit: float
    rows: tuple[int, int]

    @property
    def shifted(self) -> np.ndarray:
        past: np.ndarray = (
            (np.abs(self.smd) > self.smd_limit)
            | (self.ks > self.ks_limit)
            | (np.abs(self.scale) > self.scale_limit)
        )
        return past

    @property
    def strength(self) -> np.ndarray:
        """How far past its thresholds each column is (above 1: shifted)."""
        by_scale = np.abs(self.scale) / self.scale_limit
        worst: np.ndarray = np.maximum.reduce(
            [np.abs(self.smd) / self.smd_limit, self.ks / self.ks_limit, by_scale]
        )
        return worst

    def thresholds(self) -> dict[str, float | None]:
        return {
            "smd": rounded(self.smd_limit, 4),
            "ks": rounded(self.ks_limit, 4),
            "scale_ratio": rounded(math.exp(self.scale_limit), 4),
        }


def compare(a: np.ndarray, b: np.ndarray) -> Comparison:
    """Compare the columns of a (n, d) and b (m, d), on at most MAX_ROWS rows of each."""
    a, b = a[sample_indices(len(a), MAX_ROWS)], b[sample_indices(len(b), MAX_ROWS)]
    noise = math.sqrt(1 / len(a) + 1 / len(b))
    return Comparison(
        standardized_mean_difference(a, b),
        ks_statistics(a, b),
        log_scale_ratio(a, b),
        max(SMD, SMD_Z * noise),
        max(KS, KS_C * noise),
        max(math.log(SCALE_RATIO), SCALE_Z * math.sqrt(IQR_LOG_VARIANCE) * noise),
        (len(a), len(b)),
    )


def _label_shift(data: BundleData, model: ModelInfo | None) -> dict[str, Any] | None:
    """How the labels moved: class shares for classes, SMD and KS for regression targets.
    Training rows oversampled to even out the classes (duplicate_samples' `rebalanced`) are
    compared by their distinct rows: the copies change what the model is fitted to, on purpose,
    not which population the rows come from."""
    assert data.y_val is not None
    kept = finite_mask(data.y_train)
    y_train = data.y_train[kept]
    y_val = data.y_val[finite_mask(data.y_val)]
    if len(y_val) < MIN_VAL:
        return None
    x_train = data.x_train[kept]
    oversampled = rebalanced(x_train, y_train, model, OVERSAMPLED_FROM, REBALANCE_GAIN)
    if oversampled is not None:
        y_train = y_train[first_copies(x_train)]
    train, val = class_labels(y_train, model), class_labels(y_val, model)
    if train is not None and val is not None and train.one_hot == val.one_hot:
        labels = np.union1d(train.labels[train.present], val.labels[val.present])
        p_train = np.array([train.counts[train.labels == c].sum() for c in labels]) / len(y_train)
        p_val = np.array([val.counts[val.labels == c].sum() for c in labels]) / len(y_val)
        tvd = float(np.abs(p_train - p_val).sum() / 2)
        noise = float(np.sqrt(p_train * (1 - p_train) * (1 / len(y_train) + 1 / len(y_val))).sum() / 2)
        limit = max(LABEL_TVD, LABEL_Z * noise)
        unseen = [int(c) for c, p in zip(labels, p_train, strict=True) if p == 0]
        return {
            "shifted": tvd > limit or bool(unseen),
            "total_variation": rounded(tvd, 4),
            "threshold": rounded(limit, 4),
            "train_shares": {int(c): rounded(p, 4) for c, p in zip(labels, p_train, strict=True)},
            "val_shares": {int(c): rounded(p, 4) for c, p in zip(labels, p_val, strict=True)},
            "val_classes_unseen_in_train": unseen,
            "train_rows": "distinct (oversampled)" if oversampled is not None else "all",
        }
    targets_train, targets_val = regression_targets(y_train, model), regression_targets(y_val, model)
    if targets_train is None or targets_val is None or targets_train.shape[1] != targets_val.shape[1]:
        return None
    compared = compare(targets_train, targets_val)
    return {
        "shifted": bool(compared.shifted.any()),
        "smd": [rounded(v, 4) for v in compared.smd],
        "ks": [rounded(v, 4) for v in compared.ks],
        "scale_ratio": [rounded(math.exp(v), 4) for v in compared.scale],
        "thresholds": compared.thresholds(),
    }


def _distinct_if_oversampled(
    x: np.ndarray, y: np.ndarray | None, model: ModelInfo | None
) -> np.ndarray | None:
    """The distinct training rows where copies even out the classes (duplicate_samples'
    `rebalanced`), else None. Oversampling the minority moves every feature that tells the
    classes apart (a 1:500 fraud table copied to 1:1 shifts the fraud columns by most of a
    standard deviation): the training set is fitted to other class shares on purpose, its rows
    still come from the validation set's population, and the distinct rows show that."""
    if y is None:
        return None
    finite = finite_mask(y)
    if rebalanced(x[finite], y[finite], model, OVERSAMPLED_FROM, REBALANCE_GAIN) is None:
        return None
    distinct: np.ndarray = x[first_copies(x)]
    return distinct


def _feature_shift(train: np.ndarray, val: np.ndarray) -> dict[str, Any]:
    """Which features moved, on at most MAX_FEATURES seeded columns."""
    columns = sample_indices(train.shape[1], MAX_FEATURES)
    compared = compare(train[:, columns], val[:, columns])
    shifted = np.flatnonzero(compared.shifted)
    worst = shifted[np.argsort(-compared.strength[shifted], kind="stable")][:LISTED]
    return {
        "features_tested": int(columns.size),
        "features_shifted": int(shifted.size),
        "share_shifted": rounded(shifted.size / columns.size, 4),
        "rows_compared": list(compared.rows),
        "worst_features": [
            {
                "feature": int(columns[j]),
                "smd": rounded(float(compared.smd[j]), 4),
                "ks": rounded(float(compared.ks[j]), 4),
                "scale_ratio": rounded(math.exp(float(compared.scale[j])), 4),
            }
            for j in worst
        ],
        "thresholds": {**compared.thresholds(), "share": SHARE},
    }


@dataclass
class TrainValShift(Check):
    code = Code.train_val_shift
    needs_validation = True

    def check(self, data: BundleData, model: ModelInfo | None) -> Finding | None:
        if data.x_val is None:
            return None
        train, val = finite_samples(data.x_train), finite_samples(data.x_val)
        if train is None or val is None:
            return None
        if train.x.shape[1] != val.x.shape[1]:
            return self._mismatch(data)
        if len(val.x) < MIN_VAL or len(train.x) < MIN_VAL:
            return None
        tokens = embeds_tokens(data.x_train, model)
        evidence: dict[str, Any] = {}
        if not tokens:
            y_train = None if data.y_train is None else data.y_train[train.index]
            distinct = _distinct_if_oversampled(train.x, y_train, model)
            evidence = _feature_shift(train.x if distinct is None else distinct, val.x)
            if distinct is not None:
                evidence["train_rows"] = "distinct (oversampled)"
        labels = None if data.y_val is None else _label_shift(data, model)
        if labels is not None:
            evidence["labels"] = labels
        features_shifted = evidence.get("features_shifted", 0)
        share = evidence.get("share_shifted", 0.0)
        labels_shifted = labels is not None and labels["shifted"]
        if not features_shifted and not labels_shifted:
            return None
        warning = share >= SHARE or labels_shifted
        parts = []
        if features_shifted:
            parts.append(f"{features_shifted} of {evidence['features_tested']} features ({share:.0%})")
        if labels_shifted:
            parts.append("the labels")
        return self.finding(
            severity=Severity.warning if warning else Severity.info,
            score=min(0.9, 0.5 + share) if share >= SHARE else 0.7 if labels_shifted else 0.4,
            summary=f"The validation set differs from the training set in {' and '.join(parts)}: "
            "validation metrics do not measure generalization to the training distribution.",
            evidence=evidence,
            recommendation="Split train and validation from one shuffled pool, stratified by class "
            "(sklearn's train_test_split(x, y, test_size=0.2, shuffle=True, stratify=y)) instead of "
            "Keras' validation_split, which takes the last 20% unshuffled; fit any preprocessing on the "
            "training split only and apply it to both.",
            fix={"shuffle_before_split": True, "stratify": labels is not None and "train_shares" in labels},
        )

    def _mismatch(self, data: BundleData) -> Finding:
        assert data.x_val is not None
        return self.finding(
            severity=Severity.error,
            score=1.0,
            summary=f"x_train samples have shape {data.x_train.shape[1:]} but x_val samples "
            f"{data.x_val.shape[1:]}: the model cannot be evaluated on the validation set.",
            evidence={"x_train_shape": list(data.x_train.shape), "x_val_shape": list(data.x_val.shape)},
            recommendation="Build x_val with the same preprocessing (same columns, same order, same "
            "image size) as x_train.",
        )
