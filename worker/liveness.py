"""No job is orphaned: running jobs beat, and every worker sweeps for the ones that stopped
beating and the ones that were stored but never queued.

Celery alone recovers a job whose pool process dies (the main process rejects the task and
the broker hands it out again). It cannot recover a job whose whole worker died (SIGKILL, a
lost machine): that task stays unacknowledged until the broker's visibility timeout, an hour
in docker-compose. Nor a job the API stored and then never sent, because the API died or
the broker dropped in between. Both are visible in the job store: a running job's
heartbeat stops moving, an unsent job stays on the store's UNSENT list (the job record is
the outbox). So every worker's main process runs a sweeper thread: once at start and then
every CONVDIAG_SWEEP_SECONDS it hands lost jobs back to the queue and sends unsent ones. A
store transaction decides which sweeper acts on a job, so any number may run.

Why a sweeper in the workers rather than Celery beat or a relay process: there is nothing
more to deploy or keep alive, and where jobs can run at all, a sweeper runs.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from celery import Celery
from celery.signals import worker_ready, worker_shutdown

from convdiag.jobs import JobStore, open_store
from convdiag.jobs.store import RUNNING, UNSENT
from convdiag.queues import send_job
from convdiag.settings import Settings, get_settings

log = logging.getLogger(__name__)

# Jobs handled per watch list per sweep; the rest wait for the next one.
SWEEP_BATCH = 500


@contextmanager
def heartbeat(jobs: JobStore, job_id: str, interval: float) -> Iterator[None]:
    """Record every `interval` seconds that the job is alive, while the block runs. A thread,
    so a long computation holding the task's own thread still beats."""
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(interval):
            try:
                jobs.heartbeat(job_id)
            except Exception:  # the store is away: the next beat tries again
                log.warning("heartbeat of job %s not recorded", job_id, exc_info=True)

    thread = threading.Thread(target=beat, name=f"heartbeat-{job_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def sweep(jobs: JobStore, celery: Celery, settings: Settings) -> tuple[int, int]:
    """One pass: hand back jobs whose worker stopped beating, then send jobs stored and never
    queued (those just handed back among them). Returns (requeued, sent)."""
    now = time.time()
    requeued = sent = 0
    for job_id in jobs.watched(RUNNING, now - settings.heartbeat_stale_seconds, SWEEP_BATCH):
        if jobs.get(job_id) is None:
            jobs.forget(job_id)  # expired
        elif (job := jobs.requeue_lost(job_id, now - settings.heartbeat_stale_seconds)) is not None:
            requeued += 1
            log.warning(
                "job %s stopped beating (attempt %d); handing it back to the queue", job_id, job.attempts
            )
    for job_id in jobs.watched(UNSENT, now - settings.unsent_grace_seconds, SWEEP_BATCH):
        if jobs.get(job_id) is None:
            jobs.forget(job_id)
            continue
        job = jobs.claim_unsent(job_id, stored_before=now - settings.unsent_grace_seconds)
        if job is None:
            continue  # another sweeper took it, or it was sent meanwhile
        try:
            send_job(celery, job.kind, job.id)
        except Exception:
            jobs.unclaim(job.id)
            raise  # the broker is away: the rest waits for the next sweep
        sent += 1
        log.warning("job %s was stored but never queued; sent it", job_id)
    return requeued, sent


class Sweeper:
    """The sweeper thread of one worker's main process."""

    def __init__(self, celery: Celery, settings: Settings) -> None:
        self.celery, self.settings = celery, settings
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="convdiag-sweeper", daemon=True)

    def _run(self) -> None:
        # Its own store (no waiting out a Redis outage: the next sweep comes soon enough).
        jobs = open_store(self.settings)
        while True:
            try:
                sweep(jobs, self.celery, self.settings)
            except Exception:
                log.warning("sweep failed; trying again in %ss", self.settings.sweep_seconds, exc_info=True)
            if self.stop.wait(self.settings.sweep_seconds):
                return


_sweeper: Sweeper | None = None


@worker_ready.connect
def _start_sweeper(sender: Any, **_: Any) -> None:
    global _sweeper
    _sweeper = Sweeper(sender.app, get_settings())
    _sweeper.thread.start()


@worker_shutdown.connect
def _stop_sweeper(**_: Any) -> None:
    if _sweeper is not None:
        _sweeper.stop.set()
