"""The wild corpus (real training logs from public sources, tests/corpus/wild/) is well-formed.

This checks the manifest the wild benchmark reads, not the engine's accuracy: every log exists,
has a source and a label, and the labelled logs not yet retired split into a tuning set and a
held-out third.
The scores live in benchmarks/bench_wild.py and BENCHMARKS.md.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from diagnosis.taxonomy import CODES

WILD_DIR = Path(__file__).resolve().parent / "corpus" / "wild"
MIN_LOGS = 150
LABELS = {"healthy", "faulty", "ambiguous"}
# "retired": a held-out third already scored (tuned on since); "pending": labelled, split not
# drawn yet. The benchmark scores tune + retired, or the holdout, never pending.
SPLITS = {"tune", "holdout", "retired", "pending"}
FIELDS = {
    "id",
    "file",
    "source",
    "format",
    "epochs",
    "last_train_loss",
    "label",
    "expect",
    "allow",
    "justification",
    "split",
}
NONFINITE = {"nan", "inf", "-inf"}
HOLDOUT_SHARE, HOLDOUT_TOLERANCE = 1 / 3, 0.05


def _logs() -> list[dict[str, Any]]:
    return json.loads((WILD_DIR / "manifest.json").read_text())["logs"]


LOGS = _logs()


def test_corpus_is_large_enough() -> None:
    assert len(LOGS) >= MIN_LOGS


def test_ids_and_files_are_unique_and_every_file_is_listed() -> None:
    assert len({log["id"] for log in LOGS}) == len(LOGS)
    listed = {log["file"] for log in LOGS}
    assert len(listed) == len(LOGS)
    on_disk = {p.name for p in WILD_DIR.iterdir()} - {"manifest.json", "README.md"}
    assert on_disk == listed


@pytest.mark.parametrize("log", LOGS, ids=[log["id"] for log in LOGS])
def test_entry_is_well_formed(log: dict[str, Any]) -> None:
    assert set(log) >= FIELDS
    path = WILD_DIR / log["file"]
    assert path.is_file()
    assert path.stat().st_size > 0
    source = log["source"]
    from_repo = source.get("repo") and source.get("path") and len(source.get("commit", "")) == 40
    assert source.get("url") or from_repo
    assert log["format"]
    assert log["justification"]
    assert isinstance(log["epochs"], int)
    assert log["epochs"] >= 1
    loss = log["last_train_loss"]
    # JSON has no NaN or infinity: a log that printed one records it as a string.
    assert loss in NONFINITE or (isinstance(loss, float | int) and math.isfinite(loss))
    assert log["label"] in LABELS
    assert set(log["expect"]) <= CODES
    assert set(log["allow"]) <= CODES
    assert not set(log["expect"]) & set(log["allow"])
    if log["label"] == "ambiguous":
        assert log["split"] is None
        assert not log["expect"]
    else:
        assert log["split"] in SPLITS
        # A faulty log names what a correct diagnosis must find; a healthy one expects nothing.
        assert bool(log["expect"]) is (log["label"] == "faulty")


def test_holdout_is_a_stratified_third() -> None:
    for label in ("healthy", "faulty"):
        splits = Counter(log["split"] for log in LOGS if log["label"] == label)
        total = splits["tune"] + splits["holdout"]
        assert total
        assert abs(splits["holdout"] / total - HOLDOUT_SHARE) <= HOLDOUT_TOLERANCE


def test_the_benchmark_refuses_the_holdout_without_the_flag() -> None:
    """The held-out third is scored once per round, on purpose, never by accident."""
    from benchmarks import bench_wild

    with pytest.raises(SystemExit) as refused:
        bench_wild.main(["--split", "holdout"])
    assert refused.value.code == 2


def test_the_format_benchmark_reads_neither_the_held_out_nor_the_pending_logs() -> None:
    from benchmarks.bench_formats import CORPUS, _entries

    unread = {WILD_DIR / log["file"] for log in LOGS if log["split"] in {"holdout", "pending"}}
    read = {path for source, path, _ in _entries() if source == "corpus"}
    assert CORPUS == WILD_DIR
    assert read
    assert not read & unread


def test_a_cause_explaining_only_allowed_findings_is_not_a_false_alarm() -> None:
    """A healthy log that allows `overfitting` is clean when the verdict's only cause explains
    just that finding, and not clean when a cause explains something it does not allow."""
    from benchmarks.bench_wild import Result, alarm_codes, causes_of_allowed

    log = {"label": "healthy", "allow": ["overfitting"], "expect": []}

    def scored(causes: list[dict[str, Any]]) -> Result:
        diagnosis = {
            "findings": [{"code": "overfitting", "severity": "warning"}],
            "verdict": {"status": "problems", "causes": causes},
        }
        codes, inconclusive = alarm_codes(diagnosis)
        allowed = causes_of_allowed(diagnosis, log["allow"])
        return Result(log, True, True, codes, inconclusive, allowed_causes=allowed)

    assert scored([{"code": "capacity_too_high", "explains": ["overfitting"]}]).ok
    assert not scored([{"code": "capacity_too_high", "explains": ["overfitting", "loss_plateau"]}]).ok
    assert not scored([{"code": "capacity_too_high", "explains": []}]).ok
