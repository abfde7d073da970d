"""conflicting_labels: identical inputs in y_train with different class labels.

No model can get both copies right, so the conflicts set a floor under the training error
and pull the decision boundary both ways; many of them usually mean labels misaligned with
their inputs, or features missing the information that decides the class. Inputs made of a
few categorical columns coincide by chance, and then differing labels are ordinary noise:
those are reported as information, unless they cap training accuracy below 80 %.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from diagnosis.audit.arrays import (
    class_labels,
    expected_matches,
    finite_samples,
    listed,
    log_chance_match,
    row_keys,
)
from diagnosis.audit.base import Check
from diagnosis.audit.duplicate_samples import PROPORTION_SD
from diagnosis.bundle import BundleData, ModelInfo
from diagnosis.curves import rounded
from diagnosis.models import Finding, Severity
from diagnosis.taxonomy import Code

# From this share of training samples in conflicting groups, the labels look broken.
ERROR_SHARE = 0.1
# Chance explains identical inputs while independent columns would give this many pairs.
CHANCE_PAIRS = 1.0
# Even where chance explains identical inputs, conflicts that force at least this share of
# the training samples wrong (the minority copies: no model can exceed 80 % training
# accuracy) hurt results whatever produced them: either the labels are misaligned, or the
# inputs lack what decides the class for a fifth of the data. That is a warning, not noise.
# (The chance estimate reads column values from the rows themselves, so many exact copies of
# continuous rows inflate it: 30 % of two-feature rows copied looks like chance.)
CHANCE_WARNING_ERROR = 0.2
# Conflicts that are no chance coincidence still matter only if the training-accuracy ceiling
# they set is visible at all: below the sampling noise of a validation accuracy (up to
# PROPORTION_SD / sqrt(rows), duplicate_samples' yardstick) no score the user reads can show the
# few points they cost (15 rows of 1600 cap training accuracy at 99.4 %, against a noise of 2.5 %
# on 400 validation rows). Such conflicts are info; from ERROR_SHARE on they stay an error.
VISIBLE_ERROR_SD = PROPORTION_SD

# Groups and row numbers named in the evidence.
LISTED = 10


@dataclass
class ConflictingLabels(Check):
    code = Code.conflicting_labels

    def check(self, data: BundleData, model: ModelInfo | None) -> Finding | None:
        train = finite_samples(data.x_train, data.y_train)
        if train is None or train.y is None or len(train.x) < 2:
            return None
        classes = class_labels(train.y, model)
        if classes is None:
            return None
        _, group = np.unique(row_keys(train.x)[0], return_inverse=True)
        k = len(classes.labels)
        pairs, pair_of, pair_counts = np.unique(
            group * k + classes.codes, return_inverse=True, return_counts=True
        )
        pair_group = pairs // k
        labels_per_group = np.bincount(pair_group)
        conflicted_pair = labels_per_group[pair_group] > 1
        if not conflicted_pair.any():
            return None
        # The majority label of each group stays; the other copies are what no model gets right.
        order = np.lexsort((-pair_counts, pair_group))
        majority_pair = np.zeros(len(pairs), dtype=bool)
        majority_pair[order[np.r_[True, pair_group[order][1:] != pair_group[order][:-1]]]] = True
        in_conflict = conflicted_pair[pair_of]
        minority = in_conflict & ~majority_pair[pair_of]
        n = len(train.x)
        share = in_conflict.sum() / n
        unavoidable = minority.sum() / n
        log_match = log_chance_match(train.x)
        chance = expected_matches(log_match, n * (n - 1) / 2) >= CHANCE_PAIRS
        if chance:
            severity = Severity.warning if unavoidable >= CHANCE_WARNING_ERROR else Severity.info
        else:
            rows = len(data.x_val) if data.x_val is not None and len(data.x_val) else n
            noise = VISIBLE_ERROR_SD / math.sqrt(rows)
            visible = unavoidable >= noise
            severity = (
                Severity.error if share >= ERROR_SHARE else Severity.warning if visible else Severity.info
            )
        groups = np.flatnonzero(labels_per_group > 1)
        examples = [
            {
                "samples": listed(train.index[group == g], LISTED),
                "labels": sorted({int(v) for v in classes.labels[classes.codes[group == g]]}),
            }
            for g in groups[:3]
        ]
        drop = train.index[minority]
        return self.finding(
            severity=severity,
            score=(0.7 if severity is Severity.warning else 0.5) if chance else min(0.95, 0.7 + share),
            summary=(
                f"{int(in_conflict.sum())} training samples ({share:.1%}) share their input with a sample "
                f"of another class, in {groups.size} groups: no model can exceed "
                f"{1 - unavoidable:.1%} training accuracy"
                + (
                    (
                        " (the inputs take few distinct values, so some overlap is expected, but not this "
                        "much: labels misaligned, or features that cannot decide the class)."
                        if severity is Severity.warning
                        else " (the inputs take few distinct values; such overlap is ordinary noise)."
                    )
                    if chance
                    else "."
                    if severity is not Severity.info
                    else f", a cost within the sampling noise of an accuracy on {rows} rows ({noise:.1%})."
                )
            ),
            evidence={
                "train_samples": n,
                "conflicting_groups": int(groups.size),
                "conflicting_samples": int(in_conflict.sum()),
                "share": rounded(share, 4),
                "unavoidable_error": rounded(unavoidable, 4),
                "examples": examples,
                "chance_identical_pairs": rounded(expected_matches(log_match, n * (n - 1) / 2), 4),
                "thresholds": {
                    "error_share": ERROR_SHARE,
                    "chance_pairs": CHANCE_PAIRS,
                    "chance_warning_error": CHANCE_WARNING_ERROR,
                    "visible_error_sd": VISIBLE_ERROR_SD,
                },
            },
            recommendation=(
                f"Relabel or drop the {drop.size} minority-label copies (fix.drop_indices keeps each group's "
                "majority label); if identical inputs truly can have different classes, the features lack "
                "what decides the class: add it."
            ),
            fix={"drop_indices": [int(i) for i in drop]},
        )
