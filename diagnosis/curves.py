"""Small numpy helpers that rules share for reading a curve."""

from __future__ import annotations

import numpy as np


def first_nonfinite(values: np.ndarray) -> int | None:
    """Index of the first NaN or infinity, or None when the curve is finite throughout."""
    bad = np.flatnonzero(~np.isfinite(values))
    return int(bad[0]) if bad.size else None


def tail_length(epochs: int, fraction: float, minimum: int) -> int:
    """How many final epochs make up 'the end of the run' for a rule."""
    return min(epochs, max(minimum, round(epochs * fraction)))


def rounded(value: float, digits: int = 6) -> float | None:
    """A JSON-friendly number for evidence: None for non-finite, a few significant digits."""
    if not np.isfinite(value):
        return None
    return float(f"{value:.{digits}g}")
