"""Faults survived with real parts: Redis crashing and coming back, a worker started before
Redis, the API restarting, jobs expiring, and a mixed load where every job must end."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import pytest
import redis

from convdiag.jobs import JobKind
from convdiag.jobs.redis_store import RedisJobStore
from convdiag.queues import make_celery
from convdiag.settings import Settings
from service.queue import JobQueue, enqueue
from testkit import histories
from testkit.bundles import not_a_bundle
from testkit.support import RedisServer, celery_worker, serve_app, wait_until
from tests.conftest import KEY_ACME

TERMINAL = {"succeeded", "failed", "cancelled"}
# Redis as docker-compose runs it, but fsyncing every write, so a SIGKILL loses nothing
# that Redis acknowledged (compose uses `everysec`: up to a second of writes at risk).
DURABLE = ("--appendonly", "yes", "--appendfsync", "always")


def _status(client: httpx.Client, job_id: str) -> str:
    return client.get(f"/v1/jobs/{job_id}").json()["status"]


def _wait_all_final(client: httpx.Client, ids: list[str], timeout: float) -> dict[str, dict]:
    """Every job in its final state, or TimeoutError naming the ones still going."""
    jobs: dict[str, dict] = {}

    def all_final() -> bool:
        for job_id in ids:
            if jobs.get(job_id, {}).get("status") not in TERMINAL:
                jobs[job_id] = client.get(f"/v1/jobs/{job_id}").json()
        return all(job["status"] in TERMINAL for job in jobs.values())

    try:
        wait_until(all_final, timeout, "every job to finish", interval=0.2)
    except TimeoutError:
        stuck = {i: j.get("status") for i, j in jobs.items() if j.get("status") not in TERMINAL}
        raise TimeoutError(f"jobs not final after {timeout}s: {stuck}") from None
    return jobs


def _assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert int(response.headers["retry-after"]) > 0
    body = response.json()
    assert body["type"] == "urn:convdiag:problem:unavailable"
    assert body["status"] == 503
    assert "Traceback" not in body["detail"]


@pytest.mark.parametrize(
    ("task_seconds", "outage_seconds"),
    [(8, 2), (2, 5)],
    ids=["redis-back-before-the-task-ends", "task-ends-while-redis-is-down"],
)
def test_redis_crash_loses_no_job_and_the_same_worker_resumes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, task_seconds: float, outage_seconds: float
) -> None:
    marker = tmp_path / "slow-pid"
    monkeypatch.setenv("FAULT_MARKER_FILE", str(marker))
    monkeypatch.setenv("FAULT_DELAY_SECONDS", str(task_seconds))
    log = tmp_path / "worker.log"
    with RedisServer(tmp_path, *DURABLE) as server:
        # Every history goes to the worker (none is diagnosed in the API): it is under test.
        settings = Settings(redis_url=server.url, data_dir=tmp_path, inline_history_max_bytes=0)
        with (
            celery_worker(settings, "--include", "tests.faults", log=log) as worker,
            serve_app(settings) as url,
            httpx.Client(base_url=url, timeout=30) as client,
        ):
            # The first job runs slowly, so Redis dies under a running task and the rest
            # are still waiting in the queue.
            slow = client.post("/v1/histories", json={"history": histories.healthy()}).json()["id"]
            wait_until(lambda: marker.exists() and marker.read_text(), 30, "the slow job to start")
            waiting = [
                client.post("/v1/histories", json={"history": histories.overfitting(seed=i)}).json()["id"]
                for i in range(8)
            ]
            assert {_status(client, job_id) for job_id in waiting} == {"queued"}
            assert _status(client, slow) == "running"

            server.crash()
            _assert_unavailable(client.post("/v1/histories", json={"history": histories.healthy()}))
            _assert_unavailable(client.get(f"/v1/jobs/{slow}"))
            _assert_unavailable(client.get("/readyz"))
            time.sleep(outage_seconds)  # the worker notices and retries while Redis stays down
            server.start()

            jobs = _wait_all_final(client, [slow, *waiting], 60)
            tail = log.read_text()[-4000:]
            assert {job["status"] for job in jobs.values()} == {"succeeded"}, tail
            assert jobs[slow]["attempts"] == 1  # finished once, not thrown away and re-run
            # Only one worker exists, so a job accepted now proves that process consumes again.
            after = client.post("/v1/histories", params={"wait": 20}, json={"history": histories.healthy()})
            assert after.status_code == 200, tail
            assert after.json()["status"] == "succeeded"
            assert worker.poll() is None
            # The slow task's message was acknowledged once Redis was back: nothing is left
            # for Redis to hand out again when the visibility timeout passes.
            assert redis.Redis.from_url(server.url).hlen("unacked") == 0


def test_worker_started_before_redis_connects_and_drains_the_backlog(tmp_path: Path) -> None:
    log = tmp_path / "worker.log"
    server = RedisServer(tmp_path, *DURABLE)
    settings = Settings(redis_url=server.url, data_dir=tmp_path, inline_history_max_bytes=0)
    with server, serve_app(settings) as url, httpx.Client(base_url=url, timeout=30) as client:
        backlog = [
            client.post("/v1/histories", json={"history": histories.diverging(seed=i)}).json()["id"]
            for i in range(5)
        ]
    # Redis is stopped now; the worker starts without it and keeps trying.
    with celery_worker(settings, log=log) as worker:
        wait_until(lambda: "Cannot connect to" in log.read_text(), 30, "the worker to try Redis")
        with server, serve_app(settings) as url, httpx.Client(base_url=url, timeout=30) as client:
            jobs = _wait_all_final(client, backlog, 60)
            assert {job["status"] for job in jobs.values()} == {"succeeded"}, log.read_text()[-3000:]
            assert worker.poll() is None


def test_api_restart_keeps_jobs_readable(settings: Settings, worker: Path) -> None:
    headers = {"Authorization": f"Bearer {KEY_ACME}"}
    with serve_app(settings) as url, httpx.Client(base_url=url, headers=headers, timeout=30) as client:
        done = client.post("/v1/histories", params={"wait": 20}, json={"history": histories.overfitting()})
        assert done.status_code == 200, done.text
        pending = [
            client.post("/v1/histories", json={"history": histories.plateau(seed=i)}).json()["id"]
            for i in range(3)
        ]
    # A new API process: nothing it needs lived in the old one.
    with serve_app(settings) as url, httpx.Client(base_url=url, headers=headers, timeout=30) as client:
        again = client.get(f"/v1/jobs/{done.json()['id']}")
        assert again.status_code == 200
        assert again.json() == done.json()
        jobs = _wait_all_final(client, pending, 30)
        assert {job["status"] for job in jobs.values()} == {"succeeded"}
        listed = {job["id"] for job in client.get("/v1/jobs", params={"limit": 100}).json()["items"]}
        assert {done.json()["id"], *pending} <= listed


def test_expired_job_is_gone_with_its_input_and_from_listings(
    settings: Settings, acme: httpx.Client, worker: Path
) -> None:
    # The API's TTL has a floor of a minute; a store of our own accepts a job for two seconds
    # through the same path the API uses, into the same Redis the API reads.
    store = RedisJobStore(redis.Redis.from_url(settings.redis_url), ttl_seconds=2)
    payload = json.dumps({"history": histories.healthy()}).encode()
    job, _ = enqueue(
        store, JobQueue(make_celery(settings)), "acme", JobKind.history, payload, fingerprint="expiry"
    )
    assert acme.get(f"/v1/jobs/{job.id}").status_code == 200
    assert job.id in {j["id"] for j in acme.get("/v1/jobs", params={"limit": 100}).json()["items"]}

    wait_until(lambda: acme.get(f"/v1/jobs/{job.id}").status_code == 404, 10, "the job to expire")
    gone = acme.get(f"/v1/jobs/{job.id}")
    assert gone.headers["content-type"].startswith("application/problem+json")
    assert gone.json()["type"] == "urn:convdiag:problem:job-not-found"
    assert store.get_input(job.id) is None
    assert acme.get(f"/v1/jobs/{job.id}/report").status_code == 404
    assert acme.delete(f"/v1/jobs/{job.id}").status_code == 404
    assert acme.get(f"/v1/jobs/{job.id}/events").status_code == 404
    assert job.id not in {j["id"] for j in acme.get("/v1/jobs", params={"limit": 100}).json()["items"]}


def test_every_accepted_job_reaches_a_final_state(acme: httpx.Client) -> None:
    shapes = [
        histories.healthy,
        histories.overfitting,
        histories.nan_loss,
        histories.diverging,
        histories.plateau,
        histories.oscillating,
        histories.spikes,
    ]
    bodies = [{"history": shapes[i % len(shapes)]()} for i in range(24)]
    bodies += [{"loss": [0.5]}, {"loss": [None, None, None]}]  # one epoch; nothing but NaN
    history_ids = [acme.post("/v1/histories", json=body).json()["id"] for body in bodies]
    zipped = {"content": not_a_bundle(), "headers": {"content-type": "application/zip"}}
    bundle_ids = [acme.post("/v1/bundles", **zipped).json()["id"] for _ in range(4)]
    jobs = _wait_all_final(acme, history_ids + bundle_ids, 90)
    assert [jobs[i]["status"] for i in history_ids] == ["succeeded"] * len(history_ids)
    for job_id in bundle_ids:
        assert jobs[job_id]["status"] == "failed"
        assert jobs[job_id]["error"]["type"] == "urn:convdiag:problem:invalid-bundle"
        assert "no model.keras" in jobs[job_id]["error"]["detail"]
