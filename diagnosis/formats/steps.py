"""Logs written per step rather than per epoch, from outside Keras: PyTorch Lightning's
CSVLogger `metrics.csv` (step rows and epoch rows interleaved), Hugging Face Trainer's
`trainer_state.json` (`log_history`) and W&B chart exports (`Step` plus `<run> - <metric>`
columns, a run each). A Jupyter notebook's saved outputs are read in notebook.py.

The curves speak the same language, but their points are steps. A run that spans at least
`MIN_EPOCHS` epochs is judged per epoch: an epoch's training value is what the framework logged
for the epoch (`train_loss_epoch`) or else the mean of its step values, its learning rate the
last one, its validation values the last ones. A shorter run (a 3-epoch fine-tune) has too few
epochs for any curve rule, so it is judged per logged step, validation values attached to the
step they were logged after. `SourceInfo.granularity` and `.aggregated` say which.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from diagnosis.formats.columns import (
    ERROR_MEASURES,
    MAX_RUNS,
    Skips,
    canonical_name,
    finish,
    has_validation_split,
)
from diagnosis.formats.csv_rows import nan_at, nan_tails, read_row, text_columns
from diagnosis.history import VAL_PREFIX, HistoryError, TrainingHistory
from diagnosis.models import InputFacts, SourceInfo

# Fewer whole epochs than this and the run is judged per logged step (rules need a few points).
MIN_EPOCHS = 5
# Validation evaluated at fewer logged steps than this shows no trend to judge per step (a best
# and the overfitting rule's patience after it): left out of a per-step reading.
MIN_EVALUATIONS = 4
# Values that describe the schedule: an epoch keeps its last one rather than a mean.
LAST_VALUE_NAMES = frozenset({"learning_rate", "lr", "epoch"})
# LearningRateMonitor's column: `lr-<optimizer>` (`lr-SGD`, `lr-AdamW`).
_LR_MONITOR = re.compile(r"lr-[a-z]\w*")
# Values logged once after fit (`test_loss`, `Final F1 Score`): not training values.
AFTER_FIT_PREFIXES = ("test_", "final_")
# Hugging Face log entries that measure the run's speed, not its learning.
_HF_IGNORED = ("_runtime", "_samples_per_second", "_steps_per_second", "total_flos", "num_input_tokens_seen")


@dataclass
class Point:
    """One logged row: when it was logged, and its training and other (validation) values."""

    step: float
    epoch: int | None  # 1-based; None where the input does not say
    train: dict[str, float] = field(default_factory=dict)
    other: dict[str, float] = field(default_factory=dict)
    epoch_level: dict[str, float] = field(default_factory=dict)  # `X_epoch` values
    line: int = 0


def _per_epoch(
    points: list[Point], skips: Skips, epoch_of: dict[int, int]
) -> tuple[dict[str, np.ndarray], dict[str, float], dict[str, list[int]]]:
    """The columns per epoch; for each training metric whose every epoch value is the mean of its
    step values, the typical standard error of those means (`SourceInfo.epoch_mean_noise`); and
    the epochs each metric has no value in (`SourceInfo.not_logged`: no validation that epoch)."""
    # An epoch counts when it logged a training loss (or, in a log without one, any value).
    by_loss = any("loss" in p.train or "loss" in p.epoch_level for p in points)
    buckets: dict[int, list[Point]] = {}
    for point in points:
        buckets.setdefault(epoch_of[id(point)], []).append(point)
    rows: list[dict[str, float]] = []
    errors: dict[str, list[float]] = {}  # each epoch mean's standard error, per metric
    logged: set[str] = set()  # metrics an epoch logged an epoch value of (no mean of steps)
    for epoch in sorted(buckets):
        bucket = buckets[epoch]
        trained = any(_trained(p, by_loss) for p in bucket)
        if not trained:
            for point in bucket:
                skips.add(point.line, "an epoch without a training value (a validate/test call after fit?)")
            continue
        row: dict[str, float] = {}
        names = {name for p in bucket for name in p.train}
        for name in names:
            values = [p.train[name] for p in bucket if name in p.train]
            row[name] = values[-1] if name in LAST_VALUE_NAMES else float(np.mean(values))
            if name not in LAST_VALUE_NAMES:
                errors.setdefault(name, []).append(_standard_error(values))
        for point in bucket:
            logged.update(point.epoch_level)
            row.update(point.epoch_level)
            row.update(point.other)
        rows.append(row)
    noise = {
        name: float(np.median(found))
        for name, found in errors.items()
        if name not in logged and len(found) == len(rows) and all(map(math.isfinite, found))
    }
    columns = _columns(rows)
    absent = {name: [i for i, row in enumerate(rows) if name not in row] for name in columns}
    return columns, noise, {name: epochs for name, epochs in absent.items() if epochs}


def _standard_error(values: list[float]) -> float:
    """The standard error of the mean of `values`; 0 for one value (one batch, no mean)."""
    if len(values) < 2:
        return 0.0
    return float(np.std(values, ddof=1) / math.sqrt(len(values)))


def _trained(point: Point, by_loss: bool) -> bool:
    if by_loss:
        return "loss" in point.train or "loss" in point.epoch_level
    return bool(point.train or point.epoch_level)


def _per_step(points: list[Point]) -> tuple[dict[str, np.ndarray], dict[str, list[int]]]:
    """The points per logged training step, and the steps (counted from 0) each metric has no
    value at."""
    rows: list[dict[str, float]] = []
    pending: dict[str, float] = {}
    for point in sorted(points, key=lambda p: p.step):
        if point.train:
            rows.append({**point.train, **pending})
            pending = {}
        if point.other or point.epoch_level:
            if rows:
                rows[-1].update(point.other)
                rows[-1].update(point.epoch_level)
            else:
                pending.update(point.other)
    columns = _columns(rows)
    return columns, {name: [i for i, row in enumerate(rows) if name not in row] for name in columns}


def _columns(rows: list[dict[str, float]]) -> dict[str, np.ndarray]:
    names = list(dict.fromkeys(name for row in rows for name in row))
    return {name: np.array([row.get(name, math.nan) for row in rows], dtype=np.float64) for name in names}


def assemble_points(points: list[Point], fmt: str, facts: InputFacts, skips: Skips) -> TrainingHistory:
    """Per epoch where the run has enough epochs, else per step."""
    epoch_of = {id(p): int(p.epoch) for p in points if p.epoch is not None}
    whole = {epoch_of[id(p)] for p in points if p.epoch is not None and (p.train or p.epoch_level)}
    sparse: list[str] = []
    # Rows of validation values logged per step without an epoch (Lightning's `val_loss_step`)
    # leave the run per epoch where its epochs log their own validation values.
    unplaced = [p for p in points if p.epoch is None and not p.train and not p.epoch_level]
    placed = [p for p in points if not (p.epoch is None and not p.train and not p.epoch_level)]
    epoch_values = any(
        p.epoch is not None and any(name.startswith(VAL_PREFIX) for name in (*p.other, *p.epoch_level))
        for p in placed
    )
    if len(whole) >= MIN_EPOCHS and len(epoch_of) == len(placed) and (epoch_values or not unplaced):
        for point in unplaced:
            skips.add(point.line, "validation values of a step without its epoch (each epoch's own are read)")
        columns, noise, not_logged = _per_epoch(placed, skips, epoch_of)
        granularity = "epoch"
        aggregated: str | None = "each epoch's logged epoch value, else the mean of its step values"
    else:
        columns, absent = _per_step(points)
        steps = max((len(values) for values in columns.values()), default=0)
        noise = {}
        granularity = "step"
        # A metric missing at some of the steps (grad_norm logged now and then) would read as NaN
        # at the others, and NaN is a symptom here, not a gap: such a column is left out. A NaN
        # the trainer logged counts as logged. Validation evaluated on a cadence (an eval every
        # 250 steps while the loss is logged every 25) is kept where it was evaluated often
        # enough to show a trend (MIN_EVALUATIONS), each value at the training step it was
        # logged after and the steps between marked not logged (`SourceInfo.not_logged`), as a
        # Keras run with `validation_freq` is: the rules judge it on its evaluations.
        not_logged = {
            name: gaps
            for name, gaps in absent.items()
            if gaps and name.startswith(VAL_PREFIX) and steps - len(gaps) >= MIN_EVALUATIONS
        }
        sparse = [name for name in columns if name != "loss" and absent[name] and name not in not_logged]
        for name in sparse:
            del columns[name]
        said = []
        if not_logged:
            evaluated = steps - max(len(gaps) for gaps in not_logged.values())
            said.append(
                f"{', '.join(not_logged)} evaluated at {evaluated} or more of the {steps} logged steps, "
                "judged at those steps"
            )
        if sparse:
            said.append(f"left out, logged at too few steps to judge per step: {', '.join(sparse)}")
        aggregated = "; ".join(said) or None
    if not columns or not len(next(iter(columns.values()))):
        raise HistoryError("the log has no training values (a loss logged while training)")
    source = SourceInfo(
        format=fmt,
        granularity=granularity,
        aggregated=aggregated,
        epoch_mean_noise=noise,
        left_out=sparse,
        not_logged=not_logged,
        skipped=skips.close(),
        skipped_lines=skips.total,
        facts=facts,
    )
    return finish(columns, source)


def _hf_epoch(epoch: float | None) -> int | None:
    """Hugging Face counts epochs as fractions: 0.16 is in the first, 1.0 ends it."""
    return None if epoch is None or not math.isfinite(epoch) else max(math.ceil(epoch - 1e-6), 1)


# Hugging Face Trainer ---------------------------------------------------------------------------


def trainer_state_runs(document: Mapping[str, object]) -> list[TrainingHistory]:
    history = document.get("log_history")
    if not isinstance(history, list) or not history:
        raise HistoryError("'log_history' is empty: the trainer logged nothing")
    points = []
    skips = Skips()
    for i, entry in enumerate(history):
        if not isinstance(entry, dict):
            raise HistoryError(f"log_history[{i}] is not an object")
        numbers = {
            str(key): float(value)
            for key, value in entry.items()
            if isinstance(value, int | float) and not isinstance(value, bool)
        }
        # ms-swift's records say `global_step` where the Trainer's say `step`.
        step = numbers.pop("step", numbers.pop("global_step", float(i)))
        epoch = _hf_epoch(numbers.pop("epoch", None))
        if "loss" in numbers:
            train = {k: v for k, v in numbers.items() if not k.endswith(_HF_IGNORED)}
            points.append(Point(step=step, epoch=epoch, train=train))
        elif any(key.startswith("eval_") for key in numbers):
            other = {
                VAL_PREFIX + key.removeprefix("eval_"): value
                for key, value in numbers.items()
                if key.startswith("eval_") and not key.endswith(_HF_IGNORED)
            }
            points.append(Point(step=step, epoch=epoch, other=other))
        # else: the run's closing summary (train_loss averaged over the run, runtime): not a point
    # No steps_per_epoch: `max_steps / num_train_epochs` counts optimizer steps, and
    # `train_batch_size` is the batch one device sees in one forward pass; the samples an epoch
    # holds are their product times gradient_accumulation_steps times the number of processes,
    # neither of which trainer_state.json records. Read as the sample count, the product
    # undercounts it (27 steps of batch 1 read as 26 samples) and calls a fine-tune too small.
    batch = document.get("train_batch_size")
    facts = InputFacts(batch_size=batch if isinstance(batch, int) else None)
    return [assemble_points(points, "hf_trainer_state", facts, skips)]


# PyTorch Lightning metrics.csv and W&B exports -------------------------------------------------


# Columns that count a table's steps, as each tool names them.
STEP_NAMES = ("step", "global_step", "iteration")


def lightning_runs(
    lines: list[tuple[int, str]], separator: str, raw_names: list[str]
) -> list[TrainingHistory]:
    """Rows of `epoch,step,<metrics>` where each row holds the values logged at that step."""
    lowered = [name.strip().lower() for name in raw_names]
    epoch_col = lowered.index("epoch") if "epoch" in lowered else None
    # Without a step column (test-tube's metrics.csv), the rows are in the order they were logged.
    # Chainer's LogReport counts `iteration` where Lightning counts `step`.
    step_col = next((lowered.index(name) for name in STEP_NAMES if name in lowered), None)
    text = text_columns(lines[:1], separator, len(raw_names))  # test-tube's `created_at`
    monitors = [i for i, name in enumerate(lowered) if _LR_MONITOR.fullmatch(name)]
    test_is_validation = not has_validation_split(raw_names)
    roles: list[tuple[str, str] | None] = []  # (canonical base name, "step" | "epoch" | "plain")
    for i, name in enumerate(raw_names):
        if i in (epoch_col, step_col) or i in text:
            roles.append(None)
            continue
        if monitors == [i]:
            roles.append(("lr", "plain"))  # LearningRateMonitor's `lr-SGD`: the run's one lr
            continue
        stripped = name.strip()
        kind = "plain"
        for suffix in ("_step", "_epoch"):
            if stripped.lower().endswith(suffix):
                kind, stripped = suffix[1:], stripped[: -len(suffix)]
        roles.append((canonical_name(stripped, test_is_validation=test_is_validation), kind))
    roles = _without_common_prefix(roles, raw_names)
    points: list[Point] = []
    skips = Skips()
    schedule: dict[str, float] = {}  # an lr row's values, for the next training row
    tails = nan_tails(lines, separator, len(raw_names))
    for order, (number, line) in enumerate(lines):
        row = read_row(line, separator, len(raw_names), text, nan_at(tails, number))
        if isinstance(row, str):
            skips.add(number, row)
            continue
        step = row[step_col] if step_col is not None else float(order)
        # Lightning counts epochs from 0.
        counted = row[epoch_col] if epoch_col is not None else None
        epoch = int(counted) + 1 if counted is not None and math.isfinite(counted) else None
        point = Point(step=step if step is not None else math.nan, epoch=epoch, line=number)
        for role, value in zip(roles, row, strict=True):
            if role is None or value is None:
                continue
            name, kind = role
            if kind == "epoch":
                point.epoch_level[name] = value
            elif name.startswith((VAL_PREFIX, *AFTER_FIT_PREFIXES)):
                point.other[name] = value
            else:
                point.train[name] = value
        if point.train and point.epoch is None and not point.other and point.train.keys() <= LAST_VALUE_NAMES:
            # LearningRateMonitor logs the lr on a row of its own, without an epoch, before the
            # step's training row: it belongs to that row, not to a step without a loss.
            schedule.update(point.train)
            continue
        if point.train and schedule:
            point.train = {**schedule, **point.train}
            schedule = {}
        points.append(point)
    if not points:
        raise HistoryError("the CSV has a header but no rows of numbers")
    points = _without_unfinished_epoch(points, skips)
    return [assemble_points(points, "lightning_csv", InputFacts(), skips)]


def _without_common_prefix(
    roles: list[tuple[str, str] | None], raw_names: list[str]
) -> list[tuple[str, str] | None]:
    """The roles with a namespace every metric column shares dropped (`self.log("finetuning/
    train_loss")` logs `finetuning/train_loss_step`, `finetuning/val_loss`), where only without
    it a loss is named; `loss/train`, `loss/val` already name one and stay as they are."""
    named = [(i, role) for i, role in enumerate(roles) if role is not None]
    if not named or any(name == "loss" for _, (name, _kind) in named):
        return roles
    heads = {raw_names[i].strip().partition("/")[0] for i, _ in named}
    if len(heads) != 1 or not all("/" in raw_names[i] for i, _ in named):
        return roles
    test_is_validation = not has_validation_split([raw_names[i].strip().partition("/")[2] for i, _ in named])
    stripped: list[tuple[str, str] | None] = list(roles)
    for i, (_name, kind) in named:
        rest = raw_names[i].strip().partition("/")[2]
        if kind != "plain":
            rest = rest[: -len(kind) - 1]
        stripped[i] = (canonical_name(rest, test_is_validation=test_is_validation), kind)
    return stripped if any(role is not None and role[0] == "loss" for role in stripped) else roles


def _without_unfinished_epoch(points: list[Point], skips: Skips) -> list[Point]:
    """The points without the last epoch's where the run stopped inside it: every earlier epoch
    logged its epoch values (`train_loss_epoch`, `val_loss`) when it ended, the last only steps
    (a metrics.csv committed while training, or a run killed mid-epoch). Its step mean is of a
    part of an epoch, and counted it would add an epoch the run did not finish."""
    numbered = [p.epoch for p in points if p.epoch is not None]
    if not numbered:
        return points
    last = max(numbered)
    ended = {p.epoch for p in points if p.epoch is not None and (p.epoch_level or p.other)}
    earlier = {e for e in numbered if e != last}
    if last in ended or len(earlier) < MIN_EPOCHS or not earlier <= ended:
        return points
    for point in points:
        if point.epoch == last:
            skips.add(point.line, "steps of a last epoch that ended before its epoch values were logged")
    return [p for p in points if p.epoch != last]


# The words of a name (a column's, a file's), lower case.
_FILE_WORDS = re.compile(r"[a-z0-9]+")
# W&B's chart export names each curve `<run> - <metric>`, with `__MIN`/`__MAX` bands, after the
# chart's x-axis: `Step`, or a custom one (`epoch/epoch`, what WandbMetricsLogger logs epochs as).
_WANDB_RUN_SEPARATOR = " - "
_WANDB_BANDS = ("__MIN", "__MAX")
_X_AXIS_WORDS = frozenset({"step", "epoch"})
# WandbMetricsLogger's prefixes: `epoch/loss` is the epoch's loss (`batch/loss` a batch's).
_EPOCH_LEVEL_PREFIX = "epoch/"


def is_wandb_export(raw_names: list[str]) -> bool:
    """An x-axis of steps or epochs first, then `<run> - <metric>` columns."""
    words = set(_FILE_WORDS.findall(raw_names[0].lower())) if raw_names else set()
    return (
        bool(words & _X_AXIS_WORDS)
        and _WANDB_RUN_SEPARATOR not in raw_names[0]
        and any(_WANDB_RUN_SEPARATOR in name for name in raw_names[1:])
    )


def wandb_runs(lines: list[tuple[int, str]], separator: str, raw_names: list[str]) -> list[TrainingHistory]:
    """A W&B chart export: the x-axis, then `<run> - <metric>` columns: a run each. W&B's own
    bookkeeping (`_step`, `_runtime`) is no curve. Against an epoch axis each row is an epoch."""
    runs: dict[str, list[tuple[int, str]]] = {}
    for i, name in enumerate(raw_names[1:], start=1):
        if _WANDB_RUN_SEPARATOR in name and not name.endswith(_WANDB_BANDS):
            run, metric = name.rsplit(_WANDB_RUN_SEPARATOR, 1)
            if not metric.startswith("_"):
                runs.setdefault(run, []).append((i, metric.removeprefix(_EPOCH_LEVEL_PREFIX)))
    if not runs or len(runs) > MAX_RUNS:
        raise HistoryError("a W&B export needs `<run> - <metric>` columns")
    by_epoch = "epoch" in _FILE_WORDS.findall(raw_names[0].lower())
    rows = [(n, read_row(line, separator, len(raw_names))) for n, line in lines]
    histories = []
    for columns in runs.values():
        names = [metric for _, metric in columns]
        test_is_validation = not has_validation_split(names)
        skips = Skips()
        points = []
        for number, row in rows:
            if isinstance(row, str):
                skips.add(number, row)
                continue
            x = row[0] if row[0] is not None and math.isfinite(row[0]) else None
            # W&B counts epochs from 0, as Keras does.
            epoch = int(x) + 1 if by_epoch and x is not None else None
            point = Point(step=x or 0.0, epoch=epoch, line=number)
            for i, metric in columns:
                if (value := row[i]) is not None:
                    name = canonical_name(metric, test_is_validation=test_is_validation)
                    (point.other if name.startswith(VAL_PREFIX) else point.train)[name] = value
            if point.train or point.other:
                points.append(point)
        histories.append(assemble_points(points, "wandb_csv", InputFacts(), skips))
    return histories


# TensorBoard scalar exports ----------------------------------------------------------------------

# What TensorBoard's "download CSV" writes for one tag of one run (tbparse and hand-written
# exporters spell it with underscores).
SCALAR_EXPORT_COLUMNS = (frozenset({"wall time", "step", "value"}), frozenset({"wall_time", "step", "value"}))
# TensorBoard names the download after the run and the tag (`run-validation-tag-epoch_loss.csv`,
# `run-.-tag-loss.csv`; a `/` in the tag becomes `_`).
_SCALAR_DOWNLOAD = re.compile(r"(?:^|[^a-z0-9])run[-_](?P<run>.*?)-tag-(?P<tag>.+)$")
# Which curve a one-tag file holds, said by the words of its name (`train_loss.csv`).
_CURVE_WORDS = frozenset({"loss", "acc", "accuracy", *ERROR_MEASURES})
_SPLIT_WORDS = frozenset({"train", "training", "val", "valid", "validation", "eval", "dev", "test"})
# A file name that names no curve: a scalar export is most often of the loss.
DEFAULT_SCALAR = "loss"


def scalar_name(filename: str) -> str:
    """The metric a one-tag export holds, from its file name: the tag and run of TensorBoard's
    download name (`run-validation-tag-epoch_loss` -> `val_loss`; a named output's tag such as
    `pred_age_loss` kept), else the name's last curve word and its split word (`valid_loss.csv`
    -> `val_loss`); `loss` where the name says neither."""
    stem = filename.rsplit("/", 1)[-1].lower().removesuffix(".csv").removesuffix(".tsv")
    words = _FILE_WORDS.findall(stem)
    download = _SCALAR_DOWNLOAD.search(stem)
    if download:
        tag, run = _FILE_WORDS.findall(download["tag"]), _FILE_WORDS.findall(download["run"])
        if set(tag) - _CURVE_WORDS - _SPLIT_WORDS - {"epoch"}:
            name = canonical_name(download["tag"])
            validation = bool(set(run) & _SPLIT_WORDS - {"train", "training"})
            return VAL_PREFIX + name if validation and not name.startswith(VAL_PREFIX) else name
        words = run + tag
    curve = next((word for word in reversed(words) if word in _CURVE_WORDS), DEFAULT_SCALAR)
    validation = bool(set(words) & _SPLIT_WORDS - {"train", "training"})
    return VAL_PREFIX + curve if validation else curve


def scalar_export_runs(
    lines: list[tuple[int, str]], separator: str, raw_names: list[str], filename: str
) -> list[TrainingHistory]:
    """TensorBoard's CSV of one scalar (`Wall time,Step,Value`): a point a row, its metric named
    by the file (scalar_name). Steps 0, 1, 2, ... (or from 1) are the epochs Keras' TensorBoard
    callback logs at; other steps are logged steps. A step that does not grow starts a new run
    (a resumed or restarted run writing to the same log)."""
    lowered = [name.strip().lower() for name in raw_names]
    step_col, value_col = lowered.index("step"), lowered.index("value")
    name = scalar_name(filename)
    if name.startswith(VAL_PREFIX):
        raise HistoryError(
            f"this TensorBoard export holds one validation curve ({name}, as its file name says); "
            "send the training loss's export (`run-train-tag-epoch_loss.csv`): the training curve is "
            "what is judged"
        )
    runs: list[list[tuple[float, float, int]]] = [[]]  # (step, value, line) of each run
    skips = Skips()
    for number, line in lines:
        row = read_row(line, separator, len(raw_names))
        if isinstance(row, str) or row[step_col] is None or row[value_col] is None:
            skips.add(number, row if isinstance(row, str) else "no step or no value")
            continue
        step, value = float(row[step_col] or 0.0), float(row[value_col] or 0.0)  # both checked above
        if runs[-1] and step <= runs[-1][-1][0]:
            if len(runs) == MAX_RUNS:
                raise HistoryError(f"the input holds more than {MAX_RUNS} runs")
            runs.append([])
        runs[-1].append((step, value, number))
    histories: list[TrainingHistory] = []
    for run in (run for run in runs if run):
        first = run[0][0]
        epochs = first in (0.0, 1.0) and all(step == first + i for i, (step, _, _) in enumerate(run))
        points = []
        for i, (step, value, number) in enumerate(run):
            point = Point(step=step, epoch=i + 1 if epochs else None, line=number)
            point.train[name] = value
            points.append(point)
        # The skipped rows are the file's, said once: with its first run.
        said = skips if not histories else Skips()
        histories.append(assemble_points(points, "tensorboard_csv", InputFacts(), said))
    if not histories:
        raise HistoryError("the CSV has a header but no rows of numbers")
    return histories
