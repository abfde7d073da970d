"""Request dependencies: the settings, the store, the queue and the caller's tenant."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request

from convdiag.jobs import JobStore
from convdiag.problems import UNAUTHORIZED
from convdiag.settings import Settings, hash_api_key
from service.errors import ProblemError
from service.queue import JobQueue


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_store(request: Request) -> JobStore:
    return request.app.state.store


def get_queue(request: Request) -> JobQueue:
    return request.app.state.queue


def get_tenant(request: Request, settings: Annotated[Settings, Depends(get_settings)]) -> str:
    """The tenant the bearer key maps to; the single local tenant when auth is off."""
    if not settings.auth_enabled:
        return settings.local_tenant
    scheme, _, key = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not key:
        raise ProblemError(
            UNAUTHORIZED, "send 'Authorization: Bearer <api key>'", {"WWW-Authenticate": "Bearer"}
        )
    digest = hash_api_key(key.strip())
    tenant = None
    # Compare against every configured hash, each in constant time, so timing says nothing
    # about how close a guess came or which entry matched.
    for stored, name in settings.api_keys.items():
        if hmac.compare_digest(stored.encode(), digest.encode()):
            tenant = name
    if tenant is None:
        raise ProblemError(UNAUTHORIZED, "the API key is not valid", {"WWW-Authenticate": "Bearer"})
    return tenant


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[JobStore, Depends(get_store)]
QueueDep = Annotated[JobQueue, Depends(get_queue)]
TenantDep = Annotated[str, Depends(get_tenant)]
