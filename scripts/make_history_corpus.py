"""Generate the labelled corpus of real Keras training histories under tests/corpus/histories/.

Every run trains a small Keras model on data that needs no download (scikit-learn's bundled
sets and seeded synthetic data) with at most one fault injected, and stores what a training
job would post (`History.history` plus run metadata) next to the fault's name, the finding
codes that name it, the corpus split and the seed. `benchmarks/bench_history.py` scores the
engine against these fixtures.

The expected codes are fixed per fault type in `EXPECTED`, from what the fault is, before and
independently of anything the engine says: they are the codes a competent engineer reading the
curves and the metadata would accept as naming the problem. Never edit them to match the engine.

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
from collections.abc import Callable, Sequence
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
# Every third run of a fault type in `corpus()` (sorted by name, starting with the second) was
# the first holdout; its misses were read, so it is "seen" now, as are the second to sixth
# holdouts; `seventh_holdout()` holds out.
HOLDOUT_EVERY, HOLDOUT_OFFSET = 3, 1
HEALTHY = "healthy"

# What each fault's curves can show and what names its cause. Symptoms are included where the
# fault typically produces them (a far too high learning rate shows as NaN, divergence,
# oscillation or spikes); causes are included where metadata plus curves can point at them.
EXPECTED: dict[str, frozenset[str]] = {
    HEALTHY: frozenset(),
    # Adam/RMSprop at 0.5-3, SGD at 1-50: the loss blows up, bounces, or collapses to chance.
    "lr_too_high": frozenset(
        {
            "lr_too_high",
            "loss_nan",
            "loss_diverging",
            "loss_oscillating",
            "loss_spikes",
            "exploding_gradients",
            "accuracy_at_chance",
            "val_noisy",
        }
    ),
    # 1e-6..1e-5: the loss barely moves from its initial value.
    "lr_too_low": frozenset(
        {"lr_too_low", "slow_convergence", "loss_plateau", "underfitting", "accuracy_at_chance"}
    ),
    # Features in the thousands: a huge first loss, bouncing curves, or a stall.
    "unscaled_features": frozenset(
        {
            "unscaled_features",
            "unexpected_initial_loss",
            "loss_oscillating",
            "loss_spikes",
            "loss_plateau",
            "slow_convergence",
            "underfitting",
            "accuracy_at_chance",
            "val_noisy",
        }
    ),
    # Regression targets in the hundreds: an MSE in the tens of thousands that creeps down.
    "unscaled_targets": frozenset(
        {"unscaled_targets", "unexpected_initial_loss", "slow_convergence", "loss_plateau", "underfitting"}
    ),
    # 90-98% one class and almost no signal: accuracy sits at the majority rate, minority recall
    # (where logged) at zero.
    "class_imbalance": frozenset({"class_imbalance", "accuracy_at_chance", "loss_plateau", "underfitting"}),
    # 40-50% of labels wrong: a high loss floor, memorised noise, a jumpy validation curve.
    "label_noise": frozenset(
        {"label_noise", "overfitting", "underfitting", "loss_plateau", "val_noisy", "slow_convergence"}
    ),
    # Training labels permuted (x and y misaligned): nothing to learn but memorisation.
    "shuffled_labels": frozenset(
        {"label_noise", "accuracy_at_chance", "overfitting", "loss_plateau", "underfitting"}
    ),
    # The head does not fit the loss; from curves alone the activation side and the loss side of
    # the pair look the same, so both mismatch codes name it.
    "output_activation_mismatch": frozenset(
        {
            "output_activation_mismatch",
            "loss_task_mismatch",
            "unexpected_initial_loss",
            "loss_plateau",
            "accuracy_at_chance",
            "underfitting",
        }
    ),
    "loss_task_mismatch": frozenset(
        {
            "loss_task_mismatch",
            "output_activation_mismatch",
            "unexpected_initial_loss",
            "loss_plateau",
            "accuracy_at_chance",
            "underfitting",
        }
    ),
    # ReLU layers with a -10 bias: every unit outputs 0, so only the output bias learns.
    "dead_units": frozenset(
        {
            "dead_units",
            "vanishing_gradients",
            "loss_plateau",
            "accuracy_at_chance",
            "underfitting",
            "slow_convergence",
        }
    ),
    # Deep tanh/sigmoid stack with a large bias or init: units pinned at their limits, no gradient.
    "saturated_activations": frozenset(
        {
            "saturated_activations",
            "vanishing_gradients",
            "unexpected_initial_loss",
            "loss_plateau",
            "slow_convergence",
            "accuracy_at_chance",
            "underfitting",
        }
    ),
    # A very deep sigmoid stack with SGD: the gradient dies on the way down.
    "vanishing_gradients": frozenset(
        {
            "vanishing_gradients",
            "saturated_activations",
            "loss_plateau",
            "slow_convergence",
            "accuracy_at_chance",
            "underfitting",
        }
    ),
    # A deep ReLU stack with a far too large init: activations grow ~8x per layer.
    "exploding_gradients": frozenset(
        {
            "exploding_gradients",
            "loss_nan",
            "loss_diverging",
            "loss_spikes",
            "loss_oscillating",
            "unexpected_initial_loss",
        }
    ),
    # Dropout 0.9: training loss far above validation loss, slow progress.
    "excessive_dropout": frozenset(
        {"excessive_dropout", "val_better_than_train", "underfitting", "slow_convergence", "loss_plateau"}
    ),
    # A one-unit bottleneck or a linear model on a non-linear problem.
    "capacity_too_low": frozenset(
        {"capacity_too_low", "underfitting", "loss_plateau", "accuracy_at_chance", "slow_convergence"}
    ),
    # 20-50 training samples and a 2x256 model.
    "insufficient_data": frozenset({"overfitting", "insufficient_data", "capacity_too_high"}),
    # NaN or inf in some inputs: the loss is NaN from the first epoch (or only on validation).
    "nonfinite_inputs": frozenset({"nonfinite_values", "loss_nan"}),
    # Validation data from a shifted or different distribution.
    "train_val_shift": frozenset({"train_val_shift", "overfitting", "val_noisy"}),
    # Training features standardised, validation features left raw.
    "val_preprocessing_mismatch": frozenset(
        {"train_val_shift", "unscaled_features", "val_noisy", "overfitting"}
    ),
}


# --- data -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Data:
    x: np.ndarray
    y: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    task: str  # "binary", "multiclass" or "regression", as a training job would post it
    num_classes: int | None


def _dataset(name: str, seed: int, options: dict[str, Any]) -> tuple[np.ndarray, np.ndarray, str]:
    """Features, targets and task of a bundled or seeded synthetic data set."""
    if name == "digits":
        x, y = datasets.load_digits(return_X_y=True)
        return x, y, "multiclass"
    if name == "iris":
        x, y = datasets.load_iris(return_X_y=True)
        return x, y, "multiclass"
    if name == "wine":
        x, y = datasets.load_wine(return_X_y=True)
        return x, y, "multiclass"
    if name == "breast_cancer":
        x, y = datasets.load_breast_cancer(return_X_y=True)
        return x, y, "binary"
    if name == "diabetes":
        x, y = datasets.load_diabetes(return_X_y=True)
        return x, y, "regression"
    if name == "moons":
        x, y = datasets.make_moons(600, noise=0.2, random_state=seed)
        return x, y, "binary"
    if name == "circles":
        x, y = datasets.make_circles(600, noise=0.08, factor=0.5, random_state=seed)
        return x, y, "binary"
    if name == "synth_binary":
        params = {"n_samples": 1200, "n_features": 20, "n_informative": 8, "flip_y": 0.01} | options
        x, y = datasets.make_classification(**params, random_state=seed)
        return x, y, "binary"
    if name == "synth_multi":
        params = {"n_samples": 1200, "n_features": 20, "n_informative": 10, "n_classes": 4} | options
        x, y = datasets.make_classification(**params, n_clusters_per_class=1, random_state=seed)
        return x, y, "multiclass"
    if name == "friedman":
        x, y = datasets.make_friedman1(800, noise=0.5, random_state=seed)
        return x, y, "regression"
    if name == "synth_regression":
        x, y = datasets.make_regression(800, 10, n_informative=6, noise=10.0, random_state=seed)
        return x, y, "regression"
    # Data sets first used by the fourth holdout, so that it also tests shapes no other split has.
    if name == "blobs":
        x, y = datasets.make_blobs(1000, n_features=8, centers=5, cluster_std=3.0, random_state=seed)
        return x, y, "multiclass"
    if name == "quantiles":
        # Three nested shells around one centre: no linear boundary separates them.
        x, y = datasets.make_gaussian_quantiles(n_samples=900, n_features=4, n_classes=3, random_state=seed)
        return x, y, "multiclass"
    if name == "hastie":
        x, y = datasets.make_hastie_10_2(1200, random_state=seed)
        return x, (y > 0).astype(int), "binary"
    if name == "friedman2":
        x, y = datasets.make_friedman2(800, noise=10.0, random_state=seed)
        return x, y, "regression"
    if name == "friedman3":
        x, y = datasets.make_friedman3(800, noise=0.05, random_state=seed)
        return x, y, "regression"
    if name == "sparse_regression":
        x, y = datasets.make_sparse_uncorrelated(800, n_features=10, random_state=seed)
        return x, y, "regression"
    # And by the fifth.
    if name == "wide_binary":
        params = {"n_samples": 1500, "n_features": 50, "n_informative": 10, "flip_y": 0.01} | options
        x, y = datasets.make_classification(**params, random_state=seed)
        return x, y, "binary"
    if name == "synth_multi10":
        params = {"n_samples": 2000, "n_features": 30, "n_informative": 15, "n_classes": 10} | options
        x, y = datasets.make_classification(**params, n_clusters_per_class=1, random_state=seed)
        return x, y, "multiclass"
    if name == "s_curve":
        x, y = datasets.make_s_curve(1000, noise=0.05, random_state=seed)
        return x, y, "regression"
    if name == "swiss_roll":
        x, y = datasets.make_swiss_roll(1000, noise=0.1, random_state=seed)
        return x, y, "regression"
    if name == "regression_wide":
        x, y = datasets.make_regression(1000, 40, n_informative=20, noise=20.0, random_state=seed)
        return x, y, "regression"
    # And by the sixth.
    if name == "xor":
        # Four sensor readings in [0, 10]; the class is which diagonal pair of quadrants the first
        # two fall in around the centre: no single feature and no linear boundary separates it.
        x = np.random.default_rng(seed).uniform(0.0, 10.0, (1200, 4))
        return x, ((x[:, 0] - 5.0) * (x[:, 1] - 5.0) > 0).astype(int), "binary"
    if name == "spirals":
        # Three interleaved spiral arms in the plane, one turn each, with a little noise.
        rng = np.random.default_rng(seed)
        arm = rng.integers(0, 3, 1200)
        radius = rng.uniform(0.2, 1.0, 1200)
        angle = 2 * np.pi * (radius + arm / 3)
        x = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
        return x + rng.normal(0.0, 0.03, x.shape), arm, "multiclass"
    if name == "multi5":
        params = {"n_samples": 1500, "n_features": 25, "n_informative": 8, "n_redundant": 6, "n_classes": 5}
        x, y = datasets.make_classification(**(params | options), n_clusters_per_class=1, random_state=seed)
        return x, y, "multiclass"
    if name == "low_rank":
        # Thirty features driven by about five latent factors, as correlated measurements are.
        x, y = datasets.make_regression(
            1000, 30, n_informative=10, effective_rank=5, noise=0.5, random_state=seed
        )
        return x, y, "regression"
    if name == "sine":
        # Three readings in [0, 20]: a periodic effect, a quadratic one and a weak linear one.
        rng = np.random.default_rng(seed)
        x = rng.uniform(0.0, 20.0, (1000, 3))
        y = np.sin(x[:, 0] / 2) + ((x[:, 1] - 10.0) / 5) ** 2 - 0.3 * (x[:, 2] - 10.0) / 5
        return x, y + rng.normal(0.0, 0.1, 1000), "regression"
    # And by the seventh.
    if name == "checker":
        # Two readings in [0, 90] on a 3x3 checkerboard, plus two that carry nothing.
        x = np.random.default_rng(seed).uniform(0.0, 90.0, (1200, 4))
        return x, ((x[:, 0] // 30 + x[:, 1] // 30) % 2).astype(int), "binary"
    if name == "multi8":
        params = {"n_samples": 2000, "n_features": 40, "n_informative": 12, "n_redundant": 8, "n_classes": 8}
        x, y = datasets.make_classification(**(params | options), n_clusters_per_class=1, random_state=seed)
        return x, y, "multiclass"
    if name == "poly":
        # Five readings in [0, 50]: an interaction, a square and three that do not matter.
        rng = np.random.default_rng(seed)
        z = (rng.uniform(0.0, 50.0, (1000, 5)) - 25.0) / 10.0
        y = z[:, 0] * z[:, 1] + z[:, 2] ** 2 + rng.normal(0.0, 0.2, 1000)
        return z * 10.0 + 25.0, y, "regression"
    if name == "steps":
        # A staircase in one feature and a sign in another: a piecewise-constant target.
        rng = np.random.default_rng(seed)
        x = rng.uniform(-2.0, 2.0, (1000, 4))
        return x, np.floor(2 * x[:, 0]) + 0.5 * np.sign(x[:, 1]) + rng.normal(0.0, 0.1, 1000), "regression"
    raise ValueError(f"unknown data set {name!r}")


def load(name: str, seed: int, *, scale_x: bool = True, scale_y: bool = True, **options: Any) -> Data:
    """A seeded 75/25 train/validation split, standardised the way a careful user would."""
    x, y, task = _dataset(name, seed, options)
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


def scaled_features(data: Data, factor: float, offset: float = 0.0) -> Data:
    return replace(data, x=data.x * factor + offset, x_val=data.x_val * factor + offset)


def scaled_targets(data: Data, factor: float) -> Data:
    return replace(data, y=data.y * factor, y_val=data.y_val * factor)


def train_subset(data: Data, size: int, seed: int) -> Data:
    """The first `size` training samples after a seeded shuffle; validation stays whole."""
    keep = np.random.default_rng(seed).permutation(len(data.x))[:size]
    return replace(data, x=data.x[keep], y=data.y[keep])


def _wrong_labels(y: np.ndarray, fraction: float, num_classes: int, rng: np.random.Generator) -> np.ndarray:
    out = y.copy()
    hit = rng.random(len(y)) < fraction
    # Adding 1..k-1 modulo k moves a label to a different class, uniformly.
    out[hit] = (y[hit] + rng.integers(1, num_classes, hit.sum())) % num_classes
    return out


def noisy_labels(data: Data, fraction: float, seed: int) -> Data:
    """Wrong labels in train and validation alike: they come from the same labelling process."""
    assert data.num_classes is not None
    rng = np.random.default_rng(seed)
    return replace(
        data,
        y=_wrong_labels(data.y, fraction, data.num_classes, rng),
        y_val=_wrong_labels(data.y_val, fraction, data.num_classes, rng),
    )


def shuffled_labels(data: Data, seed: int) -> Data:
    """Training labels permuted, as when a pipeline shuffles x and y separately."""
    return replace(data, y=np.random.default_rng(seed).permutation(data.y))


def with_nonfinite(data: Data, fraction: float, seed: int, *, value: float, validation: bool = False) -> Data:
    """`value` (NaN or inf) in one feature of a `fraction` of the rows."""
    rng = np.random.default_rng(seed)
    x = (data.x_val if validation else data.x).copy()
    rows = rng.choice(len(x), max(1, int(fraction * len(x))), replace=False)
    x[rows, rng.integers(0, x.shape[1], len(rows))] = value
    return replace(data, x_val=x) if validation else replace(data, x=x)


def shifted_validation(data: Data, offset: float) -> Data:
    """Validation features moved by `offset` standard deviations: data from another source."""
    return replace(data, x_val=data.x_val + offset)


def foreign_validation(data: Data, name: str, seed: int) -> Data:
    """Validation data drawn from a different generator of the same shape."""
    other = load(name, seed + 1000)
    return replace(data, x_val=other.x_val, y_val=other.y_val)


def raw_validation(name: str, seed: int) -> Data:
    """Training features standardised, validation features left as they came."""
    raw = load(name, seed, scale_x=False)
    return replace(load(name, seed), x_val=raw.x_val)


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
    fault: str
    variant: str
    seed: int
    # A data set name (loaded and standardised as usual) or a function of the seed that injects
    # a data fault.
    data: str | Callable[[int], Data]
    training: Training = field(default_factory=Training)

    @property
    def name(self) -> str:
        return f"{self.fault}-{self.variant}-s{self.seed}"

    def make_data(self) -> Data:
        return load(self.data, self.seed) if isinstance(self.data, str) else self.data(self.seed)


def _run(fault: str, variant: str, seed: int, data: str | Callable[[int], Data], **training: Any) -> Run:
    return Run(fault, variant, seed, data, Training(**training))


def corpus() -> list[Run]:
    big, deep = (256, 256), (64,) * 6
    # fmt: off
    # One run per line (or two) reads as a table; the formatter would spread each over ten.
    return [
        # Healthy runs of different shapes: data sets, tasks, lengths, schedules, batch sizes.
        _run(HEALTHY, "digits-adam", 0, "digits"),
        _run(HEALTHY, "digits-dropout-earlystop", 1, "digits", hidden=(128, 64), dropout=0.2, epochs=100,
             callbacks=("early_stopping",)),
        _run(HEALTHY, "digits-sgd-batch8", 2, "digits", optimizer="sgd", learning_rate=0.01, batch_size=8,
             epochs=20),
        _run(HEALTHY, "digits-short", 3, "digits", hidden=(128,), epochs=8),
        _run(HEALTHY, "iris-adam", 0, "iris", hidden=(16,), learning_rate=0.01, epochs=60),
        _run(HEALTHY, "iris-exp-decay", 1, "iris", hidden=(16,), learning_rate=0.02, epochs=80,
             callbacks=("exp_decay",)),
        _run(HEALTHY, "wine-adam", 0, "wine", hidden=(32,), learning_rate=3e-3, epochs=40),
        _run(HEALTHY, "wine-no-val", 1, "wine", hidden=(32,), epochs=30, validation=False),
        _run(HEALTHY, "breast_cancer-adam", 0, "breast_cancer", hidden=(32, 16), epochs=25),
        _run(HEALTHY, "breast_cancer-no-val", 1, "breast_cancer", hidden=(32,), epochs=25, validation=False),
        _run(HEALTHY, "breast_cancer-dropout", 2, "breast_cancer", hidden=(64, 32), dropout=0.3, epochs=20),
        _run(HEALTHY, "synth_binary-sgd-momentum", 0, "synth_binary", hidden=(32,), optimizer="sgd",
             learning_rate=0.01, momentum=0.9, epochs=40),
        _run(HEALTHY, "synth_binary-batch4", 1, "synth_binary", hidden=(32,), batch_size=4, epochs=15),
        _run(HEALTHY, "synth_multi-reduce-lr", 0, "synth_multi", hidden=(64, 32), epochs=60,
             callbacks=("reduce_lr",)),
        _run(HEALTHY, "synth_multi-l2-earlystop", 1, "synth_multi", hidden=(128, 64), l2=1e-4, epochs=120,
             callbacks=("early_stopping",)),
        _run(HEALTHY, "moons-adam", 0, "moons", hidden=(16, 16), learning_rate=3e-3, epochs=30),
        _run(HEALTHY, "moons-full-batch", 1, "moons", hidden=(32, 32), learning_rate=0.01, batch_size=450,
             epochs=60),
        _run(HEALTHY, "circles-adam", 0, "circles", hidden=(32, 32), learning_rate=0.01, epochs=50),
        _run(HEALTHY, "diabetes-earlystop", 0, "diabetes", hidden=(32,), epochs=100,
             callbacks=("early_stopping",)),
        _run(HEALTHY, "friedman-adam", 0, "friedman", hidden=(64, 64), epochs=80),
        _run(HEALTHY, "friedman-cosine-no-val", 1, "friedman", hidden=(64, 64), epochs=40,
             callbacks=("cosine",), validation=False),
        _run(HEALTHY, "synth_regression-rmsprop", 0, "synth_regression", hidden=(32,), optimizer="rmsprop",
             epochs=40),
        # Learning rate 100x-5000x too high.
        _run("lr_too_high", "digits-adam-lr1", 0, "digits", learning_rate=1.0),
        _run("lr_too_high", "wine-adam-lr0.5", 1, "wine", learning_rate=0.5, epochs=40),
        _run("lr_too_high", "breast_cancer-adam-lr3", 2, "breast_cancer", learning_rate=3.0),
        _run("lr_too_high", "synth_binary-sgd-lr50", 3, "synth_binary", optimizer="sgd", learning_rate=50.0),
        _run("lr_too_high", "friedman-sgd-lr1", 4, "friedman", optimizer="sgd", learning_rate=1.0),
        _run("lr_too_high", "synth_multi-rmsprop-lr0.5", 5, "synth_multi", optimizer="rmsprop",
             learning_rate=0.5),
        # Learning rate 1000x-10000x too low.
        _run("lr_too_low", "digits-sgd-lr1e-6", 0, "digits", optimizer="sgd", learning_rate=1e-6),
        _run("lr_too_low", "synth_binary-adam-lr1e-6", 1, "synth_binary", learning_rate=1e-6),
        _run("lr_too_low", "wine-sgd-lr1e-5", 2, "wine", optimizer="sgd", learning_rate=1e-5, epochs=40),
        _run("lr_too_low", "friedman-adam-lr1e-6", 3, "friedman", learning_rate=1e-6),
        _run("lr_too_low", "breast_cancer-sgd-lr1e-6", 4, "breast_cancer", optimizer="sgd",
             learning_rate=1e-6),
        # Features left in the hundreds or thousands.
        _run("unscaled_features", "breast_cancer-raw", 0, lambda s: load("breast_cancer", s, scale_x=False)),
        _run("unscaled_features", "wine-raw", 1, lambda s: load("wine", s, scale_x=False), epochs=40),
        _run("unscaled_features", "synth_binary-x1000", 2,
             lambda s: scaled_features(load("synth_binary", s), 1e3)),
        _run("unscaled_features", "digits-x100", 3, lambda s: scaled_features(load("digits", s), 100.0)),
        _run("unscaled_features", "friedman-x1000-offset", 4,
             lambda s: scaled_features(load("friedman", s), 1e3, 5e3)),
        # Regression targets left in the hundreds.
        _run("unscaled_targets", "diabetes-raw-y", 0, lambda s: load("diabetes", s, scale_y=False)),
        _run("unscaled_targets", "synth_regression-raw-y", 1,
             lambda s: load("synth_regression", s, scale_y=False)),
        _run("unscaled_targets", "friedman-y-x100", 2, lambda s: scaled_targets(load("friedman", s), 100.0)),
        # Heavily imbalanced classes with almost no signal; some runs log minority-class metrics,
        # as users who know their data is imbalanced do.
        _run("class_imbalance", "synth_binary-95-5", 0,
             lambda s: load("synth_binary", s, weights=[0.95], n_informative=2, class_sep=0.1),
             metrics=("accuracy", "precision", "recall")),
        _run("class_imbalance", "synth_binary-97-3", 1,
             lambda s: load("synth_binary", s, weights=[0.97], n_informative=2, class_sep=0.1),
             metrics=("accuracy", "auc")),
        _run("class_imbalance", "synth_binary-98-2", 2,
             lambda s: load("synth_binary", s, weights=[0.98], n_informative=2, class_sep=0.1)),
        _run("class_imbalance", "synth_multi-90-4-3-3", 3,
             lambda s: load("synth_multi", s, weights=[0.9, 0.04, 0.03], n_informative=3, class_sep=0.1)),
        # 40-50% of labels wrong, with a model big enough to memorise them.
        _run("label_noise", "digits-50pct", 0, lambda s: noisy_labels(load("digits", s), 0.5, s), hidden=big,
             epochs=40),
        _run("label_noise", "synth_binary-40pct", 1, lambda s: noisy_labels(load("synth_binary", s), 0.4, s),
             hidden=big, epochs=40),
        _run("label_noise", "breast_cancer-40pct", 2,
             lambda s: noisy_labels(load("breast_cancer", s), 0.4, s), hidden=big, epochs=40),
        _run("label_noise", "wine-45pct", 3, lambda s: noisy_labels(load("wine", s), 0.45, s), hidden=big,
             epochs=60),
        # Training labels permuted.
        _run("shuffled_labels", "digits", 0, lambda s: shuffled_labels(load("digits", s), s), hidden=big,
             epochs=40),
        _run("shuffled_labels", "synth_binary", 1, lambda s: shuffled_labels(load("synth_binary", s), s),
             hidden=big, epochs=40),
        _run("shuffled_labels", "breast_cancer", 2, lambda s: shuffled_labels(load("breast_cancer", s), s),
             hidden=big, epochs=40),
        # Output activations that do not fit the loss.
        _run("output_activation_mismatch", "breast_cancer-softmax-1unit", 0, "breast_cancer",
             output_activation="softmax"),
        _run("output_activation_mismatch", "synth_binary-softmax-1unit", 1, "synth_binary",
             output_activation="softmax"),
        _run("output_activation_mismatch", "digits-linear-crossentropy", 2, "digits",
             output_activation="linear"),
        _run("output_activation_mismatch", "synth_multi-relu-crossentropy", 3, "synth_multi",
             output_activation="relu"),
        _run("output_activation_mismatch", "friedman-sigmoid-regression", 4, "friedman",
             output_activation="sigmoid"),
        # Losses that do not fit the task.
        _run("loss_task_mismatch", "digits-bce-multiclass", 0, "digits", loss="binary_crossentropy",
             one_hot=True),
        _run("loss_task_mismatch", "synth_multi-bce-multiclass", 1, "synth_multi", loss="binary_crossentropy",
             one_hot=True),
        _run("loss_task_mismatch", "digits-mse-on-class-ids", 2, "digits", loss="mse", output_units=1,
             output_activation="linear"),
        _run("loss_task_mismatch", "synth_multi-mse-on-class-ids", 3, "synth_multi", loss="mse",
             output_units=1, output_activation="linear"),
        # ReLU layers with a -10 bias: dead from the start.
        _run("dead_units", "digits", 0, "digits", hidden=(64, 64), bias_init=-10.0),
        _run("dead_units", "breast_cancer", 1, "breast_cancer", hidden=(64, 64), bias_init=-10.0),
        _run("dead_units", "synth_multi", 2, "synth_multi", hidden=(64, 64), bias_init=-10.0),
        _run("dead_units", "friedman", 3, "friedman", hidden=(64, 64), bias_init=-10.0),
        # Deep sigmoid stacks pinned at 1 by a +10 bias, and a deep tanh stack with a large init.
        _run("saturated_activations", "digits-sigmoid-bias10", 0, "digits", hidden=deep, activation="sigmoid",
             bias_init=10.0),
        _run("saturated_activations", "synth_binary-sigmoid-bias10", 1, "synth_binary", hidden=deep,
             activation="sigmoid", bias_init=10.0),
        _run("saturated_activations", "digits-tanh-init3", 2, "digits", hidden=deep, activation="tanh",
             init_stddev=3.0, optimizer="sgd", learning_rate=0.01),
        # Very deep sigmoid stacks trained with SGD.
        _run("vanishing_gradients", "digits-sigmoid-20", 0, "digits", hidden=(32,) * 20, activation="sigmoid",
             optimizer="sgd", learning_rate=0.01),
        _run("vanishing_gradients", "synth_binary-sigmoid-20", 1, "synth_binary", hidden=(32,) * 20,
             activation="sigmoid", optimizer="sgd", learning_rate=0.01),
        _run("vanishing_gradients", "synth_multi-sigmoid-15", 2, "synth_multi", hidden=(32,) * 15,
             activation="sigmoid", optimizer="sgd", learning_rate=0.01),
        # Deep ReLU stacks with a far too large init.
        _run("exploding_gradients", "digits-relu-10", 0, "digits", hidden=(64,) * 10, init_stddev=1.5,
             optimizer="sgd", learning_rate=0.01),
        _run("exploding_gradients", "synth_binary-relu-10", 1, "synth_binary", hidden=(64,) * 10,
             init_stddev=1.5, optimizer="sgd", learning_rate=0.01),
        _run("exploding_gradients", "friedman-relu-10", 2, "friedman", hidden=(64,) * 10, init_stddev=1.5,
             optimizer="sgd", learning_rate=0.01),
        # Dropout 0.9 after every hidden layer.
        _run("excessive_dropout", "digits", 0, "digits", hidden=(128, 128), dropout=0.9),
        _run("excessive_dropout", "breast_cancer", 1, "breast_cancer", hidden=(128, 128), dropout=0.9),
        _run("excessive_dropout", "synth_multi", 2, "synth_multi", hidden=(128, 128), dropout=0.9),
        _run("excessive_dropout", "friedman", 3, "friedman", hidden=(128, 128), dropout=0.9),
        # Too little capacity for the problem.
        _run("capacity_too_low", "digits-1-unit", 0, "digits", hidden=(1,), activation="linear"),
        _run("capacity_too_low", "synth_multi-1-unit", 1, "synth_multi", hidden=(1,), activation="linear"),
        _run("capacity_too_low", "circles-linear", 2, "circles", hidden=(), epochs=40),
        _run("capacity_too_low", "friedman-linear", 3, "friedman", hidden=(), epochs=40),
        # A handful of training samples and a 2x256 model.
        _run("insufficient_data", "digits-30", 0, lambda s: train_subset(load("digits", s), 30, s),
             hidden=big, epochs=60),
        _run("insufficient_data", "breast_cancer-20", 1,
             lambda s: train_subset(load("breast_cancer", s), 20, s), hidden=big, epochs=60),
        _run("insufficient_data", "synth_binary-30", 2,
             lambda s: train_subset(load("synth_binary", s), 30, s), hidden=big, epochs=60),
        _run("insufficient_data", "synth_multi-40", 3, lambda s: train_subset(load("synth_multi", s), 40, s),
             hidden=big, epochs=60),
        # NaN or inf in some inputs. ReLU turns NaN into 0 and would hide it behind a stalled run;
        # GELU and tanh pass it on, as most non-ReLU models do.
        _run("nonfinite_inputs", "digits-nan-train", 0,
             lambda s: with_nonfinite(load("digits", s), 0.01, s, value=np.nan), activation="gelu"),
        _run("nonfinite_inputs", "breast_cancer-nan-train", 1,
             lambda s: with_nonfinite(load("breast_cancer", s), 0.02, s, value=np.nan), activation="tanh"),
        _run("nonfinite_inputs", "synth_binary-inf-train", 2,
             lambda s: with_nonfinite(load("synth_binary", s), 0.01, s, value=np.inf)),
        _run("nonfinite_inputs", "digits-nan-val", 3,
             lambda s: with_nonfinite(load("digits", s), 0.02, s, value=np.nan, validation=True),
             activation="gelu"),
        # Validation data from another distribution.
        _run("train_val_shift", "synth_binary-offset", 0,
             lambda s: shifted_validation(load("synth_binary", s), 2.5)),
        _run("train_val_shift", "friedman-offset", 1, lambda s: shifted_validation(load("friedman", s), 1.5)),
        _run("train_val_shift", "breast_cancer-offset", 2,
             lambda s: shifted_validation(load("breast_cancer", s), 2.0)),
        _run("train_val_shift", "synth_multi-foreign", 3,
             lambda s: foreign_validation(load("synth_multi", s), "synth_multi", s)),
        # Training features standardised, validation features raw.
        _run("val_preprocessing_mismatch", "breast_cancer", 0, lambda s: raw_validation("breast_cancer", s)),
        _run("val_preprocessing_mismatch", "wine", 1, lambda s: raw_validation("wine", s), epochs=40),
        _run("val_preprocessing_mismatch", "digits", 2, lambda s: raw_validation("digits", s)),
    ]
    # fmt: on


def second_holdout() -> list[Run]:
    """The second holdout: two new variants of every fault type and twelve new healthy shapes,
    on other data, settings and seeds than `corpus()`. Written, and labelled by `EXPECTED`, after
    the first holdout's misses had been read and before any of these runs was scored. Scored
    twice, then read: "seen" too since the third round."""
    big, deep = (256, 256), (64,) * 6
    # fmt: off
    return [
        _run(HEALTHY, "wine-rmsprop", 10, "wine", hidden=(32,), optimizer="rmsprop", epochs=50),
        _run(HEALTHY, "digits-cosine", 11, "digits", hidden=(128, 64), epochs=40, callbacks=("cosine",)),
        _run(HEALTHY, "breast_cancer-sgd-momentum", 12, "breast_cancer", hidden=(32,), optimizer="sgd",
             learning_rate=0.01, momentum=0.9, epochs=30),
        _run(HEALTHY, "synth_regression-adam", 13, "synth_regression", hidden=(64, 32), epochs=50),
        _run(HEALTHY, "circles-reduce-lr", 14, "circles", hidden=(32, 32), learning_rate=0.01, epochs=60,
             callbacks=("reduce_lr",)),
        _run(HEALTHY, "iris-no-val", 15, "iris", hidden=(16,), learning_rate=0.01, epochs=60,
             validation=False),
        _run("lr_too_high", "circles-rmsprop-lr2", 10, "circles", optimizer="rmsprop", learning_rate=2.0),
        _run("lr_too_low", "synth_multi-sgd-lr1e-6", 11, "synth_multi", optimizer="sgd", learning_rate=1e-6),
        _run("unscaled_features", "synth_multi-x500", 12,
             lambda s: scaled_features(load("synth_multi", s), 500.0)),
        _run("unscaled_targets", "synth_regression-y-x1000", 13,
             lambda s: scaled_targets(load("synth_regression", s), 1e3)),
        _run("class_imbalance", "synth_binary-96-4", 14,
             lambda s: load("synth_binary", s, weights=[0.96], n_informative=2, class_sep=0.1)),
        _run("label_noise", "synth_multi-45pct", 15, lambda s: noisy_labels(load("synth_multi", s), 0.45, s),
             hidden=big, epochs=40),
        _run("shuffled_labels", "wine", 16, lambda s: shuffled_labels(load("wine", s), s), hidden=big,
             epochs=60),
        _run("output_activation_mismatch", "synth_binary-linear-bce", 17, "synth_binary",
             output_activation="linear"),
        _run("loss_task_mismatch", "wine-mse-on-class-ids", 18, "wine", loss="mse", output_units=1,
             output_activation="linear", epochs=40),
        _run("dead_units", "synth_binary", 19, "synth_binary", hidden=(64, 64), bias_init=-10.0),
        _run("saturated_activations", "synth_multi-sigmoid-bias10", 20, "synth_multi", hidden=deep,
             activation="sigmoid", bias_init=10.0),
        _run("vanishing_gradients", "breast_cancer-sigmoid-20", 21, "breast_cancer", hidden=(32,) * 20,
             activation="sigmoid", optimizer="sgd", learning_rate=0.01),
        _run("exploding_gradients", "synth_multi-relu-10", 22, "synth_multi", hidden=(64,) * 10,
             init_stddev=1.5, optimizer="sgd", learning_rate=0.01),
        _run("excessive_dropout", "synth_binary", 23, "synth_binary", hidden=(128, 128), dropout=0.9),
        _run("capacity_too_low", "synth_multi-2-unit", 24, "synth_multi", hidden=(2,), activation="linear"),
        _run("insufficient_data", "digits-50", 25, lambda s: train_subset(load("digits", s), 50, s),
             hidden=big, epochs=60),
        _run("nonfinite_inputs", "wine-nan-train", 26,
             lambda s: with_nonfinite(load("wine", s), 0.02, s, value=np.nan), activation="tanh", epochs=40),
        _run("train_val_shift", "digits-offset", 27, lambda s: shifted_validation(load("digits", s), 2.5)),
        _run("val_preprocessing_mismatch", "iris", 28, lambda s: raw_validation("iris", s), hidden=(16,),
             learning_rate=0.01, epochs=60),
        # A second variant of each, so that the fresh holdout is a third of the corpus.
        _run(HEALTHY, "moons-sgd-momentum", 30, "moons", hidden=(32, 16), optimizer="sgd", learning_rate=0.05,
             momentum=0.9, epochs=40),
        _run(HEALTHY, "synth_multi-batch16-dropout", 31, "synth_multi", hidden=(128,), dropout=0.3,
             batch_size=16, epochs=30),
        _run(HEALTHY, "diabetes-small-earlystop", 32, "diabetes", hidden=(16,), learning_rate=3e-3,
             epochs=100, callbacks=("early_stopping",)),
        _run(HEALTHY, "friedman-exp-decay", 33, "friedman", hidden=(64, 64), epochs=60,
             callbacks=("exp_decay",)),
        _run(HEALTHY, "digits-batch128", 34, "digits", hidden=(64,), learning_rate=3e-3, batch_size=128,
             epochs=40),
        _run(HEALTHY, "breast_cancer-l2", 35, "breast_cancer", hidden=(64,), l2=1e-3, epochs=40),
        _run("lr_too_high", "friedman-adam-lr2", 36, "friedman", learning_rate=2.0),
        _run("lr_too_low", "circles-adam-lr1e-6", 37, "circles", learning_rate=1e-6, epochs=40),
        _run("unscaled_features", "moons-x1000-offset", 38,
             lambda s: scaled_features(load("moons", s), 1e3, 5e3)),
        _run("unscaled_targets", "friedman-y-x1000", 39, lambda s: scaled_targets(load("friedman", s), 1e3)),
        _run("class_imbalance", "synth_multi-85-5-5-5", 40,
             lambda s: load("synth_multi", s, weights=[0.85, 0.05, 0.05], n_informative=3, class_sep=0.1)),
        _run("label_noise", "digits-40pct", 41, lambda s: noisy_labels(load("digits", s), 0.4, s), hidden=big,
             epochs=40),
        _run("shuffled_labels", "synth_multi", 42, lambda s: shuffled_labels(load("synth_multi", s), s),
             hidden=big, epochs=40),
        _run("output_activation_mismatch", "breast_cancer-relu-bce", 43, "breast_cancer",
             output_activation="relu"),
        _run("loss_task_mismatch", "iris-bce-multiclass", 44, "iris", loss="binary_crossentropy",
             one_hot=True, hidden=(16,), learning_rate=0.01, epochs=60),
        _run("dead_units", "wine", 45, "wine", hidden=(64, 64), bias_init=-10.0, epochs=40),
        _run("saturated_activations", "breast_cancer-sigmoid-bias10", 46, "breast_cancer", hidden=deep,
             activation="sigmoid", bias_init=10.0),
        _run("vanishing_gradients", "wine-sigmoid-20", 47, "wine", hidden=(32,) * 20, activation="sigmoid",
             optimizer="sgd", learning_rate=0.01, epochs=40),
        _run("exploding_gradients", "breast_cancer-relu-10", 48, "breast_cancer", hidden=(64,) * 10,
             init_stddev=1.5, optimizer="sgd", learning_rate=0.01),
        _run("excessive_dropout", "wine", 49, "wine", hidden=(128, 128), dropout=0.9, epochs=40),
        _run("capacity_too_low", "circles-1-unit", 50, "circles", hidden=(1,), epochs=40),
        _run("insufficient_data", "moons-20", 51, lambda s: train_subset(load("moons", s), 20, s), hidden=big,
             epochs=60),
        _run("nonfinite_inputs", "synth_multi-inf-train", 52,
             lambda s: with_nonfinite(load("synth_multi", s), 0.01, s, value=np.inf)),
        _run("train_val_shift", "wine-offset", 53, lambda s: shifted_validation(load("wine", s), 2.5),
             epochs=40),
        _run("val_preprocessing_mismatch", "wine-deep", 54, lambda s: raw_validation("wine", s),
             hidden=(64, 32), epochs=40),
    ]
    # fmt: on


def third_holdout() -> list[Run]:
    """The holdout: three new variants of every fault type and seventeen new healthy shapes,
    on other data, settings and seeds than the runs above. Written, and labelled by `EXPECTED`,
    after the second holdout's misses had been read and before any of these runs was scored."""
    big, deep = (256, 256), (64,) * 6
    # fmt: off
    return [
        _run(HEALTHY, "iris-rmsprop", 117, "iris", hidden=(16,), optimizer="rmsprop", learning_rate=0.01,
             epochs=60),
        _run(HEALTHY, "wine-sgd-momentum", 118, "wine", hidden=(32,), optimizer="sgd", learning_rate=0.01,
             momentum=0.9, epochs=40),
        _run(HEALTHY, "digits-batch64", 119, "digits", hidden=(128,), batch_size=64, epochs=30),
        _run(HEALTHY, "breast_cancer-short", 120, "breast_cancer", hidden=(32,), epochs=10),
        _run(HEALTHY, "synth_binary-dropout", 121, "synth_binary", hidden=(64, 32), dropout=0.2, epochs=30),
        _run(HEALTHY, "synth_multi-rmsprop", 122, "synth_multi", hidden=(64,), optimizer="rmsprop",
             epochs=40),
        _run(HEALTHY, "moons-cosine", 123, "moons", hidden=(32, 32), learning_rate=0.01, epochs=40,
             callbacks=("cosine",)),
        _run(HEALTHY, "circles-sgd-momentum", 124, "circles", hidden=(32, 32), optimizer="sgd",
             learning_rate=0.05, momentum=0.9, epochs=60),
        _run(HEALTHY, "diabetes-l2-earlystop", 125, "diabetes", hidden=(32,), l2=1e-3, epochs=100,
             callbacks=("early_stopping",)),
        _run(HEALTHY, "friedman-rmsprop", 126, "friedman", hidden=(64, 64), optimizer="rmsprop", epochs=60),
        _run(HEALTHY, "synth_regression-sgd-momentum", 127, "synth_regression", hidden=(32,), optimizer="sgd",
             learning_rate=0.01, momentum=0.9, epochs=40),
        _run(HEALTHY, "digits-exp-decay", 128, "digits", hidden=(64,), epochs=30, callbacks=("exp_decay",)),
        _run(HEALTHY, "wine-reduce-lr", 129, "wine", hidden=(32,), learning_rate=3e-3, epochs=50,
             callbacks=("reduce_lr",)),
        _run(HEALTHY, "breast_cancer-batch8", 130, "breast_cancer", hidden=(32,), batch_size=8, epochs=15),
        _run(HEALTHY, "synth_multi-no-val", 131, "synth_multi", hidden=(64, 32), epochs=40, validation=False),
        _run(HEALTHY, "iris-batch4", 132, "iris", hidden=(16,), batch_size=4, epochs=40),
        _run(HEALTHY, "friedman-dropout-earlystop", 133, "friedman", hidden=(128, 64), dropout=0.1,
             epochs=120, callbacks=("early_stopping",)),
        _run("lr_too_high", "iris-adam-lr2", 60, "iris", hidden=(16,), learning_rate=2.0, epochs=60),
        _run("lr_too_high", "moons-sgd-lr30", 61, "moons", optimizer="sgd", learning_rate=30.0),
        _run("lr_too_high", "synth_regression-rmsprop-lr1", 62, "synth_regression", optimizer="rmsprop",
             learning_rate=1.0),
        _run("lr_too_low", "iris-adam-lr1e-6", 63, "iris", hidden=(16,), learning_rate=1e-6, epochs=60),
        _run("lr_too_low", "moons-sgd-lr1e-6", 64, "moons", optimizer="sgd", learning_rate=1e-6),
        _run("lr_too_low", "synth_regression-adam-lr1e-6", 65, "synth_regression", learning_rate=1e-6),
        _run("unscaled_features", "iris-x1000", 66, lambda s: scaled_features(load("iris", s), 1e3),
             hidden=(16,), epochs=60),
        _run("unscaled_features", "circles-x500-offset", 67,
             lambda s: scaled_features(load("circles", s), 500.0, 2e3), epochs=40),
        _run("unscaled_features", "synth_regression-x1000", 68,
             lambda s: scaled_features(load("synth_regression", s), 1e3)),
        _run("unscaled_targets", "diabetes-y-x500", 69, lambda s: scaled_targets(load("diabetes", s), 500.0)),
        _run("unscaled_targets", "friedman-y-x300", 70, lambda s: scaled_targets(load("friedman", s), 300.0)),
        _run("unscaled_targets", "synth_regression-y-x50", 71,
             lambda s: scaled_targets(load("synth_regression", s), 50.0)),
        _run("class_imbalance", "synth_binary-99-1", 72,
             lambda s: load("synth_binary", s, weights=[0.99], n_informative=2, class_sep=0.1)),
        _run("class_imbalance", "synth_multi-94-2-2-2", 73,
             lambda s: load("synth_multi", s, weights=[0.94, 0.02, 0.02], n_informative=3, class_sep=0.1)),
        _run("class_imbalance", "synth_binary-93-7", 74,
             lambda s: load("synth_binary", s, weights=[0.93], n_informative=2, class_sep=0.1)),
        _run("label_noise", "iris-45pct", 75, lambda s: noisy_labels(load("iris", s), 0.45, s), hidden=big,
             epochs=60),
        _run("label_noise", "moons-40pct", 76, lambda s: noisy_labels(load("moons", s), 0.4, s), hidden=big,
             epochs=40),
        _run("label_noise", "circles-40pct", 77, lambda s: noisy_labels(load("circles", s), 0.4, s),
             hidden=big, epochs=40),
        _run("shuffled_labels", "iris", 78, lambda s: shuffled_labels(load("iris", s), s), hidden=big,
             epochs=60),
        _run("shuffled_labels", "moons", 79, lambda s: shuffled_labels(load("moons", s), s), hidden=big,
             epochs=40),
        _run("shuffled_labels", "circles", 80, lambda s: shuffled_labels(load("circles", s), s), hidden=big,
             epochs=40),
        _run("output_activation_mismatch", "wine-sigmoid-crossentropy", 81, "wine",
             output_activation="sigmoid", epochs=40),
        _run("output_activation_mismatch", "synth_regression-relu-regression", 82, "synth_regression",
             output_activation="relu"),
        _run("output_activation_mismatch", "moons-softmax-1unit", 83, "moons", output_activation="softmax"),
        _run("loss_task_mismatch", "wine-bce-multiclass", 84, "wine", loss="binary_crossentropy",
             one_hot=True, epochs=40),
        _run("loss_task_mismatch", "digits-mae-on-class-ids", 85, "digits", loss="mae", output_units=1,
             output_activation="linear", metrics=("accuracy",)),
        _run("loss_task_mismatch", "iris-mse-on-class-ids", 86, "iris", loss="mse", output_units=1,
             output_activation="linear", hidden=(16,), learning_rate=0.01, epochs=60),
        _run("dead_units", "iris", 87, "iris", hidden=(64, 64), bias_init=-10.0, epochs=60),
        _run("dead_units", "moons", 88, "moons", hidden=(64, 64), bias_init=-10.0),
        _run("dead_units", "synth_regression", 89, "synth_regression", hidden=(64, 64), bias_init=-10.0),
        _run("saturated_activations", "wine-sigmoid-bias10", 90, "wine", hidden=deep, activation="sigmoid",
             bias_init=10.0, epochs=40),
        _run("saturated_activations", "moons-tanh-init3", 91, "moons", hidden=deep, activation="tanh",
             init_stddev=3.0, optimizer="sgd", learning_rate=0.01),
        _run("saturated_activations", "synth_regression-sigmoid-bias10", 92, "synth_regression", hidden=deep,
             activation="sigmoid", bias_init=10.0),
        _run("vanishing_gradients", "iris-sigmoid-20", 93, "iris", hidden=(32,) * 20, activation="sigmoid",
             optimizer="sgd", learning_rate=0.01, epochs=60),
        _run("vanishing_gradients", "moons-sigmoid-20", 94, "moons", hidden=(32,) * 20, activation="sigmoid",
             optimizer="sgd", learning_rate=0.01),
        _run("vanishing_gradients", "digits-sigmoid-15", 95, "digits", hidden=(32,) * 15,
             activation="sigmoid", optimizer="sgd", learning_rate=0.01),
        _run("exploding_gradients", "wine-relu-10", 96, "wine", hidden=(64,) * 10, init_stddev=1.5,
             optimizer="sgd", learning_rate=0.01, epochs=40),
        _run("exploding_gradients", "synth_regression-relu-10", 97, "synth_regression", hidden=(64,) * 10,
             init_stddev=1.5, optimizer="sgd", learning_rate=0.01),
        _run("exploding_gradients", "moons-relu-12", 98, "moons", hidden=(64,) * 12, init_stddev=1.5,
             optimizer="sgd", learning_rate=0.01),
        _run("excessive_dropout", "iris", 99, "iris", hidden=(128, 128), dropout=0.9, epochs=60),
        _run("excessive_dropout", "synth_regression", 100, "synth_regression", hidden=(128, 128),
             dropout=0.9),
        _run("excessive_dropout", "moons", 101, "moons", hidden=(128, 128), dropout=0.9),
        _run("capacity_too_low", "digits-2-unit", 102, "digits", hidden=(2,), activation="linear"),
        _run("capacity_too_low", "moons-linear", 103, "moons", hidden=(), epochs=40),
        _run("capacity_too_low", "friedman-1-unit", 104, "friedman", hidden=(1,), epochs=40),
        _run("insufficient_data", "synth_multi-25", 105,
             lambda s: train_subset(load("synth_multi", s), 25, s), hidden=big, epochs=60),
        _run("insufficient_data", "circles-20", 106, lambda s: train_subset(load("circles", s), 20, s),
             hidden=big, epochs=60),
        _run("insufficient_data", "friedman-30", 107, lambda s: train_subset(load("friedman", s), 30, s),
             hidden=big, epochs=60),
        _run("nonfinite_inputs", "iris-nan-train", 108,
             lambda s: with_nonfinite(load("iris", s), 0.03, s, value=np.nan), activation="tanh", epochs=60),
        _run("nonfinite_inputs", "moons-inf-train", 109,
             lambda s: with_nonfinite(load("moons", s), 0.02, s, value=np.inf)),
        _run("nonfinite_inputs", "friedman-nan-train", 110,
             lambda s: with_nonfinite(load("friedman", s), 0.02, s, value=np.nan), activation="gelu"),
        _run("train_val_shift", "iris-offset", 111, lambda s: shifted_validation(load("iris", s), 2.5),
             hidden=(16,), learning_rate=0.01, epochs=60),
        _run("train_val_shift", "moons-offset", 112, lambda s: shifted_validation(load("moons", s), 2.5)),
        _run("train_val_shift", "synth_regression-offset", 113,
             lambda s: shifted_validation(load("synth_regression", s), 2.0)),
        _run("val_preprocessing_mismatch", "breast_cancer-deep", 114,
             lambda s: raw_validation("breast_cancer", s), hidden=(64, 32)),
        _run("val_preprocessing_mismatch", "digits-wide", 115, lambda s: raw_validation("digits", s),
             hidden=(256,)),
        _run("val_preprocessing_mismatch", "iris-deep", 116, lambda s: raw_validation("iris", s),
             hidden=(32, 16), learning_rate=0.01, epochs=60),
    ]
    # fmt: on


def fourth_holdout() -> list[Run]:
    """The fourth holdout: five new variants of every fault type and seventeen new healthy
    shapes, mostly on data sets the earlier splits do not use (blobs, Gaussian quantiles,
    Hastie's 10-D problem, Friedman's second and third, sparse regression). Written, and
    labelled by `EXPECTED`, after the third holdout's misses had been read and before any of
    these runs was scored; scored once, then read: "seen" since the fifth round. Injections
    that did not produce their fault in Keras 3 on an earlier holdout (a sigmoid head under
    categorical cross-entropy, which Keras renormalizes; a tanh stack with a large init, which
    still learned) are not reused."""
    big, deep = (256, 256), (64,) * 6
    # fmt: off
    return [
        _run(HEALTHY, "blobs-adam", 134, "blobs", hidden=(32,), epochs=30),
        _run(HEALTHY, "blobs-sgd-momentum", 135, "blobs", hidden=(64, 32), optimizer="sgd",
             learning_rate=0.01,
             momentum=0.9, epochs=30),
        # 22 epochs, not 40: at 40 its validation loss rose a third above its best (epoch 21).
        _run(HEALTHY, "quantiles-adam", 136, "quantiles", hidden=(64, 64), learning_rate=3e-3, epochs=22),
        _run(HEALTHY, "quantiles-reduce-lr", 137, "quantiles", hidden=(64, 32), learning_rate=3e-3, epochs=60,
             callbacks=("reduce_lr",)),
        _run(HEALTHY, "hastie-adam", 138, "hastie", hidden=(64, 32), epochs=30),
        _run(HEALTHY, "hastie-dropout-earlystop", 139, "hastie", hidden=(128, 64), dropout=0.2, epochs=100,
             callbacks=("early_stopping",)),
        _run(HEALTHY, "friedman2-adam", 140, "friedman2", hidden=(64, 64), epochs=60),
        _run(HEALTHY, "friedman3-rmsprop", 141, "friedman3", hidden=(64, 64), optimizer="rmsprop", epochs=60),
        _run(HEALTHY, "sparse_regression-adam", 142, "sparse_regression", hidden=(32,), epochs=40),
        _run(HEALTHY, "diabetes-rmsprop-earlystop", 143, "diabetes", hidden=(32,), optimizer="rmsprop",
             epochs=100, callbacks=("early_stopping",)),
        _run(HEALTHY, "digits-rmsprop", 144, "digits", hidden=(128,), optimizer="rmsprop", epochs=20),
        _run(HEALTHY, "wine-batch4", 145, "wine", hidden=(32,), batch_size=4, epochs=20),
        _run(HEALTHY, "breast_cancer-cosine", 146, "breast_cancer", hidden=(32, 16), epochs=30,
             callbacks=("cosine",)),
        _run(HEALTHY, "iris-sgd-momentum", 147, "iris", hidden=(16,), optimizer="sgd", learning_rate=0.02,
             momentum=0.9, epochs=60),
        _run(HEALTHY, "synth_multi-exp-decay", 148, "synth_multi", hidden=(64,), epochs=40,
             callbacks=("exp_decay",)),
        _run(HEALTHY, "moons-rmsprop-no-val", 149, "moons", hidden=(32, 32), optimizer="rmsprop",
             learning_rate=3e-3, epochs=40, validation=False),
        _run(HEALTHY, "circles-batch16", 150, "circles", hidden=(32, 32), learning_rate=3e-3, batch_size=16,
             epochs=40),
        _run("lr_too_high", "blobs-adam-lr3", 151, "blobs", learning_rate=3.0),
        _run("lr_too_high", "quantiles-sgd-lr40", 152, "quantiles", optimizer="sgd", learning_rate=40.0),
        _run("lr_too_high", "hastie-rmsprop-lr1", 153, "hastie", optimizer="rmsprop", learning_rate=1.0),
        _run("lr_too_high", "friedman3-adam-lr5", 154, "friedman3", learning_rate=5.0),
        _run("lr_too_high", "digits-sgd-lr20", 155, "digits", optimizer="sgd", learning_rate=20.0),
        _run("lr_too_low", "blobs-sgd-lr1e-6", 156, "blobs", optimizer="sgd", learning_rate=1e-6),
        _run("lr_too_low", "quantiles-adam-lr1e-6", 157, "quantiles", learning_rate=1e-6),
        _run("lr_too_low", "hastie-rmsprop-lr1e-6", 158, "hastie", optimizer="rmsprop", learning_rate=1e-6),
        _run("lr_too_low", "friedman3-sgd-lr1e-5", 159, "friedman3", optimizer="sgd", learning_rate=1e-5),
        _run("lr_too_low", "wine-adam-lr1e-6", 160, "wine", learning_rate=1e-6, epochs=40),
        _run("unscaled_features", "blobs-x1000", 161, lambda s: scaled_features(load("blobs", s), 1e3)),
        _run("unscaled_features", "quantiles-x500-offset", 162,
             lambda s: scaled_features(load("quantiles", s), 500.0, 2e3)),
        _run("unscaled_features", "hastie-x1000", 163, lambda s: scaled_features(load("hastie", s), 1e3)),
        _run("unscaled_features", "friedman2-raw", 164, lambda s: load("friedman2", s, scale_x=False)),
        _run("unscaled_features", "synth_multi-x2000-offset", 165,
             lambda s: scaled_features(load("synth_multi", s), 2e3, 1e4)),
        _run("unscaled_targets", "friedman2-raw-y", 166, lambda s: load("friedman2", s, scale_y=False)),
        _run("unscaled_targets", "friedman3-y-x1000", 167,
             lambda s: scaled_targets(load("friedman3", s), 1e3)),
        _run("unscaled_targets", "sparse_regression-y-x200", 168,
             lambda s: scaled_targets(load("sparse_regression", s), 200.0)),
        _run("unscaled_targets", "diabetes-raw-y-rmsprop", 169, lambda s: load("diabetes", s, scale_y=False),
             optimizer="rmsprop"),
        _run("unscaled_targets", "friedman-y-x200-sgd", 170, lambda s: scaled_targets(load("friedman", s),
             200.0),
             optimizer="sgd", learning_rate=1e-4),
        _run("class_imbalance", "synth_binary-97-3-wide", 171,
             lambda s: load("synth_binary", s, n_features=30, weights=[0.97], n_informative=2,
             class_sep=0.1)),
        _run("class_imbalance", "synth_multi-92-3-3-2", 172,
             lambda s: load("synth_multi", s, weights=[0.92, 0.03, 0.03], n_informative=3, class_sep=0.1)),
        _run("class_imbalance", "synth_binary-95-5-auc", 173,
             lambda s: load("synth_binary", s, weights=[0.95], n_informative=2, class_sep=0.1),
             metrics=("accuracy", "auc")),
        _run("class_imbalance", "synth_binary-98-2-recall", 174,
             lambda s: load("synth_binary", s, weights=[0.98], n_informative=2, class_sep=0.1),
             metrics=("accuracy", "precision", "recall")),
        _run("class_imbalance", "synth_multi-88-4-4-4", 175,
             lambda s: load("synth_multi", s, weights=[0.88, 0.04, 0.04], n_informative=3, class_sep=0.1)),
        _run("label_noise", "blobs-45pct", 176, lambda s: noisy_labels(load("blobs", s), 0.45, s), hidden=big,
             epochs=40),
        _run("label_noise", "quantiles-40pct", 177, lambda s: noisy_labels(load("quantiles", s), 0.4, s),
             hidden=big, epochs=40),
        _run("label_noise", "hastie-40pct", 178, lambda s: noisy_labels(load("hastie", s), 0.4, s),
             hidden=big,
             epochs=40),
        _run("label_noise", "wine-40pct", 179, lambda s: noisy_labels(load("wine", s), 0.4, s), hidden=big,
             epochs=60),
        _run("label_noise", "breast_cancer-45pct", 180,
             lambda s: noisy_labels(load("breast_cancer", s), 0.45, s), hidden=big, epochs=40),
        _run("shuffled_labels", "blobs", 181, lambda s: shuffled_labels(load("blobs", s), s), hidden=big,
             epochs=40),
        _run("shuffled_labels", "quantiles", 182, lambda s: shuffled_labels(load("quantiles", s), s),
             hidden=big,
             epochs=40),
        _run("shuffled_labels", "hastie", 183, lambda s: shuffled_labels(load("hastie", s), s), hidden=big,
             epochs=40),
        _run("shuffled_labels", "digits-rmsprop", 184, lambda s: shuffled_labels(load("digits", s), s),
             hidden=big, optimizer="rmsprop", epochs=40),
        _run("shuffled_labels", "friedman", 185, lambda s: shuffled_labels(load("friedman", s), s),
             hidden=big,
             epochs=40),
        _run("output_activation_mismatch", "blobs-linear-crossentropy", 186, "blobs",
             output_activation="linear"),
        _run("output_activation_mismatch", "hastie-softmax-1unit", 187, "hastie",
             output_activation="softmax"),
        _run("output_activation_mismatch", "quantiles-relu-crossentropy", 188, "quantiles",
             output_activation="relu"),
        _run("output_activation_mismatch", "friedman3-sigmoid-regression", 189, "friedman3",
             output_activation="sigmoid"),
        _run("output_activation_mismatch", "diabetes-sigmoid-regression", 190, "diabetes",
             output_activation="sigmoid", epochs=40),
        _run("loss_task_mismatch", "blobs-bce-multiclass", 191, "blobs", loss="binary_crossentropy",
             one_hot=True),
        _run("loss_task_mismatch", "quantiles-mse-on-class-ids", 192, "quantiles", loss="mse", output_units=1,
             output_activation="linear"),
        _run("loss_task_mismatch", "synth_multi-mae-on-class-ids", 193, "synth_multi", loss="mae",
             output_units=1, output_activation="linear", metrics=("accuracy",)),
        _run("loss_task_mismatch", "iris-mae-on-class-ids", 194, "iris", loss="mae", output_units=1,
             output_activation="linear", hidden=(16,), learning_rate=0.01, epochs=60, metrics=("accuracy",)),
        _run("loss_task_mismatch", "synth_multi-6-bce-multiclass", 195,
             lambda s: load("synth_multi", s, n_classes=6), loss="binary_crossentropy", one_hot=True),
        _run("dead_units", "blobs", 196, "blobs", hidden=(64, 64), bias_init=-10.0),
        _run("dead_units", "quantiles", 197, "quantiles", hidden=(64, 64), bias_init=-10.0),
        _run("dead_units", "hastie", 198, "hastie", hidden=(64, 64), bias_init=-10.0),
        _run("dead_units", "friedman3", 199, "friedman3", hidden=(64, 64), bias_init=-10.0),
        _run("dead_units", "diabetes-3-layers", 200, "diabetes", hidden=(64, 64, 64), bias_init=-8.0,
             epochs=40),
        _run("saturated_activations", "blobs-sigmoid-bias10", 201, "blobs", hidden=deep, activation="sigmoid",
             bias_init=10.0),
        _run("saturated_activations", "quantiles-sigmoid-bias10", 202, "quantiles", hidden=deep,
             activation="sigmoid", bias_init=10.0),
        _run("saturated_activations", "hastie-tanh-bias10", 203, "hastie", hidden=deep, activation="tanh",
             bias_init=10.0),
        _run("saturated_activations", "friedman3-sigmoid-bias10", 204, "friedman3", hidden=deep,
             activation="sigmoid", bias_init=10.0),
        _run("saturated_activations", "digits-tanh-bias10", 205, "digits", hidden=deep, activation="tanh",
             bias_init=10.0),
        _run("vanishing_gradients", "blobs-sigmoid-20", 206, "blobs", hidden=(32,) * 20, activation="sigmoid",
             optimizer="sgd", learning_rate=0.01),
        _run("vanishing_gradients", "quantiles-sigmoid-20", 207, "quantiles", hidden=(32,) * 20,
             activation="sigmoid", optimizer="sgd", learning_rate=0.01),
        _run("vanishing_gradients", "hastie-sigmoid-20", 208, "hastie", hidden=(32,) * 20,
             activation="sigmoid", optimizer="sgd", learning_rate=0.01),
        _run("vanishing_gradients", "friedman3-sigmoid-20", 209, "friedman3", hidden=(32,) * 20,
             activation="sigmoid", optimizer="sgd", learning_rate=0.01),
        _run("vanishing_gradients", "synth_multi-sigmoid-25", 210, "synth_multi", hidden=(32,) * 25,
             activation="sigmoid", optimizer="sgd", learning_rate=0.01),
        _run("exploding_gradients", "blobs-relu-10", 211, "blobs", hidden=(64,) * 10, init_stddev=1.5,
             optimizer="sgd", learning_rate=0.01),
        _run("exploding_gradients", "quantiles-relu-10", 212, "quantiles", hidden=(64,) * 10, init_stddev=1.5,
             optimizer="sgd", learning_rate=0.01),
        _run("exploding_gradients", "hastie-relu-10", 213, "hastie", hidden=(64,) * 10, init_stddev=1.5,
             optimizer="sgd", learning_rate=0.01),
        _run("exploding_gradients", "friedman3-relu-10", 214, "friedman3", hidden=(64,) * 10, init_stddev=1.5,
             optimizer="sgd", learning_rate=0.01),
        _run("exploding_gradients", "diabetes-relu-12", 215, "diabetes", hidden=(64,) * 12, init_stddev=1.5,
             optimizer="sgd", learning_rate=0.01),
        _run("excessive_dropout", "blobs", 216, "blobs", hidden=(128, 128), dropout=0.9),
        _run("excessive_dropout", "quantiles", 217, "quantiles", hidden=(128, 128), dropout=0.9),
        _run("excessive_dropout", "hastie", 218, "hastie", hidden=(128, 128), dropout=0.9),
        _run("excessive_dropout", "friedman3", 219, "friedman3", hidden=(128, 128), dropout=0.9),
        _run("excessive_dropout", "digits-0.95", 220, "digits", hidden=(256, 256), dropout=0.95),
        _run("capacity_too_low", "blobs-1-unit", 221, "blobs", hidden=(1,), activation="linear"),
        _run("capacity_too_low", "quantiles-linear", 222, "quantiles", hidden=(), epochs=40),
        _run("capacity_too_low", "hastie-linear", 223, "hastie", hidden=(), epochs=40),
        _run("capacity_too_low", "digits-3-unit", 224, "digits", hidden=(3,), activation="linear"),
        _run("capacity_too_low", "friedman3-linear", 225, "friedman3", hidden=(), epochs=40),
        # Digits, not blobs: five well-separated blobs reached 97.6 % validation accuracy from 25
        # samples, so those 25 were enough.
        _run("insufficient_data", "digits-20", 226, lambda s: train_subset(load("digits", s), 20, s),
             hidden=big, epochs=60),
        _run("insufficient_data", "quantiles-20", 227, lambda s: train_subset(load("quantiles", s), 20, s),
             hidden=big, epochs=60),
        _run("insufficient_data", "hastie-30", 228, lambda s: train_subset(load("hastie", s), 30, s),
             hidden=big, epochs=60),
        _run("insufficient_data", "friedman3-25", 229, lambda s: train_subset(load("friedman3", s), 25, s),
             hidden=big, epochs=60),
        _run("insufficient_data", "synth_binary-25", 230,
             lambda s: train_subset(load("synth_binary", s), 25, s), hidden=big, epochs=60),
        _run("nonfinite_inputs", "blobs-nan-train", 231,
             lambda s: with_nonfinite(load("blobs", s), 0.02, s, value=np.nan), activation="gelu"),
        _run("nonfinite_inputs", "quantiles-inf-train", 232,
             lambda s: with_nonfinite(load("quantiles", s), 0.02, s, value=np.inf)),
        _run("nonfinite_inputs", "hastie-nan-train", 233,
             lambda s: with_nonfinite(load("hastie", s), 0.01, s, value=np.nan), activation="tanh"),
        _run("nonfinite_inputs", "friedman3-nan-val", 234,
             lambda s: with_nonfinite(load("friedman3", s), 0.02, s, value=np.nan, validation=True),
             activation="gelu"),
        _run("nonfinite_inputs", "diabetes-inf-train", 235,
             lambda s: with_nonfinite(load("diabetes", s), 0.02, s, value=np.inf)),
        _run("train_val_shift", "blobs-offset", 236, lambda s: shifted_validation(load("blobs", s), 2.5)),
        _run("train_val_shift", "quantiles-offset", 237, lambda s: shifted_validation(load("quantiles", s),
             2.0)),
        _run("train_val_shift", "hastie-offset", 238, lambda s: shifted_validation(load("hastie", s), 2.0)),
        _run("train_val_shift", "friedman3-offset", 239, lambda s: shifted_validation(load("friedman3", s),
             2.0)),
        _run("train_val_shift", "synth_binary-foreign", 240,
             lambda s: foreign_validation(load("synth_binary", s), "synth_binary", s)),
        _run("val_preprocessing_mismatch", "friedman2", 241, lambda s: raw_validation("friedman2", s)),
        _run("val_preprocessing_mismatch", "digits-deep", 242, lambda s: raw_validation("digits", s),
             hidden=(128, 64)),
        _run("val_preprocessing_mismatch", "breast_cancer-wide", 243,
             lambda s: raw_validation("breast_cancer", s),
             hidden=(256,)),
        _run("val_preprocessing_mismatch", "diabetes", 244, lambda s: raw_validation("diabetes", s)),
        _run("val_preprocessing_mismatch", "wine-sgd", 245, lambda s: raw_validation("wine", s),
             optimizer="sgd", learning_rate=0.01, momentum=0.9, epochs=40),
    ]
    # fmt: on


def fifth_holdout() -> list[Run]:
    """The fifth holdout: eight new variants of every fault type and seventeen new healthy
    shapes, then a third of the corpus, with five data sets no other split uses (50 features of which 10
    informative, ten classes, the S curve, the Swiss roll, a 40-feature regression). Written,
    and labelled by `EXPECTED`, after the fourth holdout's misses had been read and before any
    of these runs was scored; scored once, then read: "seen" since the sixth round."""
    big, deep = (256, 256), (64,) * 6
    weak = {"n_informative": 2, "class_sep": 0.1}
    # fmt: off
    return [
        _run(HEALTHY, "wide_binary-adam", 300, "wide_binary", hidden=(32,), epochs=15),
        _run(HEALTHY, "synth_multi10-adam", 301, "synth_multi10", hidden=(128, 64), epochs=25),
        _run(HEALTHY, "s_curve-adam", 302, "s_curve", hidden=(64, 64), epochs=60),
        _run(HEALTHY, "swiss_roll-rmsprop", 303, "swiss_roll", hidden=(64, 64), optimizer="rmsprop",
             epochs=60),
        _run(HEALTHY, "regression_wide-sgd-momentum", 304, "regression_wide", hidden=(64,), optimizer="sgd",
             learning_rate=0.01, momentum=0.9, epochs=40),
        _run(HEALTHY, "blobs-rmsprop", 305, "blobs", hidden=(32,), optimizer="rmsprop", epochs=20),
        _run(HEALTHY, "quantiles-sgd-momentum", 306, "quantiles", hidden=(64, 64), optimizer="sgd",
             learning_rate=0.05, momentum=0.9, epochs=40),
        _run(HEALTHY, "hastie-batch16", 307, "hastie", hidden=(64, 32), batch_size=16, epochs=25),
        _run(HEALTHY, "friedman2-l2", 308, "friedman2", hidden=(64, 64), l2=1e-4, epochs=60),
        _run(HEALTHY, "friedman3-exp-decay", 309, "friedman3", hidden=(64, 64), learning_rate=3e-3, epochs=60,
             callbacks=("exp_decay",)),
        _run(HEALTHY, "sparse_regression-reduce-lr", 310, "sparse_regression", hidden=(32,), epochs=60,
             callbacks=("reduce_lr",)),
        _run(HEALTHY, "digits-sgd-momentum", 311, "digits", hidden=(64,), optimizer="sgd", learning_rate=0.01,
             momentum=0.9, epochs=20),
        _run(HEALTHY, "wine-dropout", 312, "wine", hidden=(64,), dropout=0.2, epochs=40),
        _run(HEALTHY, "breast_cancer-batch64", 313, "breast_cancer", hidden=(32,), batch_size=64, epochs=40),
        _run(HEALTHY, "circles-rmsprop", 314, "circles", hidden=(32, 32), optimizer="rmsprop",
             learning_rate=3e-3,
             epochs=40),
        _run(HEALTHY, "moons-l2-no-val", 315, "moons", hidden=(32, 32), l2=1e-4, epochs=40, validation=False),
        _run(HEALTHY, "diabetes-sgd-earlystop", 316, "diabetes", hidden=(32,), optimizer="sgd",
             learning_rate=0.01,
             momentum=0.9, epochs=100, callbacks=("early_stopping",)),
        _run("lr_too_high", "wide_binary-adam-lr2", 317, "wide_binary", learning_rate=2.0),
        _run("lr_too_high", "synth_multi10-sgd-lr30", 318, "synth_multi10", optimizer="sgd",
             learning_rate=30.0),
        _run("lr_too_high", "s_curve-rmsprop-lr1", 319, "s_curve", optimizer="rmsprop", learning_rate=1.0),
        _run("lr_too_high", "swiss_roll-adam-lr3", 320, "swiss_roll", learning_rate=3.0),
        _run("lr_too_high", "regression_wide-sgd-lr5", 321, "regression_wide", optimizer="sgd",
             learning_rate=5.0),
        _run("lr_too_high", "blobs-rmsprop-lr2", 322, "blobs", optimizer="rmsprop", learning_rate=2.0),
        _run("lr_too_high", "hastie-adam-lr1", 323, "hastie", learning_rate=1.0),
        _run("lr_too_high", "wine-sgd-lr50", 324, "wine", optimizer="sgd", learning_rate=50.0, epochs=40),
        _run("lr_too_low", "wide_binary-sgd-lr1e-6", 325, "wide_binary", optimizer="sgd", learning_rate=1e-6),
        _run("lr_too_low", "synth_multi10-adam-lr1e-6", 326, "synth_multi10", learning_rate=1e-6),
        _run("lr_too_low", "s_curve-sgd-lr1e-6", 327, "s_curve", optimizer="sgd", learning_rate=1e-6),
        _run("lr_too_low", "swiss_roll-rmsprop-lr1e-6", 328, "swiss_roll", optimizer="rmsprop",
             learning_rate=1e-6),
        _run("lr_too_low", "regression_wide-adam-lr1e-6", 329, "regression_wide", learning_rate=1e-6),
        _run("lr_too_low", "digits-rmsprop-lr1e-6", 330, "digits", optimizer="rmsprop", learning_rate=1e-6),
        _run("lr_too_low", "breast_cancer-adam-lr1e-6", 331, "breast_cancer", learning_rate=1e-6),
        _run("lr_too_low", "friedman2-sgd-lr1e-6", 332, "friedman2", optimizer="sgd", learning_rate=1e-6),
        _run("unscaled_features", "wide_binary-x1000", 333, lambda s: scaled_features(load("wide_binary",
             s), 1e3)),
        _run("unscaled_features", "synth_multi10-x500-offset", 334,
             lambda s: scaled_features(load("synth_multi10", s), 500.0, 3e3)),
        _run("unscaled_features", "s_curve-x1000", 335, lambda s: scaled_features(load("s_curve", s), 1e3)),
        _run("unscaled_features", "swiss_roll-x1000-offset", 336,
             lambda s: scaled_features(load("swiss_roll", s), 1e3, 5e3)),
        _run("unscaled_features", "regression_wide-x2000", 337,
             lambda s: scaled_features(load("regression_wide", s), 2e3)),
        _run("unscaled_features", "hastie-x500-offset", 338,
             lambda s: scaled_features(load("hastie", s), 500.0, 2e3)),
        _run("unscaled_features", "quantiles-x1000", 339, lambda s: scaled_features(load("quantiles", s),
             1e3)),
        _run("unscaled_features", "diabetes-raw-x10000", 340,
             lambda s: scaled_features(load("diabetes", s, scale_x=False), 1e4)),
        _run("unscaled_targets", "s_curve-y-x500", 341, lambda s: scaled_targets(load("s_curve", s), 500.0)),
        _run("unscaled_targets", "swiss_roll-y-x100", 342, lambda s: scaled_targets(load("swiss_roll", s),
             100.0)),
        _run("unscaled_targets", "regression_wide-raw-y", 343, lambda s: load("regression_wide", s,
             scale_y=False)),
        _run("unscaled_targets", "friedman2-raw-y-rmsprop", 344, lambda s: load("friedman2", s,
             scale_y=False),
             optimizer="rmsprop"),
        _run("unscaled_targets", "friedman3-y-x500-wide", 345, lambda s: scaled_targets(load("friedman3",
             s), 500.0),
             hidden=(128, 128)),
        _run("unscaled_targets", "sparse_regression-y-x1000", 346,
             lambda s: scaled_targets(load("sparse_regression", s), 1e3)),
        _run("unscaled_targets", "synth_regression-raw-y-rmsprop", 347,
             lambda s: load("synth_regression", s, scale_y=False), optimizer="rmsprop"),
        _run("unscaled_targets", "diabetes-raw-y-batch8", 348, lambda s: load("diabetes", s, scale_y=False),
             batch_size=8),
        _run("class_imbalance", "synth_binary-96-4-auc", 349, lambda s: load("synth_binary", s,
             weights=[0.96], **weak),
             metrics=("accuracy", "auc")),
        _run("class_imbalance", "synth_binary-94-6", 350, lambda s: load("synth_binary", s, weights=[0.94],
             **weak)),
        _run("class_imbalance", "wide_binary-97-3", 351, lambda s: load("wide_binary", s, weights=[0.97],
             **weak)),
        _run("class_imbalance", "wide_binary-95-5-recall", 352,
             lambda s: load("wide_binary", s, weights=[0.95], **weak), metrics=("accuracy", "precision",
             "recall")),
        _run("class_imbalance", "synth_multi-91-3-3-3", 353,
             lambda s: load("synth_multi", s, weights=[0.91, 0.03, 0.03], n_informative=3, class_sep=0.1)),
        _run("class_imbalance", "synth_multi10-82-2x9", 354,
             lambda s: load("synth_multi10", s, weights=[0.82] + [0.02] * 8, n_informative=4, class_sep=0.1)),
        _run("class_imbalance", "synth_multi-86-6-4-4", 355,
             lambda s: load("synth_multi", s, weights=[0.86, 0.06, 0.04], n_informative=3, class_sep=0.1)),
        _run("class_imbalance", "synth_binary-99-1-precision", 356,
             lambda s: load("synth_binary", s, weights=[0.99], **weak), metrics=("accuracy", "precision",
             "recall")),
        _run("label_noise", "wide_binary-40pct", 357, lambda s: noisy_labels(load("wide_binary", s), 0.4, s),
             hidden=big, epochs=40),
        _run("label_noise", "synth_multi10-45pct", 358, lambda s: noisy_labels(load("synth_multi10", s),
             0.45, s),
             hidden=big, epochs=40),
        _run("label_noise", "blobs-40pct", 359, lambda s: noisy_labels(load("blobs", s), 0.4, s), hidden=big,
             epochs=40),
        _run("label_noise", "quantiles-45pct", 360, lambda s: noisy_labels(load("quantiles", s), 0.45, s),
             hidden=big, epochs=40),
        _run("label_noise", "digits-45pct", 361, lambda s: noisy_labels(load("digits", s), 0.45, s),
             hidden=big,
             epochs=40),
        _run("label_noise", "synth_binary-45pct", 362, lambda s: noisy_labels(load("synth_binary", s),
             0.45, s),
             hidden=big, epochs=40),
        _run("label_noise", "iris-40pct", 363, lambda s: noisy_labels(load("iris", s), 0.4, s), hidden=big,
             epochs=60),
        _run("label_noise", "moons-45pct", 364, lambda s: noisy_labels(load("moons", s), 0.45, s), hidden=big,
             epochs=40),
        _run("shuffled_labels", "wide_binary", 365, lambda s: shuffled_labels(load("wide_binary", s), s),
             hidden=big, epochs=40),
        _run("shuffled_labels", "synth_multi10", 366, lambda s: shuffled_labels(load("synth_multi10", s), s),
             hidden=big, epochs=40),
        _run("shuffled_labels", "s_curve", 367, lambda s: shuffled_labels(load("s_curve", s), s), hidden=big,
             epochs=40),
        _run("shuffled_labels", "swiss_roll", 368, lambda s: shuffled_labels(load("swiss_roll", s), s),
             hidden=big,
             epochs=40),
        _run("shuffled_labels", "regression_wide", 369, lambda s: shuffled_labels(load("regression_wide",
             s), s),
             hidden=big, epochs=40),
        _run("shuffled_labels", "breast_cancer-rmsprop", 370,
             lambda s: shuffled_labels(load("breast_cancer", s), s),
             hidden=big, optimizer="rmsprop", epochs=40),
        _run("shuffled_labels", "wine-sgd-momentum", 371, lambda s: shuffled_labels(load("wine", s), s),
             hidden=big,
             optimizer="sgd", learning_rate=0.01, momentum=0.9, epochs=60),
        _run("shuffled_labels", "circles", 372, lambda s: shuffled_labels(load("circles", s), s), hidden=big,
             learning_rate=3e-3, epochs=40),
        _run("output_activation_mismatch", "wide_binary-softmax-1unit", 373, "wide_binary",
             output_activation="softmax"),
        _run("output_activation_mismatch", "synth_multi10-linear-crossentropy", 374, "synth_multi10",
             output_activation="linear"),
        _run("output_activation_mismatch", "s_curve-sigmoid-regression", 375, "s_curve",
             output_activation="sigmoid"),
        _run("output_activation_mismatch", "swiss_roll-relu-regression", 376, "swiss_roll",
             output_activation="relu"),
        _run("output_activation_mismatch", "regression_wide-sigmoid-regression", 377, "regression_wide",
             output_activation="sigmoid"),
        _run("output_activation_mismatch", "digits-relu-crossentropy", 378, "digits",
             output_activation="relu"),
        _run("output_activation_mismatch", "wine-linear-crossentropy", 379, "wine",
             output_activation="linear",
             epochs=40),
        _run("output_activation_mismatch", "circles-softmax-1unit", 380, "circles",
             output_activation="softmax"),
        _run("loss_task_mismatch", "synth_multi10-bce-multiclass", 381, "synth_multi10",
             loss="binary_crossentropy",
             one_hot=True),
        _run("loss_task_mismatch", "wine-mae-on-class-ids", 382, "wine", loss="mae", output_units=1,
             output_activation="linear", metrics=("accuracy",), epochs=40),
        _run("loss_task_mismatch", "digits-mse-on-class-ids-rmsprop", 383, "digits", loss="mse",
             output_units=1,
             output_activation="linear", optimizer="rmsprop"),
        _run("loss_task_mismatch", "blobs-mae-on-class-ids", 384, "blobs", loss="mae", output_units=1,
             output_activation="linear", metrics=("accuracy",)),
        _run("loss_task_mismatch", "quantiles-bce-multiclass", 385, "quantiles", loss="binary_crossentropy",
             one_hot=True),
        _run("loss_task_mismatch", "iris-bce-multiclass-sgd", 386, "iris", loss="binary_crossentropy",
             one_hot=True,
             hidden=(16,), optimizer="sgd", learning_rate=0.05, momentum=0.9, epochs=60),
        _run("loss_task_mismatch", "synth_multi10-mse-on-class-ids", 387, "synth_multi10", loss="mse",
             output_units=1, output_activation="linear"),
        _run("loss_task_mismatch", "digits-bce-multiclass-rmsprop", 388, "digits", loss="binary_crossentropy",
             one_hot=True, optimizer="rmsprop"),
        _run("dead_units", "wide_binary", 389, "wide_binary", hidden=(64, 64), bias_init=-10.0),
        _run("dead_units", "synth_multi10", 390, "synth_multi10", hidden=(64, 64), bias_init=-10.0),
        _run("dead_units", "s_curve", 391, "s_curve", hidden=(64, 64), bias_init=-10.0),
        _run("dead_units", "swiss_roll", 392, "swiss_roll", hidden=(64, 64), bias_init=-10.0),
        _run("dead_units", "regression_wide", 393, "regression_wide", hidden=(64, 64), bias_init=-10.0),
        _run("dead_units", "digits-3-layers", 394, "digits", hidden=(64, 64, 64), bias_init=-8.0),
        _run("dead_units", "breast_cancer-rmsprop", 395, "breast_cancer", hidden=(64, 64), bias_init=-10.0,
             optimizer="rmsprop"),
        _run("dead_units", "circles", 396, "circles", hidden=(64, 64), bias_init=-10.0),
        _run("saturated_activations", "wide_binary-sigmoid-bias10", 397, "wide_binary", hidden=deep,
             activation="sigmoid", bias_init=10.0),
        _run("saturated_activations", "synth_multi10-tanh-bias10", 398, "synth_multi10", hidden=deep,
             activation="tanh", bias_init=10.0),
        _run("saturated_activations", "s_curve-sigmoid-bias10", 399, "s_curve", hidden=deep,
             activation="sigmoid",
             bias_init=10.0),
        _run("saturated_activations", "swiss_roll-tanh-bias10", 400, "swiss_roll", hidden=deep,
             activation="tanh",
             bias_init=10.0),
        _run("saturated_activations", "regression_wide-sigmoid-bias10", 401, "regression_wide", hidden=deep,
             activation="sigmoid", bias_init=10.0),
        _run("saturated_activations", "iris-tanh-bias10", 402, "iris", hidden=deep, activation="tanh",
             bias_init=10.0, epochs=60),
        _run("saturated_activations", "circles-sigmoid-bias10", 403, "circles", hidden=deep,
             activation="sigmoid",
             bias_init=10.0),
        _run("saturated_activations", "diabetes-tanh-bias10", 404, "diabetes", hidden=deep, activation="tanh",
             bias_init=10.0),
        _run("vanishing_gradients", "wide_binary-sigmoid-20", 405, "wide_binary", hidden=(32,) * 20,
             activation="sigmoid", optimizer="sgd", learning_rate=0.01),
        _run("vanishing_gradients", "synth_multi10-sigmoid-20", 406, "synth_multi10", hidden=(32,) * 20,
             activation="sigmoid", optimizer="sgd", learning_rate=0.01),
        _run("vanishing_gradients", "s_curve-sigmoid-20", 407, "s_curve", hidden=(32,) * 20,
             activation="sigmoid",
             optimizer="sgd", learning_rate=0.01),
        _run("vanishing_gradients", "swiss_roll-sigmoid-20", 408, "swiss_roll", hidden=(32,) * 20,
             activation="sigmoid", optimizer="sgd", learning_rate=0.01),
        _run("vanishing_gradients", "regression_wide-sigmoid-20", 409, "regression_wide", hidden=(32,) * 20,
             activation="sigmoid", optimizer="sgd", learning_rate=0.01),
        _run("vanishing_gradients", "circles-sigmoid-20", 410, "circles", hidden=(32,) * 20,
             activation="sigmoid",
             optimizer="sgd", learning_rate=0.01),
        _run("vanishing_gradients", "breast_cancer-sigmoid-25", 411, "breast_cancer", hidden=(32,) * 25,
             activation="sigmoid", optimizer="sgd", learning_rate=0.01),
        _run("vanishing_gradients", "wine-sigmoid-25", 412, "wine", hidden=(32,) * 25, activation="sigmoid",
             optimizer="sgd", learning_rate=0.01, epochs=40),
        _run("exploding_gradients", "wide_binary-relu-10", 413, "wide_binary", hidden=(64,) * 10,
             init_stddev=1.5,
             optimizer="sgd", learning_rate=0.01),
        _run("exploding_gradients", "synth_multi10-relu-10", 414, "synth_multi10", hidden=(64,) * 10,
             init_stddev=1.5, optimizer="sgd", learning_rate=0.01),
        _run("exploding_gradients", "s_curve-relu-10", 415, "s_curve", hidden=(64,) * 10, init_stddev=1.5,
             optimizer="sgd", learning_rate=0.01),
        _run("exploding_gradients", "swiss_roll-relu-10", 416, "swiss_roll", hidden=(64,) * 10,
             init_stddev=1.5,
             optimizer="sgd", learning_rate=0.01),
        _run("exploding_gradients", "regression_wide-relu-10", 417, "regression_wide", hidden=(64,) * 10,
             init_stddev=1.5, optimizer="sgd", learning_rate=0.01),
        _run("exploding_gradients", "iris-relu-12", 418, "iris", hidden=(64,) * 12, init_stddev=1.5,
             optimizer="sgd", learning_rate=0.01, epochs=60),
        _run("exploding_gradients", "circles-relu-10", 419, "circles", hidden=(64,) * 10, init_stddev=1.5,
             optimizer="sgd", learning_rate=0.01),
        _run("exploding_gradients", "digits-relu-12", 420, "digits", hidden=(64,) * 12, init_stddev=1.5,
             optimizer="sgd", learning_rate=0.01),
        _run("excessive_dropout", "wide_binary", 421, "wide_binary", hidden=(128, 128), dropout=0.9),
        _run("excessive_dropout", "synth_multi10", 422, "synth_multi10", hidden=(128, 128), dropout=0.9),
        _run("excessive_dropout", "s_curve", 423, "s_curve", hidden=(128, 128), dropout=0.9),
        _run("excessive_dropout", "swiss_roll", 424, "swiss_roll", hidden=(128, 128), dropout=0.9),
        _run("excessive_dropout", "regression_wide", 425, "regression_wide", hidden=(128, 128), dropout=0.9),
        _run("excessive_dropout", "circles", 426, "circles", hidden=(128, 128), dropout=0.9),
        _run("excessive_dropout", "breast_cancer-0.95", 427, "breast_cancer", hidden=big, dropout=0.95),
        _run("excessive_dropout", "blobs-0.95", 428, "blobs", hidden=big, dropout=0.95),
        _run("capacity_too_low", "synth_multi10-2-unit", 429, "synth_multi10", hidden=(2,),
             activation="linear"),
        _run("capacity_too_low", "s_curve-linear", 430, "s_curve", hidden=(), epochs=40),
        _run("capacity_too_low", "swiss_roll-linear", 431, "swiss_roll", hidden=(), epochs=40),
        _run("capacity_too_low", "moons-1-unit", 432, "moons", hidden=(1,), epochs=40),
        _run("capacity_too_low", "digits-2-unit-relu", 433, "digits", hidden=(2,)),
        _run("capacity_too_low", "quantiles-2-unit", 434, "quantiles", hidden=(2,), epochs=40),
        _run("capacity_too_low", "synth_multi-1-unit-relu", 435, "synth_multi", hidden=(1,)),
        _run("capacity_too_low", "regression_wide-1-unit", 436, "regression_wide", hidden=(1,)),
        _run("insufficient_data", "synth_multi10-40", 437, lambda s: train_subset(load("synth_multi10", s),
             40, s),
             hidden=big, epochs=60),
        _run("insufficient_data", "wide_binary-30", 438, lambda s: train_subset(load("wide_binary", s), 30,
             s),
             hidden=big, epochs=60),
        # Not the S curve: 20 samples of that smooth 3-D surface reached R^2 0.95 on validation.
        _run("insufficient_data", "synth_multi-30", 439,
             lambda s: train_subset(load("synth_multi", s), 30, s), hidden=big, epochs=60),
        _run("insufficient_data", "swiss_roll-25", 440, lambda s: train_subset(load("swiss_roll", s), 25, s),
             hidden=big, epochs=60),
        _run("insufficient_data", "regression_wide-30", 441,
             lambda s: train_subset(load("regression_wide", s), 30, s), hidden=big, epochs=60),
        _run("insufficient_data", "quantiles-30", 442, lambda s: train_subset(load("quantiles", s), 30, s),
             hidden=big, epochs=60),
        _run("insufficient_data", "digits-25", 443, lambda s: train_subset(load("digits", s), 25, s),
             hidden=big,
             epochs=60),
        _run("insufficient_data", "friedman-20", 444, lambda s: train_subset(load("friedman", s), 20, s),
             hidden=big, epochs=60),
        _run("nonfinite_inputs", "wide_binary-nan-train", 445,
             lambda s: with_nonfinite(load("wide_binary", s), 0.02, s, value=np.nan), activation="gelu"),
        _run("nonfinite_inputs", "synth_multi10-inf-train", 446,
             lambda s: with_nonfinite(load("synth_multi10", s), 0.01, s, value=np.inf)),
        _run("nonfinite_inputs", "s_curve-nan-train", 447,
             lambda s: with_nonfinite(load("s_curve", s), 0.02, s, value=np.nan), activation="tanh"),
        _run("nonfinite_inputs", "swiss_roll-inf-train", 448,
             lambda s: with_nonfinite(load("swiss_roll", s), 0.02, s, value=np.inf)),
        _run("nonfinite_inputs", "regression_wide-nan-val", 449,
             lambda s: with_nonfinite(load("regression_wide", s), 0.02, s, value=np.nan, validation=True),
             activation="gelu"),
        _run("nonfinite_inputs", "breast_cancer-inf-train", 450,
             lambda s: with_nonfinite(load("breast_cancer", s), 0.02, s, value=np.inf)),
        _run("nonfinite_inputs", "circles-nan-train", 451,
             lambda s: with_nonfinite(load("circles", s), 0.02, s, value=np.nan), activation="tanh"),
        _run("nonfinite_inputs", "digits-inf-val", 452,
             lambda s: with_nonfinite(load("digits", s), 0.02, s, value=np.inf, validation=True)),
        _run("train_val_shift", "wide_binary-offset", 453, lambda s: shifted_validation(load("wide_binary",
             s), 2.0)),
        _run("train_val_shift", "synth_multi10-foreign", 454,
             lambda s: foreign_validation(load("synth_multi10", s), "synth_multi10", s)),
        _run("train_val_shift", "s_curve-offset", 455, lambda s: shifted_validation(load("s_curve", s), 2.0)),
        _run("train_val_shift", "swiss_roll-offset", 456, lambda s: shifted_validation(load("swiss_roll",
             s), 2.0)),
        _run("train_val_shift", "regression_wide-offset", 457,
             lambda s: shifted_validation(load("regression_wide", s), 2.0)),
        _run("train_val_shift", "synth_multi-offset", 458, lambda s: shifted_validation(load("synth_multi",
             s), 2.5)),
        _run("train_val_shift", "circles-offset", 459, lambda s: shifted_validation(load("circles", s), 2.0)),
        _run("train_val_shift", "synth_multi10-offset", 460,
             lambda s: shifted_validation(load("synth_multi10", s), 2.0)),
        _run("val_preprocessing_mismatch", "digits-rmsprop", 461, lambda s: raw_validation("digits", s),
             optimizer="rmsprop"),
        _run("val_preprocessing_mismatch", "breast_cancer-sgd", 462,
             lambda s: raw_validation("breast_cancer", s),
             optimizer="sgd", learning_rate=0.01, momentum=0.9),
        _run("val_preprocessing_mismatch", "wine-wide", 463, lambda s: raw_validation("wine", s),
             hidden=(256,),
             epochs=40),
        _run("val_preprocessing_mismatch", "iris-sgd", 464, lambda s: raw_validation("iris", s), hidden=(16,),
             optimizer="sgd", learning_rate=0.05, momentum=0.9, epochs=60),
        _run("val_preprocessing_mismatch", "friedman2-deep", 465, lambda s: raw_validation("friedman2", s),
             hidden=(64, 32)),
        _run("val_preprocessing_mismatch", "friedman2-rmsprop", 466, lambda s: raw_validation("friedman2", s),
             optimizer="rmsprop"),
        _run("val_preprocessing_mismatch", "breast_cancer-dropout", 467,
             lambda s: raw_validation("breast_cancer", s),
             hidden=(64, 32), dropout=0.2),
        _run("val_preprocessing_mismatch", "digits-batch8", 468, lambda s: raw_validation("digits", s),
             batch_size=8, epochs=15),
    ]
    # fmt: on


def sixth_holdout() -> list[Run]:
    """The sixth holdout: twelve new variants of every fault type and twenty-four new healthy
    shapes, then a third of the corpus, with five data sets no other split uses (an XOR of two sensor
    readings, three spiral arms, five classes with redundant features, a low-rank regression, a
    periodic regression). Written, and labelled by `EXPECTED`, after the fifth holdout's misses
    and false alarm had been read and before any of these runs was scored. Checked by their
    curves alone before scoring: five NaN runs first went through ReLU (which turns NaN into 0,
    as the earlier holdouts had shown) and now use GELU or tanh; a tanh head fitted standardized
    targets well enough to look healthy and is a sigmoid head now; 25 samples of the blobs and of
    Friedman's second problem reached 99 % and R^2 0.97 on validation and became 30 samples of
    ten classes and 25 of the diabetes data. Scored once, then read: "seen" since the seventh
    round."""
    big, deep = (256, 256), (64,) * 6
    weak = {"n_informative": 2, "class_sep": 0.1}
    momentum = {"optimizer": "sgd", "learning_rate": 0.01, "momentum": 0.9}
    sgd = {"optimizer": "sgd", "learning_rate": 0.01}
    # fmt: off
    return [
        _run(HEALTHY, "xor-adam", 500, "xor", hidden=(64, 64), epochs=40),
        _run(HEALTHY, "spirals-adam", 501, "spirals", hidden=(64, 64), epochs=60),
        _run(HEALTHY, "multi5-adam", 502, "multi5", hidden=(64,), epochs=30),
        _run(HEALTHY, "low_rank-adam", 503, "low_rank", hidden=(64,), epochs=40),
        _run(HEALTHY, "sine-adam", 504, "sine", hidden=(64, 64), epochs=60),
        _run(HEALTHY, "xor-rmsprop", 505, "xor", hidden=(32, 32), optimizer="rmsprop", epochs=40),
        _run(HEALTHY, "spirals-sgd-momentum", 506, "spirals", hidden=(64, 64), epochs=60, **momentum),
        _run(HEALTHY, "multi5-dropout", 507, "multi5", hidden=(128,), dropout=0.3, epochs=30),
        _run(HEALTHY, "low_rank-l2", 508, "low_rank", hidden=(64, 64), l2=1e-4, epochs=40),
        _run(HEALTHY, "sine-reduce-lr", 509, "sine", hidden=(64, 64), epochs=60, callbacks=("reduce_lr",)),
        _run(HEALTHY, "multi5-batch128", 510, "multi5", hidden=(64,), batch_size=128, epochs=40),
        _run(HEALTHY, "xor-cosine", 511, "xor", hidden=(64, 64), learning_rate=3e-3, epochs=40,
             callbacks=("cosine",)),
        _run(HEALTHY, "digits-rmsprop-batch16", 512, "digits", hidden=(128,), optimizer="rmsprop",
             batch_size=16, epochs=20),
        _run(HEALTHY, "wine-l2", 513, "wine", hidden=(32,), l2=1e-4, epochs=60),
        _run(HEALTHY, "breast_cancer-sgd-momentum", 514, "breast_cancer", hidden=(32,), optimizer="sgd",
             learning_rate=0.005, momentum=0.9, epochs=40),
        _run(HEALTHY, "iris-adam", 515, "iris", hidden=(32,), learning_rate=3e-3, epochs=80),
        _run(HEALTHY, "diabetes-earlystop", 516, "diabetes", hidden=(32,), epochs=100,
             callbacks=("early_stopping",)),
        _run(HEALTHY, "friedman-rmsprop", 517, "friedman", hidden=(64, 64), optimizer="rmsprop", epochs=60),
        _run(HEALTHY, "circles-batch8", 518, "circles", hidden=(32, 32), batch_size=8, epochs=30),
        _run(HEALTHY, "moons-exp-decay", 519, "moons", hidden=(32, 32), learning_rate=3e-3, epochs=40,
             callbacks=("exp_decay",)),
        _run(HEALTHY, "synth_binary-no-val", 520, "synth_binary", hidden=(64,), validation=False),
        _run(HEALTHY, "synth_regression-sgd", 521, "synth_regression", hidden=(32,), epochs=40, **sgd),
        _run(HEALTHY, "blobs-l2", 522, "blobs", hidden=(64,), l2=1e-4),
        _run(HEALTHY, "synth_multi10-rmsprop", 523, "synth_multi10", hidden=(128, 64), optimizer="rmsprop"),
        # Adam/RMSprop at 1-3, SGD at 10-40.
        _run("lr_too_high", "xor-adam-lr2", 524, "xor", learning_rate=2.0),
        _run("lr_too_high", "spirals-sgd-lr20", 525, "spirals", optimizer="sgd", learning_rate=20.0),
        _run("lr_too_high", "multi5-rmsprop-lr1.5", 526, "multi5", optimizer="rmsprop", learning_rate=1.5),
        _run("lr_too_high", "low_rank-sgd-lr10", 527, "low_rank", optimizer="sgd", learning_rate=10.0),
        _run("lr_too_high", "sine-adam-lr1", 528, "sine", hidden=(64, 64), learning_rate=1.0),
        _run("lr_too_high", "digits-sgd-lr30", 529, "digits", optimizer="sgd", learning_rate=30.0),
        _run("lr_too_high", "iris-rmsprop-lr2", 530, "iris", optimizer="rmsprop", learning_rate=2.0,
             epochs=60),
        _run("lr_too_high", "moons-adam-lr3", 531, "moons", learning_rate=3.0),
        _run("lr_too_high", "quantiles-sgd-lr40", 532, "quantiles", optimizer="sgd", learning_rate=40.0),
        _run("lr_too_high", "friedman-rmsprop-lr1", 533, "friedman", optimizer="rmsprop", learning_rate=1.0),
        _run("lr_too_high", "hastie-sgd-momentum-lr10", 534, "hastie", optimizer="sgd", learning_rate=10.0,
             momentum=0.9),
        _run("lr_too_high", "synth_multi-adam-lr1.5", 535, "synth_multi", learning_rate=1.5),
        # 1e-6 to 3e-6.
        _run("lr_too_low", "xor-sgd-lr1e-6", 536, "xor", optimizer="sgd", learning_rate=1e-6),
        _run("lr_too_low", "spirals-adam-lr1e-6", 537, "spirals", hidden=(64, 64), learning_rate=1e-6),
        _run("lr_too_low", "multi5-rmsprop-lr1e-6", 538, "multi5", optimizer="rmsprop", learning_rate=1e-6),
        _run("lr_too_low", "low_rank-sgd-lr1e-6", 539, "low_rank", optimizer="sgd", learning_rate=1e-6),
        _run("lr_too_low", "sine-adam-lr3e-6", 540, "sine", learning_rate=3e-6),
        _run("lr_too_low", "wine-sgd-lr1e-6", 541, "wine", optimizer="sgd", learning_rate=1e-6, epochs=40),
        _run("lr_too_low", "hastie-rmsprop-lr1e-6", 542, "hastie", optimizer="rmsprop", learning_rate=1e-6),
        _run("lr_too_low", "circles-adam-lr1e-6", 543, "circles", learning_rate=1e-6),
        _run("lr_too_low", "blobs-sgd-momentum-lr1e-6", 544, "blobs", optimizer="sgd", learning_rate=1e-6,
             momentum=0.9),
        _run("lr_too_low", "friedman3-adam-lr1e-6", 545, "friedman3", learning_rate=1e-6),
        _run("lr_too_low", "synth_binary-rmsprop-lr3e-6", 546, "synth_binary", optimizer="rmsprop",
             learning_rate=3e-6),
        _run("lr_too_low", "swiss_roll-sgd-lr1e-6", 547, "swiss_roll", optimizer="sgd", learning_rate=1e-6),
        _run("unscaled_features", "xor-x1000", 548, lambda s: scaled_features(load("xor", s), 1e3)),
        _run("unscaled_features", "spirals-x500-offset", 549,
             lambda s: scaled_features(load("spirals", s), 500.0, 2e3), hidden=(64, 64), epochs=40),
        _run("unscaled_features", "multi5-x2000", 550, lambda s: scaled_features(load("multi5", s), 2e3)),
        _run("unscaled_features", "low_rank-x1000", 551, lambda s: scaled_features(load("low_rank", s), 1e3)),
        _run("unscaled_features", "sine-x1000-offset", 552,
             lambda s: scaled_features(load("sine", s), 1e3, 5e3), hidden=(64, 64)),
        _run("unscaled_features", "wine-raw", 553, lambda s: load("wine", s, scale_x=False), epochs=40),
        _run("unscaled_features", "breast_cancer-raw-rmsprop", 554,
             lambda s: load("breast_cancer", s, scale_x=False), optimizer="rmsprop"),
        _run("unscaled_features", "moons-x10000", 555, lambda s: scaled_features(load("moons", s), 1e4)),
        _run("unscaled_features", "blobs-x1000", 556, lambda s: scaled_features(load("blobs", s), 1e3)),
        _run("unscaled_features", "friedman2-raw", 557, lambda s: load("friedman2", s, scale_x=False)),
        _run("unscaled_features", "synth_regression-x1000", 558,
             lambda s: scaled_features(load("synth_regression", s), 1e3)),
        _run("unscaled_features", "hastie-x500-offset", 559,
             lambda s: scaled_features(load("hastie", s), 500.0, 1e3)),
        _run("unscaled_targets", "low_rank-y-x1000", 560, lambda s: scaled_targets(load("low_rank", s), 1e3)),
        _run("unscaled_targets", "sine-y-x500", 561, lambda s: scaled_targets(load("sine", s), 500.0),
             hidden=(64, 64)),
        _run("unscaled_targets", "diabetes-raw-y-rmsprop", 562, lambda s: load("diabetes", s, scale_y=False),
             optimizer="rmsprop"),
        _run("unscaled_targets", "diabetes-raw-y-wide", 563, lambda s: load("diabetes", s, scale_y=False),
             hidden=(128, 128)),
        _run("unscaled_targets", "friedman-y-x300", 564, lambda s: scaled_targets(load("friedman", s),
             300.0)),
        _run("unscaled_targets", "friedman2-raw-y", 565, lambda s: load("friedman2", s, scale_y=False)),
        _run("unscaled_targets", "friedman3-y-x1000", 566,
             lambda s: scaled_targets(load("friedman3", s), 1e3)),
        _run("unscaled_targets", "synth_regression-raw-y-batch16", 567,
             lambda s: load("synth_regression", s, scale_y=False), batch_size=16),
        _run("unscaled_targets", "sparse_regression-y-x500", 568,
             lambda s: scaled_targets(load("sparse_regression", s), 500.0)),
        _run("unscaled_targets", "s_curve-y-x1000-rmsprop", 569,
             lambda s: scaled_targets(load("s_curve", s), 1e3), optimizer="rmsprop"),
        _run("unscaled_targets", "swiss_roll-y-x200", 570, lambda s: scaled_targets(load("swiss_roll", s),
             200.0)),
        _run("unscaled_targets", "regression_wide-raw-y-batch64", 571,
             lambda s: load("regression_wide", s, scale_y=False), batch_size=64),
        _run("class_imbalance", "synth_binary-97-3", 572, lambda s: load("synth_binary", s, weights=[0.97],
             **weak)),
        _run("class_imbalance", "synth_binary-93-7-precision", 573,
             lambda s: load("synth_binary", s, weights=[0.93], **weak), metrics=("accuracy", "precision")),
        _run("class_imbalance", "wide_binary-96-4-auc", 574, lambda s: load("wide_binary", s, weights=[0.96],
             **weak), metrics=("accuracy", "auc")),
        _run("class_imbalance", "wide_binary-98-2", 575, lambda s: load("wide_binary", s, weights=[0.98],
             **weak)),
        _run("class_imbalance", "synth_multi-88-4-4-4", 576,
             lambda s: load("synth_multi", s, weights=[0.88, 0.04, 0.04], n_informative=3, class_sep=0.1)),
        _run("class_imbalance", "synth_multi-90-5-3-2", 577,
             lambda s: load("synth_multi", s, weights=[0.9, 0.05, 0.03], n_informative=3, class_sep=0.1)),
        _run("class_imbalance", "synth_multi10-85-rmsprop", 578,
             lambda s: load("synth_multi10", s, weights=[0.85] + [0.0167] * 8, n_informative=4,
                            class_sep=0.1),
             optimizer="rmsprop"),
        _run("class_imbalance", "multi5-92-2x4", 579,
             lambda s: load("multi5", s, weights=[0.92, 0.02, 0.02, 0.02], n_informative=3, class_sep=0.1)),
        _run("class_imbalance", "multi5-87-5-3-3-2", 580,
             lambda s: load("multi5", s, weights=[0.87, 0.05, 0.03, 0.03], n_informative=3, class_sep=0.1)),
        _run("class_imbalance", "multi5-90-sgd-momentum", 581,
             lambda s: load("multi5", s, weights=[0.9, 0.03, 0.03, 0.02], n_informative=3, class_sep=0.1),
             **momentum),
        _run("class_imbalance", "synth_binary-95-5-recall-batch64", 582,
             lambda s: load("synth_binary", s, weights=[0.95], **weak), metrics=("accuracy", "recall"),
             batch_size=64),
        _run("class_imbalance", "wide_binary-94-6-rmsprop", 583,
             lambda s: load("wide_binary", s, weights=[0.94], **weak), optimizer="rmsprop"),
        _run("label_noise", "xor-40pct", 584, lambda s: noisy_labels(load("xor", s), 0.4, s), hidden=big,
             epochs=40),
        _run("label_noise", "spirals-45pct", 585, lambda s: noisy_labels(load("spirals", s), 0.45, s),
             hidden=big, epochs=40),
        _run("label_noise", "multi5-45pct", 586, lambda s: noisy_labels(load("multi5", s), 0.45, s),
             hidden=big, epochs=40),
        _run("label_noise", "digits-40pct-rmsprop", 587, lambda s: noisy_labels(load("digits", s), 0.4, s),
             hidden=big, optimizer="rmsprop", epochs=40),
        _run("label_noise", "wine-40pct", 588, lambda s: noisy_labels(load("wine", s), 0.4, s), hidden=big,
             epochs=60),
        _run("label_noise", "breast_cancer-45pct", 589, lambda s: noisy_labels(load("breast_cancer", s),
             0.45, s), hidden=big, epochs=40),
        _run("label_noise", "circles-40pct", 590, lambda s: noisy_labels(load("circles", s), 0.4, s),
             hidden=big, epochs=40),
        _run("label_noise", "blobs-45pct", 591, lambda s: noisy_labels(load("blobs", s), 0.45, s), hidden=big,
             epochs=40),
        _run("label_noise", "hastie-40pct", 592, lambda s: noisy_labels(load("hastie", s), 0.4, s),
             hidden=big, epochs=40),
        _run("label_noise", "quantiles-40pct", 593, lambda s: noisy_labels(load("quantiles", s), 0.4, s),
             hidden=big, epochs=40),
        _run("label_noise", "synth_multi-45pct", 594, lambda s: noisy_labels(load("synth_multi", s), 0.45, s),
             hidden=big, epochs=40),
        _run("label_noise", "synth_multi10-40pct", 595, lambda s: noisy_labels(load("synth_multi10", s),
             0.4, s), hidden=big, epochs=40),
        _run("shuffled_labels", "xor", 596, lambda s: shuffled_labels(load("xor", s), s), hidden=big,
             epochs=40),
        _run("shuffled_labels", "spirals", 597, lambda s: shuffled_labels(load("spirals", s), s), hidden=big,
             epochs=40),
        _run("shuffled_labels", "multi5", 598, lambda s: shuffled_labels(load("multi5", s), s), hidden=big,
             epochs=40),
        _run("shuffled_labels", "low_rank", 599, lambda s: shuffled_labels(load("low_rank", s), s),
             hidden=big, epochs=40),
        _run("shuffled_labels", "sine", 600, lambda s: shuffled_labels(load("sine", s), s), hidden=big,
             epochs=40),
        _run("shuffled_labels", "digits-rmsprop", 601, lambda s: shuffled_labels(load("digits", s), s),
             hidden=big, optimizer="rmsprop", epochs=40),
        _run("shuffled_labels", "iris", 602, lambda s: shuffled_labels(load("iris", s), s), hidden=big,
             epochs=60),
        _run("shuffled_labels", "moons-sgd-momentum", 603, lambda s: shuffled_labels(load("moons", s), s),
             hidden=big, epochs=60, **momentum),
        _run("shuffled_labels", "hastie", 604, lambda s: shuffled_labels(load("hastie", s), s), hidden=big,
             epochs=40),
        _run("shuffled_labels", "friedman2", 605, lambda s: shuffled_labels(load("friedman2", s), s),
             hidden=big, epochs=40),
        _run("shuffled_labels", "synth_binary", 606, lambda s: shuffled_labels(load("synth_binary", s), s),
             hidden=big, epochs=40),
        _run("shuffled_labels", "diabetes", 607, lambda s: shuffled_labels(load("diabetes", s), s),
             hidden=big, epochs=60),
        _run("output_activation_mismatch", "xor-softmax-1unit", 608, "xor", output_activation="softmax"),
        _run("output_activation_mismatch", "spirals-linear-crossentropy", 609, "spirals",
             output_activation="linear", hidden=(64, 64)),
        _run("output_activation_mismatch", "multi5-linear-crossentropy", 610, "multi5",
             output_activation="linear"),
        _run("output_activation_mismatch", "low_rank-sigmoid-regression", 611, "low_rank",
             output_activation="sigmoid"),
        _run("output_activation_mismatch", "sine-sigmoid-regression", 612, "sine",
             output_activation="sigmoid", hidden=(64, 64)),
        _run("output_activation_mismatch", "breast_cancer-softmax-1unit", 613, "breast_cancer",
             output_activation="softmax"),
        _run("output_activation_mismatch", "hastie-softmax-1unit-rmsprop", 614, "hastie",
             output_activation="softmax", optimizer="rmsprop"),
        _run("output_activation_mismatch", "friedman3-relu-regression", 615, "friedman3",
             output_activation="relu"),
        _run("output_activation_mismatch", "sine-relu-regression", 616, "sine", output_activation="relu",
             hidden=(64, 64)),
        _run("output_activation_mismatch", "moons-linear-crossentropy", 617, "moons",
             output_activation="linear"),
        _run("output_activation_mismatch", "blobs-relu-crossentropy", 618, "blobs", output_activation="relu"),
        _run("output_activation_mismatch", "synth_regression-sigmoid-regression", 619, "synth_regression",
             output_activation="sigmoid"),
        _run("loss_task_mismatch", "spirals-bce-multiclass", 620, "spirals", loss="binary_crossentropy",
             one_hot=True, hidden=(64, 64)),
        _run("loss_task_mismatch", "multi5-bce-multiclass", 621, "multi5", loss="binary_crossentropy",
             one_hot=True),
        _run("loss_task_mismatch", "wine-bce-multiclass-rmsprop", 622, "wine", loss="binary_crossentropy",
             one_hot=True, optimizer="rmsprop", epochs=40),
        _run("loss_task_mismatch", "blobs-bce-multiclass", 623, "blobs", loss="binary_crossentropy",
             one_hot=True),
        _run("loss_task_mismatch", "spirals-mse-on-class-ids", 624, "spirals", loss="mse", output_units=1,
             output_activation="linear", hidden=(64, 64)),
        _run("loss_task_mismatch", "multi5-mse-on-class-ids-rmsprop", 625, "multi5", loss="mse",
             output_units=1, output_activation="linear", optimizer="rmsprop"),
        _run("loss_task_mismatch", "digits-mse-on-class-ids", 626, "digits", loss="mse", output_units=1,
             output_activation="linear"),
        _run("loss_task_mismatch", "iris-mae-on-class-ids", 627, "iris", loss="mae", output_units=1,
             output_activation="linear", metrics=("accuracy",), epochs=60),
        _run("loss_task_mismatch", "quantiles-mae-on-class-ids", 628, "quantiles", loss="mae", output_units=1,
             output_activation="linear", metrics=("accuracy",)),
        _run("loss_task_mismatch", "synth_multi-bce-multiclass-sgd", 629, "synth_multi",
             loss="binary_crossentropy", one_hot=True, **momentum),
        _run("loss_task_mismatch", "synth_multi10-mse-on-class-ids-rmsprop", 630, "synth_multi10", loss="mse",
             output_units=1, output_activation="linear", optimizer="rmsprop"),
        # Categorical cross-entropy over one sigmoid unit: Keras normalises the single output to
        # 1, so the loss is 0 from the first batch and nothing learns.
        _run("loss_task_mismatch", "xor-categorical-crossentropy-1unit", 631, "xor",
             loss="categorical_crossentropy"),
        _run("dead_units", "xor", 632, "xor", hidden=(64, 64), bias_init=-10.0),
        _run("dead_units", "spirals", 633, "spirals", hidden=(64, 64), bias_init=-10.0),
        _run("dead_units", "multi5", 634, "multi5", hidden=(64, 64), bias_init=-10.0),
        _run("dead_units", "low_rank", 635, "low_rank", hidden=(64, 64), bias_init=-10.0),
        _run("dead_units", "sine-3-layers", 636, "sine", hidden=(64, 64, 64), bias_init=-8.0),
        _run("dead_units", "wine", 637, "wine", hidden=(64, 64), bias_init=-10.0, epochs=40),
        _run("dead_units", "hastie-rmsprop", 638, "hastie", hidden=(64, 64), bias_init=-10.0,
             optimizer="rmsprop"),
        _run("dead_units", "moons", 639, "moons", hidden=(64, 64), bias_init=-10.0),
        _run("dead_units", "blobs", 640, "blobs", hidden=(64, 64), bias_init=-10.0),
        _run("dead_units", "friedman2", 641, "friedman2", hidden=(64, 64), bias_init=-10.0),
        _run("dead_units", "synth_binary-3-layers", 642, "synth_binary", hidden=(64, 64, 64), bias_init=-8.0),
        _run("dead_units", "diabetes", 643, "diabetes", hidden=(64, 64), bias_init=-10.0),
        _run("saturated_activations", "xor-sigmoid-bias10", 644, "xor", hidden=deep, activation="sigmoid",
             bias_init=10.0),
        _run("saturated_activations", "spirals-tanh-bias10", 645, "spirals", hidden=deep, activation="tanh",
             bias_init=10.0),
        _run("saturated_activations", "multi5-sigmoid-bias10", 646, "multi5", hidden=deep,
             activation="sigmoid", bias_init=10.0),
        _run("saturated_activations", "low_rank-tanh-bias10", 647, "low_rank", hidden=deep, activation="tanh",
             bias_init=10.0),
        _run("saturated_activations", "sine-sigmoid-bias10", 648, "sine", hidden=deep, activation="sigmoid",
             bias_init=10.0),
        _run("saturated_activations", "digits-tanh-bias10", 649, "digits", hidden=deep, activation="tanh",
             bias_init=10.0),
        _run("saturated_activations", "breast_cancer-sigmoid-bias10", 650, "breast_cancer", hidden=deep,
             activation="sigmoid", bias_init=10.0),
        _run("saturated_activations", "quantiles-tanh-bias10", 651, "quantiles", hidden=deep,
             activation="tanh", bias_init=10.0),
        _run("saturated_activations", "hastie-sigmoid-bias10", 652, "hastie", hidden=deep,
             activation="sigmoid", bias_init=10.0),
        _run("saturated_activations", "friedman-tanh-bias10", 653, "friedman", hidden=deep, activation="tanh",
             bias_init=10.0),
        _run("saturated_activations", "synth_multi-sigmoid-bias10", 654, "synth_multi", hidden=deep,
             activation="sigmoid", bias_init=10.0),
        _run("saturated_activations", "moons-tanh-bias10", 655, "moons", hidden=deep, activation="tanh",
             bias_init=10.0),
        _run("vanishing_gradients", "xor-sigmoid-20", 656, "xor", hidden=(32,) * 20, activation="sigmoid",
             **sgd),
        _run("vanishing_gradients", "spirals-sigmoid-20", 657, "spirals", hidden=(32,) * 20,
             activation="sigmoid", **sgd),
        _run("vanishing_gradients", "multi5-sigmoid-20", 658, "multi5", hidden=(32,) * 20,
             activation="sigmoid", **sgd),
        _run("vanishing_gradients", "low_rank-sigmoid-20", 659, "low_rank", hidden=(32,) * 20,
             activation="sigmoid", **sgd),
        _run("vanishing_gradients", "sine-sigmoid-15", 660, "sine", hidden=(32,) * 15, activation="sigmoid",
             **sgd),
        _run("vanishing_gradients", "digits-sigmoid-20", 661, "digits", hidden=(32,) * 20,
             activation="sigmoid", **sgd),
        _run("vanishing_gradients", "iris-sigmoid-25", 662, "iris", hidden=(32,) * 25, activation="sigmoid",
             epochs=60, **sgd),
        _run("vanishing_gradients", "moons-sigmoid-20", 663, "moons", hidden=(32,) * 20,
             activation="sigmoid", **sgd),
        _run("vanishing_gradients", "hastie-sigmoid-15", 664, "hastie", hidden=(32,) * 15,
             activation="sigmoid", **sgd),
        _run("vanishing_gradients", "friedman3-sigmoid-20", 665, "friedman3", hidden=(32,) * 20,
             activation="sigmoid", **sgd),
        _run("vanishing_gradients", "synth_binary-sigmoid-25", 666, "synth_binary", hidden=(32,) * 25,
             activation="sigmoid", **sgd),
        _run("vanishing_gradients", "blobs-sigmoid-20", 667, "blobs", hidden=(32,) * 20,
             activation="sigmoid", **sgd),
        _run("exploding_gradients", "xor-relu-10", 668, "xor", hidden=(64,) * 10, init_stddev=1.5, **sgd),
        _run("exploding_gradients", "spirals-relu-10", 669, "spirals", hidden=(64,) * 10, init_stddev=1.5,
             **sgd),
        _run("exploding_gradients", "multi5-relu-10", 670, "multi5", hidden=(64,) * 10, init_stddev=1.5,
             **sgd),
        _run("exploding_gradients", "low_rank-relu-10", 671, "low_rank", hidden=(64,) * 10, init_stddev=1.5,
             **sgd),
        _run("exploding_gradients", "sine-relu-12", 672, "sine", hidden=(64,) * 12, init_stddev=1.5, **sgd),
        _run("exploding_gradients", "wine-relu-10", 673, "wine", hidden=(64,) * 10, init_stddev=1.5,
             epochs=40, **sgd),
        _run("exploding_gradients", "breast_cancer-relu-10", 674, "breast_cancer", hidden=(64,) * 10,
             init_stddev=1.5, **sgd),
        _run("exploding_gradients", "moons-relu-12", 675, "moons", hidden=(64,) * 12, init_stddev=1.5, **sgd),
        _run("exploding_gradients", "blobs-relu-10", 676, "blobs", hidden=(64,) * 10, init_stddev=1.5,
             **sgd),
        _run("exploding_gradients", "friedman-relu-10", 677, "friedman", hidden=(64,) * 10, init_stddev=1.5,
             **sgd),
        _run("exploding_gradients", "synth_multi-relu-10", 678, "synth_multi", hidden=(64,) * 10,
             init_stddev=1.5, **sgd),
        _run("exploding_gradients", "hastie-relu-10", 679, "hastie", hidden=(64,) * 10, init_stddev=1.5,
             **sgd),
        _run("excessive_dropout", "xor", 680, "xor", hidden=(128, 128), dropout=0.9),
        _run("excessive_dropout", "spirals", 681, "spirals", hidden=(128, 128), dropout=0.9),
        _run("excessive_dropout", "multi5", 682, "multi5", hidden=(128, 128), dropout=0.9),
        _run("excessive_dropout", "low_rank", 683, "low_rank", hidden=(128, 128), dropout=0.9),
        _run("excessive_dropout", "sine", 684, "sine", hidden=(128, 128), dropout=0.9),
        _run("excessive_dropout", "digits-0.95", 685, "digits", hidden=big, dropout=0.95),
        _run("excessive_dropout", "wine-0.95", 686, "wine", hidden=big, dropout=0.95, epochs=40),
        _run("excessive_dropout", "hastie", 687, "hastie", hidden=(128, 128), dropout=0.9),
        _run("excessive_dropout", "quantiles-0.95", 688, "quantiles", hidden=big, dropout=0.95),
        _run("excessive_dropout", "friedman2", 689, "friedman2", hidden=(128, 128), dropout=0.9),
        _run("excessive_dropout", "synth_binary-0.95", 690, "synth_binary", hidden=big, dropout=0.95),
        _run("excessive_dropout", "moons", 691, "moons", hidden=(128, 128), dropout=0.9),
        _run("capacity_too_low", "xor-linear", 692, "xor", hidden=(), epochs=40),
        _run("capacity_too_low", "spirals-1-unit", 693, "spirals", hidden=(1,), epochs=40),
        _run("capacity_too_low", "multi5-2-unit-linear", 694, "multi5", hidden=(2,), activation="linear"),
        _run("capacity_too_low", "sine-linear", 695, "sine", hidden=(), epochs=40),
        _run("capacity_too_low", "digits-1-unit", 696, "digits", hidden=(1,)),
        _run("capacity_too_low", "circles-linear", 697, "circles", hidden=(), epochs=40),
        _run("capacity_too_low", "quantiles-1-unit", 698, "quantiles", hidden=(1,), epochs=40),
        _run("capacity_too_low", "synth_multi10-2-unit-relu", 699, "synth_multi10", hidden=(2,)),
        _run("capacity_too_low", "blobs-1-unit", 700, "blobs", hidden=(1,)),
        _run("capacity_too_low", "friedman-1-unit", 701, "friedman", hidden=(1,), epochs=40),
        _run("capacity_too_low", "hastie-linear", 702, "hastie", hidden=(), epochs=40),
        _run("capacity_too_low", "spirals-linear", 703, "spirals", hidden=(), epochs=40),
        _run("insufficient_data", "xor-30", 704, lambda s: train_subset(load("xor", s), 30, s), hidden=big,
             epochs=60),
        _run("insufficient_data", "spirals-30", 705, lambda s: train_subset(load("spirals", s), 30, s),
             hidden=big, epochs=60),
        _run("insufficient_data", "multi5-40", 706, lambda s: train_subset(load("multi5", s), 40, s),
             hidden=big, epochs=60),
        _run("insufficient_data", "low_rank-25", 707, lambda s: train_subset(load("low_rank", s), 25, s),
             hidden=big, epochs=60),
        _run("insufficient_data", "sine-20", 708, lambda s: train_subset(load("sine", s), 20, s), hidden=big,
             epochs=60),
        _run("insufficient_data", "digits-40", 709, lambda s: train_subset(load("digits", s), 40, s),
             hidden=big, epochs=60),
        _run("insufficient_data", "wine-20", 710, lambda s: train_subset(load("wine", s), 20, s), hidden=big,
             epochs=60),
        _run("insufficient_data", "breast_cancer-25", 711, lambda s: train_subset(load("breast_cancer", s),
             25, s), hidden=big, epochs=60),
        _run("insufficient_data", "hastie-30", 712, lambda s: train_subset(load("hastie", s), 30, s),
             hidden=big, epochs=60),
        _run("insufficient_data", "synth_multi10-30", 713, lambda s: train_subset(load("synth_multi10", s),
             30, s), hidden=big, epochs=60),
        _run("insufficient_data", "diabetes-25", 714, lambda s: train_subset(load("diabetes", s), 25, s),
             hidden=big, epochs=60),
        _run("insufficient_data", "synth_regression-20", 715,
             lambda s: train_subset(load("synth_regression", s), 20, s), hidden=big, epochs=60),
        _run("nonfinite_inputs", "xor-nan-train", 716, lambda s: with_nonfinite(load("xor", s), 0.02, s,
             value=np.nan), activation="gelu"),
        _run("nonfinite_inputs", "spirals-inf-train", 717,
             lambda s: with_nonfinite(load("spirals", s), 0.01, s, value=np.inf)),
        _run("nonfinite_inputs", "multi5-nan-val", 718,
             lambda s: with_nonfinite(load("multi5", s), 0.02, s, value=np.nan, validation=True),
             activation="tanh"),
        _run("nonfinite_inputs", "low_rank-inf-train", 719,
             lambda s: with_nonfinite(load("low_rank", s), 0.02, s, value=np.inf), activation="tanh"),
        _run("nonfinite_inputs", "sine-nan-train", 720, lambda s: with_nonfinite(load("sine", s), 0.02, s,
             value=np.nan), activation="gelu"),
        _run("nonfinite_inputs", "wine-nan-train", 721, lambda s: with_nonfinite(load("wine", s), 0.02, s,
             value=np.nan), activation="gelu", epochs=40),
        _run("nonfinite_inputs", "breast_cancer-nan-val", 722,
             lambda s: with_nonfinite(load("breast_cancer", s), 0.02, s, value=np.nan, validation=True),
             activation="gelu"),
        _run("nonfinite_inputs", "moons-inf-train", 723, lambda s: with_nonfinite(load("moons", s), 0.02, s,
             value=np.inf)),
        _run("nonfinite_inputs", "blobs-nan-train", 724, lambda s: with_nonfinite(load("blobs", s), 0.01, s,
             value=np.nan), activation="tanh"),
        _run("nonfinite_inputs", "friedman-inf-val", 725,
             lambda s: with_nonfinite(load("friedman", s), 0.02, s, value=np.inf, validation=True)),
        _run("nonfinite_inputs", "hastie-nan-train", 726, lambda s: with_nonfinite(load("hastie", s), 0.02, s,
             value=np.nan), activation="tanh"),
        _run("nonfinite_inputs", "synth_multi-inf-train", 727,
             lambda s: with_nonfinite(load("synth_multi", s), 0.02, s, value=np.inf)),
        _run("train_val_shift", "xor-offset", 728, lambda s: shifted_validation(load("xor", s), 2.0)),
        _run("train_val_shift", "spirals-offset", 729, lambda s: shifted_validation(load("spirals", s), 2.0),
             hidden=(64, 64)),
        _run("train_val_shift", "multi5-foreign", 730, lambda s: foreign_validation(load("multi5", s),
             "multi5", s)),
        _run("train_val_shift", "multi5-offset", 731, lambda s: shifted_validation(load("multi5", s), 2.5)),
        _run("train_val_shift", "low_rank-offset", 732, lambda s: shifted_validation(load("low_rank", s),
             2.0)),
        _run("train_val_shift", "sine-offset", 733, lambda s: shifted_validation(load("sine", s), 2.0),
             hidden=(64, 64)),
        _run("train_val_shift", "digits-offset", 734, lambda s: shifted_validation(load("digits", s), 2.0)),
        _run("train_val_shift", "wine-offset", 735, lambda s: shifted_validation(load("wine", s), 2.0),
             epochs=40),
        _run("train_val_shift", "breast_cancer-offset", 736,
             lambda s: shifted_validation(load("breast_cancer", s), 2.0)),
        _run("train_val_shift", "blobs-foreign", 737, lambda s: foreign_validation(load("blobs", s), "blobs",
             s)),
        _run("train_val_shift", "quantiles-offset", 738, lambda s: shifted_validation(load("quantiles", s),
             2.0)),
        _run("train_val_shift", "synth_binary-foreign", 739,
             lambda s: foreign_validation(load("synth_binary", s), "synth_binary", s)),
        _run("val_preprocessing_mismatch", "digits-wide", 740, lambda s: raw_validation("digits", s),
             hidden=(256,)),
        _run("val_preprocessing_mismatch", "digits-sgd-momentum", 741, lambda s: raw_validation("digits", s),
             **momentum),
        _run("val_preprocessing_mismatch", "breast_cancer-rmsprop", 742,
             lambda s: raw_validation("breast_cancer", s), optimizer="rmsprop"),
        _run("val_preprocessing_mismatch", "breast_cancer-batch16", 743,
             lambda s: raw_validation("breast_cancer", s), batch_size=16),
        _run("val_preprocessing_mismatch", "wine", 744, lambda s: raw_validation("wine", s), epochs=40),
        _run("val_preprocessing_mismatch", "wine-rmsprop", 745, lambda s: raw_validation("wine", s),
             optimizer="rmsprop", epochs=40),
        _run("val_preprocessing_mismatch", "iris-rmsprop", 746, lambda s: raw_validation("iris", s),
             hidden=(16,), optimizer="rmsprop", epochs=60),
        _run("val_preprocessing_mismatch", "friedman2-batch16", 747, lambda s: raw_validation("friedman2", s),
             batch_size=16),
        _run("val_preprocessing_mismatch", "friedman3", 748, lambda s: raw_validation("friedman3", s)),
        _run("val_preprocessing_mismatch", "friedman3-sgd-momentum", 749,
             lambda s: raw_validation("friedman3", s), **momentum),
        _run("val_preprocessing_mismatch", "xor", 750, lambda s: raw_validation("xor", s), hidden=(64, 64)),
        _run("val_preprocessing_mismatch", "sine", 751, lambda s: raw_validation("sine", s), hidden=(64, 64)),
    ]
    # fmt: on


def seventh_holdout() -> list[Run]:
    """The holdout: eighteen new variants of every fault type and thirty-five new healthy runs, a
    third of the corpus, with four data sets no other split uses (a 3x3 checkerboard, eight
    classes over forty features, a polynomial and a staircase regression). Written as a grid
    (each fault over eighteen data sets, cycling optimizers and strengths the earlier holdouts
    showed to take), and labelled by `EXPECTED`, after the sixth holdout's misses and false
    alarm had been read and before any of these runs was scored. Checked by their curves alone
    before scoring: a linear model on the staircase fitted it (R^2 0.97), and 15 wine and 20
    staircase samples reached 89 % and R^2 0.93 on validation; they became a linear model on the
    XOR and 20 samples of the circles and of the Swiss roll."""
    seeds = iter(range(800, 1200))
    runs: list[Run] = []

    def add(fault: str, variant: str, data: str | Callable[[int], Data], **training: Any) -> None:
        runs.append(_run(fault, variant, next(seeds), data, **training))

    big, deep = (256, 256), (64,) * 6
    adam, rmsprop = {"optimizer": "adam"}, {"optimizer": "rmsprop"}
    momentum = {"optimizer": "sgd", "learning_rate": 0.01, "momentum": 0.9}
    sgd = {"optimizer": "sgd", "learning_rate": 0.01}
    early = {"callbacks": ("early_stopping",)}
    # Data sets whose faults show in any task, and the classification / regression ones.
    mixed = [
        "checker",
        "multi8",
        "xor",
        "spirals",
        "multi5",
        "digits",
        "breast_cancer",
        "moons",
        "hastie",
        "poly",
        "steps",
        "low_rank",
        "sine",
        "friedman",
        "friedman3",
        "synth_regression",
        "swiss_roll",
        "regression_wide",
    ]
    classes = [
        "checker",
        "multi8",
        "xor",
        "spirals",
        "multi5",
        "digits",
        "wine",
        "breast_cancer",
        "iris",
        "moons",
        "circles",
        "blobs",
        "quantiles",
        "hastie",
        "synth_binary",
        "synth_multi",
        "wide_binary",
        "synth_multi10",
    ]
    regressions = [
        "poly",
        "steps",
        "low_rank",
        "sine",
        "diabetes",
        "friedman",
        "friedman2",
        "friedman3",
        "synth_regression",
        "sparse_regression",
        "s_curve",
        "swiss_roll",
        "regression_wide",
    ]
    multiclass = [
        "multi8",
        "spirals",
        "multi5",
        "digits",
        "wine",
        "blobs",
        "quantiles",
        "iris",
        "synth_multi",
        "synth_multi10",
    ]
    # The settings each grid cycles through.
    optimizers = [adam, rmsprop, momentum]
    too_high = [
        {"optimizer": "adam", "learning_rate": 2.0},
        {"optimizer": "rmsprop", "learning_rate": 1.5},
        {"optimizer": "sgd", "learning_rate": 20.0},
    ]
    too_low = [
        {"optimizer": "adam", "learning_rate": 1e-6},
        {"optimizer": "rmsprop", "learning_rate": 1e-6},
        {"optimizer": "sgd", "learning_rate": 1e-6, "momentum": 0.9},
    ]
    scales = [(1e3, 0.0), (500.0, 2e3), (1e4, 0.0)]

    for name, hidden, epochs, settings in [
        ("checker", (64, 64), 60, adam),
        ("checker", (64, 64), 60, rmsprop),
        ("checker", (64, 64), 60, momentum),
        ("multi8", (128,), 30, adam),
        ("multi8", (128,), 30, {"dropout": 0.3}),
        ("multi8", (64,), 40, {"batch_size": 64}),
        ("poly", (64, 64), 60, adam),
        ("poly", (64, 64), 60, {"callbacks": ("reduce_lr",)}),
        ("poly", (64, 64), 60, {"optimizer": "sgd", "learning_rate": 0.005, "momentum": 0.9}),
        ("steps", (64, 64), 40, adam),
        ("steps", (64,), 40, rmsprop),
        ("steps", (64, 64), 40, {"l2": 1e-4}),
        ("xor", (64, 64), 40, momentum),
        ("spirals", (64, 64), 60, rmsprop),
        ("multi5", (64,), 30, {"l2": 1e-4}),
        ("low_rank", (64,), 40, rmsprop),
        ("sine", (64, 64), 60, {"learning_rate": 3e-3, "callbacks": ("cosine",)}),
        ("digits", (64,), 40, early),
        ("wine", (32,), 100, early),
        ("breast_cancer", (32,), 30, adam),
        ("iris", (32,), 60, {"optimizer": "rmsprop", "learning_rate": 3e-3}),
        ("moons", (32, 32), 30, {"batch_size": 16}),
        ("circles", (32, 32), 40, rmsprop),
        ("blobs", (64,), 30, momentum),
        ("quantiles", (64, 64), 40, adam),
        ("hastie", (64, 32), 60, early),
        ("friedman", (64, 64), 60, adam),
        ("friedman3", (64, 64), 60, rmsprop),
        ("synth_regression", (32,), 40, adam),
        ("sparse_regression", (32,), 40, adam),
        ("s_curve", (64, 64), 60, rmsprop),
        ("swiss_roll", (64, 64), 60, adam),
        ("regression_wide", (64,), 60, early),
        ("synth_binary", (64,), 30, rmsprop),
        ("synth_multi", (64,), 30, {"validation": False}),
    ]:
        label = "-".join(_described(key, value) for key, value in settings.items())
        add(
            HEALTHY,
            f"{name}-{'x'.join(map(str, hidden))}-{label}",
            name,
            hidden=hidden,
            epochs=epochs,
            **settings,
        )
    for i, name in enumerate(mixed):
        high = too_high[i % 3]
        add("lr_too_high", f"{name}-{high['optimizer']}-lr{high['learning_rate']:g}", name, **high)
        low = too_low[i % 3]
        add("lr_too_low", f"{name}-{low['optimizer']}-lr1e-6", name, **low)
        factor, offset = scales[i % 3]
        add(
            "unscaled_features",
            f"{name}-x{factor:g}-offset{offset:g}",
            lambda s, n=name, f=factor, o=offset: scaled_features(load(n, s), f, o),
        )
        add(
            "shuffled_labels",
            name,
            lambda s, n=name: shuffled_labels(load(n, s), s),
            hidden=big,
            epochs=40,
            **optimizers[i % 3],
        )
        add("dead_units", name, name, hidden=(64, 64), bias_init=-10.0, **optimizers[i % 3])
        activation = ("sigmoid", "tanh")[i % 2]
        add(
            "saturated_activations",
            f"{name}-{activation}-bias10",
            name,
            hidden=deep,
            activation=activation,
            bias_init=10.0,
        )
        add(
            "vanishing_gradients",
            f"{name}-sigmoid-{15 + 5 * (i % 3)}",
            name,
            hidden=(32,) * (15 + 5 * (i % 3)),
            activation="sigmoid",
            **sgd,
        )
        add(
            "exploding_gradients",
            f"{name}-relu-{10 + 2 * (i % 2)}",
            name,
            hidden=(64,) * (10 + 2 * (i % 2)),
            init_stddev=1.5,
            **sgd,
        )
        rate, width = ((0.9, (128, 128)), (0.95, big))[i % 2]
        add("excessive_dropout", f"{name}-{rate:g}", name, hidden=width, dropout=rate)
        value, where = ((np.nan, "train"), (np.inf, "train"), (np.nan, "val"))[i % 3]
        add(
            "nonfinite_inputs",
            f"{name}-{value}-{where}",
            lambda s, n=name, v=value, w=where: with_nonfinite(
                load(n, s), 0.02, s, value=v, validation=w == "val"
            ),
            activation=("gelu", "tanh")[i % 2],
        )
        offset = (2.0, 2.5)[i % 2]
        add(
            "train_val_shift",
            f"{name}-offset{offset:g}",
            lambda s, n=name, o=offset: shifted_validation(load(n, s), o),
            **optimizers[i % 3],
        )
    for i, name in enumerate(classes):
        share = (0.4, 0.45)[i % 2]
        add(
            "label_noise",
            f"{name}-{share * 100:.0f}pct",
            lambda s, n=name, f=share: noisy_labels(load(n, s), f, s),
            hidden=big,
            epochs=60 if name in {"wine", "iris"} else 40,
            **optimizers[i % 3],
        )
    for source in ["synth_binary", "wide_binary"]:
        for weights, metrics in [
            ([0.97], ()),
            ([0.95], ("accuracy", "recall")),
            ([0.92], ("accuracy", "auc")),
        ]:
            add(
                "class_imbalance",
                f"{source}-{weights[0] * 100:.0f}-{'-'.join(metrics) or 'accuracy'}",
                lambda s, n=source, w=weights: load(n, s, weights=w, n_informative=2, class_sep=0.1),
                metrics=metrics or None,
            )
    for source, classes_count in [("synth_multi", 4), ("synth_multi10", 10), ("multi5", 5), ("multi8", 8)]:
        for major in (0.85, 0.9, 0.95) if source != "synth_multi" else (0.9,):
            rest = [(1 - major) / (classes_count - 1)] * (classes_count - 2)
            add(
                "class_imbalance",
                f"{source}-{major * 100:.0f}",
                lambda s, n=source, w=[major, *rest]: load(n, s, weights=w, n_informative=4, class_sep=0.1),
            )
    for source, classes_count in [("synth_multi", 4), ("multi5", 5)]:
        # scikit-learn takes the shares of all classes but the last.
        shares = [0.88] + [0.12 / (classes_count - 1)] * (classes_count - 2)
        add(
            "class_imbalance",
            f"{source}-88-rmsprop",
            lambda s, n=source, w=shares: load(n, s, weights=w, n_informative=3, class_sep=0.1),
            **rmsprop,
        )
    for i, name in enumerate(regressions + regressions[:5]):
        factor = (1e3, 500.0, 300.0)[i % 3]
        raw = name in {"diabetes", "friedman2", "synth_regression", "regression_wide"} and i < len(
            regressions
        )
        add(
            "unscaled_targets",
            f"{name}-{'raw-y' if raw else f'y-x{factor:g}'}-{optimizers[i % 2]['optimizer']}",
            (lambda s, n=name: load(n, s, scale_y=False))
            if raw
            else (lambda s, n=name, f=factor: scaled_targets(load(n, s), f)),
            **optimizers[i % 2],
        )
    for name in ["checker", "xor", "breast_cancer", "moons", "circles", "hastie"]:
        add("output_activation_mismatch", f"{name}-softmax-1unit", name, output_activation="softmax")
    for name, activation in [
        ("multi8", "linear"),
        ("spirals", "relu"),
        ("multi5", "relu"),
        ("digits", "linear"),
        ("wine", "relu"),
        ("blobs", "linear"),
    ]:
        add(
            "output_activation_mismatch",
            f"{name}-{activation}-crossentropy",
            name,
            output_activation=activation,
        )
    for name, activation in [
        ("poly", "sigmoid"),
        ("steps", "relu"),
        ("low_rank", "sigmoid"),
        ("sine", "sigmoid"),
        ("friedman", "relu"),
        ("synth_regression", "sigmoid"),
    ]:
        add(
            "output_activation_mismatch",
            f"{name}-{activation}-regression",
            name,
            output_activation=activation,
        )
    for i, name in enumerate(multiclass[:6]):
        add(
            "loss_task_mismatch",
            f"{name}-bce-multiclass",
            name,
            loss="binary_crossentropy",
            one_hot=True,
            **optimizers[i % 3],
        )
    for i, name in enumerate(multiclass[:6]):
        add(
            "loss_task_mismatch",
            f"{name}-mse-on-class-ids",
            name,
            loss="mse",
            output_units=1,
            output_activation="linear",
            **optimizers[i % 2],
        )
    for name in multiclass[6:]:
        add(
            "loss_task_mismatch",
            f"{name}-mae-on-class-ids",
            name,
            loss="mae",
            output_units=1,
            output_activation="linear",
            metrics=("accuracy",),
        )
    for name in ["checker", "hastie"]:
        add(
            "loss_task_mismatch",
            f"{name}-categorical-crossentropy-1unit",
            name,
            loss="categorical_crossentropy",
        )
    for name, hidden, activation in [
        ("checker", (), "relu"),
        ("checker", (1,), "relu"),
        ("multi8", (2,), "relu"),
        ("xor", (1,), "relu"),
        ("xor", (2,), "linear"),
        ("spirals", (2,), "relu"),
        ("circles", (1,), "relu"),
        ("quantiles", (), "relu"),
        ("quantiles", (2,), "linear"),
        ("hastie", (1,), "relu"),
        ("digits", (2,), "relu"),
        ("synth_multi10", (1,), "relu"),
        ("multi5", (1,), "relu"),
        ("poly", (), "relu"),
        ("sine", (1,), "relu"),
        ("swiss_roll", (), "relu"),
        ("xor", (), "relu"),
        ("friedman", (2,), "linear"),
    ]:
        width = "x".join(map(str, hidden)) or "linear"
        add(
            "capacity_too_low",
            f"{name}-{width}-{activation}",
            name,
            hidden=hidden,
            activation=activation,
            epochs=40,
        )
    for i, (name, size) in enumerate(
        [
            ("checker", 30),
            ("multi8", 40),
            ("xor", 25),
            ("spirals", 25),
            ("multi5", 30),
            ("digits", 30),
            ("circles", 20),
            ("hastie", 25),
            ("synth_multi", 25),
            ("synth_multi10", 40),
            ("wide_binary", 20),
            ("quantiles", 20),
            ("poly", 25),
            ("swiss_roll", 20),
            ("low_rank", 20),
            ("sine", 30),
            ("diabetes", 20),
            ("regression_wide", 25),
        ]
    ):
        add(
            "insufficient_data",
            f"{name}-{size}",
            lambda s, n=name, k=size: train_subset(load(n, s), k, s),
            hidden=big,
            epochs=60,
            **optimizers[i % 2],
        )
    raw_scaled = [
        "digits",
        "breast_cancer",
        "wine",
        "iris",
        "friedman2",
        "friedman3",
        "xor",
        "sine",
        "checker",
        "poly",
    ]
    for i, name in enumerate((raw_scaled * 2)[:18]):
        add(
            "val_preprocessing_mismatch",
            f"{name}-{optimizers[i % 3]['optimizer']}-{'wide' if i >= 10 else 'std'}",
            lambda s, n=name: raw_validation(n, s),
            hidden=(256,) if i >= 10 else (64,),
            epochs=60 if name == "iris" else 30,
            **optimizers[i % 3],
        )
    return runs


def _described(key: str, value: Any) -> str:
    """A run-name part for one training setting: `rmsprop`, `reduce_lr`, `dropout0.3`."""
    if key == "optimizer":
        return str(value)
    if isinstance(value, tuple):
        return "-".join(value)
    return f"{key}{value}"


def assign_splits(runs: Sequence[Run]) -> dict[str, str]:
    """`corpus()` runs: every third of each fault type (sorted by name) was the first holdout,
    now "seen"; the others are "tune". The second to sixth holdouts' runs are "seen" too, and
    `seventh_holdout()` runs are the holdout. Stratified and stable."""
    fresh = {run.name for run in seventh_holdout()}
    earlier = second_holdout() + third_holdout() + fourth_holdout() + fifth_holdout() + sixth_holdout()
    seen = {run.name for run in earlier}
    by_fault: dict[str, list[str]] = {}
    split = {}
    for run in runs:
        if run.name in fresh:
            split[run.name] = "holdout"
        elif run.name in seen:
            split[run.name] = "seen"
        else:
            by_fault.setdefault(run.fault, []).append(run.name)
    for names in by_fault.values():
        for i, name in enumerate(sorted(names)):
            split[name] = "seen" if i % HOLDOUT_EVERY == HOLDOUT_OFFSET else "tune"
    return split


def _rounded(value: float) -> float | None:
    """JSON has no NaN or inf: they become null, as the engine's own JSON form writes them."""
    return float(f"{value:.{SIGNIFICANT_DIGITS}g}") if math.isfinite(value) else None


def fixture(run: Run, split: str) -> dict[str, Any]:
    history, metadata = fit(run.make_data(), run.training, run.seed)
    return {
        "history": {name: [_rounded(float(v)) for v in values] for name, values in history.items()},
        "metadata": metadata,
        "fault": run.fault,
        "expected": sorted(EXPECTED[run.fault]),
        "split": split,
        "seed": run.seed,
    }


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
    parser.add_argument("--out", type=Path, default=CORPUS_DIR)
    parser.add_argument("--only", help="regenerate only the runs whose name contains this")
    parser.add_argument("--split", choices=("tune", "seen", "holdout"), help="regenerate only this split")
    args = parser.parse_args(argv)

    tf.config.threading.set_intra_op_parallelism_threads(TF_THREADS)
    tf.config.threading.set_inter_op_parallelism_threads(TF_THREADS)
    holdouts = second_holdout() + third_holdout() + fourth_holdout() + fifth_holdout() + sixth_holdout()
    runs = corpus() + holdouts + seventh_holdout()
    names = [run.name for run in runs]
    if len(set(names)) != len(names):
        raise SystemExit("two runs share a name")
    splits = assign_splits(runs)
    args.out.mkdir(parents=True, exist_ok=True)
    if args.only is None and args.split is None:
        # A full regeneration is the corpus: fixtures of runs that no longer exist go.
        for stale in set(args.out.glob("*.json")) - {args.out / f"{name}.json" for name in names}:
            stale.unlink()
    for run in runs:
        wanted = args.split in (None, splits[run.name]) and (args.only is None or args.only in run.name)
        if not wanted:
            continue
        started = time.perf_counter()
        doc = fixture(run, splits[run.name])
        (args.out / f"{run.name}.json").write_text(json.dumps(doc, separators=(",", ":")) + "\n")
        elapsed = time.perf_counter() - started
        print(f"{run.name} [{doc['split']}] {elapsed:.1f}s  {_curve_summary(doc['history'])}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
