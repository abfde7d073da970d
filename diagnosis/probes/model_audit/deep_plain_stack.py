"""vanishing_gradients: a deep stack of plain ReLU hidden layers, with no normalization or skip
connection. He initialization keeps the signal's variance through each layer only on average;
the fluctuations around it compound with depth (Hanin and Rolnick 2018: they grow with the sum
of 1/width over the layers), so a stack as deep as it is wide sends the gradient to zero or to
infinity at its start and the units of its later layers die. Plain networks train worse as they
grow deeper even at a few tens of layers (He et al. 2016: 34 plain layers against 18); the cure
is normalization, skip connections or self-normalizing units (SELU with LeCun normal weights).
Dead units found in such a stack are its consequence (diagnosis.evidence.CONSEQUENCES), one fact.
Only this form of the cause shows in the wiring, so the check's silence clears nothing."""

from __future__ import annotations

from diagnosis.bundle import LabelInfo, ModelInfo
from diagnosis.evidence import PLAIN_DEPTH_KEY
from diagnosis.models import Finding, Severity
from diagnosis.probes.model_audit.base import PlainStackCheck
from diagnosis.probes.model_info import DYING_ACTIVATIONS
from diagnosis.taxonomy import Category, Code

# This many ReLU hidden layers in one plain stack is deep enough to lose the signal: between the
# 18 plain layers that trained well and the 34 that trained worse (He et al. 2016).
DEEP_PLAIN = 30


class DeepPlainStack(PlainStackCheck):
    name = "deep_plain_stack"
    activations = DYING_ACTIVATIONS
    deep = DEEP_PLAIN

    def check(self, info: ModelInfo, labels: LabelInfo) -> Finding | None:
        plain = self.stacked(info)
        if not plain:
            return None
        return Finding(
            code=Code.vanishing_gradients,
            category=Category.training_dynamics,
            severity=Severity.warning,
            confidence=0.6,
            summary=(
                f"{len(plain)} ReLU hidden layers in one stack with no normalization or skip connection: "
                "the signal fades or blows up on its way through, and units of the later layers die."
            ),
            evidence={PLAIN_DEPTH_KEY: len(plain), "thresholds": {"deep": DEEP_PLAIN}},
            recommendation="Use SELU with lecun_normal weights in every hidden layer (a self-normalizing "
            "network), or add BatchNormalization after each hidden layer, or make the stack shallower.",
            fix={"hidden_activation": "selu", "kernel_initializer": "lecun_normal"},
        )
