"""Content-Security-Policy on the pages a browser renders (the API docs).

A pure ASGI wrapper that adds one header to the responses of some paths: Starlette has no
such middleware, and its BaseHTTPMiddleware would buffer the SSE streams it also wraps.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Swagger UI and ReDoc, served from the app's own files (fastapi-offline): their inline
# bootstrap script and styles run, but nothing loads from or connects to another origin. ReDoc
# draws a logo from its vendor's CDN in every page; this is what keeps that request from
# ever leaving the browser.
DOCS_POLICY = (
    "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


class ContentSecurityPolicy:
    """Adds `Content-Security-Policy` to responses whose path is a key of `policies`."""

    def __init__(self, app: ASGIApp, policies: dict[str, str]) -> None:
        self.app = app
        self.policies = {path: policy.encode() for path, policy in policies.items()}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        policy = self.policies.get(scope["path"]) if scope["type"] == "http" else None
        if policy is None:
            await self.app(scope, receive, send)
            return

        async def send_with_policy(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"content-security-policy", policy)]
            await send(message)

        await self.app(scope, receive, send_with_policy)
