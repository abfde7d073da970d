"""Probes for the orchestrator and metrics for Prometheus."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import APIRouter, Request, Response
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.registry import Collector
from pydantic import BaseModel

from convdiag.jobs import DURATION_BUCKETS, JobStatus, JobStore
from convdiag.problems import UNAVAILABLE
from service.deps import QueueDep, StoreDep
from service.errors import RETRY_AFTER_SECONDS, problem_response, problem_responses
from service.queue import JobQueue

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str
    checks: dict[str, str] = {}


@router.get("/livez", response_model=Health, summary="The process is up")
def livez() -> Health:
    return Health(status="ok")


@router.get(
    "/readyz",
    response_model=Health,
    summary="The broker and the job store answer",
    responses=problem_responses(UNAVAILABLE),
)
def readyz(request: Request, store: StoreDep, queue: QueueDep) -> Response | Health:
    checks: dict[str, str] = {}
    for name, ping in (("job_store", store.ping), ("broker", queue.ping)):
        try:
            ping()
            checks[name] = "ok"
        except Exception as exc:
            checks[name] = f"{type(exc).__name__}: {exc}"
    failing = {name: state for name, state in checks.items() if state != "ok"}
    if failing:
        detail = "; ".join(f"{name}: {state}" for name, state in failing.items())
        return problem_response(UNAVAILABLE, detail, request, {"Retry-After": str(RETRY_AFTER_SECONDS)})
    return Health(status="ok", checks=checks)


class JobsCollector(Collector):
    """Reads job counts and durations from the shared store at scrape time, so every API
    replica reports the same numbers, including what the workers recorded."""

    def __init__(self, store: JobStore, queue: JobQueue) -> None:
        self.store = store
        self.queue = queue

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily | HistogramMetricFamily]:
        stats = self.store.stats()
        active = GaugeMetricFamily("convdiag_jobs_active", "Jobs queued or running now", labels=["status"])
        finished = CounterMetricFamily(
            "convdiag_jobs_finished", "Jobs that reached a final status", labels=["status"]
        )
        for status in JobStatus:
            if status.terminal:
                finished.add_metric([status.value], stats.get(f"finished:{status}", 0.0))
            else:
                active.add_metric([status.value], max(0.0, stats.get(f"active:{status}", 0.0)))
        durations = HistogramMetricFamily(
            "convdiag_job_duration_seconds", "From acceptance to a final status"
        )
        buckets = [(str(b), stats.get(f"duration:le:{b}", 0.0)) for b in DURATION_BUCKETS]
        count = stats.get("duration:count", 0.0)
        durations.add_metric([], [*buckets, ("+Inf", count)], stats.get("duration:sum", 0.0))
        depth = GaugeMetricFamily("convdiag_queue_depth", "Messages waiting in each queue", labels=["queue"])
        for queue, waiting in self.queue.depth().items():
            depth.add_metric([queue], waiting)
        yield from (active, finished, durations, depth)


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
def metrics(request: Request) -> Response:
    return Response(generate_latest(request.app.state.metrics), media_type="text/plain; version=0.0.4")


def metrics_registry(store: JobStore, queue: JobQueue) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(JobsCollector(store, queue))
    return registry
