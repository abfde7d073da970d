"""The job store: where job records and their accepted inputs live.

Job state is ours, not Celery's: an unknown id is simply absent (a 404), never an eternal
PENDING. Two backends share this logic — Redis hashes with a TTL in production, SQLite
under the data directory for the embedded default — and differ only in how they read and
atomically update one record (`_read`, `_update`), insert, list and count.
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from convdiag.jobs.models import (
    TERMINAL,
    TRANSITIONS,
    FeedbackIn,
    Job,
    JobError,
    JobKind,
    JobPage,
    JobStatus,
)
from diagnosis.models import Diagnosis

# Upper bounds (seconds) of the job-duration histogram exposed on /metrics, from a history
# diagnosis (well under a second) to a bundle probe (minutes).
DURATION_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0)
ACTIVE = (JobStatus.queued, JobStatus.running)

# A record as stored: every Job field JSON-encoded under its own name, plus the tenant.
Record = dict[str, Any]
# Given the current record, return the fields to change and the stats to add, or None to
# leave the record alone.
Updater = Callable[[Record], tuple[Record, dict[str, float]] | None]
# Given a document (None when absent), return its new content; raise to leave it alone.
DocumentUpdater = Callable[[dict[str, Any] | None], dict[str, Any]]

# The two watch lists a sweeper reads (convdiag/jobs keeps them in step with each record, in
# the same transaction): jobs running, by their last heartbeat, and jobs stored but not yet
# handed to the queue, by when they were stored.
RUNNING = "running"
UNSENT = "unsent"
WATCHES = (RUNNING, UNSENT)


def watch_entry(record: Record) -> tuple[str, float] | None:
    """Which watch list a record belongs on, and its score there; None for neither."""
    if record["status"] == JobStatus.running:
        return RUNNING, record.get("heartbeat_at") or record.get("started_at") or record["created_at"]
    # Records from before the outbox have no "sent": they were sent.
    if record["status"] == JobStatus.queued and record.get("sent", True) is False:
        return UNSENT, record["created_at"]
    return None


# The jobs that carry feedback, for the operator's benchmark (never shown to tenants); the
# newest are kept when there are more.
FEEDBACK_INDEX = "feedback-index"
MAX_FEEDBACK_INDEXED = 10_000


def _remember_newest(index: dict[str, Any] | None, item: str, limit: int) -> dict[str, Any]:
    """An index document (`{"ids": [...]}`, newest first) with `item` moved to the front."""
    older = [i for i in (index or {}).get("ids", []) if i != item]
    return {"ids": [item, *older][:limit]}


def _now() -> float:
    return time.time()


def _ts(value: float | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, UTC)


def encode_cursor(created: float, job_id: str) -> str:
    return base64.urlsafe_b64encode(json.dumps([created, job_id]).encode()).decode()


def decode_cursor(cursor: str) -> tuple[float, str]:
    try:
        created, job_id = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        return float(created), str(job_id)
    except (ValueError, TypeError) as exc:
        raise ValueError("malformed cursor") from exc


def record_to_job(record: Record) -> Job:
    return Job(
        id=record["id"],
        kind=record["kind"],
        status=record["status"],
        progress=record["progress"],
        stage=record.get("stage"),
        attempts=record["attempts"],
        created_at=datetime.fromtimestamp(record["created_at"], UTC),
        started_at=_ts(record.get("started_at")),
        finished_at=_ts(record.get("finished_at")),
        expires_at=datetime.fromtimestamp(record["expires_at"], UTC),
        diagnosis=record.get("diagnosis"),
        error=record.get("error"),
        callback_url=record.get("callback_url"),
        deliveries=record.get("deliveries", []),
        feedback=record.get("feedback"),
    )


def _created_job(record: Record, outcome: Diagnosis | JobError | None) -> Job:
    """The Job of a record just written, given the outcome it was made from: the models
    themselves, so the diagnosis is not validated again from its stored JSON."""
    if isinstance(outcome, Diagnosis):
        record = {**record, "diagnosis": outcome}
    elif outcome is not None:
        record = {**record, "error": outcome}
    return record_to_job(record)


def _transition_stats(record: Record, to: JobStatus, now: float) -> dict[str, float]:
    """Counter changes for /metrics when a job moves from its status to `to`."""
    old = JobStatus(record["status"])
    delta: dict[str, float] = {}
    if old is not to:
        if old in ACTIVE:
            delta[f"active:{old}"] = -1
        if to in ACTIVE:
            delta[f"active:{to}"] = 1
    if to in TERMINAL:
        duration = now - record["created_at"]
        delta[f"finished:{to}"] = 1
        delta["duration:sum"] = duration
        delta["duration:count"] = 1
        for bound in DURATION_BUCKETS:
            if duration <= bound:
                delta[f"duration:le:{bound}"] = 1
    return delta


class JobStore(ABC):
    def __init__(self, ttl_seconds: int) -> None:
        self.ttl_seconds = ttl_seconds

    # -- what a backend provides -------------------------------------------------------
    @abstractmethod
    def _insert(self, record: Record, payload: bytes, stats: dict[str, float]) -> None: ...

    @abstractmethod
    def _read(self, job_id: str) -> Record | None: ...

    @abstractmethod
    def _update(self, job_id: str, updater: Updater) -> Record | None:
        """Apply `updater` atomically; return the new record, or None if it was left alone."""

    @abstractmethod
    def _page(self, tenant: str, limit: int, before: tuple[float, str] | None) -> list[Record]:
        """Up to `limit` live records of a tenant, newest first, older than `before`."""

    @abstractmethod
    def get_input(self, job_id: str) -> bytes | None: ...

    @abstractmethod
    def delete(self, job_id: str) -> None:
        """Remove a job that was never handed to the queue (its send failed)."""

    @abstractmethod
    def stats(self) -> dict[str, float]: ...

    @abstractmethod
    def watched(self, watch: str, before: float, limit: int) -> list[str]:
        """Up to `limit` ids on a watch list (RUNNING, UNSENT) scored before `before`, oldest first."""

    @abstractmethod
    def forget(self, job_id: str) -> None:
        """Drop an expired job's id from the watch lists."""

    @abstractmethod
    def get_report(self, job_id: str) -> str | None:
        """The job's rendered HTML report, if one was stored."""

    @abstractmethod
    def put_report(self, job_id: str, page: str, expires_at: float) -> None:
        """Keep a job's rendered report until the job itself expires."""

    @abstractmethod
    def get_document(self, key: str) -> dict[str, Any] | None:
        """A JSON document stored beside the jobs (live runs), or None."""

    @abstractmethod
    def update_document(self, key: str, updater: DocumentUpdater) -> dict[str, Any]:
        """Replace a document atomically with `updater(current)`; its TTL restarts."""

    @abstractmethod
    def delete_document(self, key: str) -> None: ...

    @abstractmethod
    def ping(self) -> None:
        """Raise when the store cannot be reached."""

    async def aclose(self) -> None:  # noqa: B027 - a hook: only a backend with asyncio clients has any
        """Close what the store opened for the event loop it is called on (the API's
        shutdown); nothing by default."""

    # -- shared logic ------------------------------------------------------------------
    async def _ainsert(self, record: Record, payload: bytes, stats: dict[str, float]) -> None:
        """`_insert` from the event loop; a backend with an asyncio client overrides this to
        skip the hop to a thread."""
        await asyncio.to_thread(self._insert, record, payload, stats)

    def create(
        self,
        *,
        tenant: str,
        kind: JobKind,
        payload: bytes,
        job_id: str | None = None,
        callback_url: str | None = None,
        outcome: Diagnosis | JobError | None = None,
        started_at: float | None = None,
    ) -> Job:
        """A queued job; or, given its `outcome`, one that ran from `started_at` to now and is
        stored already final, so it is never queued or running (the API's inline diagnoses)."""
        record, stats = self._new_record(tenant, kind, job_id, callback_url, outcome, started_at)
        self._insert(record, payload, stats)
        return _created_job(record, outcome)

    async def create_final(
        self,
        *,
        tenant: str,
        kind: JobKind,
        payload: bytes,
        outcome: Diagnosis | JobError,
        started_at: float,
        job_id: str | None = None,
    ) -> Job:
        """`create` with its `outcome`, from the event loop (the API's inline diagnoses)."""
        record, stats = self._new_record(tenant, kind, job_id, None, outcome, started_at)
        await self._ainsert(record, payload, stats)
        return _created_job(record, outcome)

    def _new_record(
        self,
        tenant: str,
        kind: JobKind,
        job_id: str | None,
        callback_url: str | None,
        outcome: Diagnosis | JobError | None,
        started_at: float | None,
    ) -> tuple[Record, dict[str, float]]:
        """A new job's record and the stats its insert adds."""
        now = _now()
        record: Record = {
            "id": job_id or uuid.uuid4().hex,
            "tenant": tenant,
            "kind": kind.value,
            "status": JobStatus.queued.value,
            "progress": 0.0,
            "stage": "queued",
            "attempts": 0,
            "created_at": now,
            "expires_at": now + self.ttl_seconds,
            "callback_url": callback_url,
            "deliveries": [],
            # The outbox flag: False until the job's task is in the queue (mark_sent). A job
            # whose API died, or whose broker dropped, in between stays on the UNSENT list
            # for a sweeper to send.
            "sent": False,
        }
        stats = {"active:queued": 1.0}
        if outcome is not None:
            to = JobStatus.succeeded if isinstance(outcome, Diagnosis) else JobStatus.failed
            record["created_at"] = record["started_at"] = started_at if started_at is not None else now
            for name, amount in _transition_stats(record, to, now).items():
                stats[name] = stats.get(name, 0.0) + amount
            record.update(
                status=to.value,
                stage="done" if to is JobStatus.succeeded else "failed",
                attempts=1,
                finished_at=now,
                progress=1.0 if to is JobStatus.succeeded else 0.0,
            )
            if isinstance(outcome, Diagnosis):
                record["diagnosis"] = outcome.model_dump(mode="json")
            else:
                record["error"] = outcome.model_dump()
        return record, stats

    def get(self, job_id: str, tenant: str | None = None) -> Job | None:
        """The job, or None when it does not exist or (given a tenant) is someone else's."""
        record = self._read(job_id)
        if record is None or (tenant is not None and record["tenant"] != tenant):
            return None
        return record_to_job(record)

    def owner(self, job_id: str) -> str | None:
        """The tenant a job belongs to (never shown to clients)."""
        record = self._read(job_id)
        return None if record is None else record["tenant"]

    def list(self, tenant: str, limit: int, cursor: str | None = None) -> JobPage:
        before = decode_cursor(cursor) if cursor else None
        records = self._page(tenant, limit + 1, before)
        more = len(records) > limit
        records = records[:limit]
        next_cursor = encode_cursor(records[-1]["created_at"], records[-1]["id"]) if more else None
        return JobPage(items=[record_to_job(r) for r in records], next_cursor=next_cursor)

    def transition(self, job_id: str, to: JobStatus, **changes: Any) -> Job | None:
        """Move a job to `to` if the state machine allows it; None (and no write) otherwise."""
        now = _now()

        def updater(record: Record) -> tuple[Record, dict[str, float]] | None:
            if to not in TRANSITIONS[JobStatus(record["status"])]:
                return None
            fields: Record = {"status": to.value, **changes}
            if to is JobStatus.running:
                fields.update(started_at=now, heartbeat_at=now, attempts=record["attempts"] + 1)
            if to in TERMINAL:
                fields.update(
                    finished_at=now, progress=1.0 if to is JobStatus.succeeded else record["progress"]
                )
            return fields, _transition_stats(record, to, now)

        record = self._update(job_id, updater)
        return None if record is None else record_to_job(record)

    def mark_sent(self, job_id: str) -> None:
        """The job's task is in the queue: off the UNSENT list."""

        def updater(record: Record) -> tuple[Record, dict[str, float]] | None:
            return None if record.get("sent", True) else ({"sent": True}, {})

        self._update(job_id, updater)

    def claim_unsent(self, job_id: str, stored_before: float) -> Job | None:
        """Take a job that is still queued and unsent, stored before `stored_before`, to send
        it now: marked sent in the same atomic step, so of several sweepers (or a client's
        retry) exactly one sends it. None when there is nothing to send."""

        def updater(record: Record) -> tuple[Record, dict[str, float]] | None:
            entry = watch_entry(record)
            if entry is None or entry[0] != UNSENT or entry[1] >= stored_before:
                return None
            return {"sent": True}, {}

        record = self._update(job_id, updater)
        return None if record is None else record_to_job(record)

    def unclaim(self, job_id: str) -> None:
        """A claimed send failed: back on the UNSENT list, for the next sweep."""

        def updater(record: Record) -> tuple[Record, dict[str, float]] | None:
            return ({"sent": False}, {}) if record["status"] == JobStatus.queued else None

        self._update(job_id, updater)

    def heartbeat(self, job_id: str) -> None:
        """The worker running the job is alive."""

        def updater(record: Record) -> tuple[Record, dict[str, float]] | None:
            return ({"heartbeat_at": _now()}, {}) if record["status"] == JobStatus.running else None

        self._update(job_id, updater)

    def requeue_lost(self, job_id: str, beat_before: float) -> Job | None:
        """Hand a running job whose last heartbeat is older than `beat_before` back to the
        queue, unsent (its worker is gone). The worker that picks it up counts the attempt
        and fails the job once CONVDIAG_MAX_ATTEMPTS are used. None when the job beat since."""
        now = _now()

        def updater(record: Record) -> tuple[Record, dict[str, float]] | None:
            entry = watch_entry(record)
            if entry is None or entry[0] != RUNNING or entry[1] >= beat_before:
                return None
            fields: Record = {"status": JobStatus.queued.value, "stage": "requeued", "sent": False}
            return fields, _transition_stats(record, JobStatus.queued, now)

        record = self._update(job_id, updater)
        return None if record is None else record_to_job(record)

    def start(self, job_id: str, worker: str) -> Job | None:
        return self.transition(job_id, JobStatus.running, stage="started", worker=worker)

    def progress(self, job_id: str, progress: float, stage: str) -> None:
        def updater(record: Record) -> tuple[Record, dict[str, float]] | None:
            if JobStatus(record["status"]) is not JobStatus.running:
                return None
            return {"progress": progress, "stage": stage}, {}

        self._update(job_id, updater)

    def succeed(self, job_id: str, diagnosis: Diagnosis) -> Job | None:
        return self.transition(
            job_id, JobStatus.succeeded, stage="done", diagnosis=diagnosis.model_dump(mode="json")
        )

    def fail(self, job_id: str, error: JobError) -> Job | None:
        return self.transition(job_id, JobStatus.failed, stage="failed", error=error.model_dump())

    def record_delivery(self, job_id: str, delivery: dict[str, Any]) -> None:
        """Append a webhook delivery attempt; allowed on final jobs (it is not a status change)."""

        def updater(record: Record) -> tuple[Record, dict[str, float]] | None:
            return {"deliveries": [*record.get("deliveries", []), delivery]}, {}

        self._update(job_id, updater)

    def give_feedback(self, job_id: str, feedback: FeedbackIn) -> Job | None:
        """Store the user's feedback on a diagnosed job, replacing any earlier; None when the
        job has no diagnosis (feedback is about a verdict)."""
        stored = {**feedback.model_dump(mode="json"), "received_at": _now()}

        def updater(record: Record) -> tuple[Record, dict[str, float]] | None:
            if JobStatus(record["status"]) is not JobStatus.succeeded:
                return None
            return {"feedback": stored}, {}

        record = self._update(job_id, updater)
        if record is None:
            return None
        self.update_document(
            FEEDBACK_INDEX, lambda index: _remember_newest(index, job_id, MAX_FEEDBACK_INDEXED)
        )
        return record_to_job(record)

    def feedback_ids(self) -> Sequence[str]:
        """Jobs with feedback, newest first, across tenants: benchmarks/bench_feedback.py reads
        them back as labelled runs. A job leaves when it expires (job_ttl_seconds)."""
        ids: Sequence[str] = (self.get_document(FEEDBACK_INDEX) or {}).get("ids", [])
        return ids

    def cancel(self, job_id: str) -> Job | None:
        return self.transition(job_id, JobStatus.cancelled, stage="cancelled")
