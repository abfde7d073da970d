"""benchmarks/bench_load.py runs end to end: a short load on the service and the bare app,
with small histories diagnosed in the API (the default) and with all of them sent to the
worker. No timing is asserted (BENCHMARKS.md has the numbers); the accounting is."""

from __future__ import annotations

import pytest

from benchmarks.bench_load import format_report, run


@pytest.mark.parametrize("inline_history_max_bytes", [None, 0], ids=["inline", "worker"])
def test_short_load_finishes_every_accepted_job(inline_history_max_bytes: int | None) -> None:
    report = run(clients=2, duration=2, drain=60, inline_history_max_bytes=inline_history_max_bytes)
    service = report["service"]
    assert service["accepted"] > 0
    # Every accepted job finished, succeeded and read the healthy history as healthy; nothing
    # but 202s came back.
    assert service["finished"] == service["accepted"]
    assert service["never_finished"] == 0
    assert service["failed"] == 0
    assert service["healthy"] == service["accepted"]
    assert service["other_answers"] == {}
    assert report["bare"]["other_answers"] == {}
    assert 0 < service["latency_p50_s"] <= service["latency_p99_s"]
    assert report["bare"]["accepted_per_s"] > 0
    assert "ours / bare" in format_report(report)
