"""A diagnosis as text a person reads in a terminal."""

from __future__ import annotations

import json

from diagnosis.models import Diagnosis

_MARK = {"error": "ERROR  ", "warning": "WARNING", "info": "info   "}


def _one_line(diagnosis: Diagnosis) -> str:
    codes = ", ".join(f"{f.severity.value} {f.code}" for f in diagnosis.findings) or "no findings"
    return f"{diagnosis.run.epochs} epochs, {'healthy' if diagnosis.healthy else 'problems'}: {codes}"


def _source_lines(diagnosis: Diagnosis) -> list[str]:
    """What the reader did beyond reading epochs: per-step points, lines it passed over."""
    source = diagnosis.run.source
    lines = []
    if source.granularity == "step":
        lines.append("read per logged step (the input has no per-epoch values)")
    elif source.aggregated:
        lines.append(f"read per epoch: {source.aggregated}")
    if source.skipped_lines:
        shown = "; ".join(f"line {s.lines}: {s.reason}" for s in source.skipped[:3])
        more = "" if source.skipped_lines <= 3 else f" ({source.skipped_lines} lines in all)"
        lines.append(f"skipped {shown}{more}")
    return lines


def render_text(diagnosis: Diagnosis) -> str:
    run = diagnosis.run
    summary = f"{run.epochs} epochs, metrics: {', '.join(run.metrics)}"
    # A log of several `fit` calls: the earlier runs a line each, the last one in full.
    lines = [f"run {i}: {_one_line(earlier)}" for i, earlier in enumerate(diagnosis.runs, start=1)]
    lines.append(f"run {len(diagnosis.runs) + 1} (the last): {summary}" if diagnosis.runs else summary)
    lines += _source_lines(diagnosis)
    if not diagnosis.findings:
        lines.append("No problems found: the run looks healthy.")
    for finding in diagnosis.findings:
        lines += [
            "",
            f"{_MARK[finding.severity.value]} {finding.code} ({finding.category.value}, "
            f"confidence {finding.confidence:.0%})",
            f"  {finding.summary}",
            f"  evidence: {json.dumps(finding.evidence)}",
            f"  try: {finding.recommendation}",
        ]
        measured = finding.fix.get("measured")
        if isinstance(measured, dict):
            verdict = "helped" if measured.get("improved") else "did not help"
            lines.append(
                f"  tried it: {verdict} ({json.dumps(measured.get('before'))} -> "
                f"{json.dumps(measured.get('after'))} after {measured.get('steps')} steps)"
            )
    if diagnosis.findings and diagnosis.healthy:
        lines += ["", "Nothing above is a warning or an error: the run looks healthy."]
    return "\n".join(lines)
