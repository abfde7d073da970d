"""The bundle pipeline, stage by stage: load, audit, probe, try fixes."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from diagnosis.audit import audit_data
from diagnosis.bundle import label_info
from diagnosis.engine import ENGINE_VERSION, diagnose
from diagnosis.history import history_from_mapping
from diagnosis.models import Diagnosis, Finding, RunSummary, Severity
from diagnosis.probes.fixes import try_fixes
from diagnosis.probes.loader import BundleError, Limits, open_bundle
from diagnosis.probes.model_audit import audit_model
from diagnosis.probes.model_info import describe, fresh_copy
from diagnosis.probes.training import (
    Prepared,
    ProbeResults,
    gradient_stats,
    initial_loss,
    lr_range_test,
    overfit_one_batch,
    replay,
)

Progress = Callable[[float, str], None]
# Verdicts a probe can only suspect: the range test says a rate is unusual, but many setups
# train fine off the usual rate. They stay warnings only when the replay showed a symptom or
# trying the fix measurably helped; otherwise they are worth knowing (info).
SUSPICIONS = frozenset({"lr_too_high", "lr_too_low"})


def _confirm(findings: list[Finding], symptomatic: bool) -> list[Finding]:
    return [
        f.model_copy(update={"severity": Severity.info})
        if f.code in SUSPICIONS and f.severity is Severity.warning and not (symptomatic or f.fix_helped)
        else f
        for f in findings
    ]


def _merge(findings: list[Finding]) -> list[Finding]:
    """One finding per code: audits and probes can both name a cause; keep the strongest."""
    best: dict[str, Finding] = {}
    for finding in findings:
        kept = best.get(finding.code)
        if kept is None or (finding.severity.rank, finding.confidence) > (
            kept.severity.rank,
            kept.confidence,
        ):
            best[finding.code] = finding
    return list(best.values())


def probe_bundle(bundle: Path, limits: Limits, progress: Progress = lambda _p, _s: None) -> Diagnosis:
    with tempfile.TemporaryDirectory(prefix="convdiag-bundle-") as workdir:
        progress(0.05, "loading")
        opened = open_bundle(bundle, Path(workdir), limits)
        model, config, data = opened.model, opened.config, opened.data
        info = describe(model, config)
        labels = label_info(data.y_train)

        progress(0.15, "audit")
        findings = audit_data(data, info) + audit_model(info, labels)
        prepared = Prepared.from_bundle(data)
        try:
            fresh_copy(model, info).evaluate(prepared.x[:2], prepared.y[:2], verbose=0)
        except Exception as exc:  # Keras reports shape mismatches with several exception types
            if not any(f.severity is Severity.error for f in findings):
                raise BundleError(f"the model cannot be evaluated on the data: {exc}") from None
            # The audit already named a wiring error that explains it; training probes can't run.
            return Diagnosis.from_findings(_merge(findings), RunSummary(epochs=0, metrics=[]), ENGINE_VERSION)

        progress(0.3, "probes")
        probes = ProbeResults()
        initial_loss(model, info, prepared, labels, probes)
        overfit_one_batch(model, info, prepared, probes)
        lr_range_test(model, info, prepared, config, probes)
        gradient_stats(model, info, prepared, probes)
        baseline = replay(model, info, prepared, config, labels)
        curves = diagnose(
            history_from_mapping(
                baseline.history, {"learning_rate": info.learning_rate, "optimizer": info.optimizer}
            )
        )
        findings = _merge(findings + probes.findings + curves.findings)

        progress(0.6, "fix trials")
        ordered = Diagnosis.from_findings(findings, curves.run, ENGINE_VERSION).findings
        tried = try_fixes(ordered, model, info, config, prepared, labels, probes, baseline)
        progress(0.95, "writing")
        result = Diagnosis.from_findings(_confirm(tried, not curves.healthy), curves.run, ENGINE_VERSION)
        return result.model_copy(
            update={
                "probes": {
                    **probes.measurements,
                    "replay": {"score": baseline.score, "steps": baseline.steps},
                }
            }
        )
