"""The model audit: the model's wiring against its loss and its labels, before any training.

Each check is a small function over `ModelInfo` and what the labels look like; no Keras is
imported here. Mismatches between output layer, loss and labels are the most common reason
a model "does not learn" and the cheapest to find.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from diagnosis.bundle import (
    BINARY_LOSSES,
    CLASS_DISTRIBUTIONS,
    COUNT_LOSSES,
    DIRECTION_LOSSES,
    ONE_HOT_LOSSES,
    QUANTITY_LOSSES,
    REGRESSION_LOSSES,
    SPARSE_LOSSES,
    LabelInfo,
    LayerInfo,
    ModelInfo,
)
from diagnosis.capacity import MIN_HIDDEN_UNITS, MIN_WIDTH_SHARE, RECOMMENDED_UNITS, width_floor
from diagnosis.evidence import LR_BEYOND_HIGH, LR_BEYOND_LOW, LR_FAR, TYPICAL_LR
from diagnosis.models import EvidenceSource, Finding, Severity
from diagnosis.taxonomy import Category, Code

# Dropout above this rate throws away more than half the signal at every step.
MAX_DROPOUT = 0.5
# Layers that drop a share `rate` of what passes through them in training (SpatialDropout
# drops whole channels, with the same effect on how much signal gets through).
DROPOUT_LAYERS = frozenset(
    {"Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "AlphaDropout"}
)
# This many saturating (sigmoid/tanh) hidden layers without normalization vanish gradients.
DEEP_SATURATING = 4
SATURATING = frozenset({"sigmoid", "tanh", "hard_sigmoid", "softsign"})
NORMALIZATION = frozenset({"BatchNormalization", "LayerNormalization", "GroupNormalization"})
# A model with no hidden layer (a linear or logistic regression) draws a hyperplane: it is too
# small for a task only when the probes show it: its one-batch overfit stalled and the replay
# ended with one of these symptoms (at warning or above). Neither alone settles it: a linear
# model cannot memorize a batch of more samples than inputs, nor fit noise, on a task it suits.
LINEAR_LIMIT_SYMPTOMS = frozenset({"underfitting", "accuracy_at_chance"})
# The hidden layer recommended (and tried) in front of a linear model's output.
ADDED_HIDDEN_UNITS = 32
# The evidence key that marks a rate beyond those bounds (read by the pipeline's confirmation).
BEYOND_USUAL = "beyond_usual_range"
PROBABILITY_OUTPUTS = frozenset({"softmax", "sigmoid"})
# What bounded output activations can produce: a regression whose targets fall outside can
# never fit them (a tanh output and standardized targets, a third of which lie beyond +-1).
OUTPUT_RANGES: dict[str, tuple[float, float]] = {
    "sigmoid": (0.0, 1.0),
    "hard_sigmoid": (0.0, 1.0),
    "softmax": (0.0, 1.0),
    "tanh": (-1.0, 1.0),
    "softsign": (-1.0, 1.0),
    "relu": (0.0, math.inf),
    "softplus": (0.0, math.inf),
    "exponential": (0.0, math.inf),
}

# The output a count loss (Poisson) is fixed with: positive everywhere, as its logarithm of
# the prediction needs, without the exponential's overflow on a large pre-activation.
COUNT_OUTPUT = "softplus"

Check = Callable[[ModelInfo, LabelInfo], Finding | None]


def _crossentropy(info: ModelInfo) -> bool:
    return bool(info.loss) and "crossentropy" in (info.loss or "")


def output_activation(info: ModelInfo, labels: LabelInfo) -> Finding | None:
    """Output activation against the loss: the pairs that silently train badly."""
    act, units, loss = info.output_activation, info.output_units, info.loss
    problem: str | None = None
    change = ""
    fixed = "linear"
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
    elif loss in REGRESSION_LOSSES and labels.format == "continuous" and _beyond_output(act, labels):
        (low, high), (smallest, largest) = OUTPUT_RANGES[act or ""], labels.value_range or (0.0, 0.0)
        problem = (
            f"a {act} output only reaches ({low:g}, {high:g}) and the targets span "
            f"{smallest:.3g} to {largest:.3g}"
        )
        change = "use a linear output for regression"
    elif loss in COUNT_LOSSES and OUTPUT_RANGES.get(act or "", (-math.inf, 0.0))[0] < 0:
        problem = (
            f"{loss} takes the log of the prediction, which a {act or 'linear'} output can make negative"
        )
        change = f"use activation='{COUNT_OUTPUT}' (or 'exponential', the log link) on the output layer"
        fixed = COUNT_OUTPUT
    elif loss in COUNT_LOSSES and _beyond_output(act, labels):
        (low, high), largest = OUTPUT_RANGES[act or ""], (labels.value_range or (0.0, 0.0))[1]
        problem = f"a {act} output only reaches ({low:g}, {high:g}) and the counts reach {largest:g}"
        change = f"use activation='{COUNT_OUTPUT}' (or 'exponential', the log link) on the output layer"
        fixed = COUNT_OUTPUT
    if problem is None:
        return None
    return Finding(
        code=Code.output_activation_mismatch,
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
        else {"output_activation": fixed},
    )


def _beyond_output(activation: str | None, labels: LabelInfo) -> bool:
    """Regression targets outside what the bounded output activation can produce."""
    bounds = OUTPUT_RANGES.get(activation or "")
    if bounds is None or labels.value_range is None:
        return False
    return labels.value_range[0] < bounds[0] or labels.value_range[1] > bounds[1]


def output_shape(info: ModelInfo, labels: LabelInfo) -> Finding | None:
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
    if too_few_sparse or wrong_one_hot:
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
        problem = f"{loss} scores one 0/1 target per output, but the labels hold {labels.distinct} classes"
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


def _dropout_rates(layer: LayerInfo) -> list[tuple[str, float | None]]:
    """(where, rate) for each dropout a layer applies: a dropout layer's rate, a recurrent
    layer's dropout on its inputs and on its state."""
    if layer.kind in DROPOUT_LAYERS:
        return [(layer.name, layer.rate)]
    own = (("dropout", layer.input_dropout), ("recurrent_dropout", layer.recurrent_dropout))
    return [(f"{layer.name} ({argument})", rate) for argument, rate in own]


def dropout(info: ModelInfo, labels: LabelInfo) -> Finding | None:
    heavy = [
        (name, rate)
        for layer in info.layers
        for name, rate in _dropout_rates(layer)
        if rate is not None and rate > MAX_DROPOUT
    ]
    if not heavy:
        return None
    return Finding(
        code=Code.excessive_dropout,
        category=Category.model,
        severity=Severity.warning,
        confidence=0.7,
        summary=f"Dropout above {MAX_DROPOUT} in {len(heavy)} layer(s) slows learning and can stall it.",
        evidence={
            "layers": [{"name": n, "rate": r} for n, r in heavy],
            "thresholds": {"max_rate": MAX_DROPOUT},
        },
        recommendation="Lower those dropout rates to 0.2-0.3.",
        fix={"dropout": 0.2},
    )


def saturating_stack(info: ModelInfo, labels: LabelInfo) -> Finding | None:
    hidden = info.layers[:-1]
    saturating = [layer.name for layer in hidden if layer.activation in SATURATING]
    normalized = any(layer.kind in NORMALIZATION or layer.kind == "Add" for layer in info.layers)
    if len(saturating) < DEEP_SATURATING or normalized:
        return None
    return Finding(
        code=Code.vanishing_gradients,
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


def _output_dimensions(info: ModelInfo, labels: LabelInfo) -> int | None:
    """The directions the output layer needs: K - 1 for K classes, else the output units."""
    if labels.format in {"integer", *CLASS_DISTRIBUTIONS} and labels.num_classes:
        return labels.num_classes - 1
    if labels.format == "binary":
        return 1
    return info.output_units


def bottleneck(info: ModelInfo, labels: LabelInfo) -> Finding | None:
    """Hidden layers too narrow for what the output must tell apart."""
    needed = _output_dimensions(info, labels)
    floor = width_floor(needed)
    narrow = [
        (layer.name, layer.units)
        for layer in info.layers[:-1]
        if layer.units is not None and layer.units < floor
    ]
    if not narrow:
        return None
    classes = labels.num_classes if labels.format in {"integer", *CLASS_DISTRIBUTIONS} else None
    against = f"{classes} classes" if classes else f"{info.output_units} outputs"
    wanted = max(RECOMMENDED_UNITS, classes or info.output_units or 0)
    per = "classes" if classes else "outputs"
    return Finding(
        code=Code.capacity_too_low,
        category=Category.model,
        severity=Severity.warning,
        confidence=0.7,
        summary=(
            f"Hidden layer(s) {', '.join(f'{name} ({units} units)' for name, units in narrow)} are too "
            f"narrow for {against}: an information bottleneck."
        ),
        evidence={
            "layers": [{"name": name, "units": units} for name, units in narrow],
            "output_dimensions": needed,
            "thresholds": {"min_hidden_units": MIN_HIDDEN_UNITS, "min_width_share": MIN_WIDTH_SHARE},
        },
        recommendation=f"Give every hidden layer at least as many units as there are {per} "
        f"(Dense({wanted}) or wider).",
        fix={"min_hidden_units": wanted},
    )


def no_hidden_layer(info: ModelInfo) -> bool:
    """Only the output layer has weights (normalization aside, which is affine): a linear or
    logistic/softmax regression."""
    weighted = [layer for layer in info.layers if layer.params > 0 and layer.kind not in NORMALIZATION]
    return len(weighted) <= 1


def linear_model_too_small(info: ModelInfo, probed: list[Finding], symptoms: list[Finding]) -> Finding | None:
    """capacity_too_low for a model with no hidden layer that the probes showed cannot fit:
    the width check above only measures hidden layers, and a model without any has none to
    measure. Called by the pipeline once the probes and the replay have run."""
    if not no_hidden_layer(info):
        return None
    alarms = [f for f in probed + symptoms if f.severity in (Severity.warning, Severity.error)]
    stalled = next((f for f in alarms if f.code == "cannot_overfit_batch"), None)
    limits = sorted({f.code for f in alarms if f.code in LINEAR_LIMIT_SYMPTOMS})
    if stalled is None or not limits:
        return None
    return Finding(
        code=Code.capacity_too_low,
        category=Category.model,
        severity=Severity.warning,
        confidence=0.8,
        summary="The model has no hidden layer, so its decision boundary is a hyperplane, and the probes "
        f"show that is not enough here: it cannot fit one batch, and its replay shows "
        f"{' and '.join(limits)}.",
        evidence={
            "weighted_layers": [layer.name for layer in info.layers if layer.params > 0],
            "one_batch": stalled.evidence,
            "replay_symptoms": limits,
        },
        recommendation=f"Add a hidden layer before the output (Dense({ADDED_HIDDEN_UNITS}, "
        "activation='relu')), so the model can draw curved boundaries.",
        fix={"add_hidden_layer": ADDED_HIDDEN_UNITS},
    )


def learning_rate(info: ModelInfo, labels: LabelInfo) -> Finding | None:
    """The rate against the optimizer's usual one: far off is a suspicion, beyond any usual
    range (LR_BEYOND_HIGH, LR_BEYOND_LOW) a cause on its own."""
    typical = TYPICAL_LR.get(info.optimizer or "")
    if typical is None or not info.learning_rate:
        return None
    ratio = info.learning_rate / typical
    if ratio >= LR_FAR:
        code, direction, beyond = Code.lr_too_high, "above", ratio >= LR_BEYOND_HIGH
    elif ratio <= 1 / (LR_FAR * LR_FAR):
        code, direction, beyond = Code.lr_too_low, "below", ratio <= LR_BEYOND_LOW
    else:
        return None
    verdict = (
        f"{math.log10(ratio):+.1f} orders of magnitude from it, beyond any rate that usual setups train at"
        if beyond
        else f"far {direction} what it usually needs"
    )
    return Finding(
        code=code,
        category=Category.hyperparameters,
        severity=Severity.warning,
        # Beyond the usual range the rate alone settles it: ranked above the range test's 0.8.
        confidence=0.9 if beyond else 0.6,
        summary=(
            f"The learning rate {info.learning_rate:g} is {ratio:.3g}x the usual {typical:g} for "
            f"{info.optimizer}, {verdict}."
        ),
        evidence={
            "learning_rate": info.learning_rate,
            "optimizer": info.optimizer,
            "typical": typical,
            "ratio": float(f"{ratio:.3g}"),
            BEYOND_USUAL: beyond,
            "thresholds": {"far": LR_FAR, "beyond_high": LR_BEYOND_HIGH, "beyond_low": LR_BEYOND_LOW},
        },
        recommendation=f"Start from learning_rate={typical:g}; the learning-rate range test refines it.",
        fix={"learning_rate": typical},
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


# Causes these checks read completely from the model and the labels, so that their silence
# rules the cause out (the saturating-stack, bottleneck and rate checks only see some forms
# of theirs).
CLEARS = frozenset(
    {
        Code.output_activation_mismatch,
        Code.output_shape_mismatch,
        Code.loss_task_mismatch,
        Code.excessive_dropout,
    }
)


def audit_model(info: ModelInfo, labels: LabelInfo) -> list[Finding]:
    return [
        finding.model_copy(update={"source": EvidenceSource.model_audit})
        for check in CHECKS
        if (finding := check(info, labels)) is not None
    ]
