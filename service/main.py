"""The FastAPI app. Run it with `uvicorn --factory service.main:create_app`."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

from convdiag.jobs import open_store
from convdiag.queues import make_celery
from convdiag.settings import Settings, get_settings
from service.errors import install_problem_handlers
from service.headers import DOCS_POLICY, ContentSecurityPolicy
from service.inline import InlinePool
from service.limits import BodySizeLimit
from service.queue import JobQueue
from service.ratelimit import RateLimiter
from service.routers import bundles, health, histories, jobs, pages, runs
from service.routers.health import metrics_registry

log = logging.getLogger("convdiag.service")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if not settings.auth_enabled:
            log.warning(
                "auth is OFF: no CONVDIAG_API_KEYS configured, every caller is tenant %r",
                settings.local_tenant,
            )
        yield
        await app.state.inline.close()
        await app.state.store.aclose()

    # Swagger UI (/docs) and ReDoc (/redoc) from assets that fastapi-offline ships, served by
    # the app itself: the docs work without internet access and load nothing from a CDN.
    app = FastAPIOffline(
        title="convdiag",
        version="1",
        summary="Tells you why your Keras model is not converging.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.store = open_store(settings)
    app.state.queue = JobQueue(make_celery(settings))
    app.state.metrics = metrics_registry(app.state.store, app.state.queue)
    app.state.rate_limiter = RateLimiter(settings)
    app.state.inline = InlinePool(settings.inline_processes, settings.inline_history_max_bytes)
    app.add_middleware(
        BodySizeLimit,
        max_bytes=settings.max_body_bytes,
        overrides={"/v1/bundles": settings.max_bundle_bytes},
        idle_timeout=settings.body_idle_timeout_seconds,
    )
    app.add_middleware(ContentSecurityPolicy, policies={"/docs": DOCS_POLICY, "/redoc": DOCS_POLICY})
    install_problem_handlers(app)
    for module in (histories, bundles, jobs, runs, health, pages):
        app.include_router(module.router)
    return app
