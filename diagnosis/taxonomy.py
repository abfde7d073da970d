"""The published codes (the diagnosis contract): one enum for every finding and cause code,
and what each cause is, how to check it and what to change.

A code is public API: new codes may be added here; a code, once published, keeps its meaning.
Symptoms come from curves (a history, or the curves a probe records); causes come from
looking at the data, the model, the hyperparameters and the training dynamics. A finding's
code is either; a verdict's causes are always causes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Category(StrEnum):
    data = "data"
    model = "model"
    hyperparameters = "hyperparameters"
    implementation = "implementation"
    training_dynamics = "training_dynamics"


class Code(StrEnum):
    """Every finding and cause code. A StrEnum, so `finding.code == "loss_nan"` holds."""

    # symptoms
    loss_nan = "loss_nan"
    loss_diverging = "loss_diverging"
    loss_oscillating = "loss_oscillating"
    loss_spikes = "loss_spikes"
    loss_plateau = "loss_plateau"
    slow_convergence = "slow_convergence"
    overfitting = "overfitting"
    underfitting = "underfitting"
    accuracy_at_chance = "accuracy_at_chance"
    val_noisy = "val_noisy"
    val_better_than_train = "val_better_than_train"
    unexpected_initial_loss = "unexpected_initial_loss"
    # causes: data
    class_imbalance = "class_imbalance"
    unscaled_features = "unscaled_features"
    unscaled_targets = "unscaled_targets"
    nonfinite_values = "nonfinite_values"
    constant_features = "constant_features"
    duplicate_samples = "duplicate_samples"
    conflicting_labels = "conflicting_labels"
    label_noise = "label_noise"
    insufficient_data = "insufficient_data"
    train_val_shift = "train_val_shift"
    label_format_mismatch = "label_format_mismatch"
    # causes: model
    output_activation_mismatch = "output_activation_mismatch"
    output_shape_mismatch = "output_shape_mismatch"
    loss_task_mismatch = "loss_task_mismatch"
    excessive_dropout = "excessive_dropout"
    capacity_too_low = "capacity_too_low"
    capacity_too_high = "capacity_too_high"
    # causes: hyperparameters
    lr_too_high = "lr_too_high"
    lr_too_low = "lr_too_low"
    batch_size_unsuitable = "batch_size_unsuitable"
    # causes: training dynamics
    exploding_gradients = "exploding_gradients"
    vanishing_gradients = "vanishing_gradients"
    dead_units = "dead_units"
    saturated_activations = "saturated_activations"
    cannot_overfit_batch = "cannot_overfit_batch"


C = Code
SYMPTOMS = frozenset(
    {
        C.loss_nan,
        C.loss_diverging,
        C.loss_oscillating,
        C.loss_spikes,
        C.loss_plateau,
        C.slow_convergence,
        C.overfitting,
        C.underfitting,
        C.accuracy_at_chance,
        C.val_noisy,
        C.val_better_than_train,
        C.unexpected_initial_loss,
    }
)

CAUSES: dict[Category, frozenset[Code]] = {
    Category.data: frozenset(
        {
            C.class_imbalance,
            C.unscaled_features,
            C.unscaled_targets,
            C.nonfinite_values,
            C.constant_features,
            C.duplicate_samples,
            C.conflicting_labels,
            C.label_noise,
            C.insufficient_data,
            C.train_val_shift,
            C.label_format_mismatch,
        }
    ),
    Category.model: frozenset(
        {
            C.output_activation_mismatch,
            C.output_shape_mismatch,
            C.loss_task_mismatch,
            C.excessive_dropout,
            C.capacity_too_low,
            C.capacity_too_high,
        }
    ),
    Category.hyperparameters: frozenset({C.lr_too_high, C.lr_too_low, C.batch_size_unsuitable}),
    Category.training_dynamics: frozenset(
        {
            C.exploding_gradients,
            C.vanishing_gradients,
            C.dead_units,
            C.saturated_activations,
            C.cannot_overfit_batch,
        }
    ),
}

CAUSE_CODES = frozenset().union(*CAUSES.values())
CODES = SYMPTOMS | CAUSE_CODES
CATEGORY = {code: category for category, codes in CAUSES.items() for code in codes}

# Causes a training history cannot show: their curves are those of any model that does not
# learn, and neither the curves nor the metadata single them out; only a bundle's gradient
# statistics (or its data and model) tell. The verdict still lists them where the symptoms
# support them, with the probe that would tell.
HISTORY_BLIND = frozenset(
    {
        C.dead_units,
        C.saturated_activations,
        C.vanishing_gradients,
        C.constant_features,
        C.duplicate_samples,
        C.conflicting_labels,
        C.output_shape_mismatch,
        C.label_format_mismatch,
        C.cannot_overfit_batch,
    }
)

# Bundle probes (POST /v1/bundles) and what each settles.
PROBE_DATA_AUDIT = "data_audit"
PROBE_MODEL_AUDIT = "model_audit"
PROBE_LR_RANGE = "lr_range_test"
PROBE_OVERFIT_BATCH = "overfit_one_batch"
PROBE_GRADIENTS = "gradient_stats"


@dataclass(frozen=True)
class CauseInfo:
    """What a cause is in words, how to check it, what to change, and which bundle probe
    would tell whether it is there."""

    title: str  # completes "The most likely cause is ..."
    check: str
    change: str
    probe: str | None
    fix: dict[str, Any] = field(default_factory=dict)


CATALOGUE: dict[Code, CauseInfo] = {
    C.lr_too_high: CauseInfo(
        "a learning rate too high for the optimizer",
        "the learning rate against the optimizer's usual one (Adam ~1e-3, SGD ~1e-2)",
        "divide the learning rate by 10 and add clipnorm=1.0",
        PROBE_LR_RANGE,
        {"learning_rate_factor": 0.1},
    ),
    C.lr_too_low: CauseInfo(
        "a learning rate too low to make progress",
        "the learning rate against the optimizer's usual one (Adam ~1e-3, SGD ~1e-2)",
        "multiply the learning rate by 10",
        PROBE_LR_RANGE,
        {"learning_rate_factor": 10.0},
    ),
    C.batch_size_unsuitable: CauseInfo(
        "an unsuitable batch size",
        "the batch size: tiny batches make epochs noisy",
        "use a batch size of 32-128 and scale the learning rate with it",
        None,
        {"batch_size": 64},
    ),
    C.unscaled_features: CauseInfo(
        "inputs that are not standardized",
        "feature means and standard deviations (far from 0 and 1?)",
        "standardize inputs with keras.layers.Normalization adapted on the training set",
        PROBE_DATA_AUDIT,
        {"standardize_inputs": True},
    ),
    C.unscaled_targets: CauseInfo(
        "regression targets on a large scale",
        "the scale of the regression targets",
        "standardize the targets (and invert the scaling at prediction time)",
        PROBE_DATA_AUDIT,
    ),
    C.nonfinite_values: CauseInfo(
        "NaN or infinite values in the data",
        "x_train and y_train for NaN or infinite values",
        "drop or impute non-finite values before training (np.isfinite(x).all() should hold)",
        PROBE_DATA_AUDIT,
    ),
    C.constant_features: CauseInfo(
        "input features that never vary",
        "each feature's spread in the training set",
        "drop the constant columns, or fix the preprocessing that flattened them",
        PROBE_DATA_AUDIT,
    ),
    C.duplicate_samples: CauseInfo(
        "samples shared between the training and the validation set",
        "samples that appear in both the training and the validation set",
        "deduplicate before splitting so validation measures unseen data",
        PROBE_DATA_AUDIT,
    ),
    C.conflicting_labels: CauseInfo(
        "identical inputs with different labels",
        "duplicate inputs whose labels disagree",
        "fix or drop the samples whose copies disagree",
        PROBE_DATA_AUDIT,
    ),
    C.class_imbalance: CauseInfo(
        "classes so imbalanced that predicting the majority pays",
        "the class counts in y_train",
        "pass class_weight to fit (inverse class frequency) and watch a balanced metric",
        PROBE_DATA_AUDIT,
        {"class_weight": "balanced"},
    ),
    C.label_noise: CauseInfo(
        "wrong or shuffled labels",
        "a sample of labels by hand, and conflicting duplicates",
        "clean the labels, or train with label smoothing 0.1",
        PROBE_DATA_AUDIT,
    ),
    C.insufficient_data: CauseInfo(
        "too little training data for the model",
        "the number of training samples against the trainable parameters",
        "get more data or augment it, or use a smaller model",
        PROBE_DATA_AUDIT,
    ),
    C.train_val_shift: CauseInfo(
        "a validation set that differs from the training set",
        "feature statistics of the training against the validation set",
        "split both from the same shuffled data and preprocess them identically",
        PROBE_DATA_AUDIT,
    ),
    C.label_format_mismatch: CauseInfo(
        "labels encoded differently from what the loss expects",
        "the labels' encoding against the loss (one-hot or integer, values in range)",
        "one-hot labels with categorical_crossentropy, integers 0..K-1 with the sparse one",
        PROBE_DATA_AUDIT,
    ),
    C.output_activation_mismatch: CauseInfo(
        "an output activation that does not suit the loss",
        "the last layer's activation against the loss",
        "softmax + categorical cross-entropy for K classes, sigmoid + binary cross-entropy for two, "
        "linear + MSE for regression (from_logits=True only with a linear output)",
        PROBE_MODEL_AUDIT,
    ),
    C.output_shape_mismatch: CauseInfo(
        "an output layer of the wrong width for the labels",
        "the output units against the number of classes or targets",
        "one output unit per class (or per target), one sigmoid unit for two classes",
        PROBE_MODEL_AUDIT,
    ),
    C.loss_task_mismatch: CauseInfo(
        "a loss that does not fit the task",
        "the loss against the labels",
        "sparse_categorical_crossentropy for integer labels, categorical_crossentropy for one-hot, "
        "binary_crossentropy for 0/1 labels, MSE for regression",
        PROBE_MODEL_AUDIT,
    ),
    C.excessive_dropout: CauseInfo(
        "too much dropout",
        "the Dropout rates (above 0.5 slows learning a lot)",
        "lower Dropout to 0.2-0.3",
        PROBE_MODEL_AUDIT,
        {"dropout": 0.2},
    ),
    C.capacity_too_low: CauseInfo(
        "a model too small for the task",
        "whether the model can overfit a single batch",
        "double the width of the hidden layers or add a layer",
        PROBE_OVERFIT_BATCH,
    ),
    C.capacity_too_high: CauseInfo(
        "a model large enough to memorize its data",
        "trainable parameters against training samples",
        "halve the width or depth and add Dropout 0.3 or an L2 penalty of 1e-4",
        PROBE_MODEL_AUDIT,
    ),
    C.exploding_gradients: CauseInfo(
        "exploding gradients",
        "per-layer gradient norms in the first steps",
        "clip gradients (clipnorm=1.0) and add BatchNormalization",
        PROBE_GRADIENTS,
        {"clipnorm": 1.0},
    ),
    C.vanishing_gradients: CauseInfo(
        "vanishing gradients",
        "gradient norms of the first layers against the last ones",
        "use ReLU with He initialization, BatchNormalization or skip connections",
        PROBE_GRADIENTS,
    ),
    C.dead_units: CauseInfo(
        "dead ReLU units",
        "the share of ReLU units that never activate",
        "use LeakyReLU or He initialization and a lower learning rate",
        PROBE_GRADIENTS,
    ),
    C.saturated_activations: CauseInfo(
        "saturated sigmoid/tanh activations",
        "sigmoid/tanh activations pinned near their limits",
        "use ReLU, BatchNormalization and a smaller initialization",
        PROBE_GRADIENTS,
    ),
    C.cannot_overfit_batch: CauseInfo(
        "a wiring fault: the model cannot even fit one batch",
        "whether the model drives the loss on one batch to ~0",
        "fix the wiring (labels, loss, output layer) until it can",
        PROBE_OVERFIT_BATCH,
    ),
}
