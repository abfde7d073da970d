"""TensorBoard event files as `keras.callbacks.TensorBoard` writes them.

A log directory holds `train/` and `validation/` event files with one scalar per metric and
epoch, tagged `epoch_loss`, `epoch_accuracy`, `epoch_learning_rate`...; train `epoch_loss`
becomes `loss` and validation `epoch_loss` becomes `val_loss`, the names of `History.history`.
TF2 writes each scalar as a one-element tensor; older writers (TF1, tensorboardX, PyTorch)
use `simple_value`. Several run directories under one root (`logs/fit/<run>/train/...`) are
several runs, oldest first. The protobuf classes come from the `tensorboard` package, whose
`compat.proto` modules import protobuf only, never TensorFlow.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath

import numpy as np
from google.protobuf.message import DecodeError
from tensorboard.compat.proto import event_pb2, tensor_pb2, types_pb2

from diagnosis.formats import tfrecord
from diagnosis.formats.columns import MAX_RUNS
from diagnosis.history import VAL_PREFIX, HistoryError, TrainingHistory, history_from_mapping

EPOCH_PREFIX = "epoch_"
# Keras' sub-directory for each split, and the prefix its metrics get in History.history.
SPLITS = {"train": "", "validation": VAL_PREFIX}
_DTYPES = {types_pb2.DT_FLOAT: np.dtype("<f4"), types_pb2.DT_DOUBLE: np.dtype("<f8")}


def _tensor_scalar(tensor: tensor_pb2.TensorProto) -> float | None:
    dtype = _DTYPES.get(tensor.dtype)
    if dtype is None:
        return None
    if tensor.tensor_content:
        if len(tensor.tensor_content) != dtype.itemsize:
            return None  # not a scalar: a histogram or an image
        return float(np.frombuffer(tensor.tensor_content, dtype)[0])
    values = tensor.float_val if dtype.itemsize == 4 else tensor.double_val
    return float(values[0]) if len(values) == 1 else None


def _epoch_scalars(data: bytes, path: str) -> Iterator[tuple[str, int, float, float]]:
    """(metric, epoch, wall time, value) of every `epoch_*` scalar in one event file."""
    for record, crc in tfrecord.records(data, path):
        try:
            event = event_pb2.Event.FromString(record)
        except DecodeError:
            raise HistoryError(f"{path}: a record is not a TensorBoard event") from None
        checked = False
        for value in event.summary.value:
            if not value.tag.startswith(EPOCH_PREFIX):
                continue
            kind = value.WhichOneof("value")
            number = (
                value.simple_value
                if kind == "simple_value"
                else _tensor_scalar(value.tensor)
                if kind == "tensor"
                else None
            )
            if number is None:
                continue
            if not checked:  # only records we use: the pure-Python CRC is slow on big ones
                if tfrecord.masked_crc32c(record) != crc:
                    raise HistoryError(f"{path}: the record of epoch {event.step} is corrupt")
                checked = True
            yield value.tag.removeprefix(EPOCH_PREFIX), event.step, event.wall_time, number


@dataclass
class _Run:
    # metric -> epoch -> (wall time, value); a rewritten epoch keeps its latest value.
    points: dict[str, dict[int, tuple[float, float]]] = field(default_factory=dict)
    started: float = math.inf

    def add(self, name: str, epoch: int, wall_time: float, value: float) -> None:
        by_epoch = self.points.setdefault(name, {})
        if epoch not in by_epoch or by_epoch[epoch][0] <= wall_time:
            by_epoch[epoch] = (wall_time, value)
        self.started = min(self.started, wall_time)

    def history(self) -> TrainingHistory:
        epochs = sorted({epoch for by_epoch in self.points.values() for epoch in by_epoch})
        return history_from_mapping(
            {
                name: np.array([by_epoch.get(e, (0.0, math.nan))[1] for e in epochs])
                for name, by_epoch in self.points.items()
            }
        )


def _run_and_prefix(path: str) -> tuple[str, str]:
    """`<run>/train/events...` and `<run>/validation/events...` belong to one run."""
    parent = PurePosixPath(path).parent
    if parent.name in SPLITS:
        return str(parent.parent), SPLITS[parent.name]
    return str(parent), ""


def runs_from_event_files(files: Mapping[str, bytes]) -> list[TrainingHistory]:
    """Event files by their path in the log directory -> one history per run, oldest first."""
    if not files:
        raise HistoryError("found no TensorBoard event files (events.out.tfevents.*)")
    runs: dict[str, _Run] = {}
    for path, data in files.items():
        root, prefix = _run_and_prefix(path)
        run = runs.setdefault(root, _Run())
        for name, epoch, wall_time, value in _epoch_scalars(data, path):
            run.add(prefix + name, epoch, wall_time, value)
    found = sorted((run for run in runs.values() if run.points), key=lambda run: run.started)
    if not found:
        raise HistoryError(
            "the TensorBoard event files hold no epoch_* scalars (keras.callbacks.TensorBoard "
            "writes epoch_loss, epoch_accuracy, ...)"
        )
    if len(found) > MAX_RUNS:
        raise HistoryError(f"the log directory holds more than {MAX_RUNS} runs")
    return [run.history() for run in found]
