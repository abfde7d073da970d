"""Curves as a small SVG, drawn here for the browser page (no matplotlib, no script).

The report's matplotlib figure takes up to a couple of CPU seconds; the page redraws a live
run's chart on every epoch and overlays any runs the user picks, so it gets polylines
computed in a few microseconds per point. Every label goes through the autoescaped template:
metric and run names come from whoever posted them."""

from __future__ import annotations

import math
from dataclasses import dataclass

from jinja2 import Environment

# Size of the drawing in SVG units; the browser scales it to the page's width.
WIDTH, PLOT_HEIGHT = 640, 300
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 56, 12, 12, 28
LEGEND_LINE = 18
Y_TICKS = 5
# Colour-blind-safe (Okabe-Ito), cycled when there are more series.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000", "#F0E442")


@dataclass(frozen=True)
class Series:
    label: str
    values: list[float | None]


def _segments(values: list[float | None]) -> list[list[tuple[int, float]]]:
    """Runs of finite points, split where a value is missing or not finite."""
    segments: list[list[tuple[int, float]]] = [[]]
    for index, value in enumerate(values):
        if value is None or not math.isfinite(value):
            if segments[-1]:
                segments.append([])
            continue
        segments[-1].append((index, value))
    return [segment for segment in segments if segment]


def _tick(value: float) -> str:
    return f"{value:.3g}"


def chart(env: Environment, series: list[Series], title: str) -> str:
    """An SVG document with one polyline per series over a shared epoch axis."""
    finite = [v for s in series for v in s.values if v is not None and math.isfinite(v)]
    longest = max((len(s.values) for s in series), default=0)
    low, high = (min(finite), max(finite)) if finite else (0.0, 1.0)
    if high == low:
        low, high = low - 0.5, high + 0.5
    plot_w = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    plot_h = PLOT_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM

    def x(index: int) -> float:
        return MARGIN_LEFT + (plot_w * index / (longest - 1) if longest > 1 else plot_w / 2)

    def y(value: float) -> float:
        return MARGIN_TOP + plot_h * (high - value) / (high - low)

    lines = []
    for n, s in enumerate(series):
        segments = _segments(s.values)
        lines.append(
            {
                "label": s.label,
                "colour": PALETTE[n % len(PALETTE)],
                "polylines": [" ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in seg) for seg in segments],
                # A lone point draws no line: it gets a dot.
                "points": [(x(seg[0][0]), y(seg[0][1])) for seg in segments if len(seg) == 1],
            }
        )
    ticks = [low + (high - low) * k / (Y_TICKS - 1) for k in range(Y_TICKS)]
    return env.get_template("chart.svg").render(
        title=title,
        width=WIDTH,
        plot_height=PLOT_HEIGHT,
        height=PLOT_HEIGHT + LEGEND_LINE * len(lines) + 8,
        left=MARGIN_LEFT,
        right=WIDTH - MARGIN_RIGHT,
        top=MARGIN_TOP,
        bottom=PLOT_HEIGHT - MARGIN_BOTTOM,
        y_ticks=[(round(y(t), 1), _tick(t)) for t in ticks],
        x_ticks=[(round(x(i), 1), str(i + 1)) for i in sorted({0, max(longest - 1, 0), (longest - 1) // 2})]
        if longest
        else [],
        lines=lines,
        legend_line=LEGEND_LINE,
        empty=not finite,
    )
