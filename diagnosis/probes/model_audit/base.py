"""What a model check is: a look at the model's wiring against its loss and labels, before any
training, that returns a finding or nothing.

Mirrors `diagnosis.audit` and `diagnosis.rules`: one check per module, its thresholds named at
the top, registered by being defined. Each declares:
- `codes`: the cause codes it can raise. A finding names its cause outright, so it weighs in
  the evidence model as a direct finding (diagnosis.evidence.DIRECT_LR by severity);
- `clears`: whether it reads every form of its causes from the model and the labels, so that
  its silence rules them out (diagnosis.evidence.CLEARED_LR). A check that sees only some
  forms of its cause (a saturating stack, a bottleneck, a rate) clears nothing.
No Keras is imported here: checks read `ModelInfo` and `LabelInfo`.
"""

from __future__ import annotations

import inspect
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, ClassVar

from diagnosis.bundle import LabelInfo, ModelInfo
from diagnosis.models import Finding
from diagnosis.taxonomy import Code
from diagnosis.units import Unit

if TYPE_CHECKING:
    from diagnosis.probes.settling import BundleFacts

REGISTRY: dict[str, type[ModelCheck]] = {}
# Layers that normalize what passes through them (affine at inference, so they add no
# capacity, and they keep saturating stacks out of their flat ends).
NORMALIZATION = frozenset({"BatchNormalization", "LayerNormalization", "GroupNormalization"})


def plain_stack(info: ModelInfo) -> bool:
    """No normalization layer and no skip connection (an Add) anywhere: the signal goes through
    every hidden layer as it is, which is what deep or saturating stacks need to fail."""
    return not any(layer.kind in NORMALIZATION or layer.kind == "Add" for layer in info.layers)


class ModelCheck(ABC, Unit):
    name: ClassVar[str]
    codes: ClassVar[tuple[Code, ...]]
    clears: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if inspect.isabstract(cls):  # a shared base of several checks, not a check
            return
        if cls.name in REGISTRY:
            raise TypeError(f"two model checks claim the name {cls.name!r}")
        REGISTRY[cls.name] = cls

    @abstractmethod
    def check(self, info: ModelInfo, labels: LabelInfo) -> Finding | None:
        """Return a finding when the model's wiring shows what this check detects."""


def crossentropy(info: ModelInfo) -> bool:
    return bool(info.loss) and "crossentropy" in (info.loss or "")


class PlainStackCheck(ModelCheck):
    """A count of hidden layers of some kind in one plain stack (`plain_stack`): vanishing
    gradients, cured in a trial by ReLU with He weights or by self-normalizing units."""

    codes = (Code.vanishing_gradients,)
    trials = ((Code.vanishing_gradients, "relu_he_init"),)
    # The hidden activations a check counts, and how many of them make its stack deep.
    activations: ClassVar[frozenset[str]]
    deep: ClassVar[int]

    def stacked(self, info: ModelInfo) -> list[str]:
        """The hidden layers with one of `activations`, when at least `deep` of them sit in a
        plain stack; else none."""
        layers = [layer.name for layer in info.layers[:-1] if layer.activation in self.activations]
        return layers if len(layers) >= self.deep and plain_stack(info) else []

    def corroborated(self, finding: Finding, facts: BundleFacts) -> bool:
        """A count of layers is a suspicion: four tanh layers of a small MLP train fine with
        Glorot weights. It stands when the replay stalled in a way that lists this cause (a
        plateau, a slow descent) or its fix trial helped. (Gradients the probe measured
        vanishing raise this code themselves, a finding that outranks this one.)"""
        return facts.symptom_supports(Code.vanishing_gradients) or finding.fix_helped
