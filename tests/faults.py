"""Fault injection for the worker-lost tests, loaded into a worker with `--include tests.faults`.

A history diagnosis takes milliseconds, too short to kill a worker in the middle of one.
This makes the first diagnosis in a run slow and records the pool process's pid, so a test
can SIGKILL that process while the job is really running (or stop Redis under it). Later
attempts run at full speed. FAULT_DELAY_SECONDS sets how slow the first one is.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import worker.tasks
from diagnosis import Diagnosis, TrainingHistory

MARKER = Path(os.environ["FAULT_MARKER_FILE"])
DELAY_SECONDS = float(os.environ.get("FAULT_DELAY_SECONDS", "30"))
_diagnose_runs = worker.tasks.diagnose_runs


def _slow_first_time(runs: list[TrainingHistory]) -> Diagnosis:
    if not MARKER.exists():
        MARKER.write_text(str(os.getpid()))
        time.sleep(DELAY_SECONDS)
    return _diagnose_runs(runs)


worker.tasks.diagnose_runs = _slow_first_time
