"""batch_size_unsuitable: batches too small for the model that trains on them.

Batch normalization normalizes each step with the statistics of the batch it is given: from a
handful of samples those statistics are noise, and from one sample of a dense layer they are
the sample itself, so the layer's output no longer depends on its input. Inference then uses
moving averages that the noisy batches never matched. Wu & He (Group Normalization, 2018)
measured batch normalization's error rising steeply once batches fall under 8, so fewer than
BN_MIN_BATCH samples with a BatchNormalization layer is a cause on its own.

Without batch normalization a batch of one is only a suspicion: each update follows one
sample's gradient, the noisiest estimate there is, which many small programs still train
through (a line fit by SGD at a small rate). It stands where the replay shows a noisy or
unstable symptom that lists it, or where training on batches of BATCH_TRIAL helped beyond the
run-to-run noise.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from diagnosis.bundle import LabelInfo, ModelInfo
from diagnosis.models import Finding, Severity
from diagnosis.probes.model_audit.base import ModelCheck
from diagnosis.rules.underfitting import trained_through
from diagnosis.taxonomy import Category, Code
from diagnosis.units import Settled

if TYPE_CHECKING:
    from diagnosis.probes.settling import BundleFacts

# Batch normalization needs at least this many samples per batch (Wu & He 2018).
BN_MIN_BATCH = 8
# The batch a batch of one is suspected against, and the one its trial trains with: Keras's
# default, the size most setups train at.
BATCH_TRIAL = 32
# Layers that normalize with the batch's own statistics in training.
BATCH_STATISTICS = frozenset({"BatchNormalization"})
# How sure each reading is: batch statistics from too few samples break the layer (ranked with
# the other direct findings a probe measures); one sample's gradient only forecasts noise.
BN_CONFIDENCE, ONE_SAMPLE_CONFIDENCE = 0.85, 0.6


class BatchSize(ModelCheck):
    name = "batch_size"
    codes = (Code.batch_size_unsuitable,)
    trials = ((Code.batch_size_unsuitable, "raise_batch_size"),)

    def settle(self, finding: Finding, facts: BundleFacts) -> Settled | None:
        """Small batches are a hazard: the replay trains at the user's own batch size, and one
        that fit the data anyway shows they cost nothing here (trained_through)."""
        return trained_through(facts)

    def corroborated(self, finding: Finding, facts: BundleFacts) -> bool:
        """Batch statistics from too few samples stand on their own; a batch of one needs a
        replay symptom that lists this cause, or batches of BATCH_TRIAL that helped."""
        if finding.evidence.get("batch_normalization"):
            return True
        alarms = [s for s in facts.symptoms if s.severity is not Severity.info]
        listed = any(Code.batch_size_unsuitable in s.supports for s in alarms)
        return listed or finding.fix_helped

    def check(self, info: ModelInfo, labels: LabelInfo) -> Finding | None:
        batch = info.batch_size
        if batch is None or batch >= BN_MIN_BATCH:
            return None
        normalized = [layer.name for layer in info.layers if layer.kind in BATCH_STATISTICS]
        if normalized:
            summary = (
                f"Batches of {batch} are too few samples for the batch statistics of "
                f"{len(normalized)} BatchNormalization layer(s): they need at least {BN_MIN_BATCH}."
            )
        elif batch == 1:
            summary = "Batches of one sample: each update follows one sample's gradient, the noisiest of all."
        else:
            return None
        return Finding(
            code=Code.batch_size_unsuitable,
            category=Category.hyperparameters,
            severity=Severity.warning,
            confidence=BN_CONFIDENCE if normalized else ONE_SAMPLE_CONFIDENCE,
            summary=summary,
            evidence={
                "batch_size": batch,
                "batch_normalization": normalized,
                "thresholds": {"bn_min_batch": BN_MIN_BATCH, "batch_trial": BATCH_TRIAL},
            },
            recommendation=(
                f"Train on batches of {BATCH_TRIAL} (or, where memory is short, swap BatchNormalization "
                "for LayerNormalization or GroupNormalization, which use no batch statistics)."
                if normalized
                else f"Train on batches of {BATCH_TRIAL}."
            ),
            fix={"batch_size": BATCH_TRIAL},
        )
