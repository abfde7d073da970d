"""insufficient_data: the caller's metadata says the training set is tiny (a warning), or
that the model has far more parameters than there are training samples (info).

It reads `metadata.num_samples` and `metadata.param_count`. Without them the curves still count
the training samples when an accuracy is logged: Keras reports the share of an epoch's samples
predicted right, so every value is a multiple of 1/n (`RunFacts.train_samples`); a tiny n is
then a warning as well.
"""

from __future__ import annotations

from dataclasses import dataclass

from diagnosis.history import TrainingHistory
from diagnosis.models import EvidenceSource, Finding, Severity
from diagnosis.rules.base import Rule
from diagnosis.taxonomy import Category, Code

# Trainable parameters per training sample above which a small data set is memorized.
PARAMS_PER_SAMPLE = 20.0
# "Small": fewer samples than this. Any network fits this few samples from noise alone.
FEW_SAMPLES = 1000
TINY_SAMPLES = 100
# What to shrink the model to meanwhile.
TARGET_PARAMS_PER_SAMPLE = 10


@dataclass
class InsufficientData(Rule):
    code = Code.insufficient_data
    category = Category.data
    source = EvidenceSource.metadata
    causes = (("capacity_too_high", 1.0),)

    def check(self, run: TrainingHistory) -> Finding | None:
        meta = run.metadata
        samples = run.facts.train_samples
        if not samples:
            return None
        ratio = (meta.param_count / samples) if meta.param_count else None
        crowded = ratio is not None and ratio >= PARAMS_PER_SAMPLE and samples < FEW_SAMPLES
        tiny = samples < TINY_SAMPLES
        if not (crowded or tiny):
            return None
        return self.finding(
            run,
            # A large model on a few hundred samples often still generalizes (worth knowing);
            # a training set this tiny is memorized whatever the model (a warning).
            severity=Severity.warning if tiny else Severity.info,
            confidence=0.75 if tiny else 0.5,
            summary=(
                f"{samples} training samples"
                + (f" for {meta.param_count} parameters ({ratio:.0f} per sample)" if ratio else "")
                + ": the model can memorize the training set instead of learning from it."
            ),
            evidence={
                "num_samples": samples,
                "num_samples_from": run.facts.train_samples_from,
                "param_count": meta.param_count,
                "params_per_sample": round(ratio, 1) if ratio else None,
                "thresholds": {
                    "params_per_sample": PARAMS_PER_SAMPLE,
                    "few_samples": FEW_SAMPLES,
                    "tiny_samples": TINY_SAMPLES,
                },
            },
            recommendation=(
                "Collect more data or augment it; until then shrink the model to at most "
                f"{TARGET_PARAMS_PER_SAMPLE} parameters per sample and regularize it (Dropout 0.3, L2 1e-4)."
            ),
            fix={"max_param_count": samples * TARGET_PARAMS_PER_SAMPLE},
        )
