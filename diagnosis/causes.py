"""Ranking a symptom's likely causes with what the run tells about itself.

Each rule lists its candidate causes with a base weight (how often that cause is behind the
symptom in practice). The weights are then scaled by evidence from the metadata — a learning
rate far above what the optimizer usually needs makes `lr_too_high` more likely — and
normalized into likelihoods. Only a bundle probe can confirm a cause; each says which one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from diagnosis.history import TrainingHistory
from diagnosis.models import Category, Cause

# Learning rates each optimizer usually trains well with (Keras defaults, SGD's common one).
TYPICAL_LR = {
    "adam": 1e-3,
    "adamw": 1e-3,
    "nadam": 1e-3,
    "adamax": 2e-3,
    "rmsprop": 1e-3,
    "sgd": 1e-2,
    "adagrad": 1e-2,
    "adadelta": 1.0,
    "lion": 1e-4,
}
# Ratios of the configured to the typical rate that count as far off.
LR_FAR, LR_OFF = 10.0, 3.0
# A rate this many times the optimizer's usual one, or this share of it, is beyond any setup
# that trains normally, so it is a cause without further confirmation: at 100x, Adam's steps
# are ~0.1 per weight, the size of a Glorot weight in a 100-unit layer; at 1e-4x a run of
# thousands of steps moves no weight measurably. In between (a 10x higher rate, Adam at 1e-5
# or 1e-6 for fine-tuning) a rate is only a suspicion the curves or probes must confirm.
LR_BEYOND_HIGH, LR_BEYOND_LOW = 100.0, 1e-4
# Fewer samples per trainable parameter than this is a model that can memorize its data.
SAMPLES_PER_PARAM = 0.1
# Fewer training samples than this is small for any deep model.
FEW_SAMPLES = 1000
# Multipliers applied to a cause's weight when the evidence points at (or away from) it.
STRONG, SOME, AGAINST = 4.0, 2.0, 0.3

# Bundle probes (POST /v1/bundles) and what each settles.
PROBE_DATA_AUDIT = "data_audit"
PROBE_MODEL_AUDIT = "model_audit"
PROBE_LR_RANGE = "lr_range_test"
PROBE_OVERFIT_BATCH = "overfit_one_batch"
PROBE_GRADIENTS = "gradient_stats"


def _cause(
    code: str,
    category: Category,
    check: str,
    change: str,
    probe: str | None,
    fix: dict[str, Any] | None = None,
) -> Cause:
    return Cause(
        code=code, category=category, likelihood=0.0, check=check, change=change, probe=probe, fix=fix or {}
    )


# Every cause a history can point at, said once; rules refer to them by code with a weight.
CATALOGUE: dict[str, Cause] = {
    c.code: c
    for c in (
        _cause(
            "lr_too_high",
            Category.hyperparameters,
            "the learning rate against the optimizer's usual one (Adam ~1e-3, SGD ~1e-2)",
            "divide the learning rate by 10 and add clipnorm=1.0",
            PROBE_LR_RANGE,
            {"learning_rate_factor": 0.1},
        ),
        _cause(
            "lr_too_low",
            Category.hyperparameters,
            "the learning rate against the optimizer's usual one (Adam ~1e-3, SGD ~1e-2)",
            "multiply the learning rate by 10",
            PROBE_LR_RANGE,
            {"learning_rate_factor": 10.0},
        ),
        _cause(
            "batch_size_unsuitable",
            Category.hyperparameters,
            "the batch size: tiny batches make epochs noisy",
            "use a batch size of 32-128 and scale the learning rate with it",
            None,
            {"batch_size": 64},
        ),
        _cause(
            "unscaled_features",
            Category.data,
            "feature means and standard deviations (far from 0 and 1?)",
            "standardize inputs with keras.layers.Normalization adapted on the training set",
            PROBE_DATA_AUDIT,
            {"standardize_inputs": True},
        ),
        _cause(
            "unscaled_targets",
            Category.data,
            "the scale of the regression targets",
            "standardize the targets (and invert the scaling at prediction time)",
            PROBE_DATA_AUDIT,
        ),
        _cause(
            "nonfinite_values",
            Category.data,
            "x_train and y_train for NaN or infinite values",
            "drop or impute non-finite values before training (np.isfinite(x).all() should hold)",
            PROBE_DATA_AUDIT,
        ),
        _cause(
            "exploding_gradients",
            Category.training_dynamics,
            "per-layer gradient norms in the first steps",
            "clip gradients (clipnorm=1.0) and add BatchNormalization",
            PROBE_GRADIENTS,
            {"clipnorm": 1.0},
        ),
        _cause(
            "vanishing_gradients",
            Category.training_dynamics,
            "gradient norms of the first layers against the last ones",
            "use ReLU with He initialization, BatchNormalization or skip connections",
            PROBE_GRADIENTS,
        ),
        _cause(
            "dead_units",
            Category.training_dynamics,
            "the share of ReLU units that never activate",
            "use LeakyReLU or He initialization and a lower learning rate",
            PROBE_GRADIENTS,
        ),
        _cause(
            "saturated_activations",
            Category.training_dynamics,
            "sigmoid/tanh activations pinned near their limits",
            "use ReLU, BatchNormalization and a smaller initialization",
            PROBE_GRADIENTS,
        ),
        _cause(
            "output_activation_mismatch",
            Category.model,
            "the last layer's activation against the loss",
            "softmax + categorical cross-entropy for K classes, sigmoid + binary cross-entropy for two, "
            "linear + MSE for regression (from_logits=True only with a linear output)",
            PROBE_MODEL_AUDIT,
        ),
        _cause(
            "loss_task_mismatch",
            Category.implementation,
            "the loss against the labels",
            "sparse_categorical_crossentropy for integer labels, categorical_crossentropy for one-hot, "
            "binary_crossentropy for 0/1 labels",
            PROBE_MODEL_AUDIT,
        ),
        _cause(
            "label_format_mismatch",
            Category.data,
            "the labels' encoding against the loss (one-hot or integer, values in range)",
            "one-hot labels with categorical_crossentropy, integers 0..K-1 with the sparse one",
            PROBE_DATA_AUDIT,
        ),
        _cause(
            "class_imbalance",
            Category.data,
            "the class counts in y_train",
            "pass class_weight to fit (inverse class frequency) and watch a balanced metric",
            PROBE_DATA_AUDIT,
            {"class_weight": "balanced"},
        ),
        _cause(
            "label_noise",
            Category.data,
            "a sample of labels by hand, and conflicting duplicates",
            "clean the labels, or train with label smoothing 0.1",
            PROBE_DATA_AUDIT,
        ),
        _cause(
            "insufficient_data",
            Category.data,
            "the number of training samples against the trainable parameters",
            "get more data or augment it, or use a smaller model",
            PROBE_DATA_AUDIT,
        ),
        _cause(
            "capacity_too_high",
            Category.model,
            "trainable parameters against training samples",
            "halve the width or depth and add Dropout 0.3 or an L2 penalty of 1e-4",
            PROBE_MODEL_AUDIT,
        ),
        _cause(
            "capacity_too_low",
            Category.model,
            "whether the model can overfit a single batch",
            "double the width of the hidden layers or add a layer",
            PROBE_OVERFIT_BATCH,
        ),
        _cause(
            "excessive_dropout",
            Category.model,
            "the Dropout rates (above 0.5 slows learning a lot)",
            "lower Dropout to 0.2-0.3",
            PROBE_MODEL_AUDIT,
            {"dropout": 0.2},
        ),
        _cause(
            "train_val_shift",
            Category.data,
            "feature statistics of the training against the validation set",
            "split both from the same shuffled data and preprocess them identically",
            PROBE_DATA_AUDIT,
        ),
        _cause(
            "duplicate_samples",
            Category.data,
            "samples that appear in both the training and the validation set",
            "deduplicate before splitting so validation measures unseen data",
            PROBE_DATA_AUDIT,
        ),
        _cause(
            "cannot_overfit_batch",
            Category.implementation,
            "whether the model drives the loss on one batch to ~0",
            "fix the wiring (labels, loss, output layer) until it can",
            PROBE_OVERFIT_BATCH,
        ),
    )
}


def lr_ratio(run: TrainingHistory) -> float | None:
    """Configured learning rate over the optimizer's typical one, when both are known."""
    meta = run.metadata
    typical = TYPICAL_LR.get((meta.optimizer or "").lower())
    if not meta.learning_rate or typical is None:
        return None
    return meta.learning_rate / typical


def _lr_high(run: TrainingHistory) -> float:
    ratio = lr_ratio(run)
    if ratio is None:
        return 1.0
    return STRONG if ratio >= LR_FAR else SOME if ratio >= LR_OFF else AGAINST if ratio <= 1 / LR_OFF else 1.0


def _lr_low(run: TrainingHistory) -> float:
    ratio = lr_ratio(run)
    if ratio is None:
        return 1.0
    return (
        STRONG
        if ratio <= 1 / LR_FAR
        else SOME
        if ratio <= 1 / LR_OFF
        else AGAINST
        if ratio >= LR_OFF
        else 1.0
    )


def _little_data(run: TrainingHistory) -> float:
    meta = run.metadata
    if meta.num_samples is None:
        return 1.0
    if meta.param_count and meta.num_samples / meta.param_count < SAMPLES_PER_PARAM:
        return STRONG
    return SOME if meta.num_samples < FEW_SAMPLES else AGAINST


def _nan_from_start(run: TrainingHistory) -> float:
    loss = run.get("loss")
    return STRONG if loss is not None and not np.isfinite(loss[0]) else 1.0


EVIDENCE: dict[str, Callable[[TrainingHistory], float]] = {
    "lr_too_high": _lr_high,
    "lr_too_low": _lr_low,
    "insufficient_data": _little_data,
    "capacity_too_high": _little_data,
    "nonfinite_values": _nan_from_start,
}


def _with_lr(candidate: Cause, run: TrainingHistory) -> Cause:
    """Put the concrete rate into an lr cause's fix when the configured one is known."""
    meta = run.metadata
    typical = TYPICAL_LR.get((meta.optimizer or "").lower())
    if candidate.code not in {"lr_too_high", "lr_too_low"} or not meta.learning_rate:
        return candidate
    if candidate.code == "lr_too_high":
        target = meta.learning_rate / 10 if typical is None else min(meta.learning_rate / 10, typical)
    else:
        target = meta.learning_rate * 10 if typical is None else max(meta.learning_rate * 10, typical)
    return candidate.model_copy(update={"fix": {**candidate.fix, "learning_rate": float(f"{target:.3g}")}})


def rank(candidates: Sequence[tuple[str, float]], run: TrainingHistory) -> list[Cause]:
    """The catalogue entries for (code, base weight) pairs, weighted by evidence, most likely first."""
    weights = [weight * EVIDENCE.get(code, lambda _: 1.0)(run) for code, weight in candidates]
    total = sum(weights) or 1.0
    ranked = [
        _with_lr(CATALOGUE[code], run).model_copy(update={"likelihood": round(w / total, 3)})
        for (code, _), w in zip(candidates, weights, strict=True)
    ]
    return sorted(ranked, key=lambda c: -c.likelihood)
