"""Celery tasks: thin. They load the job, call the engine, and write the outcome."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from functools import cache
from pathlib import Path

from celery import Task
from celery.exceptions import SoftTimeLimitExceeded

from convdiag import sandbox, webhooks
from convdiag.jobs import Job, JobError, JobStatus, JobStore, open_store
from convdiag.problems import (
    INTERNAL_ERROR,
    INVALID_BUNDLE,
    INVALID_HISTORY,
    LIMIT_EXCEEDED,
    SANDBOX_UNAVAILABLE,
    TIMED_OUT,
    WORKER_LOST,
    ProblemType,
)
from convdiag.queues import BUNDLE_TASK, HISTORY_TASK, WEBHOOK_TASK
from convdiag.settings import get_settings
from diagnosis import Diagnosis, HistoryError
from diagnosis.engine import diagnose_runs
from diagnosis.formats import read_runs
from diagnosis.quoting import public_detail
from worker.app import app
from worker.liveness import heartbeat

log = logging.getLogger(__name__)

Progress = Callable[[float, str], None]
# How long a job-store write waits for Redis to come back. A task that finished while Redis
# restarts would otherwise lose its outcome and leave the job "running" (tests/test_reliability.py).
STORE_OUTAGE_SECONDS = 60.0


class JobFailure(Exception):
    """The input is at fault: the job fails with this problem, and retrying cannot help."""

    def __init__(self, kind: ProblemType, detail: str) -> None:
        super().__init__(detail)
        self.kind = kind


class JobStopped(Exception):
    """The job was cancelled while it ran and its work was stopped; its state is final."""


@cache
def store() -> JobStore:
    """One store per worker process, opened on first use (after the pool has forked)."""
    return open_store(get_settings(), outage_seconds=STORE_OUTAGE_SECONDS)


def _error(kind: ProblemType, detail: str) -> JobError:
    return JobError(type=kind.uri, title=kind.title, detail=public_detail(detail))


def _execute(
    task: Task,
    job_id: str,
    compute: Callable[[Job, bytes, Progress], Diagnosis],
    release: Callable[[bytes], None] | None = None,
) -> None:
    """The life of a job around its computation: start, progress, outcome, never stuck.
    `release` frees what the input points at (a bundle file) once the job is final."""
    jobs = store()
    job = jobs.get(job_id)
    payload = jobs.get_input(job_id)
    try:
        _run(task, jobs, job_id, job, payload, compute)
    finally:
        final = jobs.get(job_id)
        if release and payload is not None and (final is None or final.status.terminal):
            release(payload)
        if final is not None and final.status.terminal and final.callback_url and not final.deliveries:
            deliver_webhook.delay(job_id)


def _run(
    task: Task,
    jobs: JobStore,
    job_id: str,
    job: Job | None,
    payload: bytes | None,
    compute: Callable[[Job, bytes, Progress], Diagnosis],
) -> None:
    if job is None or job.status.terminal:
        log.info("job %s is gone or finished (cancelled?); skipping", job_id)
        return
    if job.attempts >= get_settings().max_attempts:
        # Each earlier delivery started and never finished: the worker died under it.
        jobs.fail(job_id, _error(WORKER_LOST, f"the worker was lost {job.attempts} times running this job"))
        return
    job = jobs.start(job_id, worker=task.request.hostname or "unknown")
    if job is None:
        return  # cancelled between our read and the start
    try:
        if payload is None:
            raise JobFailure(INTERNAL_ERROR, "the job's input has expired")
        with heartbeat(jobs, job_id, get_settings().heartbeat_seconds):
            result = compute(job, payload, lambda fraction, stage: jobs.progress(job_id, fraction, stage))
    except JobFailure as exc:
        jobs.fail(job_id, _error(exc.kind, str(exc)))
    except JobStopped:
        log.info("job %s was cancelled while it ran; its work is stopped", job_id)
    except SoftTimeLimitExceeded:
        jobs.fail(job_id, _error(TIMED_OUT, "the job ran past its time limit"))
    except MemoryError:
        jobs.fail(job_id, _error(INTERNAL_ERROR, "the job ran out of memory"))
    except Exception:
        log.exception("job %s crashed", job_id)
        jobs.fail(job_id, _error(INTERNAL_ERROR, "the job failed unexpectedly; the error is logged"))
    else:
        jobs.succeed(job_id, result)


def _history(job: Job, payload: bytes, progress: Progress) -> Diagnosis:
    try:
        progress(0.5, "diagnosing")
        return diagnose_runs(read_runs(payload))
    except HistoryError as exc:
        raise JobFailure(INVALID_HISTORY, str(exc)) from None


def _bundle_path(payload: bytes) -> Path:
    # The name was made by the API (a uuid); never a path the uploader chose.
    return get_settings().bundles_path / Path(json.loads(payload)["bundle"]).name


def _bundle(job: Job, payload: bytes, progress: Progress) -> Diagnosis:
    path = _bundle_path(payload)
    if not path.is_file():
        # A job re-sent after its API died mid-request, whose upload was cleaned up with it.
        raise JobFailure(INVALID_BUNDLE, "the uploaded bundle is no longer on the server; upload it again")
    # The probes run in a fresh sandbox process that this worker starts, watches and kills
    # (convdiag/sandbox.py); Keras and TensorFlow load there, never in the worker.
    jobs = store()

    def cancelled() -> bool:
        current = jobs.get(job.id)
        return current is None or current.status is JobStatus.cancelled

    try:
        result = sandbox.run(
            path, sandbox.SandboxLimits.from_settings(get_settings()), progress, cancelled, log.info
        )
    except sandbox.SandboxStopped:
        raise JobStopped from None
    except sandbox.BundleRefused as exc:
        raise JobFailure(INVALID_BUNDLE, str(exc)) from None
    except sandbox.LimitExceeded as exc:
        raise JobFailure(LIMIT_EXCEEDED, str(exc)) from None
    except sandbox.SandboxUnavailable as exc:
        log.error("bundle sandbox unavailable, job %s refused: %s", job.id, exc)
        raise JobFailure(SANDBOX_UNAVAILABLE, str(exc)) from None
    except sandbox.SandboxCrashed as exc:
        log.error("job %s: %s", job.id, exc)
        raise JobFailure(INTERNAL_ERROR, "the probes failed unexpectedly; the error is logged") from None
    return Diagnosis.model_validate(result)


def _release_bundle(payload: bytes) -> None:
    # Kept until the job is final, so a redelivered job can read it again.
    _bundle_path(payload).unlink(missing_ok=True)


@app.task(name=HISTORY_TASK, bind=True)
def diagnose_history(self: Task, job_id: str) -> None:
    _execute(self, job_id, _history)


@app.task(
    name=BUNDLE_TASK,
    bind=True,
    soft_time_limit=get_settings().probe_soft_time_limit,
    time_limit=get_settings().probe_time_limit,
)
def probe_bundle(self: Task, job_id: str) -> None:
    _execute(self, job_id, _bundle, _release_bundle)


@app.task(name=WEBHOOK_TASK, bind=True, max_retries=None)
def deliver_webhook(self: Task, job_id: str) -> None:
    """POST the finished job to its callback_url, retrying with doubling delays until a 2xx
    or `webhook_max_attempts`; every attempt is recorded on the job."""
    settings, jobs = get_settings(), store()
    job, tenant = jobs.get(job_id), jobs.owner(job_id)
    if job is None or tenant is None or not job.callback_url or not job.status.terminal:
        return
    if any(d.status_code is not None and 200 <= d.status_code < 300 for d in job.deliveries):
        return  # a redelivered task for a webhook that already arrived
    attempt = len(job.deliveries) + 1
    try:
        target = webhooks.resolve_target(job.callback_url, settings.webhook_allow_private)
    except webhooks.WebhookTargetError as exc:
        jobs.record_delivery(
            job_id, {"attempt": attempt, "at": time.time(), "error": str(exc), "duration_ms": 0}
        )
        return  # the target turned private since submission: never retried
    body = job.model_dump_json().encode()
    status, error, elapsed = webhooks.post(
        target, body, settings.webhook_secrets[tenant], settings.webhook_timeout_seconds
    )
    jobs.record_delivery(
        job_id,
        {
            "attempt": attempt,
            "at": time.time(),
            "status_code": status,
            "error": error,
            "duration_ms": elapsed,
        },
    )
    if (status is not None and 200 <= status < 300) or attempt >= settings.webhook_max_attempts:
        return
    raise self.retry(countdown=min(settings.webhook_backoff_seconds * 2 ** (attempt - 1), 600))
