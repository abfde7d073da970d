"""Small numpy helpers that rules share for reading a curve."""

from __future__ import annotations

import math

import numpy as np


def first_nonfinite(values: np.ndarray) -> int | None:
    """Index of the first NaN or infinity, or None when the curve is finite throughout."""
    bad = np.flatnonzero(~np.isfinite(values))
    return int(bad[0]) if bad.size else None


def tail_length(epochs: int, fraction: float, minimum: int) -> int:
    """How many final epochs make up 'the end of the run' for a rule."""
    return min(epochs, max(minimum, round(epochs * fraction)))


def tail_gain(values: np.ndarray, tail: int) -> float:
    """How much the curve fell over its last `tail` epochs, relative to where they started."""
    before = float(values[-tail - 1]) if tail < values.size else float(values[0])
    return (before - float(values[-1])) / max(abs(before), 1e-12)


def rounded(value: float, digits: int = 6) -> float | None:
    """A JSON-friendly number for evidence: None for non-finite, a few significant digits."""
    if not np.isfinite(value):
        return None
    return float(f"{value:.{digits}g}")


# Up to this many values the helpers below sort and gather, which on short curves costs a
# tenth of numpy's general routines; above it numpy's own (np.median's partition, np.pad and a
# strided view) win, and they are what the helpers use: 10,000 epochs took 13.5 ms to diagnose
# with the short-curve paths throughout, 10-12 ms with numpy's.
SHORT_CURVE = 1000


def median(values: np.ndarray) -> float:
    """np.median of a 1-D float array, to the bit, at a tenth of its cost on the short curves
    the rules read (about 2 us against 15-20: np.median's generality, not the sorting, is the
    cost, and a 30-epoch diagnosis took ~25 of them, a third of its time). NaN anywhere gives
    NaN, as np.median does; an empty array NaN, without np.median's warning. The `0.0 +` because
    np.median averages through a sum that starts at +0.0: two -0.0 average to +0.0, while a
    sum of -5e-324 and 0.0 halves to -0.0 (an underflow that a `+ 0.0` after it would flip)."""
    if values.size > SHORT_CURVE:
        return float(np.median(values))
    ordered = np.sort(values)  # NaN sorts last
    size = ordered.size
    if size == 0 or math.isnan(ordered[-1]):
        return math.nan
    middle = size // 2
    if size % 2:
        return 0.0 + float(ordered[middle])
    return (0.0 + float(ordered[middle - 1]) + float(ordered[middle])) / 2


def row_medians(rows: np.ndarray) -> np.ndarray:
    """np.median(rows, axis=1) for a 2-D float array, to the bit, as `median` does it for one
    row (4-5 us against 20 for 30 rows of 5; no slower at 10,000 rows)."""
    ordered = np.sort(rows, axis=1)  # NaN sorts last
    middle = ordered.shape[1] // 2
    if ordered.shape[1] % 2:
        medians = 0.0 + ordered[:, middle]
    else:
        medians = (0.0 + ordered[:, middle - 1] + ordered[:, middle]) / 2
    medians[np.isnan(ordered[:, -1])] = np.nan
    return medians


def windows(values: np.ndarray, first: int, last: int) -> np.ndarray:
    """Row i holds values[i + first], ..., values[i + last], an index past either end reading
    the value at that end: what np.pad(mode="edge") and sliding_window_view give. On a short
    curve as one gather with clipped indices (~3 us against ~20 for pad + view, which a
    30-epoch diagnosis called 7 times each); on a long one as that padded view itself."""
    if values.size <= SHORT_CURVE:
        gathered: np.ndarray = values.take(
            np.arange(values.size)[:, None] + np.arange(first, last + 1), mode="clip"
        )
        return gathered
    front, back = max(0, -first), max(0, last)
    padded = np.concatenate((np.repeat(values[:1], front), values, np.repeat(values[-1:], back)))
    start = max(first, 0)  # the row of values[0 + first] in the padded view
    view: np.ndarray = np.lib.stride_tricks.sliding_window_view(padded, last - first + 1)
    return view[start : start + values.size]


def rolling_median(values: np.ndarray, window: int) -> np.ndarray:
    """Centered running median (edges padded with the edge values): the curve's trend."""
    if values.size < window:
        return np.full_like(values, median(values))
    half = window // 2
    return row_medians(windows(values, -half, window - 1 - half))


def rank_correlation(values: np.ndarray) -> float:
    """Spearman's rank correlation of a curve with its epoch index: +1 when every epoch is
    above the one before, 0 for no trend. Ranks make it blind to one outlier's size."""
    if values.size < 2:
        return 0.0
    ranks = np.empty(values.size)
    ranks[np.argsort(values, kind="stable")] = np.arange(values.size)
    epochs = np.arange(values.size, dtype=float)
    if np.ptp(ranks) == 0:
        return 0.0
    return float(np.corrcoef(epochs, ranks)[0, 1])


def fitted_change(values: np.ndarray) -> float:
    """How much a least-squares line through the curve moves from its first epoch to its last,
    relative to where the line starts: the trend without the noise around it."""
    if values.size < 2:
        return 0.0
    slope, start = np.polyfit(np.arange(values.size, dtype=float), values, 1)
    return float(slope) * (values.size - 1) / max(abs(float(start)), 1e-12)


def relative_noise(values: np.ndarray, window: int = 5) -> float:
    """Typical distance of a curve from its own trend, as a share of its level."""
    level = median(np.abs(values))
    if level == 0:
        return 0.0
    return median(np.abs(values - rolling_median(values, window))) / level


def first_trained(values: np.ndarray) -> int:
    """1 where the first logged value is exactly 0 and every later one is above it: a line
    printed before any training step with its counters at zero (MiniTorch's `Epoch: 0/1000,
    loss: 0, correct: 0`), no loss an untrained model has; 0 otherwise. A loss that reached 0
    by training does not leave it for 36.9 at the next line."""
    return int(values.size > 1 and values[0] == 0 and bool((values[1:] > 0).all()))


def finite_curve(run_values: np.ndarray | None) -> np.ndarray | None:
    """The curve when it is present and finite throughout; non-finite curves are loss_nan's."""
    if run_values is None or not np.isfinite(run_values).all():
        return None
    return run_values


def as_share(accuracy: np.ndarray) -> np.ndarray:
    """An accuracy curve as shares of samples right: one logged in percent (above 1 anywhere:
    94.2 ... 100) is divided by 100. A caller that must refuse values above 100 checks first."""
    return accuracy / 100.0 if float(accuracy.max()) > 1.0 else accuracy


def epochs_to(end: float, gain: float, tail: int, target: float) -> float:
    """Epochs a loss at `end` needs to reach `target` if it keeps falling geometrically, by
    `gain` (relative) every `tail` epochs: 0 when it is there already, infinite when it is not
    falling."""
    if end <= target or gain >= 1:
        return 0.0
    if gain <= 0:
        return math.inf
    return tail * math.log(end / target) / -math.log1p(-gain)


def neighbour_noise(values: np.ndarray, half: int = 2) -> float:
    """Typical distance of a curve's epochs from the median of their `half` neighbours on each
    side (the epoch itself left out), as a share of its level; only epochs with a full set of
    neighbours are measured."""
    level = median(np.abs(values))
    if level == 0 or values.size < 2 * half + 2:
        return 0.0
    rows = windows(values, -half, half)[half : values.size - half]
    around = np.delete(rows, half, axis=1)
    return median(np.abs(values[half : values.size - half] - row_medians(around))) / level
