"""capacity_too_low: hidden layers too narrow for what the output must tell apart (an
information bottleneck). A model with no hidden layer has none to measure: see
`linear_capacity`, which the probes decide."""

from __future__ import annotations

from collections.abc import Sequence

from diagnosis.bundle import CLASS_DISTRIBUTIONS, LabelInfo, LayerInfo, ModelInfo
from diagnosis.capacity import MIN_HIDDEN_UNITS, MIN_WIDTH_SHARE, RECOMMENDED_UNITS, width_floor
from diagnosis.models import Finding, Severity
from diagnosis.probes.model_audit.base import ModelCheck
from diagnosis.taxonomy import Category, Code

# Activations that leave a layer linear (None: a layer that has no activation argument).
LINEAR_ACTIVATIONS = frozenset({"linear", None})


class Bottleneck(ModelCheck):
    name = "bottleneck"
    codes = (Code.capacity_too_low,)
    trials = ((Code.capacity_too_low, "add_capacity"),)

    def check(self, info: ModelInfo, labels: LabelInfo) -> Finding | None:
        """Hidden layers too narrow for what the output must tell apart."""
        needed = _output_dimensions(info, labels)
        floor = width_floor(needed)
        # The output layer is the last one with units: layers after it (an Activation, a ReLU,
        # a Reshape) only transform its output, so a Dense(1) before a trailing ReLU() is the
        # output of a one-output model, not a one-unit hidden layer.
        with_units = [i for i, layer in enumerate(info.layers) if layer.units is not None]
        hidden = info.layers[: with_units[-1]] if with_units else []
        narrow = [
            (layer.name, layer.units)
            for i, layer in enumerate(hidden)
            if layer.units is not None
            and layer.units < (floor if _bends(info.layers, i) else needed or floor)
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


def _bends(layers: Sequence[LayerInfo], i: int) -> bool:
    """Whether hidden layer i's output passes a nonlinear activation before the next layer with
    units: its own, or a layer's after it (Dense then ReLU()). A linear one (Dense(1) under
    Dense(1)) only composes with the next linear map: the stack is one linear map of rank
    min(widths), a bottleneck only when narrower than the output's dimensions, not under
    MIN_HIDDEN_UNITS, which is the width a layer needs to bend its input."""
    if layers[i].activation not in LINEAR_ACTIVATIONS:
        return True
    for layer in layers[i + 1 :]:
        if layer.units is not None:
            return False
        if layer.activation not in LINEAR_ACTIVATIONS:
            return True
    return False


def _output_dimensions(info: ModelInfo, labels: LabelInfo) -> int | None:
    """The directions the output layer needs: K - 1 for K classes, else the output units."""
    if labels.format in {"integer", *CLASS_DISTRIBUTIONS} and labels.num_classes:
        return labels.num_classes - 1
    if labels.format == "binary":
        return 1
    return info.output_units
