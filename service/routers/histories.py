"""POST /v1/histories: accept a training history, queue its diagnosis."""

from __future__ import annotations

import hashlib

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from convdiag.jobs import Job, JobKind
from convdiag.problems import (
    INVALID_HISTORY,
    UNSUPPORTED_MEDIA_TYPE,
)
from diagnosis import HistoryError
from diagnosis.formats import dump_runs, load_runs
from diagnosis.history import TrainingHistory, loads_json, with_metadata
from diagnosis.quoting import quote
from service.errors import ProblemError
from service.inline import diagnose_history
from service.submission import SubmissionDep, check_metric_names, submission_responses

router = APIRouter(prefix="/v1", tags=["histories"])

# The content decides the format (diagnosis.formats); the media type says which bodies are
# worth reading and stands in for a file name, so an error names the format the client meant.
# A console log is what the readers fall back to, and an event file is known by its content.
# The x- names are what some browsers and tools send for the same files.
MEDIA_TYPE_HINTS = {
    "application/json": "history.json",
    "text/csv": "history.csv",
    "text/plain": None,
    "application/octet-stream": None,
    "application/zip": "logs.zip",
    "application/x-zip-compressed": "logs.zip",
    "application/gzip": "logs.tar.gz",
    "application/x-gzip": "logs.tar.gz",
}
# An archive may unpack to this many times the body limit, and no more.
UNPACK_FACTOR = 10
# A body up to this size is parsed on the event loop: a 2.5 KB history takes 0.2 ms, less than
# the hop to a pool thread and back (BENCHMARKS.md, *Load*); bigger ones go to a thread.
PARSE_ON_LOOP_BYTES = 8 * 1024

_HISTORY_SCHEMA = {
    "type": "object",
    "required": ["history"],
    "properties": {
        "history": {
            "type": "object",
            "description": "Keras `History.history`: metric name -> one value per epoch (null for NaN).",
            "additionalProperties": {"type": "array", "items": {"type": ["number", "null"]}},
            "example": {"loss": [0.9, 0.6, 0.5], "val_loss": [0.95, 0.7, 0.66]},
        },
        "metadata": {
            "type": "object",
            "description": "Optional: task, num_classes, optimizer, learning_rate, batch_size, "
            "num_samples, param_count.",
        },
    },
}
_RUNS_SCHEMA = {
    "type": "object",
    "required": ["runs"],
    "properties": {"runs": {"type": "array", "items": _HISTORY_SCHEMA, "description": "Oldest first."}},
}
_BINARY = {"schema": {"type": "string", "format": "binary"}}
_REQUEST_BODY = {
    "required": True,
    "description": "A training history in any form Keras leaves behind; the content decides which "
    "(the media type and a multipart file name are hints), so a file can be sent as it is:\n\n"
    "- `application/json`: `History.history` as JSON, plain or `{history, metadata}`, or several runs "
    "as `{runs: [...]}`;\n"
    "- `text/csv`: a `keras.callbacks.CSVLogger` file (`epoch,...` header, any separator; "
    "`nan`/`inf` cells are data, `NA` is a missing value);\n"
    "- `text/plain`: what `model.fit(verbose=1|2)` printed, Keras 2 or 3, noise and progress-bar "
    "redraws included;\n"
    "- `application/octet-stream`: one TensorBoard event file (`events.out.tfevents.*`);\n"
    "- `application/zip`, `application/gzip` (a tar.gz): a TensorBoard log directory as "
    "`keras.callbacks.TensorBoard` writes it (`train/`, `validation/`; several run directories "
    "are several runs);\n"
    "- `multipart/form-data`: any of these as the `file` part, with optional `metadata`.\n\n"
    "An input holding several runs (a log of several `fit` calls) is diagnosed run by run: the "
    "last run on top, the earlier ones under `runs`.",
    "content": {
        "application/json": {"schema": {"oneOf": [_HISTORY_SCHEMA, _RUNS_SCHEMA]}},
        "text/csv": {
            "schema": {"type": "string"},
            "example": "epoch,loss,val_loss\n0,0.9,0.95\n1,0.6,0.7\n2,0.5,0.66\n",
        },
        "text/plain": {
            "schema": {"type": "string"},
            "example": "Epoch 1/2\n32/32 - 1s - 12ms/step - loss: 0.9000 - val_loss: 0.9500\n"
            "Epoch 2/2\n32/32 - 0s - 9ms/step - loss: 0.6000 - val_loss: 0.7000\n",
        },
        "application/octet-stream": _BINARY,
        "application/zip": _BINARY,
        "application/gzip": _BINARY,
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {
                    "file": {
                        "type": "string",
                        "format": "binary",
                        "description": "A history file of any of the formats above; its name is a hint.",
                    },
                    "metadata": {
                        "type": "string",
                        "description": "Optional metadata as a JSON object, applied to every run.",
                    },
                },
            }
        },
    },
}


def _with_form_metadata(runs: list[TrainingHistory], raw: str) -> list[TrainingHistory]:
    extra = loads_json(raw)
    if not isinstance(extra, dict):
        raise HistoryError("'metadata' must be a JSON object")
    return with_metadata(runs, extra)


async def _read_runs(request: Request, max_unpacked_bytes: int) -> list[TrainingHistory]:
    """Parse the body into runs, or raise the problem that says what is wrong."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type.endswith("+json"):
        media_type = "application/json"
    if media_type not in MEDIA_TYPE_HINTS and media_type != "multipart/form-data":
        accepted_types = ", ".join([*MEDIA_TYPE_HINTS, "multipart/form-data"])
        sent = quote(media_type) if media_type else "no content type"
        raise ProblemError(UNSUPPORTED_MEDIA_TYPE, f"send one of {accepted_types}; not {sent}")
    try:
        if media_type != "multipart/form-data":
            data, hint = await request.body(), MEDIA_TYPE_HINTS[media_type]
            if len(data) <= PARSE_ON_LOOP_BYTES:
                return load_runs(data, hint, max_unpacked_bytes=max_unpacked_bytes)
            # Parsing a 10 MB log takes a while: off the event loop.
            return await run_in_threadpool(load_runs, data, hint, max_unpacked_bytes=max_unpacked_bytes)
        form = await request.form()
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise HistoryError("the multipart body needs a 'file' part holding the history")
        data = await upload.read()
        hint = upload.filename or MEDIA_TYPE_HINTS.get(upload.content_type or "")
        runs = await run_in_threadpool(load_runs, data, hint, max_unpacked_bytes=max_unpacked_bytes)
        metadata = form.get("metadata")
        return _with_form_metadata(runs, metadata) if isinstance(metadata, str) else runs
    except HistoryError as exc:
        raise ProblemError(INVALID_HISTORY, str(exc)) from None


@router.post(
    "/histories",
    status_code=202,
    response_model=Job,
    summary="Diagnose a training history",
    openapi_extra={"requestBody": _REQUEST_BODY},
    responses=submission_responses(INVALID_HISTORY),
)
async def post_history(request: Request, response: Response, submit: SubmissionDep) -> Job:
    """Accepts a training history as Keras History JSON, a CSVLogger file, `model.fit` console
    output or TensorBoard event files (see the request body), as the body or an uploaded file,
    and answers `202` with the job and its `Location`. With `wait`, answers `200` with the
    finished job if it completes in time. A small history (up to 64 KiB as stored, without a
    `callback_url`) is usually diagnosed before the answer, so its job comes back finished."""
    runs = await _read_runs(request, UNPACK_FACTOR * submit.settings.max_body_bytes)
    for run in runs:
        check_metric_names(run.metrics.keys(), submit.settings)
    payload = dump_runs(runs)
    job, _ = await submit.create(
        JobKind.history, payload, fingerprint=hashlib.sha256(payload).hexdigest(), run_now=diagnose_history
    )
    return await submit.answer(job, response)
