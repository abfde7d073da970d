"""constant_features: input columns with the same value in every training sample.

A constant column carries no information, and standardizing it by hand divides by a zero
standard deviation, which turns the whole column into NaN. A few are common (the border
pixels of MNIST); many or all of the inputs being constant means the pipeline lost them (a
failed join, a column filled with a default, an imputation that filled whole columns), and
with all of them nothing can be learned.

Tables and positional inputs are held to different shares. In a table every column was
chosen by someone, so a quarter of them carrying nothing is a pipeline fault: that is about
three times the constant share of the flattened image sets people feed to MLPs (MNIST's
border pixels 8.5 %, scikit-learn's 8x8 digits 4.7 %), and more than a stray flag or two
(2 of 10 stays info). Images, sequences and token ids have positions, and constant positions
(borders, padding after short sequences) can be most of them without anything being lost, so
only half of them constant is a warning there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from diagnosis.audit.arrays import column_stats, embeds_tokens, finite_samples, listed
from diagnosis.audit.base import Check
from diagnosis.bundle import BundleData, ModelInfo
from diagnosis.curves import rounded
from diagnosis.models import Finding, Severity
from diagnosis.taxonomy import Code

# From this share of constant columns on, the inputs look broken rather than padded: a
# quarter of a table's columns, half of the positions of images, sequences and token ids.
WARNING_SHARE = 0.25
POSITIONAL_WARNING_SHARE = 0.5
# Column numbers named in the evidence.
LISTED = 20


@dataclass
class ConstantFeatures(Check):
    code = Code.constant_features

    def check(self, data: BundleData, model: ModelInfo | None) -> Finding | None:
        samples = finite_samples(data.x_train)
        if samples is None or len(samples.x) < 2:
            return None
        stats = column_stats(samples.x)
        constant = np.flatnonzero(stats.constant)
        if not constant.size:
            return None
        d = samples.x.shape[1]
        share = constant.size / d
        tabular = data.x_train.ndim <= 2 and not embeds_tokens(data.x_train, model)
        warning_share = WARNING_SHARE if tabular else POSITIONAL_WARNING_SHARE
        severity = (
            Severity.error if share == 1 else Severity.warning if share >= warning_share else Severity.info
        )
        fix: dict[str, Any] = {"drop_features": [int(j) for j in constant]} if tabular and share < 1 else {}
        if share == 1:
            recommendation = (
                "Every input is constant: check the feature pipeline (a failed join, a wrong column, a "
                "preprocessing step that zeroed everything) before tuning the model."
            )
        elif tabular:
            recommendation = (
                f"Drop the {constant.size} constant columns (x[:, keep] with the indices in the evidence); "
                "if you standardize by hand, divide by max(std, 1e-7) so no column becomes NaN."
            )
        else:
            recommendation = (
                "Constant positions (image borders, padding) are harmless to a convolutional model; if you "
                "standardize per position, divide by max(std, 1e-7) so they do not become NaN."
            )
        return self.finding(
            severity=severity,
            score=0.5 + 0.5 * share,
            summary=f"{constant.size} of {d} input features ({share:.0%}) have the same value in every "
            "training sample.",
            evidence={
                "features": d,
                "constant_features": int(constant.size),
                "share": rounded(share, 4),
                "first_constant": listed(constant, LISTED),
                "values": [rounded(float(stats.minimum[j]), 6) for j in constant[:LISTED]],
                "thresholds": {"warning_share": warning_share},
            },
            recommendation=recommendation,
            fix=fix,
        )
