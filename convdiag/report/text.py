"""A diagnosis as text a person reads in a terminal: the verdict first (headline, ranked
causes, first fix), then the findings behind it."""

from __future__ import annotations

import json

from diagnosis.models import Diagnosis, EvidenceSource, Verdict, VerdictStatus

_MARK = {"error": "ERROR  ", "warning": "WARNING", "info": "info   "}
# Evidence items shown per cause in the terminal; --json and the report carry them all.
SHOWN_EVIDENCE = 2
# Evidence only a bundle gives: a cause weighed without any was judged from curves and metadata.
BUNDLE_SOURCES = frozenset(
    {EvidenceSource.data_audit, EvidenceSource.model_audit, EvidenceSource.probe, EvidenceSource.fix_trial}
)


def _one_line(diagnosis: Diagnosis) -> str:
    codes = ", ".join(f"{f.severity.value} {f.code}" for f in diagnosis.findings) or "no findings"
    return f"{diagnosis.run.unit.count(diagnosis.run.epochs)}, {diagnosis.verdict.status.value}: {codes}"


def render_verdict(verdict: Verdict) -> list[str]:
    lines = [f"{verdict.status.value}: {verdict.headline}"]
    if verdict.causes:
        lines.append("Causes, most likely first:")
    for rank, cause in enumerate(verdict.causes, start=1):
        explains = f"; explains {', '.join(cause.explains)}" if cause.explains else ""
        lines.append(f"  {rank}. {cause.code} {cause.probability:.0%} ({cause.confidence}{explains})")
        for item in cause.evidence_for[:SHOWN_EVIDENCE]:
            lines.append(f"       + {item.source.value}: {item.detail} (x{item.likelihood_ratio:g})")
        for item in cause.evidence_against[:SHOWN_EVIDENCE]:
            lines.append(f"       - {item.source.value}: {item.detail} (x{item.likelihood_ratio:g})")
        measured = any(e.source in BUNDLE_SOURCES for e in [*cause.evidence_for, *cause.evidence_against])
        if cause.probe and not measured:
            lines.append(f"       a bundle's {cause.probe} probe would tell")
    if verdict.first_fix is not None:
        fix = verdict.first_fix
        data = f" {json.dumps(fix.fix)}" if fix.fix else ""
        lines.append(f"First fix ({fix.cause}): {fix.action}{data}")
    return lines


def _source_lines(diagnosis: Diagnosis) -> list[str]:
    """What the reader did beyond reading epochs: per-step points, lines it passed over."""
    source = diagnosis.run.source
    lines = []
    if source.granularity == "step":
        lines.append("read per logged step" + (f"; {source.aggregated}" if source.aggregated else ""))
    elif source.aggregated:
        lines.append(f"read per epoch: {source.aggregated}")
    if source.skipped_lines:
        shown = "; ".join(f"line {s.lines}: {s.reason}" for s in source.skipped[:3])
        more = "" if source.skipped_lines <= 3 else f" ({source.skipped_lines} lines in all)"
        lines.append(f"skipped {shown}{more}")
    return lines


def render_text(diagnosis: Diagnosis) -> str:
    run = diagnosis.run
    summary = f"{run.unit.count(run.epochs)}, metrics: {', '.join(run.metrics)}"
    # A log of several `fit` calls: the earlier runs a line each, the last one in full.
    lines = [f"run {i}: {_one_line(earlier)}" for i, earlier in enumerate(diagnosis.runs, start=1)]
    lines.append(f"run {len(diagnosis.runs) + 1} (the last): {summary}" if diagnosis.runs else summary)
    lines += _source_lines(diagnosis)  # how the input was read, before what it means
    lines += render_verdict(diagnosis.verdict)
    if diagnosis.findings:
        lines += ["", "Findings:"]
    for finding in diagnosis.findings:
        explained = f", explained by {finding.explained_by}" if finding.explained_by else ""
        lines += [
            "",
            f"{_MARK[finding.severity.value]} {finding.code} ({finding.category.value}, "
            f"confidence {finding.confidence:.0%}{explained})",
            f"  {finding.summary}",
            f"  evidence: {json.dumps(finding.evidence)}",
            f"  try: {finding.recommendation}",
        ]
        measured = finding.fix.get("measured")
        if isinstance(measured, dict):
            outcome = "helped" if measured.get("improved") else "did not help"
            lines.append(
                f"  tried it: {outcome} ({json.dumps(measured.get('before'))} -> "
                f"{json.dumps(measured.get('after'))} after {measured.get('steps')} steps)"
            )
    if diagnosis.verdict.status is VerdictStatus.healthy and diagnosis.findings:
        lines += ["", "Nothing above is a warning or an error: the run looks healthy."]
    return "\n".join(lines)
