"""Jobs: read, list, cancel. A job is visible only to its tenant; anyone else gets 404."""

from __future__ import annotations

import asyncio
import time
from typing import Annotated

from fastapi import APIRouter, Query, Response
from fastapi.concurrency import run_in_threadpool

from convdiag.jobs import Job, JobPage, JobStore
from convdiag.problems import INVALID_REQUEST, JOB_FINISHED, JOB_NOT_FOUND, UNAUTHORIZED, UNAVAILABLE
from service.deps import StoreDep, TenantDep
from service.errors import ProblemError, problem_responses

router = APIRouter(prefix="/v1/jobs", tags=["jobs"])

# How often `wait` looks at the job. Polling the store keeps one code path for Redis and
# SQLite; at 50 ms it adds a small fraction to a diagnosis that takes a few hundred.
POLL_SECONDS = 0.05
# The most a POST may hold the connection with `?wait=`.
MAX_WAIT = 30.0


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


async def accepted(store: JobStore, job: Job, response: Response, wait: float, max_wait: float) -> Job:
    """The answer to a POST that created a job: 202 with its Location, or 200 with the
    finished job when it completes within `wait` seconds."""
    response.headers["Location"] = f"/v1/jobs/{job.id}"
    if wait > 0:
        job = await wait_for(store, job.id, min(wait, max_wait))
        if job.status.terminal:
            response.status_code = 200
    return job


def _own_job(store: JobStore, job_id: str, tenant: str) -> Job:
    job = store.get(job_id, tenant=tenant)
    if job is None:
        raise ProblemError(JOB_NOT_FOUND, f"no job {job_id}")
    return job


@router.get(
    "",
    response_model=JobPage,
    summary="List your jobs, newest first",
    responses=problem_responses(INVALID_REQUEST, UNAUTHORIZED, UNAVAILABLE),
)
def list_jobs(
    store: StoreDep,
    tenant: TenantDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(description="`next_cursor` from the previous page.")] = None,
) -> JobPage:
    try:
        return store.list(tenant, limit, cursor)
    except ValueError as exc:
        raise ProblemError(INVALID_REQUEST, f"cursor: {exc}") from None


@router.get(
    "/{job_id}",
    response_model=Job,
    summary="A job's status, progress and diagnosis",
    responses=problem_responses(JOB_NOT_FOUND, INVALID_REQUEST, UNAUTHORIZED, UNAVAILABLE),
)
def get_job(job_id: str, store: StoreDep, tenant: TenantDep) -> Job:
    return _own_job(store, job_id, tenant)


@router.delete(
    "/{job_id}",
    response_model=Job,
    summary="Cancel a queued or running job",
    responses=problem_responses(JOB_NOT_FOUND, JOB_FINISHED, INVALID_REQUEST, UNAUTHORIZED, UNAVAILABLE),
)
def cancel_job(job_id: str, store: StoreDep, tenant: TenantDep) -> Job:
    """Marks the job cancelled. A worker checks before it starts and its result is refused
    after, so a cancelled job never turns into a succeeded one."""
    job = _own_job(store, job_id, tenant)
    cancelled = store.cancel(job_id)
    if cancelled is None:
        raise ProblemError(JOB_FINISHED, f"job {job_id} is already {job.status.value}")
    return cancelled
