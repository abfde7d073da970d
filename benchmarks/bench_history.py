"""How well and how fast the history engine diagnoses real Keras runs.

Scores `diagnosis.diagnose` on the labelled corpus that `scripts/make_history_corpus.py`
generated (tests/corpus/histories/: the runs and their labels in manifest.json, their histories
in one JSONL file per round), per split: detection on faulty runs, false alarms on healthy runs,
per-code precision and recall, spurious codes, and the runs it got wrong with their findings. Then
times a long history in-process and `convdiag diagnose` as a user runs it.

    make bench-history
    .venv/bin/python -m benchmarks.bench_history [--split tune|seen|holdout|all] [--json]
        [--metadata none|full|both]

The headline is detection with **no metadata at all** (`--metadata none`): what a user who
pastes a console log or a CSV sends. Scoring the same runs with the metadata the generator
recorded (`full`) is the second column; `both` (the default) reports the two side by side.

Splits: `tune` (thresholds are tuned on it), `seen` (the first holdout: read once, then tuned
on; reported apart so its numbers are not mistaken for held-out ones) and `holdout` (never
tuned on).

Only warning and error findings count: an `info` finding is not an alarm on a healthy run, and
not a detection on a faulty one. A faulty run is detected when one of its warning/error codes is
in the run's expected set (the codes that name its fault; several are accepted, so a low recall
on one code is not by itself a miss). Causes the engine ranks under a finding are scored apart:
a faulty run's cause is named when the top-ranked cause of one of its warning/error findings is
in the expected set.
"""

from __future__ import annotations

import argparse
import itertools
import json
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.common import (
    ROOT,
    against_target,
    alarm_codes,
    command_line,
    pct,
    per_code,
    per_code_lines,
    ratio,
    timed,
    verdict,
)
from diagnosis.engine import ENGINE_VERSION, diagnose
from diagnosis.history import history_from_mapping
from diagnosis.models import Finding, Verdict, VerdictStatus
from diagnosis.taxonomy import CAUSE_CODES, HISTORY_BLIND

CORPUS_DIR = ROOT / "tests" / "corpus" / "histories"
HEALTHY = "healthy"
SPLITS = ("tune", "seen", "holdout")
# How much of each run's recorded metadata the engine is given: none (a pasted log or CSV, the
# headline) or all of it (what ConvergenceMonitor or a careful caller sends).
METADATA_MODES = ("none", "full")

# The targets; the benchmark reports against them, the tests never assert them.
# Detection per metadata mode: curves alone (issue 13's headline) and with the run's metadata
# (no worse than the seventh holdout's 96.2 % before curves-only inference).
DETECTION_TARGETS = {"none": 0.90, "full": 0.96}
VERDICT_TOP3_TARGET = 0.70
# Calibration: the verdict's listed causes on faulty runs, by predicted probability.
CALIBRATION_BINS = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0001)
WILSON_Z = 1.96
FALSE_ALARM_TARGET = 0
DIAGNOSE_MS_TARGET = 20.0
CLI_SECONDS_TARGET = 0.5

# A long run with the metrics a typical compile(metrics=[...]) logs, train and validation.
SPEED_EPOCHS = 10_000
SPEED_METRICS = ("loss", "accuracy", "auc", "precision")
SPEED_REPEATS = 21
CLI_REPEATS = 5
# Live runs are scored from this many epochs on: the rules need a few epochs to say anything.
LIVE_MIN_EPOCHS = 5
# The file `convdiag diagnose` is timed on: a 30-epoch, four-metric run, the common case.
TYPICAL_FIXTURE = "healthy-digits-adam-s0"


@dataclass(frozen=True)
class Fixture:
    name: str
    fault: str
    expected: frozenset[str]
    split: str
    history: dict[str, list[float | None]]
    metadata: dict[str, Any]

    @property
    def healthy(self) -> bool:
        return self.fault == HEALTHY

    @property
    def causes(self) -> frozenset[str]:
        """The injected cause's accepted codes (the labels' cause codes, not its symptoms)."""
        return frozenset(c for c in self.expected if c in CAUSE_CODES)

    @property
    def history_shows(self) -> bool:
        """Whether a history can show the injected cause (taxonomy.HISTORY_BLIND)."""
        return bool(self.causes - HISTORY_BLIND)


def load_corpus(directory: Path = CORPUS_DIR) -> list[Fixture]:
    """The runs `manifest.json` lists, by name, each with its labels from the manifest and its
    recorded history from its round's JSONL file (`scripts/make_history_corpus.py` writes them)."""
    manifest = json.loads((directory / "manifest.json").read_text())
    expected = {fault: frozenset(row["expected"]) for fault, row in manifest["faults"].items()}
    recorded: dict[str, dict[str, Any]] = {}
    for path in sorted(directory.glob("round*.jsonl")):
        for line in path.read_text().splitlines():
            doc = json.loads(line)
            recorded[doc["name"]] = doc
    listed = {run["name"] for run in manifest["runs"]}
    if missing := sorted(listed - set(recorded)):
        raise SystemExit(
            f"{len(missing)} runs have no history, e.g. {missing[0]}; run scripts/make_history_corpus.py"
        )
    if unlisted := sorted(set(recorded) - listed):
        raise SystemExit(f"{len(unlisted)} histories are of no listed run, e.g. {unlisted[0]}")
    return [
        Fixture(
            name=run["name"],
            fault=run["fault"],
            expected=expected[run["fault"]],
            split=run["split"],
            history=recorded[run["name"]]["history"],
            metadata=recorded[run["name"]]["metadata"],
        )
        for run in sorted(manifest["runs"], key=lambda run: run["name"])
    ]


@dataclass(frozen=True)
class Outcome:
    fixture: Fixture
    findings: list[Finding]
    verdict: Verdict
    # Healthy runs only: the warning/error codes of each shorter prefix of the run that had any,
    # by its epoch count. A live run (ConvergenceMonitor, POST /v1/runs) is diagnosed after every
    # epoch, so a healthy run must stay quiet on the way too.
    live_alarms: dict[int, frozenset[str]] = field(default_factory=dict)
    live_prefixes: int = 0

    @property
    def predicted(self) -> frozenset[str]:
        return alarm_codes(self.findings)

    @property
    def detected(self) -> bool:
        return bool(self.predicted & self.fixture.expected)

    @property
    def spurious(self) -> frozenset[str]:
        return self.predicted - self.fixture.expected

    @property
    def verdict_ranks(self) -> list[str]:
        return [c.code.value for c in self.verdict.causes]

    @property
    def verdict_first(self) -> bool:
        return bool(self.verdict_ranks[:1]) and self.verdict_ranks[0] in self.fixture.causes

    @property
    def verdict_top3(self) -> bool:
        return bool(set(self.verdict_ranks[:3]) & self.fixture.causes)


def run_engine(fixtures: Iterable[Fixture]) -> list[Outcome]:
    outcomes = []
    for f in fixtures:
        result = diagnose(history_from_mapping(f.history, f.metadata))
        findings = result.findings
        live: dict[int, frozenset[str]] = {}
        epochs = len(next(iter(f.history.values())))
        prefixes = range(LIVE_MIN_EPOCHS, epochs) if f.healthy else range(0)
        for n in prefixes:
            prefix = {name: values[:n] for name, values in f.history.items()}
            if alarms := alarm_codes(diagnose(history_from_mapping(prefix, f.metadata)).findings):
                live[n] = alarms
        outcomes.append(Outcome(f, findings, result.verdict, live, len(prefixes)))
    return outcomes


def without_metadata(fixtures: Iterable[Fixture]) -> list[Fixture]:
    """The same runs as a user who pastes a log or a CSV sends them: curves only."""
    return [replace(f, metadata={}) for f in fixtures]


def _described(outcome: Outcome) -> dict[str, Any]:
    return {
        "name": outcome.fixture.name,
        "fault": outcome.fixture.fault,
        "expected": sorted(outcome.fixture.expected),
        "findings": [
            {
                "code": f.code,
                "severity": f.severity.value,
                "confidence": f.confidence,
                "top_cause": f.explained_by,
                "summary": f.summary,
            }
            for f in outcome.findings
        ],
    }


def _wilson(hits: int, n: int) -> tuple[float, float]:
    """The 95 % Wilson score interval of a proportion."""
    if n == 0:
        return (0.0, 1.0)
    p, z2 = hits / n, WILSON_Z**2
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = WILSON_Z * ((p * (1 - p) + z2 / (4 * n)) / n) ** 0.5 / (1 + z2 / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


def calibration(outcomes: Sequence[Outcome]) -> list[dict[str, Any]]:
    """Each listed cause of each faulty run, binned by its probability, against whether it was
    the injected one."""
    rows = []
    pairs = [
        (c.probability, c.code.value in o.fixture.causes)
        for o in outcomes
        if not o.fixture.healthy
        for c in o.verdict.causes
    ]
    for low, high in itertools.pairwise(CALIBRATION_BINS):
        inside = [right for p, right in pairs if low <= p < high]
        hits = sum(inside)
        rows.append(
            {
                "bin": f"{low:.1f}-{min(high, 1.0):.1f}",
                "causes": len(inside),
                "right": hits,
                "rate": ratio(hits, len(inside)),
                "interval": _wilson(hits, len(inside)),
                "mean_predicted": ratio(sum(p for p, _ in pairs if low <= p < high), len(inside)),
            }
        )
    return rows


def score(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    """The accuracy report for one set of runs."""
    faulty = [o for o in outcomes if not o.fixture.healthy]
    healthy = [o for o in outcomes if o.fixture.healthy]
    detected = [o for o in faulty if o.detected]
    alarms = [o for o in healthy if o.predicted]
    showable = [o for o in faulty if o.fixture.history_shows]
    blind = [o for o in faulty if not o.fixture.history_shows]

    per_fault: dict[str, dict[str, int]] = {}
    for o in faulty:
        row = per_fault.setdefault(o.fixture.fault, {"runs": 0, "detected": 0})
        row["runs"] += 1
        row["detected"] += o.detected

    return {
        "runs": len(outcomes),
        "faulty_runs": len(faulty),
        "healthy_runs": len(healthy),
        "detected": len(detected),
        "detection_rate": ratio(len(detected), len(faulty)),
        "verdict_showable": len(showable),
        "verdict_first": sum(o.verdict_first for o in showable),
        "verdict_top3": sum(o.verdict_top3 for o in showable),
        "verdict_top3_rate": ratio(sum(o.verdict_top3 for o in showable), len(showable)),
        "verdict_blind": len(blind),
        "verdict_blind_top3": sum(o.verdict_top3 for o in blind),
        "verdict_healthy": sum(o.verdict.status is VerdictStatus.healthy for o in healthy),
        "verdict_faulty_healthy": sum(o.verdict.status is VerdictStatus.healthy for o in faulty),
        "verdict_misses": [
            {"name": o.fixture.name, "causes": sorted(o.fixture.causes), "verdict": o.verdict_ranks[:3]}
            for o in showable
            if not o.verdict_top3
        ],
        "calibration": calibration(outcomes),
        "base_rate": ratio(
            sum(c.code.value in o.fixture.causes for o in faulty for c in o.verdict.causes),
            sum(len(o.verdict.causes) for o in faulty),
        ),
        "false_alarms": len(alarms),
        "false_alarm_rate": ratio(len(alarms), len(healthy)),
        "mean_spurious_codes": ratio(sum(len(o.spurious) for o in outcomes), len(outcomes)),
        "per_code": per_code((o.predicted, o.fixture.expected, o.fixture.expected) for o in outcomes),
        "per_fault": dict(sorted(per_fault.items())),
        "missed": [_described(o) for o in faulty if not o.detected],
        "false_alarm_runs": [_described(o) for o in alarms],
        "live_prefixes": sum(o.live_prefixes for o in healthy),
        "live_alarm_prefixes": sum(len(o.live_alarms) for o in healthy),
        "live_alarms": {
            o.fixture.name: {str(n): sorted(codes) for n, codes in o.live_alarms.items()}
            for o in healthy
            if o.live_alarms
        },
    }


def accuracy_report(fixtures: Sequence[Fixture], split: str = "all") -> dict[str, dict[str, Any]]:
    """Scores per split; "all" gives each split and both together."""
    outcomes = run_engine(fixtures)
    chosen = SPLITS if split == "all" else (split,)
    report = {name: score([o for o in outcomes if o.fixture.split == name]) for name in chosen}
    if split == "all":
        report["all"] = score(outcomes)
    return report


# --- speed ------------------------------------------------------------------------------------


def synthetic_history(epochs: int = SPEED_EPOCHS, seed: int = 0) -> dict[str, list[float]]:
    """Smooth, slightly noisy curves for every metric in SPEED_METRICS and its val_ twin."""
    rng = np.random.default_rng(seed)
    decay = np.exp(-np.arange(epochs) / (epochs / 10))
    history = {}
    for prefix in ("", "val_"):
        for name in SPEED_METRICS:
            curve = 0.1 + 0.6 * decay if name == "loss" else 0.95 - 0.45 * decay
            history[prefix + name] = (curve + rng.normal(0, 0.005, epochs)).tolist()
    return history


def time_in_process(repeats: int = SPEED_REPEATS) -> dict[str, Any]:
    raw = synthetic_history()
    run = history_from_mapping(raw)
    timings = [1000 * seconds for seconds in timed(lambda: diagnose(run), repeats)]
    return {
        "epochs": SPEED_EPOCHS,
        "metrics": len(raw),
        "repeats": repeats,
        "median_ms": statistics.median(timings),
        "target_ms": DIAGNOSE_MS_TARGET,
    }


def _cli(path: Path, *python_flags: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, *python_flags, "-m", "convdiag", "diagnose", str(path), "--json"]
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)
    # 0 is healthy and 1 is problems found; anything else means the timing measured a failure.
    if done.returncode not in (0, 1):
        raise RuntimeError(f"{shlex.join(command)} exited {done.returncode}: {done.stderr.strip()}")
    return done


def _imports_tensorflow(importtime_log: str) -> bool:
    """Whether `python -X importtime` logged a tensorflow module (last column is its name)."""
    for line in importtime_log.splitlines():
        module = line.rsplit("|", 1)[-1].strip()
        if line.startswith("import time:") and (module == "tensorflow" or module.startswith("tensorflow.")):
            return True
    return False


def time_cli(fixtures: Sequence[Fixture], repeats: int = CLI_REPEATS) -> dict[str, Any]:
    typical = next(f for f in fixtures if f.name == TYPICAL_FIXTURE)
    with tempfile.TemporaryDirectory() as tmp:
        # The corpus wraps each history with labels the CLI does not accept; post what a user has.
        path = Path(tmp) / "history.json"
        path.write_text(json.dumps({"history": typical.history, "metadata": typical.metadata}))
        _cli(path)  # the first start pays for byte-compiling and a cold file cache
        timings = timed(lambda: _cli(path), repeats)
        # Timed apart: importtime's own bookkeeping would inflate the timings above.
        tensorflow = _imports_tensorflow(_cli(path, "-X", "importtime").stderr)
    return {
        "command": "convdiag diagnose FILE --json",
        "file": f"{TYPICAL_FIXTURE} ({len(next(iter(typical.history.values())))} epochs, "
        f"{len(typical.history)} metrics)",
        "repeats": repeats,
        "median_s": statistics.median(timings),
        "target_s": CLI_SECONDS_TARGET,
        "tensorflow_imported": tensorflow,
    }


# --- report -----------------------------------------------------------------------------------


def _engine_revision() -> str:
    """The commit the rules came from, and whether diagnosis/ had uncommitted changes."""
    git = shutil.which("git")
    if git is None:
        return "unknown revision"
    try:
        head = subprocess.run(
            [git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True, cwd=ROOT
        ).stdout.strip()
        dirty = subprocess.run(
            [git, "status", "--porcelain", "--", "diagnosis"],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        ).stdout.strip()
    except subprocess.CalledProcessError:
        return "unknown revision"
    return f"git {head}" + (" + uncommitted changes in diagnosis/" if dirty else "")


def _findings_line(findings: list[dict[str, Any]]) -> str:
    described = []
    for f in findings:
        cause = f" -> {f['top_cause']}" if f["top_cause"] else ""
        described.append(f"{f['code']}({f['severity']} {f['confidence']:.2f}{cause})")
    return ", ".join(described) or "none"


def format_split(name: str, report: dict[str, Any], target: float = DETECTION_TARGETS["none"]) -> list[str]:
    top3 = against_target(
        "verdict: injected cause in first three  ",
        report["verdict_top3"],
        report["verdict_showable"],
        VERDICT_TOP3_TARGET,
    )
    lines = [
        "",
        f"== split: {name} ({report['runs']} runs: {report['faulty_runs']} faulty, "
        f"{report['healthy_runs']} healthy) ==",
        against_target("detection on faulty runs   ", report["detected"], report["faulty_runs"], target),
        f"{top3}   (runs whose cause a history shows)",
        f"verdict: injected cause first           {report['verdict_first']}/{report['verdict_showable']}",
        f"verdict: causes a history cannot show   {report['verdict_blind_top3']}/{report['verdict_blind']} "
        "in the first three (" + ", ".join(sorted(HISTORY_BLIND)) + ")",
        f"verdict: healthy runs called healthy    {report['verdict_healthy']}/{report['healthy_runs']}; "
        f"faulty runs called healthy {report['verdict_faulty_healthy']}/{report['faulty_runs']}",
        f"calibration (listed causes on faulty runs; share right overall {pct(report['base_rate'])}):",
    ]
    for row in report["calibration"]:
        low, high = row["interval"]
        lines.append(
            f"  p in {row['bin']}: {row['right']:>4}/{row['causes']:<4} right = {pct(row['rate']):>6}"
            f"  95% CI {100 * low:.0f}-{100 * high:.0f}%  mean predicted {pct(row['mean_predicted'])}"
        )
    spurious = report["mean_spurious_codes"]
    lines += [
        f"false alarms on healthy    {report['false_alarms']}/{report['healthy_runs']}"
        f"   target {FALSE_ALARM_TARGET}   {verdict(report['false_alarms'] <= FALSE_ALARM_TARGET)}",
        f"healthy runs, live         {report['live_alarm_prefixes']}/{report['live_prefixes']} "
        f"shorter prefixes (from epoch {LIVE_MIN_EPOCHS}) with a warning/error",
        f"spurious codes per run     {'-' if spurious is None else f'{spurious:.2f}'} (warning/error)",
        "",
        *per_code_lines(report["per_code"]),
        "",
        f"{'fault':<28}{'runs':>6}{'detected':>10}",
        *(f"{fault:<28}{row['runs']:>6}{row['detected']:>10}" for fault, row in report["per_fault"].items()),
        "",
        f"missed faulty runs ({len(report['missed'])}):",
        *(f"  {run['name']}: found {_findings_line(run['findings'])}" for run in report["missed"]),
        f"verdict misses, injected cause not in the first three ({len(report['verdict_misses'])}):",
        *(
            f"  {run['name']}: want {'/'.join(run['causes'])}, got {', '.join(run['verdict'])}"
            for run in report["verdict_misses"]
        ),
        f"false alarms on healthy runs ({len(report['false_alarm_runs'])}):",
        *(f"  {run['name']}: found {_findings_line(run['findings'])}" for run in report["false_alarm_runs"]),
        f"live alarms on healthy runs ({len(report['live_alarms'])}):",
    ]
    for name, prefixes in report["live_alarms"].items():
        shown = ", ".join(f"epochs {n}: {'+'.join(codes)}" for n, codes in prefixes.items())
        lines.append(f"  {name}: {shown}")
    return lines


def format_headline(modes: dict[str, dict[str, dict[str, Any]]]) -> list[str]:
    """Detection and false alarms per split, one column per metadata mode."""
    names = list(modes)
    lines = [
        "== headline: detection / healthy false alarms ==",
        f"{'split':<10}" + "".join(f"{'metadata ' + m:>28}" for m in names),
    ]
    for split in next(iter(modes.values())):
        cells = []
        for mode in names:
            row = modes[mode][split]
            cells.append(
                f"{row['detected']}/{row['faulty_runs']} {pct(row['detection_rate'])}"
                f" / {row['false_alarms']}/{row['healthy_runs']}"
            )
        lines.append(f"{split:<10}" + "".join(f"{c:>28}" for c in cells))
    return lines


def format_report(report: dict[str, Any]) -> str:
    lines = [
        "History diagnosis accuracy",
        f"command: {report['command']}",
        f"engine:  convdiag {report['engine_version']}, {report['revision']}",
        f"corpus:  {report['corpus']} ({report['fixtures']} runs)",
    ]
    modes = report["modes"]
    if len(modes) > 1:
        lines += ["", *format_headline(modes)]
    for mode, splits in modes.items():
        for name, split in splits.items():
            lines += format_split(f"{name}, metadata {mode}", split, DETECTION_TARGETS[mode])
    in_process, cli = report["speed"]["in_process"], report["speed"]["cli"]
    lines += [
        "",
        "== speed ==",
        f"diagnose(), {in_process['epochs']} epochs x {in_process['metrics']} metrics: "
        f"median {in_process['median_ms']:.2f} ms of {in_process['repeats']}   "
        f"target < {DIAGNOSE_MS_TARGET:g} ms   {verdict(in_process['median_ms'] < DIAGNOSE_MS_TARGET)}",
        f"{cli['command']} on {cli['file']}: median {cli['median_s']:.3f} s of {cli['repeats']}   "
        f"target < {CLI_SECONDS_TARGET:g} s   {verdict(cli['median_s'] < CLI_SECONDS_TARGET)}",
        f"tensorflow imported by the CLI: {'YES (it must not be)' if cli['tensorflow_imported'] else 'no'}",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(description="Score the history engine on the labelled corpus.")
    parser.add_argument("--split", choices=[*SPLITS, "all"], default="all")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument(
        "--metadata",
        choices=[*METADATA_MODES, "both"],
        default="both",
        help="score with no metadata (the headline), with all of it, or both side by side",
    )
    parser.add_argument(
        "--without",
        action="append",
        default=[],
        metavar="FIELD",
        help="drop this metadata field from every run first (repeatable): callers who omit one field",
    )
    args = parser.parse_args(argv)

    fixtures = [
        replace(f, metadata={k: v for k, v in f.metadata.items() if k not in args.without})
        for f in load_corpus()
    ]
    report = {
        "command": command_line("benchmarks.bench_history", argv),
        "engine_version": ENGINE_VERSION,
        "revision": _engine_revision(),
        "corpus": str(CORPUS_DIR.relative_to(ROOT)),
        "fixtures": len(fixtures),
        "modes": {
            mode: accuracy_report(without_metadata(fixtures) if mode == "none" else fixtures, args.split)
            for mode in METADATA_MODES
            if args.metadata in (mode, "both")
        },
        "speed": {"in_process": time_in_process(), "cli": time_cli(fixtures)},
    }
    print(json.dumps(report, indent=2) if args.json else format_report(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
