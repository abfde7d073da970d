"""Files written by `keras.callbacks.CSVLogger`: an `epoch,<metrics...>` header, one row per
epoch, any one-character separator (`CSVLogger(separator=...)`)."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator

from diagnosis.formats.columns import Runs
from diagnosis.history import HistoryError, TrainingHistory

# CSVLogger always writes `epoch` first, so the character after it is the separator. That is
# exact where csv.Sniffer guesses from character counts (and can pick '.' in a file of floats).
_HEADER = re.compile(r'"?epoch"?([^\w"\r\n])')
# What CSVLogger writes for a metric missing in an epoch (validation every N epochs).
MISSING = "NA"
# Possessive, so a line of blanks is passed over in one go; CSVLogger writes no blank lines.
_NON_BLANK_LINE = re.compile(r"^[ \t\r\f\v]*+\S[^\n]*", re.MULTILINE)
# Rows are a few dozen bytes a metric; a longer line is not a CSVLogger row.
MAX_LINE = 1 << 20


def looks_like_csv(content: str) -> bool:
    return _HEADER.match(content) is not None


class _Lines:
    """The non-blank lines, for csv.reader; remembers where the current one starts, so an
    error can name its line without a count kept for every line."""

    def __init__(self, content: str) -> None:
        self._content = content
        self._start = 0

    def __iter__(self) -> Iterator[str]:
        for line in _NON_BLANK_LINE.finditer(self._content):
            self._start = line.start()
            if line.end() - line.start() > MAX_LINE:
                raise HistoryError(f"the line is longer than {MAX_LINE} characters")
            yield line[0]

    def where(self) -> str:
        return f"CSV line {self._content.count(chr(10), 0, self._start) + 1}"


def _number(cell: str, column: str) -> float:
    try:
        return float(cell)  # reads nan, inf, -inf and 1e-05 as CSVLogger writes them
    except ValueError:
        raise HistoryError(f"column {column!r}: {cell[:40]!r} is not a number") from None


def _read_row(row: list[str], header: list[str]) -> tuple[float, dict[str, float]]:
    """The epoch and the logged values of one row; NA cells are left out."""
    if len(row) != len(header):
        raise HistoryError(f"{len(row)} cells where the header has {len(header)}")
    values = {
        name: _number(cell, name)
        for name, cell in zip(header[1:], row[1:], strict=True)
        if cell.strip() != MISSING
    }
    return _number(row[0], header[0]), values


def parse(content: str) -> list[TrainingHistory]:
    """One run per epoch sequence: CSVLogger(append=True) adds a second `fit` under the same
    header with the epoch counter back at 0."""
    header_match = _HEADER.match(content)
    if header_match is None:
        first = content[:60].partition("\n")[0]
        raise HistoryError(f"a CSVLogger file starts with an 'epoch' column header, not {first!r}")
    lines = _Lines(content)
    reader = csv.reader(lines, delimiter=header_match.group(1), strict=True)
    runs = Runs()
    previous_epoch: float | None = None
    try:
        header = [name.strip() for name in next(reader)]
        if not all(header) or len(set(header)) != len(header):
            raise HistoryError(f"the header needs distinct, non-empty column names: {header}")
        for row in reader:
            epoch, values = _read_row(row, header)
            if previous_epoch is not None and epoch <= previous_epoch:
                runs.start_new()
            previous_epoch = epoch
            runs.current.add_epoch(values)
    except (HistoryError, csv.Error) as exc:
        # Where the problem is: counted only now, as counting for every row would be quadratic.
        raise HistoryError(f"{lines.where()}: {exc}") from None
    histories = runs.histories()
    if not histories:
        raise HistoryError("the CSV has a header but no rows")
    return histories
