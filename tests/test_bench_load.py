"""benchmarks/bench_load.py runs end to end: a short load on the service and the bare app."""

from __future__ import annotations

from benchmarks.bench_load import format_report, run


def test_short_load_finishes_every_accepted_job() -> None:
    report = run(clients=2, duration=2, drain=60)
    service = report["service"]
    assert service["accepted"] > 0
    assert service["never_finished"] == 0
    assert service["failed"] == 0
    assert service["other_answers"] == {}
    assert 0 < service["latency_p50_s"] <= service["latency_p99_s"]
    assert report["bare"]["accepted_per_s"] > 0
    assert report["ratio_accepted_ours_to_bare"] > 0
    assert "ours / bare" in format_report(report)
