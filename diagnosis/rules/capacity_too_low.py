"""capacity_too_low: the caller's `hidden_units` hold a layer too narrow for the output, and the
loss shows the cost.

A bottleneck (2 units in front of 10 classes) trains steadily but slowly towards a poor
optimum; its curves look like any slow model's, so the curves alone cannot name it. With the
layer widths in the metadata the rule holds the narrowest one against what the output needs
(`diagnosis.capacity`, the same floor the bundle's model audit uses): a warning when the run's
loss also stayed high, info when the run learned well regardless (the layer is still worth
widening, but it did not stop this run). Without `hidden_units` the rule stays silent.
"""

from __future__ import annotations

from dataclasses import dataclass

from diagnosis.capacity import MIN_HIDDEN_UNITS, MIN_WIDTH_SHARE, RECOMMENDED_UNITS, width_floor
from diagnosis.curves import finite_curve, rounded
from diagnosis.history import TrainingHistory
from diagnosis.models import EvidenceSource, Finding, Severity
from diagnosis.rules.base import Rule
from diagnosis.taxonomy import Category, Code

# "Stayed high": the last training loss above this share of the learned-nothing loss (a
# 10-class model at a quarter of ln 10 is still wrong on about one sample in five).
HIGH_LOSS_SHARE = 0.25


@dataclass
class CapacityTooLow(Rule):
    code = Code.capacity_too_low
    trials = ((Code.capacity_too_low, "add_capacity"),)
    category = Category.model
    source = EvidenceSource.metadata
    causes = (("capacity_too_low", 3.0),)

    def check(self, run: TrainingHistory) -> Finding | None:
        widths = run.metadata.hidden_units
        if not widths:
            return None  # unknown, or no hidden layer at all: a linear model suits linear tasks
        facts = run.facts
        classes = facts.num_classes if facts.task in {"binary", "multiclass"} else None
        needed = classes - 1 if classes else None
        floor = width_floor(needed)
        narrowest = min(widths)
        if narrowest >= floor:
            return None
        loss = finite_curve(run.get("loss"))
        baseline = facts.baseline_loss
        share = float(loss[-1]) / baseline if loss is not None and baseline else None
        high = share is not None and share >= HIGH_LOSS_SHARE
        against = f"{classes} classes" if classes else "the output"
        wanted = max(RECOMMENDED_UNITS, classes or 0)
        return self.finding(
            run,
            severity=Severity.warning if high else Severity.info,
            confidence=0.7 if high else 0.4,
            summary=(
                f"A hidden layer of {narrowest} units is too narrow for {against}: an information "
                "bottleneck"
                + (f"; the training loss ended at {share:.0%} of the learned-nothing loss." if high else ".")
            ),
            evidence={
                "hidden_units": widths,
                "narrowest": narrowest,
                "output_dimensions": needed,
                "final_loss_share_of_baseline": rounded(share) if share is not None else None,
                "thresholds": {
                    "min_hidden_units": MIN_HIDDEN_UNITS,
                    "min_width_share": MIN_WIDTH_SHARE,
                    "high_loss_share": HIGH_LOSS_SHARE,
                },
            },
            recommendation=f"Give every hidden layer at least {wanted} units (Dense({wanted}) or wider).",
            fix={"min_hidden_units": wanted},
        )
