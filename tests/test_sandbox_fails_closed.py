"""Where the sandbox cannot be set up, bundles are refused, never probed unprotected; and
`convdiag probe` runs its bundle in the same sandbox as the worker."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from convdiag.settings import Settings
from testkit.bundles import blobs, hostile_model, make_bundle, mlp
from testkit.support import ROOT, celery_worker, serve_app, settings_env

# A PATH with the interpreter's directory and nothing else: no bwrap, no prlimit.
NO_SANDBOX_PATH = str(Path(sys.executable).parent)


@pytest.fixture(scope="module")
def healthy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import keras

    keras.utils.set_random_seed(0)
    model = mlp(8, 3)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    x, y = blobs(n=300)
    return make_bundle(tmp_path_factory.mktemp("healthy") / "ok.zip", model, x, y, training={"epochs": 3})


def _probe_cli(bundle: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "convdiag", "probe", "--json", str(bundle)],
        env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


def test_the_cli_refuses_to_probe_without_the_sandbox(healthy: Path) -> None:
    started = time.monotonic()
    done = _probe_cli(healthy, {"PATH": NO_SANDBOX_PATH})
    assert done.returncode == 2
    assert done.stdout == ""
    errors = [line for line in done.stderr.splitlines() if line.startswith("convdiag: error:")]
    assert len(errors) == 1
    assert "was not probed: bubblewrap (bwrap) is not installed" in errors[0]
    assert time.monotonic() - started < 30  # refused before TensorFlow was ever imported


def test_the_cli_probes_in_the_sandbox(healthy: Path, tmp_path: Path) -> None:
    done = _probe_cli(healthy, {"PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout)["healthy"] is True
    # The same CLI, with the allow-list off (tests only), on a model whose Lambda plots a
    # gallery to a path of its choosing at load: the sandbox has no such directory.
    gallery = tmp_path / "gallery.png"
    body = f"""
    import keras, numpy
    keras.visualization.plot_image_gallery(numpy.zeros((1, 4, 4, 3)), path={str(gallery)!r})
    """
    x, y = blobs(n=200)
    hostile = make_bundle(tmp_path / "gallery.zip", hostile_model(body), x, y, training={"epochs": 2})
    _probe_cli(hostile, {"PATH": "/usr/bin:/bin", "CONVDIAG_UNSAFE_MODEL_LOADING": "true"})
    assert not gallery.exists()


@pytest.fixture(scope="module")
def no_sandbox_api(
    private_redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[httpx.Client]:
    settings = Settings(redis_url=private_redis_url, data_dir=tmp_path_factory.mktemp("no-sandbox"))
    env = settings_env(settings) | {"PATH": NO_SANDBOX_PATH}
    log = tmp_path_factory.mktemp("no-sandbox-logs") / "worker.log"
    with (
        celery_worker(settings, log=log, env=env),
        serve_app(settings) as url,
        httpx.Client(base_url=url, timeout=40) as client,
    ):
        yield client


def test_a_worker_without_the_sandbox_fails_bundles_with_a_problem(
    no_sandbox_api: httpx.Client, healthy: Path
) -> None:
    response = no_sandbox_api.post(
        "/v1/bundles",
        params={"wait": 30},
        content=healthy.read_bytes(),
        headers={"content-type": "application/zip"},
    )
    job = response.json()
    deadline = time.monotonic() + 60
    while job["status"] not in {"succeeded", "failed"} and time.monotonic() < deadline:
        time.sleep(0.3)
        job = no_sandbox_api.get(f"/v1/jobs/{job['id']}").json()
    assert job["status"] == "failed"
    assert job["diagnosis"] is None
    assert job["error"]["type"] == "urn:convdiag:problem:sandbox-unavailable"
    assert "bubblewrap (bwrap) is not installed" in job["error"]["detail"]
