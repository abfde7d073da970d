"""Real parts for tests: a private redis-server, Celery worker subprocesses, the app over HTTP."""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

import httpx
import redis
import uvicorn
import yaml
from fastapi import FastAPI

from convdiag.cli import worker_command
from convdiag.queues import QUEUES
from convdiag.settings import Settings
from service.main import create_app
from testkit.unprivileged import interpreter_dirs, unprivileged_command

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
NGINX_CONF = ROOT / "deploy" / "nginx.conf"


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


def local_command(command: list[str], port: int | None = None) -> list[str]:
    """A docker-compose command for this machine: our interpreter, loopback, a free port."""
    out = [sys.executable, "-m", command[0], *command[1:]]
    out = ["127.0.0.1" if arg == "0.0.0.0" else arg for arg in out]  # noqa: S104 (replaces it by loopback)
    return [str(port) if arg == "8000" and port is not None else arg for arg in out]


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
    settings: Settings,
    *extra: str,
    log: Path | None = None,
    queues: str = ",".join(QUEUES),
    env: dict[str, str] | None = None,
    user: int | None = None,
) -> Iterator[subprocess.Popen[bytes]]:
    """A real `celery worker` subprocess (prefork pool, one child) with these settings, on
    every queue unless told which (and `env`, when given, as its whole environment instead of
    settings_env's). With `user` (a uid, also its gid), the worker runs as that user, with no
    capabilities (testkit.unprivileged; the caller must be root), owning its data directory
    and a home of its own; the Popen's pid is the worker's."""
    out: IO[bytes] | int = log.open("wb") if log else subprocess.DEVNULL
    argv = [*worker_command(queues, 1), "--without-gossip", "--without-mingle", *extra]
    environment = env or settings_env(settings)
    with contextlib.ExitStack() as stack:
        if user is not None:
            home = stack.enter_context(_worker_home(user))
            # Uploads land in the bundles directory as root (the API runs in the test's
            # process); the worker reads them and deletes them once their job is final.
            for directory in (settings.data_dir, settings.bundles_path):
                directory.mkdir(parents=True, exist_ok=True)
                os.chown(directory, user, user)
            reach = [*interpreter_dirs(), ROOT, settings.data_dir, settings.bundles_path, home]
            argv = unprivileged_command(argv, user, user, reach)
            # Keras, matplotlib and the sandboxes' job directories write under these.
            environment = {**environment, "HOME": str(home), "TMPDIR": str(home / "tmp")}
        proc = subprocess.Popen(argv, env=environment, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        try:
            yield proc
        finally:
            stop_process(proc)
            if not isinstance(out, int):
                out.close()


@contextlib.contextmanager
def _worker_home(user: int) -> Iterator[Path]:
    """A home directory (with a tmp inside) that `user` owns and nobody else may enter."""
    home = Path(tempfile.mkdtemp(prefix="convdiag-worker-home-"))
    try:
        (home / "tmp").mkdir(mode=0o700)
        for directory in (home, home / "tmp"):
            os.chown(directory, user, user)
        yield home
    finally:
        shutil.rmtree(home, ignore_errors=True)


def stop_process(proc: subprocess.Popen[bytes], timeout: float = 15, sig: int = signal.SIGTERM) -> None:
    """Ask `proc` to stop with `sig`; kill it if it has not within `timeout` seconds."""
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextlib.contextmanager
def serve_app(settings: Settings, app: FastAPI | None = None) -> Iterator[str]:
    """The real app (or `app`, made from it) on a real socket (uvicorn in a thread); yields its
    base URL. Uvicorn's defaults trust X-Forwarded-* from 127.0.0.1, where nginx_proxy runs."""
    port = free_port()
    config = uvicorn.Config(app or create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        wait_until(lambda: server.started, 10, "uvicorn to start")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@dataclass
class Proxy:
    url: str
    proc: subprocess.Popen[bytes]  # the master
    log: Path

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text()
        return [int(pid) for pid in children.split()]

    def open_sockets(self) -> int:
        """Sockets the workers hold: one per client connection, one per upstream connection
        and a few listening ones."""
        count = 0
        for pid in self.worker_pids():
            with contextlib.suppress(FileNotFoundError):  # a descriptor closed while we looked
                fds = Path(f"/proc/{pid}/fd")
                count += sum(os.readlink(fd).startswith("socket:") for fd in fds.iterdir())
        return count


def nginx_config(upstream_port: int, listen_port: int) -> str:
    """deploy/nginx.conf as docker-compose runs it, with this machine's two addresses."""
    text = NGINX_CONF.read_text()
    for compose_line, local_line in (
        ("server api:8000;", f"server 127.0.0.1:{upstream_port};"),
        ("listen 8080;", f"listen 127.0.0.1:{listen_port};"),
    ):
        assert text.count(compose_line) == 1, f"deploy/nginx.conf no longer has {compose_line!r} once"
        text = text.replace(compose_line, local_line)
    return text


@contextlib.contextmanager
def nginx_proxy(upstream_url: str) -> Iterator[Proxy]:
    """Debian's nginx with deploy/nginx.conf in front of `upstream_url`, in the foreground, on
    a free port, its pid and temp files in a directory of its own; yields it once it answers."""
    binary = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
    assert binary, "nginx is not installed; `make test` installs it"
    upstream_port = urlsplit(upstream_url).port
    assert upstream_port is not None
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="convdiag-nginx-") as tmp:
        prefix = Path(tmp)
        # Started as root, nginx's workers run as nobody and must reach their temp directories.
        prefix.chmod(0o755)
        conf = prefix / "nginx.conf"
        conf.write_text(nginx_config(upstream_port, port))
        log = prefix / "error.log"
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [binary, "-p", f"{prefix}/", "-c", str(conf), "-e", "stderr", "-g", "daemon off;"],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
            proxy = Proxy(f"http://127.0.0.1:{port}", proc, log)
            try:

                def up() -> bool:
                    assert proc.poll() is None, f"nginx exited: {log.read_text()}"
                    return httpx.get(f"{proxy.url}/livez", timeout=2).status_code == 200

                wait_until(up, 10, "nginx to answer")
                yield proxy
            finally:
                stop_process(proc)


@dataclass
class RawResponse:
    """An answer read off a raw socket, shaped like httpx's where they overlap."""

    status_code: int
    headers: dict[str, str]  # names in lower case
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def _parse_responses(data: bytes) -> list[RawResponse]:
    """The complete HTTP/1.1 responses in what a server sent (each one has a Content-Length)."""
    responses = []
    while b"\r\n\r\n" in data:
        head, _, data = data.partition(b"\r\n\r\n")
        status_line, *lines = head.decode("latin-1").split("\r\n")
        headers = {
            name.strip().lower(): value.strip() for name, _, value in (x.partition(":") for x in lines)
        }
        length = int(headers.get("content-length", "0"))
        responses.append(RawResponse(int(status_line.split()[1]), headers, data[:length]))
        data = data[length:]
    return responses


def _connect(base_url: str, timeout: float) -> socket.socket:
    address = urlsplit(base_url)
    assert address.hostname == "127.0.0.1", "raw requests go to loopback only"
    return socket.create_connection((address.hostname, address.port or 80), timeout=timeout)


def _read_until_closed(sock: socket.socket, deadline: float) -> bytes:
    data = b""
    with contextlib.suppress(OSError):  # a reset or the deadline ends the answer
        while (left := deadline - time.monotonic()) > 0:
            sock.settimeout(left)
            if not (chunk := sock.recv(1 << 16)):
                break
            data += chunk
    return data


def raw_http(
    base_url: str, request: bytes, *, close_write: bool = False, timeout: float = 10
) -> list[RawResponse]:
    """Send `request` exactly as given (a lying Content-Length, say), optionally hang up our
    sending side, and read every response until the server closes or `timeout` passes."""
    with _connect(base_url, timeout) as sock:
        sock.sendall(request)
        if close_write:
            sock.shutdown(socket.SHUT_WR)
        return _parse_responses(_read_until_closed(sock, time.monotonic() + timeout))


@dataclass
class Upload:
    responses: list[RawResponse]
    sent: int  # body bytes (with chunk framing) the server's side of the connection took


def upload_stream(
    base_url: str,
    path: str,
    headers: dict[str, str],
    body: Iterator[bytes],
    *,
    content_length: int | None = None,
    on_sent: Callable[[], None] | None = None,
    timeout: float = 30,
) -> Upload:
    """POST `body` (as a chunked stream, or under `content_length`) the way a hostile client
    would: an answer does not stop it, only the server closing the connection does. Collects
    what the server answered meanwhile; `on_sent` runs after every piece the socket took.
    Bounded by `body` running out and by `timeout`."""
    pieces: Iterable[bytes]
    if content_length is None:
        framing = {"Transfer-Encoding": "chunked"}
        pieces = itertools.chain((b"%x\r\n%s\r\n" % (len(piece), piece) for piece in body), [b"0\r\n\r\n"])
    else:
        framing, pieces = {"Content-Length": str(content_length)}, body
    fields = {**headers, **framing}
    head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n" + "".join(
        f"{k}: {v}\r\n" for k, v in fields.items()
    )
    deadline = time.monotonic() + timeout
    with _connect(base_url, timeout) as sock:
        sock.sendall(head.encode("latin-1") + b"\r\n")
        sock.setblocking(False)
        sent, pending, answer = 0, b"", b""
        while time.monotonic() < deadline:
            readable, writable, _ = select.select([sock], [sock], [], 0.5)
            try:
                if readable:
                    if not (chunk := sock.recv(1 << 16)):
                        break  # the server closed the connection: it takes no more
                    answer += chunk
                elif writable:
                    if not pending and not (pending := next(pieces, b"")):
                        break  # all sent
                    taken = sock.send(pending)
                    sent, pending = sent + taken, pending[taken:]
                    if on_sent:
                        on_sent()
            except BlockingIOError:
                continue
            except OSError:
                break  # reset: the server closed without reading the rest
        sock.setblocking(True)
        # Whatever is still on its way (the whole answer, if the body ended first).
        answer += _read_until_closed(sock, min(deadline, time.monotonic() + 5))
        return Upload(_parse_responses(answer), sent)


def assert_problem(response: httpx.Response | RawResponse, status: int, slug: str) -> dict[str, Any]:
    """An RFC 9457 answer of this status and problem type, with a detail; returns its body."""
    assert response.status_code == status, (
        response.text if isinstance(response, httpx.Response) else response.json()
    )
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["type"] == f"urn:convdiag:problem:{slug}"
    assert body["status"] == status
    assert body["detail"]
    return body


@contextlib.contextmanager
def browser(width: int = 1280, height: int = 1000) -> Iterator[Any]:
    """Headless Chromium (Debian's) driven by Selenium through Debian's chromedriver, with
    every host but loopback unresolvable (as on a machine without internet) and the network
    log on, for `requested_urls`."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary, driver_binary = shutil.which("chromium"), shutil.which("chromedriver")
    assert binary, "chromium is not installed; `make test` installs it"
    assert driver_binary, "chromedriver is not installed; `make test` installs it (chromium-driver)"
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        f"--window-size={width},{height}",
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(driver_binary))
    try:
        yield driver
    finally:
        driver.quit()


def requested_urls(driver: Any) -> dict[str, str | None]:
    """The URLs the page asked for since the last call (Chromium's performance log), each with
    the reason the browser blocked it before it went out ("csp", ...) or None."""
    ids: dict[str, str] = {}
    blocked: dict[str, str] = {}
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        params = message.get("params", {})
        if message["method"] == "Network.requestWillBeSent":
            ids[params["requestId"]] = params["request"]["url"]
        elif message["method"] == "Network.loadingFailed" and params.get("blockedReason"):
            blocked[params["requestId"]] = params["blockedReason"]
    return {url: blocked.get(request_id) for request_id, url in ids.items()}
