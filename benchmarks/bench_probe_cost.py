"""What the bundle probes cost: the whole suite on a model just under 1M parameters with 10k
samples, and the instrumentation ratio against a plain `model.fit` of as many steps.

(a) Wall time of `probe_bundle` end to end (unzip, load, data and model audit, probes,
    replay, fix trials) on a healthy bundle and on a faulty one whose fix gets tried; target
    under 60 s on 2 CPU cores.
(b) The suite's wall time over that of a plain `model.fit` running the same total number of
    optimizer steps (`diagnosis.probes["steps"]["total"]`: one-batch overfit, LR range test,
    statistics warm-up, replay, fix trials) at the same batch size, on a fresh copy of the same
    model: clone, compile and fit, as a user pays for it. Target at most 1.5x. Reported for the
    whole suite and for its training stages alone (probes and fix trials, without loading and
    the data audit).

TensorFlow runs on 2 intra-op threads and 1 inter-op thread. Suite and plain fit alternate
REPEATS times; times are medians, ratios medians of the per-pair ratios. On a shared machine
other work inflates wall times unevenly, so the ratio of CPU times (all threads of this
process) is reported beside the wall-time one, with the load average.

    make bench-probe-cost
    .venv/bin/python -m benchmarks.bench_probe_cost [--repeats N] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from benchmarks.bench_probes import INTER_OP_THREADS, INTRA_OP_THREADS, configure_tensorflow
from benchmarks.common import command_line, verdict
from testkit.bundles import make_bundle

if TYPE_CHECKING:
    import keras

    from diagnosis.models import Diagnosis

SEED = 7
SAMPLES, FEATURES, CLASSES = 10_000, 784, 10
HIDDEN = (1024, 128)  # 784*1024 + 1024*128 + 128*10 weights and their biases: 936,330 parameters
BATCH = 32
MAX_PARAMS = 1_000_000
REPEATS = 3
SUITE_TARGET_S = 60.0
RATIO_TARGET = 1.5
# Both targets are ceilings: a miss is above them.
ABOVE = "ABOVE TARGET"
# The stages probe_bundle reports; "probes" through "writing" is where it trains.
TRAINING_STAGES = ("probes", "fix trials")


def images(raw: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """MNIST-shaped data: 10 classes of noisy 28x28 prototypes, as floats in [0, 1] (standardized
    per pixel for the healthy bundle) or as the raw 0..255 values of the faulty one."""
    rng = np.random.default_rng(SEED)
    prototypes = rng.random((CLASSES, FEATURES))
    y = rng.integers(0, CLASSES, SAMPLES)
    x = np.clip(prototypes[y] + rng.normal(0, 0.35, (SAMPLES, FEATURES)), 0, 1)
    if raw:
        return np.round(x * 255).astype(np.uint8), y
    return ((x - x.mean(axis=0)) / x.std(axis=0)).astype(np.float32), y


def network() -> keras.Model:
    import keras

    layers = [keras.layers.Input((FEATURES,))]
    layers += [keras.layers.Dense(units, activation="relu") for units in HIDDEN]
    model = keras.Sequential([*layers, keras.layers.Dense(CLASSES, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy")
    return model


def build(directory: Path, name: str, raw: bool) -> tuple[Path, keras.Model, np.ndarray, np.ndarray]:
    import keras

    keras.utils.set_random_seed(SEED)
    x, y = images(raw)
    model = network()
    bundle = make_bundle(directory / f"{name}.zip", model, x, y, training={"batch_size": BATCH, "epochs": 10})
    return bundle, model, x, y


@dataclass(frozen=True)
class Timing:
    """Wall seconds, and the process's CPU seconds (all threads), which other load on a shared
    machine inflates far less than wall time."""

    wall: float
    cpu: float


class Stopwatch:
    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def read(self) -> Timing:
        return Timing(time.perf_counter() - self.wall, time.process_time() - self.cpu)


def time_suite(bundle: Path) -> tuple[Timing, float, Diagnosis]:
    """probe_bundle's timing, the wall seconds of its training stages, and its diagnosis."""
    import keras

    from convdiag.settings import get_settings
    from diagnosis.probes.loader import Limits
    from diagnosis.probes.run import probe_bundle

    marks: list[tuple[str, float]] = []
    watch = Stopwatch()
    diagnosis = probe_bundle(
        bundle,
        Limits(max_unpacked_bytes=get_settings().max_unpacked_bytes),
        lambda _fraction, stage: marks.append((stage, time.perf_counter())),
    )
    timing = watch.read()
    ended = time.perf_counter()
    keras.backend.clear_session()
    training = sum(
        at_next - at
        for (stage, at), (_, at_next) in zip(marks, [*marks[1:], ("end", ended)], strict=True)
        if stage in TRAINING_STAGES
    )
    return timing, training, diagnosis


def time_plain_fit(model: keras.Model, x: np.ndarray, y: np.ndarray, steps: int) -> Timing:
    """A fresh copy of the model cloned, compiled and fitted for exactly `steps` steps."""
    import keras
    import tensorflow as tf

    watch = Stopwatch()
    fresh = keras.models.clone_model(model)
    fresh.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy")
    data = tf.data.Dataset.from_tensor_slices((x.astype(np.float32), y)).shuffle(len(x), seed=SEED)
    fresh.fit(data.repeat().batch(BATCH), steps_per_epoch=steps, epochs=1, verbose=0)
    timing = watch.read()
    keras.backend.clear_session()
    return timing


def measure(directory: Path, name: str, raw: bool, repeats: int) -> dict[str, Any]:
    """Suite and plain fit alternate, so each pair meets about the same load; the ratios are
    medians of the per-pair ratios."""
    bundle, model, x, y = build(directory, name, raw)
    params = model.count_params()
    if params >= MAX_PARAMS:
        raise SystemExit(f"the benchmark model has {params} parameters; it must stay under {MAX_PARAMS}")
    suites: list[Timing] = []
    fits: list[Timing] = []
    training: list[float] = []
    steps: dict[str, int] = {}
    findings: list[str] = []
    for _ in range(repeats):
        suite, trained, diagnosis = time_suite(bundle)
        steps = diagnosis.probes["steps"]
        findings = [f"{f.code} ({f.severity.value})" for f in diagnosis.findings]
        suites.append(suite)
        training.append(trained)
        fits.append(time_plain_fit(model, x, y, steps["total"]))
    return {
        "bundle": name,
        "params": params,
        "samples": len(x),
        "batch_size": BATCH,
        "repeats": repeats,
        "findings": findings,
        "steps": steps,
        "suite_s": statistics.median(t.wall for t in suites),
        "training_stages_s": statistics.median(training),
        "plain_fit_s": statistics.median(t.wall for t in fits),
        "ratio_wall": statistics.median(s.wall / f.wall for s, f in zip(suites, fits, strict=True)),
        "ratio_training_stages": statistics.median(t / f.wall for t, f in zip(training, fits, strict=True)),
        "ratio_cpu": statistics.median(s.cpu / f.cpu for s, f in zip(suites, fits, strict=True)),
        "runs": [
            {"suite_wall": s.wall, "suite_cpu": s.cpu, "fit_wall": f.wall, "fit_cpu": f.cpu}
            for s, f in zip(suites, fits, strict=True)
        ],
    }


def format_report(report: dict[str, Any]) -> str:
    lines = [
        "Bundle probes: cost",
        f"command: {report['command']}",
        f"threads: TensorFlow intra-op {INTRA_OP_THREADS}, inter-op {INTER_OP_THREADS}; "
        f"medians of {report['repeats']} runs",
        "load average (1 min) before/after: "
        + " / ".join(f"{load:.1f}" for load in report["load_average"])
        + " (other work on the machine inflates wall times; CPU time much less)",
    ]
    for row in report["bundles"]:
        steps = ", ".join(f"{k} {v}" for k, v in row["steps"].items())
        lines += [
            "",
            f"== {row['bundle']}: MLP {FEATURES}-{'-'.join(map(str, HIDDEN))}-{CLASSES}, {row['params']:,} "
            f"parameters, {row['samples']:,} samples, batch {row['batch_size']} ==",
            f"findings: {', '.join(row['findings']) or 'none'}",
            f"optimizer steps: {steps}",
            f"whole probe suite       {row['suite_s']:6.1f} s   target < {SUITE_TARGET_S:g} s   "
            f"{verdict(row['suite_s'] < SUITE_TARGET_S, ABOVE)}",
            f"  of which training     {row['training_stages_s']:6.1f} s   (probes and fix trials)",
            f"plain model.fit         {row['plain_fit_s']:6.1f} s   ({row['steps']['total']} steps)",
            f"ratio, whole suite      {row['ratio_wall']:6.2f}x wall   target <= {RATIO_TARGET:g}x   "
            f"{verdict(row['ratio_wall'] <= RATIO_TARGET, ABOVE)}",
            f"                        {row['ratio_cpu']:6.2f}x CPU time",
            f"ratio, training stages  {row['ratio_training_stages']:6.2f}x wall",
            "runs (suite / fit, wall and CPU s): "
            + "; ".join(
                f"{r['suite_wall']:.1f}/{r['fit_wall']:.1f}, {r['suite_cpu']:.1f}/{r['fit_cpu']:.1f}"
                for r in row["runs"]
            ),
        ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(description="Time the bundle probes against a plain model.fit.")
    parser.add_argument("--repeats", type=int, default=REPEATS)
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)

    command = command_line("benchmarks.bench_probe_cost", argv)
    print(f"command: {command}", file=sys.stderr)
    configure_tensorflow()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="convdiag-bench-cost-") as tmp:
        rows = [
            measure(Path(tmp), "healthy", raw=False, repeats=args.repeats),
            measure(Path(tmp), "raw-pixels", raw=True, repeats=args.repeats),
        ]
    report = {
        "command": command,
        "repeats": args.repeats,
        "load_average": [load_before, os.getloadavg()[0]],
        "bundles": rows,
    }
    print(json.dumps(report, indent=2) if args.json else format_report(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
