"""A diagnosis as text a person reads in a terminal."""

from __future__ import annotations

import json

from diagnosis.models import Diagnosis

_MARK = {"error": "ERROR  ", "warning": "WARNING", "info": "info   "}


def render_text(diagnosis: Diagnosis) -> str:
    run = diagnosis.run
    lines = [f"{run.epochs} epochs, metrics: {', '.join(run.metrics)}"]
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
    if diagnosis.findings and diagnosis.healthy:
        lines += ["", "Nothing above is a warning or an error: the run looks healthy."]
    return "\n".join(lines)
