"""benchmarks/common.py: the per-code table, shares against targets and the printed command that
bench_history and bench_probes both report with."""

from __future__ import annotations

import sys

from benchmarks.common import against_target, alarm_codes, command_line, pct, per_code, per_code_lines, share
from diagnosis.models import Severity
from testkit.factories import finding


def test_per_code_counts_accepted_codes_as_correct_and_expected_ones_as_recalled() -> None:
    runs = [
        # raised, expected, accepted (expected plus a code this run tolerates)
        (frozenset({"a", "b"}), frozenset({"a"}), frozenset({"a", "b"})),
        (frozenset({"b"}), frozenset({"c"}), frozenset({"c"})),
        (frozenset(), frozenset({"a"}), frozenset({"a"})),
        (frozenset({"s"}), frozenset(), frozenset()),
    ]
    table = per_code(runs, leave_out=frozenset({"s"}))

    assert list(table) == ["a", "b", "c"]
    assert table["a"] == {"raised": 1, "correct": 1, "precision": 1.0, "expected": 2, "hit": 1, "recall": 0.5}
    assert (table["b"]["raised"], table["b"]["correct"], table["b"]["precision"]) == (2, 1, 0.5)
    assert table["b"]["recall"] is None
    assert table["c"]["precision"] is None
    assert table["c"]["recall"] == 0.0
    lines = per_code_lines(table, digits=0)
    assert lines[1].split() == ["a", "1", "1", "100%", "2", "1", "50%"]
    assert lines[2].split()[-1] == "-"


def test_shares_and_targets() -> None:
    assert pct(2 / 3) == "66.7%"
    assert pct(2 / 3, digits=0) == "67%"
    assert pct(None) == "-"
    assert share(1, 8) == "1/8 = 12.5%"
    assert share(0, 0) == "0/0 = -"
    assert against_target("named ", 9, 10, 0.9) == "named 9/10 = 90.0%   target >= 90%   ok"
    assert against_target("named ", 8, 10, 0.9).endswith("BELOW TARGET")
    assert against_target("named ", 0, 0, 0.9).endswith("BELOW TARGET")


def test_only_warnings_and_errors_are_alarms() -> None:
    findings = [
        finding("lr_too_low", severity=Severity.info),
        finding("lr_too_high", severity=Severity.warning),
        finding("exploding_gradients", severity=Severity.error),
    ]
    assert alarm_codes(findings) == {"lr_too_high", "exploding_gradients"}


def test_command_line_names_the_module_and_quotes_its_arguments() -> None:
    shown = command_line("benchmarks.bench_x", ["--only", "a b"])
    assert shown.endswith("-m benchmarks.bench_x --only 'a b'")
    assert shown.split()[0].endswith(("python", "python3", sys.executable.rsplit("/", 1)[-1]))
