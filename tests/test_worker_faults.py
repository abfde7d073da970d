"""Jobs survive a worker process killed mid-task, and a cancelled job never runs."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import httpx
import pytest

from convdiag.settings import Settings
from testkit import histories
from testkit.support import celery_worker, redis_server, serve_app, wait_until


def _settings(redis_url: str, tmp_path: Path, **overrides: object) -> Settings:
    # Every history goes to the worker (none is diagnosed in the API): the worker is under test.
    return Settings(redis_url=redis_url, data_dir=tmp_path, inline_history_max_bytes=0, **overrides)


def _job(client: httpx.Client, job_id: str) -> dict:
    return client.get(f"/v1/jobs/{job_id}").json()


@pytest.mark.parametrize(("max_attempts", "final"), [(3, "succeeded"), (1, "failed")])
def test_killed_worker_process_requeues_the_job(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, max_attempts: int, final: str
) -> None:
    marker = tmp_path / "killed-pid"
    monkeypatch.setenv("FAULT_MARKER_FILE", str(marker))
    with redis_server(tmp_path) as redis_url:
        settings = _settings(redis_url, tmp_path, max_attempts=max_attempts)
        with (
            celery_worker(settings, "--include", "tests.faults", log=tmp_path / "worker.log"),
            serve_app(settings) as url,
            httpx.Client(base_url=url, timeout=30) as client,
        ):
            job_id = client.post("/v1/histories", json={"history": histories.healthy()}).json()["id"]
            wait_until(lambda: marker.exists() and marker.read_text(), 30, "the slow first attempt")
            assert _job(client, job_id)["status"] == "running"
            os.kill(int(marker.read_text()), signal.SIGKILL)
            job = wait_until(
                lambda: (j := _job(client, job_id))["status"] in {"succeeded", "failed"} and j,
                60,
                "the job to finish after the kill",
            )
            assert job["status"] == final, (tmp_path / "worker.log").read_text()[-3000:]
            if final == "succeeded":
                assert job["attempts"] == 2
                assert job["diagnosis"]["healthy"] is True
            else:
                assert job["error"]["type"] == "urn:convdiag:problem:worker-lost"


def test_cancelled_job_is_never_run(tmp_path: Path) -> None:
    with redis_server(tmp_path) as redis_url:
        settings = _settings(redis_url, tmp_path)
        with serve_app(settings) as url, httpx.Client(base_url=url, timeout=30) as client:
            # No worker yet: the job waits in the queue.
            job = client.post("/v1/histories", json={"history": histories.healthy()}).json()
            cancelled = client.delete(f"/v1/jobs/{job['id']}")
            assert cancelled.status_code == 200
            assert cancelled.json()["status"] == "cancelled"
            again = client.delete(f"/v1/jobs/{job['id']}")
            assert again.status_code == 409
            assert again.json()["type"] == "urn:convdiag:problem:job-finished"
            other = client.post("/v1/histories", json={"history": histories.healthy()}).json()
            with celery_worker(settings):
                # The worker drains the queue in order: once the later job is done, the
                # cancelled one has been seen and skipped.
                wait_until(lambda: _job(client, other["id"])["status"] == "succeeded", 30, "the second job")
            final = _job(client, job["id"])
            assert final["status"] == "cancelled"
            assert final["attempts"] == 0
            assert final["diagnosis"] is None
