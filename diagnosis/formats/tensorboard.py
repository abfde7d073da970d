"""TensorBoard event files as `keras.callbacks.TensorBoard` writes them.

A log directory holds `train/` and `validation/` event files with one scalar per metric and
epoch, tagged `epoch_loss`, `epoch_accuracy`, `epoch_learning_rate`...; train `epoch_loss`
becomes `loss` and validation `epoch_loss` becomes `val_loss`, the names of `History.history`.
TF2 writes each scalar as a one-element tensor; older writers (TF1, tensorboardX, PyTorch)
use `simple_value`. Several run directories under one root (`logs/fit/<run>/train/...`) are
several runs, oldest first.

A log with no `epoch_*` scalar was written by something else, most often PyTorch's
`SummaryWriter` (`Loss/train`, `Accuracy/test`, `train_loss`, `lr`): every scalar tag is read,
named as Keras would (`Loss/train` -> `loss`, `Loss/test` -> `val_loss` when there is no
validation tag), one point per logged step. Where the steps are consecutive they are taken for
epochs; where they skip (a global step every N batches) the run is judged per logged step and
the source info says so. The protobuf classes come from the `tensorboard` package, whose
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
from diagnosis.formats.columns import MAX_RUNS, canonical_name, finish, has_validation_split
from diagnosis.history import VAL_PREFIX, HistoryError, TrainingHistory
from diagnosis.models import SourceInfo

EPOCH_PREFIX = "epoch_"
# Keras' sub-directory for each split, and the prefix its metrics get in History.history.
SPLITS = {"train": "", "validation": VAL_PREFIX}
_DTYPES: dict[int, np.dtype[np.floating]] = {
    types_pb2.DT_FLOAT: np.dtype("<f4"),
    types_pb2.DT_DOUBLE: np.dtype("<f8"),
}


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


def _scalars(data: bytes, path: str) -> Iterator[tuple[str, int, float, float]]:
    """(tag, step, wall time, value) of every scalar in one event file."""
    for record, crc in tfrecord.records(data, path):
        try:
            event = event_pb2.Event.FromString(record)
        except DecodeError:
            raise HistoryError(f"{path}: a record is not a TensorBoard event") from None
        checked = False
        for value in event.summary.value:
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
            yield value.tag, event.step, event.wall_time, number


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
        keras = {name: points for name, points in self.points.items() if EPOCH_PREFIX in name}
        if keras:  # keras.callbacks.TensorBoard: its epoch_* scalars, batch ones left out
            return self._history({_keras_name(name): points for name, points in keras.items()}, True)
        names = list(self.points)
        test_is_validation = not has_validation_split(names)
        return self._history(
            {
                canonical_name(name, test_is_validation=test_is_validation): self.points[name]
                for name in names
            },
            False,
        )

    def _history(self, points: dict[str, dict[int, tuple[float, float]]], keras: bool) -> TrainingHistory:
        steps = sorted({step for by_step in points.values() for step in by_step})
        columns = {
            name: np.array([by.get(s, (0.0, math.nan))[1] for s in steps]) for name, by in points.items()
        }
        # Consecutive steps are epochs (Keras always, PyTorch when it logs once an epoch).
        consecutive = keras or steps[-1] - steps[0] == len(steps) - 1
        # Per step, a tag logged at few of the steps (validation once an epoch) would be NaN,
        # a symptom to the engine, everywhere else: it is left out, as diagnosis.formats.steps does.
        sparse = (
            [] if consecutive else [n for n, by in points.items() if n != "loss" and 2 * len(by) < len(steps)]
        )
        source = SourceInfo(
            format="tensorboard" if keras else "tensorboard_scalars",
            granularity="epoch" if consecutive else "step",
            aggregated=f"left out, logged at too few steps to judge per step: {', '.join(sparse)}"
            if sparse
            else None,
        )
        return finish({name: values for name, values in columns.items() if name not in sparse}, source)


def _keras_name(tag: str) -> str:
    """`train/epoch_loss` (a flat log) or `epoch_loss` with the split's prefix -> Keras' name."""
    prefix, _, metric = tag.rpartition(EPOCH_PREFIX)
    return (VAL_PREFIX if prefix.rstrip("/").endswith("validation") else "") + metric


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
        for tag, step, wall_time, value in _scalars(data, path):
            if tag.startswith(EPOCH_PREFIX):
                tag = prefix.replace(VAL_PREFIX, "validation/") + tag
            run.add(tag, step, wall_time, value)
    found = sorted((run for run in runs.values() if run.points), key=lambda run: run.started)
    if not found:
        raise HistoryError(
            "the TensorBoard event files hold no scalars (keras.callbacks.TensorBoard writes "
            "epoch_loss, epoch_accuracy, ...; PyTorch's SummaryWriter add_scalar('Loss/train', ...))"
        )
    if len(found) > MAX_RUNS:
        raise HistoryError(f"the log directory holds more than {MAX_RUNS} runs")
    return [run.history() for run in found]
