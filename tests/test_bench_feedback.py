"""benchmarks/bench_feedback.py: feedback given over HTTP (the app in-process over the embedded
store) is read back from the store as labelled runs, and the engine is scored on them."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from benchmarks.bench_feedback import score
from convdiag.jobs import open_store
from convdiag.settings import Settings
from diagnosis.taxonomy import HISTORY_BLIND
from service.main import create_app
from testkit import histories


def test_feedback_becomes_a_labelled_set_the_engine_is_scored_on(tmp_path: Path) -> None:
    settings = Settings(redis_url=None, data_dir=tmp_path, local_tenant="open")
    # A cause no history can show: the engine cannot agree with a user who names it.
    unseen = sorted(HISTORY_BLIND)[0].value
    said = {
        "plateau": {"verdict_right": True, "fix_helped": True},
        "healthy": {"verdict_right": True},
        "overfitting": {"verdict_right": False, "fix_helped": False, "actual_cause": unseen},
        "noisy_validation": {"verdict_right": False},
    }
    with TestClient(create_app(settings)) as client:
        for name, feedback in said.items():
            history = getattr(histories, name)()
            job = client.post("/v1/histories", params={"wait": 20}, json={"history": history}).json()
            assert job["status"] == "succeeded", job
            assert client.post(f"/v1/jobs/{job['id']}/feedback", json=feedback).status_code == 200
        # A job without feedback is not in the set.
        client.post("/v1/histories", params={"wait": 20}, json={"history": histories.healthy()})

    numbers = score(open_store(settings))

    assert numbers == {
        "feedback": 4,
        "verdict_right": 2,
        "fix_tried": 2,
        "fix_helped": 1,
        # The "wrong" without an actual cause labels nothing.
        "labelled": 3,
        "rescored": 3,
        # The same engine agrees with the two verdicts users confirmed, not with the unseen cause.
        "engine_agrees": 2,
    }
