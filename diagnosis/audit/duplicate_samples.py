"""duplicate_samples: identical inputs repeated within the training set, or shared between
the training and the validation set.

Copies within training weigh those samples double and shrink the effective data set; copies
that also sit in validation leak it: the validation score rises with memorization and stops
measuring generalization, so early stopping and model selection trust a number that lies.
Inputs made of a few categorical columns repeat by chance; the check estimates how many
identical pairs chance alone gives and only reports those as information.

Leaked rows can raise the validation score by at most their share of the validation set (a
memorized row is right at best where an unseen one would have been wrong). That only changes a
decision when it is larger than the score's own sampling noise: a validation accuracy over n
rows has a standard error of up to 0.5/sqrt(n). Below that (one repeated flower among 30
validation irises: 3.3 % against 9.1 %) the leak is reported as information with its numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from diagnosis.audit.arrays import (
    expected_matches,
    finite_mask,
    finite_samples,
    listed,
    log_chance_match,
    rebalanced,
    row_keys,
)
from diagnosis.audit.base import Check
from diagnosis.audit.class_imbalance import INFO_RATIO
from diagnosis.bundle import BundleData, ModelInfo
from diagnosis.curves import rounded
from diagnosis.models import Finding, Severity
from diagnosis.taxonomy import Code

# Copies making up this share of the training set change what the model is fitted to: one
# sample in ten weighs double or more. Fewer are within what resampling does anyway (a bootstrap
# sample repeats over a third of its rows and models fitted on it are fine).
WARNING_SHARE = 0.1
# Validation samples also in training, from this share on, inflate the validation score, on
# validation sets large enough that their sampling noise is smaller still (10,000 rows and up).
LEAK_SHARE = 0.01
# The largest standard deviation of a 0/1 outcome (a right-or-wrong prediction, at p = 0.5):
# PROPORTION_SD / sqrt(n) bounds the standard error of a validation accuracy over n rows. Leaked
# rows inflate that accuracy by at most their share, so a share under this noise cannot change
# which model or epoch looks best: it is info, not a warning.
PROPORTION_SD = 0.5
# Chance explains the copies while independent columns would give at least this many
# identical pairs.
CHANCE_PAIRS = 1.0
# Copies of the smaller classes' rows are the usual cure for class imbalance (oversampling), not
# a fault: the copies are deliberate when the distinct rows' classes are imbalanced enough to be
# worth rebalancing (class_imbalance's INFO_RATIO, 3:1: a constant answer scores 75 %) and the
# copies cut that majority-to-minority ratio by REBALANCE_GAIN or more. Copies drawn at random
# keep the ratio; oversampling "up to the largest class" takes it to 1.
OVERSAMPLED_FROM = INFO_RATIO
REBALANCE_GAIN = 2.0
# Row numbers named in the evidence.
LISTED = 10


@dataclass
class DuplicateSamples(Check):
    code = Code.duplicate_samples
    needs_validation = True

    def check(self, data: BundleData, model: ModelInfo | None) -> Finding | None:
        train = finite_samples(data.x_train)
        if train is None or len(train.x) < 2:
            return None
        val = None if data.x_val is None else finite_samples(data.x_val)
        if val is not None and (val.x.shape[1] != train.x.shape[1] or not len(val.x)):
            val = None  # nothing to compare; train_val_shift reports a shape mismatch
        keys = row_keys(train.x) if val is None else row_keys(train.x, val.x)
        n = len(train.x)
        _, first = np.unique(keys[0], return_index=True)
        copies = np.ones(n, dtype=bool)
        copies[first] = False
        copy_rows = train.index[copies]
        leaked = np.zeros(0, dtype=np.int64) if val is None else val.index[np.isin(keys[1], keys[0])]
        if not copy_rows.size and not leaked.size:
            return None
        log_match = log_chance_match(train.x)
        chance_train = expected_matches(log_match, n * (n - 1) / 2)
        share = copy_rows.size / n
        evidence: dict[str, Any] = {
            "train_samples": n,
            "train_copies": int(copy_rows.size),
            "train_copy_share": rounded(share, 4),
            "first_copies": listed(copy_rows, LISTED),
            "chance_identical_pairs_train": rounded(chance_train, 4),
        }
        warn = share >= WARNING_SHARE and chance_train < CHANCE_PAIRS
        oversampled = None
        if warn:
            y = data.y_train[train.index]
            rows = finite_mask(y)
            oversampled = rebalanced(train.x[rows], y[rows], model, OVERSAMPLED_FROM, REBALANCE_GAIN)
        if oversampled is not None:
            warn = False
            evidence["oversampling"] = {
                "distinct_rows_class_ratio": rounded(oversampled.distinct_ratio, 4),
                "class_ratio": rounded(oversampled.ratio, 4),
            }
        fix: dict[str, Any] = {}
        parts = []
        within_noise = False  # the leak, if any, is smaller than the validation score's noise
        if copy_rows.size:
            parts.append(f"{copy_rows.size} training samples ({share:.1%}) repeat an earlier one")
            fix["drop_duplicates"] = True
        if val is not None:
            leak_share = leaked.size / len(val.x)
            noise = PROPORTION_SD / float(np.sqrt(len(val.x)))
            chance_leak = expected_matches(log_match, n * len(val.x))
            evidence |= {
                "val_samples": len(val.x),
                "val_in_train": int(leaked.size),
                "val_in_train_share": rounded(leak_share, 4),
                "val_score_noise": rounded(noise, 4),
                "first_val_in_train": listed(leaked, LISTED),
                "chance_identical_pairs_val": rounded(chance_leak, 4),
            }
            within_noise = bool(leak_share < noise)
            warn |= leak_share >= max(LEAK_SHARE, noise) and chance_leak < CHANCE_PAIRS
            if leaked.size:
                parts.append(f"{leaked.size} validation samples ({leak_share:.1%}) also appear in training")
                fix["drop_val_indices"] = [int(i) for i in leaked]
        evidence["thresholds"] = {
            "warning_share": WARNING_SHARE,
            "oversampled_from": OVERSAMPLED_FROM,
            "rebalance_gain": REBALANCE_GAIN,
            "leak_share": LEAK_SHARE,
            "proportion_sd": PROPORTION_SD,
            "chance_pairs": CHANCE_PAIRS,
        }
        chance = (
            not warn and max(chance_train, evidence.get("chance_identical_pairs_val") or 0) >= CHANCE_PAIRS
        )
        if chance:
            tail = " (the inputs take few distinct values, so some repetition is expected)."
        elif not warn and leaked.size and within_noise and val is not None:
            tail = (
                f": they can lift the validation score by at most {leak_share:.1%}, within its sampling "
                f"noise on {len(val.x)} samples ({evidence['val_score_noise']:.1%})."
            )
        elif leaked.size:
            tail = ": validation partly scores what the model memorized."
        elif oversampled is not None:
            tail = (
                f", oversampling the smaller classes: the copies take the classes from "
                f"{oversampled.distinct_ratio:.1f}:1 among distinct rows to {oversampled.ratio:.1f}:1."
            )
        else:
            tail = ": those samples weigh more than the rest."
        return self.finding(
            severity=Severity.warning if warn else Severity.info,
            score=0.8 if warn else 0.4,
            summary="; ".join(parts) + tail,
            evidence=evidence,
            recommendation=(
                "Deduplicate before splitting (e.g. np.unique(x, axis=0, return_index=True) on the pooled "
                "data), then split; drop the validation samples listed in fix.drop_val_indices so "
                "validation measures unseen data."
                if leaked.size
                else "Deduplicate the training set (np.unique(x_train.reshape(len(x_train), -1), axis=0, "
                "return_index=True)) unless the repetition is deliberate oversampling."
            ),
            fix=fix,
        )
