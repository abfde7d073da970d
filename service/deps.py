"""Request dependencies: the settings, the store, the queue and the caller's tenant.

All `async def`: FastAPI runs a plain `def` dependency on the thread pool, and these six hops
to a thread and back were most of what a POST cost beyond a bare route (BENCHMARKS.md,
*Load*). None of them blocks: the rate limit is checked on asyncio, and those that may
(resolving a callback URL, reading a browser session) go to the pool themselves, only when
there is a URL or a session cookie.

The ones every POST runs (get_tenant, get_callback_url, service.submission) read the app's
settings, store and queue from `request.app.state` rather than through get_settings and the
like: FastAPI solves every sub-dependency of every dependency anew on each request, cached
or not (parameters, cache key, the call), and the tree under a POST had eleven of them
(docs/benchmarks/load.md)."""

from __future__ import annotations

import hmac
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Header, Query, Request
from fastapi.concurrency import run_in_threadpool

from convdiag.jobs import JobStore
from convdiag.problems import INVALID_CALLBACK, UNAUTHORIZED
from convdiag.settings import Settings, hash_api_key
from convdiag.webhooks import WebhookTargetError, resolve_target
from service.errors import ProblemError
from service.queue import JobQueue
from service.sessions import COOKIE, session_key_digest


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_store(request: Request) -> JobStore:
    return request.app.state.store


async def get_queue(request: Request) -> JobQueue:
    return request.app.state.queue


def tenant_for_key(settings: Settings, digest: str) -> str | None:
    """The tenant of the API key whose hash is `digest`, or None. Compares against every
    configured hash, each in constant time, so timing says nothing about how close a guess
    came or which entry matched."""
    tenant = None
    for stored, name in settings.api_keys.items():
        if hmac.compare_digest(stored.encode(), digest.encode()):
            tenant = name
    return tenant


# Methods a cross-site page could use to change something if it could send our cookie.
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def _session_tenant(request: Request, settings: Settings, token: str) -> tuple[str, str] | None:
    """(tenant, key hash) for the browser page's session cookie, or None. SameSite=Strict
    already keeps other sites' requests from carrying it; a request that changes something
    must also come from a page of this origin, should a browser ignore SameSite."""
    if request.method not in _SAFE_METHODS:
        origin = urlsplit(request.headers.get("origin", ""))
        if origin.netloc != request.headers.get("host"):
            return None
    digest = await run_in_threadpool(session_key_digest, request.app.state.store, token)
    tenant = None if digest is None else tenant_for_key(settings, digest)
    return None if tenant is None or digest is None else (tenant, digest)


async def get_tenant(request: Request) -> str:
    """The tenant the bearer key (or the browser page's session cookie) maps to (the single
    local tenant when auth is off), once the key's rate limit allows the request."""
    settings: Settings = request.app.state.settings
    if not settings.auth_enabled:
        await request.app.state.rate_limiter.check(settings.local_tenant)
        return settings.local_tenant
    scheme, _, key = request.headers.get("authorization", "").partition(" ")
    token = request.cookies.get(COOKIE)
    if token and not key:
        session = await _session_tenant(request, settings, token)
        if session is not None:
            await request.app.state.rate_limiter.check(session[1])
            return session[0]
    if scheme.lower() != "bearer" or not key:
        raise ProblemError(
            UNAUTHORIZED, "send 'Authorization: Bearer <api key>'", {"WWW-Authenticate": "Bearer"}
        )
    digest = hash_api_key(key.strip())
    tenant = tenant_for_key(settings, digest)
    if tenant is None:
        raise ProblemError(UNAUTHORIZED, "the API key is not valid", {"WWW-Authenticate": "Bearer"})
    await request.app.state.rate_limiter.check(digest)
    return tenant


async def get_callback_url(
    request: Request,
    tenant: Annotated[str, Depends(get_tenant)],
    callback_url: Annotated[
        str | None, Query(max_length=2000, description="POSTed the finished job, signed (see README).")
    ] = None,
) -> str | None:
    if callback_url is None:
        return None
    settings: Settings = request.app.state.settings
    if tenant not in settings.webhook_secrets:
        raise ProblemError(INVALID_CALLBACK, f"no webhook secret is configured for tenant {tenant!r}")
    try:
        await run_in_threadpool(resolve_target, callback_url, settings.webhook_allow_private)
    except WebhookTargetError as exc:
        raise ProblemError(INVALID_CALLBACK, str(exc)) from None
    return callback_url


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[JobStore, Depends(get_store)]
QueueDep = Annotated[JobQueue, Depends(get_queue)]
TenantDep = Annotated[str, Depends(get_tenant)]
CallbackDep = Annotated[str | None, Depends(get_callback_url)]
IdempotencyKeyDep = Annotated[
    str | None,
    Header(alias="Idempotency-Key", max_length=200, description="Repeat a POST safely: same key, same job."),
]
# A list route's page (GET /v1/jobs, GET /v1/runs): how many items, and where the last ended.
PageLimit = Annotated[int, Query(ge=1, le=100)]
PageCursor = Annotated[str | None, Query(description="`next_cursor` from the previous page.")]
