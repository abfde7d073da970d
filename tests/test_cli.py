"""The `convdiag` command, run as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from diagnosis import Diagnosis
from tests import histories
from tests.conftest import KEY_ACME
from tests.diagnosis import writers
from tests.support import ROOT


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
