"""Reading a bundle's arrays the way the audit checks need them: samples as rows of numbers,
labels as classes or as regression targets, identical rows as equal keys.

Every helper here is numpy only and bounded in memory: column statistics go through the
rows in chunks, and the few quadratic steps work on a seeded random sample of rows.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from diagnosis.bundle import (
    BINARY_LOSSES,
    MAX_CLASSES,
    ONE_HOT_LOSSES,
    QUANTITY_LOSSES,
    SPARSE_LOSSES,
    ModelInfo,
    distribution_rows,
)

# Subsamples are drawn with this seed, so the same bundle always gets the same audit.
SEED = 0
# Column statistics read the rows in blocks of about this many values to bound memory.
CHUNK_VALUES = 1 << 20
# Rows sampled to estimate how often two rows would match by chance.
CHANCE_SAMPLE = 2000
CLASSIFICATION_LOSSES = BINARY_LOSSES | SPARSE_LOSSES | ONE_HOT_LOSSES
# splitmix64's constants: a cheap mixer whose output bits each depend on every input bit.
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


def is_numeric(array: np.ndarray) -> bool:
    return array.dtype.kind in "biuf"


def as_rows(array: np.ndarray) -> np.ndarray:
    """One row per sample, one column per scalar feature (images and sequences flattened)."""
    return array.reshape(len(array), math.prod(array.shape[1:]))


def row_chunks(rows: np.ndarray) -> Iterator[tuple[int, np.ndarray]]:
    """(first row, block of rows) over the matrix, each block about CHUNK_VALUES values."""
    step = max(1, CHUNK_VALUES // max(1, rows.shape[1]))
    for start in range(0, len(rows), step):
        yield start, rows[start : start + step]


def finite_mask(array: np.ndarray) -> np.ndarray:
    """Per sample: every value of it is finite (always true for integer and bool arrays)."""
    rows = as_rows(array)
    if rows.dtype.kind != "f":
        return np.ones(len(rows), dtype=bool)
    mask = np.empty(len(rows), dtype=bool)
    for start, block in row_chunks(rows):
        mask[start : start + len(block)] = np.isfinite(block).all(axis=1)
    return mask


@dataclass(frozen=True)
class Samples:
    """The samples whose features and labels are all finite, with their original row numbers."""

    x: np.ndarray  # (n, d), numeric
    y: np.ndarray | None  # labels as given, first axis n
    index: np.ndarray  # row numbers in the original arrays


def finite_samples(x: np.ndarray, y: np.ndarray | None = None) -> Samples | None:
    """The finite samples of a split, or None when x is not numeric (strings, objects)."""
    if not is_numeric(x):
        return None
    keep = finite_mask(x)
    if y is not None and is_numeric(y):
        keep &= finite_mask(y)
    if keep.all():
        return Samples(as_rows(x), y, np.arange(len(x)))
    index = np.flatnonzero(keep)
    return Samples(as_rows(x)[index], None if y is None else y[index], index)


@dataclass(frozen=True)
class ColumnStats:
    mean: np.ndarray
    std: np.ndarray
    minimum: np.ndarray
    maximum: np.ndarray
    binary: np.ndarray  # every value in the column is 0 or 1
    integral: np.ndarray  # every value in the column is a whole number

    @property
    def constant(self) -> np.ndarray:
        same: np.ndarray = self.minimum == self.maximum
        return same


def column_stats(rows: np.ndarray) -> ColumnStats:
    """Per-column statistics of finite rows, accumulated in float64 block by block.

    Values are shifted by the first row before summing squares, so a column like a year
    (2005 +- 9) keeps its variance instead of losing it to cancellation.
    """
    d = rows.shape[1]
    shift = rows[0].astype(np.float64) if len(rows) else np.zeros(d)
    total, squares = np.zeros(d), np.zeros(d)
    low, high = np.full(d, np.inf), np.full(d, -np.inf)
    binary, integral = np.ones(d, dtype=bool), np.ones(d, dtype=bool)
    for _, block in row_chunks(rows):
        centered = block.astype(np.float64) - shift
        total += centered.sum(axis=0)
        squares += (centered * centered).sum(axis=0)
        low = np.minimum(low, block.min(axis=0))
        high = np.maximum(high, block.max(axis=0))
        binary &= ((block == 0) | (block == 1)).all(axis=0)
        if block.dtype.kind == "f":
            integral &= (block == np.round(block)).all(axis=0)
    n = max(1, len(rows))
    offset = total / n
    variance = np.maximum(squares / n - offset * offset, 0.0)
    return ColumnStats(shift + offset, np.sqrt(variance), low, high, binary, integral)


def sample_indices(n: int, limit: int) -> np.ndarray:
    """Sorted indices of a seeded random sample of at most `limit` of n rows (or columns)."""
    if n <= limit:
        return np.arange(n)
    return np.sort(np.random.default_rng(SEED).choice(n, size=limit, replace=False))


def listed(indices: np.ndarray, limit: int) -> list[int]:
    """The first few row or column numbers, as JSON-friendly ints for evidence."""
    return [int(i) for i in indices[:limit]]


@dataclass(frozen=True)
class Classes:
    """Classification labels read as one class per sample."""

    labels: np.ndarray  # the label value of each class (for one-hot labels: the column)
    codes: np.ndarray  # per sample: the position of its class in `labels`
    counts: np.ndarray  # samples per class; a one-hot column nobody uses counts 0
    one_hot: bool

    @property
    def present(self) -> np.ndarray:
        return self.counts > 0


def class_labels(y: np.ndarray, model: ModelInfo | None) -> Classes | None:
    """y as classes: integers, 0/1 floats, or one-hot (or soft) rows read by their argmax.

    None for regression targets (a loss for quantities, counts or directions, or values that
    are not classes),
    multi-label rows, and labels that are not numbers. Expects finite labels.
    """
    if not is_numeric(y) or len(y) == 0 or (model is not None and model.loss in QUANTITY_LOSSES):
        return None
    cols = as_rows(y)
    if cols.shape[1] > 1:
        if not distribution_rows(cols):
            return None
        codes = cols.argmax(axis=1)
        return Classes(np.arange(cols.shape[1]), codes, np.bincount(codes, minlength=cols.shape[1]), True)
    values = cols[:, 0]
    if values.dtype.kind == "f" and not (values == np.round(values)).all():
        return None
    labels, codes, counts = np.unique(values, return_inverse=True, return_counts=True)
    if len(labels) > MAX_CLASSES:
        return None
    return Classes(labels.astype(np.int64), codes, counts, False)


def regression_targets(y: np.ndarray, model: ModelInfo | None) -> np.ndarray | None:
    """y as an (n, outputs) float matrix when it is a regression target, else None.

    The loss decides when the model says it; without one, numbers that are neither classes
    nor multi-label 0/1 rows are read as targets. Expects finite labels.
    """
    if not is_numeric(y) or y.dtype.kind == "b" or len(y) == 0:
        return None
    if model is not None and model.loss in CLASSIFICATION_LOSSES:
        return None
    cols = as_rows(y)
    told = model is not None and model.loss in QUANTITY_LOSSES
    if not told and (class_labels(y, None) is not None or ((cols == 0) | (cols == 1)).all()):
        return None
    return cols.astype(np.float64)


def embeds_tokens(x: np.ndarray, model: ModelInfo | None) -> bool:
    """Integer inputs to a model with an Embedding layer are token ids, not quantities."""
    return (
        x.dtype.kind in "iu"
        and model is not None
        and any(layer.kind == "Embedding" for layer in model.layers)
    )


def _mix(words: np.ndarray) -> np.ndarray:
    z = words + _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    return z ^ (z >> np.uint64(31))


def row_keys(*blocks: np.ndarray) -> list[np.ndarray]:
    """A 64-bit key per row of each (n, d) block (same d): identical rows get identical keys.

    Rows are compared as bytes in a common dtype (-0.0 counted as 0.0); each 8-byte word is
    mixed with its position and the words summed, so distinct rows collide with odds of
    about n^2 / 2^64 (1e-9 at 100k rows).
    """
    dtype = np.result_type(*blocks)
    keys = []
    for block in blocks:
        rows = np.ascontiguousarray(block, dtype=dtype)
        if dtype.kind == "f":
            rows = rows + 0.0
        raw = rows.view(np.uint8).reshape(len(rows), -1)
        width = -(-raw.shape[1] // 8) * 8
        if width != raw.shape[1]:
            padded = np.zeros((len(rows), width), dtype=np.uint8)
            padded[:, : raw.shape[1]] = raw
            raw = padded
        words = raw.view(np.uint64)
        salt = _mix(np.arange(words.shape[1], dtype=np.uint64))
        keys.append(_mix(words ^ salt).sum(axis=1, dtype=np.uint64))
    return keys


def log_chance_match(rows: np.ndarray) -> float:
    """Log of the probability that two random rows are identical if the columns were
    independent: the product over columns of sum_v P(v)^2, from a sample of rows.

    Continuous features make it vanishingly small; a few categorical columns make identical
    rows (and identical rows with different labels) expected rather than suspicious.
    """
    sample = rows[sample_indices(len(rows), CHANCE_SAMPLE)]
    m, d = sample.shape
    if m == 0 or d == 0:
        return 0.0
    ordered = np.sort(sample.T, axis=1)  # one row per column: fast sorts
    starts = np.ones((d, m), dtype=bool)
    starts[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
    runs = starts.ravel()  # column by column, True where a new value starts
    sizes = np.bincount(np.cumsum(runs) - 1)
    column = np.flatnonzero(runs) // m
    match = np.bincount(column, weights=(sizes / m) ** 2, minlength=d)
    return float(np.log(match).sum())


def expected_matches(log_match: float, pairs: float) -> float:
    """How many of `pairs` row pairs would be identical by chance."""
    return math.exp(log_match + math.log(pairs)) if pairs > 0 else 0.0


def first_copies(x: np.ndarray) -> np.ndarray:
    """Indices of each distinct row's first occurrence in x (n, ...), in order."""
    _, first = np.unique(row_keys(as_rows(x))[0], return_index=True)
    return np.sort(first)


def class_ratio(counts: np.ndarray) -> float | None:
    """Largest over smallest count among the classes present (None for fewer than two)."""
    present = counts[counts > 0]
    return float(present.max() / present.min()) if len(present) >= 2 else None


@dataclass(frozen=True)
class Rebalanced:
    """Training copies that even out the classes: the majority-to-minority ratio among the
    distinct rows, and with the copies."""

    distinct_ratio: float
    ratio: float


def rebalanced(
    x: np.ndarray, y: np.ndarray, model: ModelInfo | None, imbalanced: float, gain: float
) -> Rebalanced | None:
    """Repeated training rows that are deliberate oversampling: the distinct rows' classes are
    imbalanced (majority over minority at least `imbalanced`) and the copies cut that ratio by
    at least `gain`. Copies drawn at random keep the classes' ratio; oversampling the smaller
    classes, the usual cure for imbalance, brings it toward 1. Expects finite rows."""
    if len(x) < 2 or len(x) != len(y):
        return None
    first = first_copies(x)
    if len(first) == len(x):
        return None
    every, distinct = class_labels(y, model), class_labels(y[first], model)
    if every is None or distinct is None:
        return None
    before = class_ratio(np.array([distinct.counts[distinct.labels == c].sum() for c in every.labels]))
    after = class_ratio(every.counts)
    if before is None or after is None or before < imbalanced or after > before / gain:
        return None
    return Rebalanced(before, after)
