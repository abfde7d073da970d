"""The labelled corpus of real Keras runs is well-formed, and the accuracy benchmark runs on it.

The accuracy targets live in benchmarks/bench_history.py, not here: this checks the corpus the
numbers come from, so a broken regeneration fails the suite instead of skewing the benchmark.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from benchmarks import bench_history
from diagnosis.history import history_from_mapping
from diagnosis.taxonomy import CODES

CORPUS_DIR = Path(__file__).resolve().parent / "corpus" / "histories"
MIN_FAULTY, MIN_HEALTHY = 40, 12
HOLDOUT_SHARE, HOLDOUT_TOLERANCE = 1 / 3, 0.08


def _load() -> dict[str, dict[str, Any]]:
    return {path.stem: json.loads(path.read_text()) for path in sorted(CORPUS_DIR.glob("*.json"))}


CORPUS = _load()


def test_corpus_is_large_enough() -> None:
    faults = Counter("healthy" if doc["fault"] == "healthy" else "faulty" for doc in CORPUS.values())
    assert faults["faulty"] >= MIN_FAULTY
    assert faults["healthy"] >= MIN_HEALTHY


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_fixture_is_well_formed(name: str) -> None:
    doc = CORPUS[name]
    assert set(doc) == {"history", "metadata", "fault", "expected", "split", "seed"}
    assert name.startswith(f"{doc['fault']}-")
    assert doc["split"] in set(bench_history.SPLITS)
    assert isinstance(doc["seed"], int)
    assert set(doc["expected"]) <= CODES
    # A healthy run expects nothing; a faulty one must have something that names its fault.
    assert bool(doc["expected"]) is (doc["fault"] != "healthy")
    assert doc["metadata"]["task"] in {"binary", "multiclass", "regression"}
    run = history_from_mapping(doc["history"], doc["metadata"])
    assert "loss" in run.metrics


def test_a_fault_type_has_one_expected_set() -> None:
    by_fault: dict[str, set[tuple[str, ...]]] = {}
    for doc in CORPUS.values():
        by_fault.setdefault(doc["fault"], set()).add(tuple(doc["expected"]))
    assert {fault: sets for fault, sets in by_fault.items() if len(sets) > 1} == {}


def test_holdout_is_a_stratified_third() -> None:
    """The holdout (never tuned on) is a third of the corpus, and it and the tuning splits hold
    every fault type; `seen` holds the earlier holdouts, read and then tuned on."""
    splits = Counter(doc["split"] for doc in CORPUS.values())
    assert splits["tune"]
    assert splits["seen"]
    assert abs(splits["holdout"] / len(CORPUS) - HOLDOUT_SHARE) <= HOLDOUT_TOLERANCE
    by_fault: dict[str, set[str]] = {}
    for doc in CORPUS.values():
        by_fault.setdefault(doc["fault"], set()).add(doc["split"])
    assert [f for f, seen in by_fault.items() if seen != {"tune", "seen", "holdout"}] == []


def test_benchmark_scores_the_corpus() -> None:
    fixtures = bench_history.load_corpus(CORPUS_DIR)
    report = bench_history.accuracy_report(fixtures, "all")
    assert set(report) == {*bench_history.SPLITS, "all"}
    overall = report["all"]
    assert overall["runs"] == len(CORPUS)
    assert overall["faulty_runs"] + overall["healthy_runs"] == len(CORPUS)
    assert overall["runs"] == sum(report[split]["runs"] for split in bench_history.SPLITS)
    assert len(overall["missed"]) == overall["faulty_runs"] - overall["detected"]
    assert len(overall["false_alarm_runs"]) == overall["false_alarms"]
    assert 0 <= overall["live_alarm_prefixes"] <= overall["live_prefixes"]
    assert overall["live_prefixes"] > overall["healthy_runs"]  # every healthy run is replayed live
    for row in overall["per_code"].values():
        assert row["true_positives"] <= row["predicted"]
        assert row["recalled"] <= row["expected"]
    assert any("detection on faulty runs" in line for line in bench_history.format_split("all", overall))


def test_speed_inputs() -> None:
    history = bench_history.synthetic_history()
    assert len(history) == 8
    assert {len(v) for v in history.values()} == {bench_history.SPEED_EPOCHS}
    log = "import time:       210 |        210 | tensorflow.python.framework\n"
    assert bench_history._imports_tensorflow(log)
    assert not bench_history._imports_tensorflow("import time:        90 |         90 | numpy\n")


def test_benchmark_headline_scores_curves_alone() -> None:
    """`--metadata both` scores the same runs without any metadata (the headline) and with it."""
    fixtures = [f for f in bench_history.load_corpus(CORPUS_DIR) if f.split == "tune"][:6]
    stripped = bench_history.without_metadata(fixtures)
    assert all(f.metadata for f in fixtures)
    assert [f.metadata for f in stripped] == [{}] * len(fixtures)
    assert [f.history for f in stripped] == [f.history for f in fixtures]
    modes = {
        "none": bench_history.accuracy_report(stripped, "tune"),
        "full": bench_history.accuracy_report(fixtures, "tune"),
    }
    headline = bench_history.format_headline(modes)
    assert "metadata none" in headline[1]
    assert "metadata full" in headline[1]
    assert headline[2].startswith("tune")
