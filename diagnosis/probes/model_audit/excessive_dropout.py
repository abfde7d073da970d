"""excessive_dropout: dropout rates that throw away more than half the signal at every step."""

from __future__ import annotations

from typing import TYPE_CHECKING

from diagnosis.bundle import LabelInfo, LayerInfo, ModelInfo
from diagnosis.models import Finding, Severity
from diagnosis.probes.model_audit.base import ModelCheck
from diagnosis.rules.underfitting import trained_through
from diagnosis.taxonomy import Category, Code
from diagnosis.units import Settled

if TYPE_CHECKING:
    from diagnosis.probes.settling import BundleFacts

# Dropout above this rate throws away more than half the signal at every step.
MAX_DROPOUT = 0.5
# Layers that drop a share `rate` of what passes through them in training (SpatialDropout
# drops whole channels, with the same effect on how much signal gets through).
DROPOUT_LAYERS = frozenset(
    {"Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "AlphaDropout"}
)


class Dropout(ModelCheck):
    name = "dropout"
    codes = (Code.excessive_dropout,)
    trials = ((Code.excessive_dropout, "lower_dropout"),)
    clears = True

    def settle(self, finding: Finding, facts: BundleFacts) -> Settled | None:
        """Heavy dropout is a hazard, a forecast that learning slows or stalls: the replay trains
        the user's own model, dropout and all, so one that fit the data anyway (trained_through)
        shows it did not stall here (a graph attention network's customary 0.6, say)."""
        return trained_through(facts)

    def check(self, info: ModelInfo, labels: LabelInfo) -> Finding | None:
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


def _dropout_rates(layer: LayerInfo) -> list[tuple[str, float | None]]:
    """(where, rate) for each dropout a layer applies: a dropout layer's rate, a recurrent
    layer's dropout on its inputs and on its state."""
    if layer.kind in DROPOUT_LAYERS:
        return [(layer.name, layer.rate)]
    own = (("dropout", layer.input_dropout), ("recurrent_dropout", layer.recurrent_dropout))
    return [(f"{layer.name} ({argument})", rate) for argument, rate in own]
