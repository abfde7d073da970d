"""Tables of per-epoch values: `keras.callbacks.CSVLogger` files and what else people save as
CSV (`pd.DataFrame(history.history).to_csv()`, hand-named headers such as
`Epoch,Training Loss,Validation Loss`, W&B and MLflow exports, PyTorch Lightning's
`metrics.csv`).

Read tolerantly: a title line above the header, any of `,` `;` tab `|` as the separator (or
whatever one character follows a leading `epoch`, as `CSVLogger(separator=...)` allows), CRLF
or `\\r\\r\\n` line ends, no `epoch` column (each row is an epoch), a pandas index column,
several runs appended (the epoch counter restarts, or the header repeats: a run each, unless
the restarts resume one training, see _resumed), a table
of one curve (`loss` over a value a line). A row that cannot be read (a truncated last line of
a live log) is skipped and reported.
"""

from __future__ import annotations

import bisect
import csv
import itertools
import math
import re

from diagnosis.formats import steps
from diagnosis.formats.columns import (
    INDEX_NAMES,
    Runs,
    canonical_name,
    has_validation_split,
    index_word,
    stand_in_as_loss,
)
from diagnosis.formats.csv_rows import (
    MAX_LINE,
    cells_of,
    is_number,
    nan_at,
    nan_tails,
    read_row,
    split_cells,
    text_columns,
)
from diagnosis.formats.literal import python_literal
from diagnosis.history import HistoryError, TrainingHistory
from diagnosis.models import SourceInfo
from diagnosis.quoting import quote

FORMAT = "csv"
# CSVLogger writes `epoch` first, so the character after it is the separator: exact where a
# count of candidates could pick '.' in a file of floats.
_EPOCH_FIRST = re.compile(r'(?:"epoch"|epoch)([^\w"\r\n])')  # not `"epoch/epoch",...`: a name
_SEPARATORS = (",", ";", "\t", "|")
# Columns of the runs tables W&B and MLflow export (a row per run, no curves).
RUNS_TABLE_COLUMNS = frozenset({"state", "created", "run id", "runtime", "start time"})
# Rows skipped before a file that is mostly not numbers is refused (a row costs ~10 us).
MAX_SKIPPED_ROWS = 1000
# A markdown table, as READMEs and rendered notebooks show a Trainer's `Epoch | Training Loss`:
# `| 1 | 0.69 |` rows, and under the header a row that only aligns the columns (`|---|:--:|`).
_ALIGNMENT_CHARS = frozenset("|-: \t")
_BOX_RULE_CHARS = frozenset("+-=")
# A cell set in bold or italics (`| 6 | 0.21885 | **0.22114** |`, a README marking its best
# epoch) holds the value inside the marks.
_EMPHASIS = re.compile(r"^([ \t]*)(\*\*|__|\*|_)(\S(?:[^|]*?\S)?)\2([ \t]*)$")
# Title lines (`model_history_log`) a header may sit under.
MAX_TITLE_LINES = 3
# A table aligned with spaces, as a script prints it (`f"{epoch:6d} {loss:13.4f}"` under
# ` Epoch    Train Loss   Val Acc (%)`) and as pandas prints `pd.DataFrame(history.history)`
# (an index column under no name): names apart by two spaces or more (a name may hold one),
# values by any, and a rule of dashes under the header that only draws a line.
_ALIGNED_NAMES = re.compile(r"[ \t]{2,}")
_RULE_CHARS = frozenset("-=+ \t")


def _lines(content: str) -> list[tuple[int, str]]:
    """(1-based number, text) of the non-blank lines; `\\r\\r\\n`, CRLF and CR all end one. A
    markdown table's rows lose the pipes at either end, and its alignment row goes."""
    content = content.replace("\r\r\n", "\n").replace("\r\n", "\n").replace("\r", "\n")
    lines = []
    for i, line in enumerate(content.split("\n"), start=1):
        stripped = line.strip()
        if stripped[:1] == "+" and stripped[-1:] == "+" and _BOX_RULE_CHARS.issuperset(stripped):
            continue  # a box table's rule (`+-----+-----+`, prettytable and Turi Create print them)
        if stripped[:1] == "|" and stripped[-1:] == "|" and len(stripped) > 1:
            if "---" in stripped and _ALIGNMENT_CHARS.issuperset(stripped):
                continue
            line = "|".join(_EMPHASIS.sub(r"\1\3\4", cell) for cell in stripped[1:-1].split("|"))
        if stripped:
            lines.append((i, line))
    return _unaligned(lines)


def _unaligned(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """A table aligned with spaces as the same table separated by tabs; other lines unchanged.
    It is one where a line of names without a separator is followed (past a rule) by a row of as
    many numbers apart by spaces, or one more (pandas' index)."""
    for index in range(min(MAX_TITLE_LINES + 1, len(lines) - 1)):
        header = lines[index][1]
        if len(header) > MAX_LINE:
            continue
        if "\t" in header and (tabbed := _tabbed_header(header, lines[index + 1][1])) is not None:
            return [*lines[:index], (lines[index][0], tabbed), *lines[index + 1 :]]
        if any(sep in header for sep in _SEPARATORS):
            continue
        names = _ALIGNED_NAMES.split(header.strip())
        below = [(n, line) for n, line in lines[index + 1 : index + 3] if not _RULE_CHARS.issuperset(line)]
        if len(names) < 2 or any(is_number(name) for name in names) or not below:
            continue
        cells = below[0][1].split()
        if not cells or not all(is_number(cell) for cell in cells):
            continue
        if len(cells) in (len(names), len(names) + 1):
            if len(cells) > len(names):
                names = ["", *names]
            rows = [
                (n, "\t".join(line.split()))
                for n, line in lines[index + 1 :]
                if not _RULE_CHARS.issuperset(line)
            ]
        elif 2 <= len(cells) < len(names) and (starts := _name_starts(header)) is not None:
            # Fewer values than names: a column left blank in this row (Chainer's PrintReport
            # pads a value it has not got yet, `validation/main/map` before the first
            # evaluation, with spaces). Each value goes under the name it starts beneath.
            if _by_position(below[0][1], starts) is None:
                continue
            rows = [
                (n, cells_tabbed if (cells_tabbed := _by_position(line, starts)) is not None else line)
                for n, line in lines[index + 1 :]
                if not _RULE_CHARS.issuperset(line)
            ]
        else:
            continue
        return [*lines[:index], (lines[index][0], "\t".join(names)), *rows]
    return lines


# A blank left where a value was not reported (no evaluation yet) is a missing value, not
# pandas' empty NaN: it is written as CSVLogger writes one.
_NOT_REPORTED = "NA"
_ALIGNED_NAME = re.compile(r"\S+(?: \S+)*")
_CELL = re.compile(r"\S+")


def _name_starts(header: str) -> list[int] | None:
    """Where each name of a header aligned with spaces starts; None where tabs make it unknown."""
    if "\t" in header:
        return None
    return [found.start() for found in _ALIGNED_NAME.finditer(header)]


def _by_position(line: str, starts: list[int]) -> str | None:
    """A left-aligned row's values as tab-separated cells, `NA` where the row leaves the column
    empty: each value under the name whose column (from its first character to the next
    name's) it starts in. None where two values fall in one column, or the line has tabs."""
    if "\t" in line:
        return None
    cells = [_NOT_REPORTED] * len(starts)
    for found in _CELL.finditer(line):
        column = bisect.bisect_right(starts, found.start()) - 1
        if column < 0 or cells[column] != _NOT_REPORTED:
            return None
        cells[column] = found[0]
    return "\t".join(cells)


def _tabbed_header(header: str, row: str) -> str | None:
    """A header whose names are apart by tabs and by runs of spaces (`epoch   train_loss\tvalid_loss`:
    fastai's table copied from a notebook) over a row apart by tabs, as a header apart by tabs
    alone; None where the tabs alone already split it as the row, or nothing fits."""
    if any(sep in header for sep in (",", ";", "|")):
        return None
    cells = row.strip().split("\t")
    if len(header.strip().split("\t")) == len(cells) or not all(
        is_number(cell.strip()) for cell in cells[:1]
    ):
        return None
    names = _ALIGNED_NAMES.split(header.strip().replace("\t", "  "))
    if len(names) != len(cells) or any(is_number(name) for name in names):
        return None
    return "\t".join(names)


def _separator(header: str) -> str | None:
    epoch_first = _EPOCH_FIRST.match(header)
    if epoch_first:
        return epoch_first[1]
    counts = {sep: header.count(sep) for sep in _SEPARATORS}
    best = max(counts, key=counts.__getitem__)
    return best if counts[best] else None


# A line that starts with a date and a time is a log's line (`2025-04-24 21:16:20,207 - INFO -
# Class weights: [1.02, 9.40, ...]`), whatever commas it holds: no header of metric names.
_TIMESTAMPED = re.compile(r"[ \t]*\[?(?:19|20)\d\d-[01]\d-[0-3]\d[ T][0-2]\d:[0-5]\d")


def _find_header(lines: list[tuple[int, str]]) -> tuple[int, str, list[str]] | None:
    """Index of the header line, its separator and names: a line of names over a line of as
    many cells with numbers in them."""
    for index in range(min(MAX_TITLE_LINES + 1, len(lines) - 1)):
        line = lines[index][1]
        separator = _separator(line)
        if separator is None or len(line) > MAX_LINE or len(lines[index + 1][1]) > MAX_LINE:
            continue
        if _TIMESTAMPED.match(line):
            continue
        try:
            names, row = split_cells(line, separator), split_cells(lines[index + 1][1], separator)
        except csv.Error:
            continue
        if len(names) < 2 or len(row) != len(names) or all(is_number(name) for name in names if name):
            continue
        if 2 * sum(map(is_number, names)) > len(names):
            continue  # Paddle's `each loss is 2.866, 0.446, 3.388, 0.151`: a line of values, no names
        if separator == " " and any(is_number(name) for name in names):
            continue  # `epoch 0 loss [0.6979]; acc 0.497`: a loop's line, no header of names
        if any(is_number(cell) for cell in row):
            return index, separator, [name.strip() for name in names]
    return None


# The name over a table of one curve (`loss`, `val_loss`, `Train RMSE`).
_ONE_NAME = re.compile(r'"?[A-Za-z][\w .()/%-]{0,63}"?')


def _one_column(lines: list[tuple[int, str]]) -> str | None:
    """The name of a table of one curve: a name over a number a line, as DVC's plots and
    `pd.Series(losses).to_csv(index=False)` write it; None where the lines are anything else."""
    if len(lines) < 2 or not _ONE_NAME.fullmatch(lines[0][1].strip()) or is_number(lines[0][1]):
        return None
    if not all(len(line) < MAX_LINE and is_number(line) for _, line in lines[1:]):
        return None
    return lines[0][1].strip().strip('"')


def looks_like_csv(content: str) -> bool:
    if _EPOCH_FIRST.match(content.lstrip("\ufeff")):
        return True  # CSVLogger's own header, even over a broken first row
    lines = _lines(content[:65536])
    return (
        _find_header(lines[: MAX_TITLE_LINES + 2]) is not None
        or _one_column(lines) is not None
        or _list_cells(lines) is not None
    )


# A table whose cells are whole curves, as pandas writes a frame built from History lists
# (`pd.DataFrame({"accuracy": [acc, val_acc], "loss": [loss, val_loss]}).to_csv(index=False)`):
# a header of names over a row of training curves and, maybe, a row of validation curves,
# each cell a quoted list (`"[0.73, 0.84, ...]"`). More rows say no split.
_CURVE_ROWS = ("", "val_")


def _list_cells(lines: list[tuple[int, str]]) -> dict[str, list[float]] | None:
    """The curves of such a table by name (see _CURVE_ROWS); None where it is none."""
    if not 2 <= len(lines) <= 1 + len(_CURVE_ROWS) or '"[' not in lines[1][1]:
        return None
    try:
        names = [name.strip() for name in split_cells(lines[0][1], ",")]
        rows = [split_cells(line, ",") for _, line in lines[1:]]
    except csv.Error:
        return None
    curves: dict[str, list[float]] = {}
    for prefix, row in zip(_CURVE_ROWS, rows, strict=False):
        if len(row) != len(names):
            return None
        for name, cell in zip(names, row, strict=True):
            if not cell.strip().startswith("["):
                return None
            try:
                values = python_literal(cell)
            except HistoryError:
                return None
            if not isinstance(values, list) or not all(
                (isinstance(v, int | float) and not isinstance(v, bool)) or v is None for v in values
            ):
                return None
            curves[canonical_name(prefix + name)] = [math.nan if v is None else float(v) for v in values]
    lengths = {len(values) for values in curves.values()}
    return curves if len(lengths) == 1 and lengths != {0} else None


def _is_header(line: str) -> bool:
    separator = _separator(line)
    try:
        names = split_cells(line, separator) if separator else []
    except csv.Error:
        return False
    return len(names) >= 2 and not any(is_number(name) for name in names)


def parse(content: str, filename: str = "") -> list[TrainingHistory]:
    """The runs of a table; `filename` names the metric of a one-scalar export (steps.scalar_name)."""
    lines = _lines(content)
    found = _find_header(lines)
    if found is None and len(lines) == 1 and _is_header(lines[0][1]):
        raise HistoryError("the CSV has a header but no rows")
    epoch_first = _EPOCH_FIRST.match(lines[0][1]) if lines else None
    if found is None and epoch_first and _is_header(lines[0][1]):
        separator = epoch_first[1]  # CSVLogger's header over broken rows
        found = (0, separator, [name.strip() for name in split_cells(lines[0][1], separator)])
    if found is None and (curve := _one_column(lines)) is not None:
        runs = Runs()
        for number, line in lines[1:]:
            row = read_row(line, ",", 1)
            if isinstance(row, str) or row[0] is None:
                runs.current.skips.add(number, row if isinstance(row, str) else "a missing value")
                continue
            runs.current.add_epoch({canonical_name(curve): row[0]})
        return runs.histories(SourceInfo(format=FORMAT))
    if found is None and (curves := _list_cells(lines)) is not None:
        runs = Runs()
        for index in range(len(next(iter(curves.values())))):
            runs.current.add_epoch({name: values[index] for name, values in curves.items()})
        return runs.histories(SourceInfo(format=FORMAT))
    if found is None:
        first = lines[0][1] if lines else ""
        raise HistoryError(
            f"a CSV history needs a header row of metric names over rows of numbers, not {quote(first)}"
        )
    start, separator, raw_names = found
    if len(set(raw_names)) != len(raw_names):
        raise HistoryError(f"the header needs distinct, non-empty column names: {quote(raw_names)}")
    lowered = {name.strip().lower() for name in raw_names}
    if "name" in lowered and lowered & RUNS_TABLE_COLUMNS:
        raise HistoryError(
            "this is a table of runs (one row per run, as W&B and MLflow export a project), not a "
            "run's history; export a metric's chart instead (W&B: a CSV of Step and '<run> - <metric>')"
        )
    if lowered in steps.SCALAR_EXPORT_COLUMNS:  # TensorBoard's download of one scalar
        return steps.scalar_export_runs(lines[start + 1 :], separator, raw_names, filename)
    if steps.is_wandb_export(raw_names):
        return steps.wandb_runs(lines[start + 1 :], separator, raw_names)
    if "step" in lowered:  # rows per logged step: another shape
        if "epoch" in lowered:
            return steps.lightning_runs(lines[start + 1 :], separator, raw_names)
    elif "epoch" in lowered and _rows_per_step(lines[start + 1 :], separator, raw_names):
        # Lightning's metrics.csv before it had a step column (test-tube: `created_at` instead).
        return steps.lightning_runs(lines[start + 1 :], separator, raw_names)
    # Columns that number the rows: the first one when unnamed (a pandas index), and any named
    # so (`epoch` beside a pandas index, or after `Training Loss` in a Trainer's table). The
    # epoch counter, else the first of them, tells where a run restarts.
    indexes = frozenset(
        i for i, name in enumerate(raw_names) if index_word(name) in INDEX_NAMES and (i == 0 or name)
    )
    epochs = [i for i in sorted(indexes) if index_word(raw_names[i]) == "epoch"]
    # A row per logged iteration (Chainer's LogReport every N iterations) repeats its epoch;
    # the iteration count is the one that restarts only with a new run.
    iterations = [i for i in sorted(indexes) if index_word(raw_names[i]) in {"iteration", "iterations"}]
    counter = next(iter(iterations or epochs or sorted(indexes)), None)
    test_is_validation = not has_validation_split(raw_names)
    # An unnamed column empty in every row is a separator that ends each line (`loss\tacc\t`),
    # no curve: left out, as a label column is, without a word.
    blank = _blank_columns(lines[start + 1 : start + 1 + _SNIFF_ROWS], separator, raw_names)
    text = text_columns(lines[start + 1 : start + 2], separator, len(raw_names)) | blank
    # A column of labels (`Status`: `★ Best`) is no curve beside a lone error measure.
    # fastai's Recorder table (`epoch train_loss valid_loss accuracy time`) computes its metrics
    # on the validation set: a metric it names without a split is the validation's.
    fastai = {"train_loss", "valid_loss", "time"} <= lowered
    names = stand_in_as_loss(
        [
            canonical_name(
                f"valid_{name}"
                if fastai and i not in indexes | text and "loss" not in name.lower()
                else name,
                test_is_validation=test_is_validation,
            )
            for i, name in enumerate(raw_names)
        ],
        indexes | text,
    )
    if any(not name for i, name in enumerate(names) if i not in indexes | blank):
        raise HistoryError(f"the header needs distinct, non-empty column names: {quote(raw_names)}")
    if len(set(names)) != len(names):
        raise HistoryError(f"the header names a metric twice: {quote(raw_names)}")
    # A header that says its column is in percent (`Val Acc (%)`) holds shares times 100.
    scale = [100.0 if "%" in name else 1.0 for name in raw_names]
    runs = Runs()
    for i in sorted(text - blank):
        runs.current.skips.add(
            lines[start][0], f"column {quote(raw_names[i])} holds text, not numbers: left out"
        )
    previous: float | None = None
    # An empty cell is a value not logged, as CSVLogger's `NA`; a column's empty tail after
    # values in every row (or a column no row fills) is pandas' NaN.
    tails = nan_tails(lines[start + 1 :], separator, len(names))
    rows = [
        (n, line, read_row(line, separator, len(names), text, nan_at(tails, n)))
        for n, line in lines[start + 1 :]
    ]
    one_epoch_fits = _one_epoch_fits(rows, counter)
    loss = names.index("loss") if "loss" in names else None
    resumed = _resumed(rows, counter, loss, one_epoch_fits, lines[start][1])
    skipped = read = 0
    for number, line, row in rows:
        if isinstance(row, str):
            if line.strip() == lines[start][1].strip():
                runs.start_new()  # the header again: another file's rows appended
                previous = None
                continue
            runs.current.skips.add(number, row)
            skipped += 1
            if skipped > MAX_SKIPPED_ROWS and skipped > 10 * read:
                # Tolerance has a price per row; a file that is mostly not rows of numbers is
                # refused rather than read to its end.
                raise HistoryError(
                    f"more than {MAX_SKIPPED_ROWS} rows are not numbers (line {number}: {row})"
                )
            continue
        read += 1
        if counter is not None and (epoch := row[counter]) is not None:
            if previous is not None and epoch <= previous and number not in one_epoch_fits and not resumed:
                runs.start_new()
            previous = epoch
        # The `epoch` column's number, where it holds a whole one (SourceInfo.first_epoch).
        numbered = row[epochs[0]] if epochs else None
        runs.current.add_epoch(
            {
                name: value / scale[i]
                for i, (name, value) in enumerate(zip(names, row, strict=True))
                if i not in indexes and value is not None
            },
            int(numbered) if numbered is not None and numbered.is_integer() else None,
        )
    histories = runs.histories(SourceInfo(format=FORMAT))
    if not histories:
        unread = runs.current.skips.close()
        why = f" (line {unread[0].lines}: {unread[0].reason})" if unread else ""
        raise HistoryError(f"the CSV has a header but no rows of numbers{why}")
    return histories


# Rows looked at to tell a table of steps from a table of epochs.
_SNIFF_ROWS = 64


def _rows_per_step(lines: list[tuple[int, str]], separator: str, raw_names: list[str]) -> bool:
    """Whether rows log steps rather than epochs: the same epoch on consecutive rows, each row
    leaving empty the cells another row fills (a training step's row has no validation values,
    the epoch's validation row no training ones). A CSVLogger file appended by fits of one epoch
    repeats its epoch too, but fills every cell."""
    epoch_col = [name.strip().lower() for name in raw_names].index("epoch")
    previous: str | None = None
    repeated = gaps = False
    for _number, line in lines[:_SNIFF_ROWS]:
        cells = cells_of(line, separator, len(raw_names))
        if cells is None:
            continue
        epoch = cells[epoch_col].strip()
        repeated |= epoch == previous
        gaps |= any(not cell.strip() for cell in cells)
        previous = epoch
    return repeated and gaps


def _blank_columns(lines: list[tuple[int, str]], separator: str, raw_names: list[str]) -> frozenset[int]:
    """The last column where the header leaves it unnamed and the rows looked at leave it empty
    (a separator that ends every line); none where a row cannot be split as the header is. An
    unnamed column between others is no such thing: the header is not one."""
    last = len(raw_names) - 1
    unnamed = {last} if last > 1 and not raw_names[last].strip() else set()
    for _number, line in lines:
        if not unnamed:
            break
        if (cells := cells_of(line, separator, len(raw_names))) is not None:
            unnamed = {i for i in unnamed if not cells[i].strip()}
    return frozenset(unnamed)


def _resumed(
    rows: list[tuple[int, str, list[float | None] | str]],
    counter: int | None,
    loss: int | None,
    one_epoch_fits: frozenset[int],
    header: str,
) -> bool:
    """Whether the rows of a CSVLogger file whose epoch counter restarts are one training resumed
    (CSVLogger(append=True) after reloading the weights, a fine-tuning phase after the head's)
    rather than several runs: every restart goes on from where the rows before it ended, its
    first loss nearer their last loss than the file's first (where a run starting afresh starts:
    a stretch that went flat, w1839's twenty `fit_one_cycle` calls of ten epochs, may end above
    its own first loss). Where some restart starts afresh (back near where the rows before it
    began) the file holds runs, and each restart is one; so does
    a file whose header comes again (another file's rows appended). Two epochs before a restart
    cannot tell the one from the other where the loss did not fall (w1645's 1.735, 2.068, then
    1.742): runs, as a loss that goes back to its start says."""
    if counter is None or loss is None:
        return False
    stretches: list[list[float]] = [[]]
    previous: float | None = None
    for number, line, row in rows:
        if isinstance(row, str):
            if line.strip() == header.strip():
                return False
            continue
        epoch, value = row[counter], row[loss]
        if epoch is None or value is None:
            continue
        if previous is not None and epoch <= previous and number not in one_epoch_fits:
            stretches.append([])
        previous = epoch
        stretches[-1].append(value)
    if len(stretches) < 2:
        return False
    origin = stretches[0][0]
    for before, after in itertools.pairwise(stretches):
        first, last, start = before[0], before[-1], after[0]
        if not all(map(math.isfinite, (first, last, start))):
            return False
        if abs(start - last) >= abs(start - first) and abs(start - last) >= abs(start - origin):
            return False
    return True


def _one_epoch_fits(
    rows: list[tuple[int, str, list[float | None] | str]], counter: int | None
) -> frozenset[int]:
    """The rows where the epoch counter restarts but no new run starts: `fit(epochs=1)` called
    in a loop with CSVLogger(append=True) writes one row of epoch 0 per call, and consecutive
    one-row fits are one run of as many epochs (as console.new_fit reads their `Epoch 1/1`).
    Read over the rows as read_row read them; a row it could not read, or without a counter
    value, is no fit's."""
    if counter is None:
        return frozenset()
    fits: list[list[int]] = []  # the rows of each stretch the counter does not restart in
    previous: float | None = None
    for number, _line, row in rows:
        value = None if isinstance(row, str) else row[counter]
        if value is None or math.isnan(value):
            continue
        if previous is None or value <= previous:
            fits.append([number])
        else:
            fits[-1].append(number)
        previous = value
    return frozenset(fit[0] for before, fit in itertools.pairwise(fits) if len(before) == 1 and len(fit) == 1)
