"""A job as clients see it, and the state machine its status follows."""

from __future__ import annotations

import html
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from convdiag.report.html import render_fragment
from diagnosis.models import Diagnosis
from diagnosis.taxonomy import Code

# A feedback comment is a sentence or two, not a document.
MAX_FEEDBACK_COMMENT = 2000


class JobStatus(StrEnum):
    queued = "queued"
    running = "running"
    succeeded = "succeeded"
    failed = "failed"
    cancelled = "cancelled"

    @property
    def terminal(self) -> bool:
        return self in TERMINAL


TERMINAL = frozenset({JobStatus.succeeded, JobStatus.failed, JobStatus.cancelled})

# Every status change goes through this table, so a finished job never comes back to life
# and a late worker cannot overwrite a cancellation. running -> running is a redelivery
# after a worker was lost; running -> queued is a worker handing a job back.
TRANSITIONS: dict[JobStatus, frozenset[JobStatus]] = {
    JobStatus.queued: frozenset({JobStatus.running, JobStatus.failed, JobStatus.cancelled}),
    JobStatus.running: frozenset(
        {JobStatus.running, JobStatus.queued, JobStatus.succeeded, JobStatus.failed, JobStatus.cancelled}
    ),
    JobStatus.succeeded: frozenset(),
    JobStatus.failed: frozenset(),
    JobStatus.cancelled: frozenset(),
}


class JobKind(StrEnum):
    history = "history"
    bundle = "bundle"


class JobError(BaseModel):
    """Why a job failed, in the same shape as an HTTP problem."""

    type: str = Field(description="Stable problem type URI.")
    title: str
    detail: str


class Delivery(BaseModel):
    """One attempt to POST the finished job to its callback_url."""

    attempt: int
    at: datetime
    status_code: int | None = Field(default=None, description="The receiver's answer; null if none came.")
    error: str | None = None
    duration_ms: float


class FeedbackIn(BaseModel):
    """What a user says about a finished diagnosis: was the verdict right, did its fix help."""

    model_config = ConfigDict(extra="forbid")

    verdict_right: bool = Field(description="Whether the verdict's status and first cause were right.")
    fix_helped: bool | None = Field(
        default=None, description="Whether applying the first fix helped; null if not tried."
    )
    actual_cause: Code | None = Field(
        default=None, description="The cause it turned out to be, where the verdict was wrong."
    )
    comment: str | None = Field(default=None, max_length=MAX_FEEDBACK_COMMENT)


class Feedback(FeedbackIn):
    """Stored feedback, the latest per job (sending again replaces it)."""

    model_config = ConfigDict(extra="ignore")

    received_at: datetime


class Job(BaseModel):
    id: str
    kind: JobKind
    status: JobStatus
    progress: float = Field(ge=0.0, le=1.0, description="0 when queued, 1 when finished.")
    stage: str | None = Field(default=None, description="What the worker is doing now.")
    attempts: int = Field(description="How many times a worker has started this job.")
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    expires_at: datetime
    diagnosis: Diagnosis | None = None
    error: JobError | None = None
    callback_url: str | None = Field(default=None, description="Where the finished job is POSTed.")
    deliveries: list[Delivery] = Field(default_factory=list, description="Webhook delivery attempts so far.")
    feedback: Feedback | None = Field(default=None, description="What the user said about the verdict.")

    def _repr_html_(self) -> str:
        """How a notebook shows a job (`client.wait(job.id)` in a cell): its state, then the
        diagnosis once there is one, or the error."""
        title = f"job {self.id}: {self.status.value}"
        if self.diagnosis is not None:
            return render_fragment(self.diagnosis, title)
        detail = f": {self.error.title}: {self.error.detail}" if self.error else f" ({self.progress:.0%})"
        return f"<p>{html.escape(title + detail)}</p>"


class JobPage(BaseModel):
    items: list[Job]
    next_cursor: str | None = Field(
        default=None, description="Pass as `cursor` to get the next (older) page; null on the last."
    )
