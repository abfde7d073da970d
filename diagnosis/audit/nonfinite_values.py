"""nonfinite_values: NaN or infinite values in the arrays the model trains and validates on.

One NaN in a batch makes that batch's loss NaN, and the update it produces spreads NaN into
every weight: training is broken from the first such batch on, and a NaN in the validation
data makes every val metric NaN. The other audit checks read the finite samples only; this
one counts what they skip.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from diagnosis.audit.arrays import as_rows, listed, row_chunks
from diagnosis.audit.base import Check
from diagnosis.bundle import BundleData, ModelInfo
from diagnosis.curves import rounded
from diagnosis.models import Finding, Severity
from diagnosis.taxonomy import Code

ARRAYS = ("x_train", "y_train", "x_val", "y_val")
KINDS = (("nan", "NaN"), ("inf", "infinite"))
# Dropping the affected samples is the simplest fix while it costs at most this share of a
# split; past it, imputing the affected feature columns keeps the samples.
DROP_SHARE = 0.05
# Row and column numbers named in the evidence.
LISTED = 10


def _count(array: np.ndarray) -> dict[str, Any] | None:
    """NaN and infinity counts of one float array, with the rows and columns they sit in."""
    rows = as_rows(array)
    nan = inf = 0
    bad_rows = np.zeros(len(rows), dtype=bool)
    per_column = np.zeros(rows.shape[1], dtype=np.int64)
    for start, block in row_chunks(rows):
        isnan, isinf = np.isnan(block), np.isinf(block)
        nan += int(isnan.sum())
        inf += int(isinf.sum())
        bad = isnan | isinf
        bad_rows[start : start + len(block)] = bad.any(axis=1)
        per_column += bad.sum(axis=0)
    if nan + inf == 0:
        return None
    affected = np.flatnonzero(bad_rows)
    worst = np.argsort(-per_column, kind="stable")
    worst = worst[per_column[worst] > 0]
    return {
        "nan": nan,
        "inf": inf,
        "rows": len(affected),
        "row_share": rounded(len(affected) / len(rows), 4),
        "first_rows": listed(affected, LISTED),
        "worst_columns": {int(j): int(per_column[j]) for j in worst[:LISTED]},
    }


@dataclass
class NonfiniteValues(Check):
    code = Code.nonfinite_values
    trials = ((Code.nonfinite_values, "standardize_inputs"),)

    def check(self, data: BundleData, model: ModelInfo | None) -> Finding | None:
        counts = {}
        for name in ARRAYS:
            array = getattr(data, name)
            if array is not None and array.dtype.kind == "f" and (found := _count(array)) is not None:
                counts[name] = found
        if not counts:
            return None
        worst_share = max(c["row_share"] for c in counts.values())
        labels_hit = any(name.startswith("y") for name in counts)
        drop = labels_hit or worst_share <= DROP_SHARE
        described = "; ".join(
            f"{name}: "
            + " and ".join(f"{c[kind]} {word}" for kind, word in KINDS if c[kind])
            + f" values in {c['rows']} of its samples ({c['row_share']:.1%})"
            for name, c in counts.items()
        )
        if drop:
            action = (
                "Drop the affected samples before training, e.g. keep = np.isfinite(x).all(axis=1) & "
                "np.isfinite(y).all(axis=1) on each split's flattened arrays"
            )
            fix: dict[str, Any] = {"drop_nonfinite_rows": True}
        else:
            action = (
                "Too many samples are affected to drop them: impute the non-finite values of the named "
                "columns with the training median of each column"
            )
            fix = {"impute_nonfinite": "median"}
        return self.finding(
            severity=Severity.error,
            score=1.0,
            summary=f"The data holds non-finite values ({described}); any batch containing one turns the "
            "loss and then every weight into NaN.",
            evidence={**counts, "thresholds": {"drop_share": DROP_SHARE}},
            recommendation=f"{action}, and add keras.callbacks.TerminateOnNaN() while checking the pipeline "
            "that produced them (a division by zero or a log of 0 upstream).",
            fix=fix,
        )
