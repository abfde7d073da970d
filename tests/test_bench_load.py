"""benchmarks/bench_load.py runs end to end: a short load on the service and the bare app,
with small histories diagnosed in the API (the default) and with all of them sent to the
worker. No timing is asserted (BENCHMARKS.md has the numbers); the accounting is. The profile
summary (benchmarks/profile_steps.py) is read on py-spy's format without py-spy, which only the
bench extra installs."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.bench_load import format_report, run
from benchmarks.profile_steps import frames, summarize


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


def test_profile_steps_reads_py_spy_folded_stacks(tmp_path: Path) -> None:
    """Lines as `py-spy record --format raw --threads --subprocesses` writes them: the process
    and thread entries are skipped, `qualname (path.py:line)` frames become module.qualname."""
    api = 'process 1:"python -m uvicorn --factory service.main:create_app";thread (1): MainThread'
    child = f'{api};process 2:"python -m service.inline 18";thread (2): MainThread'
    folded = tmp_path / "api.folded"
    folded.write_text(
        f"{child};<module> (service/inline.py:183);_serve (service/inline.py:73);"
        "diagnose_runs (diagnosis/engine.py:42);diagnose (diagnosis/engine.py:22) 3\n"
        f"{api};Server.run (uvicorn/server.py:67);"
        "SocketBuffer._read_from_socket (redis/_parsers/socket.py:65) 1\n"
        f"{api};_find_and_load (<frozen importlib._bootstrap>:1176) 1\n"
    )
    assert frames(folded.read_text().splitlines()[0].rpartition(" ")[0])[-2:] == [
        "diagnosis.engine.diagnose_runs",
        "diagnosis.engine.diagnose",
    ]
    assert summarize(folded).splitlines() == [
        "5 samples on the CPU (the API's threads and its children's)",
        " 60.0%  diagnosis",
        " 20.0%  reading Redis replies",
        " 20.0%  other",
    ]
