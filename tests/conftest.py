"""Session-wide real parts: one private Redis, one Celery worker, the app over HTTP with
two tenants. Tests that break things (kill workers, stop Redis) make their own."""

from __future__ import annotations

import ast
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


@pytest.fixture(scope="module")
def private_redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Redis of the module's own, for tests that start workers with their own settings: on
    the shared Redis the session's worker consumes the same queues and takes their jobs with
    its own settings (another bundles directory: "the uploaded bundle is no longer on the
    server"), depending on which worker polls first."""
    with redis_server(tmp_path_factory.mktemp("redis-private")) as url:
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


# The two layers. A test is in the slow one when it needs a real process: a fixture below that
# starts redis-server, a Celery worker or uvicorn (used directly or through another fixture),
# or a module that imports what starts processes, trains Keras models or drives a browser.
# `pytest -m "not slow"` runs the rest, in-process, in seconds; `make test` runs both.
PROCESS_FIXTURES = frozenset({"redis_url", "worker", "api_url"})
SLOW_MODULES = ("keras", "tensorflow", "subprocess", "multiprocessing", "selenium", "diagnosis.probes")
SLOW_MODULES += (
    "testkit.bundles",
    "testkit.bundle_corpus",
    "benchmarks.bench_probes",
    "benchmarks.bench_load",
)
SLOW_HELPERS = frozenset(
    {"redis_server", "RedisServer", "celery_worker", "serve_app", "nginx_proxy", "browser", "local_command"}
)


def _starts_processes(path: Path) -> bool:
    """Whether a test module imports anything in SLOW_MODULES or SLOW_HELPERS (lazily too)."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            if any(alias.name in SLOW_HELPERS for alias in node.names):
                return True
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        else:
            continue
        if any(name == slow or name.startswith(f"{slow}.") for name in names for slow in SLOW_MODULES):
            return True
    return False


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    modules: dict[Path, bool] = {}
    for item in items:
        path = Path(item.path)
        if path not in modules:
            modules[path] = _starts_processes(path)
        if modules[path] or PROCESS_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
