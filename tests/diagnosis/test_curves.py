"""The curve helpers that stand in for numpy calls give numpy's answers to the bit: the rules'
thresholds were set on numpy's values, so a helper that differed in the last bit (or in the
sign of a zero) could move a finding."""

from __future__ import annotations

import warnings

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from diagnosis.curves import SHORT_CURVE, median, neighbour_noise, relative_noise, row_medians, windows

# Zeros of both signs, ties, infinities and NaN are where a hand-written median goes wrong.
SPECIAL = st.sampled_from([0.0, -0.0, 1.0, -1.0, 0.5, np.inf, -np.inf, np.nan, 1e308, -1e308, 5e-324])
VALUES = st.one_of(st.floats(allow_nan=True, allow_infinity=True), SPECIAL)
CURVES = hnp.arrays(np.float64, st.integers(0, 40), elements=VALUES)
ROWS = hnp.arrays(np.float64, st.tuples(st.integers(1, 12), st.integers(1, 7)), elements=VALUES)


def _numpy_median(values: np.ndarray, axis: int | None = None) -> np.ndarray:
    with warnings.catch_warnings():  # an empty array's mean, an overflow: the value is the point
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.asarray(np.median(values, axis=axis), dtype=np.float64)


def _same_bits(ours: np.ndarray | float, numpy_answer: np.ndarray) -> bool:
    ours = np.asarray(ours, dtype=np.float64)
    nan = np.isnan(numpy_answer)
    return (
        ours.shape == numpy_answer.shape
        and bool(np.array_equal(np.isnan(ours), nan))
        and bool(np.array_equal(ours[~nan], numpy_answer[~nan]))
        and bool(np.array_equal(np.signbit(ours[~nan]), np.signbit(numpy_answer[~nan])))
    )


@given(CURVES)
def test_median_is_numpys(values: np.ndarray) -> None:
    assert _same_bits(median(values), _numpy_median(values))


@given(ROWS)
def test_row_medians_are_numpys(rows: np.ndarray) -> None:
    with warnings.catch_warnings():  # the overflow of two huge middle values, as numpy's
        warnings.simplefilter("ignore", RuntimeWarning)
        ours = row_medians(rows)
    assert _same_bits(ours, _numpy_median(rows, axis=1))


# Both sides of SHORT_CURVE: the helpers take a different path on long curves.
SIZES = st.one_of(st.integers(1, 40), st.integers(SHORT_CURVE - 2, SHORT_CURVE + 40))


@given(hnp.arrays(np.float64, SIZES, elements=VALUES), st.integers(0, 4), st.integers(0, 4))
def test_windows_are_an_edge_padded_sliding_view(values: np.ndarray, before: int, after: int) -> None:
    padded = np.pad(values, (before, after), mode="edge")
    view = np.lib.stride_tricks.sliding_window_view(padded, before + after + 1)
    assert np.array_equal(windows(values, -before, after), view, equal_nan=True)


@given(hnp.arrays(np.float64, SIZES, elements=VALUES), st.integers(-4, 4), st.integers(0, 4))
def test_windows_reach_past_either_end(values: np.ndarray, first: int, width: int) -> None:
    last = first + width
    index = np.clip(np.arange(values.size)[:, None] + np.arange(first, last + 1), 0, values.size - 1)
    assert np.array_equal(windows(values, first, last), values[index], equal_nan=True)


@given(hnp.arrays(np.float64, SIZES, elements=VALUES))
def test_long_and_short_medians_are_numpys(values: np.ndarray) -> None:
    with warnings.catch_warnings():  # a long curve's median is np.median's, warnings and all
        warnings.simplefilter("ignore", RuntimeWarning)
        ours = median(values)
    assert _same_bits(ours, _numpy_median(values))


def test_an_average_that_underflows_keeps_numpys_sign() -> None:
    # Hypothesis' find: -5e-324 and 0.0 sum to -5e-324, which halves to -0.0 in np.median.
    pair = np.array([-5e-324, 0.0])
    assert _same_bits(median(pair), _numpy_median(pair))
    assert _same_bits(row_medians(pair[None, :]), _numpy_median(pair[None, :], axis=1))


def test_median_of_negative_zeros_is_positive_zero() -> None:
    # np.median averages through a sum that starts at +0.0; a plain (a + b) / 2 keeps -0.0.
    assert not np.signbit(median(np.array([-0.0, -0.0])))
    assert not np.signbit(median(np.array([-0.0])))
    assert not np.signbit(row_medians(np.array([[-0.0, -0.0, -0.0]]))[0])


def test_neighbour_noise_sees_a_zig_zag_a_running_median_reads_as_none() -> None:
    zig_zag = np.array([1.0, 1.3] * 8)
    assert relative_noise(zig_zag, 5) == 0.0  # every second epoch is its window's median
    assert abs(neighbour_noise(zig_zag) - 0.15 / 1.15) < 1e-9  # 0.15 from its neighbours
    assert neighbour_noise(np.linspace(2.0, 1.0, 16)) < 1e-9  # a straight fall: none
    assert neighbour_noise(np.array([1.0, 2.0, 1.0])) == 0.0  # too short to have neighbours
