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
the source info says so. PyTorch Lightning's TensorBoardLogger logs an `epoch` scalar (counted
from 0) beside each step's values, and validation at the epoch's last step: there the steps are
grouped into epochs and read as Lightning's metrics.csv is (diagnosis.formats.steps), and its
`hp_metric` placeholder (-1 at step 0) is left out. The protobuf classes come from the
`tensorboard` package, whose `compat.proto` modules import protobuf only, never TensorFlow.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath

import numpy as np
from google.protobuf.message import DecodeError
from tensorboard.compat.proto import event_pb2, tensor_pb2, types_pb2

from diagnosis.formats import steps, tfrecord
from diagnosis.formats.columns import MAX_RUNS, Skips, canonical_name, finish, has_validation_split
from diagnosis.history import VAL_PREFIX, HistoryError, TrainingHistory
from diagnosis.models import InputFacts, SourceInfo

EPOCH_PREFIX = "epoch_"
# Keras' sub-directory for each split, and the prefix its metrics get in History.history.
SPLITS = {"train": "", "validation": VAL_PREFIX}
# PyTorch Lightning's TensorBoardLogger: the epoch of each logged step, and a placeholder metric
# (`hp_metric`, -1) it writes with the hyperparameters unless told not to.
_EPOCH_TAG = "epoch"
_PLACEHOLDER_TAGS = frozenset({"hp_metric"})
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
        names = [name for name in self.points if name not in _PLACEHOLDER_TAGS] or list(self.points)
        test_is_validation = not has_validation_split(names)
        canonical = {name: _step_name(name, test_is_validation) for name in names}
        axis = [name for name in names if canonical[name] == (_EPOCH_TAG, "plain")]
        steps_logged = sorted({step for name in names for step in self.points[name]})
        if not axis and steps_logged[-1] - steps_logged[0] == len(steps_logged) - 1:
            # One point a step and no step skipped: PyTorch logging once an epoch.
            return self._history({canonical[name][0]: self.points[name] for name in names}, False)
        return steps.assemble_points(
            self._step_points(names, canonical, axis[0] if axis else None),
            "tensorboard_scalars",
            InputFacts(),
            Skips(),
        )

    def _step_points(
        self, names: list[str], canonical: dict[str, tuple[str, str]], axis: str | None
    ) -> list[steps.Point]:
        """A point per logged step, as Lightning's metrics.csv has a row per step: its epoch
        from the `epoch` scalar (the last one logged where a step has none), training values,
        and validation (or after-fit) values."""
        by_step: dict[int, dict[str, float]] = {}
        for name in names:
            for step, (_, value) in self.points[name].items():
                by_step.setdefault(step, {})[name] = value
        points = []
        epoch: int | None = None
        for step in sorted(by_step):
            values = by_step[step]
            counted = values.pop(axis, math.nan) if axis else math.nan
            if math.isfinite(counted):
                epoch = int(counted) + 1  # Lightning counts epochs from 0
            point = steps.Point(step=float(step), epoch=epoch)
            for name, value in values.items():
                key, kind = canonical[name]
                if kind == "epoch":
                    point.epoch_level[key] = value
                elif key.startswith((VAL_PREFIX, *steps.AFTER_FIT_PREFIXES)):
                    point.other[key] = value
                else:
                    point.train[key] = value
            if point.train or point.other or point.epoch_level:
                points.append(point)
        return points

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


def _step_name(tag: str, test_is_validation: bool) -> tuple[str, str]:
    """A tag's name as Keras would have it, and whether Lightning logged it per step or per
    epoch (`train_loss_step`, `train_loss_epoch`) or plainly."""
    kind = "plain"
    for suffix in ("_step", "_epoch"):
        if tag.lower().endswith(suffix) and len(tag) > len(suffix):
            kind, tag = suffix[1:], tag[: -len(suffix)]
    return canonical_name(tag, test_is_validation=test_is_validation), kind


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
