"""Real parts for tests: a private redis-server, Celery worker subprocesses, the app over HTTP."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import redis
import uvicorn

from convdiag.settings import Settings
from service.main import create_app

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate: Callable[[], object], timeout: float, what: str, interval: float = 0.05) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            if result := predicate():
                return result
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout}s waiting for {what}")


class RedisServer:
    """A private redis-server on a free port that a test can stop, crash and start again on
    the same port and directory, so clients configured with its URL find it again."""

    def __init__(self, directory: Path, *extra: str) -> None:
        binary = shutil.which("redis-server")
        assert binary, "redis-server is not installed; `make test` installs it"
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        # Persistence is off unless `extra` turns it on (later arguments win).
        self.command = [
            binary,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(directory),
            *extra,
        ]
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        assert self.proc is None, "already running"
        self.proc = subprocess.Popen(self.command, stdout=subprocess.DEVNULL)
        wait_until(lambda: redis.Redis.from_url(self.url).ping(), 10, "redis-server")

    def stop(self) -> None:
        """A clean shutdown (SIGTERM): Redis writes out what it has, then exits."""
        if self.proc is not None:
            stop_process(self.proc, timeout=10)
            self.proc = None

    def crash(self) -> None:
        """SIGKILL: no chance to flush anything that was not already on disk."""
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None

    def __enter__(self) -> RedisServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


@contextlib.contextmanager
def redis_server(directory: Path, *extra: str) -> Iterator[str]:
    """A private redis-server on a free port; yields its URL."""
    with RedisServer(directory, *extra) as server:
        yield server.url


def settings_env(settings: Settings) -> dict[str, str]:
    """The environment that gives a subprocess these settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONVDIAG_")}
    for name, value in settings.model_dump(mode="json").items():
        if value is None:
            continue
        env[f"CONVDIAG_{name.upper()}"] = value if isinstance(value, str) else json.dumps(value)
    env["PYTHONPATH"] = str(ROOT)
    return env


@contextlib.contextmanager
def celery_worker(
    settings: Settings, *extra: str, log: Path | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """A real `celery worker` subprocess (prefork pool, one child) with these settings."""
    out = log.open("wb") if log else subprocess.DEVNULL
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "worker.app",
            "worker",
            "--queues",
            "light,probes",
            "--concurrency",
            "1",
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
            *extra,
        ],
        env=settings_env(settings),
        cwd=ROOT,
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    try:
        yield proc
    finally:
        stop_process(proc)
        if log:
            out.close()


def stop_process(proc: subprocess.Popen[bytes], timeout: float = 15) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextlib.contextmanager
def serve_app(settings: Settings) -> Iterator[str]:
    """The real app on a real socket (uvicorn in a thread); yields its base URL."""
    port = free_port()
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        wait_until(lambda: server.started, 10, "uvicorn to start")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
