"""What the bundle sandbox costs: one healthy bundle probed N times in a fresh process without
the sandbox (Python + TensorFlow import + probes, as the worker did before) and N times through
convdiag.sandbox.run (prlimit + bwrap + the same), alternating, in one run. Prints medians.

    .venv/bin/python -m benchmarks.bench_sandbox --runs 3
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import command_line
from convdiag.sandbox import SandboxLimits, run
from convdiag.settings import Settings
from testkit.bundles import blobs, make_bundle, mlp

BARE = (
    "import sys; from pathlib import Path; from diagnosis.probes.loader import Limits; "
    "from diagnosis.probes.run import probe_bundle; "
    "probe_bundle(Path(sys.argv[1]), Limits(max_unpacked_bytes=2**31))"
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    print(f"$ {command_line('benchmarks.bench_sandbox', sys.argv[1:])}")
    with tempfile.TemporaryDirectory() as directory:
        model = mlp(8, 3)
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        x, y = blobs(n=600)
        bundle = make_bundle(Path(directory) / "ok.zip", model, x, y, training={"epochs": 5})
        limits = SandboxLimits.from_settings(Settings())
        bare, boxed, starts = [], [], []
        for _ in range(runs):
            started = time.monotonic()
            subprocess.run([sys.executable, "-c", BARE, str(bundle)], check=True, capture_output=True)
            bare.append(time.monotonic() - started)
            started = time.monotonic()
            progress_at: list[float] = []

            def note(_fraction: float, _stage: str, seen: list[float] = progress_at) -> None:
                seen.append(time.monotonic())

            run(bundle, limits, note)
            boxed.append(time.monotonic() - started)
            starts.append(progress_at[0] - started)
    print(f"unsandboxed fresh process: median {statistics.median(bare):.2f} s  {[round(t, 2) for t in bare]}")
    print(
        f"sandboxed:                 median {statistics.median(boxed):.2f} s  {[round(t, 2) for t in boxed]}"
    )
    print(f"sandbox to first progress: median {statistics.median(starts):.2f} s (includes TF import)")
    print(f"ratio sandboxed/unsandboxed: {statistics.median(boxed) / statistics.median(bare):.2f}")


if __name__ == "__main__":
    main()
