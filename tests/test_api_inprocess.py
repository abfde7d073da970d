"""The fast layer of the API tests: the app in-process over the embedded SQLite store, through
FastAPI's TestClient (no redis-server, no Celery worker, no uvicorn). Checks that answer before
anything is queued live here; test_api.py runs the same kind of requests against the real stack."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import convdiag.runs
from convdiag.jobs import JobError, JobKind
from convdiag.settings import Settings, hash_api_key
from diagnosis import Diagnosis, TrainingHistory, diagnose
from diagnosis.history import history_from_mapping
from service.main import create_app
from testkit import histories
from testkit.support import assert_problem

KEY = "inprocess-test-key-0123456789abcdef"
OTHER_KEY = "inprocess-other-key-0123456789abcdef"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    keys = {hash_api_key(KEY): "acme", hash_api_key(OTHER_KEY): "globex"}
    settings = Settings(redis_url=None, data_dir=tmp_path, api_keys=keys)
    with TestClient(create_app(settings), headers={"Authorization": f"Bearer {KEY}"}) as client:
        yield client


LISTS = ("/v1/jobs", "/v1/runs")


@pytest.mark.parametrize("path", LISTS)
def test_a_malformed_cursor_is_an_invalid_request(client: TestClient, path: str) -> None:
    assert_problem(client.get(path, params={"cursor": "!!"}), 422, "invalid-request")


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("limit", [0, -1, "ten"])
def test_a_limit_out_of_range_is_an_invalid_request(client: TestClient, path: str, limit: object) -> None:
    assert_problem(client.get(path, params={"limit": limit}), 422, "invalid-request")


def test_wait_above_limit_is_rejected(client: TestClient) -> None:
    response = client.post("/v1/histories", params={"wait": 31}, json={"history": histories.healthy()})
    assert_problem(response, 422, "invalid-request")


def test_an_empty_job_list_is_a_page_with_no_items(client: TestClient) -> None:
    response = client.get("/v1/jobs")
    assert response.status_code == 200
    assert response.json()["items"] == []


def test_unknown_content_type_is_415(client: TestClient) -> None:
    response = client.post("/v1/histories", content=b"<loss/>", headers={"content-type": "application/xml"})
    assert "text/csv" in assert_problem(response, 415, "unsupported-media-type")["detail"]


def test_a_missing_key_is_401(client: TestClient) -> None:
    response = client.get("/v1/jobs", headers={"Authorization": ""})
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")


def test_unknown_route_is_problem_json(client: TestClient) -> None:
    assert_problem(client.get("/v1/nothing-here"), 404, "not-found")


def test_the_page_lists_a_failed_job_with_its_reason(tmp_path: Path) -> None:
    """A failed job has no verdict; `/` shows why it failed instead (it once crashed the page)."""
    settings = Settings(redis_url=None, data_dir=tmp_path, local_tenant="open")
    with TestClient(create_app(settings)) as client:
        store = client.app.state.store  # type: ignore[attr-defined]
        job = store.create(
            tenant="open",
            kind=JobKind.bundle,
            payload=b"",
            outcome=JobError(type="urn:convdiag:problem:limit-exceeded", title="Limit", detail="over cap"),
        )
        page = client.get("/")
    assert page.status_code == 200
    assert job.id in page.text
    assert "over cap" in page.text


def _epochs(curves: dict[str, list[float]]) -> list[dict[str, float]]:
    return [
        {"epoch": i, **{name: values[i] for name, values in curves.items()}}
        for i in range(len(curves["loss"]))
    ]


def test_runs_are_listed_newest_first_in_pages_per_tenant(client: TestClient) -> None:
    shapes = (histories.healthy(), histories.overfitting(), histories.diverging(), histories.plateau())
    ids = [f"run-{i}" for i in range(len(shapes))]
    for run_id, curves in zip(ids, shapes, strict=True):
        assert client.post(f"/v1/runs/{run_id}/epochs", json=_epochs(curves)).status_code == 200
    assert client.post("/v1/runs", json={"id": "waiting"}).status_code == 201
    # Another tenant's run under one of the same ids is its own, and in its own list only.
    other = {"Authorization": f"Bearer {OTHER_KEY}"}
    client.post("/v1/runs/run-0/epochs", json=_epochs(histories.nan_loss()), headers=other)

    listed, cursor, pages = [], None, 0
    while True:
        page = client.get("/v1/runs", params={"limit": 2, **({"cursor": cursor} if cursor else {})}).json()
        listed += page["items"]
        pages += 1
        if (cursor := page["next_cursor"]) is None:
            break
    assert pages == 3
    assert [item["id"] for item in listed] == ["waiting", *reversed(ids)]
    assert (listed[0]["status"], listed[0]["headline"], listed[0]["epochs"]) == (None, None, 0)
    for item in listed[1:]:
        run = client.get(f"/v1/runs/{item['id']}").json()
        assert (item["status"], item["headline"]) == (
            run["diagnosis"]["verdict"]["status"],
            run["diagnosis"]["verdict"]["headline"],
        )
        assert {k: item[k] for k in ("epochs", "metrics", "created_at", "updated_at")} == {
            k: run[k] for k in ("epochs", "metrics", "created_at", "updated_at")
        }
        assert "diagnosis" not in item
    theirs = client.get("/v1/runs", headers=other).json()
    assert [(item["id"], item["epochs"]) for item in theirs["items"]] == [("run-0", 20)]
    assert theirs["next_cursor"] is None


def test_a_run_is_diagnosed_when_epochs_arrive_and_never_on_read(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []

    def counting(history: TrainingHistory) -> Diagnosis:
        calls.append(history.epochs)
        return diagnose(history)

    monkeypatch.setattr(convdiag.runs, "diagnose", counting)
    epochs = _epochs(histories.overfitting())
    client.post("/v1/runs/counted/epochs", json=epochs[:10])
    client.post("/v1/runs/counted/epochs", json=epochs[10:])
    client.post("/v1/runs/counted/epochs", json=epochs[-1])  # a retry: nothing new to diagnose
    assert calls == [10, len(epochs)]
    run = client.get("/v1/runs/counted").json()
    for path in ("/v1/runs", "/v1/runs/counted", "/v1/runs/counted/report"):
        assert client.get(path).status_code == 200
    assert calls == [10, len(epochs)]
    # What was stored is what diagnosing the run's epochs now says.
    fresh = diagnose(history_from_mapping(histories.overfitting(), {})).model_dump(mode="json")
    assert run["diagnosis"] == fresh
