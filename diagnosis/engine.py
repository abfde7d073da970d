"""The one entry point every door calls: a training history in, a Diagnosis out."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from diagnosis.curves import rounded
from diagnosis.evidence import conclude, history_context
from diagnosis.history import TrainingHistory
from diagnosis.models import Diagnosis, RunSummary
from diagnosis.rules import REGISTRY

try:
    ENGINE_VERSION = version("convdiag")
except PackageNotFoundError:  # running from a source tree that was never installed
    ENGINE_VERSION = "0+unknown"


def diagnose(run: TrainingHistory) -> Diagnosis:
    """Run every registered rule over the history and weigh what they found into a verdict;
    pure and numpy-only."""
    findings = [f for rule in REGISTRY.values() if (f := rule().check(run)) is not None]
    summary = RunSummary(
        epochs=run.epochs,
        metrics=list(run.metrics),
        final={name: rounded(float(values[-1])) for name, values in run.metrics.items()},
        task=run.facts.task,
        num_classes=run.facts.num_classes,
        lr_schedule=run.facts.lr_changes,
        source=run.source,
    )
    findings, verdict = conclude(findings, history_context(run))
    return Diagnosis.from_findings(findings, summary, ENGINE_VERSION, verdict)


def diagnose_runs(runs: list[TrainingHistory]) -> Diagnosis:
    """Several runs from one input (a log that holds several `fit` calls): the last run's
    diagnosis on top, the earlier ones under `runs`."""
    if not runs:
        raise ValueError("diagnose_runs needs at least one run")
    *earlier, last = runs
    return diagnose(last).model_copy(update={"runs": [diagnose(run) for run in earlier]})
