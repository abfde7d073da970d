"""Platform integration: Idempotency-Key, signed webhooks with retries, Server-Sent Events,
and the Python client — against the real service and worker."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import httpx
import pytest

from convdiag.client import AsyncClient, Client
from convdiag.settings import Settings, hash_api_key
from convdiag.webhooks import SIGNATURE_HEADER, verify
from testkit import histories
from testkit.support import celery_worker, free_port, redis_server, serve_app, wait_until
from tests.conftest import KEY_ACME, KEY_PAGER, WEBHOOK_SECRET


def test_same_idempotency_key_and_body_is_the_same_job(acme: httpx.Client, globex: httpx.Client) -> None:
    body = {"history": histories.healthy()}
    first = acme.post("/v1/histories", json=body, headers={"Idempotency-Key": "k-same-1"})
    again = acme.post("/v1/histories", json=body, headers={"Idempotency-Key": "k-same-1"})
    assert first.status_code == again.status_code == 202
    assert first.json()["id"] == again.json()["id"]
    other = acme.post(
        "/v1/histories", json={"history": histories.overfitting()}, headers={"Idempotency-Key": "k-same-1"}
    )
    assert other.status_code == 422
    assert other.json()["type"] == "urn:convdiag:problem:idempotency-conflict"
    # Keys are per tenant: another tenant's same key is its own request.
    theirs = globex.post("/v1/histories", json=body, headers={"Idempotency-Key": "k-same-1"})
    assert theirs.status_code == 202
    assert theirs.json()["id"] != first.json()["id"]


class _Receiver(BaseHTTPRequestHandler):
    answers: ClassVar[list[int]] = []
    received: ClassVar[list[tuple[dict[str, str], bytes]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["content-length"]))
        type(self).received.append((dict(self.headers), body))
        self.send_response(type(self).answers.pop(0) if type(self).answers else 200)
        self.end_headers()

    def log_message(self, *_: object) -> None:
        return


@pytest.fixture
def receiver() -> Iterator[tuple[str, type[_Receiver]]]:
    handler = type("Receiver", (_Receiver,), {"answers": [500], "received": []})
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", handler
    server.shutdown()


def test_webhook_is_signed_retried_and_recorded(acme: httpx.Client, receiver) -> None:
    url, handler = receiver
    job = acme.post(
        "/v1/histories", params={"callback_url": url}, json={"history": histories.overfitting()}
    ).json()
    final = wait_until(
        lambda: (j := acme.get(f"/v1/jobs/{job['id']}").json()) and len(j["deliveries"]) >= 2 and j,
        30,
        "two webhook deliveries",
    )
    assert [d["status_code"] for d in final["deliveries"]] == [500, 200]
    headers, body = handler.received[-1]
    assert verify(WEBHOOK_SECRET, headers[SIGNATURE_HEADER], body)
    assert not verify("another-secret", headers[SIGNATURE_HEADER], body)
    delivered = json.loads(body)
    assert delivered["id"] == job["id"]
    assert delivered["status"] == "succeeded"
    assert "overfitting" in {f["code"] for f in delivered["diagnosis"]["findings"]}


def test_callback_targets_are_checked(tmp_path: Path) -> None:
    key = "hooks-key-0123456789"
    settings = Settings(
        redis_url=None, data_dir=tmp_path, api_keys={hash_api_key(key): "t"}, webhook_secrets={"t": "s"}
    )  # private targets NOT allowed
    with (
        serve_app(settings) as url,
        httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}) as c,
    ):
        for target, needle in [
            ("http://127.0.0.1:9/hook", "not a public address"),
            ("http://169.254.169.254/latest", "not a public address"),
            ("http://10.0.0.5/hook", "not a public address"),
            ("http://[64:ff9b::a9fe:a9fe]/latest", "NAT64"),  # 169.254.169.254 through NAT64
            ("http://[64:ff9b:1::a00:5]/hook", "NAT64"),
            ("http://[2002:7f00:1::1]/hook", "6to4"),
            ("http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/hook", "Teredo"),
            ("http://[::ffff:127.0.0.1]/hook", "not a public address"),
            ("ftp://example.org/x", "http(s)"),
        ]:
            response = c.post(
                "/v1/histories", params={"callback_url": target}, json={"history": histories.healthy()}
            )
            assert response.status_code == 422, target
            assert response.json()["type"] == "urn:convdiag:problem:invalid-callback-url"
            assert needle in response.json()["detail"]


def test_tenant_without_a_webhook_secret_cannot_set_a_callback(globex: httpx.Client) -> None:
    response = globex.post(
        "/v1/histories",
        params={"callback_url": "http://127.0.0.1:9/x"},
        json={"history": histories.healthy()},
    )
    assert response.status_code == 422
    assert "no webhook secret" in response.json()["detail"]


def test_server_sent_events_follow_the_job(acme: httpx.Client) -> None:
    job = acme.post("/v1/histories", json={"history": histories.healthy()}).json()
    events = []
    with acme.stream("GET", f"/v1/jobs/{job['id']}/events") as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        kind = None
        for line in stream.iter_lines():
            if line.startswith("event:"):
                kind = line.split(":", 1)[1].strip()
            elif line.startswith("data:"):
                events.append((kind, json.loads(line.split(":", 1)[1])))
    assert events[0][0] == "progress"
    assert events[-1][0] == "done"
    assert events[-1][1]["status"] == "succeeded"
    assert events[-1][1]["diagnosis"]["healthy"] is True
    assert all("diagnosis" not in data for kind, data in events if kind == "progress")


def test_events_of_another_tenants_job_are_404(acme: httpx.Client, globex: httpx.Client) -> None:
    job = acme.post("/v1/histories", json={"history": histories.healthy()}).json()
    assert globex.get(f"/v1/jobs/{job['id']}/events").status_code == 404


class _FlakyProxy(BaseHTTPRequestHandler):
    """Forwards to the API, but answers the first POST with 503 after the API accepted it:
    the client sees a failure for a job that exists, the case Idempotency-Key is for."""

    target = ""
    failed_once = False

    def _forward(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in {"host", "content-length"}}
        upstream = httpx.request(self.command, type(self).target + self.path, content=body, headers=headers)
        if self.command == "POST" and not type(self).failed_once:
            type(self).failed_once = True
            self.send_response(503)
            self.send_header("Retry-After", "0")
            self.end_headers()
            return
        self.send_response(upstream.status_code)
        self.send_header("content-type", upstream.headers.get("content-type", "application/json"))
        self.send_header("content-length", str(len(upstream.content)))
        self.end_headers()
        self.wfile.write(upstream.content)

    do_GET = do_POST = do_DELETE = _forward

    def log_message(self, *_: object) -> None:
        return


def test_client_retry_after_a_lost_response_makes_one_job(api_url: str, pager: httpx.Client) -> None:
    handler = type("Proxy", (_FlakyProxy,), {"target": api_url, "failed_once": False})
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        before = {j["id"] for j in pager.get("/v1/jobs", params={"limit": 100}).json()["items"]}
        with Client(f"http://127.0.0.1:{server.server_address[1]}", KEY_PAGER, backoff=0.01) as client:
            job = client.submit_history(histories.healthy(), wait=10)
        assert handler.failed_once
        after = {j["id"] for j in pager.get("/v1/jobs", params={"limit": 100}).json()["items"]}
        assert after - before == {job.id}
    finally:
        server.shutdown()


def test_sync_client_round_trip(api_url: str) -> None:
    with Client(api_url, KEY_ACME) as client:
        job = client.submit_history(histories.overfitting(), metadata={"num_samples": 5000}, wait=10)
        assert job.status.value == "succeeded"
        assert client.get_job(job.id).diagnosis == job.diagnosis
        queued = client.submit_history(histories.healthy())
        assert client.wait(queued.id, timeout=20).status.value == "succeeded"
        assert any(j.id == job.id for j in client.iter_jobs(page_size=5))


def test_async_client_round_trip(api_url: str) -> None:
    async def scenario() -> tuple[str, str]:
        async with AsyncClient(api_url, KEY_ACME) as client:
            job = await client.submit_history(histories.nan_loss())
            done = await client.wait(job.id, timeout=20)
            assert done.diagnosis is not None
            return done.status.value, done.diagnosis.findings[0].code

    assert asyncio.run(scenario()) == ("succeeded", "loss_nan")


def test_client_errors_are_one_line(api_url: str) -> None:
    with Client(api_url, "wrong-key", retries=0) as client, pytest.raises(Exception, match="HTTP 401"):
        client.get_job("x")
    started = time.monotonic()
    with (
        Client(f"http://127.0.0.1:{free_port()}", retries=1, backoff=0.01) as client,
        pytest.raises(Exception, match="cannot reach"),
    ):
        client.get_job("x")
    assert time.monotonic() - started < 10


class _Drip(BaseHTTPRequestHandler):
    """Takes the delivery, then answers one byte every DRIP seconds for a minute: each read
    the sender makes succeeds, so only a deadline on the whole attempt ends it."""

    DRIP = 0.25
    connected = threading.Event()
    cut_after: ClassVar[list[float]] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["content-length"]))
        started = time.monotonic()
        type(self).connected.set()
        answer = b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 240
        try:
            for byte in answer:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(self.DRIP)
        except OSError:
            type(self).cut_after.append(time.monotonic() - started)

    def log_message(self, *_: object) -> None:
        return


def test_history_jobs_finish_while_a_webhook_receiver_drips(tmp_path: Path) -> None:
    deadline = 8.0
    handler = type("Drip", (_Drip,), {"connected": threading.Event(), "cut_after": []})
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    hook = f"http://127.0.0.1:{server.server_address[1]}/hook"
    with redis_server(tmp_path) as redis_url:
        settings = Settings(
            redis_url=redis_url,
            data_dir=tmp_path,
            webhook_secrets={"local": "s"},
            webhook_allow_private=True,
            webhook_timeout_seconds=deadline,
            webhook_max_attempts=1,
            inline_history_max_bytes=0,  # every history through the light queue
        )
        # As docker-compose runs them: diagnoses and deliveries on workers of their own.
        with (
            celery_worker(settings, queues="light", log=tmp_path / "light.log"),
            celery_worker(settings, queues="webhooks", log=tmp_path / "webhooks.log"),
            serve_app(settings) as url,
            httpx.Client(base_url=url, timeout=30) as client,
        ):
            warm = client.post("/v1/histories", params={"wait": 20}, json={"history": histories.healthy()})
            assert warm.status_code == 200, warm.text
            hooked = client.post(
                "/v1/histories", params={"callback_url": hook}, json={"history": histories.overfitting()}
            ).json()
            assert handler.connected.wait(20), (tmp_path / "webhooks.log").read_text()[-2000:]
            dripping_since = time.monotonic()
            for seed in range(3):
                done = client.post(
                    "/v1/histories", params={"wait": 20}, json={"history": histories.plateau(seed=seed)}
                )
                assert done.status_code == 200, done.text
                assert done.json()["status"] == "succeeded"
            # All three finished while the delivery was still being dripped to.
            assert time.monotonic() - dripping_since < deadline
            assert handler.cut_after == []
            job = wait_until(
                lambda: (j := client.get(f"/v1/jobs/{hooked['id']}").json())["deliveries"] and j,
                deadline + 15,
                "the delivery attempt to be recorded",
            )
    server.shutdown()
    (delivery,) = job["deliveries"]
    assert delivery["status_code"] is None
    assert f"deadline of {deadline:g} s" in delivery["error"]
    # Cut at the deadline, not after the minute the receiver would take.
    assert deadline * 1000 * 0.9 < delivery["duration_ms"] < (deadline + 3) * 1000
