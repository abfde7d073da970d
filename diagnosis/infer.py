"""What the curves imply about the task before any rule runs: classification or regression,
the number of classes, the loss and accuracy a model that learned nothing would have, how many
samples an epoch saw, and how the learning-rate schedule moved.

The caller's metadata wins where it says something; inference fills the gaps. A user who pastes
a console log sends no metadata, so the curves' own tells are read:
- metric names: `binary_accuracy` is two classes, `categorical_accuracy` and `sparse_*` one
  label of K, `mae`/`mse` a regression;
- a loss equal to ln K to four digits for several epochs: a softmax that outputs the uniform
  distribution, so K is known exactly and the model is stuck;
- accuracies that are all multiples of 1/n: an epoch saw n samples (Keras reports the share of
  correct predictions over the whole epoch);
- a training accuracy that holds the very same value for several epochs while the loss moves:
  a model that answers one class for every sample, so that value is the class's share.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from diagnosis.curves import median
from diagnosis.models import LearningRateChange, RunMetadata

# A run's curves by metric name, as a TrainingHistory holds them (diagnosis.history builds the
# history and asks this module for its facts, so this module reads only the curves).
Curves = Mapping[str, np.ndarray]

# A loss this close to ln K (relative) while the model is stuck says "K balanced classes".
LN_K_TOLERANCE = 0.06
# An early accuracy under CHANCE_ACCURACY / K is at chance for K classes (a model that learned
# nothing scores about 1/K; half as much again allows the majority class and the noise of a
# few epochs, and stays far under what a model that learned anything scores).
CHANCE_ACCURACY = 1.5
# An accuracy that never reached this in any epoch, beside a regression metric (`mae`, `mse`), is
# Keras scoring exact equality of a continuous output with its target: under 1/K for every K up
# to MAX_EXACT_CLASSES, so under what any classifier scores by guessing (a regression's accuracy
# of 0.00027 beside an MAE of 0.035). It is left out, and the run read as the regression it is.
EXACT_MATCH_ACCURACY = 0.001
# Largest class count inferred from a loss value; beyond it ln K values crowd together.
MAX_INFERRED_CLASSES = 20
# Epochs at the start whose loss is read to recognize a stuck model's ln K.
EARLY_EPOCHS = 5
# Two classes at chance: the early loss within this range of multiples of ln 2 while the early
# accuracy is within BINARY_ACCURACY_MARGIN of 1/2. A sigmoid at chance pays about ln 2 on every
# sample (a fresh one starts a little above); ln 3 is 1.58 ln 2, and a per-unit binary
# cross-entropy over one-hot units falls under ln 2 before any class is learned.
BINARY_LOSS_RANGE = (0.9, 1.15)
BINARY_ACCURACY_MARGIN = 0.1
# A learning-rate change smaller than this (relative) is noise in the logged column.
LR_CHANGE = 0.05
# Epochs after a learning-rate drop over which its effect on the loss is measured.
LR_EFFECT_EPOCHS = 3
# A loss that agrees with ln K to LN_K_DIGITS significant digits (within half a unit of the
# last: 2.3026 and 2.3025 for ln 10 = 2.302585): a softmax that outputs exactly 1/K for every
# class. Seen in at least
# EXACT_EPOCHS epochs of one curve, for K up to MAX_EXACT_CLASSES (ln K values stay apart at
# four digits that far).
LN_K_DIGITS = 4
EXACT_EPOCHS = 3
# ...and held there: the exact epochs are at least EXACT_SHARE of the epochs from the first of
# them to the last. A softmax stuck at 1/K logs ln K epoch after epoch (the batch noise moves the
# last digit, not the four); a loss wandering past ln K, on its way down or around a floor of its
# own, enters the window of four digits (0.001 wide near ln 27) now and then: a WTTE-RNN's
# log-likelihood crawling 3.2961, 3.3029, 3.2975, 3.2955 ... 3.2954 near ln 27 = 3.2958 hit it in
# 3 of 14 epochs, and is no 27-class model.
EXACT_SHARE = 0.5
MAX_EXACT_CLASSES = 1000
# Counting samples from accuracy steps: every distinct accuracy (at least MIN_DISTINCT of them,
# so that an n matching by chance is unlikely) is k/n, for some n up to MAX_COUNTED_SAMPLES, to
# within half a unit of the last decimal the values were written with (at most MAX_DECIMALS;
# beyond it they are full float32 values, good to FLOAT32_ROUNDING). Only the first
# MAX_DISTINCT distinct values are read: enough to rule out chance, and the cost stays bounded.
MIN_DISTINCT = 8
MAX_DISTINCT = 64
MAX_COUNTED_SAMPLES = 5000
MAX_DECIMALS = 6
FLOAT32_ROUNDING = 1e-7
# An n is only resolved while the rounding leaves at most this share of a sample's step
# (two-decimal values cannot tell 0.19 = 19/100 from 100 samples or 1000).
RESOLVABLE = 0.1
# Below this a value is on a grid exactly (float64 noise of a division written out).
EXACT = 1e-9
# One answer for every sample: the training accuracy repeats one value (0 < value <= ALMOST_ALL)
# for SINGLE_ANSWER_EPOCHS epochs in a row, starting by epoch SINGLE_ANSWER_START (a model
# collapses onto the majority class at once), while the loss moves by at least LOSS_MOVES
# (relative) and the validation accuracy, where logged, repeats one value too: the model
# changes, its answers on either set do not.
SINGLE_ANSWER_EPOCHS = 3
SINGLE_ANSWER_START = 2
ALMOST_ALL = 0.99
LOSS_MOVES = 0.01
# float32's machine epsilon, 1.1921e-07: a cross-entropy Keras logs when the output saturated
# at exactly 0 or 1 (probabilities are clipped there) on every sample. A training loss within
# SATURATED_FACTOR of it is a model certain of every training sample.
FLOAT32_EPSILON = float(np.finfo(np.float32).eps)
SATURATED_FACTOR = 2.0
# A schedule that changes the rate every epoch (cosine, exponential) is summarized by its
# first changes; the summary is for reading, not a full copy of the column.
MAX_LR_CHANGES = 50

ACCURACY_NAMES = ("accuracy", "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy")
# Metrics Keras computes only for one label out of K (softmax outputs).
MULTICLASS_NAMES = (
    "categorical_accuracy",
    "sparse_categorical_accuracy",
    "sparse_top_k_categorical_accuracy",
)
# Losses by the task they imply (Keras names; a caller or ConvergenceMonitor sends `loss`).
BINARY_LOSSES = frozenset({"binary_crossentropy", "binary_focal_crossentropy", "hinge", "squared_hinge"})
CATEGORICAL_LOSSES = frozenset(
    {"categorical_crossentropy", "sparse_categorical_crossentropy", "categorical_focal_crossentropy"}
)
REGRESSION_LOSSES = frozenset(
    {
        "mse",
        "mae",
        "mape",
        "msle",
        "mean_squared_error",
        "mean_absolute_error",
        "mean_absolute_percentage_error",
        "mean_squared_logarithmic_error",
        "huber",
        "huber_loss",
        "log_cosh",
        "logcosh",
    }
)
REGRESSION_NAMES = (
    "mae",
    "mse",
    "rmse",
    "mean_absolute_error",
    "mean_squared_error",
    "root_mean_squared_error",
)


@dataclass(frozen=True)
class RunFacts:
    task: str | None  # "binary", "multiclass", "regression" or None when nothing says
    num_classes: int | None
    accuracy_metric: str | None
    lr_changes: list[LearningRateChange] = field(default_factory=list)
    reported_baseline_loss: float | None = None  # metadata.baseline_loss
    classes_from: str | None = None  # what told num_classes: "metadata", a metric, the loss
    # Epochs in which the loss (or val_loss) equals ln K to four digits: uniform outputs.
    uniform_epochs: tuple[int, ...] = ()
    train_samples: int | None = None  # metadata.num_samples, else counted from accuracy steps
    train_samples_from: str | None = None
    val_samples: int | None = None  # counted from val accuracy steps
    # The share of the class a model answered for every sample (its accuracy while it did).
    single_answer_share: float | None = None
    # Epochs whose training loss sits at float32's epsilon: outputs saturated, certain of all.
    saturated_epochs: tuple[int, ...] = ()

    @property
    def chance_loss(self) -> float | None:
        """Cross-entropy of a model that predicts the uniform distribution: ln K. A freshly
        initialized classifier starts there."""
        return math.log(self.num_classes) if self.num_classes and self.num_classes >= 2 else None

    @property
    def baseline_loss(self) -> float | None:
        """The loss of a model that learned nothing, the yardstick for "the loss is still high":
        the caller's `baseline_loss` (the only one a regression has, and for imbalanced classes
        lower than ln K), else ln K."""
        # Zero (constant targets) is no yardstick: everything would be infinitely above it.
        return self.reported_baseline_loss or self.chance_loss

    @property
    def chance_accuracy(self) -> float | None:
        return 1.0 / self.num_classes if self.num_classes and self.num_classes >= 2 else None

    @property
    def majority_share(self) -> tuple[float, float] | None:
        """Bounds on the largest class's share, from a classifier's reported baseline loss (the
        class frequencies' entropy) and K; None when either is unknown."""
        if self.task not in {"binary", "multiclass"} or not self.num_classes or self.num_classes < 2:
            return None
        if self.reported_baseline_loss is None:
            return None
        return majority_share_bounds(self.reported_baseline_loss, self.num_classes)


def _distinct(values: np.ndarray) -> np.ndarray:
    """np.unique of finite values: their distinct values, sorted. Written out because np.unique
    imports numpy.ma (~8 ms), which a `convdiag diagnose` start would pay for these two calls."""
    ordered = np.sort(values, axis=None)
    first = np.ones(ordered.size, dtype=bool)
    first[1:] = ordered[1:] != ordered[:-1]
    return ordered[first]


def _bisect_decreasing(function: Callable[[float], float], value: float, low: float, high: float) -> float:
    """The point in [low, high] where a decreasing `function` crosses `value`."""
    for _ in range(50):
        mid = (low + high) / 2
        low, high = (mid, high) if function(mid) > value else (low, mid)
    return (low + high) / 2


def _binary_entropy(p: float) -> float:
    return -p * math.log(p) - (1 - p) * math.log(1 - p) if 0 < p < 1 else 0.0


def majority_share_bounds(entropy: float, classes: int) -> tuple[float, float]:
    """Least and greatest share p of the largest of `classes` classes whose frequencies have
    this entropy (nats). For a given p the entropy is smallest with one other class holding the
    rest (H_b(p), when p > 1/2) and largest with the rest spread evenly (Fano's
    H_b(p) + (1 - p) ln(K - 1)); both fall as p grows, so each bound is where one crosses
    `entropy`. Two classes: both bounds are the share itself."""
    entropy = min(max(entropy, 0.0), math.log(classes))

    def spread(p: float) -> float:
        return _binary_entropy(p) + (1 - p) * math.log(classes - 1)

    high = _bisect_decreasing(spread, entropy, 1.0 / classes, 1.0)
    # Above ln 2 the two-class split cannot reach the entropy; the share is still at least
    # e^-H, since no class can be likelier than the largest (min-entropy <= entropy).
    low = (
        _bisect_decreasing(_binary_entropy, entropy, 0.5, 1.0)
        if entropy < math.log(2)
        else math.exp(-entropy)
    )
    return min(low, high), high


def _classes_from_loss(values: np.ndarray, accuracy: np.ndarray | None) -> int | None:
    """K when the early loss sits at ln K, the signature of a model that learned nothing: the
    early epochs' median near ln K, and either the first epoch near it too or the early accuracy
    at chance (1/K). A fresh softmax starts at ln K, so a first epoch far from the median's ln K
    is a model passing through it (a 10-class model learning fast passes ln 5 by its third
    epoch) unless its accuracy shows it learned nothing (a first epoch above ln K that settles
    there with 10 % accuracy is ten classes and a model stuck)."""
    early = values[:EARLY_EPOCHS]
    early = early[np.isfinite(early)]
    if early.size == 0:
        return None
    level = median(early)
    k = min(range(2, MAX_INFERRED_CLASSES + 1), key=lambda k: abs(level - math.log(k)))
    tolerance = LN_K_TOLERANCE * math.log(k)
    if abs(level - math.log(k)) > tolerance:
        return None
    if abs(float(early[0]) - math.log(k)) <= tolerance:
        return k
    shares = accuracy[:EARLY_EPOCHS][np.isfinite(accuracy[:EARLY_EPOCHS])] if accuracy is not None else None
    at_chance = shares is not None and shares.size > 0 and median(shares) <= CHANCE_ACCURACY / k
    return k if at_chance else None


def _binary_at_chance(curves: Curves, accuracy: str | None) -> bool:
    """Whether the early epochs read as two classes at chance: the loss near ln 2 while the
    accuracy is near 1/2. A K-class cross-entropy as low as ln 2 (geometric mean probability of
    the right class 1/2) comes with an accuracy well above 1/2; a sigmoid that learned little
    sits at both."""
    loss = curves.get("loss")
    values = curves.get(accuracy) if accuracy else None
    if loss is None or values is None:
        return False
    early_loss = loss[:EARLY_EPOCHS][np.isfinite(loss[:EARLY_EPOCHS])]
    early_accuracy = values[:EARLY_EPOCHS][np.isfinite(values[:EARLY_EPOCHS])]
    if early_loss.size == 0 or early_accuracy.size == 0:
        return False
    level = median(early_loss) / math.log(2)
    share = median(early_accuracy)
    return (
        BINARY_LOSS_RANGE[0] <= level <= BINARY_LOSS_RANGE[1] and abs(share - 0.5) <= BINARY_ACCURACY_MARGIN
    )


def _uniform_output(curves: Curves) -> tuple[int, tuple[int, ...]] | None:
    """K and the epochs where a loss curve equals ln K to four digits (the first curve that
    does so in EXACT_EPOCHS epochs; the training loss first)."""
    for name in ("loss", "val_loss"):
        values = curves.get(name)
        if values is None:
            continue
        with np.errstate(invalid="ignore", over="ignore"):
            k = np.rint(np.exp(np.where(np.isfinite(values) & (values > 0), values, 0.0)))
        k = np.clip(k, 2, MAX_EXACT_CLASSES)
        ln_k = np.log(k)
        unit = 0.5 * 10.0 ** (np.floor(np.log10(ln_k)) - (LN_K_DIGITS - 1))
        exact = np.isfinite(values) & (np.abs(values - ln_k) <= unit)
        if int(exact.sum()) < EXACT_EPOCHS:
            continue
        classes = _distinct(k[exact])
        best = int(max(classes, key=lambda c: int((k[exact] == c).sum())))
        epochs = np.flatnonzero(exact & (k == best))
        if epochs.size >= EXACT_EPOCHS and epochs.size >= EXACT_SHARE * (epochs[-1] - epochs[0] + 1):
            return best, tuple(int(e) for e in epochs)
    return None


def count_samples(values: np.ndarray | None) -> int | None:
    """n when every distinct value of an accuracy curve is a multiple of 1/n (the smallest such
    n up to MAX_COUNTED_SAMPLES), else None."""
    if values is None:
        return None
    distinct = _distinct(values[np.isfinite(values) & (values > 0) & (values < 1)])[:MAX_DISTINCT]
    if distinct.size < MIN_DISTINCT:
        return None
    # Written with a fixed number of decimals (a console) or of significant digits (a JSON dump
    # at float32's digits): each value is off by at most half a unit of its last written digit
    # under whichever scheme made it, so the larger of the two bounds holds.
    decimals = _digits(distinct)
    significant = _digits(distinct / 10.0 ** np.floor(np.log10(distinct)))
    by_decimals = FLOAT32_ROUNDING if decimals is None else 0.5 * 10.0**-decimals
    by_significant = (
        FLOAT32_ROUNDING
        if significant is None
        else 0.5 * 10.0 ** (np.floor(np.log10(distinct)) - significant)
    )
    # ...plus float32's own error: Keras computed the value in float32 before it was written.
    rounding = np.maximum(by_decimals, by_significant) + np.full_like(distinct, FLOAT32_ROUNDING)
    # Values that sit exactly on a grid finer than their decimals (k/25 written as 0.44) count
    # exactly; otherwise n is matched to within the values' rounding, while that resolves it.
    exact_up_to = MAX_COUNTED_SAMPLES if decimals is None else min(MAX_COUNTED_SAMPLES, 10**decimals - 1)
    for largest, tolerance in (
        (exact_up_to, np.zeros_like(distinct)),
        (int(RESOLVABLE / rounding.max()), rounding),
    ):
        n = np.arange(1, min(MAX_COUNTED_SAMPLES, largest) + 1, dtype=np.float64)
        # One value at a time over the n still standing: the same test as every value against
        # every n at once (a 5000 x 64 matrix, most of a history diagnosis's time), but few n
        # survive the first values, so it costs about one pass instead of 64.
        for value, allowed in zip(distinct, tolerance, strict=True):
            scaled = value * n
            n = n[np.abs(scaled - np.rint(scaled)) <= allowed * n + EXACT]
            if not n.size:
                break
        if n.size:
            return int(n[0])
    return None


# _digits' scales and tolerances, one row per number of decimals, as Python computes each.
_DECIMAL_SCALES = np.array([10.0**d for d in range(1, MAX_DECIMALS + 1)])[:, None]
_DECIMAL_TOLERANCES = np.array([EXACT * 10.0**d + 1e-9 for d in range(1, MAX_DECIMALS + 1)])[:, None]


def _digits(values: np.ndarray) -> int | None:
    """The fewest decimals (1..MAX_DECIMALS) that write every value exactly, else None."""
    # np.allclose(scaled, rint(scaled), rtol=0, atol=...) for these finite values, without the
    # Python layers of np.isclose, which made this most of count_samples' time; and every number
    # of decimals in one (MAX_DECIMALS x values) matrix, the same products and comparisons as a
    # pass per number (5 us against 30 for 30 values, twice in each count_samples).
    scaled = values * _DECIMAL_SCALES
    written = (np.abs(scaled - np.rint(scaled)) <= _DECIMAL_TOLERANCES).all(axis=1)
    return int(np.argmax(written)) + 1 if written.any() else None


def written_decimals(values: np.ndarray) -> int | None:
    """The fewest decimals (1..MAX_DECIMALS) that write every finite value exactly, else None (a
    float's worth of digits)."""
    finite = values[np.isfinite(values)]
    return _digits(finite) if finite.size else None


def _saturated_epochs(curves: Curves) -> tuple[int, ...]:
    loss = curves.get("loss")
    if loss is None:
        return ()
    with np.errstate(invalid="ignore"):
        at = np.flatnonzero((loss > 0) & (loss <= SATURATED_FACTOR * FLOAT32_EPSILON))
    return tuple(int(e) for e in at)


def _val_spans(start: int) -> list[slice]:
    """Validation epochs to hold against training epochs start.. : the same ones, and the ones
    before (validation is measured at an epoch's end, training averaged over it, so validation
    leads by about an epoch)."""
    same = slice(start, start + SINGLE_ANSWER_EPOCHS)
    return [same] if start == 0 else [same, slice(start - 1, start - 1 + SINGLE_ANSWER_EPOCHS)]


def _single_answer_share(curves: Curves, accuracy: str | None) -> float | None:
    """The training accuracy a model held while it answered one class for every sample."""
    values = curves.get(accuracy) if accuracy else None
    val = curves.get(f"val_{accuracy}") if accuracy else None
    loss = curves.get("loss")
    if values is None or loss is None:
        return None
    for start in range(min(SINGLE_ANSWER_START + 1, len(loss) - SINGLE_ANSWER_EPOCHS + 1)):
        span = slice(start, start + SINGLE_ANSWER_EPOCHS)
        window, losses = values[span], loss[span]
        level = float(window[0])
        if not (np.isfinite(window).all() and 0 < level <= ALMOST_ALL and np.all(window == level)):
            continue
        if val is not None and not any(np.all(val[v] == val[v][0]) for v in _val_spans(start)):
            continue
        if np.isfinite(losses).all() and float(np.ptp(losses)) >= LOSS_MOVES * abs(float(losses[0])):
            return level
    return None


def _lr_changes(curves: Curves) -> list[LearningRateChange]:
    lr = curves.get("learning_rate")
    loss = curves.get("loss")
    if lr is None or len(lr) < 2:
        return []
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = np.abs(np.diff(lr)) / lr[:-1]
    epochs = np.flatnonzero(np.isfinite(relative) & (lr[:-1] > 0) & (relative >= LR_CHANGE)) + 1
    changes = []
    for epoch in epochs[:MAX_LR_CHANGES].tolist():
        effect = None
        if loss is not None and epoch + LR_EFFECT_EPOCHS <= len(loss):
            start, end = loss[epoch - 1], loss[epoch + LR_EFFECT_EPOCHS - 1]
            if np.isfinite(start) and np.isfinite(end) and start != 0:
                effect = float((end - start) / abs(start))
        changes.append(
            LearningRateChange(epoch=epoch, learning_rate=float(lr[epoch]), loss_change_after=effect)
        )
    return changes


def _from_model(meta: RunMetadata, accuracy: str | None) -> tuple[str | None, int | None]:
    """Task and K from the compiled loss and the output layer's width, where they say it."""
    loss = (meta.loss or "").lower()
    units = meta.output_units
    if loss in BINARY_LOSSES and units == 1:
        return "binary", 2
    if loss in CATEGORICAL_LOSSES and units is not None and units >= 2:
        return ("binary" if units == 2 else "multiclass"), units
    if loss in REGRESSION_LOSSES and accuracy is None:
        # With an accuracy logged, a regression loss on a classifier is the mismatch to find.
        return "regression", None
    return None, None


def _heads_all_classify(curves: Curves) -> bool:
    """A multi-output model whose every head (`<head>_loss` beside the total `loss`) logs an
    accuracy (`<head>_accuracy`): each output is scored by the share of samples right, as a
    classifier's `accuracy` is, so the model is a classifier. One head without (a regression
    head with its MSE beside a classification head) leaves the task unknown: the total loss
    then adds an MSE to a cross-entropy."""
    heads = [
        name.removesuffix("_loss")
        for name in curves
        if name.endswith("_loss") and not name.startswith("val_") and name != "loss"
    ]
    return bool(heads) and all(any(f"{head}_{a}" in curves for a in ACCURACY_NAMES) for head in heads)


def _exact_match_accuracy(curves: Curves, accuracy: str | None) -> bool:
    """An accuracy that never reached EXACT_MATCH_ACCURACY, training or validation, beside a
    regression metric (see EXACT_MATCH_ACCURACY): the share of outputs equal to a continuous
    target, not a classifier's share of samples right."""
    if accuracy is None or not any(name in curves for name in REGRESSION_NAMES):
        return False
    shares = [curves[name] for name in (accuracy, f"val_{accuracy}") if name in curves]
    return all(
        np.isfinite(values).all() and float(np.max(values, initial=0.0)) < EXACT_MATCH_ACCURACY
        for values in shares
    )


def infer_facts(curves: Curves, meta: RunMetadata) -> RunFacts:
    accuracy = next((name for name in ACCURACY_NAMES if name in curves), None)
    if meta.task is None and _exact_match_accuracy(curves, accuracy):
        accuracy = None
    model_task, model_classes = _from_model(meta, accuracy)
    task = meta.task or model_task
    classes = meta.num_classes or (model_classes if task == model_task else None)
    classes_from = "metadata" if classes else None
    if task == "regression":
        classes = classes_from = None
    elif classes is None and task == "binary":
        classes, classes_from = 2, "metadata"
    if task is None:
        if accuracy is not None or (classes or 0) >= 2 or _heads_all_classify(curves):
            task = "classification"
        elif any(name in curves for name in REGRESSION_NAMES):
            task = "regression"
    uniform = _uniform_output(curves) if task != "regression" else None
    if classes is None and uniform is not None:
        classes, classes_from = uniform[0], "loss equal to ln K"
        task = task or "classification"
    if classes is None and task in {"classification", "multiclass", "binary"} and "loss" in curves:
        classes = _classes_from_loss(curves["loss"], curves.get(accuracy) if accuracy else None)
        classes_from = "early loss near ln K" if classes else None
    if classes is None and accuracy == "binary_accuracy":
        classes, classes_from = 2, "binary_accuracy"
    if classes is None and task == "classification" and _binary_at_chance(curves, accuracy):
        classes, classes_from = 2, "early loss near ln 2 with accuracy near 1/2"
    if task == "classification" and classes:
        task = "binary" if classes == 2 else "multiclass"
    elif task == "classification" and any(name in curves for name in MULTICLASS_NAMES):
        task = "multiclass"
    train_samples, samples_from = meta.num_samples, "metadata" if meta.num_samples else None
    if not train_samples and meta.steps_per_epoch and meta.batch_size:
        # The last batch may be partial: an upper bound by less than one batch.
        train_samples, samples_from = meta.steps_per_epoch * meta.batch_size, "steps_per_epoch x batch_size"
    if not train_samples and accuracy is not None:
        train_samples = count_samples(curves.get(accuracy))
        if train_samples and meta.steps_per_epoch and train_samples < meta.steps_per_epoch:
            # Each step of an epoch draws at least one sample, so fewer samples than steps
            # contradicts the input: the 1/n steps are one batch's accuracy (a progress bar
            # showing the last batch's value), which says nothing of the training set's size.
            train_samples = None
        samples_from = f"{accuracy} steps of 1/n" if train_samples else None
    return RunFacts(
        task=task,
        num_classes=classes,
        accuracy_metric=accuracy,
        lr_changes=_lr_changes(curves),
        reported_baseline_loss=meta.baseline_loss,
        classes_from=classes_from,
        uniform_epochs=uniform[1] if uniform is not None and uniform[0] == classes else (),
        train_samples=train_samples or None,
        train_samples_from=samples_from if train_samples else None,
        val_samples=count_samples(curves.get(f"val_{accuracy}")) if accuracy else None,
        single_answer_share=_single_answer_share(curves, accuracy),
        saturated_epochs=_saturated_epochs(curves) if task != "regression" else (),
    )
