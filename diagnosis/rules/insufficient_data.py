"""insufficient_data: the caller's metadata says the training set is tiny (a warning), or
that the model has far more parameters than there are training samples (info).

It reads `metadata.num_samples` and `metadata.param_count`. Without them the curves still count
the training samples when an accuracy is logged: Keras reports the share of an epoch's samples
predicted right, so every value is a multiple of 1/n (`RunFacts.train_samples`); a tiny n is
then a warning as well.

A tiny training set is a hazard because the model memorizes it, and memorizing shows in the
curves as a training loss far under validation's. Where validation is logged and ended at or
under the training loss (the medians of their last END_EPOCHS epochs), the model fit new data
as well as its own: nothing was memorized, so the count is worth knowing (info), not a warning
(a SimpleRNN on 36 noisy-sine sequences, training 0.058 and validation 0.043, both still
falling). The generated runs on 20-50 samples end with training 3 to 1000 times under
validation, and stay warnings.
"""

from __future__ import annotations

from dataclasses import dataclass

from diagnosis.curves import finite_curve, median
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
# Final epochs whose median is compared (one epoch's loss is noisy).
END_EPOCHS = 3


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
            # a training set this tiny is memorized whatever the model (a warning), unless
            # validation shows nothing was (see the docstring).
            severity=Severity.warning if tiny and not _generalized(run) else Severity.info,
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


def _generalized(run: TrainingHistory) -> bool:
    """Validation ended at or under the training loss (medians of the last END_EPOCHS epochs)."""
    loss, val = finite_curve(run.get("loss")), finite_curve(run.get("val_loss"))
    if loss is None or val is None:
        return False
    return median(val[-END_EPOCHS:]) <= median(loss[-END_EPOCHS:])
