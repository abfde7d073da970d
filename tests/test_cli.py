"""The `convdiag` command, run as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from diagnosis import Diagnosis
from testkit import histories
from testkit.support import ROOT
from tests.conftest import KEY_ACME
from tests.diagnosis import writers


def convdiag(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "convdiag", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )


@pytest.fixture
def write(tmp_path: Path):
    def _write(name: str, content: object) -> Path:
        path = tmp_path / name
        path.write_text(content if isinstance(content, str) else json.dumps(content))
        return path

    return _write


def test_diagnose_healthy_exits_0(write) -> None:
    result = convdiag("diagnose", str(write("h.json", histories.healthy())))
    assert result.returncode == 0, result.stderr
    assert "healthy" in result.stdout


def test_diagnose_problem_exits_1_and_prints_report(write) -> None:
    result = convdiag("diagnose", str(write("h.json", {"history": histories.overfitting()})))
    assert result.returncode == 1
    assert "WARNING overfitting" in result.stdout
    assert "EarlyStopping" in result.stdout


def test_diagnose_leads_with_the_verdict_and_its_ranked_causes(write) -> None:
    raw = {"history": histories.diverging(), "metadata": {"optimizer": "adam", "learning_rate": 0.5}}
    result = convdiag("diagnose", str(write("h.json", raw)))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[1].startswith("problems: ")
    assert lines[3].lstrip().startswith("1. lr_too_high ")
    assert "First fix (lr_too_high)" in result.stdout
    assert result.stdout.index("First fix") < result.stdout.index("Findings:")


@pytest.mark.parametrize(
    ("history", "missing"),
    [
        ({"loss": [0.9], "accuracy": [0.6]}, "one epoch"),
        ({"loss": [2.0, 1.5, 1.2, 1.1, 1.0], "mse": [2.0, 1.5, 1.2, 1.1, 1.0]}, "without baseline_loss"),
    ],
)
def test_a_run_that_cannot_be_judged_exits_3(write, history: dict, missing: str) -> None:
    result = convdiag("diagnose", "--json", str(write("h.json", history)))
    assert result.returncode == 3, result.stderr
    verdict = Diagnosis.model_validate_json(result.stdout).verdict
    assert verdict.status == "inconclusive"
    assert any(missing in m for m in verdict.missing)
    # The same regression with a yardstick can be judged.
    if "mse" in history:
        judged = convdiag("diagnose", str(write("b.json", history)), "--meta", "baseline_loss=2.0")
        assert judged.returncode != 3


def test_diagnose_json_is_a_diagnosis(write) -> None:
    result = convdiag("diagnose", "--json", str(write("h.json", histories.nan_loss())))
    assert result.returncode == 1
    diagnosis = Diagnosis.model_validate_json(result.stdout)
    assert diagnosis.findings[0].code == "loss_nan"


@pytest.mark.parametrize("content", ["not json", '{"loss": [1, 2], "val_loss": [1]}', ""])
def test_diagnose_unreadable_exits_2_with_one_line(write, content: str) -> None:
    result = convdiag("diagnose", str(write("bad.json", content)))
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("convdiag: error:")


def _stuck_regression() -> dict[str, list[float]]:
    """An MSE that levels off at 0.8: bad against a baseline of 1, fine against one of 10."""
    loss = [0.8 + 0.7 * 0.7**epoch for epoch in range(20)]
    return {"loss": loss, "mae": [value**0.5 for value in loss]}


def test_diagnose_meta_gives_a_csv_the_metadata_it_cannot_carry(write) -> None:
    path = str(write("log.csv", writers.csv_logger([_stuck_regression()])))
    # Without a yardstick the regression's loss cannot be judged: inconclusive, not healthy.
    assert convdiag("diagnose", path).returncode == 3
    stuck = convdiag("diagnose", path, "--meta", "task=regression", "--meta", "baseline_loss=1.0")
    assert stuck.returncode == 1
    assert "underfitting" in stuck.stdout
    fine = convdiag("diagnose", path, "--meta", "task=regression", "--meta", "baseline_loss=10")
    assert fine.returncode == 0, fine.stdout


@pytest.mark.parametrize(
    ("meta", "message"),
    [("baseline_loss=-1", "invalid metadata field 'baseline_loss'"), ("baseline_loss", "not KEY=VALUE")],
)
def test_diagnose_bad_meta_exits_2(write, meta: str, message: str) -> None:
    result = convdiag("diagnose", str(write("h.json", histories.healthy())), "--meta", meta)
    assert result.returncode == 2
    assert message in result.stderr


def test_diagnose_missing_file_exits_2() -> None:
    result = convdiag("diagnose", "/nonexistent/history.json")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("name", "needle"),
    [
        ("keras3_verbose1.log", "run 2 (the last): 4 epochs, metrics: loss"),
        ("csvlogger.tsv", "4 epochs, metrics: accuracy, learning_rate, loss, val_accuracy, val_loss"),
        ("tensorboard", "run 1: 3 epochs, healthy"),  # a log directory
    ],
)
def test_diagnose_reads_every_format(name: str, needle: str) -> None:
    result = convdiag("diagnose", str(writers.FIXTURES / name))
    assert result.returncode in (0, 1), result.stderr
    assert needle in result.stdout


def test_diagnose_unreadable_csv_names_the_line(write) -> None:
    path = write("history.csv", "epoch,loss\n0,x\n")
    result = convdiag("diagnose", str(path))
    assert result.returncode == 2
    assert result.stderr == (
        f"convdiag: error: {path}: the CSV has a header but no rows of numbers "
        "(line 2: 'x' is not a number)\n"
    )


def test_diagnose_says_which_lines_it_skipped(write) -> None:
    result = convdiag("diagnose", str(write("history.csv", "epoch,loss\n0,1\n1,0.5\n2,x\n")))
    assert result.returncode == 3, result.stderr  # two epochs: too few to judge
    assert "2 epochs" in result.stdout
    assert "skipped line 4: 'x' is not a number" in result.stdout


@pytest.mark.parametrize("kind", ["json", "tensorboard"])
def test_diagnose_never_imports_tensorflow(write, kind: str) -> None:
    path = write("h.json", histories.overfitting()) if kind == "json" else writers.TENSORBOARD
    code = (
        "import sys\nfrom click.testing import CliRunner\nfrom convdiag.cli import main\n"
        f"r = CliRunner().invoke(main, ['diagnose', {str(path)!r}])\n"
        "from service.main import create_app\n"
        "print(r.exit_code, 'tensorflow' in sys.modules, 'keras' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert result.stdout.split() == ["1", "False", "False"]


def test_submit_wait_and_status_against_the_service(api_url: str, write) -> None:
    import os

    env = {**os.environ, "CONVDIAG_API_KEY": KEY_ACME}
    path = str(write("h.json", histories.diverging()))
    result = convdiag("submit", path, "--url", api_url, "--wait", env=env)
    assert result.returncode == 1, result.stderr
    assert "loss_diverging" in result.stdout
    assert "succeeded" in result.stderr  # the progress line

    queued = convdiag("submit", path, "--url", api_url, env=env)
    assert queued.returncode == 0
    job_id = queued.stdout.split()[0]
    status = convdiag("status", job_id, "--url", api_url, env=env)
    assert status.returncode == 0
    assert status.stdout.startswith(job_id)


def test_submit_sends_meta_with_the_file(api_url: str, write) -> None:
    import os

    env = {**os.environ, "CONVDIAG_API_KEY": KEY_ACME}
    path = str(write("log.csv", writers.csv_logger([_stuck_regression()])))
    meta = ("--meta", "baseline_loss=1")
    result = convdiag("submit", path, "--url", api_url, "--wait", "--json", *meta, env=env)
    assert result.returncode == 1, result.stderr
    diagnosis = Diagnosis.model_validate_json(result.stdout)
    assert "underfitting" in {finding.code for finding in diagnosis.findings}


def test_submit_reports_server_errors_in_one_line(api_url: str, write) -> None:
    path = str(write("h.json", histories.healthy()))
    unauthorized = convdiag("submit", path, "--url", api_url, "--api-key", "wrong")
    assert unauthorized.returncode == 2
    assert unauthorized.stderr.strip() == (
        "convdiag: error: HTTP 401: A valid API key is required: the API key is not valid"
    )
    down = convdiag("submit", path, "--url", "http://127.0.0.1:9")
    assert down.returncode == 2
    assert down.stderr.startswith("convdiag: error: cannot reach")


# --- bundles and models go to the probes; submit takes log directories and bundles ---

TENSORBOARD_DIR = ROOT / "tests" / "fixtures" / "formats" / "tensorboard"


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real bundle (model.keras + data.npz) of a small MLP; its parts stay beside it."""
    from testkit.bundles import blobs, make_bundle, mlp

    x, y = blobs(n=120)
    model = mlp(features=8, outputs=3, hidden=8)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return make_bundle(tmp_path_factory.mktemp("bundle") / "bundle.zip", model, x, y)


def test_diagnose_points_a_bundle_or_a_model_to_the_probes(bundle: Path, tmp_path: Path) -> None:
    import keras

    model = keras.saving.load_model(bundle.parent / "bundle-parts" / "model.keras")
    model.save(tmp_path / "model.h5")
    for path, says in (
        (bundle, "this is a bundle"),
        (bundle.parent / "bundle-parts" / "model.keras", "saved Keras model"),
        (tmp_path / "model.h5", "saved Keras model"),
    ):
        result = convdiag("diagnose", str(path))
        assert result.returncode == 2, (path, result.stdout)
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert says in result.stderr
        assert "convdiag probe" in result.stderr
        assert "/v1/bundles" in result.stderr


def test_the_api_points_a_bundle_posted_as_a_history_to_v1_bundles(bundle: Path, acme) -> None:
    response = acme.post("/v1/histories", files={"file": ("bundle.zip", bundle.read_bytes())})
    assert response.status_code == 422
    assert "/v1/bundles" in response.json()["detail"]


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b'{"loss": [1.0, 0.5]}', "not a readable zip file: File is not a zip file (a training history?"),
        (b"PK\x05\x06" + b"\x00" * 18, "the bundle has no model.keras"),  # an empty zip
    ],
)
def test_probe_checks_the_zip_before_it_imports_tensorflow(tmp_path: Path, content: bytes, says: str) -> None:
    path = tmp_path / "input"
    path.write_bytes(content)
    code = (
        "import sys\nfrom convdiag.cli import main\n"
        "try:\n    main(['probe', sys.argv[1]])\nexcept SystemExit as exit:\n"
        "    print(exit.code, 'tensorflow' in sys.modules, 'keras' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert result.stdout.split() == ["2", "False", "False"]
    assert says in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_submit_takes_a_tensorboard_log_directory(api_url: str) -> None:
    import os

    env = {**os.environ, "CONVDIAG_API_KEY": KEY_ACME}
    local = convdiag("diagnose", "--json", str(TENSORBOARD_DIR))
    remote = convdiag("submit", str(TENSORBOARD_DIR), "--url", api_url, "--wait", "--json", env=env)
    assert remote.returncode == local.returncode, remote.stderr
    assert json.loads(remote.stdout)["run"] == json.loads(local.stdout)["run"]


def test_submit_sends_a_bundle_to_the_probes(api_url: str, bundle: Path) -> None:
    import os

    import httpx

    env = {**os.environ, "CONVDIAG_API_KEY": KEY_ACME}
    result = convdiag("submit", str(bundle), "--url", api_url, env=env)
    assert result.returncode == 0, result.stderr
    job_id = result.stdout.split()[0]
    job = httpx.get(f"{api_url}/v1/jobs/{job_id}", headers={"Authorization": f"Bearer {KEY_ACME}"}).json()
    assert job["kind"] == "bundle"
    httpx.delete(f"{api_url}/v1/jobs/{job_id}", headers={"Authorization": f"Bearer {KEY_ACME}"})
    refused = convdiag("submit", str(bundle), "--url", api_url, "--meta", "task=binary", env=env)
    assert refused.returncode == 2
    assert "--meta is for histories" in refused.stderr


def test_progress_names_the_status_once(capsys: pytest.CaptureFixture[str]) -> None:
    from datetime import UTC, datetime

    from convdiag.cli import _show_progress
    from convdiag.jobs import Job

    now = datetime.now(UTC)
    common = {"id": "j1", "kind": "history", "attempts": 0, "created_at": now, "expires_at": now}
    _show_progress(Job(status="queued", stage="queued", progress=0.0, **common))
    assert capsys.readouterr().err.split() == ["j1", "[....................]", "queued"]
    _show_progress(Job(status="running", stage="audit", progress=0.5, **common))
    assert capsys.readouterr().err.split()[-2:] == ["running", "audit"]
