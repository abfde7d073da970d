"""`convdiag serve` with no Redis at all: API and worker on the file-backed default."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx

from convdiag.queues import QUEUES
from testkit import histories
from testkit.support import ROOT, free_port, wait_until


def _children(pid: int) -> list[int]:
    return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def test_serve_without_redis_diagnoses_and_stops_cleanly(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONVDIAG_")}
    env["CONVDIAG_DATA_DIR"] = str(tmp_path / "data")
    port = free_port()
    log = tmp_path / "serve.log"
    proc = subprocess.Popen(
        [sys.executable, "-m", "convdiag", "serve", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: httpx.get(f"{base}/readyz").status_code == 200, 60, "embedded serve to be ready")
        # Celery prints "celery@<host> ready." once the worker consumes; a cold start (fresh
        # venv, busy machine) can take a while, and the API is up before it.
        wait_until(
            lambda: log.read_text().count(" ready.") == len(QUEUES), 90, "the embedded workers to be ready"
        )
        response = httpx.post(
            f"{base}/v1/histories", params={"wait": 25}, json={"history": histories.plateau()}, timeout=40
        )
        assert response.status_code == 200, response.text + log.read_text()[-4000:]
        job = response.json()
        assert job["status"] == "succeeded"
        assert "loss_plateau" in {f["code"] for f in job["diagnosis"]["findings"]}
        assert httpx.get(f"{base}/v1/jobs/{job['id']}").json()["id"] == job["id"]
        assert (tmp_path / "data" / "broker.sqlite").exists()
        assert (tmp_path / "data" / "jobs.sqlite").exists()
        workers = _children(proc.pid)
        # A worker per queue: a history never waits behind a bundle probe. The other children
        # are the API's pool for inline diagnoses.
        queues = []
        for pid in workers:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")
            if "--queues" in argv:
                queues.append(argv[argv.index("--queues") + 1])
        assert sorted(queues) == sorted(QUEUES)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(30)
    output = log.read_text()
    assert f"http://127.0.0.1:{port}/docs" in output
    assert "auth is OFF" in output
    assert proc.returncode == 0, output[-2000:]
    for pid in workers:
        assert not Path(f"/proc/{pid}").exists(), "the worker outlived serve"
