"""The API's side of the queue: accept a job (idempotently), send its task by name, and
look at queue depth."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

from celery import Celery
from fastapi.concurrency import run_in_threadpool

from convdiag.jobs import Job, JobError, JobKind, JobStore
from convdiag.problems import JOB_NOT_FOUND
from convdiag.queues import QUEUES, WEBHOOK_TASK, send_job
from diagnosis.models import Diagnosis
from service.errors import ProblemError

# How often `wait` looks at the job. Polling the store keeps one code path for Redis and
# SQLite; at 50 ms it adds a small fraction to a diagnosis that takes a few hundred.
POLL_SECONDS = 0.05
# A retry can arrive while the first request is still creating its job; wait this long for it.
CLAIM_WAIT_SECONDS = 5.0


class JobQueue:
    def __init__(self, celery: Celery) -> None:
        self.celery = celery

    def send(self, kind: JobKind, job_id: str) -> None:
        send_job(self.celery, kind, job_id)

    def send_webhook(self, job_id: str) -> None:
        self.celery.send_task(WEBHOOK_TASK, args=[job_id])

    def depth(self) -> dict[str, int]:
        """Messages waiting in each queue (not counting ones a worker holds)."""
        with self.celery.connection_for_read() as conn:
            channel = conn.default_channel
            return {name: channel.queue_declare(queue=name).message_count for name in QUEUES}

    def ping(self) -> None:
        with self.celery.connection_for_read() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)


class IdempotencyConflict(ValueError):
    """The key was used before with a different request."""


class _Claimed(Exception):
    def __init__(self, claim: dict[str, Any]) -> None:
        super().__init__("already claimed")
        self.claim = claim


def _earlier_job(store: JobStore, tenant: str, claim: dict[str, Any]) -> Job | None:
    deadline = time.monotonic() + CLAIM_WAIT_SECONDS
    while (job := store.get(claim["job"], tenant=tenant)) is None and time.monotonic() < deadline:
        time.sleep(0.05)
    return job


def enqueue(
    store: JobStore,
    queue: JobQueue,
    tenant: str,
    kind: JobKind,
    payload: bytes,
    *,
    fingerprint: str,
    idempotency_key: str | None = None,
    callback_url: str | None = None,
    outcome: Diagnosis | JobError | None = None,
    started_at: float | None = None,
) -> tuple[Job, bool]:
    """Store the input durably, then queue it; if queueing fails, no job is left behind.
    Given its `outcome` (computed from `started_at` on), store the job already final instead;
    except with a callback_url: the worker path is the one that delivers webhooks.

    With an Idempotency-Key, the first request claims the key (atomically, in the store)
    for its request's `fingerprint`; a repeat with the same fingerprint gets the same job
    back (`created` False), one with another fingerprint is refused."""
    job_id = uuid.uuid4().hex
    claim_key = f"idempotency:{tenant}:{idempotency_key}" if idempotency_key else None
    if claim_key:

        def claim(current: dict[str, Any] | None) -> dict[str, Any]:
            if current is not None:
                raise _Claimed(current)
            return {"fingerprint": fingerprint, "job": job_id}

        try:
            store.update_document(claim_key, claim)
        except _Claimed as claimed:
            if claimed.claim["fingerprint"] != fingerprint:
                raise IdempotencyConflict("this Idempotency-Key was used with a different request") from None
            earlier = _earlier_job(store, tenant, claimed.claim)
            if earlier is not None:
                _send_if_orphaned(store, queue, earlier)
                return earlier, False
            raise IdempotencyConflict(
                "the request first sent with this Idempotency-Key failed; use a new key"
            ) from None
    if outcome is not None and callback_url is None:
        job = store.create(
            tenant=tenant, kind=kind, payload=payload, job_id=job_id, outcome=outcome, started_at=started_at
        )
        return job, True
    job = store.create(tenant=tenant, kind=kind, payload=payload, job_id=job_id, callback_url=callback_url)
    try:
        queue.send(kind, job.id)
    except Exception:
        # If the store is unreachable too, the job stays on the UNSENT list and a worker's
        # sweeper sends it later (worker/liveness.py).
        store.delete(job.id)
        if claim_key:
            store.delete_document(claim_key)
        raise
    store.mark_sent(job.id)
    return job, True


def _send_if_orphaned(store: JobStore, queue: JobQueue, job: Job) -> None:
    """A retry of a request whose first try stored its job and died before sending it (the API
    killed, the broker gone): send it now, so the retry is not answered with a job that never
    runs. Only a job stored CLAIM_WAIT_SECONDS ago: a first try that recent may still send."""
    claimed = store.claim_unsent(job.id, stored_before=time.time() - CLAIM_WAIT_SECONDS)
    if claimed is None:
        return
    try:
        queue.send(claimed.kind, claimed.id)
    except Exception:
        store.unclaim(claimed.id)
        raise


async def wait_for(store: JobStore, job_id: str, seconds: float) -> Job:
    """The job once it is terminal, or as it stands after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        job = await run_in_threadpool(store.get, job_id)
        if job is None:
            raise ProblemError(JOB_NOT_FOUND, f"job {job_id} expired while waiting")
        if job.status.terminal or time.monotonic() >= deadline:
            return job
        await asyncio.sleep(POLL_SECONDS)
