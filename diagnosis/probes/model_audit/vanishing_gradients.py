"""vanishing_gradients: a deep stack of saturating (sigmoid/tanh) hidden layers with no
normalization or skip connection shrinks the gradient at every layer. Only this form of the
cause shows in the wiring, so the check's silence clears nothing."""

from __future__ import annotations

from diagnosis.bundle import LabelInfo, ModelInfo
from diagnosis.models import Finding, Severity
from diagnosis.probes.model_audit.base import PlainStackCheck
from diagnosis.taxonomy import Category, Code

# This many saturating (sigmoid/tanh) hidden layers without normalization vanish gradients.
DEEP_SATURATING = 4
SATURATING = frozenset({"sigmoid", "tanh", "hard_sigmoid", "softsign"})


class SaturatingStack(PlainStackCheck):
    name = "saturating_stack"
    activations = SATURATING
    deep = DEEP_SATURATING

    def check(self, info: ModelInfo, labels: LabelInfo) -> Finding | None:
        saturating = self.stacked(info)
        if not saturating:
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
