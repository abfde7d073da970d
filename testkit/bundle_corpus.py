"""A labelled corpus of bundles for scoring the bundle probes, generated on the fly: the probe
benchmark (benchmarks/bench_probes.py) scores on it, and tests/test_bundle_corpus.py checks its
labels and splits and builds its bundles.

The entries are data: tests/corpus/bundles/manifest.json lists each one's name, cause, builder
and its parameters, seed, round, split, and its expected and incidental codes; its description
says what each means. Every entry is a recipe over the registries here: a data set (DATA),
steps over its arrays that split, scale and inject (STEPS), a network (MODELS), edits to its
weights (EDITS), its loss, optimizer and training.json. This file holds what the entries name:
those registries' data sets, Keras model builders, steps and edits.

Each faulty entry injects one cause of non-convergence into an otherwise sane setup; the
healthy entries are setups a careful practitioner would submit (standardized inputs, a loss
that fits the labels, a usual learning rate). The data is small and seeded: scikit-learn's
bundled sets (digits, breast cancer, wine, iris, diabetes), its generators, and numpy. Nothing
is downloaded and no binary bundle is committed: `build` writes each bundle into a directory
the caller owns (a temp dir in the benchmark). Tuning uses `tune` + `seen` (the "tuning"
selection); the holdout, once scored and read, retires into `seen` like the others.

    .venv/bin/python -m testkit.bundle_corpus   # lists the corpus
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from diagnosis.bundle import BundleData
from diagnosis.taxonomy import CAUSES
from testkit.bundles import blobs, make_bundle

if TYPE_CHECKING:
    import keras


HEALTHY = "healthy"


TUNE, SEEN, HOLDOUT = "tune", "seen", "holdout"


SPLITS = (TUNE, SEEN, HOLDOUT)


# What tuning may look at: everything but the fresh holdout.
TUNING = (TUNE, SEEN)


# The codes a label may use: docs/design.md's causes (symptoms are what faults produce, not names).
CAUSE_CODES = frozenset().union(*CAUSES.values())


# The training.json most entries ship: Keras' default batch size and a typical epoch count.
TRAINING = {"batch_size": 32, "epochs": 20}


VAL_SHARE = 0.2


MANIFEST = Path(__file__).resolve().parent.parent / "tests" / "corpus" / "bundles" / "manifest.json"


@dataclass(frozen=True)
class Parts:
    """What a bundle holds: the compiled model, the arrays and training.json."""

    model: keras.Model
    data: BundleData
    training: dict[str, Any]


# Called with the generator as `rng`, its parameters bound (see load_entries).
Maker = Callable[..., Parts]


@dataclass(frozen=True)
class Entry:
    name: str
    fault: str  # the injected cause, or HEALTHY
    expected: frozenset[str]
    make: Maker
    incidental: frozenset[str]
    split: str
    # The CRC-32 of the name, so adding an entry never changes another one's data.
    seed: int
    round: int
    # Where a real program comes from (a question or issue); empty for an injected fault.
    source: str = ""

    @property
    def healthy(self) -> bool:
        return self.fault == HEALTHY

    def parts(self) -> Parts:
        """This entry's compiled model, arrays and training.json, built from its seed."""
        import keras

        keras.utils.set_random_seed(self.seed % 2**31)
        # By keyword: an entry's parameters are bound, and some builders take them after rng.
        return self.make(rng=np.random.default_rng(self.seed))

    def build(self, directory: Path) -> Path:
        """Write this entry's bundle (a zip) under `directory` and return its path."""
        parts = self.parts()
        data = parts.data
        return make_bundle(
            directory / f"{self.name}.zip",
            parts.model,
            data.x_train,
            data.y_train,
            x_val=data.x_val,
            y_val=data.y_val,
            training=parts.training,
        )


# --- data -----------------------------------------------------------------------------------------


# The data sets the entries draw: scikit-learn's bundled sets and generators, and numpy. Each
# takes the entry's generator first and draws from it in a fixed order.


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


def _regression(
    rng: np.random.Generator, n: int, features: int, targets: int = 1
) -> tuple[np.ndarray, np.ndarray]:
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


def _conflicting_copies(
    x: np.ndarray, y: np.ndarray, share: float, classes: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """The data plus copies of `share` of its rows carrying another class, shuffled in."""
    chosen = rng.choice(len(x), int(len(x) * share), replace=False)
    wrong = (y[chosen] + rng.integers(1, classes, len(chosen))) % classes
    order = rng.permutation(len(x) + len(chosen))
    return np.concatenate([x, x[chosen]])[order], np.concatenate([y, wrong])[order]


def _leaked(
    x: np.ndarray, y: np.ndarray, xv: np.ndarray, yv: np.ndarray, share: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """A validation set of the same size whose `share` is made of training rows."""
    count = int(share * len(xv))
    chosen = rng.choice(len(x), count, replace=False)
    keep = len(xv) - count
    return np.concatenate([xv[:keep], x[chosen]]), np.concatenate([yv[:keep], y[chosen]])


def _bars(rng: np.random.Generator, n: int, size: int = 12) -> tuple[np.ndarray, np.ndarray]:
    """Noisy size x size images of one bar: horizontal, vertical or diagonal (classes 0-2)."""
    y = rng.integers(0, 3, n)
    images = 0.15 * rng.normal(size=(n, size, size))
    at = rng.integers(2, size - 2, n)
    span = np.arange(size)
    for i in range(n):
        if y[i] == 0:
            images[i, at[i], :] += 1.0
        elif y[i] == 1:
            images[i, :, at[i]] += 1.0
        else:
            images[i, span, (span + at[i]) % size] += 1.0
    return images[..., None].astype(np.float32), y.astype(np.int64)


def _quantiles(
    rng: np.random.Generator, n: int, features: int, classes: int
) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian quantile shells: the class is how far a point lies from the centre (no line
    separates them), standardized."""
    from sklearn.datasets import make_gaussian_quantiles

    x, y = make_gaussian_quantiles(
        n_samples=n, n_features=features, n_classes=classes, random_state=int(rng.integers(2**31))
    )
    return _standardize(x)[0], y.astype(np.int64)


def _swiss_roll(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The position along a Swiss roll from its standardized 3-D coordinates: a smooth
    nonlinear regression, target standardized."""
    from sklearn.datasets import make_swiss_roll

    x, t = make_swiss_roll(n, noise=0.1, random_state=int(rng.integers(2**31)))
    return _standardize(x)[0], ((t - t.mean()) / t.std()).astype(np.float32)


def _friedman2(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Friedman #2 (an impedance from four inputs on scales of 1 to 1700): standardized inputs,
    the target as it comes (mean ~470, std ~380)."""
    from sklearn.datasets import make_friedman2

    x, y = make_friedman2(n, noise=10.0, random_state=int(rng.integers(2**31)))
    return _standardize(x)[0], y.astype(np.float32)


def _diabetes() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's diabetes set (442 patients, 10 features), standardized features; the
    target (disease progression, 25 to 346) as it comes."""
    from sklearn.datasets import load_diabetes

    x, y = load_diabetes(return_X_y=True)
    return _standardize(x)[0], y.astype(np.float32)


# Steps in each pulse sequence (the fifth round's sequence data).
PULSE_STEPS = 30


def _pulses(
    rng: np.random.Generator, n: int, weights: Sequence[float] = (1, 1, 1), height: float = 1.5
) -> tuple[np.ndarray, np.ndarray]:
    """Noisy sequences (PULSE_STEPS x 1): class 0 is noise only, class 1 has a bump up
    somewhere, class 2 a dip; `weights` gives the classes' shares (two weights: no dips)."""
    length = PULSE_STEPS
    p = np.asarray(weights, dtype=np.float64)
    y = rng.choice(len(p), n, p=p / p.sum())
    t = np.arange(length)
    at = rng.integers(3, length - 3, n)[:, None]
    bump = np.exp(-0.5 * ((t[None, :] - at) / 1.5) ** 2)
    sign = np.select([y == 1, y == 2], [1.0, -1.0], 0.0)[:, None]
    x = height * sign * bump + 0.5 * rng.normal(size=(n, length))
    return x[..., None].astype(np.float32), y.astype(np.int64)


def _topic_tokens(
    rng: np.random.Generator, n: int, length: int, vocab: int, topics: int
) -> tuple[np.ndarray, np.ndarray]:
    """Token ids: each topic draws 60 % of its words from its own slice of the vocabulary."""
    y = rng.integers(0, topics, n)
    own = y[:, None] * (vocab // topics) + rng.integers(0, vocab // topics, (n, length))
    anywhere = rng.integers(0, vocab, (n, length))
    tokens = np.where(rng.random((n, length)) < 0.6, own, anywhere).astype(np.int32)
    return tokens, y.astype(np.int64)


def _standard_target(y: np.ndarray) -> np.ndarray:
    return ((y - y.mean()) / y.std()).astype(np.float32)


def _spirals(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Three interleaved spiral arms in the plane (class = arm), standardized."""
    y = rng.integers(0, 3, n)
    radius = rng.uniform(0.2, 1.0, n)
    angle = 2 * np.pi * y / 3 + 4.0 * radius
    x = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    return _standardize(x + 0.03 * rng.normal(size=x.shape))[0], y.astype(np.int64)


def _xor(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Eight standard normal features; the label is whether the first two share a sign."""
    x = rng.normal(size=(n, 8)).astype(np.float32)
    return x, (x[:, 0] * x[:, 1] > 0).astype(np.int64)


def _friedman3(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Friedman #3 (an arctangent of four inputs), inputs and target standardized."""
    from sklearn.datasets import make_friedman3

    x, y = make_friedman3(n, noise=0.02, random_state=int(rng.integers(2**31)))
    return _standardize(x)[0], _standard_target(y)


def _sines(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """sin(2 x0) + x1 x2 + cos(x3) over six standard normal inputs, target standardized."""
    x = rng.normal(size=(n, 6))
    y = np.sin(2 * x[:, 0]) + x[:, 1] * x[:, 2] + np.cos(x[:, 3]) + 0.1 * rng.normal(size=n)
    return x.astype(np.float32), _standard_target(y)


def _low_rank(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """make_regression over 20 correlated features of effective rank 5, standardized."""
    from sklearn.datasets import make_regression

    x, y = make_regression(
        n, 20, n_informative=10, effective_rank=5, noise=1.0, random_state=int(rng.integers(2**31))
    )
    return _standardize(x)[0], _standard_target(y)


WAVE_STEPS = 40


def _waves(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Noisy sine waves of WAVE_STEPS steps at a random phase; the class is the frequency
    (one, two or three cycles)."""
    y = rng.integers(0, 3, n)
    t = np.arange(WAVE_STEPS) / WAVE_STEPS
    phase = rng.uniform(0, 2 * np.pi, (n, 1))
    x = np.sin(2 * np.pi * (y[:, None] + 1) * t[None, :] + phase) + 0.4 * rng.normal(size=(n, WAVE_STEPS))
    return x[..., None].astype(np.float32), y.astype(np.int64)


def _shapes(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Noisy 10x10 images of a plus (0), a hollow square (1) or an X (2) somewhere."""
    y = rng.integers(0, 3, n)
    images = 0.2 * rng.normal(size=(n, 10, 10))
    centre = rng.integers(3, 7, (n, 2))
    span = np.arange(-2, 3)
    for i in range(n):
        r, c = centre[i]
        if y[i] == 0:
            images[i, r + span, c] += 1.0
            images[i, r, c + span] += 1.0
        elif y[i] == 1:
            images[i, r - 2, c + span] += 1.0
            images[i, r + 2, c + span] += 1.0
            images[i, r + span, c - 2] += 1.0
            images[i, r + span, c + 2] += 1.0
        else:
            images[i, r + span, c + span] += 1.0
            images[i, r + span, c - span] += 1.0
    return images[..., None].astype(np.float32), y.astype(np.int64)


def _sectors(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Five angular sectors of a ring in the first two columns, six noise columns after them."""
    angle = rng.uniform(0, 2 * np.pi, n)
    radius = rng.uniform(0.5, 2.0, n)
    x = np.concatenate(
        [np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1), rng.normal(size=(n, 6))], axis=1
    )
    return _standardize(x)[0], (angle // (2 * np.pi / 5)).astype(np.int64)


# --- models ---------------------------------------------------------------------------------------


# The Keras networks the entries name; `net` and `layers` (below) cover most of them.


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

    # An initializer given as a config is made once and shared by the layers, as one object is.
    kernel, bias = (keras.initializers.get(i) if isinstance(i, dict) else i for i in (kernel, bias))
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


# --- recipes: the entries' parts as data ----------------------------------------------------------
# Every entry names `recipe` and lists its parts as parameters: a data set from DATA, steps from
# STEPS applied in order to the arrays (the split, scalings, injected faults), a network from
# MODELS (a dense `net`, or `layers` for keras.layers called in order), edits to its weights from
# EDITS, and its loss, optimizer and training.json. Each step draws from the entry's generator in
# the order listed.


def _make(rng: np.random.Generator, name: str, n: int, **options: Any) -> tuple[np.ndarray, np.ndarray]:
    """One of scikit-learn's generators (make_<name>), seeded from the entry's generator."""
    from sklearn import datasets

    return getattr(datasets, f"make_{name}")(n, **options, random_state=int(rng.integers(2**31)))


def _blobs(rng: np.random.Generator, n: int, features: int, classes: int) -> tuple[np.ndarray, np.ndarray]:
    return blobs(n=n, features=features, classes=classes, seed=int(rng.integers(2**31)))


def _sine_sequences(
    rng: np.random.Generator, n: int, length: int, classes: int, phase: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Noisy sine sequences (steps x 1 channel) whose class is the frequency, at a random phase
    or at none."""
    y = rng.integers(0, classes, n)
    t = np.arange(length)
    if phase:
        start = rng.uniform(0, 2 * np.pi, (n, 1))
        x = np.sin((y[:, None] + 1) * 2 * np.pi * t / length + start) + 0.3 * rng.normal(size=(n, length))
    else:
        x = np.sin((y[:, None] + 1) * 2 * np.pi * t / length) + 0.3 * rng.normal(size=(n, length))
    return x[..., None].astype(np.float32), y.astype(np.int64)


def _tags(rng: np.random.Generator, n: int, features: int, tags: int) -> tuple[np.ndarray, np.ndarray]:
    """Several independent yes/no tags per sample, each a noisy linear function of the inputs."""
    x = rng.normal(size=(n, features))
    y = (x @ rng.normal(size=(features, tags)) + 0.3 * rng.normal(size=(n, tags)) > 0).astype(np.float32)
    return x.astype(np.float32), y


def _walks(rng: np.random.Generator, n: int, length: int) -> tuple[np.ndarray, np.ndarray]:
    """Is a noisy random walk trending up or down (a drift of 0.5 per step: healthy-gru-sequences'
    note says why not 0.15)? The walk (scaled) and a noise channel."""
    y = rng.integers(0, 2, n)
    drift = np.where(y == 1, 0.5, -0.5)[:, None]
    walk = np.cumsum(drift + rng.normal(size=(n, length)), axis=1)
    x = np.stack([walk / 4.0, rng.normal(size=(n, length))], axis=-1).astype(np.float32)
    return x, y.astype(np.int64)


def _channels(
    rng: np.random.Generator, n: int, length: int, channels: int = 3
) -> tuple[np.ndarray, np.ndarray]:
    """Which of the noisy channels runs highest over the sequence?"""
    y = rng.integers(0, channels, n)
    x = rng.normal(size=(n, length, channels)) + 0.6 * np.eye(channels)[y][:, None, :]
    return x.astype(np.float32), y.astype(np.int64)


def _offsets(rng: np.random.Generator, n: int, length: int) -> tuple[np.ndarray, np.ndarray]:
    """Two-channel noise whose first channel is offset up (class 1) or down (class 0)."""
    y = rng.integers(0, 2, n)
    x = rng.normal(size=(n, length, 2)) + 0.8 * (2 * y - 1)[:, None, None] * np.array([1.0, 0.0])
    return x.astype(np.float32), y.astype(np.int64)


def _frequencies(rng: np.random.Generator, n: int, length: int) -> tuple[np.ndarray, np.ndarray]:
    """The frequency of a noisy sine (1 to 5 cycles over the sequence), standardized."""
    cycles = rng.uniform(1, 5, n)
    t = np.arange(length)
    x = np.sin(2 * np.pi * cycles[:, None] * t / length + rng.uniform(0, 2 * np.pi, (n, 1)))
    x = (x + 0.2 * rng.normal(size=(n, length)))[..., None].astype(np.float32)
    return x, ((cycles - 3) / np.sqrt(4 / 3)).astype(np.float32)  # uniform(1, 5): mean 3, std 2/sqrt(3)


def _mixed_tabular(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Six standardized numeric columns and two one-hot categorical ones (4 and 5 levels), a
    binary outcome from all of them."""
    numeric = rng.normal(size=(n, 6))
    first, second = rng.integers(0, 4, n), rng.integers(0, 5, n)
    logit = numeric @ rng.normal(size=6) + rng.normal(0, 1.5, 4)[first] + rng.normal(0, 1.5, 5)[second]
    y = (logit + 0.5 * rng.normal(size=n) > 0).astype(np.int64)
    return np.column_stack([numeric, _one_hot(first, 4), _one_hot(second, 5)]).astype(np.float32), y


def _counts(rng: np.random.Generator, n: int, features: int) -> tuple[np.ndarray, np.ndarray]:
    """Event counts (mean ~2) from standardized features, as a Poisson model has them."""
    x = rng.normal(size=(n, features))
    counts = rng.poisson(np.exp(0.5 + 0.3 * x @ rng.normal(size=features) / np.sqrt(2)))
    return x.astype(np.float32), counts.astype(np.float32)


def _checkerboard(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """A 2x2 checkerboard in the plane (the XOR of the signs): no line separates it."""
    x = rng.uniform(-1, 1, (n, 2))
    return x.astype(np.float32), ((x[:, 0] > 0) ^ (x[:, 1] > 0)).astype(np.int64)


def _powers(
    rng: np.random.Generator, n: int, coef: float = 1.0, power: int = 1, offset: float = 0.0, **grid: float
) -> tuple[np.ndarray, np.ndarray]:
    """y = coef * x**power + offset (+ noise) on the raw grid x = start + step * i, as the eighth
    round's questions wrote their own data: nothing scaled."""
    x = grid.get("start", 0.0) + grid.get("step", 1.0) * np.arange(n, dtype=np.float64)
    y = coef * x**power + offset + grid.get("noise", 0.0) * rng.normal(size=n)
    return x[:, None].astype(np.float32), y.astype(np.float32)


def _logistic_curve(
    rng: np.random.Generator, n: int, rate: float, sign: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """y = sign / (exp(rate * x) + 1) on the grid x = linspace(-1, 1, n), as the ninth round's
    sigmoid question wrote its own data: a negative sign puts every target below 0."""
    x = np.linspace(-1.0, 1.0, n)
    return x[:, None].astype(np.float32), (sign / (np.exp(rate * x) + 1.0)).astype(np.float32)


def _bar_masks(rng: np.random.Generator, n: int, size: int = 12) -> tuple[np.ndarray, np.ndarray]:
    """Noisy size x size images of one horizontal or vertical bar, and its segmentation mask as a
    mask PNG loads: 255 on the bar, 0 elsewhere (size x size x 1 each)."""
    masks = np.zeros((n, size, size))
    at = rng.integers(1, size - 1, n)
    for i, vertical in enumerate(rng.integers(0, 2, n)):
        if vertical:
            masks[i, :, at[i]] = 1.0
        else:
            masks[i, at[i], :] = 1.0
    images = masks + 0.2 * rng.normal(size=masks.shape)
    return images[..., None].astype(np.float32), (255 * masks[..., None]).astype(np.float32)


# The seventh round's real programs' data sets (the manifest's notes say what each stands in for).


def _digit_pixels(rng: np.random.Generator, upsample: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's digits as 0-255 grey images, each pixel repeated `upsample` times per side
    (24x24): a small stand-in for (Fashion-)MNIST as loaded, before any scaling."""
    x, y = _sklearn_set("digits")
    images = np.kron(np.round(x.reshape(-1, 8, 8) * 255 / 16), np.ones((upsample, upsample)))
    return images.astype(np.float32), y


def _uniform_power(
    rng: np.random.Generator,
    n: int,
    low: float,
    high: float,
    power: int,
    x_unit: float = 1,
    y_unit: float = 1,
) -> tuple[np.ndarray, np.ndarray]:
    """y = x**power for x uniform in [low, high], both divided by their unit (a fix's scaling)."""
    x = rng.uniform(low, high, size=(n, 1))
    return (x / x_unit).astype(np.float32), (x[:, 0] ** power / y_unit).astype(np.float32)


def _coded_xor(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """5 steps of 10 label-encoded categories (codes 0-3); the label is an XOR of two of them at
    different steps, as a (n, 1) column."""
    x = rng.integers(0, 4, size=(n, 5, 10)).astype(np.float32)
    return x, ((x[:, -1, 0] > 1) ^ (x[:, 1, 3] > 1)).astype(np.float32)[:, None]


def _majority_bits(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Cases of 3 bits (mostly ones) labelled "more than one bit set"."""
    x = (rng.random((n, 3)) < 0.7).astype(np.float32)
    return x, (x.sum(axis=1) > 1).astype(np.float32)


def _houses(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Area, rooms, age and distance (standardized) and a price in dollars."""
    area = rng.uniform(40, 250, n)
    rooms = np.clip(np.round(area / 30 + rng.normal(0, 1, n)), 1, None)
    age = rng.uniform(0, 80, n)
    distance = rng.exponential(8, n)
    price = 40_000 + 1_800 * area + 9_000 * rooms - 900 * age - 4_000 * distance
    return _standardize(np.column_stack([area, rooms, age, distance]))[0], price + rng.normal(0, 15_000, n)


def _bit_products(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """32-bit vectors and a standardized target made of pairwise bit products and single bits."""
    bits = (rng.random((n, 32)) < 0.5).astype(np.float32)
    pairs = rng.integers(0, 32, size=(12, 2))
    y = (bits[:, pairs[:, 0]] * bits[:, pairs[:, 1]]) @ rng.normal(size=12) + bits[:, :8] @ rng.normal(size=8)
    return bits, _standard_target(y)


def _uniform_line(
    rng: np.random.Generator, n: int, low: float, high: float, slope: float
) -> tuple[np.ndarray, np.ndarray]:
    """y = slope * x for x uniform in [low, high] (float32)."""
    x = rng.uniform(low, high, size=(n, 1)).astype(np.float32)
    return x, (slope * x[:, 0]).astype(np.float32)


def _relu_targets(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """y = relu(x) for x ~ N(0, 1)."""
    x = rng.normal(size=(n, 1)).astype(np.float32)
    return x, np.maximum(x[:, 0], 0)


# The eleventh round's GitHub-thread programs (the manifest's notes say what each stands in for).


def _markov_tokens(
    rng: np.random.Generator, n: int, vocab: int, steps: int, successors: int = 3
) -> tuple[np.ndarray, np.ndarray]:
    """Word ids from a Markov chain in which each word is followed by one of `successors` words
    (drawn per word, with Dirichlet weights): `steps` ids in, the next id at each step out (n x
    steps), as a language model's windows are cut from a text."""
    nexts = np.stack([rng.choice(vocab, successors, replace=False) for _ in range(vocab)])
    weights = rng.dirichlet(np.ones(successors), size=vocab)
    words = np.empty((n, steps + 1), dtype=np.int64)
    words[:, 0] = rng.integers(0, vocab, n)
    for t in range(steps):
        pick = (rng.random(n)[:, None] > np.cumsum(weights[words[:, t]], axis=1)).sum(axis=1)
        words[:, t + 1] = nexts[words[:, t], np.minimum(pick, successors - 1)]
    return words[:, :steps].astype(np.int32), words[:, 1:]


def _stock_days(
    rng: np.random.Generator, n: int, window: int, scaled: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Daily Open, High, Low, Volume and Close of a random-walk stock (a price near 700, a volume
    near 1.5e6) in date order, cut into `window`-day windows, each labelled with the next day's
    close; with `scaled`, every column min-max scaled to [0, 1] over the whole series first (as a
    tutorial's MinMaxScaler did before cutting the windows)."""
    days = n + window
    close = 700.0 * np.exp(np.cumsum(rng.normal(0, 0.015, days)))
    opened = np.concatenate([[700.0], close[:-1]]) * (1 + rng.normal(0, 0.005, days))
    high = np.maximum(opened, close) * (1 + np.abs(rng.normal(0, 0.005, days)))
    low = np.minimum(opened, close) * (1 - np.abs(rng.normal(0, 0.005, days)))
    volume = rng.lognormal(np.log(1.5e6), 0.4, days)
    table = np.column_stack([opened, high, low, volume, close])
    if scaled:
        table = (table - table.min(axis=0)) / np.ptp(table, axis=0)
    x = np.stack([table[i : i + window] for i in range(n)])
    return x.astype(np.float32), table[window : window + n, -1].astype(np.float32)


def _xor_table(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """The four rows of XOR's truth table, as an XOR question writes them."""
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
    return x, np.array([0, 1, 1, 0], dtype=np.int64)


# The twelfth round's GitHub and tutorial programs (the manifest's notes say what each stands in for).


def _table(rng: np.random.Generator, x: Sequence[Any], y: Sequence[Any]) -> tuple[np.ndarray, np.ndarray]:
    """The rows a source wrote out itself (a lab's CSV, a thread's arrays), as float32."""
    return np.asarray(x, dtype=np.float32), np.asarray(y, dtype=np.float32)


def _sums(rng: np.random.Generator, n: int, high: float, terms: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """`terms` numbers uniform in [0, high) and their sum (float32): a regression whose target
    leaves [-1, 1] wherever the sum passes 1."""
    x = rng.uniform(0.0, high, size=(n, terms))
    return x.astype(np.float32), x.sum(axis=1).astype(np.float32)


# The twelfth round's Stack Exchange programs (the manifest's notes say what each stands in for).


def _disk_ring(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """`n` points of each class in the plane, as an AI Stack Exchange question drew them: class 0
    uniform in radius within the unit disk, class 1 in the ring of radii 2 to 3 around it (raw
    coordinates, classes interleaved)."""
    radius = np.concatenate([rng.uniform(0, 1, n), rng.uniform(2, 3, n)])
    angle = rng.uniform(0, 2 * np.pi, 2 * n)
    y = np.repeat([0, 1], n)
    order = rng.permutation(2 * n)
    x = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    return x[order].astype(np.float32), y[order].astype(np.int64)


DATA: dict[str, Callable[..., tuple[np.ndarray, np.ndarray]]] = {
    "sklearn": lambda rng, name: _sklearn_set(name),
    "classes": _classes,
    "regression": _regression,
    "blobs": _blobs,
    "make": _make,
    "sine_sequences": _sine_sequences,
    "tags": _tags,
    "walks": _walks,
    "channels": _channels,
    "offsets": _offsets,
    "checkerboard": _checkerboard,
    "frequencies": _frequencies,
    "mixed_tabular": _mixed_tabular,
    "counts": _counts,
    "bars": lambda rng, n, size=12: _bars(rng, n, size),
    "tokens": lambda rng, **options: _topic_tokens(rng, **options),
    "pulses": lambda rng, **options: _pulses(rng, **options),
    "quantiles": lambda rng, **options: _quantiles(rng, **options),
    "swiss_roll": lambda rng, n: _swiss_roll(rng, n),
    "friedman2": lambda rng, n: _friedman2(rng, n),
    "diabetes": lambda rng: _diabetes(),
    "powers": _powers,
    # The ninth round's: the thread's own curve, a stand-in for U-Net masks.
    "logistic_curve": _logistic_curve,
    "bar_masks": _bar_masks,
    # The sixth round's base problems, drawn by their names in the manifest.
    "spirals": _spirals,
    "xor": _xor,
    "friedman3": _friedman3,
    "sines": _sines,
    "low-rank": _low_rank,
    "waves": _waves,
    "shapes": _shapes,
    "sectors": _sectors,
    # The seventh round's real programs.
    "digit_pixels": _digit_pixels,
    "uniform_power": _uniform_power,
    "coded_xor": _coded_xor,
    "majority_bits": _majority_bits,
    "houses": _houses,
    "bit_products": _bit_products,
    "uniform_line": _uniform_line,
    "relu_targets": _relu_targets,
    # The eleventh round's.
    "markov_tokens": _markov_tokens,
    "stock_days": _stock_days,
    "xor_table": _xor_table,
    # The twelfth round's.
    "table": _table,
    "sums": _sums,
    "disk_ring": _disk_ring,
    # The sixth round drew `first` samples to read the feature count, then the data.
    "redrawn": lambda rng, name, first, n: (DATA[name](rng, first), DATA[name](rng, n))[1],
}


def _both(
    a: BundleData, change: Callable[[np.ndarray], np.ndarray], on: str = "x", sets: str = "both"
) -> BundleData:
    """`change` applied to the training and/or validation arrays of `on` (x or y)."""
    train, val = (a.x_train, a.x_val) if on == "x" else (a.y_train, a.y_val)
    if sets != "val":
        train = change(train)
    if sets != "train" and val is not None:
        val = change(val)
    return replace(a, x_train=train, x_val=val) if on == "x" else replace(a, y_train=train, y_val=val)


def _standardized(a: BundleData, rng: np.random.Generator, val: bool = True) -> BundleData:
    """Standardized by the training columns; with `val` false the validation set is left as is."""
    if a.x_val is None or not val:
        return replace(a, x_train=_standardize(a.x_train)[0])
    x, xv = _standardize(a.x_train, a.x_val)
    return replace(a, x_train=x, x_val=xv)


def _affine(
    a: BundleData,
    rng: np.random.Generator,
    scale: Any = 1.0,
    shift: Any = None,
    where: Any = None,
    **which: str,
) -> BundleData:
    """scale * v (+ shift, when one is given), over the cells at `where` or all of them; a list
    is one value per column (float32)."""
    if isinstance(scale, tuple):
        scale, shift = np.array(scale, dtype=np.float32), np.array(shift, dtype=np.float32)

    def moved(v: np.ndarray) -> np.ndarray:
        return scale * v + shift if shift is not None else scale * v

    def change(v: np.ndarray) -> np.ndarray:
        if where is None:
            return moved(v)
        v = v.copy()
        v[where] = moved(v[where])
        return v

    return _both(a, change, **which)


def _cells(
    a: BundleData, rng: np.random.Generator, share: float, value: float, sets: str = "train"
) -> BundleData:
    """`share` of the cells replaced by `value`."""

    def change(v: np.ndarray) -> np.ndarray:
        v = v.copy()
        v[rng.random(v.shape) < share] = value
        return v

    return _both(a, change, sets=sets)


def _fill(a: BundleData, rng: np.random.Generator, where: Any, value: Any, on: str = "x") -> BundleData:
    """The cells at index `where` set to `value`, in training and validation alike."""

    def change(v: np.ndarray) -> np.ndarray:
        v = v.copy()
        v[where] = value
        return v

    return _both(a, change, on=on)


def _rows(
    a: BundleData,
    rng: np.random.Generator,
    count: int,
    value: float,
    column: int | None = None,
    on: str = "x",
) -> BundleData:
    """`count` training rows with `value` in one column, or in the whole row."""
    v = (a.x_train if on == "x" else a.y_train).copy()
    chosen = rng.choice(len(v), count, replace=False)
    v[chosen if column is None else (chosen, column)] = value
    return replace(a, x_train=v) if on == "x" else replace(a, y_train=v)


def _thin(
    a: BundleData, rng: np.random.Generator, positive: float, keep: int = 0, ratio: int = 0
) -> BundleData:
    """A one-vs-rest task (label == positive) with the positives thinned to `keep`, or to one
    per `ratio` negatives."""
    chosen, others = np.flatnonzero(a.y_train == positive), np.flatnonzero(a.y_train != positive)
    rows = rng.permutation(
        np.concatenate([others, rng.choice(chosen, keep or len(others) // ratio, replace=False)])
    )
    return BundleData(a.x_train[rows], (a.y_train[rows] == positive).astype(np.int64))


def _next_class(a: BundleData, rng: np.random.Generator, share: float, classes: int) -> BundleData:
    """`share` of the training labels moved to the next class (neighbours confused)."""
    moved = rng.choice(len(a.y_train), int(share * len(a.y_train)), replace=False)
    y = a.y_train.copy()
    y[moved] = (a.y_train[moved] + 1) % classes
    return replace(a, y_train=y)


def _stuck_columns(
    a: BundleData, rng: np.random.Generator, first: int, low: float, high: float
) -> BundleData:
    """The columns from `first` on stuck at per-column defaults drawn from [low, high)."""
    stuck = rng.uniform(low, high, a.x_train.shape[1] - first).astype(np.float32)
    return _fill(a, rng, (slice(None), slice(first, None)), stuck)


def _missing(a: BundleData, rng: np.random.Generator, share: float, column: int) -> BundleData:
    """One training column missing (NaN, not imputed) in `share` of the rows."""
    x = a.x_train.copy()
    x[rng.random(len(x)) < share, column] = np.nan
    return replace(a, x_train=x)


def _impute_mean(a: BundleData, rng: np.random.Generator, first: int, last: int) -> BundleData:
    """Columns first..last replaced by their mean: an imputation that filled whole columns."""
    x = a.x_train.copy()
    x[:, first:last] = x[:, first:last].mean(axis=0)
    return replace(a, x_train=x)


def _standardized_target(a: BundleData, rng: np.random.Generator) -> BundleData:
    mean, std = a.y_train.mean(), a.y_train.std()
    return _both(a, lambda v: ((v - mean) / std).astype(np.float32), on="y")


def _random_scales(a: BundleData, rng: np.random.Generator, offset: float = 0.0) -> BundleData:
    """Each column on its own scale, 1 to 1e4 (drawn), and `offset` scales from zero."""
    scales = 10.0 ** rng.uniform(0, 4, a.x_train.shape[1])
    if offset:
        return _both(a, lambda v: (v * scales + offset * scales).astype(np.float32))
    return _both(a, lambda v: v * scales.astype(np.float32))


def _log_counts(a: BundleData, rng: np.random.Generator) -> BundleData:
    """A log-transformed count column appended: log(0) = -inf where the count is 0."""
    assert a.x_val is not None
    counts = rng.poisson(np.exp(1.5 + 0.5 * np.concatenate([a.x_train, a.x_val])[:, 0]))
    with np.errstate(divide="ignore"):
        logged = np.log(counts).astype(np.float32)
    return replace(
        a,
        x_train=np.column_stack([a.x_train, logged[: len(a.x_train)]]),
        x_val=np.column_stack([a.x_val, logged[len(a.x_train) :]]),
    )


def _leak(a: BundleData, rng: np.random.Generator, share: float) -> BundleData:
    assert a.x_val is not None
    assert a.y_val is not None
    xv, yv = _leaked(a.x_train, a.y_train, a.x_val, a.y_val, share, rng)
    return replace(a, x_val=xv, y_val=yv)


def _stuck_channels(a: BundleData, rng: np.random.Generator, count: int) -> BundleData:
    """`count` channels, chosen at random, stuck at a last reading (a different value each)."""
    stuck = rng.choice(a.x_train.shape[1], count, replace=False)
    return _fill(a, rng, (slice(None), stuck), rng.normal(size=count).astype(np.float32))


def _repeat(a: BundleData, rng: np.random.Generator, times: int) -> BundleData:
    """The training rows written `times` times, shuffled."""
    order = rng.permutation(times * len(a.x_train))
    reps = (times,) + (1,) * (a.x_train.ndim - 1)
    return replace(a, x_train=np.tile(a.x_train, reps)[order], y_train=np.tile(a.y_train, times)[order])


def _duplicate(
    a: BundleData, rng: np.random.Generator, share: float, with_replacement: bool = False
) -> BundleData:
    """Copies of `share` of the training rows shuffled in (an oversampling or a merge gone wrong)."""
    copies = rng.choice(len(a.x_train), int(share * len(a.x_train)), replace=with_replacement)
    order = rng.permutation(len(a.x_train) + len(copies))
    x, y = (
        np.concatenate([a.x_train, a.x_train[copies]])[order],
        np.concatenate([a.y_train, a.y_train[copies]])[order],
    )
    return replace(a, x_train=x, y_train=y)


def _val_from_train(a: BundleData, rng: np.random.Generator, count: int) -> BundleData:
    leaked = rng.choice(len(a.x_train), count, replace=False)
    return replace(a, x_val=a.x_train[leaked], y_val=a.y_train[leaked])


def _subsample(a: BundleData, rng: np.random.Generator, n: int) -> BundleData:
    keep = rng.choice(len(a.x_train), n, replace=False)
    return replace(a, x_train=a.x_train[keep], y_train=a.y_train[keep])


def _sort(
    a: BundleData, rng: np.random.Generator, weights: Sequence[float] = (), column: int | None = None
) -> BundleData:
    """Rows sorted by the target, by a weighted sum of the first columns, or by one input (of
    the flattened inputs): a drift over time."""
    key = a.y_train if column is None else a.x_train.reshape(len(a.x_train), -1)[:, column]
    for index, weight in enumerate(weights):
        key = weight * a.x_train[:, index] if index == 0 else key + weight * a.x_train[:, index]
    order = np.argsort(key)
    return BundleData(a.x_train[order], a.y_train[order])


def _tail_split(a: BundleData, rng: np.random.Generator) -> BundleData:
    """The last 20 % of the rows as validation, as validation_split takes them."""
    cut = int(len(a.x_train) * (1 - VAL_SHARE))
    return BundleData(a.x_train[:cut], a.y_train[:cut], a.x_train[cut:], a.y_train[cut:])


def _keep_classes(a: BundleData, rng: np.random.Generator, keep: Sequence[float]) -> BundleData:
    """Only `keep[c]` of class c's samples kept."""
    kept = rng.random(len(a.y_train)) < np.asarray(keep)[a.y_train]
    return BundleData(a.x_train[kept], a.y_train[kept])


def _with_square(a: BundleData, rng: np.random.Generator) -> BundleData:
    """The target and its square (standardized by the training squares) as two columns."""
    square = a.y_train**2

    def pair(t: np.ndarray) -> np.ndarray:
        return np.stack([t, (t**2 - square.mean()) / square.std()], axis=1).astype(np.float32)

    return _both(a, pair, on="y")


def _drop_positives(a: BundleData, rng: np.random.Generator, share: float) -> BundleData:
    """`share` of the training positives recorded as negatives (unconfirmed cases filed as no)."""
    positives = np.flatnonzero(a.y_train == 1)
    y = a.y_train.copy()
    y[rng.choice(positives, int(share * len(positives)), replace=False)] = 0
    return replace(a, y_train=y)


def _standardized_raw(a: BundleData, rng: np.random.Generator, epsilon: float = 0.0) -> BundleData:
    """(v - mean) / (std + epsilon) by the training columns, unguarded: a constant column gives
    0 / 0 = NaN where epsilon is 0 (the ninth round's hand-written scaler)."""
    mean, std = a.x_train.mean(axis=0), a.x_train.std(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return _both(a, lambda v: ((v - mean) / (std + epsilon)).astype(np.float32))


def _oversample(a: BundleData, rng: np.random.Generator) -> BundleData:
    """Every training class drawn with replacement up to the largest one's count, shuffled in
    (random oversampling of the minorities); validation untouched."""
    classes, counts = np.unique(a.y_train, return_counts=True)
    extra = [
        rng.choice(np.flatnonzero(a.y_train == c), counts.max() - k)
        for c, k in zip(classes, counts, strict=True)
    ]
    rows = rng.permutation(np.concatenate([np.arange(len(a.y_train)), *extra]))
    return replace(a, x_train=a.x_train[rows], y_train=a.y_train[rows])


def _own_index(a: BundleData, rng: np.random.Generator) -> BundleData:
    """Validation word ids re-encoded as a tokenizer fitted on the validation texts alone would
    number them: the k-th most frequent validation word gets the id the training index gives its
    own k-th most frequent word (the eleventh round's separate word indices)."""
    assert a.x_val is not None
    vocab = int(max(a.x_train.max(), a.x_val.max())) + 1
    train_order = np.argsort(-np.bincount(a.x_train.ravel(), minlength=vocab), kind="stable")
    val_rank = np.empty(vocab, dtype=np.int64)
    val_rank[np.argsort(-np.bincount(a.x_val.ravel(), minlength=vocab), kind="stable")] = np.arange(vocab)
    return replace(a, x_val=train_order[val_rank][a.x_val].astype(a.x_val.dtype))


def _permute_labels(a: BundleData, rng: np.random.Generator) -> BundleData:
    """The training labels shuffled among the rows (each row keeps a label, drawn from the
    others'), as a notebook that shuffles its label array before fitting has them."""
    return replace(a, y_train=a.y_train[rng.permutation(len(a.y_train))])


STEPS: dict[str, Callable[..., BundleData]] = {
    "split": lambda a, rng, share=VAL_SHARE: BundleData(*_split(a.x_train, a.y_train, rng, share)),
    "standardize": _standardized,
    "astype": lambda a, rng, dtype, **which: _both(a, lambda v: v.astype(dtype), **which),
    "images": lambda a, rng, peak, shape: _both(
        a, lambda v: (v / peak).reshape(-1, *shape).astype(np.float32)
    ),
    "uint8": lambda a, rng, peak: replace(a, x_train=np.round(a.x_train * 255 / peak).astype(np.uint8)),
    "minmax": lambda a, rng: replace(
        a, x_train=((a.x_train - a.x_train.min(axis=0)) / np.ptp(a.x_train, axis=0)).astype(np.float32)
    ),
    "one_hot": lambda a, rng, classes: _both(a, lambda v: _one_hot(v, classes), on="y"),
    "flip": lambda a, rng, share, classes: replace(a, y_train=_flip(a.y_train, share, classes, rng)),
    "affine": _affine,
    "constant": lambda a, rng, value: replace(a, x_train=np.full_like(a.x_train, value)),
    "cells": _cells,
    "fill": _fill,
    "rows": _rows,
    "thin": _thin,
    "next_class": _next_class,
    "stuck_columns": _stuck_columns,
    "repeat": _repeat,
    "missing": _missing,
    "impute_mean": _impute_mean,
    "standardize_y": _standardized_target,
    "random_scales": _random_scales,
    "log_counts": _log_counts,
    "stuck_sensors": _stuck_channels,
    "leak": _leak,
    "positive": lambda a, rng: replace(a, y_train=(a.y_train > 0).astype(np.int64)),
    "smooth": lambda a, rng, classes, high, spread: _both(
        a, lambda v: (high * _one_hot(v, classes) + spread / classes).astype(np.float32), on="y"
    ),
    "zero_columns": lambda a, rng, count: _both(
        a, lambda v: np.column_stack([v, np.zeros((len(v), count))]).astype(np.float32)
    ),
    "ratings": lambda a, rng, top: replace(
        a, y_train=(top * (a.y_train - a.y_train.min()) / (np.ptp(a.y_train) + 1e-6)).astype(np.float32)
    ),
    "conflict": lambda a, rng, share, classes: BundleData(
        *_conflicting_copies(a.x_train, a.y_train, share, classes, rng)
    ),
    "duplicate": _duplicate,
    "val_from_train": _val_from_train,
    "subsample": _subsample,
    "sort": _sort,
    "tail_split": _tail_split,
    "drop_positives": _drop_positives,
    "keep_classes": _keep_classes,
    "with_square": _with_square,
    "column_scales": lambda a, rng: _both(
        a, lambda v: v * (10.0 ** (np.arange(v.shape[1]) % 5)).astype(np.float32)
    ),
    "column": lambda a, rng: _both(a, lambda v: v[:, None], on="y"),
    "standardize_raw": _standardized_raw,
    "oversample": _oversample,
    "own_index": _own_index,
    "permute_labels": _permute_labels,
    # A standardized target squashed into (0, 1): probabilities to regress on (the twelfth round's).
    "logistic_y": lambda a, rng: _both(a, lambda v: (1 / (1 + np.exp(-v))).astype(np.float32), on="y"),
    "quartiles": lambda a, rng: replace(
        a, y_train=np.digitize(a.y_train, np.quantile(a.y_train, [0.25, 0.5, 0.75])).astype(np.int64)
    ),
}


def _layers(arrays: BundleData, specs: Sequence[Sequence[Any]]) -> keras.Model:
    """A Sequential model of keras.layers called in order: [name, *args, {keyword args}]. The
    keyword "adapt" adapts the layer (a Normalization) to the training inputs as it is made."""
    import keras

    def layer(name: str, *args: Any) -> Any:
        keyed = bool(args) and isinstance(args[-1], dict)
        options = dict(args[-1]) if keyed else {}
        adapt = options.pop("adapt", False)
        # A spec among the arguments is a layer that wraps another (Bidirectional).
        given = [layer(*a) if isinstance(a, tuple) and a and isinstance(a[0], str) else a for a in args]
        made = getattr(keras.layers, name)(*given[: len(given) - keyed], **options)
        if adapt:
            made.adapt(arrays.x_train)
        return made

    return keras.Sequential([layer(*spec) for spec in specs])


def _residual(features: int, width: int, outputs: int) -> keras.Model:
    """A dense layer, then a LayerNormalization and a dense block added back to it (a skip)."""
    import keras

    inputs = keras.layers.Input((features,))
    hidden = keras.layers.Dense(width, activation="relu")(inputs)
    block = keras.layers.Dense(width, activation="relu")(keras.layers.LayerNormalization()(hidden))
    merged = keras.layers.Add()([hidden, block])
    return keras.Model(inputs, keras.layers.Dense(outputs)(merged))


def _attention(length: int, vocab: int, width: int, heads: int, classes: int) -> keras.Model:
    """Token ids through an Embedding, one self-attention block (residual, LayerNormalization)
    and average pooling."""
    import keras

    inputs = keras.layers.Input((length,), dtype="int32")
    embedded = keras.layers.Embedding(vocab, width)(inputs)
    attended = keras.layers.MultiHeadAttention(num_heads=heads, key_dim=width // heads)(embedded, embedded)
    block = keras.layers.LayerNormalization()(keras.layers.Add()([embedded, attended]))
    pooled = keras.layers.GlobalAveragePooling1D()(block)
    return keras.Model(inputs, keras.layers.Dense(classes, activation="softmax")(pooled))


def _plain(build: Callable[..., keras.Model]) -> Callable[..., keras.Model]:
    """A model builder that does not look at the arrays."""
    return lambda arrays, **options: build(**options)


# Each takes the arrays first (only `layers` reads them), then the entry's options.
MODELS: dict[str, Callable[..., keras.Model]] = {
    "net": _plain(_net),
    "layers": _layers,
    "residual": _plain(_residual),
    "attention": _plain(_attention),
}


def _zero_frozen(model: keras.Model, arrays: BundleData, layer: int) -> None:
    """The layer at `layer` frozen with zero weights (its weights never loaded)."""
    chosen = model.layers[layer]
    chosen.set_weights([np.zeros_like(w) for w in chosen.get_weights()])
    chosen.trainable = False


def _bias(model: keras.Model, arrays: BundleData, layer: int, value: float) -> None:
    """The layer at `layer` saved with every bias at `value`."""
    kernel, bias = model.layers[layer].get_weights()
    model.layers[layer].set_weights([kernel, np.full_like(bias, value)])


def _freeze(model: keras.Model, arrays: BundleData) -> None:
    model.trainable = False


def _negative(model: keras.Model, arrays: BundleData, layer: int, bias: float) -> None:
    """A checkpoint saved after a divergence: the layer's kernel all negative, its bias `bias`."""
    kernel, old = model.layers[layer].get_weights()
    model.layers[layer].set_weights([-np.abs(kernel), np.full_like(old, bias)])


EDITS: dict[str, Callable[..., None]] = {
    "freeze": _freeze,
    "zero_frozen": _zero_frozen,
    "bias": _bias,
    "negative": _negative,
}


def _call(registry: dict[str, Callable[..., Any]], spec: Sequence[Any], *args: Any) -> Any:
    """registry[name](*args, **options) for a spec [name] or [name, {options}]."""
    name, *options = spec
    return registry[name](*args, **(options[0] if options else {}))


def recipe(
    rng: np.random.Generator,
    data: Sequence[Any],
    model: Sequence[Any],
    loss: Any,
    steps: Sequence[Sequence[Any]] = (),
    edits: Sequence[Sequence[Any]] = (),
    optimizer: str = "adam",
    lr: float = 1e-3,
    options: dict[str, Any] | None = None,
    training: dict[str, Any] | None = None,
) -> Parts:
    """The parts an entry's parameters list (see above); a loss given as a dict is a Keras config,
    `options` the optimizer's other settings (momentum)."""
    import keras

    arrays = BundleData(*_call(DATA, data, rng))
    for step in steps:
        arrays = _call(STEPS, step, arrays, rng)
    network = _call(MODELS, model, arrays)
    for edit in edits:
        _call(EDITS, edit, network, arrays)
    loss = keras.losses.get(loss) if isinstance(loss, dict) else loss
    if options:
        chosen = keras.optimizers.get({"class_name": optimizer, "config": {"learning_rate": lr, **options}})
        network.compile(optimizer=chosen, loss=loss)
    else:
        _compiled(network, loss, optimizer, lr)
    return Parts(network, arrays, dict(training or TRAINING))


# The builders an entry may name.
BUILDERS: dict[str, Callable[..., Parts]] = {"recipe": recipe}


def _param(value: Any) -> Any:
    """A parameter as the manifest writes it: a list is a tuple, {"slice": [...]} a slice."""
    if isinstance(value, list):
        return tuple(_param(v) for v in value)
    if isinstance(value, dict):
        return slice(*value["slice"]) if set(value) == {"slice"} else {k: _param(v) for k, v in value.items()}
    return value


def load_entries(path: Path = MANIFEST) -> list[Entry]:
    """The manifest's entries, with their builders resolved and their parameters bound."""
    entries = []
    for row in json.loads(path.read_text())["entries"]:
        builder = BUILDERS[row["builder"]]
        make = functools.partial(builder, **_param(row["params"])) if "params" in row else builder
        entries.append(
            Entry(
                row["name"],
                row["cause"],
                frozenset(row["expected"]),
                make,
                frozenset(row.get("incidental", ())),
                row["split"],
                row["seed"],
                row["round"],
                row.get("source", ""),
            )
        )
    return entries


CORPUS: tuple[Entry, ...] = tuple(load_entries())


def select(split: str = "all") -> list[Entry]:
    """The entries of one split, of "tuning" (tune + seen), or "all"."""
    chosen = SPLITS if split == "all" else TUNING if split == "tuning" else (split,)
    return [e for e in CORPUS if e.split in chosen]


def main() -> int:
    for entry in CORPUS:
        codes = ",".join(sorted(entry.expected)) or "-"
        extra = f" (+{','.join(sorted(entry.incidental))})" if entry.incidental else ""
        print(f"{entry.split:<8} {entry.name:<44} {codes}{extra}")
    faulty = sum(not e.healthy for e in CORPUS)
    shares = ", ".join(f"{sum(e.split == split for e in CORPUS)} {split}" for split in SPLITS)
    print(f"{faulty} faulty, {len(CORPUS) - faulty} healthy; {shares}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
