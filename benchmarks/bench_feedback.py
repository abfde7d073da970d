"""What users said about their verdicts, read back as a labelled set and scored.

Users tell the service whether a verdict was right (POST /v1/jobs/{id}/feedback, `convdiag
feedback`, the report page). This reads that feedback from the job store the service is
configured with (the same CONVDIAG_* settings: Redis, or the embedded SQLite store under
data_dir) and prints:

- the stored verdicts as users judged them: how many were right, and how often the first fix
  helped where someone tried it;
- the current engine on the same runs: each history job's stored input is diagnosed again and
  its verdict compared with the user's label, so an engine change is scored on real users' runs.

A label is the stored verdict's status and first cause when the user said it was right, or
`actual_cause` when they said it was wrong and named one; a "wrong" without a cause labels
nothing. Bundle jobs are counted in the first part only (probing again is bench_probes' job).
Feedback lives as long as its job (job_ttl_seconds).

    .venv/bin/python -m benchmarks.bench_feedback [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from benchmarks.common import command_line, share
from convdiag.jobs import Feedback, Job, JobKind, JobStore, open_store
from convdiag.settings import get_settings
from diagnosis import Diagnosis, HistoryError
from diagnosis.engine import diagnose_runs
from diagnosis.formats import read_runs
from diagnosis.models import VerdictStatus


@dataclass(frozen=True)
class Label:
    """What the user says the verdict should have been: a status, and its first cause."""

    status: VerdictStatus
    cause: str | None


def _first_cause(diagnosis: Diagnosis) -> str | None:
    causes = diagnosis.verdict.causes
    return causes[0].code.value if causes else None


def label_of(feedback: Feedback, diagnosis: Diagnosis) -> Label | None:
    """The user's label for a job's run, or None when their feedback names none."""
    if feedback.verdict_right:
        return Label(diagnosis.verdict.status, _first_cause(diagnosis))
    if feedback.actual_cause is not None:
        return Label(VerdictStatus.problems, feedback.actual_cause.value)
    return None


def agrees(diagnosis: Diagnosis, label: Label) -> bool:
    verdict = diagnosis.verdict
    if label.status is not VerdictStatus.problems or label.cause is None:
        return verdict.status is label.status
    return verdict.status is VerdictStatus.problems and _first_cause(diagnosis) == label.cause


def _rediagnosed(store: JobStore, job: Job) -> Diagnosis | None:
    payload = store.get_input(job.id)
    if job.kind is not JobKind.history or payload is None:
        return None
    try:
        return diagnose_runs(read_runs(payload))
    except HistoryError:
        return None


def score(store: JobStore) -> dict[str, Any]:
    said = [
        (job, job.feedback, job.diagnosis)
        for job in map(store.get, store.feedback_ids())
        if job and job.feedback and job.diagnosis
    ]
    tried = [feedback.fix_helped for _, feedback, _ in said if feedback.fix_helped is not None]
    labelled = rescored = agreed = 0
    for job, feedback, diagnosis in said:
        label = label_of(feedback, diagnosis)
        labelled += label is not None
        again = _rediagnosed(store, job) if label is not None else None
        if label is not None and again is not None:
            rescored += 1
            agreed += agrees(again, label)
    return {
        "feedback": len(said),
        "verdict_right": sum(feedback.verdict_right for _, feedback, _ in said),
        "fix_tried": len(tried),
        "fix_helped": sum(tried),
        "labelled": labelled,
        "rescored": rescored,
        "engine_agrees": agreed,
    }


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON")
    args = parser.parse_args(argv)
    numbers = score(open_store(get_settings()))
    if args.json:
        json.dump(numbers, sys.stdout, indent=2)
        print()
        return 0
    print(f"$ {command_line('benchmarks.bench_feedback', argv)}")
    print(f"jobs with feedback: {numbers['feedback']}")
    print(f"  verdict right (as users said): {share(numbers['verdict_right'], numbers['feedback'])}")
    print(f"  first fix helped, where tried: {share(numbers['fix_helped'], numbers['fix_tried'])}")
    print(f"  labelled (right, or wrong with the actual cause): {numbers['labelled']}")
    agreed = share(numbers["engine_agrees"], numbers["rescored"])
    print(f"current engine on the labelled history jobs: {agreed}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
