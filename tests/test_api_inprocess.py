"""The fast layer of the API tests: the app in-process over the embedded SQLite store, through
FastAPI's TestClient (no redis-server, no Celery worker, no uvicorn). Checks that answer before
anything is queued live here; test_api.py runs the same kind of requests against the real stack."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from convdiag.jobs import JobError, JobKind
from convdiag.settings import Settings, hash_api_key
from service.main import create_app
from testkit import histories
from testkit.support import assert_problem

KEY = "inprocess-test-key-0123456789abcdef"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(redis_url=None, data_dir=tmp_path, api_keys={hash_api_key(KEY): "acme"})
    with TestClient(create_app(settings), headers={"Authorization": f"Bearer {KEY}"}) as client:
        yield client


def test_a_malformed_cursor_is_an_invalid_request(client: TestClient) -> None:
    assert_problem(client.get("/v1/jobs", params={"cursor": "!!"}), 422, "invalid-request")


@pytest.mark.parametrize("limit", [0, -1, "ten"])
def test_a_limit_out_of_range_is_an_invalid_request(client: TestClient, limit: object) -> None:
    assert_problem(client.get("/v1/jobs", params={"limit": limit}), 422, "invalid-request")


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
