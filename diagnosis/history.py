"""A training history as the engine sees it, and the Keras `History.history` JSON reader.

Every input format ends up as a `TrainingHistory`: one float64 array per metric, all of the
same length, with NaN where the run logged a non-finite value (a NaN loss is the symptom,
not bad input). Anything that cannot become that raises `HistoryError` with a message that
names the problem; the HTTP layer turns it into a 422 and the CLI into one line.
"""

from __future__ import annotations

import contextlib
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from itertools import accumulate
from typing import Any

import numpy as np
import orjson
from pydantic import ValidationError

from diagnosis.infer import RunFacts, infer_facts
from diagnosis.models import RunMetadata, SourceInfo
from diagnosis.quoting import quote
from diagnosis.wording import PointWords, point_words

# Keras 2 wrote `acc`; Keras 3 writes `accuracy`. Rules only know the new names.
LEGACY_NAMES = {"acc": "accuracy", "val_acc": "val_accuracy", "lr": "learning_rate"}
# Columns that schedules log next to the metrics; they describe the run, they are not curves.
SCHEDULE_COLUMNS = frozenset({"learning_rate"})
# Keras' own name for validation metrics.
VAL_PREFIX = "val_"
# Python's json module reads JSON nested this deep without recursing out of the stack;
# a history is two levels deep, so anything past this is hostile or broken.
MAX_JSON_DEPTH = 32
# A JSON string: a quote, then escaped or plain characters up to the closing quote, or to the
# end of the text (a lone backslash there included) when there is none.
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*(?:"|\\?\Z)', re.DOTALL)
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")
_BRACKET_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
# For decode_json's look for an integer literal of 19 digits or more (past orjson's 64-bit
# integers, maybe): bytes.translate maps every digit to "0", what may come right before the
# digits of a fraction or an exponent to ".", and the rest to " ", so such a literal reads as
# " " and 19 zeros. A regular expression for it took as long as json.loads itself; this 7 us
# (2.5 KB). Digits in a string or in a long exponent may match too: json.loads reads those.
_NUMBER_SHAPES = bytes(
    ord("0") if byte in b"0123456789" else ord(".") if byte in b".eE+" else ord(" ") for byte in range(256)
)
_LONG_INTEGER = b" " + b"0" * 19
# More than any real training run logs; a bound on what one history costs to store, diagnose
# and plot, whatever format it came in (a compact JSON list fits a million epochs in 2 MB).
MAX_EPOCHS = 100_000


class HistoryError(ValueError):
    """The input cannot be read as a training history; the message says why."""


@dataclass(frozen=True)
class TrainingHistory:
    """Per-epoch curves of one run. `metrics` maps a Keras metric name to its values."""

    metrics: dict[str, np.ndarray]
    metadata: RunMetadata = field(default_factory=RunMetadata)
    # How the input was read and what it said besides the curves (num_samples from `Train on N
    # samples`, steps per epoch, the loss name...): the one place the format readers put it.
    source: SourceInfo = field(default_factory=SourceInfo)

    def __post_init__(self) -> None:
        if not self.metrics:
            raise HistoryError("the history has no metrics")
        lengths = {name: len(values) for name, values in self.metrics.items()}
        if len(set(lengths.values())) > 1:
            described = quote(dict(sorted(lengths.items())))
            raise HistoryError(f"metrics have different lengths: {described}")
        if self.epochs == 0:
            raise HistoryError("the history has no epochs")
        if self.epochs > MAX_EPOCHS:
            raise HistoryError(f"the history has {self.epochs} epochs; at most {MAX_EPOCHS} are accepted")

    @cached_property
    def facts(self) -> RunFacts:
        """What the curves and metadata imply (task, classes, schedule); computed once."""
        return infer_facts(self.metrics, self.metadata)

    @property
    def epochs(self) -> int:
        return len(next(iter(self.metrics.values())))

    @property
    def unit(self) -> PointWords:
        """What the run's points are called in the text a user reads: epochs, or logged steps
        where the run is read per logged step (diagnosis.wording)."""
        return point_words(self.source.granularity)

    def get(self, name: str) -> np.ndarray | None:
        return self.metrics.get(name)

    def starts_at_beginning(self, latest_start: int) -> bool:
        """Whether the run's first values may be its untrained start: its first epoch is
        numbered `latest_start` or earlier, or the input numbers none. A later one is an
        excerpt of a run (or a fit resumed from a checkpoint), already trained at its first
        line, which rules that hold a curve against where it started must not read as the start."""
        first = self.source.first_epoch
        return first is None or first <= latest_start

    @property
    def curve_names(self) -> list[str]:
        """Metric names that are training curves (not a schedule), in input order."""
        return [name for name in self.metrics if name not in SCHEDULE_COLUMNS]

    def to_json(self) -> dict[str, Any]:
        """The canonical JSON form; non-finite values become null so it stays strict JSON."""
        return {
            "history": {
                name: [float(v) if math.isfinite(v) else None for v in values.tolist()]
                for name, values in self.metrics.items()
            },
            "metadata": self.metadata.model_dump(exclude_none=True),
            **({"source": source} if (source := self.source.model_dump(exclude_defaults=True)) else {}),
        }


def metric_value(name: str, epoch: int, value: object) -> float:
    """One logged value as a float; null is NaN (exporters write NaN that way)."""
    # bool is an int subclass, but `true` in a loss column is a broken export, not 1.0.
    if value is None:
        return math.nan
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return float(value)
        except OverflowError:  # an integer past float's range: as good as infinite
            return math.inf if value > 0 else -math.inf
    raise HistoryError(f"metric {quote(name)} has a non-numeric value at epoch {epoch}: {quote(value)}")


# The types of a JSON list that numpy converts to float64 exactly as metric_value does (null
# is NaN, an int rounds as float() rounds it), so such a list is converted in one C call. The
# per-value loop took 40 % of parsing a 30-epoch history in the API (docs/benchmarks/load.md);
# lists with anything else (a bool, a string, an int past float's range) still take it, for
# its answer or its error.
_PLAIN_VALUE_TYPES = frozenset({float, int, type(None)})


def _to_array(name: str, values: object) -> np.ndarray:
    if isinstance(values, np.ndarray) and values.ndim == 1 and values.dtype == np.float64:
        return values  # already parsed by a format reader (CSV, console log, TensorBoard)
    if not isinstance(values, list):
        raise HistoryError(f"metric {quote(name)} must be a list of numbers, got {type(values).__name__}")
    if _PLAIN_VALUE_TYPES.issuperset(map(type, values)):
        with contextlib.suppress(OverflowError):  # an int past float's range: metric_value's inf
            return np.array(values, dtype=np.float64)
    return np.array([metric_value(name, i, value) for i, value in enumerate(values)], dtype=np.float64)


def history_from_mapping(
    raw: Mapping[str, Any], metadata: Mapping[str, Any] | None = None, source: SourceInfo | None = None
) -> TrainingHistory:
    """Build a history from a `History.history`-shaped mapping of metric name to values
    (lists from JSON, or float64 arrays from the other format readers)."""
    metrics: dict[str, np.ndarray] = {}
    for name, values in raw.items():
        if not isinstance(name, str) or not name:
            raise HistoryError("metric names must be non-empty strings")
        canonical = LEGACY_NAMES.get(name, name)
        if canonical in metrics:
            raise HistoryError(f"metric {quote(canonical)} appears twice (as {quote(name)} and its alias)")
        metrics[canonical] = _to_array(name, values)
    return TrainingHistory(metrics=metrics, metadata=parse_metadata(metadata), source=source or SourceInfo())


def parse_metadata(metadata: Mapping[str, Any] | None) -> RunMetadata:
    try:
        return RunMetadata.model_validate(metadata or {})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise HistoryError(f"invalid metadata field {quote(where)}: {first['msg']}") from None


def with_metadata(runs: list[TrainingHistory], extra: Mapping[str, Any]) -> list[TrainingHistory]:
    """`extra` over each run's own metadata (a wrapped JSON history may carry some): what a
    caller adds to a format that cannot hold metadata (a CSV, a console log)."""
    return [
        replace(run, metadata=parse_metadata({**run.metadata.model_dump(exclude_none=True), **extra}))
        for run in runs
    ]


def history_from_json(document: object) -> TrainingHistory:
    """Read a decoded Keras History JSON document: plain, or wrapped as {"history": ...}."""
    if not isinstance(document, dict):
        raise HistoryError("a history must be a JSON object mapping metric names to lists")
    if "history" in document and isinstance(document["history"], dict):
        extra = set(document) - {"history", "metadata", "source"}
        if extra:
            raise HistoryError(f"unexpected top-level keys next to 'history': {sorted(extra)}")
        metadata = document.get("metadata")
        if metadata is not None and not isinstance(metadata, dict):
            raise HistoryError("'metadata' must be a JSON object")
        return history_from_mapping(document["history"], metadata, _source(document.get("source")))
    return history_from_mapping(document)


def _source(raw: object) -> SourceInfo | None:
    """The `source` a stored run carries (written by `to_json`); None where there is none."""
    if raw is None:
        return None
    try:
        return SourceInfo.model_validate(raw)
    except ValidationError as exc:
        raise HistoryError(f"invalid 'source': {exc.errors()[0]['msg']}") from None


def json_depth(text: str) -> int:
    """Deepest bracket nesting outside strings, found without recursion: strings (an
    unterminated one runs to the end) and everything but brackets are cut out by regular
    expressions, and the running depth of what is left is summed in C. A character loop in
    Python took half of parsing a 2.5 KB history (BENCHMARKS.md, *Load*)."""
    brackets = _NOT_BRACKETS.sub("", _JSON_STRING.sub("", text))
    return max(accumulate(map(_BRACKET_STEP.__getitem__, brackets), initial=0))


def decode_json(text: str) -> Any:
    """What json.loads(text) answers, by orjson where that answer is the same: json.loads
    spent ~0.07 ms on a 30-epoch history in the API, orjson 0.005 (docs/benchmarks/load.md).
    orjson refuses NaN and Infinity literals, numbers past float's range and lone surrogates,
    and json.loads then reads the text (or raises what is wrong with it); orjson would read an
    integer past 64 bits as a float, so a text that may hold one goes to json.loads directly."""
    shapes = (b" " + text.encode("utf-8", "surrogatepass")).translate(_NUMBER_SHAPES)
    if _LONG_INTEGER not in shapes:
        with contextlib.suppress(orjson.JSONDecodeError):
            return orjson.loads(text)
    return json.loads(text)


def loads_json(data: bytes | str) -> object:
    """Decode JSON for a history; NaN and Infinity literals are allowed (Python writes them)."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
    except UnicodeDecodeError:
        raise HistoryError("the input is not UTF-8 text") from None
    if json_depth(text) > MAX_JSON_DEPTH:
        raise HistoryError(f"JSON is nested deeper than {MAX_JSON_DEPTH} levels")
    try:
        return decode_json(text)
    except json.JSONDecodeError as exc:
        raise HistoryError(f"invalid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
