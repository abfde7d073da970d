"""Request body cap, enforced while the body streams in.

Starlette has no body limit of its own and uvicorn has none either; checking
Content-Length alone would trust a lying client, so the bytes are also counted as they
arrive and the request is cut off as soon as it passes the limit.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from convdiag.problems import PAYLOAD_TOO_LARGE
from service.errors import ProblemError, problem_response


class BodySizeLimit:
    """`max_bytes` for every route, except the path prefixes in `overrides` (bundle uploads)."""

    def __init__(self, app: ASGIApp, max_bytes: int, overrides: dict[str, int] | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.overrides = overrides or {}

    def _limit(self, path: str) -> int:
        matches = (limit for prefix, limit in self.overrides.items() if path.startswith(prefix))
        return next(matches, self.max_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope["path"])
        detail = f"the body exceeds the limit of {limit} bytes"
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            # Answer before reading a byte of it.
            response = problem_response(PAYLOAD_TOO_LARGE, detail, Request(scope), {"Connection": "close"})
            await response(scope, receive, send)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # Raised inside the route's body read, so the problem handler answers it.
                    raise ProblemError(PAYLOAD_TOO_LARGE, detail)
            return message

        await self.app(scope, counting_receive, send)
