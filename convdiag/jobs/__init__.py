"""Job records: the model clients see and the store both backends implement."""

from __future__ import annotations

from convdiag.jobs.models import Feedback, FeedbackIn, Job, JobError, JobKind, JobPage, JobStatus
from convdiag.jobs.store import DURATION_BUCKETS, JobStore
from convdiag.settings import Settings

__all__ = [
    "DURATION_BUCKETS",
    "Feedback",
    "FeedbackIn",
    "Job",
    "JobError",
    "JobKind",
    "JobPage",
    "JobStatus",
    "JobStore",
    "open_store",
]


def open_store(settings: Settings, outage_seconds: float = 0) -> JobStore:
    """The store the settings ask for: Redis when configured, else SQLite under data_dir.
    On Redis, a command waits up to `outage_seconds` for an unreachable server to return."""
    if settings.redis_url:
        from convdiag.jobs.redis_store import RedisJobStore

        return RedisJobStore.from_url(settings.redis_url, settings.job_ttl_seconds, outage_seconds)
    from convdiag.jobs.sqlite_store import SqliteJobStore

    return SqliteJobStore(settings.jobs_db_path, settings.job_ttl_seconds)
