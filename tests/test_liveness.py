"""No job is orphaned (worker/liveness.py), with real Redis or SQLite, real workers and the app
over HTTP: a job stored and never queued is sent by a worker's sweeper, or at once by a retry
of its request; a job whose worker was killed whole (main process and all) is handed back and
finishes within a minute of a new worker starting, not at the broker's visibility timeout."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from convdiag.jobs import JobKind, JobStore, open_store
from convdiag.queues import prepare_sqlite_broker
from convdiag.settings import Settings
from diagnosis.formats import dump_runs, load_runs
from testkit import histories
from testkit.support import celery_worker, redis_server, serve_app, wait_until
from tests.test_reliability import DURABLE

# Seconds, shrunk from production's 10 / 30 / 10 / 30 so the tests take seconds.
FAST = {
    "heartbeat_seconds": 0.5,
    "heartbeat_stale_seconds": 2.0,
    "sweep_seconds": 0.5,
    "unsent_grace_seconds": 1.0,
    # Every history through the queue: small ones are otherwise diagnosed in the API.
    "inline_history_max_bytes": 0,
}
# The promise: a lost job finishes within a minute of a worker being there to run it.
MINUTE = 60.0


def _final(client: httpx.Client, job_id: str, timeout: float) -> dict:
    return wait_until(
        lambda: (j := client.get(f"/v1/jobs/{job_id}").json())["status"] in {"succeeded", "failed"} and j,
        timeout,
        f"job {job_id} to finish",
    )


def _history_payload(history: dict) -> bytes:
    """What the API stores for this history (and what its Idempotency-Key fingerprint is of)."""
    return dump_runs(load_runs(json.dumps({"history": history}).encode(), "history.json"))


def _orphan(store: JobStore, payload: bytes, kind: JobKind = JobKind.history) -> str:
    """What an API that died between storing a job and sending its task leaves behind."""
    return store.create(tenant="local", kind=kind, payload=payload).id


@contextlib.contextmanager
def _backend(name: str, directory: Path, **overrides: object) -> Iterator[Settings]:
    """Settings on a private Redis (append-only, as compose runs it) or on the embedded SQLite
    broker and store."""
    if name == "sqlite":
        settings = Settings(redis_url=None, data_dir=directory, **{**FAST, **overrides})
        prepare_sqlite_broker(settings)
        yield settings
    else:
        with redis_server(directory, *DURABLE) as url:
            yield Settings(redis_url=url, data_dir=directory, **{**FAST, **overrides})


@pytest.fixture(params=["redis", "sqlite"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    with _backend(request.param, tmp_path) as settings:
        yield settings


def test_an_orphan_is_sent_by_a_sweeper_and_finishes(settings: Settings, tmp_path: Path) -> None:
    store = open_store(settings)
    orphan = _orphan(store, _history_payload(histories.overfitting()))
    # Its bundle twin: the upload was cleaned up with the request that died.
    bundle = _orphan(
        store, json.dumps({"bundle": "gone.zip", "size": 1, "sha256": "0"}).encode(), JobKind.bundle
    )
    with (
        serve_app(settings) as url,
        httpx.Client(base_url=url, timeout=30) as client,
        celery_worker(settings, log=tmp_path / "worker.log"),
    ):
        job = _final(client, orphan, MINUTE)
        assert job["status"] == "succeeded", (tmp_path / "worker.log").read_text()[-3000:]
        assert "overfitting" in {f["code"] for f in job["diagnosis"]["findings"]}
        assert job["attempts"] == 1
        failed = _final(client, bundle, MINUTE)
        assert failed["status"] == "failed"
        assert failed["error"]["type"] == "urn:convdiag:problem:invalid-bundle"
        assert "no longer on the server" in failed["error"]["detail"]


def test_a_retry_with_the_same_key_sends_the_orphan_it_finds(tmp_path: Path) -> None:
    with redis_server(tmp_path, *DURABLE) as redis_url:
        # No sweeper acts within the test: the retry alone must get the job going.
        settings = Settings(redis_url=redis_url, data_dir=tmp_path, **{**FAST, "unsent_grace_seconds": 600})
        store = open_store(settings)
        history = histories.diverging()
        payload = _history_payload(history)
        orphan = _orphan(store, payload)
        store.update_document(
            "idempotency:local:retry-1",
            lambda _: {"fingerprint": hashlib.sha256(payload).hexdigest(), "job": orphan},
        )
        time.sleep(5.2)  # the first try is long dead (service.queue.CLAIM_WAIT_SECONDS)
        with (
            serve_app(settings) as url,
            httpx.Client(base_url=url, timeout=30) as client,
            celery_worker(settings, log=tmp_path / "worker.log"),
        ):
            retry = client.post(
                "/v1/histories", headers={"Idempotency-Key": "retry-1"}, json={"history": history}
            )
            assert retry.status_code == 202, retry.text
            assert retry.json()["id"] == orphan
            job = _final(client, orphan, 30)
            assert job["status"] == "succeeded", (tmp_path / "worker.log").read_text()[-3000:]
            # Sent once: a second retry finds it sent and sends nothing more.
            again = client.post(
                "/v1/histories", headers={"Idempotency-Key": "retry-1"}, json={"history": history}
            )
            assert again.json()["id"] == orphan
            assert client.get(f"/v1/jobs/{orphan}").json()["attempts"] == 1


@pytest.mark.parametrize(
    ("backend", "max_attempts", "final"),
    [("redis", 3, "succeeded"), ("redis", 1, "failed"), ("sqlite", 3, "succeeded")],
)
def test_a_job_whose_worker_was_killed_whole_finishes_soon_after_a_new_worker_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, backend: str, max_attempts: int, final: str
) -> None:
    marker = tmp_path / "slow-pid"
    monkeypatch.setenv("FAULT_MARKER_FILE", str(marker))
    # Production's visibility timeout: Redis alone would hand the task out in an hour.
    with (
        _backend(backend, tmp_path, max_attempts=max_attempts, broker_visibility_timeout=3600) as settings,
        serve_app(settings) as url,
        httpx.Client(base_url=url, timeout=30) as client,
    ):
        with celery_worker(settings, "--include", "tests.faults", log=tmp_path / "first.log") as first:
            job_id = client.post("/v1/histories", json={"history": histories.healthy()}).json()["id"]
            wait_until(lambda: marker.exists() and marker.read_text(), 30, "the slow first attempt")
            assert client.get(f"/v1/jobs/{job_id}").json()["status"] == "running"
            # The whole worker at once: the main process cannot hand the task back.
            first.send_signal(signal.SIGKILL)
            os.kill(int(marker.read_text()), signal.SIGKILL)
            first.wait()
        time.sleep(1)
        assert client.get(f"/v1/jobs/{job_id}").json()["status"] == "running"  # nobody left to tell
        started = time.monotonic()
        with celery_worker(settings, "--include", "tests.faults", log=tmp_path / "second.log"):
            job = _final(client, job_id, MINUTE)
            took = time.monotonic() - started
    log = (tmp_path / "second.log").read_text()[-3000:]
    assert job["status"] == final, log
    assert took < MINUTE
    if final == "succeeded":
        assert job["attempts"] == 2
        assert job["diagnosis"]["healthy"] is True
    else:
        assert job["error"]["type"] == "urn:convdiag:problem:worker-lost"
        assert "lost 1 times" in job["error"]["detail"]
