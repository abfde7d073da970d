"""RFC 9457 problem+json for every error, and the OpenAPI entries that document them."""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

import kombu.exceptions
import redis.exceptions
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from convdiag.problems import (
    INCOMPLETE_BODY,
    INTERNAL_ERROR,
    INVALID_REQUEST,
    METHOD_NOT_ALLOWED,
    NOT_FOUND,
    RATE_LIMITED,
    UNAUTHORIZED,
    UNAVAILABLE,
    ProblemType,
)
from diagnosis.quoting import public_detail

log = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"
# What a client should wait before retrying while Redis or the broker is away.
RETRY_AFTER_SECONDS = 5


class Problem(BaseModel):
    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None


class ProblemError(Exception):
    """Raise anywhere in a request to answer with this problem."""

    def __init__(self, kind: ProblemType, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail
        self.headers = headers or {}


def problem_response(
    kind: ProblemType, detail: str, request: Request, headers: dict[str, str] | None = None
) -> JSONResponse:
    body = Problem(
        type=kind.uri,
        title=kind.title,
        status=kind.status,
        detail=public_detail(detail),
        instance=request.url.path,
    )
    return JSONResponse(
        body.model_dump(), status_code=kind.status, media_type=PROBLEM_MEDIA_TYPE, headers=headers
    )


def problem_responses(*kinds: ProblemType) -> dict[int | str, dict[str, Any]]:
    """The `responses=` entry that documents a route's problems in OpenAPI."""
    if UNAUTHORIZED in kinds:
        kinds = (*kinds, RATE_LIMITED)  # the rate limit is enforced where the key is checked
    by_status: dict[int, list[ProblemType]] = {}
    for kind in kinds:
        by_status.setdefault(kind.status, []).append(kind)
    return {
        status: {
            "model": Problem,
            "description": "; ".join(f"{k.title} ({k.uri})" for k in group),
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status, group in by_status.items()
    }


def install_problem_handlers(app: FastAPI) -> None:
    async def on_problem(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ProblemError)
        return problem_response(exc.kind, exc.detail, request, exc.headers)

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        parts = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        return problem_response(INVALID_REQUEST, "; ".join(parts), request)

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        # FastAPI answers 400 for a body it cannot decode at all (JSON that is not UTF-8, found
        # by schemathesis) and Starlette for a broken multipart body: the same kind of error
        # as any other malformed request, so the same documented problem, not an ad-hoc type.
        kinds = {400: INVALID_REQUEST, 404: NOT_FOUND, 405: METHOD_NOT_ALLOWED, 401: UNAUTHORIZED}
        kind = kinds.get(
            exc.status_code, ProblemType(f"http-{exc.status_code}", str(exc.detail), exc.status_code)
        )
        return problem_response(kind, str(exc.detail), request, dict(exc.headers or {}))

    async def on_unavailable(request: Request, exc: Exception) -> JSONResponse:
        log.warning("backing service unavailable: %s", exc)
        return problem_response(
            UNAVAILABLE,
            f"{type(exc).__name__}: {exc}",
            request,
            {"Retry-After": str(RETRY_AFTER_SECONDS)},
        )

    async def on_disconnect(request: Request, exc: Exception) -> JSONResponse:
        # A client that hangs up mid-body is not a server error: no traceback, no 500. The
        # answer goes nowhere, but the access log and metrics see a 4xx.
        log.info("client left before sending the whole body of %s %s", request.method, request.url.path)
        return problem_response(INCOMPLETE_BODY, "the client closed the connection mid-body", request)

    async def on_crash(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return problem_response(INTERNAL_ERROR, "an unexpected error occurred; it has been logged", request)

    app.add_exception_handler(ProblemError, on_problem)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(ClientDisconnect, on_disconnect)
    for unavailable in (
        redis.exceptions.ConnectionError,
        redis.exceptions.TimeoutError,
        kombu.exceptions.OperationalError,
        sqlite3.OperationalError,
    ):
        app.add_exception_handler(unavailable, on_unavailable)
    app.add_exception_handler(Exception, on_crash)
