"""Keras `History.history` JSON (read by diagnosis.history), and the canonical multi-run form
`{"runs": [<TrainingHistory.to_json()>, ...]}` that the API stores and the worker reads back."""

from __future__ import annotations

import json

from diagnosis.formats.columns import MAX_RUNS
from diagnosis.history import HistoryError, TrainingHistory, history_from_json, loads_json


def runs_from_json(document: object) -> list[TrainingHistory]:
    """A decoded History JSON document (plain or wrapped), or the `{"runs": [...]}` form."""
    if not (isinstance(document, dict) and set(document) == {"runs"}):
        return [history_from_json(document)]
    runs = document["runs"]
    # A metric called "runs" is a list of numbers; the runs form is a list of objects.
    if not isinstance(runs, list) or not all(isinstance(run, dict) for run in runs):
        return [history_from_json(document)]
    if not runs:
        raise HistoryError("'runs' is empty")
    if len(runs) > MAX_RUNS:
        raise HistoryError(f"the input holds more than {MAX_RUNS} runs")
    histories = []
    for i, run in enumerate(runs):
        try:
            histories.append(history_from_json(run))
        except HistoryError as exc:
            raise HistoryError(f"run {i}: {exc}") from None
    return histories


def dump_runs(runs: list[TrainingHistory]) -> bytes:
    """The canonical form: strict JSON (non-finite values as null), one input for many runs."""
    return json.dumps({"runs": [run.to_json() for run in runs]}).encode()


def read_runs(payload: bytes) -> list[TrainingHistory]:
    """Read the canonical form back (a job input stored before it existed is one history)."""
    return runs_from_json(loads_json(payload))
