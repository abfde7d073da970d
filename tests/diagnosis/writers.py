"""Histories written out the way Keras writes them, for round trips through the readers, and
the real files Keras wrote (tests/fixtures/formats, made by scripts/make_format_fixtures.py)."""

from __future__ import annotations

import csv
import io
import json
import struct
import tarfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tensorboard.compat.proto import event_pb2, types_pb2

from diagnosis.formats.tfrecord import masked_crc32c

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "formats"
WILD_FIXTURES = FIXTURES / "wild"
WILD_CORPUS = Path(__file__).resolve().parent.parent / "corpus" / "wild"
WILD_MANIFEST: dict[str, dict[str, Any]] = json.loads((WILD_FIXTURES / "manifest.json").read_text())


def wild_log(name: str) -> Path:
    """A real log the format tests read: a file of tests/fixtures/formats/wild, or, where its
    manifest entry says `"corpus": true`, a tuning log of the wild corpus (tests/corpus/wild),
    kept there once instead of copied."""
    return (WILD_CORPUS if WILD_MANIFEST[name].get("corpus") else WILD_FIXTURES) / name


TENSORBOARD = FIXTURES / "tensorboard"

History = dict[str, list[float]]
Bar = Callable[[int, History, int, list[str]], str]
STEPS = 3


def keras_number(value: float) -> str:
    """A value as Keras' progress bar prints it."""
    return f"{value:.4f}" if abs(value) > 1e-3 else f"{value:.4e}"


def printed(history: History) -> History:
    """What a reader of the printed log can get back: four significant decimals."""
    return {name: [float(keras_number(v)) for v in values] for name, values in history.items()}


def _metrics(history: History, epoch: int, names: list[str]) -> str:
    return "".join(f" - {name}: {keras_number(history[name][epoch])}" for name in names)


def _keras3_bar(step: int, history: History, epoch: int, names: list[str]) -> str:
    bar = f"\x1b[1m{step}/{STEPS}\x1b[0m \x1b[32m{'━' * (20 * step // STEPS)}\x1b[0m"
    return f"{bar} \x1b[1m0s\x1b[0m 12ms/step{_metrics(history, epoch, names)}"


def _keras2_bar(step: int, history: History, epoch: int, names: list[str]) -> str:
    done = 30 * step // STEPS
    bar = f"{step}/{STEPS} [{'=' * (done - 1)}{'>' if step < STEPS else '='}{'.' * (30 - done)}]"
    timing = " - 0s 41ms/step" if step == STEPS else f" - ETA: {STEPS - step}s"
    return bar + timing + _metrics(history, epoch, names)


def _redrawn(history: History, epoch: int, bar: Bar) -> str:
    """verbose=1: redraws with the training metrics, then the final one with all of them."""
    train = [name for name in history if not name.startswith("val_")]
    lines = [bar(step, history, epoch, train) for step in range(1, STEPS)]
    lines.append(bar(STEPS, history, epoch, list(history)))
    out, width = "", 0
    for line in lines:
        out += "\b" * width + "\r" + line
        width = len(line)
    return out + "\n"


def console_log(runs: list[History], style: str, noise: str = "") -> str:
    """`model.fit` output of each run, then `model.evaluate`'s line, with `noise` between runs.
    Styles: keras3-verbose1, keras3-verbose2, keras2-verbose1."""
    out = ""
    for history in runs:
        epochs = len(next(iter(history.values())))
        for epoch in range(epochs):
            out += f"Epoch {epoch + 1}/{epochs}\n"
            if style == "keras3-verbose1":
                out += _redrawn(history, epoch, _keras3_bar)
            elif style == "keras2-verbose1":
                out += _redrawn(history, epoch, _keras2_bar)
            else:
                out += f"{STEPS}/{STEPS} - 0s - 12ms/step{_metrics(history, epoch, list(history))}\n"
        train = [name for name in history if not name.startswith("val_")]
        out += f"{STEPS}/{STEPS} - 0s - 3ms/step{_metrics(history, epochs - 1, train)}\n" + noise
    return out


def csv_logger(runs: list[History], separator: str = ",") -> str:
    """CSVLogger(append=True) over several fits with the same metrics: one header, epochs from 0."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=separator)
    names = list(runs[0])
    writer.writerow(["epoch", *names])
    for history in runs:
        for epoch in range(len(history[names[0]])):
            writer.writerow([epoch, *(history[name][epoch] for name in names)])
    return out.getvalue()


def tfrecord(record: bytes) -> bytes:
    header = struct.pack("<Q", len(record))
    checksums = struct.pack("<I", masked_crc32c(header)), struct.pack("<I", masked_crc32c(record))
    return header + checksums[0] + record + checksums[1]


def event_file(scalars: list[tuple[str, int, float]], tensor: bool = True, wall_time: float = 1.0) -> bytes:
    """(tag, step, value) scalars as TF2 writes them (float32 tensors) or TF1 (simple_value)."""
    records = [event_pb2.Event(wall_time=wall_time, file_version="brain.Event:2").SerializeToString()]
    for tag, step, value in scalars:
        event = event_pb2.Event(wall_time=wall_time + step, step=step)
        summary = event.summary.value.add(tag=tag)
        if tensor:
            summary.tensor.dtype = types_pb2.DT_FLOAT
            summary.tensor.tensor_content = struct.pack("<f", value)
        else:
            summary.simple_value = value
        records.append(event.SerializeToString())
    return b"".join(tfrecord(record) for record in records)


def log_dir(history: History, tensor: bool = True, wall_time: float = 1.0) -> dict[str, bytes]:
    """keras.callbacks.TensorBoard's train/ and validation/ event files for one run."""
    splits: dict[str, list[tuple[str, int, float]]] = {"train": [], "validation": []}
    for name, values in history.items():
        split, metric = ("validation", name[4:]) if name.startswith("val_") else ("train", name)
        splits[split] += [(f"epoch_{metric}", epoch, value) for epoch, value in enumerate(values)]
    return {
        f"{split}/events.out.tfevents.{wall_time:.0f}.host.1.v2": event_file(scalars, tensor, wall_time)
        for split, scalars in splits.items()
        if scalars
    }


def zipped(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return out.getvalue()


def tarred(files: dict[str, bytes]) -> bytes:
    """A tar.gz, as `tar czf logs.tar.gz logs/` makes it."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as archive:
        for name, content in files.items():
            info = tarfile.TarInfo(f"logs/{name}")
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
    return out.getvalue()


def tensorboard_fixture() -> dict[str, bytes]:
    """The real log directory's files by their path in it."""
    paths = [path for path in TENSORBOARD.rglob("*") if path.is_file()]
    return {path.relative_to(TENSORBOARD).as_posix(): path.read_bytes() for path in paths}
