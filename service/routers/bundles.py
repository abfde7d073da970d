"""POST /v1/bundles: accept a model and its data for probing.

The API never unpacks a bundle or loads its model: an uploaded model is untrusted code and
TensorFlow has no place in this process. It streams the upload to the shared bundle
directory (fsynced before the 202, so an accepted bundle survives a crash), checks that
it is a zip at all, and queues it on the `probes` queue.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from pathlib import Path

from fastapi import APIRouter, Request, Response
from starlette.datastructures import UploadFile

from convdiag.jobs import Job, JobKind
from convdiag.problems import (
    INVALID_BUNDLE,
    UNSUPPORTED_MEDIA_TYPE,
)
from diagnosis.quoting import quote
from service.errors import ProblemError
from service.submission import SubmissionDep, submission_responses

router = APIRouter(prefix="/v1", tags=["bundles"])

ZIP_MAGIC = b"PK\x03\x04"
CHUNK = 1 << 20
# Multipart parts that are not files (none are expected) stay small.
MAX_FORM_FIELD = 64 * 1024

_REQUEST_BODY = {
    "required": True,
    "description": "A zip holding model.keras (or a legacy model.h5), data.npz (x_train, y_train, "
    "optional x_val, y_val; no pickled objects) and an optional training.json "
    "(batch_size, epochs, optimizer, learning_rate, loss).",
    "content": {
        "application/zip": {"schema": {"type": "string", "format": "binary"}},
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["bundle"],
                "properties": {"bundle": {"type": "string", "format": "binary"}},
            }
        },
    },
}


class _Sink:
    """A bundle file being written: counts, hashes, and is removed unless kept."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.name = f"{uuid.uuid4().hex}.zip"
        self.path = directory / self.name
        self.handle = self.path.open("wb")
        self.sha256 = hashlib.sha256()
        self.size = 0
        self.head = b""

    def write(self, chunk: bytes) -> None:
        if len(self.head) < len(ZIP_MAGIC):
            self.head += chunk[: len(ZIP_MAGIC)]
        self.sha256.update(chunk)
        self.size += len(chunk)
        self.handle.write(chunk)

    def close(self) -> None:
        self.handle.flush()
        os.fsync(self.handle.fileno())
        self.handle.close()

    def discard(self) -> None:
        self.handle.close()
        self.path.unlink(missing_ok=True)


async def _receive(request: Request, sink: _Sink) -> None:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type in {"application/zip", "application/x-zip-compressed", "application/octet-stream"}:
        async for chunk in request.stream():
            sink.write(chunk)
        return
    if media_type == "multipart/form-data":
        form = await request.form(max_files=1, max_fields=4, max_part_size=MAX_FORM_FIELD)
        upload = form.get("bundle") or form.get("file")
        if not isinstance(upload, UploadFile):
            raise ProblemError(INVALID_BUNDLE, "the multipart body needs a 'bundle' file part")
        while chunk := await upload.read(CHUNK):
            sink.write(chunk)
        return
    raise ProblemError(
        UNSUPPORTED_MEDIA_TYPE,
        f"send application/zip or multipart/form-data, not {quote(media_type) if media_type else 'nothing'}",
    )


@router.post(
    "/bundles",
    status_code=202,
    response_model=Job,
    summary="Probe a model and its data",
    openapi_extra={"requestBody": _REQUEST_BODY},
    responses=submission_responses(INVALID_BUNDLE),
)
async def post_bundle(request: Request, response: Response, submit: SubmissionDep) -> Job:
    """Runs on the `probes` queue: data audit, model audit, training probes and fix trials.
    Progress is reported per stage on the job. Validation of the bundle's contents happens
    in the worker; a broken bundle ends as a failed job whose `error` names the problem."""
    sink = _Sink(submit.settings.bundles_path)
    try:
        await _receive(request, sink)
        if sink.size == 0:
            raise ProblemError(INVALID_BUNDLE, "the bundle is empty")
        if sink.head != ZIP_MAGIC:
            raise ProblemError(INVALID_BUNDLE, "the bundle is not a zip file")
        sink.close()
        digest = sink.sha256.hexdigest()
        payload = json.dumps({"bundle": sink.name, "size": sink.size, "sha256": digest})
        job, created = await submit.create(JobKind.bundle, payload.encode(), fingerprint=digest)
    except BaseException:
        sink.discard()
        raise
    if not created:
        sink.discard()  # a repeat of an accepted upload: the first copy is the one queued
    return await submit.answer(job, response)
