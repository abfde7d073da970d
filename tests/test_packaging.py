"""`pip install convdiag` with no extras, in a fresh virtualenv, as a training environment gets it.

The package is installed for real with its dependencies (pip's cache makes that take seconds
after the first time); then the server and probe stacks must be absent, the CLI's local
commands must work, the server's commands must name the extra they need, and the Keras
callback, on a Keras the user installs apart, must stream a real training to the running
service.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import httpx
import pytest

from testkit.support import ROOT
from tests.conftest import KEY_ACME

# What a training environment must not get from the base install: TensorFlow would clash with
# the user's own (a GPU build), the rest is the server's.
SERVER_AND_PROBE_MODULES = ("tensorflow", "keras", "celery", "fastapi", "uvicorn", "sqlalchemy", "redis")
PIP_TIMEOUT = 600

TRAIN = """
import json, sys
import numpy as np
import keras
from convdiag.keras_callback import ConvergenceMonitor

keras.utils.set_random_seed(0)
x = np.random.default_rng(0).normal(size=(256, 4)).astype("float32")
y = (x[:, 0] + x[:, 1] > 0).astype("float32")
model = keras.Sequential([keras.layers.Input((4,)), keras.layers.Dense(8, activation="relu"),
                          keras.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
monitor = ConvergenceMonitor(url=sys.argv[1], api_key=sys.argv[2])
history = model.fit(x, y, epochs=4, validation_split=0.25, verbose=0, callbacks=[monitor])
server = sorted({m.split(".")[0] for m in sys.modules} & {"celery", "fastapi", "uvicorn", "sqlalchemy"})
print(json.dumps({"run_id": monitor.run_id, "val_loss": history.history["val_loss"][-1],
                  "server_modules": server}))
"""


def _run(
    command: list[str | Path], env: dict[str, str], **kwargs: object
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(part) for part in command],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="module")
def base_venv(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A fresh virtualenv with `pip install .` and nothing else; the source is copied out first
    so the build leaves nothing in the checkout."""
    root = tmp_path_factory.mktemp("packaging")
    source = root / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for package in ("convdiag", "diagnosis", "service", "worker"):
        shutil.copytree(ROOT / package, source / package, ignore=shutil.ignore_patterns("__pycache__"))
    venv = root / "venv"
    # Only what a user's shell has: no PYTHONPATH pointing at this checkout, no settings.
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"PYTHONPATH", "VIRTUAL_ENV"} and not k.startswith("CONVDIAG_")
    }
    made = _run([sys.executable, "-m", "venv", venv], env)
    assert made.returncode == 0, made.stderr
    installed = _run(
        [venv / "bin" / "python", "-m", "pip", "install", "--quiet", source], env, timeout=PIP_TIMEOUT
    )
    assert installed.returncode == 0, installed.stderr[-3000:]
    return venv / "bin", env


def test_the_base_install_has_no_server_or_tensorflow(base_venv: tuple[Path, dict[str, str]]) -> None:
    bin_dir, env = base_venv
    probe = (
        "import importlib.util, json, sys; "
        f"print(json.dumps([m for m in {SERVER_AND_PROBE_MODULES!r} if importlib.util.find_spec(m)]))"
    )
    result = _run([bin_dir / "python", "-c", probe], env, cwd=bin_dir)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []
    # Everything the base install promises imports there (the callback needs the user's Keras).
    modules = "convdiag.client, convdiag.cli, convdiag.runs, diagnosis.engine, diagnosis.formats"
    result = _run([bin_dir / "python", "-c", f"import {modules}"], env, cwd=bin_dir)
    assert result.returncode == 0, result.stderr


def test_the_base_cli_diagnoses_and_names_the_extras_it_lacks(
    base_venv: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    bin_dir, env = base_venv
    diagnosed = _run([bin_dir / "convdiag", "diagnose", "--json", ROOT / "examples" / "history.json"], env)
    assert diagnosed.returncode in (0, 1), diagnosed.stderr
    assert json.loads(diagnosed.stdout)["run"]["epochs"] > 0
    # A zip with a bundle's members passes the check `probe` makes before it needs Keras.
    bundle = tmp_path / "bundle.zip"
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.writestr("model.keras", b"")
        archive.writestr("data.npz", b"")
    for command, extra in (
        (["serve"], "server"),
        (["worker"], "server"),
        (["probe", bundle], "probes"),
        (["diagnose", "--html", tmp_path / "r.html", ROOT / "examples" / "history.json"], "report"),
    ):
        result = _run([bin_dir / "convdiag", *command], env, timeout=60)
        assert result.returncode == 2, (command, result.stdout, result.stderr)
        assert f"pip install 'convdiag[{extra}]'" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert not (tmp_path / "r.html").exists()


def test_the_callback_streams_a_real_training_from_the_base_install(
    base_venv: tuple[Path, dict[str, str]], api_url: str
) -> None:
    bin_dir, env = base_venv
    # The user's own Keras, installed apart, as in any training environment.
    keras = _run(
        [bin_dir / "python", "-m", "pip", "install", "--quiet", "tensorflow-cpu", "keras"],
        env,
        timeout=PIP_TIMEOUT,
    )
    assert keras.returncode == 0, keras.stderr[-3000:]
    trained = _run([bin_dir / "python", "-c", TRAIN, api_url, KEY_ACME], env, timeout=300, cwd=bin_dir)
    assert trained.returncode == 0, trained.stderr[-3000:]
    out = json.loads(trained.stdout.strip().splitlines()[-1])
    assert out["server_modules"] == []
    run = httpx.get(
        f"{api_url}/v1/runs/{out['run_id']}", headers={"Authorization": f"Bearer {KEY_ACME}"}
    ).json()
    assert run["epochs"] == 4
    assert run["diagnosis"]["run"]["final"]["val_loss"] == pytest.approx(out["val_loss"], rel=1e-5)
