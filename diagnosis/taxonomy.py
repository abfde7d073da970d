"""The published finding codes (docs/design.md, "The diagnosis contract"): the public API of a
diagnosis. New codes may be added here; a code, once published, keeps its meaning.

Symptoms come from curves (a history, or the curves a probe records); causes come from
looking at the data, the model, the hyperparameters and the training dynamics.
"""

from __future__ import annotations

from diagnosis.models import Category

SYMPTOMS = frozenset(
    {
        "loss_nan",
        "loss_diverging",
        "loss_oscillating",
        "loss_spikes",
        "loss_plateau",
        "slow_convergence",
        "overfitting",
        "underfitting",
        "accuracy_at_chance",
        "val_noisy",
        "val_better_than_train",
        "unexpected_initial_loss",
    }
)

CAUSES: dict[Category, frozenset[str]] = {
    Category.data: frozenset(
        {
            "class_imbalance",
            "unscaled_features",
            "unscaled_targets",
            "nonfinite_values",
            "constant_features",
            "duplicate_samples",
            "conflicting_labels",
            "label_noise",
            "insufficient_data",
            "train_val_shift",
            "label_format_mismatch",
        }
    ),
    Category.model: frozenset(
        {
            "output_activation_mismatch",
            "output_shape_mismatch",
            "loss_task_mismatch",
            "excessive_dropout",
            "capacity_too_low",
            "capacity_too_high",
        }
    ),
    Category.hyperparameters: frozenset({"lr_too_high", "lr_too_low", "batch_size_unsuitable"}),
    Category.training_dynamics: frozenset(
        {
            "exploding_gradients",
            "vanishing_gradients",
            "dead_units",
            "saturated_activations",
            "cannot_overfit_batch",
        }
    ),
}

CODES = SYMPTOMS.union(*CAUSES.values())
