"""Train the labelled corpus of real Keras training histories in tests/corpus/histories/.

Every run in tests/corpus/histories/manifest.json trains a small Keras model on data that needs
no download (scikit-learn's bundled sets and seeded synthetic data) with at most one fault
injected, and stores what a training job would post (`History.history` plus run metadata) as
one line of its round's JSONL file. The manifest is the corpus: a run's data set, injection and
parameters, training settings, seed, round and split are data there, and so are the data sets
scikit-learn loads or makes (`datasets`); this file holds the registries they name (the data
sets that are code, injections) and the Keras model they train.
`benchmarks/bench_history.py` scores the engine on the result.

The expected codes are fixed per fault type in the manifest's `faults`, from what the fault is,
before and independently of anything the engine says: they are the codes a competent engineer
reading the curves and the metadata would accept as naming the problem. Never edit them to
match the engine.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python scripts/make_history_corpus.py            # the whole corpus, ~30 minutes
    .venv/bin/python scripts/make_history_corpus.py --only lr_  # only the runs whose name contains lr_
    .venv/bin/python scripts/make_history_corpus.py --split holdout  # only one split's runs
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

# Before TensorFlow loads: its C++ start-up chatter would bury the per-run curve summaries.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras
import tensorflow as tf
from sklearn import datasets
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from convdiag.keras_callback import hidden_units

CORPUS_DIR = Path(__file__).resolve().parent.parent / "tests" / "corpus" / "histories"
# The build machines are shared; one thread each keeps a run from starving its neighbours.
TF_THREADS = 1
# Five significant digits keep fixtures small and are far below any threshold a rule uses.
SIGNIFICANT_DIGITS = 5


# --- data -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Data:
    x: np.ndarray
    y: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    task: str  # "binary", "multiclass" or "regression", as a training job would post it
    num_classes: int | None


@dataclass(frozen=True)
class DataSet:
    """One of the manifest's `datasets`: a task, and scikit-learn's load_<load>() or
    make_<make>(**args), or else the generator of its name in GENERATORS."""

    name: str
    task: str  # "binary", "multiclass" or "regression", as a training job would post it
    load: str | None = None
    make: str | None = None
    args: dict[str, Any] = field(default_factory=dict)
    note: str = ""


def _xor(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Four readings in [0, 10]; the class is which diagonal pair of quadrants the first two fall
    in around the centre: no single feature and no linear boundary separates it."""
    x = np.random.default_rng(seed).uniform(0.0, 10.0, (1200, 4))
    return x, ((x[:, 0] - 5.0) * (x[:, 1] - 5.0) > 0).astype(int)


def _spirals(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Three interleaved spiral arms in the plane, one turn each, with a little noise."""
    rng = np.random.default_rng(seed)
    arm = rng.integers(0, 3, 1200)
    radius = rng.uniform(0.2, 1.0, 1200)
    angle = 2 * np.pi * (radius + arm / 3)
    x = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    return x + rng.normal(0.0, 0.03, x.shape), arm


def _sine(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Three readings in [0, 20]: a periodic effect, a quadratic one and a weak linear one."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.0, 20.0, (1000, 3))
    y = np.sin(x[:, 0] / 2) + ((x[:, 1] - 10.0) / 5) ** 2 - 0.3 * (x[:, 2] - 10.0) / 5
    return x, y + rng.normal(0.0, 0.1, 1000)


def _checker(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Two readings in [0, 90] on a 3x3 checkerboard, plus two that carry nothing."""
    x = np.random.default_rng(seed).uniform(0.0, 90.0, (1200, 4))
    return x, ((x[:, 0] // 30 + x[:, 1] // 30) % 2).astype(int)


def _poly(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Five readings in [0, 50]: an interaction, a square and three that do not matter."""
    rng = np.random.default_rng(seed)
    z = (rng.uniform(0.0, 50.0, (1000, 5)) - 25.0) / 10.0
    y = z[:, 0] * z[:, 1] + z[:, 2] ** 2 + rng.normal(0.0, 0.2, 1000)
    return z * 10.0 + 25.0, y


def _steps(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A staircase in one feature and a sign in another: a piecewise-constant target."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-2.0, 2.0, (1000, 4))
    return x, np.floor(2 * x[:, 0]) + 0.5 * np.sign(x[:, 1]) + rng.normal(0.0, 0.1, 1000)


def _hastie(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """make_hastie_10_2, its -1/1 labels as 0/1."""
    x, y = datasets.make_hastie_10_2(1200, random_state=seed)
    return x, (y > 0).astype(int)


# The data sets that are code, by the name the manifest's `datasets` give them.
GENERATORS: dict[str, Callable[[int], tuple[np.ndarray, np.ndarray]]] = {
    "xor": _xor,
    "spirals": _spirals,
    "sine": _sine,
    "checker": _checker,
    "poly": _poly,
    "steps": _steps,
    "hastie": _hastie,
}


def _dataset(spec: DataSet, seed: int, options: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """Features and targets of a bundled or seeded synthetic data set."""
    if spec.load is not None:
        return getattr(datasets, f"load_{spec.load}")(return_X_y=True)
    if spec.make is not None:
        return getattr(datasets, f"make_{spec.make}")(**(spec.args | options), random_state=seed)
    return GENERATORS[spec.name](seed)


def load(spec: DataSet, seed: int, *, scale_x: bool = True, scale_y: bool = True, **options: Any) -> Data:
    """A seeded 75/25 train/validation split, standardised the way a careful user would."""
    x, y = _dataset(spec, seed, options)
    task = spec.task
    stratify = None if task == "regression" else y
    x, x_val, y, y_val = train_test_split(x, y, test_size=0.25, random_state=seed, stratify=stratify)
    if scale_x:
        scaler = StandardScaler().fit(x)
        x, x_val = scaler.transform(x), scaler.transform(x_val)
    if task == "regression" and scale_y:
        mean, std = y.mean(), y.std()
        y, y_val = (y - mean) / std, (y_val - mean) / std
    num_classes = None if task == "regression" else len(np.unique(y))
    return Data(
        x.astype("float32"),
        y.astype("float32"),
        x_val.astype("float32"),
        y_val.astype("float32"),
        task,
        num_classes,
    )


# An injection makes a run's data from its data set (DataSet) and seed, plus its parameters from the
# manifest; the registry is what the manifest's `injection.kind` may name.
Injection = Callable[..., Data]
INJECTIONS: dict[str, Injection] = {}


def _injection(function: Injection) -> Injection:
    INJECTIONS[function.__name__] = function
    return function


@_injection
def raw_features(spec: DataSet, seed: int) -> Data:
    """Features left as they came (areas in the thousands next to ratios below one)."""
    return load(spec, seed, scale_x=False)


@_injection
def raw_targets(spec: DataSet, seed: int) -> Data:
    return load(spec, seed, scale_y=False)


@_injection
def class_weights(spec: DataSet, seed: int, **options: Any) -> Data:
    """Class shares (`weights`) and other generator options, for an imbalanced, weak problem."""
    return load(spec, seed, **options)


@_injection
def scaled_features(spec: DataSet, seed: int, factor: float, offset: float = 0.0, raw: bool = False) -> Data:
    data = load(spec, seed, scale_x=not raw)
    return replace(data, x=data.x * factor + offset, x_val=data.x_val * factor + offset)


@_injection
def scaled_targets(spec: DataSet, seed: int, factor: float) -> Data:
    data = load(spec, seed)
    return replace(data, y=data.y * factor, y_val=data.y_val * factor)


@_injection
def train_subset(spec: DataSet, seed: int, size: int) -> Data:
    """The first `size` training samples after a seeded shuffle; validation stays whole."""
    data = load(spec, seed)
    keep = np.random.default_rng(seed).permutation(len(data.x))[:size]
    return replace(data, x=data.x[keep], y=data.y[keep])


def _wrong_labels(y: np.ndarray, fraction: float, num_classes: int, rng: np.random.Generator) -> np.ndarray:
    out = y.copy()
    hit = rng.random(len(y)) < fraction
    # Adding 1..k-1 modulo k moves a label to a different class, uniformly.
    out[hit] = (y[hit] + rng.integers(1, num_classes, hit.sum())) % num_classes
    return out


@_injection
def noisy_labels(spec: DataSet, seed: int, fraction: float) -> Data:
    """Wrong labels in train and validation alike: they come from the same labelling process."""
    data = load(spec, seed)
    assert data.num_classes is not None
    rng = np.random.default_rng(seed)
    return replace(
        data,
        y=_wrong_labels(data.y, fraction, data.num_classes, rng),
        y_val=_wrong_labels(data.y_val, fraction, data.num_classes, rng),
    )


@_injection
def shuffled_labels(spec: DataSet, seed: int) -> Data:
    """Training labels permuted, as when a pipeline shuffles x and y separately."""
    data = load(spec, seed)
    return replace(data, y=np.random.default_rng(seed).permutation(data.y))


@_injection
def nonfinite_inputs(spec: DataSet, seed: int, fraction: float, value: str, validation: bool = False) -> Data:
    """`value` ("nan" or "inf": JSON has neither) in one feature of a `fraction` of the rows."""
    data = load(spec, seed)
    rng = np.random.default_rng(seed)
    x = (data.x_val if validation else data.x).copy()
    rows = rng.choice(len(x), max(1, int(fraction * len(x))), replace=False)
    x[rows, rng.integers(0, x.shape[1], len(rows))] = float(value)
    return replace(data, x_val=x) if validation else replace(data, x=x)


@_injection
def shifted_validation(spec: DataSet, seed: int, offset: float) -> Data:
    """Validation features moved by `offset` standard deviations: data from another source."""
    data = load(spec, seed)
    return replace(data, x_val=data.x_val + offset)


@_injection
def foreign_validation(spec: DataSet, seed: int) -> Data:
    """Validation data drawn from the same generator under another seed."""
    other = load(spec, seed + 1000)
    return replace(load(spec, seed), x_val=other.x_val, y_val=other.y_val)


@_injection
def raw_validation(spec: DataSet, seed: int) -> Data:
    """Training features standardised, validation features left as they came."""
    raw = load(spec, seed, scale_x=False)
    return replace(load(spec, seed), x_val=raw.x_val)


# --- training ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Training:
    """How one run trains; the defaults are a sensible small MLP."""

    hidden: tuple[int, ...] = (64,)
    activation: str = "relu"
    # None means the head that fits the task; a string overrides it (to inject a mismatch).
    output_activation: str | None = None
    output_units: int | None = None
    loss: str | None = None
    metrics: tuple[str, ...] | None = None
    one_hot: bool = False
    optimizer: str = "adam"
    learning_rate: float = 1e-3
    momentum: float = 0.0
    epochs: int = 30
    batch_size: int = 32
    dropout: float = 0.0
    l2: float = 0.0
    init_stddev: float | None = None
    bias_init: float = 0.0
    # "early_stopping", "reduce_lr", "cosine", "exp_decay"
    callbacks: tuple[str, ...] = ()
    validation: bool = True


def _head(data: Data, training: Training) -> tuple[int, str | None, str, tuple[str, ...]]:
    """Output units, activation, loss and metrics: the task's defaults unless overridden."""
    if data.task == "binary":
        units, activation, loss, metrics = 1, "sigmoid", "binary_crossentropy", ("accuracy",)
    elif data.task == "multiclass":
        assert data.num_classes is not None
        units, activation, loss, metrics = (
            data.num_classes,
            "softmax",
            "sparse_categorical_crossentropy",
            ("accuracy",),
        )
    else:
        units, activation, loss, metrics = 1, None, "mse", ("mae",)
    return (
        training.output_units or units,
        training.output_activation or activation,
        training.loss or loss,
        training.metrics or metrics,
    )


def _layer_kwargs(training: Training, seed: int) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"bias_initializer": keras.initializers.Constant(training.bias_init)}
    if training.init_stddev is not None:
        # A fresh seeded initializer per layer: Keras gives a reused seeded one identical weights.
        kwargs["kernel_initializer"] = keras.initializers.RandomNormal(stddev=training.init_stddev, seed=seed)
    if training.l2:
        kwargs["kernel_regularizer"] = keras.regularizers.L2(training.l2)
    return kwargs


def build_model(data: Data, training: Training, seed: int) -> keras.Model:
    units, activation, _, _ = _head(data, training)
    layers: list[keras.layers.Layer] = [keras.Input((data.x.shape[1],))]
    for i, width in enumerate(training.hidden):
        layers.append(
            keras.layers.Dense(width, activation=training.activation, **_layer_kwargs(training, seed + i))
        )
        if training.dropout:
            layers.append(keras.layers.Dropout(training.dropout))
    layers.append(keras.layers.Dense(units, activation=activation))
    return keras.Sequential(layers)


def _optimizer(training: Training) -> keras.optimizers.Optimizer:
    if training.optimizer == "sgd":
        return keras.optimizers.SGD(training.learning_rate, momentum=training.momentum)
    if training.optimizer == "rmsprop":
        return keras.optimizers.RMSprop(training.learning_rate)
    return keras.optimizers.Adam(training.learning_rate)


def _callbacks(training: Training) -> list[keras.callbacks.Callback]:
    base, epochs = training.learning_rate, training.epochs
    made: dict[str, Callable[[], keras.callbacks.Callback]] = {
        "early_stopping": lambda: keras.callbacks.EarlyStopping(patience=5, restore_best_weights=True),
        "reduce_lr": lambda: keras.callbacks.ReduceLROnPlateau(factor=0.5, patience=3, min_lr=1e-5),
        "cosine": lambda: keras.callbacks.LearningRateScheduler(
            lambda epoch: base * 0.5 * (1 + math.cos(math.pi * epoch / epochs))
        ),
        "exp_decay": lambda: keras.callbacks.LearningRateScheduler(lambda epoch: base * 0.96**epoch),
    }
    return [made[name]() for name in training.callbacks]


def baseline_loss(loss: str, y: np.ndarray, units: int) -> float:
    """The run's loss for a model that learned nothing: it always predicts the training targets'
    mean (for integer class labels, the class frequencies). A job computes it from its own
    targets in one line, and it gives regression the yardstick ln K gives classification."""
    if loss == "sparse_categorical_crossentropy":
        frequencies = np.bincount(y.astype(int), minlength=units) / len(y)
        prediction = np.broadcast_to(frequencies, (len(y), len(frequencies)))
    else:
        prediction = np.broadcast_to(y.mean(axis=0), y.shape)
    return float(np.mean(keras.losses.get(loss)(y, prediction)))


def fit(data: Data, training: Training, seed: int) -> tuple[dict[str, list[float]], dict[str, Any]]:
    """Train once; return `History.history` and the metadata a training job would post."""
    keras.backend.clear_session()
    keras.utils.set_random_seed(seed)
    model = build_model(data, training, seed)
    units, _, loss, metrics = _head(data, training)
    # XLA compilation costs more than these few-second runs gain from it.
    model.compile(optimizer=_optimizer(training), loss=loss, metrics=list(metrics), jit_compile=False)
    y, y_val = data.y, data.y_val
    if training.one_hot:
        assert data.num_classes is not None
        y, y_val = (keras.utils.to_categorical(v, data.num_classes) for v in (y, y_val))
    history = model.fit(
        data.x,
        y,
        validation_data=(data.x_val, y_val) if training.validation else None,
        epochs=training.epochs,
        batch_size=training.batch_size,
        callbacks=_callbacks(training),
        shuffle=True,
        verbose=0,
    )
    metadata: dict[str, Any] = {
        "task": data.task,
        "baseline_loss": _rounded(baseline_loss(loss, y, units)),
        "num_classes": data.num_classes,
        "optimizer": training.optimizer,
        "learning_rate": training.learning_rate,
        "batch_size": training.batch_size,
        "num_samples": len(data.x),
        "param_count": model.count_params(),
        "hidden_units": hidden_units(model),
    }
    return history.history, {k: v for k, v in metadata.items() if v is not None}


# --- the corpus -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    """One row of the manifest."""

    name: str
    data: DataSet
    seed: int
    round: int
    split: str
    injection: dict[str, Any] | None = None
    data_options: dict[str, Any] | None = None
    training: Training = Training()

    @classmethod
    def from_row(cls, row: dict[str, Any], data: dict[str, DataSet]) -> Run:
        settings = {
            key: tuple(value) if isinstance(value, list) else value
            for key, value in row.get("training", {}).items()
        }
        injection = row.get("injection")
        if injection is not None and injection["kind"] not in INJECTIONS:
            raise SystemExit(f"{row['name']}: unknown injection {injection['kind']!r}")
        return cls(
            row["name"],
            data[row["data"]],
            row["seed"],
            row["round"],
            row["split"],
            injection,
            row.get("data_options"),
            Training(**settings),
        )

    def make_data(self) -> Data:
        if self.injection is None:
            return load(self.data, self.seed, **(self.data_options or {}))
        params = {key: value for key, value in self.injection.items() if key != "kind"}
        return INJECTIONS[self.injection["kind"]](self.data, self.seed, **params)


def read_manifest(directory: Path = CORPUS_DIR) -> list[Run]:
    manifest = json.loads((directory / "manifest.json").read_text())
    data = {name: DataSet(name, **spec) for name, spec in manifest["datasets"].items()}
    runs = [Run.from_row(row, data) for row in manifest["runs"]]
    if len({run.name for run in runs}) != len(runs):
        raise SystemExit("two runs share a name")
    return runs


def _rounded(value: float) -> float | None:
    """JSON has no NaN or inf: they become null, as the engine's own JSON form writes them."""
    return float(f"{value:.{SIGNIFICANT_DIGITS}g}") if math.isfinite(value) else None


def record(run: Run) -> dict[str, Any]:
    """The run's line in its round's JSONL file: what a training job would post."""
    history, metadata = fit(run.make_data(), run.training, run.seed)
    return {
        "name": run.name,
        "history": {name: [_rounded(float(v)) for v in values] for name, values in history.items()},
        "metadata": metadata,
    }


def _round_path(directory: Path, number: int) -> Path:
    return directory / f"round{number}.jsonl"


def read_records(path: Path) -> Iterator[dict[str, Any]]:
    if path.exists():
        yield from (json.loads(line) for line in path.read_text().splitlines())


def _curve_summary(history: dict[str, list[float | None]]) -> str:
    """First, best and last value of each loss curve and the largest rise above its low so far
    (a mid-run excursion the other three hide): what to read to judge an injection's strength,
    or a healthy run's health."""
    parts = []
    for name, values in history.items():
        finite = [v for v in values if v is not None]
        if not finite:
            parts.append(f"{name}=all-nonfinite")
            continue
        nonfinite = len(values) - len(finite)
        lower_is_better = "loss" in name or name.endswith("mae")
        best = min(finite) if lower_is_better else max(finite)
        note = f" nonfinite={nonfinite}" if nonfinite else ""
        if lower_is_better and min(finite) > 0:
            lows = np.minimum.accumulate(finite)
            rise = max(value / low for value, low in zip(finite, lows, strict=True))
            note += f" rise={rise:.2g}x" if rise >= 1.2 else ""
        parts.append(f"{name}={finite[0]:.4g}>{best:.4g}@{values.index(best)}>{finite[-1]:.4g}{note}")
    return "  ".join(parts)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=CORPUS_DIR, help="where manifest.json is")
    parser.add_argument("--out", type=Path, help="write the round files here (default: --corpus)")
    parser.add_argument("--only", help="regenerate only the runs whose name contains this")
    parser.add_argument("--split", choices=("tune", "seen", "holdout"), help="regenerate only this split")
    args = parser.parse_args(argv)
    out = args.out or args.corpus

    tf.config.threading.set_intra_op_parallelism_threads(TF_THREADS)
    tf.config.threading.set_inter_op_parallelism_threads(TF_THREADS)
    runs = read_manifest(args.corpus)
    out.mkdir(parents=True, exist_ok=True)
    everything = args.only is None and args.split is None
    for number in sorted({run.round for run in runs}):
        path = _round_path(out, number)
        # A full regeneration is the corpus: lines of runs that are no longer listed go.
        kept = {} if everything else {doc["name"]: doc for doc in read_records(path)}
        for run in (run for run in runs if run.round == number):
            if args.split not in (None, run.split) or (args.only is not None and args.only not in run.name):
                continue
            started = time.perf_counter()
            kept[run.name] = record(run)
            elapsed = time.perf_counter() - started
            print(
                f"{run.name} [{run.split}] {elapsed:.1f}s  {_curve_summary(kept[run.name]['history'])}",
                flush=True,
            )
        order = [run.name for run in runs if run.round == number and run.name in kept]
        lines = [json.dumps(kept[name], separators=(",", ":")) for name in order]
        path.write_text("".join(f"{line}\n" for line in lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
