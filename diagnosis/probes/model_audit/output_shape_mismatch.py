"""output_shape_mismatch: output units against what one sample's labels hold."""

from __future__ import annotations

from diagnosis.bundle import (
    BINARY_LOSSES,
    CLASS_DISTRIBUTIONS,
    ONE_HOT_LOSSES,
    QUANTITY_LOSSES,
    SPARSE_LOSSES,
    LabelInfo,
    ModelInfo,
)
from diagnosis.models import Finding, Severity
from diagnosis.probes.model_audit.base import ModelCheck
from diagnosis.taxonomy import Category, Code


class OutputShape(ModelCheck):
    name = "output_shape"
    codes = (Code.output_shape_mismatch,)
    clears = True

    def check(self, info: ModelInfo, labels: LabelInfo) -> Finding | None:
        """Output units against what one sample's labels hold: its classes, its independent 0/1
        tags (multi-label), or its regression target columns. A regression loss broadcasts
        targets of one width against outputs of another without complaint (three targets against
        one unit train that unit towards their mean), so only the widths show it."""
        units, loss, classes = info.output_units, info.loss, labels.num_classes
        expected = None
        too_few_sparse = loss in SPARSE_LOSSES and classes and units is not None and units < classes
        wrong_one_hot = loss in ONE_HOT_LOSSES and labels.format in CLASS_DISTRIBUTIONS and units != classes
        per_column = (loss in BINARY_LOSSES and labels.format == "multi_hot") or (
            loss in QUANTITY_LOSSES and labels.format == "continuous"
        )
        # A softmax under a categorical loss over one unit: loss and activation agree on classes
        # and the one unit is too few (it always outputs 1.0); 0/1 labels need two.
        one_unit_softmax = (
            loss in ONE_HOT_LOSSES and info.output_activation == "softmax" and units == 1 and classes
        )
        if too_few_sparse or wrong_one_hot or one_unit_softmax:
            expected = classes
        elif loss in BINARY_LOSSES and labels.format == "binary" and units not in (1, None):
            expected = 1
        elif per_column and units is not None and units != labels.columns:
            expected = labels.columns
        if expected is None:
            return None
        return Finding(
            code=Code.output_shape_mismatch,
            category=Category.model,
            severity=Severity.error,
            confidence=0.95,
            summary=f"The output layer has {units} units but the labels need {expected}.",
            evidence={
                "output_units": units,
                "needed_units": expected,
                "label_format": labels.format,
                "loss": loss,
            },
            recommendation=f"Make the last layer Dense({expected}).",
            fix={"output_units": expected},
        )
