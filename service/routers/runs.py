"""Live runs: stream epochs as training goes, read the diagnosis so far.

A stock `keras.callbacks.RemoteMonitor(root=URL, path="/v1/runs/<id>/epochs")` works as is:
it posts a form field `data` holding `{"epoch": i, **logs}` (or that JSON as the body with
`send_as_json=True`). Diagnosing is numpy-only and takes milliseconds, so it runs here, once
per append, rather than through the queue; reads return the stored diagnosis.
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from fastapi.sse import EventSourceResponse, ServerSentEvent
from pydantic import BaseModel, Field

from convdiag.problems import (
    INVALID_HISTORY,
    INVALID_REQUEST,
    PAYLOAD_TOO_LARGE,
    RUN_CONFLICT,
    RUN_NOT_FOUND,
    UNAUTHORIZED,
    UNAVAILABLE,
    UNSUPPORTED_MEDIA_TYPE,
)
from convdiag.report.html import render_html
from convdiag.runs import (
    EPOCH_KEY,
    LiveRun,
    LiveRunPage,
    RunConflict,
    append_epochs,
    create_run,
    get_run,
    get_run_curves,
    list_runs,
)
from diagnosis import HistoryError, RunMetadata
from diagnosis.history import loads_json, parse_metadata
from service.deps import PageCursor, PageLimit, SettingsDep, StoreDep, TenantDep
from service.errors import ProblemError, problem_responses
from service.submission import check_metric_names

router = APIRouter(prefix="/v1/runs", tags=["runs"])

# One report render at a time per API process (matplotlib takes a core for up to a couple of
# seconds); a live run's page is drawn afresh on each request, as its epochs keep coming.
_RENDERING = threading.Lock()

# RemoteMonitor's default form field.
FORM_FIELD = "data"


class NewRun(BaseModel):
    id: str | None = Field(
        default=None, description="Your own id (letters, digits, _ . -); generated if absent."
    )
    metadata: dict[str, Any] = Field(default_factory=dict, description="As for POST /v1/histories.")


_EPOCHS_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "oneOf": [
                    {"type": "object", "description": "One epoch: {'epoch': 3, 'loss': 0.41, ...}"},
                    {"type": "array", "items": {"type": "object"}, "description": "Several epochs in order."},
                ]
            }
        },
        "application/x-www-form-urlencoded": {
            "schema": {
                "type": "object",
                "properties": {
                    FORM_FIELD: {"type": "string", "description": "One epoch as JSON (RemoteMonitor)."}
                },
            }
        },
    },
}


async def _read_epochs(request: Request) -> list[dict[str, Any]]:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type in {"application/x-www-form-urlencoded", "multipart/form-data"}:
        form = await request.form()
        field = form.get(FORM_FIELD)
        if not isinstance(field, str):
            raise HistoryError(f"the form needs a '{FORM_FIELD}' field holding the epoch as JSON")
        document = loads_json(field)
    elif media_type == "application/json" or media_type.endswith("+json"):
        document = loads_json(await request.body())
    else:
        raise ProblemError(UNSUPPORTED_MEDIA_TYPE, "send application/json or a form with a 'data' field")
    epochs = document if isinstance(document, list) else [document]
    objects = [epoch for epoch in epochs if isinstance(epoch, dict)]
    if len(objects) != len(epochs):
        raise HistoryError("each epoch must be a JSON object of metric name to value")
    return objects


# RemoteMonitor's path is the only thing a stock callback lets you set: the run's metadata
# rides on it as query parameters (`.../epochs?task=binary&learning_rate=0.001`), read when
# the first epoch creates the run. A list (hidden_units) is comma-separated.
_METADATA_PARAMETERS = [
    {
        "name": name,
        "in": "query",
        "required": False,
        "schema": {"type": "string"},
        "description": field.description or f"Run metadata: {name}.",
    }
    for name, field in RunMetadata.model_fields.items()
]


def _query_metadata(request: Request) -> dict[str, Any]:
    metadata: dict[str, Any] = {}
    for name, value in request.query_params.items():
        if name not in RunMetadata.model_fields:
            raise HistoryError(f"unknown query parameter {name!r}: the run metadata fields are accepted")
        metadata[name] = value.split(",") if name == "hidden_units" else value
    # A JSON body cannot carry inf or nan; a query string can, and the run must stay JSON.
    for name, value in parse_metadata(metadata).model_dump(exclude_none=True).items():
        if isinstance(value, float) and not math.isfinite(value):
            raise HistoryError(f"invalid metadata field {name!r}: must be a finite number")
    return metadata


def _problem(exc: Exception) -> ProblemError:
    kind = RUN_CONFLICT if isinstance(exc, RunConflict) else INVALID_HISTORY
    return ProblemError(kind, str(exc))


@router.post(
    "",
    status_code=201,
    response_model=LiveRun,
    summary="Start a live run",
    responses=problem_responses(INVALID_HISTORY, INVALID_REQUEST, RUN_CONFLICT, UNAUTHORIZED, UNAVAILABLE),
)
def post_run(body: NewRun, response: Response, store: StoreDep, tenant: TenantDep) -> LiveRun:
    """Optional: posting epochs to an unknown run id creates the run too."""
    try:
        run = create_run(store, tenant, body.id, body.metadata)
    except (HistoryError, RunConflict) as exc:
        raise _problem(exc) from None
    response.headers["Location"] = f"/v1/runs/{run.id}"
    return run


@router.get(
    "",
    response_model=LiveRunPage,
    summary="List your live runs, newest first",
    responses=problem_responses(INVALID_REQUEST, UNAUTHORIZED, UNAVAILABLE),
)
def list_own_runs(
    store: StoreDep,
    tenant: TenantDep,
    limit: PageLimit = 20,
    cursor: PageCursor = None,
) -> LiveRunPage:
    """Each run with its verdict's status and headline; GET /v1/runs/{run_id} has the whole
    diagnosis. Runs are listed by creation, the newest hundred at most (older ones can still
    be read by id until they expire)."""
    try:
        return list_runs(store, tenant, limit, cursor)
    except ValueError as exc:
        raise ProblemError(INVALID_REQUEST, f"cursor: {exc}") from None


@router.post(
    "/{run_id}/epochs",
    response_model=LiveRun,
    summary="Append epochs to a live run",
    openapi_extra={"requestBody": _EPOCHS_BODY, "parameters": _METADATA_PARAMETERS},
    responses=problem_responses(
        INVALID_HISTORY,
        INVALID_REQUEST,
        RUN_CONFLICT,
        UNSUPPORTED_MEDIA_TYPE,
        PAYLOAD_TOO_LARGE,
        UNAUTHORIZED,
        UNAVAILABLE,
    ),
)
async def post_epochs(
    run_id: str, request: Request, store: StoreDep, tenant: TenantDep, settings: SettingsDep
) -> LiveRun:
    """Epochs carry their index as `epoch` (0-based, as Keras logs it) or are appended in
    order. Re-sending an epoch with the same values is harmless; with other values it is a
    409 (a new training needs a new run id). Query parameters are the run's metadata, as
    RemoteMonitor can only set the path: taken when the first epoch creates the run, a 409
    if they contradict what the run was started with. Answers with the run and its diagnosis
    so far."""
    try:
        metadata = _query_metadata(request)
        epochs = await _read_epochs(request)
        for epoch in epochs:
            check_metric_names([name for name in epoch if name != EPOCH_KEY], settings)
        return await run_in_threadpool(append_epochs, store, tenant, run_id, epochs, metadata)
    except (HistoryError, RunConflict) as exc:
        raise _problem(exc) from None


def own_run(run_id: str, store: StoreDep, tenant: TenantDep) -> LiveRun:
    """The caller's live run; anyone else's is indistinguishable from a missing one (404)."""
    run = get_run(store, tenant, run_id)
    if run is None:
        raise ProblemError(RUN_NOT_FOUND, f"no run {run_id}")
    return run


OwnRunDep = Annotated[LiveRun, Depends(own_run)]


@router.get(
    "/{run_id}",
    response_model=LiveRun,
    summary="A live run and its diagnosis so far",
    responses=problem_responses(RUN_NOT_FOUND, INVALID_REQUEST, UNAUTHORIZED, UNAVAILABLE),
)
def read_run(run: OwnRunDep) -> LiveRun:
    return run


@router.get(
    "/{run_id}/report",
    response_class=HTMLResponse,
    summary="A live run's report so far, as a self-contained HTML page",
    responses={
        200: {"content": {"text/html": {}}, "description": "Curves with findings marked, the verdict."},
        **problem_responses(RUN_NOT_FOUND, RUN_CONFLICT, INVALID_REQUEST, UNAUTHORIZED, UNAVAILABLE),
    },
)
def run_report(run_id: str, store: StoreDep, tenant: TenantDep) -> HTMLResponse:
    found = get_run_curves(store, tenant, run_id)
    if found is None:
        raise ProblemError(RUN_NOT_FOUND, f"no run {run_id}")
    run, curves = found
    if run.diagnosis is None:
        raise ProblemError(RUN_CONFLICT, f"run {run_id} has no epochs yet; a report needs one")
    with _RENDERING:
        page = render_html(run.diagnosis, curves, title=f"convdiag live run {run_id} ({run.epochs} epochs)")
    return HTMLResponse(page)


# How often a run's event stream looks for new epochs.
EVENTS_POLL_SECONDS = 0.5


@router.get(
    "/{run_id}/events",
    response_class=EventSourceResponse,
    summary="Server-Sent Events: the run and its diagnosis each time epochs arrive",
    responses=problem_responses(RUN_NOT_FOUND, INVALID_REQUEST, UNAUTHORIZED, UNAVAILABLE),
)
async def run_events(
    first: OwnRunDep, store: StoreDep, tenant: TenantDep, settings: SettingsDep
) -> AsyncIterator[ServerSentEvent]:
    """An `epoch` event with the run (as GET /v1/runs/{run_id}) now and whenever it changes.
    The stream ends after `run_events_idle_seconds` without a change (an EventSource reconnects).
    The run is looked up by the dependency, before the stream starts: a missing one is a 404,
    never an error raised after a 200 has been sent."""
    run: LiveRun | None = first
    run_id = first.id
    while run is not None:
        yield ServerSentEvent(event="epoch", data=run.model_dump(mode="json"))
        last = run.updated_at
        idle_until = time.monotonic() + settings.run_events_idle_seconds
        while run is not None and run.updated_at == last:
            if time.monotonic() > idle_until:
                return
            await asyncio.sleep(EVENTS_POLL_SECONDS)
            run = await run_in_threadpool(get_run, store, tenant, run_id)  # None: expired
