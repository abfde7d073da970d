"""The catalogue of problem types (RFC 9457): one stable `type` per kind of error.

The HTTP layer answers with them as application/problem+json and documents each route's
in OpenAPI; the worker puts the same types on a failed job's `error`, so a client handles
"the history cannot be read" the same way whether it was caught before or after queueing.
"""

from __future__ import annotations

from dataclasses import dataclass

URI_PREFIX = "urn:convdiag:problem:"


@dataclass(frozen=True)
class ProblemType:
    slug: str
    title: str
    status: int

    @property
    def uri(self) -> str:
        return URI_PREFIX + self.slug


INVALID_HISTORY = ProblemType("invalid-history", "The training history cannot be read", 422)
INVALID_BUNDLE = ProblemType("invalid-bundle", "The bundle cannot be used", 422)
IDEMPOTENCY_CONFLICT = ProblemType(
    "idempotency-conflict", "The Idempotency-Key was already used with a different request", 422
)
INVALID_CALLBACK = ProblemType("invalid-callback-url", "The callback_url cannot be used", 422)
INVALID_REQUEST = ProblemType("invalid-request", "The request parameters are invalid", 422)
UNSUPPORTED_MEDIA_TYPE = ProblemType("unsupported-media-type", "Unsupported content type", 415)
PAYLOAD_TOO_LARGE = ProblemType("payload-too-large", "The request body is too large", 413)
BODY_TIMEOUT = ProblemType("body-timeout", "The request body stopped arriving", 408)
# The client went away before sending the body it announced; logged, never seen by anyone.
INCOMPLETE_BODY = ProblemType("incomplete-body", "The request body ended early", 400)
UNAUTHORIZED = ProblemType("unauthorized", "A valid API key is required", 401)
JOB_NOT_FOUND = ProblemType("job-not-found", "No such job", 404)
NOT_FOUND = ProblemType("not-found", "No such resource", 404)
METHOD_NOT_ALLOWED = ProblemType("method-not-allowed", "Method not allowed", 405)
RUN_NOT_FOUND = ProblemType("run-not-found", "No such live run", 404)
RUN_CONFLICT = ProblemType("run-conflict", "The request contradicts the run's recorded epochs", 409)
JOB_NOT_DONE = ProblemType("job-not-done", "The job has no diagnosis yet", 409)
JOB_FINISHED = ProblemType("job-finished", "The job has already finished", 409)
RATE_LIMITED = ProblemType("rate-limited", "Too many requests for this API key", 429)
UNAVAILABLE = ProblemType("unavailable", "A backing service is unavailable; retry later", 503)
INTERNAL_ERROR = ProblemType("internal-error", "Internal error", 500)
# Only ever on a failed job, never as an HTTP answer.
TIMED_OUT = ProblemType("timed-out", "The job ran past its time limit", 500)
WORKER_LOST = ProblemType("worker-lost", "The worker running the job was lost too many times", 500)
# A bundle's sandbox went past one of its limits; the detail names which (memory, CPU time...).
LIMIT_EXCEEDED = ProblemType("limit-exceeded", "The bundle exceeded a resource limit", 422)
# The worker cannot build the bundle sandbox, so it refuses to probe rather than run unprotected.
SANDBOX_UNAVAILABLE = ProblemType("sandbox-unavailable", "Bundles cannot be probed safely here", 503)
