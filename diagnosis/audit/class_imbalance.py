"""class_imbalance: one class far outnumbers another in y_train.

With a 10:1 split a model that always answers the majority class already scores 91%
accuracy, and almost every gradient step is about the majority: training looks converged
while the minority is never learned. Weighting the loss by inverse class frequency gives
each class the same total weight.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from diagnosis.audit.arrays import class_labels, finite_mask
from diagnosis.audit.base import Check
from diagnosis.bundle import BundleData, ModelInfo
from diagnosis.curves import rounded
from diagnosis.models import Finding, Severity
from diagnosis.taxonomy import Code

# Majority over minority count from which the imbalance hurts training: a constant majority
# answer scores >= 91% (binary), and a binary minority under 5% is past it (19:1).
WARNING_RATIO = 10.0
# From here on accuracy alone misleads (a constant answer scores 75%): worth knowing.
INFO_RATIO = 3.0
# Per-class counts are listed in full up to this many classes; beyond, the extremes.
LISTED_CLASSES = 20
# Up to this many classes the recommendation spells the weights out.
SPELLED_WEIGHTS = 10
# The score reaches 1 at this ratio (log scale): 10:1 scores 0.4, 100:1 0.8.
FULL_SCORE_RATIO = 316.0


@dataclass
class ClassImbalance(Check):
    code = Code.class_imbalance
    trials = ((Code.class_imbalance, "class_weight"),)

    def check(self, data: BundleData, model: ModelInfo | None) -> Finding | None:
        classes = class_labels(data.y_train[finite_mask(data.y_train)], model)
        if classes is None:
            return None
        labels, counts = classes.labels[classes.present], classes.counts[classes.present]
        n = int(counts.sum())
        order = np.argsort(-counts, kind="stable")
        shown = order if len(order) <= LISTED_CLASSES else np.r_[order[:5], order[-5:]]
        evidence = {
            "num_samples": n,
            "num_classes": len(labels),
            "class_counts": {int(labels[i]): int(counts[i]) for i in shown},
            "missing_classes": [int(c) for c in classes.labels[~classes.present]],
        }
        if len(labels) == 1:
            return self.finding(
                severity=Severity.error,
                score=0.95,
                summary=f"y_train holds a single class ({int(labels[0])}): there is nothing to tell apart.",
                evidence=evidence,
                recommendation="Check the label column and the split: a data set sorted by label and cut "
                "before shuffling puts one class in each split; shuffle, then split with stratify=y.",
            )
        majority, minority = order[0], order[-1]
        ratio = float(counts[majority] / counts[minority])
        if ratio < INFO_RATIO:
            return None
        weights = {int(c): float(f"{n / (len(labels) * k):.4g}") for c, k in zip(labels, counts, strict=True)}
        spelled = weights if len(weights) <= SPELLED_WEIGHTS else "fix['class_weight']"
        majority_share = counts[majority] / n
        warning = ratio >= WARNING_RATIO
        return self.finding(
            severity=Severity.warning if warning else Severity.info,
            score=math.log10(ratio) / math.log10(FULL_SCORE_RATIO),
            summary=(
                f"Class {int(labels[majority])} outnumbers class {int(labels[minority])} {ratio:.1f}:1 "
                f"(minority {counts[minority] / n:.1%} of y_train); always predicting class "
                f"{int(labels[majority])} scores {majority_share:.0%} accuracy."
            ),
            evidence={
                **evidence,
                "imbalance_ratio": rounded(ratio, 4),
                "majority_class": int(labels[majority]),
                "minority_class": int(labels[minority]),
                "minority_share": rounded(counts[minority] / n, 4),
                "majority_share": rounded(majority_share, 4),
                "thresholds": {"warning_ratio": WARNING_RATIO, "info_ratio": INFO_RATIO},
            },
            recommendation=(
                f"Pass class_weight={spelled} to model.fit (n / (classes * count), sklearn's 'balanced' "
                "weights) and judge the model by per-class recall, F1 or AUC rather than accuracy."
            ),
            fix={"class_weight": weights},
        )
