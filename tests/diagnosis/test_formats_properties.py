"""Properties of every reader: no input makes one fail with anything but HistoryError, and
what Keras would write for a random history reads back as that history."""

from __future__ import annotations

import gzip
import math
import string

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from diagnosis.formats import dump_runs, load_runs, read_runs
from diagnosis.formats.columns import stand_in_as_loss
from diagnosis.history import LEGACY_NAMES, HistoryError, TrainingHistory
from tests.diagnosis import writers
from tests.diagnosis.writers import History

# Inputs are small, but each example parses; the default 200 ms deadline flakes on a busy CI.
settings.register_profile("formats", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("formats")

FILENAMES = st.sampled_from(
    [None, "h.json", "h.csv", "train.log", "logs.zip", "logs.tar.gz", "events.out.tfevents.1.host"]
)
# Pieces of every format, so random text gets deep into the parsers instead of failing early.
CONSOLE_TOKENS = ["Epoch 1/3", "Epoch 2/3", "Epoch 1/1", "3/3", "1/3", "- ", " - ", "ETA: 1s", "━━", "[==]"]
TEXT_TOKENS = ["\n", "\r", "\r\n", "\b", " ", "\t", "\x1b[1m", "Traceback (most recent call last):"]
VALUE_TOKENS = ["loss", "val_loss", ": ", "nan", "inf", "-inf", "0.5", "1e-05", "0", "NA", "null"]
TABLE_TOKENS = ["epoch", ",", ";", "{", "}", "[", "]", '"', "runs", "history"]
TOKENS = st.sampled_from(CONSOLE_TOKENS + TEXT_TOKENS + VALUE_TOKENS + TABLE_TOKENS)
# Names that read back as printed: not a legacy spelling, and not one that stands in for the
# loss where none is logged (`ce`, `xent`, `mse`, `cost`, `a_loss`...: read as the loss on
# purpose, tested with the readers that meet them).
NAMES = st.from_regex(r"[a-z][a-z0-9_]{0,12}", fullmatch=True).filter(
    lambda name: (
        name not in LEGACY_NAMES
        and name != "epoch"
        and not name.startswith("val_")
        and stand_in_as_loss([name]) == [name]
    )
)
ANY_FLOAT = st.floats(allow_nan=True, allow_infinity=True)


def assert_only_history_errors(data: bytes, filename: str | None) -> None:
    try:
        runs = load_runs(data, filename)
    except HistoryError:
        return
    assert runs
    assert all(isinstance(run, TrainingHistory) and run.epochs for run in runs)


@given(st.binary(max_size=4096), FILENAMES)
def test_arbitrary_bytes_only_raise_history_error(data: bytes, filename: str | None) -> None:
    assert_only_history_errors(data, filename)


@given(st.lists(TOKENS, max_size=80).map("".join), FILENAMES)
def test_format_shaped_text_only_raises_history_error(content: str, filename: str | None) -> None:
    assert_only_history_errors(content.encode(), filename)


@given(st.lists(st.binary(max_size=64), min_size=1, max_size=5))
def test_well_framed_garbage_records_only_raise_history_error(records: list[bytes]) -> None:
    assert_only_history_errors(b"".join(writers.tfrecord(record) for record in records), None)


MEMBER_NAMES = st.text(string.printable, min_size=1, max_size=30)


@given(st.dictionaries(MEMBER_NAMES, st.binary(max_size=64), max_size=4))
def test_zips_with_any_member_names_only_raise_history_error(members: dict[str, bytes]) -> None:
    assert_only_history_errors(writers.zipped(members), "logs.zip")


ARCHIVES = [
    writers.zipped(writers.tensorboard_fixture()),
    writers.tarred(writers.tensorboard_fixture()),
    gzip.decompress(writers.tarred(writers.tensorboard_fixture())),
]


BYTE_FLIPS = st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), max_size=4)


@given(st.sampled_from(ARCHIVES), BYTE_FLIPS, st.floats(0, 1))
def test_damaged_archives_only_raise_history_error(
    archive: bytes, flips: list[tuple[float, int]], kept: float
) -> None:
    data = bytearray(archive)
    for where, byte in flips:
        data[int(where * (len(data) - 1))] = byte
    assert_only_history_errors(bytes(data[: max(1, int(kept * len(data)))]), None)


@st.composite
def runs_of(
    draw: st.DrawFn, values: st.SearchStrategy[float] = ANY_FLOAT, max_runs: int = 3
) -> list[History]:
    """Runs of one training script: the same metrics each time, any number of epochs."""
    names = draw(st.lists(NAMES, min_size=1, max_size=4, unique=True))
    if draw(st.booleans()):
        names += [f"val_{name}" for name in names]
    runs = []
    for _ in range(draw(st.integers(1, max_runs))):
        epochs = draw(st.integers(1, 8))
        runs.append({name: draw(st.lists(values, min_size=epochs, max_size=epochs)) for name in names})
    return runs


def assert_reads_back(runs: list[TrainingHistory], wanted: list[History]) -> None:
    assert len(runs) == len(wanted)
    for run, history in zip(runs, wanted, strict=True):
        assert set(run.metrics) == set(history)
        for name, values in history.items():
            np.testing.assert_array_equal(run.metrics[name], np.array(values, dtype=np.float64), err_msg=name)


@given(runs_of(), st.sampled_from([",", ";", "\t", "|"]))
def test_csv_logger_files_read_back_exactly(runs: list[History], separator: str) -> None:
    # Several runs appended to one file share its header; the epoch counter restarting splits
    # them, except between one-epoch fits (a loop of `fit(epochs=1)`, as in a console log).
    assert_reads_back(load_runs(writers.csv_logger(runs, separator).encode()), one_epoch_fits_joined(runs))


@given(
    runs_of(st.floats(-1e12, 1e12) | st.sampled_from([math.nan, math.inf, -math.inf])),
    st.sampled_from(["keras3-verbose1", "keras3-verbose2", "keras2-verbose1"]),
    st.sampled_from(["", "WARNING: loss is nan\n", "Traceback (most recent call last):\n  File 'x.py'\n"]),
)
def test_console_logs_read_back_as_printed(runs: list[History], style: str, noise: str) -> None:
    content = writers.console_log(runs, style, noise)
    assert_reads_back(load_runs(content.encode()), one_epoch_fits_joined([writers.printed(h) for h in runs]))


def one_epoch_fits_joined(runs: list[History]) -> list[History]:
    """What a user means by consecutive `fit(epochs=1)` calls (`Epoch 1/1` each): a loop that
    trains one model an epoch per call, so one run."""
    joined: list[History] = []
    previous_single = False
    for history in runs:
        single = len(next(iter(history.values()))) == 1
        if single and previous_single:
            for name, values in history.items():
                joined[-1][name] = [*joined[-1][name], *values]
        else:
            joined.append(dict(history))
        previous_single = single
    return joined


@given(runs_of(st.floats(width=32), max_runs=1), st.booleans())
def test_tensorboard_log_dirs_read_back(runs: list[History], tensor: bool) -> None:
    assert_reads_back(load_runs(writers.zipped(writers.log_dir(runs[0], tensor))), runs)


@given(runs_of())
def test_runs_form_round_trips(runs: list[History]) -> None:
    parsed = load_runs(writers.csv_logger(runs).encode())
    # The canonical form is strict JSON: every non-finite value comes back as NaN.
    stored = [{n: [v if math.isfinite(v) else math.nan for v in vs] for n, vs in h.items()} for h in runs]
    assert_reads_back(read_runs(dump_runs(parsed)), one_epoch_fits_joined(stored))
