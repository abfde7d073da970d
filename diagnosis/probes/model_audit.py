"""The model audit: the model's wiring against its loss and its labels, before any training.

Each check is a small function over `ModelInfo` and what the labels look like; no Keras is
imported here. Mismatches between output layer, loss and labels are the most common reason
a model "does not learn" and the cheapest to find.
"""

from __future__ import annotations

from collections.abc import Callable

from diagnosis.bundle import (
    BINARY_LOSSES,
    ONE_HOT_LOSSES,
    REGRESSION_LOSSES,
    SPARSE_LOSSES,
    LabelInfo,
    ModelInfo,
)
from diagnosis.causes import LR_FAR, TYPICAL_LR
from diagnosis.models import Category, Finding, Severity

# Dropout above this rate throws away more than half the signal at every step.
MAX_DROPOUT = 0.5
# This many saturating (sigmoid/tanh) hidden layers without normalization vanish gradients.
DEEP_SATURATING = 4
SATURATING = frozenset({"sigmoid", "tanh", "hard_sigmoid", "softsign"})
NORMALIZATION = frozenset({"BatchNormalization", "LayerNormalization", "GroupNormalization"})
# A hidden layer narrower than this can't carry what a classifier needs.
MIN_HIDDEN_UNITS = 2
PROBABILITY_OUTPUTS = frozenset({"softmax", "sigmoid"})

Check = Callable[[ModelInfo, LabelInfo], Finding | None]


def _crossentropy(info: ModelInfo) -> bool:
    return bool(info.loss) and "crossentropy" in (info.loss or "")


def output_activation(info: ModelInfo, labels: LabelInfo) -> Finding | None:
    """Output activation against the loss: the pairs that silently train badly."""
    act, units, loss = info.output_activation, info.output_units, info.loss
    problem = change = None
    if act == "softmax" and units == 1:
        problem = "a softmax over 1 unit always outputs 1.0, so the loss cannot change"
        change = "use Dense(1, activation='sigmoid') with binary_crossentropy"
    elif act in PROBABILITY_OUTPUTS and info.from_logits:
        problem = f"the output already applies {act} but the loss has from_logits=True, applying it twice"
        change = "set from_logits=False, or make the output layer linear"
    elif _crossentropy(info) and not info.from_logits and act not in PROBABILITY_OUTPUTS:
        problem = f"{loss} expects probabilities but the output activation is {act or 'linear'}"
        change = "use softmax (sigmoid for one unit) on the output, or from_logits=True with a linear output"
    elif act == "sigmoid" and loss in ONE_HOT_LOSSES | SPARSE_LOSSES and (units or 0) > 2:
        problem = f"sigmoid outputs over {units} classes do not sum to 1, which {loss} assumes"
        change = "use softmax on the output layer"
    elif loss in REGRESSION_LOSSES and act in PROBABILITY_OUTPUTS and labels.format == "continuous":
        problem = f"a {act} output cannot reach regression targets outside (0, 1)"
        change = "use a linear output for regression"
    if problem is None:
        return None
    return Finding(
        code="output_activation_mismatch",
        category=Category.model,
        severity=Severity.error,
        confidence=0.95,
        summary=f"Output layer and loss do not fit: {problem}.",
        evidence={
            "output_activation": act,
            "output_units": units,
            "loss": loss,
            "from_logits": info.from_logits,
        },
        recommendation=change[0].upper() + change[1:] + ".",
        fix={"output_activation": "sigmoid" if units == 1 else "softmax", "from_logits": False}
        if _crossentropy(info)
        else {"output_activation": "linear"},
    )


def output_shape(info: ModelInfo, labels: LabelInfo) -> Finding | None:
    """Output units against the number of classes the labels hold."""
    units, loss, classes = info.output_units, info.loss, labels.num_classes
    expected = None
    too_few_sparse = loss in SPARSE_LOSSES and classes and units is not None and units < classes
    wrong_one_hot = loss in ONE_HOT_LOSSES and labels.format == "one_hot" and units != classes
    if too_few_sparse or wrong_one_hot:
        expected = classes
    elif loss in BINARY_LOSSES and labels.format == "binary" and units not in (1, None):
        expected = 1
    if expected is None:
        return None
    return Finding(
        code="output_shape_mismatch",
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


def loss_for_task(info: ModelInfo, labels: LabelInfo) -> Finding | None:
    """The loss against the task: classes need a cross-entropy, quantities a regression loss."""
    loss = info.loss
    if (
        loss in REGRESSION_LOSSES
        and labels.format in {"integer", "one_hot"}
        and (labels.num_classes or 0) > 2
    ):
        better = (
            "sparse_categorical_crossentropy" if labels.format == "integer" else "categorical_crossentropy"
        )
        problem = f"{loss} treats {labels.num_classes} class labels as numbers on a line"
    elif _crossentropy(info) and labels.format == "continuous":
        better, problem = "mean_squared_error", f"{loss} on continuous targets"
    else:  # one-hot labels against a sparse loss (and back) is the data audit's label_format_mismatch
        return None
    return Finding(
        code="loss_task_mismatch",
        category=Category.implementation,
        severity=Severity.error,
        confidence=0.9,
        summary=f"The loss does not match the labels: {problem}.",
        evidence={"loss": loss, "label_format": labels.format, "num_classes": labels.num_classes},
        recommendation=f"Compile with loss='{better}'.",
        fix={"loss": better},
    )


def dropout(info: ModelInfo, labels: LabelInfo) -> Finding | None:
    heavy = [
        (layer.name, layer.rate)
        for layer in info.layers
        if layer.kind == "Dropout" and (layer.rate or 0) > MAX_DROPOUT
    ]
    if not heavy:
        return None
    return Finding(
        code="excessive_dropout",
        category=Category.model,
        severity=Severity.warning,
        confidence=0.7,
        summary=f"Dropout above {MAX_DROPOUT} in {len(heavy)} layer(s) slows learning and can stall it.",
        evidence={
            "layers": [{"name": n, "rate": r} for n, r in heavy],
            "thresholds": {"max_rate": MAX_DROPOUT},
        },
        recommendation="Lower those Dropout rates to 0.2-0.3.",
        fix={"dropout": 0.2},
    )


def saturating_stack(info: ModelInfo, labels: LabelInfo) -> Finding | None:
    hidden = info.layers[:-1]
    saturating = [layer.name for layer in hidden if layer.activation in SATURATING]
    normalized = any(layer.kind in NORMALIZATION or layer.kind == "Add" for layer in info.layers)
    if len(saturating) < DEEP_SATURATING or normalized:
        return None
    return Finding(
        code="vanishing_gradients",
        category=Category.training_dynamics,
        severity=Severity.warning,
        confidence=0.6,
        summary=(
            f"{len(saturating)} sigmoid/tanh hidden layers with no normalization or skip connection: "
            "gradients shrink at each one."
        ),
        evidence={"saturating_layers": saturating, "thresholds": {"deep": DEEP_SATURATING}},
        recommendation="Use ReLU with He initialization, or add BatchNormalization after each hidden layer.",
        fix={"hidden_activation": "relu", "kernel_initializer": "he_normal"},
    )


def bottleneck(info: ModelInfo, labels: LabelInfo) -> Finding | None:
    narrow = [
        layer.name for layer in info.layers[:-1] if layer.units is not None and layer.units < MIN_HIDDEN_UNITS
    ]
    if not narrow:
        return None
    return Finding(
        code="capacity_too_low",
        category=Category.model,
        severity=Severity.warning,
        confidence=0.7,
        summary=(
            f"Hidden layer(s) {', '.join(narrow)} have fewer than {MIN_HIDDEN_UNITS} units: "
            "an information bottleneck."
        ),
        evidence={"layers": narrow, "thresholds": {"min_hidden_units": MIN_HIDDEN_UNITS}},
        recommendation="Give every hidden layer at least as many units as there are classes (16+ is usual).",
        fix={"min_hidden_units": 16},
    )


def learning_rate(info: ModelInfo, labels: LabelInfo) -> Finding | None:
    typical = TYPICAL_LR.get(info.optimizer or "")
    if typical is None or not info.learning_rate:
        return None
    ratio = info.learning_rate / typical
    if ratio >= LR_FAR:
        code, direction, target = "lr_too_high", "above", typical
    elif ratio <= 1 / (LR_FAR * LR_FAR):
        code, direction, target = "lr_too_low", "below", typical
    else:
        return None
    return Finding(
        code=code,
        category=Category.hyperparameters,
        severity=Severity.warning,
        confidence=0.6,
        summary=(
            f"The learning rate {info.learning_rate:g} is {ratio:.3g}x the usual {typical:g} for "
            f"{info.optimizer}, far {direction} what it usually needs."
        ),
        evidence={"learning_rate": info.learning_rate, "optimizer": info.optimizer, "typical": typical},
        recommendation=f"Start from learning_rate={target:g}; the learning-rate range test refines it.",
        fix={"learning_rate": target},
    )


CHECKS: tuple[Check, ...] = (
    output_activation,
    output_shape,
    loss_for_task,
    dropout,
    saturating_stack,
    bottleneck,
    learning_rate,
)


def audit_model(info: ModelInfo, labels: LabelInfo) -> list[Finding]:
    return [finding for check in CHECKS if (finding := check(info, labels)) is not None]
