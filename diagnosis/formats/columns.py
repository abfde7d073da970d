"""Per-epoch values gathered into aligned columns, the cut into runs, and what a reader
reports besides the curves (skipped lines, facts the input carried); shared by the readers
that see one epoch at a time (CSV rows, console log lines, JSON records)."""

from __future__ import annotations

import math
import re
from array import array
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import replace

import numpy as np

from diagnosis.history import (
    LEGACY_NAMES,
    MAX_EPOCHS,
    VAL_PREFIX,
    HistoryError,
    TrainingHistory,
    history_from_mapping,
)
from diagnosis.models import InputFacts, SkippedLines, SourceInfo

# Far more `fit` calls than anyone diagnoses at once; the cap keeps a hostile input made of
# millions of one-epoch runs from turning into millions of objects.
MAX_RUNS = 1000
# Skipped stretches listed in a run's source info; the total is counted past it.
MAX_SKIPPED_LISTED = 20
# Metadata fields a reader fills from the input's facts where the caller sends none.
METADATA_FACTS = ("num_samples", "batch_size", "learning_rate", "loss", "steps_per_epoch")

# How other tools and hand-written exports name the splits (`Training Loss`, `loss/train`,
# `train_loss_epoch`, `eval_accuracy`); Keras' own names pass through unchanged. A minibatch's
# value is the training split's, measured on the step's batch (the TensorFlow 1 course's
# `Minibatch accuracy: 73.4%` beside `Validation accuracy: 76.0%`).
_TRAIN = {"train", "training", "trn", "minibatch"}
_VALIDATION = {"val", "valid", "validation", "eval", "dev"}
_TEST = {"test"}
# An aggregate's word may come before the split's (`Avg Train Loss`, `Avg Valid Loss`, a
# column-embedding trainer's): the split is still the split (`avg_loss`, `val_avg_loss`).
_AGGREGATE_WORDS = {"avg", "average", "mean"}
_CHUNK = re.compile(r"[^\W_]+")
# camelCase words (`TrainLoss`, `valAcc`); a chunk without a lower-to-upper turn (`F1`, `MAE`)
# stays whole.
_CAMEL = re.compile(r"[A-Z]+[^\W_A-Z]*|[^\W_A-Z]+")
# The words of a log written in another language (a Catalan CSV's `Epoca,Perdua,Accuracy`, a
# Spanish loop's `loss entrenamiento=0.0085, loss validación=0.0093, exactitud=49.3%`), in
# English: the curves are the same whatever a script calls them.
_TRANSLATED = {
    **dict.fromkeys(("perdua", "pèrdua", "perdida", "pérdida", "perte", "verlust", "perda"), "loss"),
    **dict.fromkeys(("perdita",), "loss"),
    **dict.fromkeys(("epoca", "època", "época", "epoque", "époque", "epoche", "epoka"), "epoch"),
    **dict.fromkeys(("exactitud", "exactitude", "genauigkeit", "acuracia", "acurácia"), "accuracy"),
    **dict.fromkeys(("accuratezza",), "accuracy"),
    **dict.fromkeys(("entrenamiento", "entrenament", "entrainement", "entraînement", "treino"), "train"),
    **dict.fromkeys(("validacion", "validación", "validació", "validacao", "validação"), "val"),
    **dict.fromkeys(("validierung",), "val"),
}
_TURN = re.compile(r"[a-z][A-Z]")
_KERAS_NAME = re.compile(r"[a-z][a-z0-9_]*")
# The split after the metric, as NRI's loop names its curves (`nll_train`, `acc_val`): no Keras name.
_SPLIT_SUFFIXES = ("_train", "_training", "_val", "_valid", "_validation")
_METRIC_WORDS = {"acc": "accuracy", "accuracy": "accuracy", "lr": "learning_rate"}
# A split's `approx` alone is PyG's and DGL's GraphSAGE loops' accuracy over the epoch's mini-batches
# (`Approx. Train: 0.5582`, `Approx. Val: 0.6590`); without a split the word says nothing.
_SPLIT_METRIC_WORDS = {"approx": "accuracy"}
# Accuracy under another name: top-1 accuracy as torchvision's reference scripts and timm print
# it (`Acc@1`, read `acc_1`, wild log w2022; `acc1`), and the classification accuracy of BEiT-style
# fine-tuning engines (`class_acc`; w2020). Top-5 (`acc_5`) is not the accuracy a rule means.
ACCURACY_SPELLINGS = {"acc_1": "accuracy", "acc1": "accuracy", "class_acc": "accuracy"}
# Hand-written loops append per epoch to lists named in the plural (`train_losses`, `val_accs`).
_PLURALS = {"losses": "loss", "accs": "acc", "accuracies": "accuracy"}
# ... or keep them under the curve's name and `_history` (`train_loss_history`, `valAccHistory`).
_LIST_SUFFIXES = frozenset({"history"})
# Columns that number the rows rather than measure anything.
INDEX_NAMES = frozenset(
    {"epoch", "epochs", "step", "steps", "global_step", "iteration", "iterations", "index", "unnamed: 0", ""}
)


def index_word(name: str) -> str:
    """A column's name as INDEX_NAMES spells it (`Epoca`, `"Epoch"` -> `epoch`)."""
    word = name.lower().strip('"')
    return _TRANSLATED.get(word, word)


def canonical_name(name: str, *, test_is_validation: bool = True) -> str:
    """`Validation Loss` -> `val_loss`, `loss/train` -> `loss`, `train_acc_epoch` -> `accuracy`;
    a Keras name (`val_out_caps_acc`) is kept as it is, and a name that means accuracy under
    another spelling (ACCURACY_SPELLINGS: `Acc@1`, `class_acc`) is `accuracy`. `test` means
    validation where the input has no validation split of its own (PyTorch examples log
    `Loss/test`)."""
    name = _canonical_name(name, test_is_validation=test_is_validation)
    metric = name.removeprefix("val_")
    return name[: len(name) - len(metric)] + ACCURACY_SPELLINGS.get(metric, metric)


def _canonical_name(name: str, *, test_is_validation: bool = True) -> str:
    name = name.strip().strip("\"'")
    if "/" in name:
        # Chainer's reporter names a value by the link that reported it: `main/loss` is the
        # model's (the optimizer's `main` target), `validation/main/accuracy` the evaluator's.
        name = "/".join(part for part in name.split("/") if part != "main") or name
    head, underscore, last = name.rpartition("_")
    if head and last.lower() in _LIST_SUFFIXES:  # `train_loss_history`: the list of a curve
        name = head
        head, underscore, last = name.rpartition("_")
    if last in _PLURALS:
        name = head + underscore + _PLURALS[last]
    if (
        _KERAS_NAME.fullmatch(name)
        and not name.startswith(("train_", "training_", "valid_", "eval_", "test_"))
        and not name.endswith(_SPLIT_SUFFIXES)
        and _TRANSLATED.keys().isdisjoint(name.split("_"))
    ):
        return name.removesuffix("_epoch") if name.endswith("_epoch") and name != "_epoch" else name
    words = [
        _TRANSLATED.get(word.lower(), word.lower())
        for chunk in _CHUNK.findall(name)
        for word in (_CAMEL.findall(chunk) if _TURN.search(chunk) else [chunk])
    ]
    if words and words[-1] in {"epoch", "step", *_LIST_SUFFIXES} and len(words) > 1:
        words.pop()  # Lightning's `train_loss_epoch`; per-step columns are told apart by the caller
    prefix = ""
    split: str | None = None
    after_aggregate = (1,) if len(words) > 2 and words[0] in _AGGREGATE_WORDS else ()
    for i in (0, *after_aggregate, len(words) - 1):
        if len(words) > 1 and words[i] in _TRAIN | _VALIDATION | _TEST:
            split = words.pop(i)
            if split in _VALIDATION or (split in _TEST and test_is_validation):
                prefix = "val_"
            elif split in _TEST:
                prefix = "test_"
            break
    if words[:1] == ["val"] and len(words) > 1:
        prefix, words = "val_", words[1:]
    if split is not None and len(words) == 1:
        words = [_SPLIT_METRIC_WORDS.get(words[0], words[0])]
    metric = "_".join(_METRIC_WORDS.get(word, word) if len(words) == 1 else word for word in words)
    return prefix + metric if metric else name


# Error measures a regression logs; where one is a table's only training curve and no loss is
# logged beside it (`Epoch,RMSE`), it is what the run minimised: its loss.
ERROR_MEASURES = frozenset(
    {
        "rmse",
        "mse",
        "mae",
        "msle",
        "rmsle",
        "mean_squared_error",
        "mean_absolute_error",
        "root_mean_squared_error",
    }
)
_NOT_TRAINING = ("val_", "test_")
_SCHEDULE = frozenset({"learning_rate", "lr"})


# What a framework calls the loss where no name says `loss` (and no lone aggregate or error
# measure stands in), in order of precedence: a lone name that holds the word `loss` among
# others (CNTK's `TrainLossPerSample`); the cross-entropy itself (OpenNMT-py's `xent`, CNTK's
# `ce`, MXNet's `Train-CrossEntropy`) before the perplexity it exponentiates; a cost
# (PaddlePaddle's `Cost`) or a score (DL4J's `Score at iteration N`), which name the objective;
# an error (brain.js' `training error`, synaptic's, CNTK's criterion `error = `) or a
# regression's error measure (CNTK's `mse = `), which a loop without a loss logs as its
# objective; and a perplexity (OpenNMT-lua's `Perplexity`, `PPL`) last, where it is the only
# curve of the objective. The first kind found must hold one name, else none stands in.
LOSS_PRECEDENCE = (
    frozenset({"xent", "ce", "cross_entropy", "crossentropy", "nll"}),
    frozenset({"cost", "score"}),
    frozenset({"error", "err"}) | ERROR_MEASURES,
    frozenset({"perplexity", "ppl"}),
)
_LOSS_WORD = re.compile(r"(?:^|_)loss(?:_|$)")


def loss_candidate(names: Iterable[str]) -> str | None:
    """The training name read as the loss by LOSS_PRECEDENCE where none is named `loss`."""
    training = [name for name in names if not name.startswith(_NOT_TRAINING) and name not in _SCHEDULE]
    if "loss" in training:
        return None
    holding = [name for name in training if _LOSS_WORD.search(name)]
    if holding:
        return holding[0] if len(holding) == 1 else None
    for kind in LOSS_PRECEDENCE:
        found = [name for name in training if name.lower() in kind]
        if found:
            return found[0] if len(found) == 1 else None
    return None


# How a loop names a task's accuracy beside the task's loss, which it names by the task alone
# (JiGen's and RSC's logger: `class : 0.014 - acc class : 100.00`).
_ACCURACY_TWINS = ("acc_{}", "{}_acc", "accuracy_{}", "{}_accuracy")


def _task_loss(training: list[str]) -> tuple[str, str] | None:
    """The one training curve named by a task whose accuracy is logged as `acc_<task>` (or
    `<task>_acc`), and that accuracy's name, where the two are all the training curves; None
    otherwise."""
    tasks = [name for name in training if any(twin.format(name) in training for twin in _ACCURACY_TWINS)]
    if len(tasks) != 1:
        return None
    twins = [twin.format(tasks[0]) for twin in _ACCURACY_TWINS]
    if not all(name == tasks[0] or name in twins for name in training):
        return None
    return tasks[0], next(twin for twin in twins if twin in training)


def stand_in_as_loss(names: list[str], index: frozenset[int] = frozenset()) -> list[str]:
    """The canonical names with the curve that stands in for the loss (and its validation twin)
    read as the loss, where the input logs no plain loss: a lone aggregate loss, else a lone
    error measure that is the only training curve; else the names as they were. Where it logs a
    plain loss, a lone validation aggregate (`val_average_loss`) is read as the validation loss.
    Positions in `index` (a table's counters and label columns) are neither candidates nor
    renamed."""
    if "loss" in names:
        # The validation split's loss logged as an aggregate beside a plain training loss (the
        # PyTorch MNIST example's `Loss: 0.27` per step, then `Test set: Average loss: 0.06`).
        averaged = [
            name
            for name in names
            if name.startswith(VAL_PREFIX) and name[len(VAL_PREFIX) :] in AGGREGATE_LOSSES
        ]
        if "val_loss" in names or len(averaged) != 1:
            return names
        return [
            VAL_PREFIX + "loss" if name == averaged[0] and i not in index else name
            for i, name in enumerate(names)
        ]
    training = [
        name
        for i, name in enumerate(names)
        if i not in index and not name.startswith(_NOT_TRAINING) and name not in _SCHEDULE
    ]
    # An aggregate is named without a split, so it is a training curve, and then no lone
    # error measure is: at most one of the two stands in.
    aggregates = [name for name in training if name in AGGREGATE_LOSSES]
    if len(aggregates) == 1 and not ("val_loss" in names and VAL_PREFIX + aggregates[0] in names):
        found = aggregates[0]
    elif len(training) == 1 and training[0].lower() in ERROR_MEASURES:
        found = training[0]
    elif (named := loss_candidate(training)) is not None and "val_loss" not in names:
        # Its validation twin may be spelt otherwise (`PPL`, then `Validation perplexity`).
        kind = next((kind for kind in LOSS_PRECEDENCE if named.lower() in kind), frozenset({named.lower()}))
        twins = [
            name
            for i, name in enumerate(names)
            if i not in index and name.startswith(VAL_PREFIX) and name[len(VAL_PREFIX) :].lower() in kind
        ]
        renamed = {named: "loss", **({twins[0]: VAL_PREFIX + "loss"} if len(twins) == 1 else {})}
        return [renamed.get(name, name) if i not in index else name for i, name in enumerate(names)]
    elif (pair := _task_loss(training)) is not None:
        # The task's accuracy twin is the accuracy, where no other curve is named so.
        task, twin = pair
        renamed = {task: "loss", VAL_PREFIX + task: VAL_PREFIX + "loss"}
        if "accuracy" not in names and VAL_PREFIX + "accuracy" not in names:
            renamed |= {twin: "accuracy", VAL_PREFIX + twin: VAL_PREFIX + "accuracy"}
        return [renamed.get(name, name) if i not in index else name for i, name in enumerate(names)]
    else:
        return names
    renamed = {found: "loss", VAL_PREFIX + found: VAL_PREFIX + "loss"}
    return [renamed.get(name, name) if i not in index else name for i, name in enumerate(names)]


def has_validation_split(names: list[str]) -> bool:
    return any(canonical_name(name, test_is_validation=False).startswith("val_") for name in names)


class Skips:
    """Lines a reader passed over, as numbered stretches with one reason each."""

    def __init__(self) -> None:
        self.listed: list[SkippedLines] = []
        self.total = 0
        self._open: tuple[int, int, str] | None = None

    def add(self, line: int, reason: str) -> None:
        self.total += 1
        if self._open and self._open[2] == reason and self._open[1] + 1 >= line:
            self._open = (self._open[0], line, reason)
            return
        self._close()
        self._open = (line, line, reason)

    def _close(self) -> None:
        if self._open and len(self.listed) < MAX_SKIPPED_LISTED:
            first, last, reason = self._open
            self.listed.append(
                SkippedLines(lines=str(first) if first == last else f"{first}-{last}", reason=reason)
            )
        self._open = None

    def close(self) -> list[SkippedLines]:
        self._close()
        return self.listed


class Run:
    """One run's columns. A metric missing in an epoch (validation every N epochs) is NaN,
    and a metric never logged gets no column at all."""

    def __init__(self) -> None:
        # array('d') holds 8 bytes a value; a list of floats would hold 32.
        self._columns: dict[str, array[float]] = {}
        self._not_logged: dict[str, list[int]] = {}  # the epochs each column has no value of
        self.epochs = 0
        self.skips = Skips()
        self.steps: list[int] = []  # progress-bar totals of its epochs (console logs)
        # The number of its first epoch (SourceInfo.first_epoch), counted back from the first
        # epoch the input numbered: a paste's first epoch may have lost its `Epoch 64/100`.
        self.first_epoch: int | None = None

    def add_epoch(self, values: Mapping[str, float], number: int | None = None) -> None:
        """Add an epoch's values; `number` is the epoch's number where the input gives one."""
        if number is not None and self.first_epoch is None:
            self.first_epoch = max(number - self.epochs, 0)
        if self.epochs == MAX_EPOCHS:
            # TrainingHistory refuses it anyway; stopping here bounds what a 100 MB file costs.
            raise HistoryError(f"a run has more than {MAX_EPOCHS} epochs")
        for name in values:
            if name not in self._columns:
                self._columns[name] = array("d", [math.nan]) * self.epochs
                if self.epochs:
                    self._not_logged[name] = list(range(self.epochs))
        for name, column in self._columns.items():
            value = values.get(name)
            if value is None:
                self._not_logged.setdefault(name, []).append(self.epochs)
            column.append(math.nan if value is None else value)
        self.epochs += 1

    def drop_first_epoch(self) -> None:
        """Forget the first epoch (a partial one a reader found out about later)."""
        for column in self._columns.values():
            del column[0]
        self._not_logged = {
            name: shifted
            for name, epochs in self._not_logged.items()
            if (shifted := [epoch - 1 for epoch in epochs if epoch])
        }
        self.epochs -= 1
        if self.first_epoch is not None:
            self.first_epoch += 1

    def last(self, name: str) -> float | None:
        """The latest epoch's value of a metric, None where the run has not logged it."""
        column = self._columns.get(name)
        return column[-1] if column else None

    def history(self, source: SourceInfo) -> TrainingHistory:
        if self._not_logged:
            source = source.model_copy(update={"not_logged": self._not_logged})
        return finish({name: np.array(column) for name, column in self._columns.items()}, source)


def first_learning_rate(columns: Mapping[str, np.ndarray]) -> float | None:
    for name in ("learning_rate", "lr"):
        values = columns.get(name)
        if values is not None:
            usable = values[np.isfinite(values) & (values > 0)]
            return float(usable[0]) if usable.size else None
    return None


# How a loop names the loss it minimised when it logs it as an aggregate (`mean_loss`, `Avg batch
# loss`, or `total loss` beside its parts: `gen loss`, `KLD`). A VAE's `elbo_loss` (the negative
# ELBO) is such a total: its reconstruction and KL terms are logged beside it as `recon_loss`.
AGGREGATE_LOSSES = frozenset(
    {
        "total_loss",
        "elbo_loss",
        "neg_elbo",
        "nelbo",
        "mean_loss",
        "avg_loss",
        "average_loss",
        "avg_batch_loss",
        "mean_batch_loss",
        "average_batch_loss",
    }
)


def finish(columns: Mapping[str, np.ndarray], source: SourceInfo) -> TrainingHistory:
    """A history with its source info; the input's facts fill the metadata fields the engine
    reads (num_samples, batch_size, learning_rate), and the caller's metadata, applied later
    by `with_metadata`, wins over them."""
    # Any reader's stand-in for the loss is the loss the run minimised, as a table's is.
    renamed = dict(zip(columns, stand_in_as_loss(list(columns)), strict=True))
    columns = {renamed[name]: values for name, values in columns.items()}
    if source.epoch_mean_noise:
        noise = {renamed.get(name, name): value for name, value in source.epoch_mean_noise.items()}
        source = source.model_copy(update={"epoch_mean_noise": noise})
    if source.not_logged:
        # Under the name the history will give the column (`acc` is `accuracy` there).
        gaps = {
            LEGACY_NAMES.get(renamed.get(name, name), renamed.get(name, name)): epochs
            for name, epochs in source.not_logged.items()
        }
        source = source.model_copy(update={"not_logged": gaps})
    facts = source.facts
    if facts.learning_rate is None and (lr := first_learning_rate(columns)) is not None:
        facts = facts.model_copy(update={"learning_rate": lr})
        source = source.model_copy(update={"facts": facts})
    metadata = {name: value for name in METADATA_FACTS if (value := getattr(facts, name)) is not None}
    return history_from_mapping(columns, metadata, source)


class Runs:
    """The runs of one input, in order; a new one starts where the epoch counter restarts."""

    def __init__(self) -> None:
        self._runs = [Run()]

    @property
    def current(self) -> Run:
        return self._runs[-1]

    @property
    def first(self) -> Run:
        return self._runs[0]

    @property
    def epochs(self) -> int:
        """The epochs of all its runs."""
        return sum(run.epochs for run in self._runs)

    def start_new(self) -> None:
        if self.current.epochs == 0:
            return  # nothing logged since the last restart: keep filling the same run
        if len(self._runs) == MAX_RUNS:
            raise HistoryError(f"the input holds more than {MAX_RUNS} runs")
        self._runs.append(Run())

    def histories(self, source: SourceInfo, facts: InputFacts | None = None) -> list[TrainingHistory]:
        """Every run with epochs, each with its own skipped lines; skips seen while an empty run
        was current (after the last epoch of the one before) stay with the run before."""
        histories = []
        carried: Skips | None = None
        for run in self._runs:
            if not run.epochs:
                carried = run.skips
                continue
            skipped = run.skips.close()
            total = run.skips.total
            run_facts = facts or source.facts
            if run.steps and run_facts.steps_per_epoch is not None:  # each fit its own bar
                steps = Counter(run.steps).most_common(1)[0][0]
                run_facts = run_facts.model_copy(update={"steps_per_epoch": steps})
            update = {
                "skipped": skipped,
                "skipped_lines": total,
                "facts": run_facts,
                "first_epoch": run.first_epoch,
            }
            histories.append(run.history(source.model_copy(update=update)))
        if carried is not None and carried.total and histories:
            last = histories[-1]
            listed = [*last.source.skipped, *carried.close()][:MAX_SKIPPED_LISTED]
            total = last.source.skipped_lines + carried.total
            source = last.source.model_copy(update={"skipped": listed, "skipped_lines": total})
            histories[-1] = replace(last, source=source)
        return histories
