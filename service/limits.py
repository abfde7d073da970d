"""Request body cap and idle timeout, enforced while the body streams in.

Starlette has no body limit of its own and uvicorn has none either; checking
Content-Length alone would trust a lying client, so the bytes are also counted as they
arrive and the request is cut off as soon as it passes the limit. Uvicorn has no timeout on
a body that stops arriving either (its keep-alive timeout runs only between requests), so a
client announcing more than it sends would hold its connection and request open forever.
"""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from convdiag.problems import BODY_TIMEOUT, PAYLOAD_TOO_LARGE
from service.errors import ProblemError, problem_response

# Refusing a body halfway leaves the rest of it on the wire; without this uvicorn keeps the
# connection and reads (and discards) everything the client goes on sending.
CLOSE = {"Connection": "close"}


class BodySizeLimit:
    """`max_bytes` for every route, except the path prefixes in `overrides` (bundle uploads);
    `idle_timeout` seconds at most between two pieces of a body."""

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        overrides: dict[str, int] | None = None,
        idle_timeout: float = 30.0,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.overrides = overrides or {}
        self.idle_timeout = idle_timeout

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
            response = problem_response(PAYLOAD_TOO_LARGE, detail, Request(scope), CLOSE)
            await response(scope, receive, send)
            return
        received = 0
        body_done = False

        async def guarded_receive() -> Message:
            nonlocal received, body_done
            if body_done:
                # Past the body, a receive waits for the client to leave (a streamed
                # response such as the events endpoint): that may take as long as it takes.
                return await receive()
            try:
                # A timeout scope, not wait_for: on Python 3.11 wait_for wraps every receive
                # in a task of its own.
                async with asyncio.timeout(self.idle_timeout):
                    message = await receive()
            except TimeoutError:
                # Raised inside the route's body read, so the problem handler answers it.
                raise ProblemError(
                    BODY_TIMEOUT, f"no part of the body arrived for {self.idle_timeout:g} s", CLOSE
                ) from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                body_done = not message.get("more_body", False)
                if received > limit:
                    raise ProblemError(PAYLOAD_TOO_LARGE, detail, CLOSE)
            else:
                body_done = True  # http.disconnect: nothing more will come
            return message

        await self.app(scope, guarded_receive, send)
