"""How many real training logs the format readers read, per format, and how fast.

A log counts as read only when every run's epoch count and the last training loss of the last
run match what its manifest records (read by hand, or by the corpus' own labelling, never by
these readers). Files whose manifest entry is an `error` must be refused with that message.

    .venv/bin/python -m benchmarks.bench_formats [--json]

Sets: tests/fixtures/formats/wild (the 48 logs of the shared wild corpus and the files added
for the readers) and tests/corpus/wild without its holdout (scored by the wild benchmark once
per round, not here) and its pending logs (never run before their draw). Then times parsing
a 10,000-epoch console log and CSV in-process, and `convdiag diagnose` on a console log as a
user runs it (a fresh process; TensorFlow is never imported).
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from benchmarks.common import ROOT, command_line, timed
from diagnosis.formats import load_path, load_runs
from diagnosis.history import HistoryError

FIXTURES = ROOT / "tests" / "fixtures" / "formats" / "wild"
CORPUS = ROOT / "tests" / "corpus" / "wild"
SPEED_EPOCHS = 10_000
REPEATS = 7
CLI_REPEATS = 5
# The held-out third is scored by the wild benchmark once per round, and the logs waiting for
# the next draw are never run before it: neither is read here.
UNREAD_SPLITS = frozenset({"holdout", "pending"})
# A per-step log's manifest may give its points instead of epochs (read per logged step).
LOSS_TOLERANCE = 1e-6


def _matches(runs: list, epochs: list[int] | int, last: float | None, per_step: dict | None) -> bool:
    got = [run.epochs for run in runs]
    loss = runs[-1].metrics.get("loss")
    value = float(loss[-1]) if loss is not None else None
    wanted = epochs if isinstance(epochs, list) else [epochs]
    pairs = [(wanted, last)]
    if per_step:  # a per-step log: its points, or its epochs with the last epoch's mean loss
        pairs += [([per_step["points"]], per_step["last_loss"]), (wanted, per_step["last_epoch_mean"])]
    for want_epochs, want_loss in pairs:
        # A manifest may count a multi-run file's epochs in all (runs appended to one log).
        if value is None or (got != want_epochs and [sum(got)] != want_epochs):
            continue
        if want_loss is None and math.isnan(value):
            return True
        if want_loss is not None and math.isclose(value, want_loss, rel_tol=LOSS_TOLERANCE):
            return True
    return False


def _per_step(per_step: dict[str, Any] | None) -> dict[str, Any] | None:
    """A manifest's per_step entry with its "nan" losses as None, as last_loss spells NaN."""
    if per_step is None:
        return None
    return {key: None if value == "nan" else value for key, value in per_step.items()}


def _entries() -> list[tuple[str, Path, dict[str, Any]]]:
    manifest = json.loads((FIXTURES / "manifest.json").read_text())
    # A fixture entry marked `corpus` names a wild-corpus log, read below with the corpus.
    entries = [
        ("fixtures", FIXTURES / name, entry)
        for name, entry in sorted(manifest.items())
        if not entry.get("corpus")
    ]
    corpus = json.loads((CORPUS / "manifest.json").read_text())["logs"] if CORPUS.exists() else []
    for log in corpus:
        if log.get("split") in UNREAD_SPLITS:
            continue
        last = log["last_train_loss"]
        entry = {
            "epochs": log["epochs"],
            "last_loss": None if last in (None, "nan") else float(last),
            "per_step": _per_step(log.get("per_step")),
        }
        entries.append(("corpus", CORPUS / log["file"], entry))
    return entries


def read_counts() -> dict[str, Any]:
    totals: Counter[tuple[str, str]] = Counter()
    read: Counter[tuple[str, str]] = Counter()
    misses = []
    for group, path, entry in _entries():
        try:
            runs = load_path(path)
        except HistoryError as exc:
            fmt = "refused" if "error" in entry else "unread"
            ok = "error" in entry and entry["error"] in str(exc)
        else:
            fmt = runs[-1].source.format or "unknown"
            ok = "error" not in entry and _matches(
                runs, entry["epochs"], entry["last_loss"], entry.get("per_step")
            )
        totals[group, fmt] += 1
        read[group, fmt] += ok
        if not ok:
            misses.append(f"{group}/{path.name}")
    return {
        "per_format": {
            f"{group}/{fmt}": {"read": read[group, fmt], "total": total}
            for (group, fmt), total in sorted(totals.items())
        },
        "read": sum(read.values()),
        "total": sum(totals.values()),
        "misses": misses,
    }


def _console_log(epochs: int) -> bytes:
    lines = []
    for epoch in range(1, epochs + 1):
        loss = 1.0 / epoch
        lines.append(f"Epoch {epoch}/{epochs}")
        lines.append(
            f"32/32 [==============================] - 0s 2ms/step - loss: {loss:.4f} - "
            f"accuracy: {1 - loss / 2:.4f} - val_loss: {loss * 1.1:.4f} - val_accuracy: {1 - loss / 3:.4f}"
        )
    return ("\n".join(lines) + "\n").encode()


def _csv_log(epochs: int) -> bytes:
    rows = [f"{e},{1 - 0.5 / (e + 1):.6f},{1.0 / (e + 1):.6f},{1.1 / (e + 1):.6f}" for e in range(epochs)]
    return ("epoch,accuracy,loss,val_loss\n" + "\n".join(rows) + "\n").encode()


def _median_ms(data: bytes) -> float:
    return 1000 * statistics.median(timed(lambda: load_runs(data), REPEATS))


def speed() -> dict[str, float]:
    console = _console_log(SPEED_EPOCHS)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "train.log"
        path.write_bytes(_console_log(100))
        code = (
            "import sys, runpy\nsys.argv = ['convdiag', 'diagnose', sys.argv[1]]\n"
            "try:\n    runpy.run_module('convdiag', run_name='__main__')\nexcept SystemExit:\n    pass\n"
            "assert 'tensorflow' not in sys.modules\n"
        )
        command = [sys.executable, "-c", code, str(path)]
        walls = timed(lambda: subprocess.run(command, check=True, capture_output=True, cwd=ROOT), CLI_REPEATS)
    return {
        "console_10k_epochs_ms": _median_ms(console),
        "csv_10k_epochs_ms": _median_ms(_csv_log(SPEED_EPOCHS)),
        "cli_diagnose_console_log_s": statistics.median(walls),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = {**read_counts(), "speed": speed()}
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"$ {command_line('benchmarks.bench_formats', sys.argv[1:])}")
    print(f"read {result['read']}/{result['total']} (epochs and last training loss as the manifest records)")
    for name, counts in result["per_format"].items():
        print(f"  {name:<34} {counts['read']:>3}/{counts['total']}")
    if result["misses"]:
        print("not read: " + ", ".join(result["misses"]))
    for name, value in result["speed"].items():
        print(f"{name}: {value:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
