"""Both job store backends keep the same contract: state machine, listing, stats, expiry."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from convdiag.jobs import FeedbackIn, Job, JobError, JobKind, JobStatus, JobStore
from convdiag.jobs.redis_store import RedisJobStore
from convdiag.jobs.sqlite_store import SqliteJobStore
from convdiag.jobs.store import RUNNING, UNSENT
from diagnosis import diagnose
from diagnosis.history import history_from_mapping
from testkit import histories


@pytest.fixture(params=["redis", "sqlite"])
def store(request: pytest.FixtureRequest, redis_url: str, tmp_path: Path) -> Iterator[JobStore]:
    if request.param == "redis":
        # A db of its own; from_url, as the API opens it (with its asyncio client).
        redis_store = RedisJobStore.from_url(redis_url.replace("/0", "/5"), ttl_seconds=3600)
        redis_store.redis.flushdb()
        yield redis_store
        redis_store.redis.flushdb()
    else:
        yield SqliteJobStore(tmp_path / "jobs.sqlite", ttl_seconds=3600)


def test_lifecycle_and_input(store: JobStore) -> None:
    job = store.create(tenant="t", kind=JobKind.history, payload=b"payload")
    assert job.status is JobStatus.queued
    assert store.get_input(job.id) == b"payload"
    started = store.start(job.id, worker="w1")
    assert started is not None
    assert started.status is JobStatus.running
    assert started.attempts == 1
    result = diagnose(history_from_mapping(histories.healthy()))
    done = store.succeed(job.id, result)
    assert done is not None
    assert done.status is JobStatus.succeeded
    assert done.diagnosis == result
    assert done.finished_at is not None


def test_terminal_states_are_final(store: JobStore) -> None:
    job = store.create(tenant="t", kind=JobKind.history, payload=b"x")
    assert store.cancel(job.id) is not None
    assert store.start(job.id, worker="late") is None
    error = JobError(type="urn:x", title="t", detail="d")
    assert store.fail(job.id, error) is None
    assert store.cancel(job.id) is None
    final = store.get(job.id)
    assert final is not None
    assert final.status is JobStatus.cancelled
    assert final.attempts == 0


def test_tenant_scoping_and_pagination(store: JobStore) -> None:
    ids = [store.create(tenant="a", kind=JobKind.history, payload=b"x").id for _ in range(5)]
    store.create(tenant="b", kind=JobKind.history, payload=b"x")
    assert store.get(ids[0], tenant="b") is None
    assert store.get(ids[0], tenant="a") is not None
    seen, cursor = [], None
    while True:
        page = store.list("a", 2, cursor)
        seen += [job.id for job in page.items]
        if not (cursor := page.next_cursor):
            break
    assert seen == ids[::-1]


def test_stats_follow_transitions(store: JobStore) -> None:
    first = store.create(tenant="t", kind=JobKind.history, payload=b"x")
    second = store.create(tenant="t", kind=JobKind.history, payload=b"x")
    store.start(first.id, worker="w")
    store.fail(first.id, JobError(type="urn:x", title="t", detail="d"))
    stats = store.stats()
    assert stats["active:queued"] == 1
    assert stats.get("active:running", 0) == 0
    assert stats["finished:failed"] == 1
    assert stats["duration:count"] == 1
    store.delete(second.id)
    assert store.stats()["active:queued"] == 0
    assert store.get(second.id) is None


def test_a_job_created_with_its_outcome_is_final_and_counted(store: JobStore) -> None:
    result = diagnose(history_from_mapping(histories.healthy()))
    started = time.time() - 0.2
    done = store.create(tenant="t", kind=JobKind.history, payload=b"x", outcome=result, started_at=started)
    error = JobError(type="urn:x", title="t", detail="d")
    failed = store.create(tenant="t", kind=JobKind.history, payload=b"y", outcome=error)
    for job, status in ((done, JobStatus.succeeded), (failed, JobStatus.failed)):
        stored = store.get(job.id)
        assert stored == job
        assert stored.status is status
        assert stored.attempts == 1
        assert stored.created_at == stored.started_at <= stored.finished_at
        assert store.cancel(job.id) is None  # already final
    assert done.diagnosis == result
    assert done.finished_at.timestamp() - started >= 0.2
    assert failed.error == error
    stats = store.stats()
    assert stats.get("active:queued", 0) == 0
    assert stats["finished:succeeded"] == stats["finished:failed"] == 1
    assert stats["duration:count"] == 2
    assert stats["duration:sum"] >= 0.2


def test_a_final_job_written_from_the_event_loop_is_the_same_job(store: JobStore) -> None:
    """create_final (the API's inline diagnoses, on Redis one script call from the event
    loop) stores what create does: the same record, input, stats and index entries."""
    # Not ASCII: the script gets the fields as JSON (cjson in Redis decodes it).
    tenant = "tënant ☃"
    result = diagnose(history_from_mapping(histories.healthy()))
    started = time.time() - 0.2

    async def from_the_loop() -> Job:
        job = await store.create_final(
            tenant=tenant, kind=JobKind.history, payload=b"in", outcome=result, started_at=started
        )
        await store.aclose()
        return job

    job = asyncio.run(from_the_loop())
    twin = store.create(
        tenant=tenant, kind=JobKind.history, payload=b"in", outcome=result, started_at=started
    )
    assert store.get(job.id) == job
    assert store.get_input(job.id) == b"in"
    assert job.model_dump(exclude={"id", "finished_at", "expires_at"}) == twin.model_dump(
        exclude={"id", "finished_at", "expires_at"}
    )
    assert job.status is JobStatus.succeeded
    assert job.diagnosis == result
    assert {item.id for item in store.list(tenant, limit=10).items} == {job.id, twin.id}
    assert store.watched(UNSENT, time.time() + 1, 10) == [] == store.watched(RUNNING, time.time() + 1, 10)
    stats = store.stats()
    assert stats["finished:succeeded"] == stats["duration:count"] == 2
    assert stats.get("active:queued", 0) == 0


def test_expired_jobs_are_gone(store: JobStore) -> None:
    store.ttl_seconds = 1
    job = store.create(tenant="t", kind=JobKind.history, payload=b"x")
    assert store.get(job.id) is not None
    time.sleep(1.2)
    assert store.get(job.id) is None
    assert store.get_input(job.id) is None
    assert store.list("t", 10).items == []


def test_documents_update_atomically_and_refuse_on_error(store: JobStore) -> None:
    assert store.get_document("d") is None
    store.update_document("d", lambda current: {"n": 1} if current is None else current)

    def increment(current: dict | None) -> dict:
        assert current is not None
        return {"n": current["n"] + 1}

    assert store.update_document("d", increment) == {"n": 2}

    def refuse(current: dict | None) -> dict:
        raise ValueError("no")

    with pytest.raises(ValueError, match="no"):
        store.update_document("d", refuse)
    assert store.get_document("d") == {"n": 2}


def test_concurrent_document_updates_lose_nothing(store: JobStore) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def increment(current: dict | None) -> dict:
        return {"n": (current or {"n": 0})["n"] + 1}

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda _: store.update_document("counter", increment), range(80)))
    assert store.get_document("counter") == {"n": 80}


def test_a_report_is_kept_until_its_job_expires(store: JobStore) -> None:
    job = store.create(tenant="t", kind=JobKind.history, payload=b"x")
    assert store.get_report(job.id) is None
    store.put_report(job.id, "<html>page</html>", time.time() + 60)
    assert store.get_report(job.id) == "<html>page</html>"
    store.put_report(job.id, "<html>gone</html>", time.time() - 1)
    assert store.get_report(job.id) is None


def test_unsent_jobs_are_watched_until_sent_and_claimed_once(store: JobStore) -> None:
    job = store.create(tenant="t", kind=JobKind.history, payload=b"x")
    later = time.time() + 1
    assert store.watched(UNSENT, later, 10) == [job.id]
    assert store.claim_unsent(job.id, stored_before=time.time() - 60) is None  # too recent
    claimed = store.claim_unsent(job.id, stored_before=later)
    assert claimed is not None
    assert claimed.status is JobStatus.queued
    assert store.claim_unsent(job.id, stored_before=later) is None  # one sweeper wins
    assert store.watched(UNSENT, later, 10) == []
    store.unclaim(job.id)  # its send failed
    assert store.watched(UNSENT, later, 10) == [job.id]
    store.mark_sent(job.id)
    assert store.watched(UNSENT, later, 10) == []
    assert store.claim_unsent(job.id, stored_before=later) is None


def test_a_job_that_stops_beating_is_handed_back(store: JobStore) -> None:
    job = store.create(tenant="t", kind=JobKind.history, payload=b"x")
    store.mark_sent(job.id)
    store.start(job.id, worker="w1")
    assert store.watched(RUNNING, time.time() + 1, 10) == [job.id]
    beat_before = time.time()
    time.sleep(0.01)
    store.heartbeat(job.id)
    assert store.watched(RUNNING, beat_before, 10) == []  # it beat since
    assert store.requeue_lost(job.id, beat_before) is None
    lost = store.requeue_lost(job.id, time.time() + 1)
    assert lost is not None
    assert (lost.status, lost.attempts) == (JobStatus.queued, 1)
    assert store.watched(RUNNING, time.time() + 1, 10) == []
    assert store.watched(UNSENT, time.time() + 1, 10) == [job.id]  # for a sweeper to send
    assert store.stats()["active:running"] == 0
    assert store.stats()["active:queued"] == 1
    store.start(job.id, worker="w2")
    store.succeed(job.id, diagnose(history_from_mapping(histories.healthy())))
    assert store.watched(RUNNING, time.time() + 1, 10) == []
    assert store.watched(UNSENT, time.time() + 1, 10) == []


def test_jobs_with_feedback_are_indexed_newest_first_across_tenants(store: JobStore) -> None:
    result = diagnose(history_from_mapping(histories.healthy()))
    ids = [store.create(tenant=t, kind=JobKind.history, payload=b"x", outcome=result).id for t in "abc"]
    unfinished = store.create(tenant="a", kind=JobKind.history, payload=b"x")
    for job_id in [ids[0], ids[1], unfinished.id, ids[2], ids[0]]:
        store.give_feedback(job_id, FeedbackIn(verdict_right=True))
    # Sending again moves a job to the front once; a job without a verdict takes no feedback.
    assert list(store.feedback_ids()) == [ids[0], ids[2], ids[1]]
