"""What the benchmarks share: the command line they print, shares and percentages against their
targets, the per-code precision/recall table that bench_history and bench_probes both report,
and repeated timings."""

from __future__ import annotations

import shlex
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from diagnosis.models import Finding, Severity

ROOT = Path(__file__).resolve().parent.parent
# Only these findings count as an alarm: an `info` finding is neither a false alarm on a healthy
# run nor a detection on a faulty one.
ALARMS = frozenset({Severity.warning, Severity.error})


def alarm_codes(findings: Iterable[Finding]) -> frozenset[str]:
    return frozenset(f.code for f in findings if f.severity in ALARMS)


def command_line(module: str, argv: Sequence[str]) -> str:
    """The command that reproduces this run, as a user would type it from the repository root."""
    python = Path(sys.executable)
    shown = python.relative_to(ROOT) if python.is_relative_to(ROOT) else python
    return shlex.join([str(shown), "-m", module, *argv])


def ratio(part: float, whole: int) -> float | None:
    return part / whole if whole else None


def pct(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{100 * value:.{digits}f}%"


def share(part: int, whole: int, digits: int = 1) -> str:
    return f"{part}/{whole} = {pct(ratio(part, whole), digits)}"


def verdict(ok: bool, miss: str = "BELOW TARGET") -> str:
    """What a report prints after a number and its target; a ceiling's miss is "ABOVE TARGET"."""
    return "ok" if ok else miss


def against_target(label: str, part: int, whole: int, target: float, digits: int = 1) -> str:
    """`label part/whole = share   target >= T   ok` (or BELOW TARGET; no runs is below it)."""
    rate = ratio(part, whole)
    ok = rate is not None and rate >= target
    return f"{label}{share(part, whole, digits)}   target >= {target:.0%}   {verdict(ok)}"


def per_code(
    runs: Iterable[tuple[frozenset[str], frozenset[str], frozenset[str]]],
    leave_out: frozenset[str] = frozenset(),
) -> dict[str, dict[str, Any]]:
    """Precision and recall per code over (raised, expected, accepted) per run: a raised code is
    correct when the run accepts it (its expected codes and any it tolerates), and recalled when
    the run expects it. Codes in `leave_out` get no row."""
    runs = list(runs)
    codes = sorted(set().union(*(raised | expected for raised, expected, _ in runs)) - leave_out)
    table = {}
    for code in codes:
        # For each run that raised the code, whether that was right; for each that expects it, whether
        # it was raised.
        correct = [code in accepted for raised, _, accepted in runs if code in raised]
        hit = [code in raised for raised, expected, _ in runs if code in expected]
        table[code] = {
            "raised": len(correct),
            "correct": sum(correct),
            "precision": ratio(sum(correct), len(correct)),
            "expected": len(hit),
            "hit": sum(hit),
            "recall": ratio(sum(hit), len(hit)),
        }
    return table


def per_code_lines(table: dict[str, dict[str, Any]], digits: int = 1) -> list[str]:
    lines = [
        f"{'code':<28}{'raised':>8}{'correct':>9}{'precision':>11}{'expected':>10}{'hit':>6}{'recall':>8}"
    ]
    for code, row in table.items():
        lines.append(
            f"{code:<28}{row['raised']:>8}{row['correct']:>9}{pct(row['precision'], digits):>11}"
            f"{row['expected']:>10}{row['hit']:>6}{pct(row['recall'], digits):>8}"
        )
    return lines


def timed(action: Callable[[], object], repeats: int) -> list[float]:
    """The wall seconds of each of `repeats` calls of `action`."""
    seconds = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        seconds.append(time.perf_counter() - started)
    return seconds
