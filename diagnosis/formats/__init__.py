"""Every training-history format users already have, behind one entry point.

`load_runs(data, filename)` tells the format from the content, with the filename as a hint
where the content does not decide, and returns one `TrainingHistory` per run (a log or a log
directory can hold several `fit` calls). Whatever cannot be read raises `HistoryError` with a
message naming the problem:

- Keras History JSON, plain or wrapped, the `{"runs": [...]}` form, a printed History dict,
  pandas' JSON, several models' prefixed keys, a bare list of losses (keras_json)
- CSVLogger files and other tables of epochs: pandas, W&B and MLflow exports (csv_logger)
- what `model.fit` printed, Keras 0.x to 3, however pasted, a hand-written loop's epoch lines,
  and the states of a tqdm bar over epochs (console)
- per-step logs: Hugging Face `trainer_state.json`, PyTorch Lightning's `metrics.csv` (steps)
- TensorBoard event files (tensorboard), alone or as a log directory in a zip or a tar(.gz)
  (archive)
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from diagnosis.formats import archive, text, tfrecord
from diagnosis.formats.keras_json import (
    bare_numbers,
    dump_runs,
    key_lists_amid_text,
    labelled_history,
    load_document,
    read_runs,
    runs_from_json,
)
from diagnosis.history import HistoryError, TrainingHistory

__all__ = ["MAX_UNPACKED_BYTES", "dump_runs", "load_path", "load_runs", "read_runs"]

# What an archive may unpack to: 10x the default HTTP body limit (CONVDIAG_MAX_BODY_BYTES).
MAX_UNPACKED_BYTES = 100 * 1024 * 1024


def load_runs(
    data: bytes, filename: str | None = None, *, max_unpacked_bytes: int = MAX_UNPACKED_BYTES
) -> list[TrainingHistory]:
    """Read the runs in a file or request body of any supported format."""
    name = (filename or "").lower()
    if not data or data.isspace():
        raise HistoryError("the input is empty")
    if data.startswith(archive.HDF5_MAGIC):
        raise HistoryError(archive.MODEL_NOT_HISTORY)
    if data.startswith(archive.ZIP_MAGIC) or name.endswith(".zip"):
        return _event_runs(archive.zip_event_files(data, max_unpacked_bytes))
    if data.startswith(archive.GZIP_MAGIC) or name.endswith((".gz", ".tgz")):
        data, name = archive.gunzip(data, max_unpacked_bytes), name.removesuffix(".gz")
        if data.startswith((archive.ZIP_MAGIC, archive.GZIP_MAGIC)):
            raise HistoryError("the gzip file holds another archive; send a zip or a tar.gz")
    if archive.is_tar(data):
        return _event_runs(archive.tar_event_files(data, max_unpacked_bytes))
    if tfrecord.is_tfrecord(data) or archive.is_event_file(name):
        return _event_runs({filename or "events.out.tfevents": data})
    return _load_text(text.decode(data), name)


def _event_runs(files: Mapping[str, bytes]) -> list[TrainingHistory]:
    # Imported on first use: protobuf and TensorBoard's protos take ~30 ms to import, which a
    # `convdiag diagnose history.json` (a process per file) should not pay.
    from diagnosis.formats.tensorboard import runs_from_event_files

    return runs_from_event_files(files)


def _load_text(content: str, name: str) -> list[TrainingHistory]:
    # An `Epoch 3/20` line decides for a console log even if it starts like JSON (`[INFO] ..`).
    if text.EPOCH_LINE.search(content):
        from diagnosis.formats import console  # imported on first use: see _load_lines

        return console.parse(content)
    start = len(content) - len(content.lstrip())
    if content[start : start + 1] in ("{", "[") or name.endswith((".json", ".ipynb")):
        try:
            return runs_from_json(load_document(content))
        except HistoryError as not_json:
            if name.endswith((".json", ".ipynb")):
                raise
            # A log whose first line is `[INFO] ...` or `[ Sun Oct 29 17:00:03 2023 ] ...`, or a
            # Trainer's printed `{'loss': ...}`: the other readers' turn. Where none reads it,
            # the JSON's error says most about a text that starts like JSON.
            try:
                return _load_lines(content, name)
            except HistoryError:
                raise not_json from None
    return _load_lines(content, name)


def _load_lines(content: str, name: str) -> list[TrainingHistory]:
    """The readers of text that is not JSON: printed History dicts, tables, logs."""
    # Imported here: these readers compile ~100 regexes (~60 ms) that a JSON file never needs.
    from diagnosis.formats import console, csv_logger

    labelled = labelled_history(content)
    if labelled is not None:
        return labelled
    if csv_logger.looks_like_csv(content) or name.endswith((".csv", ".tsv")):
        try:
            return csv_logger.parse(content, name)
        except HistoryError as not_csv:
            if name.endswith((".csv", ".tsv")):
                raise
            try:
                return console.parse(content)  # `epoch [1]: training loss: ...` starts like a header
            except HistoryError:
                raise not_csv from None
    losses = bare_numbers(content)
    if losses is not None:
        return losses
    try:
        return console.parse(content)  # it says which formats it expected when it finds no epoch
    except HistoryError:
        printed = key_lists_amid_text(content)
        if printed is None:
            raise
        return printed


def load_path(path: Path) -> list[TrainingHistory]:
    """A file of any supported format, or a TensorBoard log directory (the CLI's argument)."""
    if not path.is_dir():
        return load_runs(path.read_bytes(), path.name)
    # Keep the directory's own name: `convdiag diagnose logs/validation` is still validation.
    files = {
        f"{path.resolve().name}/{file.relative_to(path).as_posix()}": file.read_bytes()
        for file in sorted(path.rglob("*tfevents*"))
        if file.is_file()
    }
    return _event_runs(files)
