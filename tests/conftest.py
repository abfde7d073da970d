"""Session-wide real parts: one private Redis, one Celery worker, the app over HTTP with
two tenants. Tests that break things (kill workers, stop Redis) make their own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis

from convdiag.settings import Settings, hash_api_key
from testkit.support import celery_worker, redis_server, serve_app

KEY_ACME = "acme-test-key-0123456789abcdef"
KEY_GLOBEX = "globex-test-key-0123456789abcdef"
# A tenant only the pagination test posts as, so no other test's jobs interleave.
KEY_PAGER = "pager-test-key-0123456789abcdef"
WEBHOOK_SECRET = "whsec-acme-test"


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.fixture(scope="session")
def settings(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        redis_url=redis_url,
        data_dir=tmp_path_factory.mktemp("data"),
        api_keys={
            hash_api_key(k): t for k, t in ((KEY_ACME, "acme"), (KEY_GLOBEX, "globex"), (KEY_PAGER, "pager"))
        },
        # Only acme may use webhooks; tests receive them on loopback, so private targets are allowed here.
        webhook_secrets={"acme": WEBHOOK_SECRET},
        webhook_allow_private=True,
        webhook_backoff_seconds=0.2,
    )


@pytest.fixture(scope="session")
def worker(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    log = tmp_path_factory.mktemp("logs") / "worker.log"
    with celery_worker(settings, log=log):
        yield log


@pytest.fixture(scope="session")
def api_url(settings: Settings, worker: Path) -> Iterator[str]:
    with serve_app(settings) as url:
        yield url


def _client(api_url: str, key: str) -> httpx.Client:
    return httpx.Client(base_url=api_url, headers={"Authorization": f"Bearer {key}"}, timeout=40)


@pytest.fixture
def acme(api_url: str) -> Iterator[httpx.Client]:
    with _client(api_url, KEY_ACME) as client:
        yield client


@pytest.fixture
def globex(api_url: str) -> Iterator[httpx.Client]:
    with _client(api_url, KEY_GLOBEX) as client:
        yield client


@pytest.fixture
def pager(api_url: str) -> Iterator[httpx.Client]:
    with _client(api_url, KEY_PAGER) as client:
        yield client


@pytest.fixture
def redis_client(redis_url: str) -> redis.Redis:
    return redis.Redis.from_url(redis_url)
