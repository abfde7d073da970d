"""A Jupyter notebook's saved outputs, read as the console log its cells printed. Kept apart
from the step readers because it reads through the console reader, which itself reads a
Trainer's printed log entries with them: here nothing loops."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from diagnosis.formats import console
from diagnosis.history import HistoryError, TrainingHistory


def notebook_runs(document: Mapping[str, object]) -> list[TrainingHistory]:
    """The text a notebook's cells printed, in order, read as the console log it is."""
    cells = document.get("cells")
    texts: list[str] = []
    for cell in cells if isinstance(cells, list) else []:
        outputs = cell.get("outputs") if isinstance(cell, dict) else None
        for output in outputs if isinstance(outputs, list) else []:
            text = output.get("text") if isinstance(output, dict) else None
            if text is None and isinstance(output, dict):
                text = (output.get("data") or {}).get("text/plain")
            if isinstance(text, list):
                text = "".join(part for part in text if isinstance(part, str))
            if isinstance(text, str):
                texts.append(text if text.endswith("\n") else text + "\n")
    if not texts:
        raise HistoryError("the notebook has no saved outputs to read a training log from")
    runs = console.parse("".join(texts))
    return [_retag(run) for run in runs]


def _retag(run: TrainingHistory) -> TrainingHistory:
    return replace(run, source=run.source.model_copy(update={"format": "jupyter_notebook"}))
