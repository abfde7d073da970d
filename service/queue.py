"""The API's side of the queue: send a job's task by name, and look at queue depth."""

from __future__ import annotations

from celery import Celery

from convdiag.jobs import Job, JobKind, JobStore
from worker.app import BUNDLE_TASK, HISTORY_TASK, LIGHT_QUEUE, PROBES_QUEUE

QUEUES = (LIGHT_QUEUE, PROBES_QUEUE)
TASKS = {JobKind.history: HISTORY_TASK, JobKind.bundle: BUNDLE_TASK}


class JobQueue:
    def __init__(self, celery: Celery) -> None:
        self.celery = celery

    def send(self, kind: JobKind, job_id: str) -> None:
        # The task id is the job id, so broker messages and worker logs name the job.
        self.celery.send_task(TASKS[kind], args=[job_id], task_id=job_id)

    def depth(self) -> dict[str, int]:
        """Messages waiting in each queue (not counting ones a worker holds)."""
        with self.celery.connection_for_read() as conn:
            channel = conn.default_channel
            return {name: channel.queue_declare(queue=name).message_count for name in QUEUES}

    def ping(self) -> None:
        with self.celery.connection_for_read() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)


def enqueue(store: JobStore, queue: JobQueue, tenant: str, kind: JobKind, payload: bytes) -> Job:
    """Store the input durably, then queue it; if queueing fails, no job is left behind."""
    job = store.create(tenant=tenant, kind=kind, payload=payload)
    try:
        queue.send(kind, job.id)
    except Exception:
        store.delete(job.id)
        raise
    return job
