"""output_activation_mismatch: the output activation against the loss and the targets: the
pairs that silently train badly (a softmax over one unit, an activation applied twice, a
bounded output that cannot reach the regression targets, a count loss on negative outputs, a
softmax over tags that can be on together).
"""

from __future__ import annotations

import math

from diagnosis.bundle import (
    COUNT_LOSSES,
    ONE_HOT_LOSSES,
    REGRESSION_LOSSES,
    SPARSE_LOSSES,
    LabelInfo,
    ModelInfo,
)
from diagnosis.models import Finding, Severity
from diagnosis.probes.model_audit.base import ModelCheck, crossentropy
from diagnosis.taxonomy import Category, Code

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


class OutputActivation(ModelCheck):
    name = "output_activation"
    codes = (Code.output_activation_mismatch,)
    trials = ((Code.output_activation_mismatch, "fix_output_activation"),)
    clears = True

    def check(self, info: ModelInfo, labels: LabelInfo) -> Finding | None:
        """Output activation against the loss: the pairs that silently train badly."""
        act, units, loss = info.output_activation, info.output_units, info.loss
        problem: str | None = None
        change = ""
        fixed = "linear"
        if act == "softmax" and units == 1 and loss in ONE_HOT_LOSSES:
            # A categorical loss agrees with the softmax: the one unit is the fault, named by
            # output_shape_mismatch (the fix is two units and one-hot labels, not a sigmoid).
            return None
        if act == "softmax" and units == 1:
            problem = "a softmax over 1 unit always outputs 1.0, so the loss cannot change"
            change = "use Dense(1, activation='sigmoid') with binary_crossentropy"
        elif act in PROBABILITY_OUTPUTS and info.from_logits:
            problem = f"the output already applies {act} but the loss has from_logits=True, applying it twice"
            change = "set from_logits=False, or make the output layer linear"
        elif crossentropy(info) and not info.from_logits and act not in PROBABILITY_OUTPUTS:
            problem = f"{loss} expects probabilities but the output activation is {act or 'linear'}"
            change = (
                "use softmax (sigmoid for one unit) on the output, or from_logits=True with a linear output"
            )
        elif act == "sigmoid" and loss in ONE_HOT_LOSSES | SPARSE_LOSSES and (units or 0) > 2:
            problem = f"sigmoid outputs over {units} classes do not sum to 1, which {loss} assumes"
            change = "use softmax on the output layer"
        elif act == "softmax" and labels.format == "multi_hot" and not crossentropy(info):
            # The outputs sum to 1, so two tags on in one row (targets summing to 2) can never both
            # be predicted, and raising one tag lowers the others. Under a cross-entropy the label
            # audit names this fault already (label_format_mismatch, from the model's side); under
            # a regression loss (MSE) nothing else reads the labels as tags.
            problem = "a softmax makes the outputs sum to 1, but the labels mark several tags on in a row"
            change = "use sigmoid outputs (one independent probability per tag) with binary_crossentropy"
            fixed = "sigmoid"
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
            if crossentropy(info)
            else {"output_activation": fixed},
        )


def _beyond_output(activation: str | None, labels: LabelInfo) -> bool:
    """Regression targets outside what the bounded output activation can produce."""
    bounds = OUTPUT_RANGES.get(activation or "")
    if bounds is None or labels.value_range is None:
        return False
    return labels.value_range[0] < bounds[0] or labels.value_range[1] > bounds[1]
