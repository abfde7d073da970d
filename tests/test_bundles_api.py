"""Bundles over HTTP: upload, the probes queue, a real worker, and hostile uploads."""

from __future__ import annotations

import time
import zipfile
from pathlib import Path

import httpx
import pytest

from convdiag.settings import Settings
from testkit.bundles import blobs, make_bundle, mlp
from testkit.support import serve_app


@pytest.fixture(scope="module")
def healthy_bundle(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    import keras

    keras.utils.set_random_seed(0)
    x, y = blobs(n=400)
    model = mlp(8, 3)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    path = make_bundle(tmp_path_factory.mktemp("b") / "ok.zip", model, x, y, training={"epochs": 4})
    return path.read_bytes()


def test_bundle_is_probed_by_the_worker_and_its_file_released(
    acme: httpx.Client, settings: Settings, healthy_bundle: bytes
) -> None:
    response = acme.post(
        "/v1/bundles", params={"wait": 30}, files={"bundle": ("ok.zip", healthy_bundle, "application/zip")}
    )
    assert response.status_code in {200, 202}, response.text
    job = response.json()
    assert job["kind"] == "bundle"
    for _ in range(120):
        if job["status"] in {"succeeded", "failed"}:
            break
        job = acme.get(f"/v1/jobs/{job['id']}", params={}).json()
        time.sleep(0.5)
    assert job["status"] == "succeeded", job.get("error")
    assert job["diagnosis"]["probes"]["overfit_one_batch"]["memorized"] is True
    assert list(settings.bundles_path.glob("*.zip")) == []  # released once final


def test_lambda_model_fails_the_job_with_a_clear_error(acme: httpx.Client, tmp_path: Path) -> None:
    import keras

    model = keras.Sequential(
        [keras.layers.Input((8,)), keras.layers.Lambda(lambda t: t + 1), keras.layers.Dense(3)]
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    x, y = blobs(n=50)
    data = make_bundle(tmp_path / "lambda.zip", model, x, y).read_bytes()
    response = acme.post(
        "/v1/bundles", params={"wait": 30}, content=data, headers={"content-type": "application/zip"}
    )
    job = response.json()
    assert job["status"] == "failed", job
    assert job["error"]["type"] == "urn:convdiag:problem:invalid-bundle"
    assert "Lambda layer" in job["error"]["detail"]


def test_zip_traversal_fails_the_job(acme: httpx.Client, tmp_path: Path, healthy_bundle: bytes) -> None:
    path = tmp_path / "evil.zip"
    path.write_bytes(healthy_bundle)
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("../../evil.txt", "x")
    job = acme.post(
        "/v1/bundles",
        params={"wait": 30},
        content=path.read_bytes(),
        headers={"content-type": "application/zip"},
    ).json()
    assert job["status"] == "failed"
    assert "unsafe path" in job["error"]["detail"]


@pytest.mark.parametrize(("content", "needle"), [(b"", "empty"), (b"not a zip at all", "not a zip")])
def test_not_a_zip_is_422_before_queueing(
    acme: httpx.Client, settings: Settings, content: bytes, needle: str
) -> None:
    before = set(settings.bundles_path.glob("*")) if settings.bundles_path.exists() else set()
    response = acme.post("/v1/bundles", content=content, headers={"content-type": "application/zip"})
    assert response.status_code == 422
    assert response.json()["type"] == "urn:convdiag:problem:invalid-bundle"
    assert needle in response.json()["detail"]
    assert set(settings.bundles_path.glob("*")) == before


def test_oversize_bundle_is_413_and_leaves_no_file(tmp_path: Path) -> None:
    settings = Settings(redis_url=None, data_dir=tmp_path, max_bundle_bytes=64 * 1024)
    with serve_app(settings) as url:

        def stream():  # no Content-Length: counted as it arrives
            yield b"PK\x03\x04"
            for _ in range(100):
                yield b"\0" * 4096

        response = httpx.post(
            f"{url}/v1/bundles", content=stream(), headers={"content-type": "application/zip"}
        )
        assert response.status_code == 413
        assert list(settings.bundles_path.glob("*")) == []


def test_repeated_upload_with_the_same_key_is_one_job(acme: httpx.Client, settings: Settings) -> None:
    data = b"PK\x03\x04" + b"not really a bundle, the worker will say so"
    headers = {"content-type": "application/zip", "Idempotency-Key": "bundle-key-1"}
    first = acme.post("/v1/bundles", content=data, headers=headers).json()
    again = acme.post("/v1/bundles", content=data, headers=headers).json()
    assert first["id"] == again["id"]
    other = acme.post("/v1/bundles", content=data + b"!", headers=headers)
    assert other.status_code == 422
    job = acme.post("/v1/bundles", content=data, headers=headers, params={"wait": 30}).json()
    assert job["status"] == "failed"  # the worker's verdict on the one queued copy
    assert list(settings.bundles_path.glob("*.zip")) == []
