"""Jobs: read, list, cancel. A job is visible only to its tenant; anyone else gets 404."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from fastapi.sse import EventSourceResponse, ServerSentEvent

from convdiag.jobs import FeedbackIn, Job, JobKind, JobPage, JobStore
from convdiag.problems import (
    INVALID_REQUEST,
    JOB_FINISHED,
    JOB_NOT_DONE,
    JOB_NOT_FOUND,
    UNAUTHORIZED,
    UNAVAILABLE,
)
from convdiag.report.html import render_html
from diagnosis.formats import read_runs
from service.deps import PageCursor, PageLimit, QueueDep, StoreDep, TenantDep
from service.errors import ProblemError, problem_responses

router = APIRouter(prefix="/v1/jobs", tags=["jobs"])

# How often the events stream looks for changes: fine-grained enough for a progress bar.
EVENTS_POLL_SECONDS = 0.25
_RENDERING = threading.Lock()


def own_job(job_id: str, store: StoreDep, tenant: TenantDep) -> Job:
    """The caller's job; anyone else's is indistinguishable from a missing one (404)."""
    job = store.get(job_id, tenant=tenant)
    if job is None:
        raise ProblemError(JOB_NOT_FOUND, f"no job {job_id}")
    return job


OwnJobDep = Annotated[Job, Depends(own_job)]


@router.get(
    "",
    response_model=JobPage,
    summary="List your jobs, newest first",
    responses=problem_responses(INVALID_REQUEST, UNAUTHORIZED, UNAVAILABLE),
)
def list_jobs(
    store: StoreDep,
    tenant: TenantDep,
    limit: PageLimit = 20,
    cursor: PageCursor = None,
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
def get_job(job: OwnJobDep) -> Job:
    return job


@router.delete(
    "/{job_id}",
    response_model=Job,
    summary="Cancel a queued or running job",
    responses=problem_responses(JOB_NOT_FOUND, JOB_FINISHED, INVALID_REQUEST, UNAUTHORIZED, UNAVAILABLE),
)
def cancel_job(job: OwnJobDep, store: StoreDep, queue: QueueDep) -> Job:
    """Marks the job cancelled. A worker checks before it starts and its result is refused
    after, so a cancelled job never turns into a succeeded one."""
    cancelled = store.cancel(job.id)
    if cancelled is None:
        current = store.get(job.id)
        raise ProblemError(JOB_FINISHED, f"job {job.id} is already {(current or job).status.value}")
    if cancelled.callback_url:
        queue.send_webhook(job.id)
    return cancelled


@router.post(
    "/{job_id}/feedback",
    response_model=Job,
    summary="Say whether the verdict was right and whether its fix helped",
    responses=problem_responses(JOB_NOT_FOUND, JOB_NOT_DONE, INVALID_REQUEST, UNAUTHORIZED, UNAVAILABLE),
)
def job_feedback(feedback: FeedbackIn, job: OwnJobDep, store: StoreDep) -> Job:
    """Stored with the job (the latest replaces an earlier one) for the tenant that owns it;
    a benchmark reads it back as labelled runs."""
    updated = store.give_feedback(job.id, feedback)
    if updated is None:
        raise ProblemError(JOB_NOT_DONE, f"job {job.id} is {job.status.value}; feedback needs a diagnosis")
    return updated


@router.get(
    "/{job_id}/events",
    response_class=EventSourceResponse,
    summary="Server-Sent Events: the job's progress as it happens",
    responses=problem_responses(JOB_NOT_FOUND, INVALID_REQUEST, UNAUTHORIZED, UNAVAILABLE),
)
async def job_events(job: OwnJobDep, store: StoreDep) -> AsyncIterator[ServerSentEvent]:
    """A `progress` event (the job without its diagnosis) whenever status, progress or stage
    changes, then one `done` event with the whole job, and the stream ends."""
    last = None
    while True:
        state = (job.status, job.progress, job.stage)
        if state != last:
            last = state
            yield ServerSentEvent(event="progress", data=job.model_dump(mode="json", exclude={"diagnosis"}))
        if job.status.terminal:
            yield ServerSentEvent(event="done", data=job.model_dump(mode="json"))
            return
        await asyncio.sleep(EVENTS_POLL_SECONDS)
        current = await run_in_threadpool(store.get, job.id)
        if current is None:
            return  # expired while we watched
        job = current


@router.get(
    "/{job_id}/report",
    response_class=HTMLResponse,
    summary="The diagnosis as a self-contained HTML page",
    responses={
        200: {
            "content": {"text/html": {}},
            "description": "Curves with findings marked, causes, fix trials.",
        },
        **problem_responses(JOB_NOT_FOUND, JOB_NOT_DONE, INVALID_REQUEST, UNAUTHORIZED, UNAVAILABLE),
    },
)
def job_report(job: OwnJobDep, store: StoreDep) -> HTMLResponse:
    # Rendered on the first request and stored with the job: a page costs up to a couple of
    # CPU seconds (CONVDIAG_MAX_METRICS curves), so it is paid once per job, not per request.
    # Rendering here rather than in the worker keeps matplotlib off the queue's path for the
    # many jobs whose report nobody opens.
    if job.diagnosis is None:
        raise ProblemError(JOB_NOT_DONE, f"job {job.id} is {job.status.value}; a report needs a diagnosis")
    page = store.get_report(job.id)
    if page is None:
        # One render at a time per API process, so reports can take one core at most while
        # the other routes go on; a second request for the same page waits and finds it stored.
        with _RENDERING:
            page = store.get_report(job.id)
            if page is None:
                *earlier, last = job_curves(store, job)
                page = render_html(
                    job.diagnosis,
                    last,
                    title=f"convdiag report {job.id}",
                    feedback_url=f"/v1/jobs/{job.id}/feedback",
                    earlier_curves=earlier,
                )
                store.put_report(job.id, page, job.expires_at.timestamp())
    return HTMLResponse(page)


def job_curves(store: JobStore, job: Job) -> list[dict[str, list[float | None]] | None]:
    """The curves behind a diagnosis, oldest run first: each run as posted (a log may hold
    several), or a bundle probe's replay."""
    if job.kind is JobKind.bundle:
        return [(job.diagnosis.probes.get("replay") or {}).get("history") if job.diagnosis else None]
    payload = store.get_input(job.id)
    return [None] if payload is None else [run.to_json()["history"] for run in read_runs(payload)]
