"""vanishing_gradients: a deep stack of saturating (sigmoid/tanh) hidden layers with no
normalization or skip connection shrinks the gradient at every layer. Only this form of the
cause shows in the wiring, so the check's silence clears nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from diagnosis.bundle import LabelInfo, ModelInfo
from diagnosis.models import Finding, Severity
from diagnosis.probes.model_audit.base import ModelCheck, plain_stack
from diagnosis.taxonomy import Category, Code

if TYPE_CHECKING:
    from diagnosis.probes.settling import BundleFacts

# This many saturating (sigmoid/tanh) hidden layers without normalization vanish gradients.
DEEP_SATURATING = 4
SATURATING = frozenset({"sigmoid", "tanh", "hard_sigmoid", "softsign"})


class SaturatingStack(ModelCheck):
    name = "saturating_stack"
    codes = (Code.vanishing_gradients,)
    trials = ((Code.vanishing_gradients, "relu_he_init"),)

    def corroborated(self, finding: Finding, facts: BundleFacts) -> bool:
        """A count of layers is a suspicion: four tanh layers of a small MLP train fine with
        Glorot weights. It stands when the replay stalled in a way that lists this cause (a
        plateau, a slow descent) or its fix trial helped. (Gradients the probe measured
        vanishing raise this code themselves, a finding that outranks this one.)"""
        return facts.symptom_supports(Code.vanishing_gradients) or finding.fix_helped

    def check(self, info: ModelInfo, labels: LabelInfo) -> Finding | None:
        hidden = info.layers[:-1]
        saturating = [layer.name for layer in hidden if layer.activation in SATURATING]
        if len(saturating) < DEEP_SATURATING or not plain_stack(info):
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
            recommendation="Use ReLU with He initialization, "
            "or add BatchNormalization after each hidden layer.",
            fix={"hidden_activation": "relu", "kernel_initializer": "he_normal"},
        )
