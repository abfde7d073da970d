"""lr_too_high: the caller's learning rate is beyond any the optimizer usually trains at, and
the run did not learn well.

A rate 100x the optimizer's usual one (Adam at 0.1 or more, SGD at 1 or more) throws the
weights around so far that a run either blows up or, after the first epochs, crawls along
from wherever the first huge steps left it; the curves of the second kind look like a slow
or underfitting model. The metadata names the cause outright, as it would for an engineer
reading the configuration. A run that still learned well (large-batch SGD with a scaled-up
rate can) keeps the rate unflagged: only a finite loss that ended above half the
learned-nothing loss, or a non-finite one, counts as not learning well.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from diagnosis.curves import rounded
from diagnosis.evidence import LR_BEYOND_HIGH, TYPICAL_LR, lr_ratio
from diagnosis.history import TrainingHistory
from diagnosis.models import EvidenceSource, Finding, Severity
from diagnosis.rules.base import Rule
from diagnosis.rules.underfitting import HIGH_LOSS
from diagnosis.taxonomy import Category, Code


@dataclass
class LrTooHigh(Rule):
    code = Code.lr_too_high
    trials = ((Code.lr_too_high, "lower_learning_rate"),)
    category = Category.hyperparameters
    source = EvidenceSource.metadata
    causes = (("lr_too_high", 3.0),)

    def check(self, run: TrainingHistory) -> Finding | None:
        ratio = lr_ratio(run.metadata)
        loss = run.get("loss")
        if ratio is None or ratio < LR_BEYOND_HIGH or loss is None:
            return None
        nonfinite = not bool(np.isfinite(loss).all())
        baseline = run.facts.baseline_loss
        share = float(loss[-1]) / baseline if baseline and np.isfinite(loss[-1]) else None
        if not nonfinite and (share is None or share < HIGH_LOSS):
            return None
        meta = run.metadata
        typical = TYPICAL_LR[(meta.optimizer or "").lower()]
        outcome = (
            "the loss went non-finite"
            if nonfinite
            else f"the training loss ended at {share:.0%} of what a model that learned nothing scores"
        )
        return self.finding(
            run,
            severity=Severity.warning,
            confidence=0.85,
            summary=(
                f"The learning rate {meta.learning_rate:g} is {ratio:.3g}x the usual {typical:g} for "
                f"{meta.optimizer}, beyond any rate usual setups train at, and {outcome}."
            ),
            evidence={
                "learning_rate": meta.learning_rate,
                "optimizer": meta.optimizer,
                "typical": typical,
                "ratio": rounded(ratio, 3),
                "nonfinite_loss": nonfinite,
                "final_loss_share_of_baseline": rounded(share, 3) if share is not None else None,
                "thresholds": {"beyond_high": LR_BEYOND_HIGH, "high_loss": HIGH_LOSS},
            },
            recommendation=f"Start from learning_rate={typical:g}; a learning-rate range test refines it.",
            fix={"learning_rate": typical},
        )
