"""The reverse proxy in front of the API: Debian's nginx running deploy/nginx.conf (the file
docker-compose.yml mounts) for real, in front of the app over HTTP."""

from __future__ import annotations

import re
import resource
import selectors
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import Request

from convdiag.settings import Settings, hash_api_key
from service.main import create_app
from testkit import histories
from testkit.support import COMPOSE, NGINX_CONF, Proxy, assert_problem, nginx_proxy, raw_http, serve_app

KEY = "proxy-test-key-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {KEY}"}
CONF = NGINX_CONF.read_text()
HALF_OPEN = 10_000
# A request cut off before its blank line: nginx has to wait for the rest of the header.
PARTIAL_HEADER = b"GET /v1/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
# Clients that do send their header, one byte a second, and are cut all the same.
DRIBBLERS = 5


def _seconds(directive: str) -> float:
    match = re.search(rf"^\s*{directive}\s+(\d+)s;", CONF, re.MULTILINE)
    assert match, f"{directive} is not set in seconds in deploy/nginx.conf"
    return float(match.group(1))


HEADER_TIMEOUT = _seconds("client_header_timeout")


def _mib(value: str) -> int:
    assert value.endswith("m"), value
    return int(value[:-1]) * 1024 * 1024


@pytest.fixture(scope="module")
def proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proxy]:
    # The embedded store and broker: a POST is stored and queued with no Redis or worker.
    settings = Settings(data_dir=tmp_path_factory.mktemp("proxy"), api_keys={hash_api_key(KEY): "proxy"})
    app = create_app(settings)

    # What the app believes about the caller once uvicorn has applied X-Forwarded-*.
    @app.get("/test/peer", include_in_schema=False)
    def peer(request: Request) -> dict[str, str | None]:
        return {"client": request.client.host if request.client else None, "scheme": request.url.scheme}

    with serve_app(settings, app) as api_url, nginx_proxy(api_url) as running:
        yield running


def _normal_request(url: str) -> None:
    with httpx.Client(base_url=url, headers=AUTH, timeout=10) as client:
        posted = client.post("/v1/histories", json={"history": histories.healthy()})
        assert posted.status_code == 202, posted.text
        job = client.get(posted.headers["Location"])
        assert job.status_code == 200, job.text
        assert job.json()["id"] == posted.json()["id"]


def _enough_descriptors(needed: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < needed:
        # Raising the hard limit works as root (CI); otherwise the soft one up to the hard.
        resource.setrlimit(resource.RLIMIT_NOFILE, (needed, max(hard, needed)))


def test_a_request_gets_through_while_10000_half_open_connections_are_held(proxy: Proxy) -> None:
    _enough_descriptors(HALF_OPEN + DRIBBLERS + 1024)
    selector = selectors.DefaultSelector()  # epoll: tells when the server ends each one
    opened: dict[socket.socket, float] = {}
    dribblers: list[socket.socket] = []
    port = int(proxy.url.rsplit(":", 1)[1])
    try:
        for i in range(HALF_OPEN + DRIBBLERS):
            sock = socket.create_connection(("127.0.0.1", port), timeout=10)
            sock.sendall(PARTIAL_HEADER if i < HALF_OPEN else b"G")
            sock.setblocking(False)
            opened[sock] = time.monotonic()
            selector.register(sock, selectors.EVENT_READ)
            if i >= HALF_OPEN:
                dribblers.append(sock)
        first = min(opened.values())
        assert time.monotonic() - first < HEADER_TIMEOUT - 2, "opening the connections took too long"

        # Every one of them is held by nginx, none refused or cut yet...
        assert selector.select(timeout=0) == []
        assert proxy.open_sockets() >= HALF_OPEN + DRIBBLERS
        # ...and a normal client is served.
        _normal_request(proxy.url)
        assert time.monotonic() - first < HEADER_TIMEOUT, "the normal request was too slow to tell"

        # Then nginx cuts each one when its header has been incomplete for the header timeout.
        lifetimes: dict[socket.socket, float] = {}
        deadline = time.monotonic() + HEADER_TIMEOUT + 30
        next_drip = time.monotonic() + 1
        while len(lifetimes) < len(opened) and time.monotonic() < deadline:
            for key, _ in selector.select(timeout=0.2):
                sock = key.fileobj
                assert isinstance(sock, socket.socket)
                try:
                    data = sock.recv(4096)
                except ConnectionResetError:
                    data = b""
                assert data == b"", f"nginx answered a half-open connection: {data[:200]!r}"
                lifetimes[sock] = time.monotonic() - opened[sock]
                selector.unregister(sock)
            if time.monotonic() >= next_drip:
                next_drip += 1
                for sock in dribblers:
                    if sock not in lifetimes:
                        sock.send(b"E")  # a header that keeps coming, a byte a second
        assert len(lifetimes) == len(opened), f"{len(opened) - len(lifetimes)} were never cut"
        assert min(lifetimes.values()) >= HEADER_TIMEOUT - 0.5
        assert max(lifetimes.values()) <= HEADER_TIMEOUT + 10
        assert all(lifetimes[sock] < HEADER_TIMEOUT + 10 for sock in dribblers)
        # Nothing is left over: a new client still gets through.
        _normal_request(proxy.url)
    finally:
        selector.close()
        for sock in opened:
            sock.close()


def test_x_forwarded_headers_are_set_by_the_proxy_not_the_client(proxy: Proxy) -> None:
    spoofed = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
    seen = httpx.get(f"{proxy.url}/test/peer", headers=spoofed, timeout=10).json()
    # nginx replaced both with what it saw (loopback, plain http) and uvicorn trusts only it.
    assert seen == {"client": "127.0.0.1", "scheme": "http"}


def test_an_oversized_body_is_refused_by_the_proxy_as_a_problem(proxy: Proxy) -> None:
    cap = Settings().max_body_bytes
    head = (
        f"POST /v1/histories HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {KEY}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {cap + 1}\r\n\r\n"
    )
    (answer,) = raw_http(proxy.url, head.encode(), timeout=10)
    assert_problem(answer, 413, "payload-too-large")


def test_the_proxy_limits_match_the_app_and_compose() -> None:
    services = COMPOSE["services"]
    env = services["api"]["environment"]
    body_cap = re.search(r"^    client_max_body_size (\d+m);", CONF, re.MULTILINE)
    bundle_cap = re.search(r"location /v1/bundles \{[^}]*client_max_body_size (\d+m);", CONF)
    assert body_cap
    assert bundle_cap
    assert _mib(body_cap.group(1)) == int(env["CONVDIAG_MAX_BODY_BYTES"]) == Settings().max_body_bytes
    assert _mib(bundle_cap.group(1)) == int(env["CONVDIAG_MAX_BUNDLE_BYTES"])
    # Only the proxy is published; uvicorn trusts forwarded headers from the proxy's address alone.
    assert "ports" not in services["api"]
    assert services["proxy"]["ports"]
    api = services["api"]["command"]
    proxy_address = services["proxy"]["networks"]["default"]["ipv4_address"]
    assert "--proxy-headers" in api
    assert api[api.index("--forwarded-allow-ips") + 1] == proxy_address
    mounted = {volume.split(":")[0] for volume in services["proxy"]["volumes"]}
    assert f"./{NGINX_CONF.relative_to(Path(__file__).resolve().parent.parent)}" in mounted
    # uvicorn drops an idle upstream connection later than nginx does (no request sent onto
    # a connection uvicorn is closing).
    upstream_idle = re.search(r"upstream api \{[^}]*keepalive_timeout (\d+)s;", CONF)
    assert upstream_idle
    assert int(api[api.index("--timeout-keep-alive") + 1]) > int(upstream_idle.group(1))
