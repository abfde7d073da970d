"""unscaled_features: input features far from mean 0 and standard deviation 1, or on scales
that differ by orders of magnitude across columns.

Dense and conv layers are initialized for inputs of unit scale (Glorot/He): a feature in the
thousands saturates tanh/sigmoid units and makes the first layer's gradients huge, one in
the thousandths barely moves anything, and mixed scales give the loss a long narrow valley
that gradient descent zig-zags along. Raw pixels (0..255) are the common case. A model whose
first layer is an adapted Normalization layer (as the Keras guides build them) sees its inputs
standardized, so their raw scales are not a finding.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from diagnosis.audit.arrays import column_stats, embeds_tokens, finite_samples, row_chunks, sample_indices
from diagnosis.audit.base import Check
from diagnosis.bundle import BundleData, ModelInfo
from diagnosis.curves import rounded
from diagnosis.models import Finding, Severity
from diagnosis.taxonomy import Code
from diagnosis.units import Settled

if TYPE_CHECKING:
    from diagnosis.probes.settling import BundleFacts

# A standard deviation or |mean| above this puts pre-activations an order of magnitude past
# their initial scale.
LARGE = 10.0
# A spread below this (and not constant) leaves the feature's signal a hundredth of its peers'.
SMALL_STD = 0.01
# A mean further from 0 than this many standard deviations (and above OFFSET_FLOOR) is a
# feature that was never centered: it acts like a large constant input.
OFFSET_STDS = 3.0
OFFSET_FLOOR = 3.0
# Standard deviations of the (non-binary) columns spanning this ratio condition the loss badly
# even when each column alone is in range.
SPREAD = 100.0
# A column that holds one value (usually 0) in at least this share of rows is sparse, and its
# scale has two honest readings: the std, which mostly measures how rarely it departs from that
# value, and the root-mean-square size of the departures. A raw [0, 1] image's near-empty border
# pixel has std 0.002 but departures of 0.5; the same pixel standardized has std 1 but
# departures of 30. Neither is off scale: a sparse column is only flagged when both readings are.
SPARSE_SHARE = 0.5
# Rows sampled to find each column's common value.
COMMON_SAMPLE = 2000
# Integer pixel values: what keras.layers.Rescaling should divide by.
PIXEL_MAX = 255
# Columns named in the evidence, worst first.
LISTED = 5


def scale_bounds(rows: np.ndarray, std: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per column, the lower and upper reading of its scale: both the std for a dense column;
    for a sparse one, the std and the RMS size of its departures from its common value (the
    median of a seeded sample of rows, which is that value when it fills half of them)."""
    common = np.median(rows[sample_indices(len(rows), COMMON_SAMPLE)], axis=0)
    departures = np.zeros(rows.shape[1])
    squares = np.zeros(rows.shape[1])
    for _, block in row_chunks(rows):
        away = block != common
        departures += away.sum(axis=0)
        squares += np.where(away, (block.astype(np.float64) - common) ** 2, 0.0).sum(axis=0)
    sparse = (departures > 0) & (departures <= (1 - SPARSE_SHARE) * len(rows))
    size = np.where(sparse, np.sqrt(squares / np.maximum(departures, 1)), std)
    return np.minimum(std, size), np.maximum(std, size)


@dataclass
class UnscaledFeatures(Check):
    code = Code.unscaled_features
    trials = ((Code.unscaled_features, "standardize_inputs"),)

    def settle(self, finding: Finding, facts: BundleFacts) -> Settled | None:
        """A scale far from unit is a hazard: a replay of the user's setup that fit the data
        anyway shows it cost nothing (underfitting.trained_through)."""
        from diagnosis.rules.underfitting import trained_through

        return trained_through(facts)

    def check(self, data: BundleData, model: ModelInfo | None) -> Finding | None:
        x = data.x_train
        if model is not None and model.normalizes_inputs:
            return None  # the model standardizes them itself; the raw scales never reach a weight
        samples = finite_samples(x)
        if samples is None or x.dtype.kind == "b" or len(samples.x) < 2 or embeds_tokens(x, model):
            return None
        stats = column_stats(samples.x)
        scaled = ~(stats.binary | stats.constant)  # 0/1 indicators are at scale whatever their rate
        std, mean = stats.std, np.abs(stats.mean)
        low, high = scale_bounds(samples.x, std)
        with np.errstate(divide="ignore", invalid="ignore"):
            factor = np.maximum.reduce(
                [
                    np.maximum(low, mean) / LARGE,
                    np.where(high > 0, SMALL_STD / high, 0.0),
                    np.minimum(mean / (OFFSET_STDS * std), mean / OFFSET_FLOOR),
                ]
            )
        factor = np.where(scaled, np.nan_to_num(factor, posinf=np.finfo(float).max), 0.0)
        flagged = np.flatnonzero(factor > 1)
        # The spread no reading of the sparse columns' scales explains: the largest lower
        # reading over the smallest upper one.
        spread = float(low[scaled].max() / high[scaled].min()) if scaled.any() else 1.0
        pixels = bool(
            stats.integral.all()
            and stats.minimum.min() >= 0
            and 1 < stats.maximum.max() <= PIXEL_MAX
            and (x.dtype == np.uint8 or x.ndim > 2)
        )
        if not flagged.size and spread < SPREAD and not pixels:
            return None
        if flagged.size:
            worst = flagged[np.argsort(-factor[flagged], kind="stable")][:LISTED]
        else:
            candidates = np.flatnonzero(scaled)  # the two columns that make the spread
            worst = np.unique([candidates[np.argmin(high[scaled])], candidates[np.argmax(low[scaled])]])
        columns = [
            {
                "feature": int(j),
                "mean": rounded(stats.mean[j], 4),
                "std": rounded(std[j], 4),
                "scale": [rounded(low[j], 4), rounded(high[j], 4)],
            }
            for j in worst
        ]
        evidence: dict[str, Any] = {
            "features": int(samples.x.shape[1]),
            "features_off_scale": int(flagged.size),
            "worst_features": columns,
            "std_spread": rounded(spread, 4),
            "value_range": [rounded(stats.minimum.min(), 6), rounded(stats.maximum.max(), 6)],
            "pixel_values": pixels,
            "thresholds": {
                "large": LARGE,
                "small_std": SMALL_STD,
                "offset_stds": OFFSET_STDS,
                "offset_floor": OFFSET_FLOOR,
                "spread": SPREAD,
                "sparse_share": SPARSE_SHARE,
            },
        }
        worst_factor = float(factor[worst[0]]) if flagged.size else spread / SPREAD
        score = min(0.95, 0.6 + 0.1 * math.log10(max(worst_factor, 1.0)))
        named = ", ".join(f"{c['feature']} (mean {c['mean']:.5g}, std {c['std']:.3g})" for c in columns)
        if pixels:
            return self.finding(
                severity=Severity.warning,
                score=max(score, 0.8),
                summary=f"x_train holds raw pixel values 0..{stats.maximum.max():.0f}; the network expects "
                "inputs of unit scale.",
                evidence=evidence,
                recommendation=f"Divide by {PIXEL_MAX}: add keras.layers.Rescaling(1/{PIXEL_MAX}) as the "
                f"first layer (or x = x.astype('float32') / {PIXEL_MAX} for train and validation alike).",
                fix={"rescale": 1 / PIXEL_MAX},
            )
        return self.finding(
            severity=Severity.warning,
            score=score,
            summary=(
                f"{flagged.size} of {samples.x.shape[1]} features are far from mean 0 / std 1"
                if flagged.size
                else f"Feature standard deviations span {spread:.0f}x across columns"
            )
            + f"; worst: {named}.",
            evidence=evidence,
            recommendation="Standardize every feature with the training statistics: add norm = "
            "keras.layers.Normalization() as the first layer and call norm.adapt(x_train) (or "
            "x = (x - mean) / std with mean and std of x_train, applied to validation too).",
            fix={"standardize_inputs": True},
        )
