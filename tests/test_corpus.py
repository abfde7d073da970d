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

MANIFEST: dict[str, Any] = json.loads((CORPUS_DIR / "manifest.json").read_text())
RUNS = {run["name"]: run for run in MANIFEST["runs"]}
FIXTURES = {fixture.name: fixture for fixture in bench_history.load_corpus(CORPUS_DIR)}


def test_corpus_is_large_enough() -> None:
    faults = Counter("healthy" if f.healthy else "faulty" for f in FIXTURES.values())
    assert faults["faulty"] >= MIN_FAULTY
    assert faults["healthy"] >= MIN_HEALTHY


def test_every_listed_run_has_one_history() -> None:
    assert len(RUNS) == len(MANIFEST["runs"])
    assert set(FIXTURES) == set(RUNS)


def test_loader_refuses_a_run_without_its_history_and_a_history_without_its_run(tmp_path: Path) -> None:
    run = MANIFEST["runs"][0]
    line = json.dumps({"name": run["name"], "history": {"loss": [1.0, 0.5]}, "metadata": {"task": "binary"}})
    (tmp_path / "manifest.json").write_text(json.dumps({**MANIFEST, "runs": [run]}))
    (tmp_path / "round1.jsonl").write_text("")
    with pytest.raises(SystemExit, match="no history"):
        bench_history.load_corpus(tmp_path)
    (tmp_path / "round1.jsonl").write_text(f"{line}\n{line.replace(run['name'], 'healthy-gone-s0')}\n")
    with pytest.raises(SystemExit, match="of no listed run"):
        bench_history.load_corpus(tmp_path)
    (tmp_path / "round1.jsonl").write_text(f"{line}\n")
    assert [f.name for f in bench_history.load_corpus(tmp_path)] == [run["name"]]


@pytest.mark.parametrize("fault", sorted(MANIFEST["faults"]))
def test_a_fault_names_codes_that_exist(fault: str) -> None:
    expected = set(MANIFEST["faults"][fault]["expected"])
    assert expected <= CODES
    # A healthy run expects nothing; a faulty one must have something that names its fault.
    assert bool(expected) is (fault != "healthy")


@pytest.mark.parametrize("name", sorted(RUNS))
def test_run_is_well_formed(name: str) -> None:
    run, fixture = RUNS[name], FIXTURES[name]
    assert run["fault"] in MANIFEST["faults"]
    assert name.startswith(f"{run['fault']}-")
    assert name.endswith(f"-s{run['seed']}")
    assert run["split"] in set(bench_history.SPLITS)
    assert run["round"] in {r["round"] for r in MANIFEST["rounds"]}
    assert fixture.metadata["task"] in {"binary", "multiclass", "regression"}
    history = history_from_mapping(fixture.history, fixture.metadata)
    assert "loss" in history.metrics


def test_holdout_is_a_stratified_third() -> None:
    """The holdout (never tuned on) is a third of the corpus, and it and the tuning splits hold
    every fault type; `seen` holds the earlier holdouts, read and then tuned on."""
    splits = Counter(f.split for f in FIXTURES.values())
    assert splits["tune"]
    assert splits["seen"]
    assert abs(splits["holdout"] / len(FIXTURES) - HOLDOUT_SHARE) <= HOLDOUT_TOLERANCE
    by_fault: dict[str, set[str]] = {}
    for f in FIXTURES.values():
        by_fault.setdefault(f.fault, set()).add(f.split)
    assert [f for f, seen in by_fault.items() if seen != {"tune", "seen", "holdout"}] == []


def test_benchmark_scores_the_corpus() -> None:
    report = bench_history.accuracy_report(list(FIXTURES.values()), "all")
    assert set(report) == {*bench_history.SPLITS, "all"}
    overall = report["all"]
    assert overall["runs"] == len(FIXTURES)
    assert overall["faulty_runs"] + overall["healthy_runs"] == len(FIXTURES)
    assert overall["runs"] == sum(report[split]["runs"] for split in bench_history.SPLITS)
    assert len(overall["missed"]) == overall["faulty_runs"] - overall["detected"]
    assert len(overall["false_alarm_runs"]) == overall["false_alarms"]
    assert 0 <= overall["live_alarm_prefixes"] <= overall["live_prefixes"]
    assert overall["live_prefixes"] > overall["healthy_runs"]  # every healthy run is replayed live
    for row in overall["per_code"].values():
        assert row["correct"] <= row["raised"]
        assert row["hit"] <= row["expected"]
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
    fixtures = [f for f in FIXTURES.values() if f.split == "tune"][:6]
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
