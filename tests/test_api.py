"""The HTTP API against a real Redis and a real Celery worker."""

from __future__ import annotations

import json
import time

import httpx
import pytest
import redis

from testkit import histories
from testkit.support import assert_problem
from tests.diagnosis import writers


def test_post_history_and_wait_returns_the_diagnosis(acme: httpx.Client) -> None:
    response = acme.post("/v1/histories", params={"wait": 20}, json={"history": histories.overfitting()})
    assert response.status_code == 200, response.text
    job = response.json()
    assert response.headers["location"] == f"/v1/jobs/{job['id']}"
    assert job["status"] == "succeeded"
    assert job["progress"] == 1.0
    assert job["attempts"] == 1
    codes = [f["code"] for f in job["diagnosis"]["findings"]]
    assert "overfitting" in codes
    finding = job["diagnosis"]["findings"][codes.index("overfitting")]
    assert finding["severity"] == "warning"
    assert finding["evidence"]["onset_epoch"] > 5
    assert finding["recommendation"]


def test_post_without_wait_is_202_and_job_can_be_polled(acme: httpx.Client) -> None:
    response = acme.post("/v1/histories", json={"history": histories.healthy()})
    assert response.status_code == 202
    job = response.json()
    assert job["status"] in {"queued", "running", "succeeded"}
    for _ in range(200):
        job = acme.get(response.headers["location"]).json()
        if job["status"] == "succeeded":
            break
        time.sleep(0.05)
    assert job["status"] == "succeeded"
    assert job["diagnosis"]["healthy"] is True
    assert job["started_at"] >= job["created_at"]


def test_multipart_upload_with_metadata(acme: httpx.Client) -> None:
    files = {"file": ("history.json", json.dumps(histories.nan_loss()).encode(), "application/json")}
    response = acme.post(
        "/v1/histories",
        params={"wait": 20},
        files=files,
        data={"metadata": json.dumps({"learning_rate": 0.1})},
    )
    assert response.status_code == 200, response.text
    nan = next(f for f in response.json()["diagnosis"]["findings"] if f["code"] == "loss_nan")
    assert nan["severity"] == "error"
    assert nan["fix"]["learning_rate"] == pytest.approx(0.01)


def test_unknown_job_is_404(acme: httpx.Client) -> None:
    assert_problem(acme.get("/v1/jobs/does-not-exist"), 404, "job-not-found")


def test_other_tenants_job_is_404_for_read_and_cancel(acme: httpx.Client, globex: httpx.Client) -> None:
    job = acme.post("/v1/histories", json={"history": histories.healthy()}).json()
    assert_problem(globex.get(f"/v1/jobs/{job['id']}"), 404, "job-not-found")
    assert_problem(globex.delete(f"/v1/jobs/{job['id']}"), 404, "job-not-found")
    assert job["id"] not in [j["id"] for j in globex.get("/v1/jobs", params={"limit": 100}).json()["items"]]
    assert acme.get(f"/v1/jobs/{job['id']}").status_code == 200


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong-key"}, {"Authorization": "Basic abc"}],
    ids=["missing", "wrong", "not-bearer"],
)
def test_auth_is_required(api_url: str, headers: dict[str, str]) -> None:
    response = httpx.post(f"{api_url}/v1/histories", json={"history": histories.healthy()}, headers=headers)
    assert_problem(response, 401, "unauthorized")
    assert response.headers["www-authenticate"] == "Bearer"


def test_list_is_newest_first_and_paginates(pager: httpx.Client) -> None:
    ids = [pager.post("/v1/histories", json={"history": histories.healthy()}).json()["id"] for _ in range(5)]
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = pager.get("/v1/jobs", params=params).json()
        assert len(page["items"]) <= 2
        seen += [job["id"] for job in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(ids))
    assert_problem(pager.get("/v1/jobs", params={"cursor": "!!"}), 422, "invalid-request")


def _snapshot(r: redis.Redis) -> set[bytes]:
    return set(r.keys("convdiag:job:*")) | {k for k in r.keys("*") if r.type(k) == b"list" and r.llen(k)}


@pytest.mark.parametrize(
    ("content", "content_type", "needle"),
    [
        (b"{not json", "application/json", "invalid JSON"),
        (b"{}", "application/json", "no metrics"),
        (b'{"history": {}}', "application/json", "no metrics"),
        (b'{"loss": []}', "application/json", "no epochs"),
        (b'{"loss": [1, "a"]}', "application/json", "non-numeric"),
        (b'{"loss": [1, 2, 3], "val_loss": [1, 2]}', "application/json", "different lengths"),
        (b'{"loss": 3}', "application/json", "must be a list"),
        (b'[1, "a"]', "application/json", "non-numeric"),
        (b"[" * 100 + b"]" * 100, "application/json", "nested deeper"),
        (b'{"history": {"loss": [1]}, "metadata": {"batch_size": -1}}', "application/json", "batch_size"),
        (b"\xff\xfe\x00", "application/json", "UTF-8"),
        (b"", "application/json", "empty"),
        (b"epoch,loss,val_loss\n0,1\n", "text/csv", "line 2: 2 cells where the header has 3"),
        (b"loss,val_loss\nabc,def\n", "text/csv", "header row of metric names over rows of numbers"),
        (b"Epoch 1/3\nKilled\n", "text/plain", "no finished epoch"),
        (b"Training started\n", "text/plain", "found no training epochs"),
        (b"\x00\x01garbage\xff", "application/octet-stream", "not UTF-8"),
        (writers.zipped({"../train/x.tfevents": b""}), "application/zip", "'..'"),
        (b"\x1f\x8b\x08broken", "application/gzip", "gzip data is corrupt"),
    ],
    ids=[
        "invalid-json",
        "empty-object",
        "empty-history",
        "no-epochs",
        "non-numeric",
        "lengths",
        "not-a-list",
        "list-not-numbers",
        "deep",
        "bad-metadata",
        "binary",
        "empty-body",
        "csv-ragged",
        "csv-no-numbers",
        "log-no-finished-epoch",
        "log-no-epochs",
        "event-file-garbage",
        "zip-escaping-member",
        "gzip-corrupt",
    ],
)
def test_bad_history_is_422_and_nothing_is_stored(
    acme: httpx.Client, redis_client: redis.Redis, content: bytes, content_type: str, needle: str
) -> None:
    before = _snapshot(redis_client)
    response = acme.post("/v1/histories", content=content, headers={"content-type": content_type})
    body = assert_problem(response, 422, "invalid-history")
    assert needle in body["detail"]
    assert _snapshot(redis_client) == before


def test_unknown_content_type_is_415(acme: httpx.Client, redis_client: redis.Redis) -> None:
    before = _snapshot(redis_client)
    response = acme.post("/v1/histories", content=b"<loss/>", headers={"content-type": "application/xml"})
    body = assert_problem(response, 415, "unsupported-media-type")
    assert "text/csv" in body["detail"]
    assert _snapshot(redis_client) == before


def _fixture(name: str) -> bytes:
    return (writers.FIXTURES / name).read_bytes()


_TRAIN_EVENT_FILE = next(writers.TENSORBOARD.glob("run-1/train/*")).relative_to(writers.FIXTURES).as_posix()


@pytest.mark.parametrize(
    ("content", "content_type", "epochs"),
    [
        (_fixture("csvlogger_semicolon.csv"), "text/csv", [4]),
        (_fixture("keras3_verbose1.log"), "text/plain", [3, 4]),
        (_fixture("keras2_verbose2.log"), "text/plain", [3, 2]),
        (_fixture(_TRAIN_EVENT_FILE), "application/octet-stream", [3]),
        (writers.zipped(writers.tensorboard_fixture()), "application/zip", [3, 3]),
        (writers.tarred(writers.tensorboard_fixture()), "application/gzip", [3, 3]),
        (b'{"runs": [{"loss": [3, 2]}, {"history": {"loss": [1, 0.5, 0.2]}}]}', "application/json", [2, 3]),
    ],
    ids=["csv", "keras3-log", "keras2-log", "event-file", "log-dir-zip", "log-dir-tar-gz", "runs-json"],
)
def test_every_format_is_diagnosed_run_by_run(
    acme: httpx.Client, content: bytes, content_type: str, epochs: list[int]
) -> None:
    response = acme.post(
        "/v1/histories", params={"wait": 20}, content=content, headers={"content-type": content_type}
    )
    assert response.status_code == 200, response.text
    diagnosis = response.json()["diagnosis"]
    # The last run on top, the earlier ones under `runs`, oldest first.
    assert [run["run"]["epochs"] for run in diagnosis["runs"]] + [diagnosis["run"]["epochs"]] == epochs


def test_multipart_file_of_any_format_with_its_name_as_hint(acme: httpx.Client) -> None:
    # The second run of this log overflows to inf, then nan: the worker must see those epochs.
    files = {"file": ("train.log", _fixture("keras3_verbose2.log"), "application/octet-stream")}
    response = acme.post(
        "/v1/histories", params={"wait": 20}, files=files, data={"metadata": json.dumps({"batch_size": 16})}
    )
    assert response.status_code == 200, response.text
    diagnosis = response.json()["diagnosis"]
    assert "loss_nan" in [f["code"] for f in diagnosis["findings"]]
    assert diagnosis["run"]["epochs"] == 4
    assert len(diagnosis["runs"]) == 1


def test_oversize_body_is_413(acme: httpx.Client, redis_client: redis.Redis, settings) -> None:
    before = _snapshot(redis_client)
    big = b'{"loss": [' + b"1.0," * (settings.max_body_bytes // 4) + b"1.0]}"
    assert_problem(
        acme.post("/v1/histories", content=big, headers={"content-type": "application/json"}),
        413,
        "payload-too-large",
    )

    def chunks():  # no Content-Length: the limit must hold on the streamed bytes too
        for start in range(0, len(big), 1 << 20):
            yield big[start : start + (1 << 20)]

    streamed = acme.post("/v1/histories", content=chunks(), headers={"content-type": "application/json"})
    assert_problem(streamed, 413, "payload-too-large")
    assert _snapshot(redis_client) == before


@pytest.mark.parametrize(
    ("path", "content_type"),
    [("/v1/runs", "application/json"), ("/v1/bundles", "multipart/form-data; boundary=x")],
    ids=["json-not-utf8", "broken-multipart"],
)
def test_undecodable_body_is_the_documented_invalid_request(
    acme: httpx.Client, path: str, content_type: str
) -> None:
    # FastAPI and Starlette answer these with their own 400; it must be a catalogue problem.
    response = acme.post(path, content=b"\xff\x03n\x1f*\x06", headers={"content-type": content_type})
    assert_problem(response, 422, "invalid-request")


def test_wait_above_limit_is_rejected(acme: httpx.Client) -> None:
    response = acme.post("/v1/histories", params={"wait": 31}, json={"history": histories.healthy()})
    assert_problem(response, 422, "invalid-request")


def test_unknown_route_is_problem_json(acme: httpx.Client) -> None:
    assert_problem(acme.get("/v1/nothing-here"), 404, "not-found")


def test_health_and_metrics(acme: httpx.Client) -> None:
    assert acme.get("/livez").json() == {"status": "ok", "checks": {}}
    ready = acme.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"job_store": "ok", "broker": "ok"}

    def finished() -> float:
        text = acme.get("/metrics").text
        line = next(
            x for x in text.splitlines() if x.startswith('convdiag_jobs_finished_total{status="succeeded"}')
        )
        return float(line.split()[-1])

    before = finished()
    acme.post("/v1/histories", params={"wait": 20}, json={"history": histories.healthy()})
    assert finished() == before + 1
    text = acme.get("/metrics").text
    assert 'convdiag_queue_depth{queue="light"}' in text
    assert "convdiag_job_duration_seconds_count" in text


def test_store_or_broker_down_is_503_with_retry_after(tmp_path) -> None:
    from convdiag.settings import Settings
    from testkit.support import free_port, serve_app

    dead = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    with serve_app(Settings(redis_url=dead, data_dir=tmp_path)) as url:
        posted = httpx.post(f"{url}/v1/histories", json={"history": histories.healthy()}, timeout=30)
        assert_problem(posted, 503, "unavailable")
        assert posted.headers["retry-after"] == "5"
        ready = httpx.get(f"{url}/readyz", timeout=30)
        body = assert_problem(ready, 503, "unavailable")
        assert "job_store" in body["detail"]
        assert "broker" in body["detail"]


def test_rate_limit_per_api_key_answers_429_with_retry_after(redis_url: str, tmp_path) -> None:
    from convdiag.settings import Settings, hash_api_key
    from testkit.support import serve_app

    keys = {"limited-key-a-0123456789": "ta", "limited-key-b-0123456789": "tb"}
    settings = Settings(
        redis_url=redis_url,  # counted in Redis, as every replica would
        data_dir=tmp_path,
        rate_limit="3/minute",
        api_keys={hash_api_key(k): t for k, t in keys.items()},
    )
    with serve_app(settings) as url:
        a, b = ({"Authorization": f"Bearer {k}"} for k in keys)
        answers = [httpx.get(f"{url}/v1/jobs", headers=a).status_code for _ in range(4)]
        assert answers == [200, 200, 200, 429]
        limited = httpx.get(f"{url}/v1/jobs", headers=a)
        body = assert_problem(limited, 429, "rate-limited")
        assert 1 <= int(limited.headers["retry-after"]) <= 60
        assert "3 per 1 minute" in body["detail"]
        assert httpx.get(f"{url}/v1/jobs", headers=b).status_code == 200  # another key has its own window
