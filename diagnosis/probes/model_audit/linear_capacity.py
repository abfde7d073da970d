"""capacity_too_low for a model with no hidden layer (a linear or logistic regression): it
draws a hyperplane, which is too small for a task only when the probes show it. The width
check (`capacity_too_low`) only measures hidden layers, and such a model has none, so the
pipeline calls this once the probes and the replay have run."""

from __future__ import annotations

from diagnosis.bundle import ModelInfo
from diagnosis.models import Finding, Severity
from diagnosis.probes.model_audit.base import NORMALIZATION
from diagnosis.taxonomy import Category, Code

# A model with no hidden layer (a linear or logistic regression) draws a hyperplane: it is too
# small for a task only when the probes show it: its one-batch overfit stalled and the replay
# ended with one of these symptoms (at warning or above). Neither alone settles it: a linear
# model cannot memorize a batch of more samples than inputs, nor fit noise, on a task it suits.
LINEAR_LIMIT_SYMPTOMS = frozenset({"underfitting", "accuracy_at_chance"})
# The hidden layer recommended (and tried) in front of a linear model's output.
ADDED_HIDDEN_UNITS = 32


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
