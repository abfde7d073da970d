"""A labelled corpus of bundles for scoring the bundle probes, generated on the fly.

Each faulty entry injects one cause of non-convergence into an otherwise sane setup; the
healthy entries are setups a careful practitioner would submit (standardized inputs, a loss
that fits the labels, a usual learning rate). The data is small and seeded: scikit-learn's
bundled sets (digits, breast cancer, wine), its generators, and numpy. Nothing is downloaded
and no binary bundle is committed: `build` writes each bundle into a directory the caller
owns (a temp dir in the benchmark).

Labels were fixed from the nature of each fault before any probe ran on the corpus:

- `expected`: the codes that name the injected cause; raising any of them (as a warning or an
  error) counts as a detection.
- `incidental`: codes the injection makes literally true as a side effect (copies made to
  conflict are also duplicates; a frozen zero layer leaves the ReLUs after it dead). Raising
  one is neither a detection nor a false statement, so it is not counted as spurious.

Splits: roughly a third of the corpus is held out and never used for tuning thresholds. For
each cause, at most one variant is held out, so tuning sees every cause; the causes (in name
order) take turns: two of every three have one variant held out (variants alternating), the
third keeps both in tune. Every third healthy entry is held out.

    .venv/bin/python -m benchmarks.bundle_corpus   # lists the corpus
"""

from __future__ import annotations

import dataclasses
import functools
import sys
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from diagnosis.taxonomy import CAUSES
from tests.bundles import blobs, make_bundle

if TYPE_CHECKING:
    import keras

HEALTHY = "healthy"
SPLITS = ("tune", "holdout")
# The codes a label may use: DESIGN.md's causes (symptoms are what faults produce, not names).
CAUSE_CODES = frozenset().union(*CAUSES.values())
# The training.json most entries ship: Keras' default batch size and a typical epoch count.
TRAINING = {"batch_size": 32, "epochs": 20}
VAL_SHARE = 0.2


@dataclass(frozen=True)
class Parts:
    """What a bundle holds: the compiled model, the arrays and training.json."""

    model: keras.Model
    x: np.ndarray
    y: np.ndarray
    x_val: np.ndarray | None = None
    y_val: np.ndarray | None = None
    training: dict[str, Any] = field(default_factory=lambda: dict(TRAINING))


Maker = Callable[[np.random.Generator], Parts]


@dataclass(frozen=True)
class Entry:
    name: str
    fault: str  # the injected cause, or HEALTHY
    expected: frozenset[str]
    make: Maker
    incidental: frozenset[str] = frozenset()
    split: str = "tune"

    @property
    def healthy(self) -> bool:
        return self.fault == HEALTHY

    @property
    def seed(self) -> int:
        """Derived from the name, so adding an entry never changes another one's data."""
        return zlib.crc32(self.name.encode())

    def build(self, directory: Path) -> Path:
        """Write this entry's bundle (a zip) under `directory` and return its path."""
        import keras

        keras.utils.set_random_seed(self.seed % 2**31)
        parts = self.make(np.random.default_rng(self.seed))
        return make_bundle(
            directory / f"{self.name}.zip",
            parts.model,
            parts.x,
            parts.y,
            x_val=parts.x_val,
            y_val=parts.y_val,
            training=parts.training,
        )


# --- data ---------------------------------------------------------------------------------------


@functools.cache
def _sklearn_set(name: str) -> tuple[np.ndarray, np.ndarray]:
    """A data set scikit-learn ships inside its package (no download)."""
    from sklearn import datasets

    loaded = getattr(datasets, f"load_{name}")()
    return loaded.data.astype(np.float64), loaded.target.astype(np.int64)


def _split(
    x: np.ndarray, y: np.ndarray, rng: np.random.Generator, share: float = VAL_SHARE
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A shuffled train/validation split: (x_train, y_train, x_val, y_val)."""
    order = rng.permutation(len(x))
    cut = int(len(x) * share)
    return x[order[cut:]], y[order[cut:]], x[order[:cut]], y[order[:cut]]


def _standardize(train: np.ndarray, *others: np.ndarray) -> list[np.ndarray]:
    """Scale every array by the training columns' mean and std (constant columns left at 0)."""
    mean, std = train.mean(axis=0), train.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    return [((a - mean) / std).astype(np.float32) for a in (train, *others)]


def _digits() -> tuple[np.ndarray, np.ndarray]:
    x, y = _sklearn_set("digits")
    return _standardize(x)[0], y


def _cancer() -> tuple[np.ndarray, np.ndarray]:
    x, y = _sklearn_set("breast_cancer")
    return _standardize(x)[0], y


def _classes(
    rng: np.random.Generator,
    n: int,
    features: int,
    classes: int,
    *,
    weights: Sequence[float] | None = None,
    separation: float = 1.5,
) -> tuple[np.ndarray, np.ndarray]:
    """A standardized make_classification problem; the informative features come first."""
    from sklearn.datasets import make_classification

    x, y = make_classification(
        n_samples=n,
        n_features=features,
        n_informative=min(features, max(2, features // 2)),
        n_redundant=0,
        n_classes=classes,
        n_clusters_per_class=1,
        weights=list(weights) if weights is not None else None,
        flip_y=0.0,
        class_sep=separation,
        shuffle=False,
        random_state=int(rng.integers(2**31)),
    )
    order = rng.permutation(n)  # make_classification groups the samples by class
    return _standardize(x[order])[0], y[order].astype(np.int64)


def _regression(rng: np.random.Generator, n: int, features: int, targets: int = 1) -> tuple[np.ndarray, ...]:
    """Standardized inputs and a standardized, mildly nonlinear target."""
    x = rng.normal(size=(n, features))
    weights = rng.normal(size=(features, targets))
    y = x @ weights + 0.5 * np.tanh(x[:, :targets] * 2) + 0.1 * rng.normal(size=(n, targets))
    y = (y - y.mean(axis=0)) / y.std(axis=0)
    return x.astype(np.float32), (y[:, 0] if targets == 1 else y).astype(np.float32)


def _one_hot(y: np.ndarray, classes: int) -> np.ndarray:
    return np.eye(classes, dtype=np.float32)[y]


def _flip(y: np.ndarray, share: float, classes: int, rng: np.random.Generator) -> np.ndarray:
    """Labels with `share` of them moved to another class, uniformly."""
    flipped = y.copy()
    chosen = rng.choice(len(y), size=int(len(y) * share), replace=False)
    flipped[chosen] = (y[chosen] + rng.integers(1, classes, len(chosen))) % classes
    return flipped


# --- models -------------------------------------------------------------------------------------


def _net(
    inputs: int | tuple[int, ...],
    hidden: Sequence[int],
    outputs: int,
    *,
    output: str = "softmax",
    activation: str = "relu",
    dropout: float = 0.0,
    batchnorm: bool = False,
    kernel: Any = "glorot_uniform",
    bias: Any = "zeros",
) -> keras.Model:
    """A dense network: each hidden layer optionally followed by BatchNorm and Dropout."""
    import keras

    layers: list[Any] = [keras.layers.Input(inputs if isinstance(inputs, tuple) else (inputs,))]
    for units in hidden:
        if batchnorm:
            layers += [keras.layers.Dense(units), keras.layers.BatchNormalization()]
            layers.append(keras.layers.Activation(activation))
        else:
            layers.append(
                keras.layers.Dense(
                    units, activation=activation, kernel_initializer=kernel, bias_initializer=bias
                )
            )
        if dropout:
            layers.append(keras.layers.Dropout(dropout))
    layers.append(keras.layers.Dense(outputs, activation=output))
    return keras.Sequential(layers)


def _compiled(model: keras.Model, loss: Any, optimizer: str = "adam", lr: float = 1e-3) -> keras.Model:
    import keras

    chosen = keras.optimizers.get(optimizer)
    chosen.learning_rate = lr
    model.compile(optimizer=chosen, loss=loss)
    return model


def _sparse(model: keras.Model, **kwargs: Any) -> keras.Model:
    return _compiled(model, "sparse_categorical_crossentropy", **kwargs)


def _binary(model: keras.Model, **kwargs: Any) -> keras.Model:
    return _compiled(model, "binary_crossentropy", **kwargs)


# --- healthy setups -------------------------------------------------------------------------


def _healthy_digits_mlp(rng: np.random.Generator) -> Parts:
    x, y = _digits()
    return Parts(_sparse(_net(64, [64], 10)), x, y)


def _healthy_cancer_binary(rng: np.random.Generator) -> Parts:
    x, y, xv, yv = _split(*_sklearn_set("breast_cancer"), rng)
    x, xv = _standardize(x, xv)
    return Parts(_binary(_net(30, [16], 1, output="sigmoid")), x, y, xv, yv)


def _healthy_wine_one_hot(rng: np.random.Generator) -> Parts:
    x, y = _sklearn_set("wine")
    model = _compiled(_net(13, [16], 3), "categorical_crossentropy")
    return Parts(model, _standardize(x)[0], _one_hot(y, 3), training={"batch_size": 16, "epochs": 30})


def _healthy_logits_sgd(rng: np.random.Generator) -> Parts:
    import keras

    x, y, xv, yv = _split(*_classes(rng, 2000, 20, 4), rng)
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    return Parts(_compiled(_net(20, [64, 64], 4, output="linear"), loss, "sgd", 0.05), x, y, xv, yv)


def _healthy_regression(rng: np.random.Generator) -> Parts:
    x, y, xv, yv = _split(*_regression(rng, 1500, 10), rng)
    return Parts(_compiled(_net(10, [32], 1, output="linear"), "mse"), x, y, xv, yv)


def _healthy_moons_rmsprop(rng: np.random.Generator) -> Parts:
    from sklearn.datasets import make_moons

    x, y = make_moons(1000, noise=0.2, random_state=int(rng.integers(2**31)))
    model = _binary(_net(2, [32, 32], 1, output="sigmoid"), optimizer="rmsprop")
    return Parts(model, _standardize(x)[0], y.astype(np.int64))


def _healthy_binary_dropout(rng: np.random.Generator) -> Parts:
    x, y, xv, yv = _split(*_classes(rng, 3000, 30, 2), rng)
    model = _binary(_net(30, [64, 32], 1, output="sigmoid", dropout=0.3))
    return Parts(model, x, y, xv, yv, {"batch_size": 64, "epochs": 20})


def _healthy_two_targets_huber(rng: np.random.Generator) -> Parts:
    x, y = _regression(rng, 1200, 8, targets=2)
    return Parts(_compiled(_net(8, [32, 32], 2, output="linear"), "huber"), x, y)


def _healthy_digits_batchnorm(rng: np.random.Generator) -> Parts:
    x, y, xv, yv = _split(*_digits(), rng)
    model = _compiled(_net(64, [128, 64], 10, batchnorm=True), "categorical_crossentropy")
    return Parts(model, x, _one_hot(y, 10), xv, _one_hot(yv, 10))


def _healthy_digits_cnn(rng: np.random.Generator) -> Parts:
    import keras

    raw, y = _sklearn_set("digits")
    images = (raw / 16.0).reshape(-1, 8, 8, 1).astype(np.float32)  # the usual [0, 1] pixel scaling
    x, y, xv, yv = _split(images, y, rng)
    model = keras.Sequential(
        [
            keras.layers.Input((8, 8, 1)),
            keras.layers.Conv2D(8, 3, padding="same", activation="relu"),
            keras.layers.Flatten(),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    return Parts(_sparse(model), x, y, xv, yv)


# --- data faults --------------------------------------------------------------------------------


def _cancer_raw(rng: np.random.Generator) -> Parts:
    """The breast-cancer measurements as they come: areas in the thousands, smoothness ~0.1."""
    x, y = _sklearn_set("breast_cancer")
    return Parts(_binary(_net(30, [16], 1, output="sigmoid")), x.astype(np.float32), y)


def _digits_uint8(rng: np.random.Generator) -> Parts:
    raw, y = _sklearn_set("digits")
    return Parts(_sparse(_net(64, [64], 10)), np.round(raw * 255 / 16).astype(np.uint8), y)


def _targets_in_dollars(rng: np.random.Generator) -> Parts:
    x, y = _regression(rng, 1500, 10)
    return Parts(_compiled(_net(10, [32], 1, output="linear"), "mse"), x, 2e5 + 5e4 * y)


def _targets_tiny(rng: np.random.Generator) -> Parts:
    x, y, xv, yv = _split(*_regression(rng, 1500, 10), rng)
    return Parts(_compiled(_net(10, [32], 1, output="linear"), "mse"), x, 1e-4 * y, xv, 1e-4 * yv)


def _imbalanced_binary(rng: np.random.Generator) -> Parts:
    x, y = _classes(rng, 3000, 20, 2, weights=[0.97, 0.03], separation=0.8)
    return Parts(_binary(_net(20, [32], 1, output="sigmoid")), x, y)


def _imbalanced_three(rng: np.random.Generator) -> Parts:
    x, y, xv, yv = _split(*_classes(rng, 2500, 16, 3, weights=[0.9, 0.08, 0.02], separation=0.8), rng)
    return Parts(_sparse(_net(16, [32], 3)), x, y, xv, yv)


def _noisy_digits(rng: np.random.Generator) -> Parts:
    x, y = _digits()
    return Parts(_sparse(_net(64, [64], 10)), x, _flip(y, 0.3, 10, rng))


def _noisy_binary(rng: np.random.Generator) -> Parts:
    x, y, xv, yv = _split(*_classes(rng, 2000, 12, 2), rng)
    return Parts(_binary(_net(12, [32], 1, output="sigmoid")), x, _flip(y, 0.3, 2, rng), xv, yv)


def _nan_cells(rng: np.random.Generator) -> Parts:
    x, y = _cancer()
    x = x.copy()
    x[rng.random(x.shape) < 0.02] = np.nan
    return Parts(_binary(_net(30, [16], 1, output="sigmoid")), x, y)


def _inf_rows(rng: np.random.Generator) -> Parts:
    """A ratio feature divided by zero in a few rows."""
    x, y, xv, yv = _split(*_classes(rng, 1500, 10, 3), rng)
    x = x.copy()
    x[rng.choice(len(x), 8, replace=False), 3] = np.inf
    return Parts(_sparse(_net(10, [32], 3)), x, y, xv, yv)


def _mostly_constant(rng: np.random.Generator) -> Parts:
    """A join that failed for 15 of 20 columns and filled them with a default 0."""
    x, y = _classes(rng, 1500, 20, 3)
    x = x.copy()
    x[:, 5:] = 0.0
    return Parts(_sparse(_net(20, [32], 3)), x, y)


def _all_constant(rng: np.random.Generator) -> Parts:
    x, y = _cancer()
    return Parts(_binary(_net(30, [16], 1, output="sigmoid")), np.ones_like(x), y)


def _val_copied_from_train(rng: np.random.Generator) -> Parts:
    x, y = _classes(rng, 1600, 16, 4)
    leaked = rng.choice(len(x), 300, replace=False)
    return Parts(_sparse(_net(16, [32], 4)), x, y, x[leaked], y[leaked])


def _oversampled_copies(rng: np.random.Generator) -> Parts:
    x, y = _cancer()
    copies = rng.choice(len(x), int(0.6 * len(x)), replace=True)
    order = rng.permutation(len(x) + len(copies))
    x, y = np.concatenate([x, x[copies]])[order], np.concatenate([y, y[copies]])[order]
    return Parts(_binary(_net(30, [16], 1, output="sigmoid")), x, y)


def _conflicting_copies(
    x: np.ndarray, y: np.ndarray, share: float, classes: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """The data plus copies of `share` of its rows carrying another class, shuffled in."""
    chosen = rng.choice(len(x), int(len(x) * share), replace=False)
    wrong = (y[chosen] + rng.integers(1, classes, len(chosen))) % classes
    order = rng.permutation(len(x) + len(chosen))
    return np.concatenate([x, x[chosen]])[order], np.concatenate([y, wrong])[order]


def _conflicting_blobs(rng: np.random.Generator) -> Parts:
    x, y = blobs(n=1500, features=8, classes=3, seed=int(rng.integers(2**31)))
    x, y = _conflicting_copies(x, y, 0.25, 3, rng)
    return Parts(_sparse(_net(8, [32], 3)), x, y)


def _conflicting_digits(rng: np.random.Generator) -> Parts:
    x, y = _conflicting_copies(*_digits(), 0.2, 10, rng)
    return Parts(_sparse(_net(64, [64], 10)), x, y)


def _shifted_val(rng: np.random.Generator) -> Parts:
    x, y, xv, yv = _split(*_classes(rng, 2000, 16, 4), rng)
    return Parts(_sparse(_net(16, [32], 4)), x, y, xv + 1.0, yv)


def _unshuffled_split(rng: np.random.Generator) -> Parts:
    """Rows sorted by the target, then the last 20% taken as validation, as validation_split does."""
    x, y = _regression(rng, 1500, 10)
    order = np.argsort(y)
    x, y = x[order], y[order]
    cut = int(len(x) * (1 - VAL_SHARE))
    return Parts(_compiled(_net(10, [32], 1, output="linear"), "mse"), x[:cut], y[:cut], x[cut:], y[cut:])


def _one_hot_sparse_loss(rng: np.random.Generator) -> Parts:
    x, y = _digits()
    return Parts(_sparse(_net(64, [64], 10)), x, _one_hot(y, 10))


def _integer_categorical_loss(rng: np.random.Generator) -> Parts:
    x, y = _sklearn_set("wine")
    model = _compiled(_net(13, [16], 3), "categorical_crossentropy")
    return Parts(model, _standardize(x)[0], y, training={"batch_size": 16, "epochs": 30})


def _thirty_samples(rng: np.random.Generator) -> Parts:
    x, y = _classes(rng, 30, 20, 2)
    return Parts(_binary(_net(20, [256, 256], 1, output="sigmoid")), x, y, training={"batch_size": 8})


def _sixty_digits(rng: np.random.Generator) -> Parts:
    x, y = _digits()
    keep = rng.choice(len(x), 60, replace=False)
    return Parts(_sparse(_net(64, [512], 10)), x[keep], y[keep], training={"batch_size": 16})


# --- model and optimization faults -------------------------------------------------------------


def _linear_output_probability_loss(rng: np.random.Generator) -> Parts:
    x, y = _digits()
    return Parts(_sparse(_net(64, [64], 10, output="linear")), x, y)


def _softmax_one_unit(rng: np.random.Generator) -> Parts:
    x, y = _cancer()
    return Parts(_binary(_net(30, [16], 1, output="softmax")), x, y)


def _too_few_units_sparse(rng: np.random.Generator) -> Parts:
    x, y = _digits()
    return Parts(_sparse(_net(64, [64], 5)), x, y)


def _too_few_units_one_hot(rng: np.random.Generator) -> Parts:
    x, y, xv, yv = _split(*_classes(rng, 1500, 12, 4), rng)
    model = _compiled(_net(12, [32], 3), "categorical_crossentropy")
    return Parts(model, x, _one_hot(y, 4), xv, _one_hot(yv, 4))


def _mse_on_classes(rng: np.random.Generator) -> Parts:
    x, y = _digits()
    return Parts(_compiled(_net(64, [64], 1, output="linear"), "mse"), x, y)


def _mae_on_classes(rng: np.random.Generator) -> Parts:
    x, y, xv, yv = _split(*_classes(rng, 1500, 12, 5), rng)
    return Parts(_compiled(_net(12, [32], 1, output="linear"), "mae"), x, y, xv, yv)


def _dropout_09(rng: np.random.Generator) -> Parts:
    x, y = _digits()
    return Parts(_sparse(_net(64, [64], 10, dropout=0.9)), x, y)


def _dropout_08_twice(rng: np.random.Generator) -> Parts:
    x, y, xv, yv = _split(*_classes(rng, 2000, 16, 4), rng)
    return Parts(_sparse(_net(16, [64, 64], 4, dropout=0.8)), x, y, xv, yv)


def _one_unit_bottleneck(rng: np.random.Generator) -> Parts:
    x, y = _digits()
    return Parts(_sparse(_net(64, [64, 1], 10)), x, y)


def _two_units_for_ten_classes(rng: np.random.Generator) -> Parts:
    x, y, xv, yv = _split(*_digits(), rng)
    return Parts(_sparse(_net(64, [2], 10)), x, y, xv, yv)


def _adam_lr_5(rng: np.random.Generator) -> Parts:
    x, y = blobs(n=1200, features=8, classes=3, seed=int(rng.integers(2**31)))
    return Parts(_sparse(_net(8, [32], 3), lr=5.0), x, y)


def _sgd_lr_20(rng: np.random.Generator) -> Parts:
    x, y = _cancer()
    return Parts(_binary(_net(30, [32, 32], 1, output="sigmoid"), optimizer="sgd", lr=20.0), x, y)


def _sgd_lr_1e7(rng: np.random.Generator) -> Parts:
    x, y = _digits()
    return Parts(_sparse(_net(64, [64], 10), optimizer="sgd", lr=1e-7), x, y)


def _adam_lr_1e7(rng: np.random.Generator) -> Parts:
    x, y, xv, yv = _split(*_classes(rng, 2000, 16, 2), rng)
    return Parts(_binary(_net(16, [32], 1, output="sigmoid"), lr=1e-7), x, y, xv, yv)


def _deep_sigmoid_large_init(rng: np.random.Generator) -> Parts:
    import keras

    x, y = _digits()
    model = _net(64, [32] * 8, 10, activation="sigmoid", kernel=keras.initializers.RandomNormal(stddev=1.0))
    return Parts(_sparse(model), x, y)


def _tanh_large_init(rng: np.random.Generator) -> Parts:
    import keras

    x, y, xv, yv = _split(*_classes(rng, 2000, 20, 3), rng)
    model = _net(20, [64] * 3, 3, activation="tanh", kernel=keras.initializers.RandomNormal(stddev=3.0))
    return Parts(_sparse(model), x, y, xv, yv)


def _negative_bias(rng: np.random.Generator) -> Parts:
    import keras

    x, y = _digits()
    return Parts(_sparse(_net(64, [64, 64], 10, bias=keras.initializers.Constant(-5.0))), x, y)


def _negative_kernel_positive_inputs(rng: np.random.Generator) -> Parts:
    """Inputs min-max scaled to [0, 1] into kernels that are all negative: every ReLU is off."""
    import keras

    raw, y = _sklearn_set("breast_cancer")
    x = ((raw - raw.min(axis=0)) / (raw.max(axis=0) - raw.min(axis=0))).astype(np.float32)
    kernel = keras.initializers.RandomNormal(mean=-0.3, stddev=0.05)
    return Parts(_binary(_net(30, [32, 32], 1, output="sigmoid", kernel=kernel)), x, y)


def _all_frozen(rng: np.random.Generator) -> Parts:
    """A fine-tuning script that froze the whole model instead of its base."""
    x, y = _digits()
    model = _net(64, [64], 10)
    model.trainable = False
    return Parts(_sparse(model), x, y)


def _frozen_zero_layer(rng: np.random.Generator) -> Parts:
    """A 'pretrained' first layer whose weights never loaded (zeros), frozen: no input reaches on."""
    x, y, xv, yv = _split(*_classes(rng, 1500, 16, 4), rng)
    model = _net(16, [64, 32], 4)
    first = model.layers[0]
    first.set_weights([np.zeros_like(w) for w in first.get_weights()])
    first.trainable = False
    return Parts(_sparse(model), x, y, xv, yv)


def _entries() -> list[Entry]:
    def healthy(name: str, make: Maker) -> Entry:
        return Entry(f"healthy-{name}", HEALTHY, frozenset(), make)

    def fault(
        cause: str,
        name: str,
        make: Maker,
        expected: Sequence[str] = (),
        incidental: Sequence[str] = (),
    ) -> Entry:
        return Entry(f"{cause}-{name}", cause, frozenset(expected or (cause,)), make, frozenset(incidental))

    saturating = ("vanishing_gradients", "saturated_activations")
    return [
        healthy("digits-mlp", _healthy_digits_mlp),
        healthy("cancer-binary", _healthy_cancer_binary),
        healthy("wine-one-hot", _healthy_wine_one_hot),
        healthy("logits-sgd", _healthy_logits_sgd),
        healthy("regression", _healthy_regression),
        healthy("moons-rmsprop", _healthy_moons_rmsprop),
        healthy("binary-dropout", _healthy_binary_dropout),
        healthy("two-targets-huber", _healthy_two_targets_huber),
        healthy("digits-batchnorm", _healthy_digits_batchnorm),
        healthy("digits-cnn", _healthy_digits_cnn),
        fault("unscaled_features", "cancer-raw", _cancer_raw),
        fault("unscaled_features", "digits-uint8", _digits_uint8),
        fault("unscaled_targets", "dollars", _targets_in_dollars),
        fault("unscaled_targets", "tiny", _targets_tiny),
        fault("class_imbalance", "binary-97-3", _imbalanced_binary),
        fault("class_imbalance", "three-90-8-2", _imbalanced_three),
        fault("label_noise", "digits-30pct", _noisy_digits),
        fault("label_noise", "binary-30pct", _noisy_binary),
        fault("nonfinite_values", "nan-cells", _nan_cells),
        fault("nonfinite_values", "inf-rows", _inf_rows),
        fault("constant_features", "mostly", _mostly_constant),
        # Identical inputs with both labels: every pair is a duplicate and a conflict, and
        # nothing distinguishes the samples of a batch.
        fault(
            "constant_features",
            "all",
            _all_constant,
            incidental=("cannot_overfit_batch", "conflicting_labels", "duplicate_samples"),
        ),
        fault("duplicate_samples", "val-copied", _val_copied_from_train),
        fault("duplicate_samples", "oversampled", _oversampled_copies),
        # Copies relabelled to another class are duplicates, and wrong labels by construction.
        fault(
            "conflicting_labels",
            "blobs",
            _conflicting_blobs,
            incidental=("duplicate_samples", "label_noise"),
        ),
        fault(
            "conflicting_labels",
            "digits",
            _conflicting_digits,
            incidental=("duplicate_samples", "label_noise"),
        ),
        fault("train_val_shift", "shifted-val", _shifted_val),
        fault("train_val_shift", "unshuffled", _unshuffled_split),
        fault("label_format_mismatch", "one-hot-sparse", _one_hot_sparse_loss),
        fault("label_format_mismatch", "integer-categorical", _integer_categorical_loss),
        fault("insufficient_data", "thirty", _thirty_samples),
        fault("insufficient_data", "sixty-digits", _sixty_digits),
        fault("output_activation_mismatch", "linear-ce", _linear_output_probability_loss),
        fault("output_activation_mismatch", "softmax-one-unit", _softmax_one_unit),
        # The labels' side of the same mismatch: a label index past the output units.
        fault(
            "output_shape_mismatch",
            "five-of-ten",
            _too_few_units_sparse,
            incidental=("label_format_mismatch",),
        ),
        fault(
            "output_shape_mismatch",
            "three-of-four",
            _too_few_units_one_hot,
            incidental=("label_format_mismatch",),
        ),
        fault("loss_task_mismatch", "mse-digits", _mse_on_classes),
        fault("loss_task_mismatch", "mae-five", _mae_on_classes),
        fault("excessive_dropout", "09", _dropout_09),
        fault("excessive_dropout", "08-twice", _dropout_08_twice),
        fault("capacity_too_low", "one-unit", _one_unit_bottleneck),
        fault("capacity_too_low", "two-units", _two_units_for_ten_classes),
        # A rate this far off blows the weights and their gradients up.
        fault("lr_too_high", "adam-5", _adam_lr_5, incidental=("exploding_gradients",)),
        fault("lr_too_high", "sgd-20", _sgd_lr_20, incidental=("exploding_gradients",)),
        fault("lr_too_low", "sgd-1e-7", _sgd_lr_1e7),
        fault("lr_too_low", "adam-1e-7", _adam_lr_1e7),
        # One fault, two names: saturated sigmoid/tanh units are why the gradients vanish.
        fault("saturating_stack", "sigmoid-8", _deep_sigmoid_large_init, saturating),
        fault("saturating_stack", "tanh-3", _tanh_large_init, saturating),
        # Units that never fire pass no gradient back: a batch cannot be fitted through them.
        fault(
            "dead_units",
            "negative-bias",
            _negative_bias,
            incidental=("cannot_overfit_batch", "vanishing_gradients"),
        ),
        fault(
            "dead_units",
            "negative-kernel",
            _negative_kernel_positive_inputs,
            incidental=("cannot_overfit_batch", "vanishing_gradients"),
        ),
        fault("cannot_overfit_batch", "all-frozen", _all_frozen),
        # The ReLUs after the zero layer get exactly 0 in: they never fire.
        fault("cannot_overfit_batch", "frozen-zero-layer", _frozen_zero_layer, incidental=("dead_units",)),
    ]


def assign_splits(entries: Sequence[Entry]) -> list[Entry]:
    """Hold out one variant of two causes in every three (in name order), and every third
    healthy entry; see the module docstring."""
    held: set[str] = set()
    healthy = [e.name for e in entries if e.healthy]
    held.update(healthy[2::3])
    causes = sorted({e.fault for e in entries if not e.healthy})
    for rank, cause in enumerate(causes):
        variants = [e.name for e in entries if e.fault == cause]
        if len(variants) >= 2 and rank % 3 != 2:
            held.add(variants[rank % len(variants)])
    return [dataclasses.replace(e, split="holdout" if e.name in held else "tune") for e in entries]


CORPUS: tuple[Entry, ...] = tuple(assign_splits(_entries()))


def select(split: str = "all") -> list[Entry]:
    return [e for e in CORPUS if split == "all" or e.split == split]


def main() -> int:
    for entry in CORPUS:
        codes = ",".join(sorted(entry.expected)) or "-"
        extra = f" (+{','.join(sorted(entry.incidental))})" if entry.incidental else ""
        print(f"{entry.split:<8} {entry.name:<44} {codes}{extra}")
    faulty = sum(not e.healthy for e in CORPUS)
    held = sum(e.split == "holdout" for e in CORPUS)
    print(f"{faulty} faulty, {len(CORPUS) - faulty} healthy; {held} of {len(CORPUS)} held out")
    return 0


if __name__ == "__main__":
    sys.exit(main())
