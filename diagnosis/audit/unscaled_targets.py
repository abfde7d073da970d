"""unscaled_targets: regression targets far from unit scale.

A linear output starts near 0 with unit-scale weights. Targets around 10^5 start the MSE
near 10^10: SGD's steps explode, and Adam (whose steps are about the learning rate in size)
needs ~10^5 steps only to move the output bias there. Targets with a spread of 10^-3 give
losses so small that min_delta-based callbacks (EarlyStopping, ReduceLROnPlateau) stop
before anything is learned, while the model just predicts the mean.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from diagnosis.audit.arrays import finite_mask, regression_targets
from diagnosis.audit.base import Check
from diagnosis.bundle import BundleData, ModelInfo
from diagnosis.curves import rounded
from diagnosis.models import Finding, Severity
from diagnosis.taxonomy import Code
from diagnosis.units import Settled

if TYPE_CHECKING:
    from diagnosis.probes.settling import BundleFacts

# A standard deviation or |mean| above this: an initial MSE of 10^4 or more.
LARGE = 100.0
# A standard deviation below this: MSE values around 10^-6, under the callbacks' min_delta.
TINY_STD = 1e-3
# Losses that are already scale-free: a log or a percentage of the target.
SCALE_FREE_LOSSES = frozenset({"mean_squared_logarithmic_error", "mean_absolute_percentage_error"})
# Target columns named in the evidence.
LISTED = 5


@dataclass
class UnscaledTargets(Check):
    code = Code.unscaled_targets
    trials = ((Code.unscaled_targets, "standardize_targets"),)

    def settle(self, finding: Finding, facts: BundleFacts) -> Settled | None:
        """A scale far from unit is a hazard: a replay of the user's setup that fit the data
        anyway shows it cost nothing (underfitting.trained_through)."""
        from diagnosis.rules.underfitting import trained_through

        return trained_through(facts)

    def check(self, data: BundleData, model: ModelInfo | None) -> Finding | None:
        if model is not None and model.loss in SCALE_FREE_LOSSES:
            return None
        targets = regression_targets(data.y_train[finite_mask(data.y_train)], model)
        if targets is None or len(targets) < 2:
            return None
        mean, std = targets.mean(axis=0), targets.std(axis=0)
        large = np.maximum(np.abs(mean), std) > LARGE
        tiny = (std < TINY_STD) & (std > 0)
        flagged = np.flatnonzero(large | tiny)
        if not flagged.size:
            return None
        factor = np.where(large, np.maximum(np.abs(mean), std) / LARGE, TINY_STD / np.maximum(std, 1e-300))
        worst = flagged[np.argsort(-factor[flagged], kind="stable")]
        j = int(worst[0])
        m, s = float(mean[j]), float(std[j])
        zero_mse = float((targets * targets).mean())
        spelled_mean = [rounded(v, 4) for v in mean] if len(mean) > 1 else rounded(m, 4)
        spelled_std = [rounded(v, 4) for v in np.where(std > 0, std, 1.0)] if len(std) > 1 else rounded(s, 4)
        scale = "large" if large[j] else "tiny"
        return self.finding(
            severity=Severity.warning,
            score=min(0.95, 0.6 + 0.1 * math.log10(float(factor[j]))),
            summary=(
                f"The regression targets have mean {m:.4g} and standard deviation {s:.4g}"
                + (f" (output {j})" if targets.shape[1] > 1 else "")
                + f": a {scale} scale for a network whose outputs start near 0 with unit spread."
            ),
            evidence={
                "outputs": int(targets.shape[1]),
                "mean": spelled_mean,
                "std": [rounded(v, 4) for v in std] if len(std) > 1 else rounded(s, 4),
                "outputs_off_scale": [int(i) for i in worst[:LISTED]],
                "mse_of_predicting_zero": rounded(zero_mse, 4),
                "thresholds": {"large": LARGE, "tiny_std": TINY_STD},
            },
            recommendation=(
                f"Train on standardized targets, y_scaled = (y - {m:.4g}) / {s if s > 0 else 1.0:.4g}, "
                f"and map predictions back with y = pred * {s if s > 0 else 1.0:.4g} + {m:.4g}"
                + (" (per output, see fix)" if targets.shape[1] > 1 else "")
                + f"; an untrained model's MSE then starts near 1 instead of {zero_mse:.3g}."
            ),
            fix={"standardize_targets": {"mean": spelled_mean, "std": spelled_std}},
        )
