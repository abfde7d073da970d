"""POST /v1/histories: accept a training history, queue its diagnosis."""

from __future__ import annotations

import hashlib
import json
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from starlette.datastructures import UploadFile

from convdiag.jobs import Job, JobKind
from convdiag.problems import (
    IDEMPOTENCY_CONFLICT,
    INVALID_CALLBACK,
    INVALID_HISTORY,
    INVALID_REQUEST,
    PAYLOAD_TOO_LARGE,
    UNAUTHORIZED,
    UNAVAILABLE,
    UNSUPPORTED_MEDIA_TYPE,
)
from diagnosis import HistoryError, load_history
from diagnosis.history import TrainingHistory, history_from_json, loads_json
from service.deps import CallbackDep, IdempotencyKeyDep, QueueDep, SettingsDep, StoreDep, TenantDep
from service.errors import ProblemError, problem_responses
from service.routers.jobs import MAX_WAIT, accepted, create_job

router = APIRouter(prefix="/v1", tags=["histories"])

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
_REQUEST_BODY = {
    "required": True,
    "content": {
        "application/json": {"schema": _HISTORY_SCHEMA},
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {
                    "file": {"type": "string", "format": "binary", "description": "A history file."},
                    "metadata": {"type": "string", "description": "Optional metadata as a JSON object."},
                },
            }
        },
    },
}


async def _read_history(request: Request) -> TrainingHistory:
    """Parse the body into a history, or raise the problem that says what is wrong."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        if media_type == "application/json" or media_type.endswith("+json"):
            return load_history(await request.body())
        if media_type == "multipart/form-data":
            form = await request.form()
            upload = form.get("file")
            if not isinstance(upload, UploadFile):
                raise HistoryError("the multipart body needs a 'file' part holding the history")
            document = loads_json(await upload.read())
            metadata = form.get("metadata")
            if isinstance(metadata, str) and isinstance(document, dict):
                meta = loads_json(metadata)
                document = {"history": document.get("history", document), "metadata": meta}
            return history_from_json(document)
    except HistoryError as exc:
        raise ProblemError(INVALID_HISTORY, str(exc)) from None
    raise ProblemError(
        UNSUPPORTED_MEDIA_TYPE,
        f"send application/json or multipart/form-data, not {media_type or 'no content type'!r}",
    )


@router.post(
    "/histories",
    status_code=202,
    response_model=Job,
    summary="Diagnose a training history",
    openapi_extra={"requestBody": _REQUEST_BODY},
    responses={
        200: {"model": Job, "description": "Finished within `wait` seconds."},
        **problem_responses(
            INVALID_HISTORY,
            INVALID_REQUEST,
            IDEMPOTENCY_CONFLICT,
            INVALID_CALLBACK,
            UNSUPPORTED_MEDIA_TYPE,
            PAYLOAD_TOO_LARGE,
            UNAUTHORIZED,
            UNAVAILABLE,
        ),
    },
)
async def post_history(
    request: Request,
    response: Response,
    store: StoreDep,
    queue: QueueDep,
    tenant: TenantDep,
    settings: SettingsDep,
    idempotency_key: IdempotencyKeyDep = None,
    callback_url: CallbackDep = None,
    wait: Annotated[
        float, Query(ge=0, le=MAX_WAIT, description="Seconds to wait for the diagnosis before answering 202.")
    ] = 0,
) -> Job:
    """Accepts a Keras `History.history` as JSON (plain or `{"history": ..., "metadata": ...}`)
    or as an uploaded file, and answers `202` with the job and its `Location`. With `wait`,
    answers `200` with the finished job if it completes in time."""
    history = await _read_history(request)
    payload = json.dumps(history.to_json()).encode()
    job, _ = await create_job(
        store,
        queue,
        tenant,
        JobKind.history,
        payload,
        fingerprint=hashlib.sha256(payload).hexdigest(),
        idempotency_key=idempotency_key,
        callback_url=callback_url,
    )
    return await accepted(store, job, response, wait, settings.max_wait_seconds)
