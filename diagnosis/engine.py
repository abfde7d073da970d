"""The one entry point every door calls: a training history in, a Diagnosis out."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from diagnosis.curves import rounded
from diagnosis.history import TrainingHistory
from diagnosis.models import Diagnosis, RunSummary
from diagnosis.rules import REGISTRY

try:
    ENGINE_VERSION = version("convdiag")
except PackageNotFoundError:  # running from a source tree that was never installed
    ENGINE_VERSION = "0+unknown"


def diagnose(run: TrainingHistory) -> Diagnosis:
    """Run every registered rule over the history; pure and numpy-only."""
    findings = [f for rule in REGISTRY.values() if (f := rule().check(run)) is not None]
    summary = RunSummary(
        epochs=run.epochs,
        metrics=list(run.metrics),
        final={name: rounded(float(values[-1])) for name, values in run.metrics.items()},
    )
    return Diagnosis.from_findings(findings, summary, ENGINE_VERSION)
