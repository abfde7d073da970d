"""What every POST that creates a job shares: who sends it, the Idempotency-Key and
callback_url it may carry, and how it is answered (202 + Location, or 200 within `wait`)."""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from functools import partial
from typing import Annotated, Any

from fastapi import Depends, Query, Request, Response
from fastapi.concurrency import run_in_threadpool

from convdiag.jobs import Job, JobError, JobKind, JobStore
from convdiag.problems import (
    IDEMPOTENCY_CONFLICT,
    INVALID_CALLBACK,
    INVALID_HISTORY,
    INVALID_REQUEST,
    PAYLOAD_TOO_LARGE,
    UNAUTHORIZED,
    UNAVAILABLE,
    UNSUPPORTED_MEDIA_TYPE,
    ProblemType,
)
from convdiag.settings import Settings
from diagnosis.models import Diagnosis
from diagnosis.quoting import quote
from service.deps import CallbackDep, IdempotencyKeyDep, TenantDep
from service.errors import ProblemError, problem_responses
from service.inline import InlinePool
from service.queue import IdempotencyConflict, JobQueue, enqueue, wait_for

# The most a POST may hold the connection with `?wait=`.
MAX_WAIT = 30.0


def check_metric_names(names: Collection[str], settings: Settings) -> None:
    """Refuse a run that logs more metrics, or longer names, than the settings allow, with
    a problem that names the cap (histories and live runs alike)."""
    if len(names) > settings.max_metrics:
        raise ProblemError(
            INVALID_HISTORY,
            f"the run logs {len(names)} metrics; at most {settings.max_metrics} are accepted "
            "(CONVDIAG_MAX_METRICS)",
        )
    cap = settings.max_metric_name_length
    if too_long := next((name for name in names if len(name) > cap), None):
        raise ProblemError(
            INVALID_HISTORY,
            f"the metric name {quote(too_long)} has {len(too_long)} characters; at most {cap} are "
            "accepted (CONVDIAG_MAX_METRIC_NAME_LENGTH)",
        )


def submission_responses(input_problem: ProblemType) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` of a POST that creates a job from an input of some kind."""
    return {
        200: {"model": Job, "description": "Finished within `wait` seconds."},
        **problem_responses(
            input_problem,
            INVALID_REQUEST,
            IDEMPOTENCY_CONFLICT,
            INVALID_CALLBACK,
            UNSUPPORTED_MEDIA_TYPE,
            PAYLOAD_TOO_LARGE,
            UNAUTHORIZED,
            UNAVAILABLE,
        ),
    }


@dataclass
class Submission:
    store: JobStore
    queue: JobQueue
    tenant: str
    settings: Settings
    idempotency_key: str | None
    callback_url: str | None
    wait: float
    inline: InlinePool

    async def create(
        self,
        kind: JobKind,
        payload: bytes,
        fingerprint: str,
        run_now: Callable[[bytes], Diagnosis | JobError] | None = None,
    ) -> tuple[Job, bool]:
        """Store (and queue) the job; (job, created) — created is False for an idempotent
        repeat. `run_now(payload)` computes the outcome beside the API instead, when the
        inline pool takes it, and the job is stored already final. The queue's client and the
        idempotency claim are blocking: those paths run on a thread."""
        outcome, started = None, None
        if run_now is not None and self.callback_url is None and self.inline.takes(len(payload)):
            started = time.time()
            outcome = await self.inline.run(run_now, payload)
            if outcome is not None and self.idempotency_key is None:
                # Nothing to claim and nothing to queue: one write, from the event loop.
                job = await self.store.create_final(
                    tenant=self.tenant, kind=kind, payload=payload, outcome=outcome, started_at=started
                )
                return job, True
        work = partial(
            enqueue,
            self.store,
            self.queue,
            self.tenant,
            kind,
            payload,
            fingerprint=fingerprint,
            idempotency_key=self.idempotency_key,
            callback_url=self.callback_url,
            outcome=outcome,
            started_at=started,
        )
        try:
            return await run_in_threadpool(work)
        except IdempotencyConflict as exc:
            raise ProblemError(IDEMPOTENCY_CONFLICT, str(exc)) from None

    async def answer(self, job: Job, response: Response) -> Job:
        """202 with the job's Location, or 200 with the finished job when it completes
        within `wait` seconds."""
        response.headers["Location"] = f"/v1/jobs/{job.id}"
        if self.wait > 0:
            job = await wait_for(self.store, job.id, min(self.wait, self.settings.max_wait_seconds))
            if job.status.terminal:
                response.status_code = 200
        return job


async def submission(
    request: Request,
    tenant: TenantDep,
    idempotency_key: IdempotencyKeyDep = None,
    callback_url: CallbackDep = None,
    wait: Annotated[
        float, Query(ge=0, le=MAX_WAIT, description="Seconds to wait for the result before answering 202.")
    ] = 0,
) -> Submission:
    state = request.app.state  # not through get_store and the like: see service.deps
    return Submission(
        state.store, state.queue, tenant, state.settings, idempotency_key, callback_url, wait, state.inline
    )


SubmissionDep = Annotated[Submission, Depends(submission)]
