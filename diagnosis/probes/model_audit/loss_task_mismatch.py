"""loss_task_mismatch: the loss against the task: classes need a cross-entropy, quantities a
regression loss."""

from __future__ import annotations

from diagnosis.bundle import (
    BINARY_LOSSES,
    COUNT_LOSSES,
    DIRECTION_LOSSES,
    ONE_HOT_LOSSES,
    REGRESSION_LOSSES,
    LabelInfo,
    ModelInfo,
)
from diagnosis.models import Finding, Severity
from diagnosis.probes.model_audit.base import ModelCheck, crossentropy
from diagnosis.taxonomy import Category, Code


class LossForTask(ModelCheck):
    name = "loss_for_task"
    codes = (Code.loss_task_mismatch,)
    trials = ((Code.loss_task_mismatch, "swap_loss"),)
    clears = True

    def check(self, info: ModelInfo, labels: LabelInfo) -> Finding | None:
        """The loss against the task: classes need a cross-entropy, quantities a regression loss."""
        loss = info.loss
        if (
            loss in REGRESSION_LOSSES
            and labels.format in {"integer", "one_hot"}
            and (labels.num_classes or 0) > 2
        ):
            better = (
                "sparse_categorical_crossentropy"
                if labels.format == "integer"
                else "categorical_crossentropy"
            )
            problem = f"{loss} treats {labels.num_classes} class labels as numbers on a line"
        elif crossentropy(info) and labels.format == "continuous":
            better, problem = "mean_squared_error", f"{loss} on continuous targets"
        elif loss in COUNT_LOSSES and labels.value_range is not None and labels.value_range[0] < 0:
            better = "mean_squared_error"
            problem = f"{loss} models non-negative counts, but the targets reach {labels.value_range[0]:.3g}"
        elif loss in DIRECTION_LOSSES and labels.columns == 1 and (info.output_units or 1) == 1:
            # Cosine similarity normalizes each sample's vector; a vector of one value normalizes
            # to its sign, so the loss is blind to the size of the target.
            better = "mean_squared_error"
            problem = f"{loss} compares directions, and one value's direction is only its sign"
        elif loss in BINARY_LOSSES and labels.format == "integer" and labels.distinct > 2:
            # Distinct values, not the largest label: 0/255 labels are two classes badly encoded,
            # the data audit's label_format_mismatch.
            better = "sparse_categorical_crossentropy"
            problem = (
                f"{loss} scores one 0/1 target per output, but the labels hold {labels.distinct} classes"
            )
        elif (
            loss in ONE_HOT_LOSSES
            and labels.format == "binary"
            and info.output_units == 1
            and info.output_activation != "softmax"
        ):
            # 0/1 labels and one sigmoid unit agree on a binary task; the categorical loss is the
            # odd one out (over one unit it is 0 whatever the model predicts). A one-unit softmax
            # says the output is what went wrong: output_shape_mismatch's.
            better = "binary_crossentropy"
            problem = f"{loss} over one {info.output_activation or 'linear'} unit with 0/1 labels is always 0"
        else:  # one-hot labels against a sparse loss (and back) is the data audit's label_format_mismatch
            return None
        return Finding(
            code=Code.loss_task_mismatch,
            category=Category.implementation,
            severity=Severity.error,
            confidence=0.9,
            summary=f"The loss does not match the labels: {problem}.",
            evidence={"loss": loss, "label_format": labels.format, "num_classes": labels.num_classes},
            recommendation=f"Compile with loss='{better}'.",
            fix={"loss": better},
        )
