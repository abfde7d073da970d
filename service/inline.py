"""Small histories are diagnosed in the API process, on a bounded pool of threads.

Measured under `make bench-load` (BENCHMARKS.md, *Load*): a 30-epoch history takes about
1.5 ms to diagnose, while sending it through the queue cost the API a Celery publish and the
worker a task's bookkeeping (about a dozen Redis round trips, the prefork pool's hand-off
and acknowledgement), many times the diagnosis itself; the worker fell behind the API and
POST -> finished took seconds. Diagnosed here, the job is stored once, already final: never
queued, never orphaned, finished when the POST is answered.

Bounded twice, so it cannot take the API over: a history whose stored input is larger than
CONVDIAG_INLINE_HISTORY_MAX_BYTES goes to a worker (a diagnosis grows with the epochs: 7 ms
at 1,000 epochs), and so does every history that arrives while the pool already has
QUEUE_PER_THREAD diagnoses per thread running or waiting. Jobs with a callback_url go to a
worker too, which delivers their webhook.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

import anyio
import anyio.to_thread

from convdiag.jobs import JobError
from convdiag.problems import INTERNAL_ERROR, INVALID_HISTORY, ProblemType
from diagnosis import Diagnosis, HistoryError
from diagnosis.engine import diagnose_runs
from diagnosis.formats import read_runs

log = logging.getLogger(__name__)

# Diagnoses running or waiting per thread before more go to the queue: at ~1.5 ms each, the
# last one waits a few tens of milliseconds at most.
QUEUE_PER_THREAD = 16

T = TypeVar("T")


class InlinePool:
    def __init__(self, threads: int, max_input_bytes: int) -> None:
        self.threads = threads
        self.max_input_bytes = max_input_bytes
        self.pending = 0  # only touched on the event loop
        self._limiter: anyio.CapacityLimiter | None = None

    def takes(self, input_bytes: int) -> bool:
        return input_bytes <= self.max_input_bytes and self.pending < self.threads * QUEUE_PER_THREAD

    async def run(self, work: Callable[[], T]) -> T:
        if self._limiter is None:  # made on the event loop that uses it
            self._limiter = anyio.CapacityLimiter(self.threads)
        self.pending += 1
        try:
            return await anyio.to_thread.run_sync(work, limiter=self._limiter)
        finally:
            self.pending -= 1


def _error(kind: ProblemType, detail: str) -> JobError:
    return JobError(type=kind.uri, title=kind.title, detail=detail)


def diagnose_history(payload: bytes) -> Diagnosis | JobError:
    """The outcome a worker would record for this stored input (worker/tasks.py), computed
    from the same bytes."""
    try:
        return diagnose_runs(read_runs(payload))
    except HistoryError as exc:
        return _error(INVALID_HISTORY, str(exc))
    except Exception:
        log.exception("an inline history diagnosis crashed")
        return _error(INTERNAL_ERROR, "the job failed unexpectedly; the error is logged")
