"""Short, seeded training probes on fresh copies of the user's model.

Each probe answers one question an experienced engineer would ask before touching the
architecture: does the loss start where it should, can the model memorize one batch, which
learning rates work, do gradients and activations look alive, and what does a short replay
of the user's own configuration look like. Budgets are in steps, so cost is predictable.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from diagnosis.bundle import (
    CLASS_DISTRIBUTIONS,
    BundleData,
    LabelInfo,
    ModelInfo,
    TrainingConfig,
    position_rows,
)
from diagnosis.curves import rounded
from diagnosis.evidence import DATA_SIDE, FAULT_SIDE_KEY
from diagnosis.models import Finding, Severity
from diagnosis.probes.model_audit.learning_rate import usual_rate
from diagnosis.probes.model_info import activation_name, fresh_copy
from diagnosis.rules.unexpected_initial_loss import ABOVE, FACTOR
from diagnosis.taxonomy import Category, Code

if TYPE_CHECKING:
    import keras

SEED = 1234
# Samples evaluated for the loss at initialization.
INIT_SAMPLES = 1024
# Overfitting one batch: the batch, the steps, and "memorized" = loss below this share of its start.
OVERFIT_BATCH = 32
OVERFIT_STEPS = 150
OVERFIT_RATIO = 0.1
# A loss that has not memorized but still fell by this share over the last third of the steps
# is memorizing slowly (noisy labels in the batch, a small rate, a small CNN), not blocked:
# only a loss that has really stopped is a wiring bug. At 2.5 % per 50 steps a loss needs
# over 4,500 more steps to fall 10x, stopped for any short run. Measured on the tuning
# bundles: the wiring faults (frozen, zeroed or dead layers, constant inputs) gain 0 to 0.95 %
# (only the output bias still settling on the batch's classes), a slow but healthy 1-D CNN 5 %;
# the bound sits between them on a log scale. Each end of that third is a mean over
# STALL_WINDOW steps, so one noisy step (Dropout is active) does not decide it.
STALL_GAIN = 0.025
STALL_WINDOW = 10
# The rate a fresh Adam uses when the user's own optimizer cannot even memorize one batch.
REFERENCE_LR = 1e-3
# Learning-rate range test: sweep from LR_MIN to LR_MAX over LR_STEPS steps, smoothing the loss
# with an EMA, stop once it passes LR_BLOWUP times its best.
LR_MIN, LR_MAX, LR_STEPS = 1e-6, 1.0, 100
LR_SMOOTHING = 0.9
LR_BLOWUP = 4.0
# The suggested rate is the one at the smoothed minimum divided by this (the valley heuristic).
LR_VALLEY = 10.0
# The configured rate is judged against the suggestion: this many times above or below it.
LR_HIGH, LR_LOW = 10.0, 30.0
# The range test's steps take at least this many rows, whatever the configured batch: one
# sample's loss swings by orders of magnitude from sample to sample (x = 0 against x = 199 on a
# raw grid), so with batches of one the smoothed loss rises LR_BLOWUP times its best on noise
# within the first steps and the test ends before any rate was judged. The usual default batch.
LR_MIN_BATCH = 32
# Gradient and activation statistics: the batch, the warm-up steps before measuring again.
STATS_BATCH = 256
STATS_STEPS = 20
DEAD_SHARE = 0.5  # share of a ReLU layer's units that never fire on the batch
# The evidence key of unit findings measured on a fresh copy after STATS_STEPS steps (not on the
# saved weights): what the replay, which trains such a copy, can confirm or not.
FRESH_COPY_STEPS = "fresh_copy_steps"
SATURATED_SHARE = 0.5  # share of a sigmoid/tanh layer's units pinned near their limits
SATURATION = 0.99
# What each unhealthy kind is tried with, whether the training probes or the saved weights
# found it.
UNIT_FIXES: dict[str, dict[str, Any]] = {
    "dead": {"hidden_activation": "leaky_relu", "kernel_initializer": "he_normal"},
    "saturated": {"hidden_activation": "relu", "kernel_initializer": "he_normal"},
}
VANISHING_RATIO = 1e-3  # first layer's relative gradient over the last layer's
EXPLODING_NORM = 1e3
# Replays: at most this many samples and epochs of the user's configuration.
REPLAY_SAMPLES = 2000
REPLAY_EPOCHS = 8
# ... and, within the user's own epochs, at least as many optimizer steps as the one-batch probe
# gives a model to memorize 32 samples (OVERFIT_STEPS): fewer cannot show learning on the whole
# data that the probe would not expect on one batch. Eight epochs are some 500 steps on 2000 rows
# at batch 32, but 8 on a full batch and 24 on 80 rows; such a replay stops before a healthy
# model has left its start and reads as "learned nothing". Small data makes these steps cheap.
MIN_REPLAY_STEPS = OVERFIT_STEPS
# Batch normalization validates with moving averages of the batch statistics, which start at 0
# and 1 and move a share 1 - momentum of the way per step: a replay must run until no more than
# this share of those starting values is left (three time constants: 299 steps at Keras's
# momentum of 0.99), or its validation reads a network that has not yet been normalized with
# its own statistics (a digits CNN at validation accuracy 0.29 and training loss 0.03 after 230
# steps). Small data makes these steps cheap.
MOVING_AVERAGE_LEFT = 0.05
VALIDATION_SHARE = 0.2
# Rows per eager forward call when the probes read predictions or activations.
PREDICT_BATCH = 256


@dataclass
class Prepared:
    """The arrays the probes train on: float32, a seeded shuffle, a validation split."""

    x: np.ndarray
    y: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray

    @classmethod
    def from_bundle(cls, data: BundleData, limit: int = REPLAY_SAMPLES) -> Prepared:
        rng = np.random.default_rng(SEED)
        order = rng.permutation(len(data.x_train))
        x = np.asarray(data.x_train, dtype=np.float32)[order]
        y = np.asarray(data.y_train)[order]
        if data.x_val is not None and data.y_val is not None:
            x_val, y_val = np.asarray(data.x_val, dtype=np.float32), np.asarray(data.y_val)
        else:
            cut = max(1, int(len(x) * VALIDATION_SHARE))
            x, y, x_val, y_val = x[cut:], y[cut:], x[:cut], y[:cut]
        return cls(x[:limit], y[:limit], x_val[: max(1, limit // 4)], y_val[: max(1, limit // 4)])

    def finite(self) -> Prepared:
        """Only the samples whose features and labels are all finite, for the probes that ask
        about the model and the optimizer: the data audit already names non-finite values, and
        one NaN row would otherwise turn every probe's loss into NaN and its verdict into noise.
        The replays keep every row, since they show what the user's own run does."""

        def keep(x: np.ndarray, y: np.ndarray) -> np.ndarray:
            rows = np.isfinite(x.reshape(len(x), -1)).all(axis=1)
            if y.dtype.kind == "f":
                rows &= np.isfinite(y.reshape(len(y), -1)).all(axis=1)
            kept: np.ndarray = rows
            return kept

        train, val = keep(self.x, self.y), keep(self.x_val, self.y_val)
        if (train.all() and val.all()) or not (train.any() and val.any()):
            return self
        return Prepared(self.x[train], self.y[train], self.x_val[val], self.y_val[val])


@dataclass
class Replay:
    """A short run of a configuration: its curves and a task metric on validation data."""

    history: dict[str, list[float]]
    score: dict[str, float | None]
    steps: int


@dataclass
class ProbeResults:
    findings: list[Finding] = field(default_factory=list)
    measurements: dict[str, Any] = field(default_factory=dict)
    suggested_lr: float | None = None
    # Optimizer steps run per probe: what the suite costs in units of a plain model.fit.
    steps: dict[str, int] = field(default_factory=dict)

    def count(self, probe: str, steps: int) -> None:
        self.steps[probe] = self.steps.get(probe, 0) + steps


def _seed(seed: int = SEED) -> None:
    import keras

    keras.utils.set_random_seed(seed)


class FreshStart:
    """A seeded, freshly initialized copy, compiled once and restored to its first state for
    each run that starts from it: the model probes (initial loss, one-batch overfit, range
    test, statistics, the saved weights' fresh draw) share one compiled with the loss alone,
    and the replay and the fix trials that keep the architecture (another rate, standardized
    inputs, class weights) share one compiled as the user trains.

    Each run used to re-seed and clone its own copy: the same weights, drawn again, but a new
    model whose train (and test) functions had to be traced again (~0.4-0.6 CPU-s each for a
    1M-parameter MLP, as much as 50-80 of its steps). Restoring every variable of the model
    (weights, moving statistics, the dropout layers' seed states) and of its optimizer (slots,
    step count, rate) to their values before the first run gives each run exactly the start
    it had, down to the bit."""

    def __init__(
        self, model: keras.Model, info: ModelInfo, *, metrics: bool = False, per_unit_accuracy: bool = False
    ) -> None:
        _seed()
        self.model = fresh_copy(model, info, metrics=metrics, per_unit_accuracy=per_unit_accuracy)
        # The slots exist from the start, so the snapshot holds their initial values (zeros for
        # Adam's moments, Adagrad's initial accumulator).
        self.model.optimizer.build(self.model.trainable_variables)
        self._variables = [np.array(v.numpy()) for v in self.model.variables]
        self._optimizer = [np.array(v.numpy()) for v in self.model.optimizer.variables]

    def restored(self, learning_rate: float | None = None) -> keras.Model:
        """The copy as it was first drawn, with a fresh optimizer state (at another rate)."""
        _seed()
        for variable, value in zip(self.model.variables, self._variables, strict=True):
            variable.assign(value)
        for variable, value in zip(self.model.optimizer.variables, self._optimizer, strict=True):
            variable.assign(value)
        if learning_rate is not None:
            self.model.optimizer.learning_rate.assign(learning_rate)
        return self.model


def _loss_value(result: Any) -> float:
    """train_on_batch returns a scalar or [loss, *metrics] depending on the metrics compiled."""
    value = result[0] if isinstance(result, list | tuple) else result
    return float(value)


def _forward(model: Callable[..., Any], x: np.ndarray) -> list[np.ndarray]:
    """The model's outputs in inference mode, called eagerly in batches: every probe model is
    a fresh copy, and `predict` would trace a new graph for each (~0.2 s apiece, more than the
    few hundred validation rows take to run). One array per output."""
    batches = [model(x[i : i + PREDICT_BATCH], training=False) for i in range(0, len(x), PREDICT_BATCH)]
    if isinstance(batches[0], list | tuple):
        return [np.concatenate([np.asarray(b[k]) for b in batches]) for k in range(len(batches[0]))]
    return [np.concatenate([np.asarray(b, dtype=np.float64) for b in batches])]


def task_score(
    model: Callable[..., Any], x: np.ndarray, y: np.ndarray, labels: LabelInfo
) -> dict[str, float | None]:
    """A metric that does not depend on the loss, so trials that swap the loss stay comparable."""
    (predictions,) = _forward(model, x)  # the probes train single-output models
    rows = position_rows(np.asarray(y), predictions.shape[1:])
    if rows is not None:  # a label per output position (a word per time step): one row each
        y, predictions = rows, predictions.reshape(len(rows), -1)
    if not np.isfinite(predictions).all():
        return {"accuracy": None} if labels.num_classes or labels.format == "multi_hot" else {"mse": None}
    if labels.format == "multi_hot":  # each tag right or wrong on its own
        guess = predictions.reshape(len(y), -1) > 0.5
        return {"accuracy": rounded(float(np.mean(guess == (y.reshape(len(y), -1) > 0.5))), 4)}
    if labels.format == "continuous" or labels.num_classes is None:
        return {
            "mse": rounded(float(np.mean((predictions.reshape(len(y), -1) - y.reshape(len(y), -1)) ** 2)))
        }
    truth = np.argmax(y, axis=1) if labels.format in CLASS_DISTRIBUTIONS else y.reshape(-1).astype(int)
    if predictions.ndim == 1 or predictions.shape[-1] == 1:
        guess = (predictions.reshape(-1) > 0.5).astype(int)
    else:
        guess = np.argmax(predictions, axis=-1)
    # Balanced accuracy (the mean recall over the classes present): on 600:1 classes predicting
    # the majority scores 0.998 accuracy and 0.5 here, so a trial that weights the classes is
    # judged on what it changes (fixes.BALANCED_METRIC).
    recalls = [float(np.mean(guess[truth == c] == c)) for c in np.unique(truth)]
    return {
        "accuracy": rounded(float(np.mean(guess == truth)), 4),
        "balanced_accuracy": rounded(float(np.mean(recalls)), 4),
    }


def expected_initial_loss(info: ModelInfo, labels: LabelInfo) -> float | None:
    """ln K for a classifier trained with a cross-entropy; None when there is no yardstick."""
    if not info.loss or "crossentropy" not in info.loss or not labels.num_classes:
        return None
    return math.log(max(2, labels.num_classes))


def initial_loss(
    start: FreshStart, info: ModelInfo, data: Prepared, labels: LabelInfo, out: ProbeResults
) -> None:
    fresh = start.restored()
    loss = float(
        fresh.evaluate(data.x[:INIT_SAMPLES], data.y[:INIT_SAMPLES], verbose=0, return_dict=True)["loss"]
    )
    expected = expected_initial_loss(info, labels)
    out.measurements["initial_loss"] = {
        "loss": rounded(loss),
        "expected": rounded(expected) if expected else None,
    }
    if expected is None or not math.isfinite(loss):
        return
    if loss < FACTOR * expected and loss - expected < ABOVE:
        return
    out.findings.append(
        Finding(
            code=Code.unexpected_initial_loss,
            category=Category.implementation,
            severity=Severity.warning,
            confidence=0.85,
            summary=(
                f"A freshly initialized copy starts at loss {loss:.3g}, {loss / expected:.0f}x the "
                f"ln K = {expected:.3f} of an uninformed guess."
            ),
            evidence={
                "initial_loss": rounded(loss),
                "expected": rounded(expected),
                "thresholds": {"factor": FACTOR},
            },
            recommendation=(
                "Check the output activation against the loss and standardize the inputs; a fresh "
                "classifier should predict roughly uniform probabilities."
            ),
        )
    )


@dataclass
class Memorization:
    """The losses of one run of steps on the same batch."""

    losses: list[float]

    @property
    def first(self) -> float:
        return self.losses[0]

    @property
    def last(self) -> float:
        return self.losses[-1]

    @property
    def memorized(self) -> bool:
        return math.isfinite(self.last) and self.last <= OVERFIT_RATIO * max(self.first, 1e-12)

    @property
    def late_gain(self) -> float | None:
        """How much the loss fell over the last third of the steps (a share of where it was);
        None when the run stopped early on a non-finite loss."""
        if len(self.losses) < OVERFIT_STEPS or not math.isfinite(self.last):
            return None
        third = 2 * len(self.losses) // 3
        before = float(np.mean(self.losses[third - STALL_WINDOW // 2 : third + STALL_WINDOW // 2]))
        after = float(np.mean(self.losses[-STALL_WINDOW:]))
        return (before - after) / before if before > 0 else 0.0

    @property
    def blew_up(self) -> bool:
        """The loss went non-finite: the steps blew the weights up, which says nothing about
        whether the wiring lets the model learn (the replay's curves read the instability)."""
        return not math.isfinite(self.last)

    @property
    def still_falling(self) -> bool:
        gain = self.late_gain
        return gain is not None and gain >= STALL_GAIN


def _memorize(fresh: keras.Model, x: np.ndarray, y: np.ndarray, out: ProbeResults) -> Memorization:
    losses = [_loss_value(fresh.train_on_batch(x, y))]
    for _ in range(OVERFIT_STEPS - 1):
        losses.append(_loss_value(fresh.train_on_batch(x, y)))
        if not math.isfinite(losses[-1]):
            break
    out.count("overfit_one_batch", len(losses))
    return Memorization(losses)


def overfit_one_batch(
    model: keras.Model, start: FreshStart, info: ModelInfo, data: Prepared, out: ProbeResults
) -> None:
    """A correctly wired model memorizes 32 samples in a few hundred steps; failing even with
    a reference optimizer, with a finite loss that has stopped falling, is the classic sign of a
    wiring bug. A reference run whose loss went non-finite blew up instead: an instability (a
    ReLU recurrence), not a block, and no evidence about the wiring."""
    x, y = data.x[:OVERFIT_BATCH], data.y[:OVERFIT_BATCH]
    own = _memorize(start.restored(), x, y, out)
    result: dict[str, Any] = {
        "steps": OVERFIT_STEPS,
        "first_loss": rounded(own.first),
        "last_loss": rounded(own.last),
        "memorized": own.memorized,
    }
    if not own.memorized:
        # The user's own optimizer may be the reference already: the same seeded run again
        # would only repeat it.
        same = (
            info.optimizer == "adam"
            and info.learning_rate is not None
            and math.isclose(info.learning_rate, REFERENCE_LR, rel_tol=1e-6)
        )
        reference = own
        if not same:
            _seed()
            reference = _memorize(
                fresh_copy(model, info, learning_rate=REFERENCE_LR, optimizer="adam", metrics=False),
                x,
                y,
                out,
            )
        result["reference_adam"] = {
            "first_loss": rounded(reference.first),
            "last_loss": rounded(reference.last),
            "late_gain": rounded(reference.late_gain, 4) if reference.late_gain is not None else None,
            "blew_up": reference.blew_up,
            "thresholds": {"ratio": OVERFIT_RATIO, "stall_gain": STALL_GAIN},
        }
        if not (reference.memorized or reference.still_falling or reference.blew_up):
            out.findings.append(
                Finding(
                    code=Code.cannot_overfit_batch,
                    category=Category.implementation,
                    severity=Severity.error,
                    confidence=0.85,
                    summary=(
                        f"The model cannot memorize {OVERFIT_BATCH} samples in {OVERFIT_STEPS} steps, even "
                        f"with Adam at {REFERENCE_LR:g}: loss {reference.first:.3g} -> {reference.last:.3g}, "
                        "and it has stopped falling."
                    ),
                    evidence=result,
                    recommendation=(
                        "Something in the wiring blocks learning: check that labels, loss and output layer "
                        "agree, that no layer is frozen, and that the inputs are not constant."
                    ),
                )
            )
    out.measurements["overfit_one_batch"] = result


def lr_range_test(
    start: FreshStart, info: ModelInfo, data: Prepared, config: TrainingConfig, out: ProbeResults
) -> None:
    """Leslie Smith's range test: raise the rate every step and watch where the loss falls
    fastest and where it blows up."""
    fresh = start.restored()
    rates = np.geomspace(LR_MIN, LR_MAX, LR_STEPS)
    batch = min(max(config.batch_size, LR_MIN_BATCH), len(data.x))
    smoothed, best, curve, blowup = None, math.inf, [], None
    for step, rate in enumerate(rates):
        first = (step * batch) % max(1, len(data.x) - batch + 1)
        fresh.optimizer.learning_rate.assign(rate)
        loss = _loss_value(fresh.train_on_batch(data.x[first : first + batch], data.y[first : first + batch]))
        out.count("lr_range_test", 1)
        if not math.isfinite(loss):
            # The clearest blow-up there is: the rate that overflowed the loss is where it blew up.
            blowup = float(rate)
            break
        smoothed = loss if smoothed is None else LR_SMOOTHING * smoothed + (1 - LR_SMOOTHING) * loss
        debiased = smoothed / (1 - LR_SMOOTHING ** (step + 1))
        curve.append((float(rate), debiased))
        best = min(best, debiased)
        if debiased > LR_BLOWUP * best:
            blowup = float(rate)
            break
    if len(curve) < 5:
        return
    rates_seen, losses = np.array([c[0] for c in curve]), np.array([c[1] for c in curve])
    at_min = float(rates_seen[int(np.argmin(losses))])
    suggested = at_min / LR_VALLEY
    out.suggested_lr = float(f"{suggested:.2g}")
    out.measurements["lr_range_test"] = {
        "suggested_learning_rate": out.suggested_lr,
        "loss_minimum_at": rounded(at_min, 3),
        "blows_up_at": rounded(blowup, 3) if blowup else None,
        "configured": info.learning_rate,
        "steps": len(curve),
    }
    configured = info.learning_rate
    if configured is None:
        return
    side: dict[str, str] = {}
    if configured >= LR_HIGH * suggested or (blowup is not None and configured >= blowup / 3):
        code, words = Code.lr_too_high, "above"
        if usual_rate(info):
            # The optimizer's usual rate, set for unit-scale data: too high for this data says
            # as much about the data's scale (diagnosis.evidence.MIRRORED_BY weighs which).
            side = {FAULT_SIDE_KEY: DATA_SIDE}
    elif configured <= suggested / LR_LOW:
        code, words = Code.lr_too_low, "below"
    else:
        return
    out.findings.append(
        Finding(
            code=code,
            category=Category.hyperparameters,
            severity=Severity.warning,
            confidence=0.8,
            summary=(
                f"The configured learning rate {configured:g} is far {words} the {out.suggested_lr:g} "
                "that the range test suggests."
            ),
            evidence={**out.measurements["lr_range_test"], **side},
            recommendation=f"Train with learning_rate={out.suggested_lr:g}.",
            fix={"learning_rate": out.suggested_lr},
        )
    )


def _layer_outputs(fresh: keras.Model) -> tuple[list[keras.layers.Layer], keras.Model | None]:
    import keras

    watched = [layer for layer in fresh.layers[:-1] if activation_name(layer)]
    if not watched:
        return [], None
    try:
        # A single input as a tensor, not a one-item list: the tap is called eagerly with an array.
        inputs = fresh.inputs[0] if len(fresh.inputs) == 1 else fresh.inputs
        return watched, keras.Model(inputs, [layer.output for layer in watched])
    except (ValueError, AttributeError):  # subclassed models have no graph to tap
        return [], None


def gradient_stats(start: FreshStart, data: Prepared, out: ProbeResults) -> None:
    """Per-layer gradient norms and activation health after a few steps of the user's setup."""
    import tensorflow as tf

    fresh = start.restored()
    x, y = data.x[:STATS_BATCH], data.y[:STATS_BATCH]
    for _ in range(STATS_STEPS):
        fresh.train_on_batch(x[:OVERFIT_BATCH], y[:OVERFIT_BATCH])
    out.count("gradient_stats", STATS_STEPS)
    with tf.GradientTape() as tape:
        predictions = fresh(x, training=True)
        loss = fresh.loss(y, predictions)
    layers = [layer for layer in fresh.layers if layer.trainable_weights]
    weights = [w for layer in layers for w in layer.trainable_weights]
    grads = tape.gradient(loss, weights)

    # Every squared norm in one stacked tensor, read back once: a float() per tensor is a
    # device sync each, two per weight (slow on a GPU, and ~1 ms apiece even on a CPU).
    def squared(t: Any) -> Any:
        return tf.constant(0.0) if t is None else tf.cast(tf.reduce_sum(tf.square(t)), tf.float32)

    squares = np.asarray(
        tf.stack([squared(g) for g in grads] + [squared(w) for w in weights]), dtype=np.float64
    )
    grad_squares, weight_squares = squares[: len(weights)], squares[len(weights) :]
    norms, position = [], 0
    for layer in layers:
        count = len(layer.trainable_weights)
        g_norm = float(np.sqrt(grad_squares[position : position + count].sum()))
        w_norm = float(np.sqrt(weight_squares[position : position + count].sum()))
        position += count
        norms.append(
            {
                "layer": layer.name,
                "grad_norm": rounded(g_norm),
                "relative": rounded(g_norm / max(w_norm, 1e-12)),
            }
        )
    # From the raw squares, so that a layer's non-finite norm (None in its evidence) is not read
    # as 0: a gradient that went non-finite from a finite start blew up in those few steps.
    total = float(np.sqrt(grad_squares.sum())) if norms else 0.0
    stats: dict[str, Any] = {"steps_before": STATS_STEPS, "layers": norms, "global_grad_norm": rounded(total)}
    out.measurements["gradient_stats"] = stats
    # A loss already non-finite on the fresh copy (a loss that cannot read the labels) is the
    # wiring's, not the dynamics'.
    started_finite = (out.measurements.get("initial_loss") or {}).get("loss") is not None
    blew_up = not math.isfinite(total) and started_finite
    if norms and (blew_up or total > EXPLODING_NORM):
        out.findings.append(
            _dynamics(
                Code.exploding_gradients,
                f"The gradient went non-finite within {STATS_STEPS} steps of a finite start."
                if blew_up
                else f"The global gradient norm is {total:.3g}.",
                stats,
                "Clip gradients (clipnorm=1.0) and lower the learning rate.",
                {"clipnorm": 1.0},
            )
        )
    if len(norms) >= 3 and norms[0]["relative"] is not None and norms[-1]["relative"]:
        ratio = norms[0]["relative"] / norms[-1]["relative"]
        if ratio < VANISHING_RATIO:
            out.findings.append(
                _dynamics(
                    Code.vanishing_gradients,
                    f"The first layer's relative gradient is {ratio:.1e} of the last layer's: "
                    "early layers barely learn.",
                    stats,
                    "Use ReLU with He initialization, or BatchNormalization between layers.",
                    {"hidden_activation": "relu", "kernel_initializer": "he_normal"},
                )
            )
    shares = _unit_health(fresh, x)
    dead = [
        {"layer": name, "dead_share": rounded(share, 3)}
        for name, (kind, share) in shares.items()
        if kind == "dead" and share >= DEAD_SHARE
    ]
    saturated = [
        {"layer": name, "saturated_share": rounded(share, 3)}
        for name, (kind, share) in shares.items()
        if kind == "saturated" and share >= SATURATED_SHARE
    ]
    if dead:
        out.findings.append(
            _dynamics(
                Code.dead_units,
                f"ReLU units that never fire in {len(dead)} layer(s).",
                {"layers": dead, "thresholds": {"dead_share": DEAD_SHARE}, FRESH_COPY_STEPS: STATS_STEPS},
                "Use LeakyReLU or He initialization, and lower the learning rate by 3x.",
                UNIT_FIXES["dead"],
            )
        )
    if saturated:
        out.findings.append(
            _dynamics(
                Code.saturated_activations,
                f"Sigmoid/tanh units pinned at their limits in {len(saturated)} layer(s).",
                {"layers": saturated, "thresholds": {"saturated_share": SATURATED_SHARE}},
                "Use ReLU, BatchNormalization, or a smaller initialization (glorot_uniform).",
                UNIT_FIXES["saturated"],
            )
        )


def _unit_health(model: keras.Model, x: np.ndarray) -> dict[str, tuple[str, float]]:
    """Per hidden layer with an activation: the share of its ReLU units that never fire on
    the batch ("dead"), or of its sigmoid/tanh units pinned near their limits on 90 % of it
    ("saturated"). Empty when the model has no graph to tap."""
    watched, tap = _layer_outputs(model)
    if tap is None:
        return {}
    outputs = _forward(tap, x)
    shares: dict[str, tuple[str, float]] = {}
    for layer, activation in zip(watched, outputs, strict=True):
        a = np.asarray(activation).reshape(len(x), -1)
        name = activation_name(layer)
        if name == "relu":
            shares[layer.name] = ("dead", float(np.mean((a <= 0).all(axis=0))))
        elif name in {"tanh", "sigmoid"}:
            low, high = (-SATURATION, SATURATION) if name == "tanh" else (1 - SATURATION, SATURATION)
            pinned = np.mean((a <= low) | (a >= high), axis=0) > 0.9
            shares[layer.name] = ("saturated", float(np.mean(pinned)))
    return shares


def saved_weights(model: keras.Model, start: FreshStart, data: Prepared, out: ProbeResults) -> None:
    """Dead and saturated units in the model exactly as it was saved, on a batch of its data.

    Every other probe trains a fresh copy re-initialized from the layers' configs, so a
    checkpoint whose own weights kill units (a bias written far negative, a run that blew its
    ReLUs out) would go unseen. The same batch through a fresh copy at initialization tells
    the checkpoint's doing apart from the architecture's or the data's: only layers past the
    threshold in the saved weights and under it in the fresh draw are reported here (the
    others are the training probes' to judge)."""
    x = data.x[:STATS_BATCH]
    saved = _unit_health(model, x)
    if not saved:
        return
    drawn = _unit_health(start.restored(), x)
    limits = {"dead": DEAD_SHARE, "saturated": SATURATED_SHARE}
    layers = [
        {"layer": name, "kind": kind, "share": rounded(share, 3), "fresh_share": rounded(drawn[name][1], 3)}
        for name, (kind, share) in saved.items()
        if share >= limits[kind] and name in drawn and drawn[name][1] < limits[kind]
    ]
    out.measurements["saved_weights"] = {
        "batch": len(x),
        "layers": [{"layer": n, "kind": k, "share": rounded(v, 3)} for n, (k, v) in saved.items()],
    }
    codes = {"dead": Code.dead_units, "saturated": Code.saturated_activations}
    for kind, code in codes.items():
        hit = [layer for layer in layers if layer["kind"] == kind]
        if not hit:
            continue
        words = "never fire" if kind == "dead" else "sit pinned at their limits"
        shares = ", ".join(f"{h['share']:.0%}" for h in hit)
        out.findings.append(
            Finding(
                code=code,
                category=Category.training_dynamics,
                severity=Severity.warning,
                confidence=0.8,
                summary=(
                    f"In the saved weights, units of {', '.join(str(h['layer']) for h in hit)} {words} on "
                    f"{len(x)} training samples ({shares} of them), "
                    "while a fresh initialization keeps them alive: the checkpoint carries the fault."
                ),
                evidence={"layers": hit, "batch": len(x), "thresholds": limits},
                recommendation=(
                    "Re-initialize those layers (or restart from a fresh initialization); if the "
                    "weights come from training, lower the learning rate by 3x and use He "
                    "initialization or LeakyReLU."
                ),
                fix=UNIT_FIXES[kind],
            )
        )


def _dynamics(
    code: Code, summary: str, evidence: dict[str, Any], recommendation: str, fix: dict[str, Any]
) -> Finding:
    return Finding(
        code=code,
        category=Category.training_dynamics,
        severity=Severity.warning,
        confidence=0.75,
        summary=summary,
        evidence=evidence,
        recommendation=recommendation,
        fix=fix,
    )


@dataclass(frozen=True)
class TargetScale:
    """Regression targets standardized per output column: (y - mean) / std."""

    mean: np.ndarray
    std: np.ndarray

    @classmethod
    def of(cls, y: np.ndarray) -> TargetScale:
        columns = np.asarray(y, dtype=np.float64).reshape(len(y), -1)
        finite = np.where(np.isfinite(columns), columns, np.nan)
        mean = np.nan_to_num(np.nanmean(finite, axis=0))
        std = np.nan_to_num(np.nanstd(finite, axis=0), nan=1.0)
        std[std == 0] = 1.0
        return cls(mean, std)

    def scaled(self, y: np.ndarray) -> np.ndarray:
        columns = np.asarray(y, dtype=np.float64).reshape(len(y), -1)
        standardized: np.ndarray = ((columns - self.mean) / self.std).reshape(np.shape(y)).astype(np.float32)
        return standardized

    def mapped_back(self, model: keras.Model) -> Callable[..., np.ndarray]:
        """The model with its outputs in the original units, as task_score calls a model."""

        def call(x: np.ndarray, training: bool = False) -> np.ndarray:
            out = np.asarray(model(x, training=training), dtype=np.float64)
            columns = out.reshape(len(out), -1) * self.std + self.mean
            mapped: np.ndarray = columns.reshape(out.shape)
            return mapped

        return call


def moving_average_steps(model: keras.Model) -> int:
    """The steps the model's batch-normalization layers need before their moving averages hold
    no more than MOVING_AVERAGE_LEFT of their starting values (0 without such layers)."""
    momenta = [
        float(layer.momentum)
        for layer in model.layers
        if type(layer).__name__ == "BatchNormalization" and 0 < float(layer.momentum) < 1
    ]
    return max((math.ceil(math.log(MOVING_AVERAGE_LEFT) / math.log(m)) for m in momenta), default=0)


def replay_epochs(config: TrainingConfig, steps_per_epoch: int, min_steps: int = MIN_REPLAY_STEPS) -> int:
    """REPLAY_EPOCHS, or more where they make fewer than `min_steps` steps; never more epochs
    than the user trains for."""
    wanted = max(REPLAY_EPOCHS, math.ceil(min_steps / max(1, steps_per_epoch)))
    return min(config.epochs, wanted) if config.epochs else wanted


def replay(
    start: FreshStart,
    data: Prepared,
    config: TrainingConfig,
    labels: LabelInfo,
    *,
    build: Callable[[], keras.Model] | None = None,
    learning_rate: float | None = None,
    transform: Callable[[np.ndarray], np.ndarray] | None = None,
    class_weight: dict[int, float] | None = None,
    targets: TargetScale | None = None,
    seed: int = SEED,
) -> Replay:
    """A short run of the user's configuration (or of it with one fix applied): from `start`
    (at another rate), or from the model `build` makes when the fix changes the model. Another
    `seed` with a `build` draws other initial weights and another data order: the run-to-run
    noise a fix trial is judged against. With `targets`, it trains on standardized targets and
    is scored on predictions mapped back to the user's units, comparable with the others."""
    _seed(seed)
    fresh = build() if build is not None else start.restored(learning_rate)
    x, x_val = (transform(data.x), transform(data.x_val)) if transform else (data.x, data.x_val)
    y, y_val = (targets.scaled(data.y), targets.scaled(data.y_val)) if targets else (data.y, data.y_val)
    batch = min(config.batch_size, len(x))
    min_steps = max(MIN_REPLAY_STEPS, moving_average_steps(fresh))
    epochs = replay_epochs(config, math.ceil(len(x) / batch), min_steps)
    fit = fresh.fit(
        x,
        y,
        validation_data=(x_val, y_val),
        epochs=epochs,
        batch_size=batch,
        verbose=0,
        shuffle=True,
        class_weight=class_weight,
    )
    history = {name: [float(v) for v in values] for name, values in fit.history.items()}
    return Replay(
        history=history,
        score=task_score(targets.mapped_back(fresh) if targets else fresh, x_val, data.y_val, labels),
        steps=epochs * math.ceil(len(x) / batch),
    )
