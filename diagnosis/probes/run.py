"""The bundle pipeline, stage by stage: load, audit, probe, try fixes."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from diagnosis.audit import REGISTRY as DATA_CHECKS
from diagnosis.audit import audit_data
from diagnosis.bundle import label_info, replay_metadata
from diagnosis.engine import ENGINE_VERSION, diagnose
from diagnosis.evidence import Context, conclude, history_context, order_for_trials
from diagnosis.history import history_from_mapping
from diagnosis.models import Diagnosis, EvidenceSource, Finding, RunSummary, Severity
from diagnosis.probes.fixes import Bench, try_fixes
from diagnosis.probes.loader import BundleError, Limits, open_bundle
from diagnosis.probes.model_audit import CLEARS, audit_model
from diagnosis.probes.model_audit.linear_capacity import linear_model_too_small
from diagnosis.probes.model_info import describe, ruled_out
from diagnosis.probes.registry import REGISTRY as PROBES
from diagnosis.probes.registry import ProbeRun
from diagnosis.probes.settling import BundleFacts, corroborate, settle
from diagnosis.probes.training import FreshStart, Prepared, ProbeResults, replay
from diagnosis.rules.underfitting import replay_fits
from diagnosis.taxonomy import Code

Progress = Callable[[float, str], None]


def judged_by_score(context: Context, facts: BundleFacts) -> Context:
    """Too few epochs to tell a trend is what a history lacks; a bundle's replay is also judged
    by its validation score, and one that fit the data (replay_fits) can be called healthy."""
    return replace(context, missing=()) if context.missing and replay_fits(facts) else context


def _checked(has_validation: bool) -> frozenset[Code]:
    """The causes whose checks ran completely on this bundle, so that their silence counts."""
    data = {code for code, check in DATA_CHECKS.items() if has_validation or not check.needs_validation}
    return frozenset(data) | CLEARS


def _finish(findings: list[Finding], run: RunSummary, context: Context) -> Diagnosis:
    concluded, verdict = conclude(findings, context)
    return Diagnosis.from_findings(concluded, run, ENGINE_VERSION, verdict)


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
    import keras

    try:
        return _probe(bundle, limits, progress)
    finally:
        # Every probe builds models; a long-lived worker process would keep all their graph
        # state (and memory) without this.
        keras.backend.clear_session()


def _probe(bundle: Path, limits: Limits, progress: Progress) -> Diagnosis:
    with tempfile.TemporaryDirectory(prefix="convdiag-bundle-") as workdir:
        progress(0.05, "loading")
        opened = open_bundle(bundle, Path(workdir), limits)
        model, config, data = opened.model, opened.config, opened.data
        info = describe(model, config)
        labels = label_info(data.y_train, info.loss, info.output_shape)

        progress(0.15, "audit")
        audit = audit_data(data, info) + audit_model(info, labels)
        checked = _checked(data.x_val is not None and data.y_val is not None)
        prepared = Prepared.from_bundle(data)
        finite = prepared.finite()
        probes = ProbeResults()

        progress(0.3, "probes")
        try:  # a fresh copy evaluated on the data: also the check that it can be
            start = FreshStart(model, info)
            on = ProbeRun(model, start, info, finite, labels, config, probes)
            for probe in PROBES.values():
                if probe.checks_wiring:
                    probe().run(on)
        except Exception as exc:  # Keras reports shape mismatches with several exception types
            if not any(f.severity is Severity.error for f in audit):
                raise BundleError(f"the model cannot be evaluated on the data: {exc}") from None
            # The audit already named a wiring error that explains it; training probes can't run.
            return _finish(
                _merge(audit), RunSummary(epochs=0, metrics=[]), Context(epochs=0, checked=checked)
            )
        for probe in PROBES.values():
            if not probe.checks_wiring:
                probe().run(on)
        # Multi-label rows: each tag right or wrong on its own, as task_score counts them.
        replayed = FreshStart(model, info, metrics=True, per_unit_accuracy=labels.format == "multi_hot")
        baseline = replay(replayed, prepared, config, labels)
        probes.count("replay", baseline.steps)
        replayed_run = history_from_mapping(
            baseline.history, replay_metadata(info, labels, config, prepared.y)
        )
        curves = diagnose(replayed_run)
        linear = linear_model_too_small(info, probes.findings, curves.findings)
        found = [
            f.model_copy(update={"source": EvidenceSource.probe})
            for f in [*probes.findings, *([linear] if linear else [])]
        ]
        facts = BundleFacts(info, config, finite, baseline, symptoms=tuple(curves.findings))
        audit, reported, probed = settle((audit, curves.findings, found), facts)
        findings = _merge(audit + probed + reported)

        progress(0.6, "fix trials")
        before = history_context(replayed_run, checked=checked, ruled_out=ruled_out(info))
        order = order_for_trials(findings, before)
        bench = Bench(model, info, config, prepared, labels, probes, baseline, replayed)
        tried, trials = try_fixes(findings, bench, order, before.metadata)
        progress(0.95, "writing")
        context = replace(before, trials=trials)
        context = judged_by_score(context, facts)
        result = _finish(corroborate(tried, facts), curves.run, context)
        return result.model_copy(
            update={
                "probes": {
                    **probes.measurements,
                    "replay": {"score": baseline.score, "steps": baseline.steps, "history": baseline.history},
                    "steps": {**probes.steps, "total": sum(probes.steps.values())},
                }
            }
        )
