"""Per-epoch values gathered into aligned columns, and the cut into runs; shared by the
readers that see one epoch at a time (CSV rows, console log lines)."""

from __future__ import annotations

import math
from array import array
from collections.abc import Mapping

import numpy as np

from diagnosis.history import MAX_EPOCHS, HistoryError, TrainingHistory, history_from_mapping

# Far more `fit` calls than anyone diagnoses at once; the cap keeps a hostile input made of
# millions of one-epoch runs from turning into millions of objects.
MAX_RUNS = 1000


class Run:
    """One run's columns. A metric missing in an epoch (validation every N epochs) is NaN,
    and a metric never logged gets no column at all."""

    def __init__(self) -> None:
        # array('d') holds 8 bytes a value; a list of floats would hold 32.
        self._columns: dict[str, array[float]] = {}
        self.epochs = 0

    def add_epoch(self, values: Mapping[str, float]) -> None:
        if self.epochs == MAX_EPOCHS:
            # TrainingHistory refuses it anyway; stopping here bounds what a 100 MB file costs.
            raise HistoryError(f"a run has more than {MAX_EPOCHS} epochs")
        for name in values:
            if name not in self._columns:
                self._columns[name] = array("d", [math.nan]) * self.epochs
        for name, column in self._columns.items():
            column.append(values.get(name, math.nan))
        self.epochs += 1

    def history(self) -> TrainingHistory:
        return history_from_mapping({name: np.array(column) for name, column in self._columns.items()})


class Runs:
    """The runs of one input, in order; a new one starts where the epoch counter restarts."""

    def __init__(self) -> None:
        self._runs = [Run()]

    @property
    def current(self) -> Run:
        return self._runs[-1]

    def start_new(self) -> None:
        if self.current.epochs == 0:
            return  # nothing logged since the last restart: keep filling the same run
        if len(self._runs) == MAX_RUNS:
            raise HistoryError(f"the input holds more than {MAX_RUNS} runs")
        self._runs.append(Run())

    def histories(self) -> list[TrainingHistory]:
        return [run.history() for run in self._runs if run.epochs]
