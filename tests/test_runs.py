"""Live runs over HTTP: JSON epochs, RemoteMonitor's form body, idempotent retries."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest

from convdiag.client import Client
from testkit import histories
from tests.conftest import KEY_ACME


def _epochs(raw: dict[str, list[float]]) -> list[dict[str, float]]:
    names = list(raw)
    return [{"epoch": i, **{n: raw[n][i] for n in names}} for i in range(len(raw[names[0]]))]


def _run_id() -> str:
    return f"run-{uuid.uuid4().hex[:12]}"


def test_streamed_epochs_build_up_a_diagnosis(acme: httpx.Client) -> None:
    run_id = _run_id()
    epochs = _epochs(histories.overfitting())
    first = acme.post(f"/v1/runs/{run_id}/epochs", json=epochs[0])
    assert first.status_code == 200, first.text
    assert first.json()["epochs"] == 1
    for epoch in epochs[1:]:
        assert acme.post(f"/v1/runs/{run_id}/epochs", json=epoch).status_code == 200
    run = acme.get(f"/v1/runs/{run_id}").json()
    assert run["epochs"] == len(epochs)
    assert "overfitting" in {f["code"] for f in run["diagnosis"]["findings"]}


def test_remote_monitor_form_body_and_batches(acme: httpx.Client) -> None:
    run_id = _run_id()
    epochs = _epochs(histories.nan_loss())
    for epoch in epochs[:3]:  # exactly what RemoteMonitor sends: a form field 'data' with JSON
        response = acme.post(f"/v1/runs/{run_id}/epochs", data={"data": json.dumps(epoch)})
        assert response.status_code == 200, response.text
    rest = acme.post(f"/v1/runs/{run_id}/epochs", json=epochs[3:])  # a list appends in order
    assert rest.json()["epochs"] == len(epochs)
    assert rest.json()["diagnosis"]["findings"][0]["code"] == "loss_nan"


def test_resending_an_epoch_is_idempotent_and_contradicting_it_is_409(acme: httpx.Client) -> None:
    run_id = _run_id()
    url = f"/v1/runs/{run_id}/epochs"
    acme.post(url, json={"epoch": 0, "loss": 1.0})
    acme.post(url, json={"epoch": 1, "loss": 0.8})
    again = acme.post(url, json={"epoch": 1, "loss": 0.8})
    assert again.status_code == 200
    assert again.json()["epochs"] == 2
    conflict = acme.post(url, json={"epoch": 1, "loss": 0.5})
    assert conflict.status_code == 409
    assert conflict.json()["type"] == "urn:convdiag:problem:run-conflict"


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"epoch": 5, "loss": 1.0}, "before epoch 1"),
        ({"epoch": 1, "accuracy": 0.5}, "has metrics"),
        ({"epoch": 1, "loss": "high"}, "non-numeric"),
        ({"epoch": -1, "loss": 1.0}, "non-negative"),
        ({"epoch": 1}, "no metrics"),
        ([1, 2], "JSON object"),
    ],
)
def test_bad_epochs_are_422_and_change_nothing(acme: httpx.Client, body: object, needle: str) -> None:
    run_id = _run_id()
    acme.post(f"/v1/runs/{run_id}/epochs", json={"epoch": 0, "loss": 1.0})
    response = acme.post(f"/v1/runs/{run_id}/epochs", json=body)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert needle in response.json()["detail"]
    assert acme.get(f"/v1/runs/{run_id}").json()["epochs"] == 1


def test_create_run_with_metadata_then_duplicate_is_409(acme: httpx.Client) -> None:
    run_id = _run_id()
    created = acme.post("/v1/runs", json={"id": run_id, "metadata": {"num_samples": 40}})
    assert created.status_code == 201
    assert created.headers["location"] == f"/v1/runs/{run_id}"
    assert created.json()["diagnosis"] is None
    assert acme.post("/v1/runs", json={"id": run_id}).status_code == 409
    run = acme.post(f"/v1/runs/{run_id}/epochs", json=_epochs(histories.healthy(10))).json()
    assert "insufficient_data" in {f["code"] for f in run["diagnosis"]["findings"]}
    generated = acme.post("/v1/runs", json={}).json()["id"]
    assert acme.get(f"/v1/runs/{generated}").status_code == 200


def test_runs_are_per_tenant(acme: httpx.Client, globex: httpx.Client) -> None:
    run_id = _run_id()
    acme.post(f"/v1/runs/{run_id}/epochs", json={"epoch": 0, "loss": 1.0})
    assert globex.get(f"/v1/runs/{run_id}").status_code == 404
    globex.post(f"/v1/runs/{run_id}/epochs", json={"epoch": 0, "loss": 7.0})  # its own run
    assert acme.get(f"/v1/runs/{run_id}").json()["diagnosis"]["run"]["final"]["loss"] == 1.0


def test_runs_are_listed_newest_first_per_tenant(api_url: str, globex: httpx.Client) -> None:
    ids = [_run_id() for _ in range(3)]
    with Client(api_url, KEY_ACME) as client:
        for run_id, curves in zip(
            ids, (histories.healthy(), histories.overfitting(), histories.plateau()), strict=True
        ):
            client.append_epochs(run_id, _epochs(curves))
        globex.post(f"/v1/runs/{ids[0]}/epochs", json=_epochs(histories.nan_loss()))  # globex's own
        # Pages of two: the three runs span at least two of them.
        listed = [run for run in client.iter_runs(page_size=2) if run.id in ids]
        assert [run.id for run in listed] == ids[::-1]
        for summary in listed:
            run = client.get_run(summary.id)
            assert run.diagnosis is not None
            assert (summary.status, summary.headline) == (
                run.diagnosis.verdict.status,
                run.diagnosis.verdict.headline,
            )
            assert summary.epochs == run.epochs
    theirs = {item["id"]: item for item in globex.get("/v1/runs", params={"limit": 100}).json()["items"]}
    assert ids[0] in theirs
    assert not {ids[1], ids[2]} & set(theirs)
    assert theirs[ids[0]]["epochs"] == len(histories.nan_loss()["loss"])


def test_bad_run_id_and_unknown_run(acme: httpx.Client) -> None:
    assert acme.post("/v1/runs/-bad/epochs", json={"loss": 1.0}).status_code == 422
    missing = acme.get(f"/v1/runs/{_run_id()}")
    assert missing.status_code == 404
    assert missing.json()["type"] == "urn:convdiag:problem:run-not-found"


def test_stock_keras_remote_monitor_streams_a_real_training_run(api_url: str) -> None:
    """A real Keras model, trained with the unmodified RemoteMonitor callback."""
    import numpy as np
    from keras import Sequential, callbacks, layers, utils

    utils.set_random_seed(0)
    x = np.random.default_rng(0).normal(size=(128, 4)).astype("float32")
    y = (x.sum(axis=1) > 0).astype("float32")
    model = Sequential(
        [layers.Input((4,)), layers.Dense(8, activation="relu"), layers.Dense(1, activation="sigmoid")]
    )
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    run_id = _run_id()
    # The path is all RemoteMonitor lets you set: the metadata rides on it.
    path = f"/v1/runs/{run_id}/epochs?task=binary&num_samples=96&batch_size=32&hidden_units=8"
    monitor = callbacks.RemoteMonitor(
        root=api_url, path=path, headers={"Authorization": f"Bearer {KEY_ACME}"}
    )
    history = model.fit(x, y, epochs=6, validation_split=0.25, verbose=0, callbacks=[monitor])
    run = httpx.get(f"{api_url}/v1/runs/{run_id}", headers={"Authorization": f"Bearer {KEY_ACME}"}).json()
    assert run["epochs"] == 6
    assert set(run["metrics"]) == set(history.history)
    assert run["diagnosis"]["run"]["final"]["loss"] == pytest.approx(history.history["loss"][-1], rel=1e-5)
    assert {k: run["metadata"][k] for k in ("task", "num_samples", "batch_size", "hidden_units")} == {
        "task": "binary",
        "num_samples": 96,
        "batch_size": 32,
        "hidden_units": [8],
    }


def test_metadata_in_the_query_and_a_reused_id_is_a_clear_409(acme: httpx.Client) -> None:
    run_id = _run_id()
    url = f"/v1/runs/{run_id}/epochs"
    first = acme.post(
        url, params={"learning_rate": "0.01", "optimizer": "adam"}, json={"epoch": 0, "loss": 1.0}
    )
    assert first.status_code == 200, first.text
    assert first.json()["metadata"]["learning_rate"] == 0.01
    # The same query on every epoch, as RemoteMonitor sends it, is fine.
    assert acme.post(url, params={"learning_rate": "0.01"}, json={"epoch": 1, "loss": 0.8}).status_code == 200
    other = acme.post(url, params={"learning_rate": "0.1"}, json={"epoch": 2, "loss": 0.7})
    assert other.status_code == 409
    assert "learning_rate" in other.json()["detail"]
    # A second training on the same id starts again at epoch 0 with other values.
    again = acme.post(url, json={"epoch": 0, "loss": 2.5})
    assert again.status_code == 409
    assert "new run id" in again.json()["detail"]
    assert acme.get(f"/v1/runs/{run_id}").json()["epochs"] == 2
    for params, needle in (
        ({"colour": "red"}, "unknown query parameter"),
        ({"batch_size": "-1"}, "batch_size"),
        ({"learning_rate": "inf"}, "finite"),
    ):
        bad = acme.post(f"/v1/runs/{_run_id()}/epochs", params=params, json={"epoch": 0, "loss": 1.0})
        assert bad.status_code == 422
        assert needle in bad.json()["detail"]


def test_a_live_run_has_a_report_that_follows_its_epochs(acme: httpx.Client) -> None:
    run_id = _run_id()
    epochs = _epochs(histories.overfitting())
    acme.post(f"/v1/runs/{run_id}/epochs", json=epochs[:5])
    early = acme.get(f"/v1/runs/{run_id}/report")
    assert early.status_code == 200, early.text
    assert early.headers["content-type"].startswith("text/html")
    assert "(5 epochs)" in early.text
    acme.post(f"/v1/runs/{run_id}/epochs", json=epochs[5:])
    page = acme.get(f"/v1/runs/{run_id}/report").text
    assert f"({len(epochs)} epochs)" in page
    assert "<svg" in page
    run = acme.get(f"/v1/runs/{run_id}").json()
    for finding in run["diagnosis"]["findings"]:
        assert f'data-code="{finding["code"]}"' in page
    assert acme.get(f"/v1/runs/{_run_id()}/report").status_code == 404
    empty = acme.post("/v1/runs", json={}).json()["id"]
    assert acme.get(f"/v1/runs/{empty}/report").status_code == 409
