"""How long `/` (and other reads of live runs) take with a page of stored runs.

    .venv/bin/python -m benchmarks.bench_runs_page [--path / --path /v1/runs ...]

The app runs in-process (TestClient) on the embedded SQLite store, so the time measured is the
API's own: reading run documents and turning them into answers. RUNS live runs of EPOCHS epochs
with four metrics each (a typical Keras classification fit) are streamed in batches of
BATCH epochs, as ConvergenceMonitor sends them; each path is then requested REPEATS times.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

from benchmarks.common import command_line
from convdiag.settings import Settings
from service.main import create_app
from testkit import histories

RUNS = 20
EPOCHS = 200
BATCH = 10
REPEATS = 15
TENANT = "bench"
# Different shapes, so that the diagnoses differ in what they find and say.
SHAPES = (histories.healthy, histories.overfitting, histories.noisy_validation, histories.underfit)


def _stream(client: TestClient, run_id: str, curves: dict[str, list[float]]) -> None:
    names = list(curves)
    epochs = [{"epoch": i, **{n: curves[n][i] for n in names}} for i in range(len(curves[names[0]]))]
    for start in range(0, len(epochs), BATCH):
        response = client.post(f"/v1/runs/{run_id}/epochs", json=epochs[start : start + BATCH])
        response.raise_for_status()


def _with_accuracy(curves: dict[str, list[float]]) -> dict[str, list[float]]:
    """Four metrics whatever the shape: a missing accuracy curve is made from its loss."""
    for name in ("accuracy", "val_accuracy"):
        loss = curves["loss" if name == "accuracy" else "val_loss"]
        curves.setdefault(name, [max(0.0, 1.0 - v) for v in loss])
    return curves


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--path", action="append", help="a GET path to time (repeatable); default /")
    args = parser.parse_args()
    paths = args.path or ["/"]
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(redis_url=None, data_dir=Path(tmp), local_tenant=TENANT)
        with TestClient(create_app(settings)) as client:
            for i in range(RUNS):
                shape = SHAPES[i % len(SHAPES)]
                _stream(client, f"run-{i:02d}", _with_accuracy(shape(epochs=EPOCHS, seed=i)))
            print(f"$ {command_line('benchmarks.bench_runs_page', sys.argv[1:])}")
            print(f"{RUNS} runs x {EPOCHS} epochs x 4 metrics, {REPEATS} requests per path")
            for path in paths:
                client.get(path).raise_for_status()  # warm: templates, imports
                times = []
                for _ in range(REPEATS):
                    start = time.perf_counter()
                    client.get(path).raise_for_status()
                    times.append(time.perf_counter() - start)
                print(
                    f"GET {path}: median {statistics.median(times) * 1000:.1f} ms, "
                    f"min {min(times) * 1000:.1f} ms, max {max(times) * 1000:.1f} ms"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
