"""The API's side of the queue: send a job's task by name, and look at queue depth."""

from __future__ import annotations

from celery import Celery

from worker.app import HISTORY_TASK, LIGHT_QUEUE, PROBES_QUEUE

QUEUES = (LIGHT_QUEUE, PROBES_QUEUE)


class JobQueue:
    def __init__(self, celery: Celery) -> None:
        self.celery = celery

    def send_history(self, job_id: str) -> None:
        # The task id is the job id, so broker messages and worker logs name the job.
        self.celery.send_task(HISTORY_TASK, args=[job_id], task_id=job_id)

    def depth(self) -> dict[str, int]:
        """Messages waiting in each queue (not counting ones a worker holds)."""
        with self.celery.connection_for_read() as conn:
            channel = conn.default_channel
            return {name: channel.queue_declare(queue=name).message_count for name in QUEUES}

    def ping(self) -> None:
        with self.celery.connection_for_read() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
