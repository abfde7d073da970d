"""Small histories are diagnosed in the API process (service/inline.py), big ones and those
with a callback_url by a worker, and both give the same diagnosis."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import httpx

from convdiag.settings import Settings
from service.inline import QUEUE_PER_PROCESS, InlinePool, diagnose_history
from testkit import histories
from testkit.support import serve_app, wait_until
from tests.conftest import KEY_ACME


def _finished(client: httpx.Client, location: str) -> dict:
    done = wait_until(
        lambda: (job := client.get(location).json())["status"] in {"succeeded", "failed"} and job,
        30,
        f"{location} to finish",
    )
    assert isinstance(done, dict)
    return done


def test_a_small_history_is_finished_when_the_post_is_answered(acme: httpx.Client) -> None:
    response = acme.post("/v1/histories", json={"history": histories.overfitting()})
    assert response.status_code == 202
    job = response.json()
    assert job["status"] == "succeeded"
    assert job["attempts"] == 1
    assert job["created_at"] == job["started_at"] <= job["finished_at"]
    assert "overfitting" in {f["code"] for f in job["diagnosis"]["findings"]}
    assert acme.get(response.headers["location"]).json() == job


def test_a_big_history_goes_to_the_worker(acme: httpx.Client, settings: Settings) -> None:
    epochs = 4000  # four metrics of 4,000 epochs: well over 64 KiB as stored
    response = acme.post("/v1/histories", json={"history": histories.healthy(epochs=epochs)})
    assert response.status_code == 202
    assert len(response.request.content) > settings.inline_history_max_bytes
    assert response.json()["status"] == "queued"
    job = _finished(acme, response.headers["location"])
    assert job["status"] == "succeeded"
    assert job["diagnosis"]["run"]["epochs"] == epochs


def test_the_api_and_the_worker_diagnose_alike(acme: httpx.Client, settings: Settings, worker: Path) -> None:
    history = {"history": histories.noisy_validation()}
    inline = acme.post("/v1/histories", json=history).json()
    assert inline["status"] == "succeeded"
    # The same app sending every history to the session's worker.
    with (
        serve_app(settings.model_copy(update={"inline_history_max_bytes": 0})) as url,
        httpx.Client(base_url=url, headers={"Authorization": f"Bearer {KEY_ACME}"}, timeout=30) as client,
    ):
        queued = client.post("/v1/histories", json=history)
        assert queued.json()["status"] == "queued"
        by_worker = _finished(client, queued.headers["location"])
    assert by_worker["diagnosis"] == inline["diagnosis"]


def test_the_pool_takes_small_inputs_while_it_has_room() -> None:
    pool = InlinePool(processes=2, max_input_bytes=1000)
    assert pool.takes(1000)
    assert not pool.takes(1001)
    pool.pending = 2 * QUEUE_PER_PROCESS
    assert not pool.takes(10)


def _die(payload: bytes) -> None:
    """Ends the pool process it runs in, as the OOM killer would."""
    os._exit(1)


def test_a_pool_process_that_dies_hands_its_history_back_and_the_next_one_is_diagnosed() -> None:
    pool = InlinePool(processes=1, max_input_bytes=1000)
    payload = b'{"history": {"loss": [1.0, 0.5, 0.25]}}'

    async def twice() -> tuple[object, object]:
        try:
            lost = await pool.run(_die, payload)
            return lost, await pool.run(diagnose_history, payload)
        finally:
            await pool.close()

    lost, diagnosed = asyncio.run(twice())
    assert lost is None  # the caller queues the job instead
    assert diagnosed == diagnose_history(payload)
    assert pool.pending == 0
