"""Hostile input over real sockets: lying Content-Lengths, endless uploads, a million epochs.
Each is refused with a problem (or, for broken HTTP framing, by uvicorn itself), and after
each the server is still ready and still diagnoses a normal history."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from convdiag.settings import Settings
from diagnosis.history import MAX_EPOCHS
from testkit import histories
from testkit.support import assert_problem, raw_http, serve_app, upload_stream

BUNDLE_CAP = 8 * 1024 * 1024
IDLE_TIMEOUT = 1.0
TEN_GB = 10 * 1024**3
CHUNK = 1024 * 1024
# What the kernel's socket buffers can hold on both ends before the server answers: the
# client may have handed over this much past the limit without the server reading it.
IN_FLIGHT = 32 * 1024 * 1024


@pytest.fixture(scope="module")
def hostile_settings(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    # The session's Redis and worker, a bundle cap small enough to reach quickly, a short
    # idle timeout; auth off, so the raw requests need no key.
    return Settings(
        redis_url=redis_url,
        data_dir=tmp_path_factory.mktemp("hostile"),
        max_bundle_bytes=BUNDLE_CAP,
        body_idle_timeout_seconds=IDLE_TIMEOUT,
    )


@pytest.fixture(scope="module")
def url(hostile_settings: Settings, worker: Path) -> Iterator[str]:
    with serve_app(hostile_settings) as base:
        yield base


@pytest.fixture(autouse=True)
def still_healthy(url: str) -> Iterator[None]:
    """After every hostile request: ready, and a normal history still gets its diagnosis."""
    yield
    assert httpx.get(f"{url}/readyz", timeout=10).status_code == 200
    response = httpx.post(
        f"{url}/v1/histories", params={"wait": 20}, json={"history": histories.overfitting()}, timeout=30
    )
    assert response.status_code == 200, response.text
    assert "overfitting" in {f["code"] for f in response.json()["diagnosis"]["findings"]}


def _request(path: str, content_type: str, content_length: int, body: bytes) -> bytes:
    head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\n"
    return f"{head}Content-Length: {content_length}\r\n\r\n".encode() + body


def _job_count(url: str) -> int:
    return len(httpx.get(f"{url}/v1/jobs", params={"limit": 100}, timeout=10).json()["items"])


def test_body_longer_than_its_content_length_is_refused(url: str) -> None:
    body = json.dumps({"history": histories.healthy()}).encode()
    before = _job_count(url)
    started = time.monotonic()
    responses = raw_http(url, _request("/v1/histories", "application/json", 10, body))
    assert time.monotonic() - started < 5  # the server hung up; it did not wait for more
    # The app reads the 10 declared bytes (not JSON: 422); the rest is not HTTP, and uvicorn
    # refuses it (400) and closes. Whichever comes first, nothing is accepted.
    assert responses
    assert {r.status_code for r in responses} <= {400, 422}
    for response in responses:
        if response.status_code == 422:
            assert_problem(response, 422, "invalid-history")
    assert _job_count(url) == before


@pytest.mark.parametrize("path", ["/v1/histories", "/v1/bundles"])
def test_body_shorter_than_its_content_length_times_out(url: str, path: str) -> None:
    content_type = "application/zip" if path == "/v1/bundles" else "application/json"
    started = time.monotonic()
    responses = raw_http(url, _request(path, content_type, 10_000, b"PK\x03\x04 partial"), timeout=15)
    assert time.monotonic() - started < IDLE_TIMEOUT + 5
    assert len(responses) == 1
    assert_problem(responses[0], 408, "body-timeout")
    assert responses[0].headers["connection"] == "close"


@pytest.mark.parametrize("path", ["/v1/histories", "/v1/bundles"])
def test_client_hanging_up_mid_body_is_not_a_server_error(
    url: str, path: str, hostile_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    content_type = "application/zip" if path == "/v1/bundles" else "application/json"
    with caplog.at_level(logging.INFO):
        raw_http(url, _request(path, content_type, 10_000, b"PK\x03\x04 partial"), close_write=True)
        time.sleep(0.5)  # the app notices the disconnect after we stopped reading
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert any("client left" in r.getMessage() for r in caplog.records)
    assert list(hostile_settings.bundles_path.glob("*")) == []  # the partial upload is gone


def _endless(first: bytes, filler: bytes) -> Iterator[bytes]:
    """Ten gigabytes, a megabyte at a time, made only as they are sent."""
    yield first + filler[: CHUNK - len(first)]
    for _ in range(TEN_GB // CHUNK - 1):
        yield filler


@pytest.mark.parametrize("declared", [False, True], ids=["chunked", "content-length-10GB"])
def test_ten_gigabyte_history_is_cut_off(url: str, hostile_settings: Settings, declared: bool) -> None:
    upload = upload_stream(
        url,
        "/v1/histories",
        {"Content-Type": "application/json"},
        _endless(b'{"loss": [', b"1.0," * (CHUNK // 4)),
        content_length=TEN_GB if declared else None,
    )
    assert len(upload.responses) == 1
    assert_problem(upload.responses[0], 413, "payload-too-large")
    assert upload.responses[0].headers["connection"] == "close"
    assert upload.sent < hostile_settings.max_body_bytes + IN_FLIGHT


@pytest.mark.parametrize("declared", [False, True], ids=["chunked", "content-length-10GB"])
def test_ten_gigabyte_bundle_is_cut_off_before_the_disk_fills(
    url: str, hostile_settings: Settings, declared: bool
) -> None:
    directory = hostile_settings.bundles_path
    largest = 0

    def measure() -> None:
        nonlocal largest
        if directory.exists():
            largest = max(largest, sum(f.stat().st_size for f in directory.iterdir() if f.is_file()))

    upload = upload_stream(
        url,
        "/v1/bundles",
        {"Content-Type": "application/zip"},
        _endless(b"PK\x03\x04", bytes(CHUNK)),
        content_length=TEN_GB if declared else None,
        on_sent=measure,
    )
    assert len(upload.responses) == 1
    assert_problem(upload.responses[0], 413, "payload-too-large")
    assert upload.sent < BUNDLE_CAP + IN_FLIGHT
    assert largest <= BUNDLE_CAP
    assert list(directory.glob("*")) == []


def _epochs_json(epochs: int, digits: int) -> bytes:
    value = "0." + "1" * digits if digits else "1"
    return b'{"loss": [' + ",".join([value] * epochs).encode() + b"]}"


def test_a_million_epochs_is_refused(url: str) -> None:
    client = httpx.Client(base_url=url, timeout=60)
    json_headers = {"content-type": "application/json"}
    # Written the way Keras' floats print, a million epochs is more than the 10 MB body limit.
    long = _epochs_json(1_000_000, 16)
    assert len(long) > 10 * 1024 * 1024
    assert_problem(client.post("/v1/histories", content=long, headers=json_headers), 413, "payload-too-large")
    # Written tersely it is 2 MB: under the limit, and refused for its length.
    terse = _epochs_json(1_000_000, 0)
    body = assert_problem(
        client.post("/v1/histories", content=terse, headers=json_headers), 422, "invalid-history"
    )
    assert f"at most {MAX_EPOCHS}" in body["detail"]
    upload = client.post("/v1/histories", files={"file": ("history.json", terse, "application/json")})
    assert f"at most {MAX_EPOCHS}" in assert_problem(upload, 422, "invalid-history")["detail"]
    csv = b"epoch,loss\n" + b"".join(b"%d,1\n" % i for i in range(1_000_000))
    as_csv = client.post("/v1/histories", content=csv, headers={"content-type": "text/csv"})
    assert 400 <= as_csv.status_code < 500, as_csv.text
    assert as_csv.headers["content-type"].startswith("application/problem+json")
    client.close()


def test_a_live_run_stops_at_the_epoch_limit(url: str) -> None:
    with httpx.Client(base_url=url, timeout=60) as client:
        million = b"[" + b",".join([b'{"loss":1}'] * 1_000_000) + b"]"
        too_big = client.post(
            "/v1/runs/hostile/epochs", content=million, headers={"content-type": "application/json"}
        )
        assert_problem(too_big, 413, "payload-too-large")
        full = b"[" + b",".join([b'{"loss":1}'] * MAX_EPOCHS) + b"]"
        filled = client.post(
            "/v1/runs/hostile/epochs", content=full, headers={"content-type": "application/json"}
        )
        assert filled.status_code == 200, filled.text
        assert filled.json()["epochs"] == MAX_EPOCHS
        one_more = client.post("/v1/runs/hostile/epochs", json={"loss": 1})
        assert f"at most {MAX_EPOCHS}" in assert_problem(one_more, 422, "invalid-history")["detail"]
