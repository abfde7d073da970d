"""Feedback on a verdict, over HTTP against the real stack (Redis, a Celery worker, the app),
and through the client."""

from __future__ import annotations

import httpx
import pytest

from convdiag.client import ApiError, Client
from convdiag.jobs import FeedbackIn
from testkit import histories
from testkit.support import assert_problem
from tests.conftest import KEY_ACME


def _diagnosed(client: httpx.Client) -> dict:
    response = client.post("/v1/histories", params={"wait": 20}, json={"history": histories.overfitting()})
    assert response.status_code == 200, response.text
    return response.json()


def test_feedback_is_stored_with_the_job_for_its_tenant(acme: httpx.Client, globex: httpx.Client) -> None:
    job = _diagnosed(acme)
    said = {
        "verdict_right": False,
        "fix_helped": False,
        "actual_cause": "label_noise",
        "comment": "noisy labels",
    }
    response = acme.post(f"/v1/jobs/{job['id']}/feedback", json=said)
    assert response.status_code == 200, response.text
    stored = acme.get(f"/v1/jobs/{job['id']}").json()["feedback"]
    assert {k: stored[k] for k in said} == said
    assert stored["received_at"]
    # Another tenant cannot see or write it: the job does not exist for them.
    assert_problem(globex.post(f"/v1/jobs/{job['id']}/feedback", json=said), 404, "job-not-found")
    # Sending again replaces it.
    acme.post(f"/v1/jobs/{job['id']}/feedback", json={"verdict_right": True})
    again = acme.get(f"/v1/jobs/{job['id']}").json()["feedback"]
    assert again["verdict_right"] is True
    assert again["actual_cause"] is None


def test_bad_feedback_is_422_and_unfinished_jobs_take_none(acme: httpx.Client) -> None:
    job = _diagnosed(acme)
    for body in ({"verdict_right": "maybe"}, {"verdict_right": True, "actual_cause": "gremlins"}, {}):
        response = acme.post(f"/v1/jobs/{job['id']}/feedback", json=body)
        assert response.status_code == 422, body
        assert response.headers["content-type"].startswith("application/problem+json")
    # A job cancelled before it ran has no verdict to judge.
    queued = acme.post("/v1/histories", json={"history": histories.healthy()}).json()
    if acme.delete(f"/v1/jobs/{queued['id']}").status_code == 200:
        response = acme.post(f"/v1/jobs/{queued['id']}/feedback", json={"verdict_right": True})
        assert_problem(response, 409, "job-not-done")


def test_the_client_sends_feedback(api_url: str, acme: httpx.Client) -> None:
    job = _diagnosed(acme)
    with Client(api_url, KEY_ACME) as client:
        updated = client.send_feedback(job["id"], FeedbackIn(verdict_right=True, fix_helped=True))
        assert updated.feedback is not None
        assert updated.feedback.fix_helped is True
        with pytest.raises(ApiError) as raised:
            client.send_feedback("no-such-job", FeedbackIn(verdict_right=True))
        assert raised.value.status == 404
