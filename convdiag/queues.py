"""The queue contract that the API, the worker and the CLI share: task and queue names, and the
Celery app configured the way a production queue needs it (the API builds one to send tasks by
name; only a worker process imports `worker.tasks`, through `include`). Nothing here imports
the engine or TensorFlow.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    # Only annotations: `convdiag diagnose` imports QUEUES, and the settings machinery
    # (pydantic-settings, ~0.15 s) has no part in reading a local file.
    from celery import Celery

    from convdiag.settings import Settings

HISTORY_TASK = "convdiag.diagnose_history"
BUNDLE_TASK = "convdiag.probe_bundle"
WEBHOOK_TASK = "convdiag.deliver_webhook"
LIGHT_QUEUE = "light"
SQLITE_BUSY_SECONDS = 30
PROBES_QUEUE = "probes"
# Deliveries wait on other people's servers; on a queue of their own, a slow receiver holds
# a webhook worker, never the workers that diagnose.
WEBHOOKS_QUEUE = "webhooks"
QUEUES = (LIGHT_QUEUE, PROBES_QUEUE, WEBHOOKS_QUEUE)
# The task that runs a job of each kind (JobKind's values).
TASKS = {"history": HISTORY_TASK, "bundle": BUNDLE_TASK}


def send_job(celery: Celery, kind: str, job_id: str) -> None:
    """Queue a job's task. The task id is the job id, so broker messages and worker logs name
    the job. The API sends; so does a worker's sweeper, for jobs the API stored but never sent."""
    celery.send_task(TASKS[kind], args=[job_id], task_id=job_id)


def prepare_sqlite_broker(settings: Settings) -> None:
    """Put the embedded broker's SQLite file in WAL mode before the API and the worker share
    it: WAL lets the worker poll while the API inserts, where SQLite's default journal makes
    them wait on each other. The mode is stored in the file, so this runs once, at `serve`."""
    import sqlite3  # here, not at the top: `convdiag diagnose` imports QUEUES, not the broker

    path = Path(settings.broker_url.removeprefix("sqla+sqlite:///"))
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA journal_mode=WAL")


def make_celery(settings: Settings) -> Celery:
    # Imported here: the CLI reads the queue names above in a client-only install, without Celery.
    from celery import Celery

    app = Celery("convdiag", broker=settings.broker_url, include=["worker.tasks", "worker.liveness"])
    app.conf.update(
        # A task is acknowledged only once it finished, and handed back to the queue if the
        # process running it dies, so a lost worker never loses a job.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        # When the broker connection drops mid-task, let the task finish and record its
        # outcome. Cancelling it (Celery's choice for RabbitMQ, which redelivers at once) helps
        # nothing on Redis: the unacknowledged message comes back only after the visibility
        # timeout (an hour), so a cancelled job sat "running" that long and then ran again
        # (tests/test_reliability.py). A finished job is final, so a later redelivery is a no-op.
        worker_cancel_long_running_tasks_on_connection_loss=False,
        task_soft_time_limit=settings.task_soft_time_limit,
        task_time_limit=settings.task_time_limit,
        # Redis re-delivers an unacknowledged message after this long; it must be longer
        # than the hard limit or a slow task would run twice at once. (The SQLite broker
        # hands its transport options to SQLAlchemy's create_engine, which rejects this.)
        broker_transport_options=(
            # A brief lock on the shared SQLite file becomes a short wait, not a connection
            # error that Celery answers with seconds of reconnect backoff.
            {"connect_args": {"timeout": SQLITE_BUSY_SECONDS}}
            if settings.embedded
            else {"visibility_timeout": settings.broker_visibility_timeout}
        ),
        # Wait for the broker however long it is away, at startup and after a loss; Celery's
        # default gives up after 100 tries (about 45 minutes) and the worker exits for good.
        broker_connection_retry_on_startup=True,
        broker_connection_retry=True,
        broker_connection_max_retries=None,
        task_serializer="json",
        accept_content=["json"],
        result_serializer="json",
        # Job state lives in our job store; Celery's result backend is not used.
        task_ignore_result=True,
        task_default_queue=LIGHT_QUEUE,
        task_routes={
            HISTORY_TASK: {"queue": LIGHT_QUEUE},
            BUNDLE_TASK: {"queue": PROBES_QUEUE},
            WEBHOOK_TASK: {"queue": WEBHOOKS_QUEUE},
        },
        # TensorFlow keeps memory it has touched; a worker process that grew past the cap is
        # replaced once its task ends, so one huge bundle cannot starve the ones after it.
        worker_max_memory_per_child=settings.probe_max_memory_mb * 1024,
        # Fail a send quickly when the broker is away, so the API can answer 503 at once.
        task_publish_retry_policy={
            "max_retries": 2,
            "interval_start": 0,
            "interval_step": 0.2,
            "interval_max": 0.5,
        },
        worker_hijack_root_logger=False,
    )
    return app
