"""insufficient_data: too few training samples for the model, in all or for some class.

The arrays' version of the history rule `diagnosis.rules.insufficient_data`, with the same
thresholds: a network with tens of parameters per sample memorizes a small training set
instead of learning from it, and any network fits under a hundred samples from noise. A
class with only a handful of examples is not learned whatever the total (and a validation
split keeps only one or two of them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from diagnosis.audit.arrays import as_rows, class_labels, finite_mask
from diagnosis.audit.base import Check
from diagnosis.bundle import BundleData, ModelInfo
from diagnosis.models import Finding, Severity
from diagnosis.rules.insufficient_data import (
    FEW_SAMPLES,
    PARAMS_PER_SAMPLE,
    TARGET_PARAMS_PER_SAMPLE,
    TINY_SAMPLES,
)
from diagnosis.taxonomy import Code
from diagnosis.units import Settled

if TYPE_CHECKING:
    from diagnosis.probes.settling import BundleFacts

# Fewer examples of a class than this: too few to see its variation, and a 20% validation
# split keeps about 2 of them.
FEW_PER_CLASS = 10
# Classes named in the evidence, smallest first.
LISTED = 10
# Fewer validation rows than this cannot show that the model generalizes: an accuracy's standard
# error there exceeds 0.09, so a small data set's model and the simple model tie by chance.
MIN_VALIDATION_ROWS = 30
# Any network fits fewer than TINY_SAMPLES samples from noise, if it has the parameters to: one
# with fewer parameters than samples cannot pass through each of them (a line, 2 parameters,
# does not pass through 89 noisy points), so below this many parameters per sample a tiny set
# is not a memorizing hazard (the share of parameters per sample stays the crowded test's).
MEMORIZING_PARAMS_PER_SAMPLE = 1.0
# A feature with at most this many values is read whole (a bit, a category, a digit), so a set
# with every combination of such features holds every input there is; a measured quantity takes
# more values than a data set this small can hold.
CATEGORICAL_VALUES = 10


def enumerates_inputs(x: np.ndarray) -> bool:
    """The training inputs are every input there is: each feature takes a few values
    (CATEGORICAL_VALUES) and every combination of them is present (XOR's four rows are its whole
    truth table). Nothing unseen is left to generalize to, so memorizing these samples is
    learning the task, and their number is no shortage. A sample of a larger space leaves
    combinations out."""
    rows = as_rows(x)
    if not len(rows) or rows.dtype.kind not in "biuf":
        return False
    combinations = 1
    for column in rows.T:  # cheap first: a continuous feature overruns the rows in two columns
        values = len(np.unique(column))
        combinations *= values
        if values > CATEGORICAL_VALUES or combinations > len(rows):
            return False
    return combinations == len(np.unique(rows, axis=0))


@dataclass
class InsufficientData(Check):
    code = Code.insufficient_data

    def settle(self, finding: Finding, facts: BundleFacts) -> Settled | None:
        """Too few samples for the model is a forecast of overfitting; a replay whose validation
        score reaches a simple model's on the same rows (underfitting's yardstick) shows the
        samples were enough for this model. Classes short of examples stand: one overall score
        does not show each of them was learned, and a few validation rows show nothing."""
        from diagnosis.rules.underfitting import matches_simple_model

        y_val = facts.data.y_val
        if finding.evidence.get("short_classes") or y_val is None or len(y_val) < MIN_VALIDATION_ROWS:
            return None
        found = matches_simple_model(facts)
        if found is None:
            return None
        said, evidence = found
        return Settled(f"but the model generalizes: {said}", evidence)

    def check(self, data: BundleData, model: ModelInfo | None) -> Finding | None:
        n = len(data.x_train)
        params = model.param_count if model is not None and model.param_count else None
        ratio = params / n if params else None
        crowded = ratio is not None and ratio >= PARAMS_PER_SAMPLE and n < FEW_SAMPLES
        tiny = n < TINY_SAMPLES and (ratio is None or ratio >= MEMORIZING_PARAMS_PER_SAMPLE)
        classes = class_labels(data.y_train[finite_mask(data.y_train)], model)
        short: dict[int, int] = {}
        if classes is not None:
            order = np.argsort(classes.counts, kind="stable")
            short = {
                int(classes.labels[i]): int(classes.counts[i])
                for i in order
                if 0 < classes.counts[i] < FEW_PER_CLASS
            }
        if not (crowded or tiny or short) or enumerates_inputs(data.x_train):
            return None
        fix: dict[str, Any] = {}
        parts = []
        if crowded or tiny:
            parts.append(
                f"{n} training samples"
                + (f" for {params} parameters ({ratio:.0f} per sample)" if ratio else "")
                + ": the model can memorize the training set instead of learning from it"
            )
            fix["max_param_count"] = n * TARGET_PARAMS_PER_SAMPLE
        if short:
            parts.append(
                f"{len(short)} classes have fewer than {FEW_PER_CLASS} examples "
                f"(e.g. class {next(iter(short))}: {next(iter(short.values()))})"
            )
            fix["min_samples_per_class"] = FEW_PER_CLASS
        return self.finding(
            severity=Severity.warning,
            score=0.75,
            summary="; ".join(parts) + ".",
            evidence={
                "num_samples": n,
                "param_count": params,
                "params_per_sample": round(ratio, 1) if ratio else None,
                "short_classes": dict(list(short.items())[:LISTED]),
                "thresholds": {
                    "params_per_sample": PARAMS_PER_SAMPLE,
                    "few_samples": FEW_SAMPLES,
                    "tiny_samples": TINY_SAMPLES,
                    "few_per_class": FEW_PER_CLASS,
                },
            },
            recommendation=(
                "Collect more data or augment it"
                + (f", at least {FEW_PER_CLASS} examples for each short class" if short else "")
                + (
                    f"; until then shrink the model to at most {n * TARGET_PARAMS_PER_SAMPLE} parameters "
                    f"({TARGET_PARAMS_PER_SAMPLE} per sample) and regularize it (Dropout 0.3, L2 1e-4)."
                    if crowded or tiny
                    else "."
                )
            ),
            fix=fix,
        )
