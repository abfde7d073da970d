"""Keras `History.history` as JSON or as Python printed it, and the shapes people save it in.

- `{"loss": [...], "val_loss": [...]}`, plain or wrapped as `{"history": ..., "metadata": ...}`
  (diagnosis.history), and the canonical multi-run form `{"runs": [...]}` that the API stores
  and the worker reads back;
- `print(history.history)`: a Python repr, with `nan`/`inf` and numpy scalars
  (`np.float32(0.5)`), read by formats.literal with `ast.literal_eval` (never `eval`);
- `pd.DataFrame(history.history).to_json()`: each metric a `{"0": v, "1": v}` object, or a
  list of per-epoch records;
- several models in one dict, told apart by a prefix and without a plain `loss` (`reg_loss`,
  `cls_val_loss` or `val_cls_loss`), or as `{"reg": {...}, "cls": {...}}`: a run each;
- the History one level down, under `metrics` beside an `epochs` list; printed after a label
  (`train history: {...}`, lines after it skipped and said), or a `key: [values]` line per metric;
- a bare list of loss values: one run of `loss`;
- any of these as a JSON string (`json.dump(str(history.history), f)`): unwrapped once;
- skorch's `net.history` saved as JSON (`save_params(f_history=...)`): a record per epoch;
- a Hugging Face `trainer_state.json` or its `log_history` list saved alone, and a Jupyter
  notebook's outputs (diagnosis.formats.steps, diagnosis.formats.console).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np

from diagnosis.formats.columns import (
    MAX_RUNS,
    Skips,
    canonical_name,
    first_learning_rate,
    has_validation_split,
)
from diagnosis.formats.literal import python_literal
from diagnosis.history import (
    MAX_EPOCHS,
    HistoryError,
    TrainingHistory,
    decode_json,
    history_from_json,
    history_from_mapping,
    loads_json,
)
from diagnosis.models import InputFacts, RunMetadata, SourceInfo

_DIGITS = re.compile(r"\d{1,9}")
# How a loss curve's name ends (`val_loss`, `train_losses`).
_LOSS_NAMES = ("loss", "losses")
# Names only a Hugging Face Trainer's log entries carry (an evaluation, the closing summary).
_HF_LOG_KEYS = ("eval_", "train_runtime")
# skorch's History keeps each epoch's batches under this key (`net.history[-1, "batches"]`).
_SKORCH_BATCHES = "batches"
NO_RECORD_NUMBERS = (
    "a list of records without a number in any field; expected a record per epoch such as "
    '[{"loss": 0.69, "val_loss": 0.71}, ...] (pandas to_json(orient="records"), skorch\'s '
    "net.history) or a Hugging Face log_history"
)
# What the API's own wrapped form holds beside `history`.
_WRAPPER_KEYS = frozenset({"history", "metadata", "source"})


def runs_from_json(document: object, source_format: str = "keras_json") -> list[TrainingHistory]:
    """A decoded JSON document (or Python literal) in any of the shapes above."""
    if isinstance(document, str) and document.lstrip()[:1] in ("{", "["):
        # `json.dump(str(history.history), f)`: the printed History dict saved as a JSON string.
        return runs_from_json(python_literal(document), source_format)
    if isinstance(document, dict) and set(document) == {"runs"}:
        runs = document["runs"]
        # A metric called "runs" is a list of numbers; the runs form is a list of objects.
        if isinstance(runs, list) and all(isinstance(run, dict) for run in runs):
            return _runs_form(runs)
    if isinstance(document, dict) and isinstance(document.get("log_history"), list):
        from diagnosis.formats.steps import trainer_state_runs

        return trainer_state_runs(document)
    if isinstance(document, dict) and isinstance(document.get("cells"), list):
        from diagnosis.formats.notebook import notebook_runs

        return notebook_runs(document)
    if isinstance(document, list) and _is_log_history(document):
        from diagnosis.formats.steps import trainer_state_runs

        return trainer_state_runs({"log_history": document})
    if isinstance(document, list):
        return [_from_list(document, source_format)]
    if isinstance(document, dict) and _nested_metrics(document):
        # `{"epochs": [0, 1, ...], "metrics": {"loss": [...], ...}}`: the History one level down.
        return runs_from_json(document["metrics"], source_format)
    if isinstance(document, dict) and isinstance(document.get("history"), dict) and _script_saved(document):
        # A training script's own JSON: the History under `history` beside what the script saved
        # with it (`epochs_requested`, `class_names`, a dataset summary): those are no curves.
        return runs_from_json(document["history"], source_format)
    if isinstance(document, dict) and not ("history" in document and isinstance(document["history"], dict)):
        document = _split_groups_joined(document)
        document = _without_side_data(document)
        # `val_loss: []`: a metric the script named but never logged (it had no validation
        # data); it holds no value to skip. Only where some curve holds values: a dict of empty
        # lists is still an error that says it has no epochs.
        if any(isinstance(values, list) and values for values in document.values()):
            document = {key: values for key, values in document.items() if values != []}
        document = _model_name_dropped(document)
        models = _models(document)
        if models is not None:
            return [_tagged(history_from_mapping(_columns(m)), source_format) for m in models]
        return [_tagged(history_from_mapping(_columns(document)), source_format)]
    return [_tagged(history_from_json(document), source_format)]


# A script's own JSON may group the curves by split: `{"train": {"loss": [...]}, "val": {...}}`.
_SPLIT_GROUPS = frozenset({"train", "training", "val", "valid", "validation", "eval", "dev", "test"})


def _split_groups_joined(document: dict[Any, Any]) -> dict[Any, Any]:
    """One model's curves grouped by split (`{"train": {"loss": [...], "accuracy": [...]},
    "val": {...}}`, beside what the script saved with them) as the History's flat names
    (`train_loss`, `val_loss`); the document as it was where no split group holds a loss curve
    (`{"reg": {...}, "cls": {...}}` are several models, see _models)."""
    groups = {
        key: value
        for key, value in document.items()
        if isinstance(value, dict) and str(key).lower() in _SPLIT_GROUPS
    }
    curves = [(name, values) for group in groups.values() for name, values in group.items()]
    if not any(_loss_key(name) and isinstance(values, list) for name, values in curves):
        return document
    joined = {key: value for key, value in document.items() if key not in groups}
    for split, group in groups.items():
        for name, values in group.items():
            joined.setdefault(f"{split}_{name}", values)
    return joined


def _model_name_dropped(document: dict[Any, Any]) -> dict[Any, Any]:
    """One model's curves, every loss curve named after the model first (`coil_train_losses`,
    `coil_val_losses`: the script's name for it), without that name, where no curve is the plain
    loss: the name says whose curves they are, not which. Several models' names (`reg_loss`,
    `cls_loss`) are a run each (see _models) and stay."""
    losses = [str(key) for key, values in document.items() if isinstance(values, list) and _loss_key(key)]
    names = {key.partition("_")[0] for key in losses}
    if len(names) != 1 or any(canonical_name(key) in ("loss", "val_loss") for key in losses):
        return document
    (name,) = names
    if not name or name.lower() in _SPLIT_GROUPS:
        return document
    start = len(name) + 1
    dropped = {
        str(key)[start:] if str(key).startswith(name + "_") and isinstance(values, list) else key: values
        for key, values in document.items()
    }
    if len(dropped) != len(document) or not any(canonical_name(str(key)) == "loss" for key in dropped):
        return document
    return dropped


def _script_saved(document: dict[Any, Any]) -> bool:
    """Keys beside `history` other than the wrapped form's, and neither `metadata` nor `source`:
    in the wrapped form (the API's) an unknown key is a mistake to report (`metdata`)."""
    return bool(set(document) - _WRAPPER_KEYS) and not set(document) & {"metadata", "source"}


def _is_log_history(document: list[Any]) -> bool:
    """A Hugging Face Trainer's `state.log_history` saved alone (`json.dump(trainer.state.
    log_history, f)`): records that each say their `step`, with the Trainer's own names for
    what it logs besides the loss (`eval_loss`, `train_runtime`). A pandas records dump has
    neither."""
    return (
        bool(document)
        and all(
            isinstance(record, dict) and ("step" in record or "global_step" in record) for record in document
        )
        and any(str(key).startswith(_HF_LOG_KEYS) for record in document for key in record)
    )


def _nested_metrics(document: dict[Any, Any]) -> bool:
    """A dict that keeps its curves under `metrics` (a loss among them) and none of its own."""
    metrics = document.get("metrics")
    return (
        isinstance(metrics, dict)
        and any(_loss_key(key) and isinstance(values, list) for key, values in metrics.items())
        and not any(_loss_key(key) for key in document)
    )


def _without_side_data(document: dict[Any, Any]) -> dict[Any, Any]:
    """The curves of a dict saved with other things beside them (a training script's own JSON:
    `timestamp`, `classes: ["Happy", ...]`, `phase_starts: [0, 15, 35]`, the run's settings
    as `config: {"batch_size": 128, ...}`), where it holds a loss curve: text and flags, lists
    that hold text, lists of numbers not named like a loss whose length is no loss curve's,
    and objects that are no pandas column (keys other than epoch numbers) are left out. A second fit's curves
    (`fine_tune_accuracy`) have its loss's length and stay."""
    lengths = {len(values) for key, values in document.items() if isinstance(values, list) and _loss_key(key)}
    if not lengths:
        return document
    return {key: values for key, values in document.items() if _curve_or_score(key, values, lengths)}


def _loss_key(key: object) -> bool:
    """A key named like a loss curve (`val_loss`, `train_losses`, `train_loss_history`)."""
    return str(key).removesuffix("_history").endswith(_LOSS_NAMES)


def _curve_or_score(key: object, values: object, lengths: set[int]) -> bool:
    if isinstance(values, list):
        if _loss_key(key):
            return True  # a loss curve, whatever it holds (a bad value is an error to report)
        return len(values) in lengths and not any(isinstance(value, str | bool) for value in values)
    if isinstance(values, dict):
        return all(_DIGITS.fullmatch(str(k)) for k in values)  # pandas' {"0": v, "1": v} column
    return isinstance(values, int | float) and not isinstance(values, bool)


def _side_data(values: list[Any]) -> bool:
    """Values of which none is a number or missing (null is NaN, a number not logged)."""
    return all(isinstance(value, bool | str | list | dict) for value in values)


def _runs_form(runs: list[dict[str, Any]]) -> list[TrainingHistory]:
    if not runs:
        raise HistoryError("'runs' is empty")
    if len(runs) > MAX_RUNS:
        raise HistoryError(f"the input holds more than {MAX_RUNS} runs")
    histories = []
    for i, run in enumerate(runs):
        try:
            histories.append(history_from_json(run))
        except HistoryError as exc:
            raise HistoryError(f"run {i}: {exc}") from None
    return histories


def _tagged(run: TrainingHistory, source_format: str) -> TrainingHistory:
    """The run with where it came from; a logged learning rate is a fact of the input."""
    if run.source.format is not None:
        return run
    facts = InputFacts(learning_rate=first_learning_rate(run.metrics))
    source = SourceInfo(format=source_format, facts=facts)
    metadata = run.metadata
    if facts.learning_rate is not None and metadata.learning_rate is None:
        metadata = metadata.model_copy(update={"learning_rate": facts.learning_rate})
    return replace(run, source=source, metadata=metadata)


def _from_list(document: list[Any], source_format: str) -> TrainingHistory:
    """A bare list of loss values, or per-epoch records (`to_json(orient="records")`, skorch's
    `net.history`). A field that holds no number in any epoch is side data, not a curve:
    skorch's per-batch `batches` lists, its `*_best` and `event_*` flags; its bookkeeping (the
    epoch's duration `dur`, `train_batch_count`) measures no learning and is left out too."""
    if document and all(isinstance(item, dict) for item in document):
        names = list(dict.fromkeys(name for record in document for name in record))
        names = [name for name in names if str(name).lower() not in {"epoch", "step"}]
        columns = {name: [record.get(name) for record in document] for name in names}
        columns = {name: values for name, values in columns.items() if not _side_data(values)}
        if not columns:
            raise HistoryError(NO_RECORD_NUMBERS)
        if any(_SKORCH_BATCHES in record for record in document):
            source_format = "skorch_history"
            columns = {
                name: values
                for name, values in columns.items()
                if not (name == "dur" or str(name).endswith("_batch_count"))
            }
        return _tagged(history_from_mapping(_columns(columns)), source_format)
    if not document:
        raise HistoryError("the list is empty")
    return _tagged(history_from_mapping({"loss": document}), "loss_list")


def _columns(mapping: Mapping[str, object]) -> dict[str, object]:
    """Metric names as Keras spells them, and pandas' `{"0": v, "1": v}` columns as lists."""
    names = [str(name) for name in mapping]
    test_is_validation = not has_validation_split(names)
    renamed = {name: canonical_name(name, test_is_validation=test_is_validation) for name in names}
    if len(set(renamed.values())) != len(renamed):
        renamed = {name: name for name in names}  # the new names would collide: keep the input's
    columns: dict[str, object] = {}
    curves = any(isinstance(values, list | dict) for values in mapping.values())
    for name, values in mapping.items():
        if isinstance(values, dict) and all(_DIGITS.fullmatch(str(key)) for key in values):
            values = [values[key] for key in sorted(values, key=int)]
        if curves and isinstance(values, int | float) and not isinstance(values, bool):
            continue  # a final score saved beside the curves (`test_accuracy`)
        columns[renamed[str(name)]] = values
    return columns


def _models(document: Mapping[str, object]) -> list[dict[str, object]] | None:
    """Several models' histories in one dict, or None when it is one model's."""
    inner = [value for value in document.values() if isinstance(value, dict) and value]
    if (
        document
        and len(inner) == len(document)
        and all(any(str(key).endswith("loss") for key in history) for history in inner)
    ):
        return inner  # {"reg": {"loss": ...}, "cls": {"loss": ...}}
    if "loss" in document or "val_loss" in document:
        return _continuation(document)  # one model (a multi-output one logs a total `loss` too)
    bases = [str(key).removeprefix("val_") for key in document]
    # In the order the input names them (a run each, in that order); matched longest first.
    prefixes = list(
        dict.fromkeys(
            base.removesuffix("_loss")
            for base in bases
            if base.endswith("_loss") and not base.removesuffix("_loss").endswith(("val", "_val"))
        )
    )
    if len(prefixes) < 2:
        return None
    models: dict[str, dict[str, object]] = {prefix: {} for prefix in prefixes}
    longest_first = sorted(prefixes, key=len, reverse=True)
    for key, values in document.items():
        base = str(key).removeprefix("val_")
        prefix = next((p for p in longest_first if base.startswith(p + "_")), None)
        if prefix is not None:
            rest = base[len(prefix) + 1 :]
            models[prefix][("val_" if base != key else "") + rest] = values
    if len(models) > MAX_RUNS:
        raise HistoryError(f"the input holds more than {MAX_RUNS} runs")
    return list(models.values())


def _continuation(document: Mapping[str, object]) -> list[dict[str, object]] | None:
    """`history.history` merged with a second fit's under a prefix (`fine_tune_loss`): the
    prefixed curves have another length. A run each, the unprefixed one first; None when all
    curves have one length (a multi-output model's `out_loss` beside `loss`)."""
    curves = {key: values for key, values in document.items() if isinstance(values, list)}
    lengths = {len(values) for values in curves.values()}
    if len(lengths) < 2:
        return None
    prefixes = {
        str(key).removeprefix("val_").removesuffix("loss")
        for key in curves
        if str(key).removeprefix("val_").endswith("_loss")
    }
    prefixes = {p for p in prefixes if p and not p.endswith("val_")}
    longest_first = sorted(prefixes, key=lambda p: (-len(p), p))
    main: dict[str, object] = {}
    others: dict[str, dict[str, object]] = {}
    for key, values in curves.items():
        prefix = next((p for p in longest_first if str(key).startswith(p)), None)
        if prefix is None:
            main[key] = values
        else:
            rest = str(key)[len(prefix) :]
            others.setdefault(prefix, {})[rest] = values
    return [main, *others.values()] if main and others else None


def load_document(content: str) -> object:
    """JSON, else a Python literal (`print(history.history)` output)."""
    try:
        return loads_json(content)
    except HistoryError as json_error:
        records = json_lines(content)
        if records is not None:
            return records
        try:
            return python_literal(content)
        except HistoryError:
            if content.lstrip()[:2] in ("{'", "['"):
                raise  # single quotes: it was meant as a Python repr, say why that failed
            raise json_error from None


def json_lines(content: str) -> list[object] | None:
    """JSON lines (`.jsonl`): an object a line, as ms-swift's `logging.jsonl` holds the
    Trainer's log records (`{"loss": 5.28, "acc": 0.28, ..., "epoch": 0.0095, "global_step":
    1}`); the records as one list, or None where any line is no JSON object."""
    lines = [line for line in content.splitlines() if line.strip()]
    if len(lines) < 2 or not all(line.lstrip()[:1] == "{" for line in lines):
        return None
    records: list[object] = []
    for line in lines:
        try:
            record = loads_json(line)
        except HistoryError:
            return None
        if not isinstance(record, dict):
            return None
        records.append(record)
    return records


_SEPARATORS = re.compile(r"\s*[,;]\s*|\s+")
_BARE_NUMBER = re.compile(r"[-+]?(?:nan|inf|(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)", re.IGNORECASE)


def bare_numbers(content: str) -> list[TrainingHistory] | None:
    """Loss values and nothing else, one a line or separated by commas: one run of `loss`."""
    cells = _SEPARATORS.split(content.strip())
    if len(cells) > MAX_EPOCHS:
        return None  # more than a run can hold: not a list of losses
    if not all(_BARE_NUMBER.fullmatch(cell) for cell in cells):
        return None
    values = [float(cell) for cell in cells]
    return [_tagged(history_from_mapping({"loss": values}), "loss_list")]


# `train history: {'loss': [...]}` / `History = {...}`: a printed dict after a short label.
_LABELLED_DICT = re.compile(r"[ \t]*[A-Za-z][\w .]{0,40}?[ \t]*[:=][ \t]*(?=\{)")
# `loss: [0.55, 0.48]`, a line per metric (the History dict printed key by key).
_KEY_LIST_LINE = re.compile(
    r"[ \t]*['\"]?([A-Za-z_][\w.\-]{0,60})['\"]?[ \t]*[:=][ \t]*(\[[^\[\]]*\])[ \t]*,?[ \t]*"
)


def labelled_history(content: str) -> list[TrainingHistory] | None:
    """A History dict printed after a label (`print("train history:", history.history)`),
    or printed a `key: [values]` line per metric; None when the text is neither. Lines after
    the dict's closing brace are skipped and said."""
    text = content.lstrip("\r\n")
    matches = _key_list_lines([line for line in text.splitlines() if line.strip()])
    if matches:
        return _key_list_runs(matches)
    label = _LABELLED_DICT.match(text)
    if label is None:
        return None
    end = text.rfind("}")
    try:
        document = python_literal(text[label.end() : end + 1])
    except HistoryError:
        return None
    if not isinstance(document, dict) or not any(_loss_key(key) for key in document):
        return None
    runs = runs_from_json(document, "history_repr")
    after = content.count("\n", 0, len(content) - len(text) + end) + 1  # the brace's line
    trailing = [n for n, line in enumerate(content.splitlines(), 1) if n > after and line.strip()]
    if trailing and len(runs) == 1:
        skips = Skips()
        for number in trailing:
            skips.add(number, "after the printed History dict (model.evaluate or a print)")
        source = runs[0].source.model_copy(update={"skipped": skips.close(), "skipped_lines": skips.total})
        runs = [replace(runs[0], source=source)]
    return runs


def _key_list_lines(lines: list[str]) -> list[re.Match[str]] | None:
    """Each line's `key: [values]` match; None at the first line that is not one (a text of
    any length is told apart by its first lines, not scanned to its end)."""
    matches = []
    for line in lines:
        match = _KEY_LIST_LINE.fullmatch(line)
        if match is None:
            return None
        matches.append(match)
    return matches


def _key_list_runs(matches: list[re.Match[str]]) -> list[TrainingHistory] | None:
    columns = {match[1]: python_literal(match[2]) for match in matches}
    if not any(_loss_key(name) for name in columns):
        return None
    return runs_from_json(columns, "history_repr")


def key_lists_amid_text(content: str) -> list[TrainingHistory] | None:
    """The `key: [values]` lines of a History printed amid other text (a script's report: a
    title, settings and the model's summary around it): the first stretch of such lines with a
    loss among them, blank lines allowed; every other line is skipped and said. None when no
    stretch holds a loss. Tried last, so a log any other reader takes is never read this way."""
    numbered = [(n, line) for n, line in enumerate(content.splitlines(), 1) if line.strip()]
    stretch: list[tuple[int, re.Match[str]]] = []
    for number, line in [*numbered, (-1, "")]:  # a sentinel closes the last stretch
        if number > 0 and (match := _KEY_LIST_LINE.fullmatch(line)):
            stretch.append((number, match))
            continue
        runs = _key_list_runs([match for _, match in stretch]) if stretch else None
        if runs is not None:
            read = {n for n, _ in stretch}
            skips = Skips()
            for other, _ in numbered:
                if other not in read:
                    skips.add(other, "not a 'name: [values]' line of the printed History")
            # The lines are the input's, said once: on its last run, as a console log does.
            said = {"skipped": skips.close(), "skipped_lines": skips.total}
            source = runs[-1].source.model_copy(update=said)
            return [*runs[:-1], replace(runs[-1], source=source)]
        stretch = []
    return None


def dump_runs(runs: list[TrainingHistory]) -> bytes:
    """The canonical form: strict JSON (non-finite values as null), one input for many runs."""
    return json.dumps({"runs": [run.to_json() for run in runs]}).encode()


def read_runs(payload: bytes) -> list[TrainingHistory]:
    """Read back what `dump_runs` wrote, without parsing the input again: the API read and
    checked it once, at submission (a bad history is a 422 there, never a failed job), and
    only the API writes a job's input. What the checks cost goes: the depth scan (a Python
    loop over every character), a check and a conversion per value, the alias lookup, the
    shapes a user's file may take; one numpy conversion per metric stays (null is NaN)."""
    return [
        TrainingHistory(
            metrics={name: np.array(values, dtype=np.float64) for name, values in run["history"].items()},
            metadata=RunMetadata.model_validate(run["metadata"]),
            source=SourceInfo.model_validate(run.get("source", {})),
        )
        for run in decode_json(payload.decode())["runs"]
    ]
