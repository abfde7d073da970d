"""One CSV row read into numbers, shared by the readers of per-epoch tables (csv_logger) and of
per-step tables (steps): how a row splits into cells, which cells are numbers, what a missing
value looks like, and why a row that cannot be read was skipped."""

from __future__ import annotations

import csv
import math
import re

from diagnosis.quoting import quote

# What CSVLogger writes for a metric missing in an epoch (validation every N epochs); pandas
# and spreadsheets leave the cell empty (but see nan_tails).
MISSING = frozenset({"NA", "", "None", "null", "N/A"})
# Rows are a few dozen bytes a metric; a longer line is not a row.
MAX_LINE = 1 << 20
_NUMBER = re.compile(r"\s*[-+]?(?:nan|inf(?:inity)?|(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)\s*", re.IGNORECASE)
# A share written as a percentage (`93.14%`, what a hand-written export prints for an accuracy):
# the sign says the scale, so it is read as the share it is (0.9314).
_PERCENT = re.compile(r"\s*((?:\d+\.?\d*|\.\d+))[ \t]*%\s*")
# A value printed as a list of one (`[0.001]`: a script that logs `scheduler.get_last_lr()`).
_LISTED = re.compile(r"\s*\[\s*([^\[\],]*?)\s*\]\s*")


def split_cells(line: str, separator: str) -> list[str]:
    if '"' not in line:
        return line.split(separator)  # what csv.reader gives for an unquoted line, 5x faster
    return next(csv.reader([line], delimiter=separator, strict=True))


def cells_of(line: str, separator: str, width: int) -> list[str] | None:
    """The line's cells where it splits into `width` of them; None where it does not split or
    has another count (a row read_row refuses, which a look over the rows passes over)."""
    try:
        cells = split_cells(line, separator)
    except csv.Error:
        return None
    return cells if len(cells) == width else None


def is_number(cell: str) -> bool:
    if (listed := _LISTED.fullmatch(cell)) is not None:
        cell = listed[1]
    return _NUMBER.fullmatch(cell) is not None or _PERCENT.fullmatch(cell) is not None


def _value(cell: str, empty: float | None) -> float | None:
    cell = cell.strip()
    if not cell:
        return empty
    if cell in MISSING:
        return None
    if (listed := _LISTED.fullmatch(cell)) is not None and listed[1]:
        cell = listed[1]
    if (percent := _PERCENT.fullmatch(cell)) is not None:
        return float(percent[1]) / 100.0
    if not is_number(cell):
        raise ValueError(cell)
    return float(cell)


def read_row(
    line: str,
    separator: str,
    width: int,
    text: frozenset[int] = frozenset(),
    nan: frozenset[int] = frozenset(),
) -> list[float | None] | str:
    """The row's values (None in a label column or a missing cell, an empty one included;
    NaN for an empty cell of a column in `nan`, see nan_tails), or why it cannot be read.
    A printed `nan` is NaN wherever it is."""
    if len(line) > MAX_LINE:
        return f"longer than {MAX_LINE} characters"
    try:
        cells = split_cells(line, separator)
    except csv.Error as exc:
        return f"not a CSV row ({exc})"
    if len(cells) != width:
        return f"{len(cells)} cells where the header has {width}"
    try:
        return [
            None if i in text else _value(cell, math.nan if i in nan else None)
            for i, cell in enumerate(cells)
        ]
    except ValueError as exc:
        return f"{quote(str(exc))} is not a number"


def text_columns(first: list[tuple[int, str]], separator: str, width: int) -> frozenset[int]:
    """Columns of labels beside the numbers (a training `phase`, a run name), told by the first
    row; they are left out rather than failing every row."""
    cells = cells_of(first[0][1], separator, width) if first else None
    if cells is None:
        return frozenset()
    text = frozenset(i for i, cell in enumerate(cells) if cell.strip() not in MISSING and not is_number(cell))
    # At least two numbers beside them (an epoch and a metric), or the row is simply broken.
    return text if width - len(text) >= 2 else frozenset()


def nan_tails(lines: list[tuple[int, str]], separator: str, width: int) -> dict[int, int]:
    """Per column, the line from which its empty cells are NaN. An empty cell is a value the row
    has not got (a metric not logged that epoch, a step's row in Lightning's interleaved
    metrics.csv), so one among values is missing, never NaN. But pandas writes NaN as an empty
    cell: a column filled in every row up to some row and empty in every row from it on is a
    curve gone NaN for good (a loss that diverged), and one no row fills is a curve NaN from the
    first epoch (a frame only has a column some epoch logged). A column with an empty cell before
    a value has gaps (validation every N epochs): its empty tail is more of them. Rows of another
    width, or without a number (a repeated header), say nothing."""
    tails: dict[int, int] = {}  # column -> the line its current empty stretch starts on
    gapped: set[int] = set()
    for number, line in lines:
        cells = cells_of(line, separator, width)
        if cells is None or not any(cell.strip() and is_number(cell) for cell in cells):
            continue
        for i, cell in enumerate(cells):
            if not cell.strip():
                tails.setdefault(i, number)
            elif i in tails:
                gapped.add(i)
                del tails[i]
    return {i: start for i, start in tails.items() if i not in gapped}


def nan_at(tails: dict[int, int], number: int) -> frozenset[int]:
    """The columns whose empty cells on line `number` are NaN (see nan_tails)."""
    return frozenset(i for i, start in tails.items() if number >= start) if tails else frozenset()
