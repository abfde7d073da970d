"""Celery tasks: thin. They load the job, call the engine, and write the outcome."""

from __future__ import annotations

import logging
from functools import cache

from celery import Task
from celery.exceptions import SoftTimeLimitExceeded

from convdiag.jobs import JobError, JobStore, open_store
from convdiag.problems import INTERNAL_ERROR, INVALID_HISTORY, TIMED_OUT, WORKER_LOST, ProblemType
from convdiag.settings import get_settings
from diagnosis import HistoryError, diagnose, load_history
from worker.app import HISTORY_TASK, app

log = logging.getLogger(__name__)


@cache
def store() -> JobStore:
    """One store per worker process, opened on first use (after the pool has forked)."""
    return open_store(get_settings())


def _error(kind: ProblemType, detail: str) -> JobError:
    return JobError(type=kind.uri, title=kind.title, detail=detail)


@app.task(name=HISTORY_TASK, bind=True)
def diagnose_history(self: Task, job_id: str) -> None:
    jobs = store()
    job = jobs.get(job_id)
    if job is None or job.status.terminal:
        log.info("job %s is gone or finished (cancelled?); skipping", job_id)
        return
    if job.attempts >= get_settings().max_attempts:
        # Each earlier delivery started and never finished: the worker died under it.
        jobs.fail(job_id, _error(WORKER_LOST, f"the worker was lost {job.attempts} times running this job"))
        return
    if jobs.start(job_id, worker=self.request.hostname or "unknown") is None:
        return  # cancelled between our read and the start
    payload = jobs.get_input(job_id)
    try:
        if payload is None:
            raise HistoryError("the job's input has expired")
        jobs.progress(job_id, 0.5, "diagnosing")
        result = diagnose(load_history(payload))
    except HistoryError as exc:
        jobs.fail(job_id, _error(INVALID_HISTORY, str(exc)))
    except SoftTimeLimitExceeded:
        jobs.fail(job_id, _error(TIMED_OUT, "the diagnosis ran past the task time limit"))
    except Exception:
        log.exception("diagnosis of job %s crashed", job_id)
        jobs.fail(job_id, _error(INTERNAL_ERROR, "the diagnosis failed unexpectedly; the error is logged"))
    else:
        jobs.succeed(job_id, result)
