"""Reading a Keras model into `ModelInfo`, and building the fresh, compiled copies that the
probes train (the user's model object itself is never trained)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from diagnosis.bundle import LayerInfo, ModelInfo, TrainingConfig
from diagnosis.probes.loader import BundleError
from diagnosis.taxonomy import Code

if TYPE_CHECKING:
    import keras

# Keras' short names for losses, so "mse" and "mean_squared_error" mean one thing here.
LOSS_ALIASES = {
    "mse": "mean_squared_error",
    "mae": "mean_absolute_error",
    "bce": "binary_crossentropy",
    "kld": "kl_divergence",
    "mape": "mean_absolute_percentage_error",
    "msle": "mean_squared_logarithmic_error",
    "logcosh": "log_cosh",
}


def _loss_name(loss: Any) -> tuple[str | None, bool]:
    """A compiled loss as (canonical name, from_logits)."""
    import keras

    if loss is None:
        return None, False
    if isinstance(loss, str):
        name = LOSS_ALIASES.get(loss, loss)
        try:
            loss = keras.losses.get(name)
        except ValueError:
            raise BundleError(f"unknown loss {name!r}") from None
    if isinstance(loss, keras.losses.Loss):
        config = loss.get_config()
        return LOSS_ALIASES.get(config.get("name", ""), config.get("name")), bool(config.get("from_logits"))
    function_name: str | None = getattr(loss, "__name__", None)
    return (LOSS_ALIASES.get(function_name, function_name) if function_name else None), False


def activation_name(layer: keras.layers.Layer) -> str | None:
    """The layer's activation by name; a ReLU layer (Dense then ReLU(), the usual way after
    BatchNormalization) is one too, though Keras gives it no `activation` attribute."""
    activation = getattr(layer, "activation", None)
    if activation is None and type(layer).__name__ == "ReLU":
        plain = not getattr(layer, "negative_slope", 0.0) and not getattr(layer, "threshold", 0.0)
        return "relu" if plain and getattr(layer, "max_value", None) is None else None
    return getattr(activation, "__name__", None) if activation is not None else None


# Activations whose units can die: zero output and zero gradient for every negative input (the
# unit-health probe counts these). LeakyReLU, ELU, SELU, GELU and the saturating ones keep a
# gradient there, so a model without any of these has no unit that can die.
DYING_ACTIVATIONS = frozenset({"relu", "relu6"})
# Layers that hold other layers, whose activations this layer list does not show.
CONTAINERS = frozenset({"Sequential", "Functional", "Model"})


def ruled_out(info: ModelInfo) -> dict[Code, str]:
    """Causes the model's wiring leaves no room for, with why: dead units in a model whose layers
    (all of them visible, none a nested model) have no activation that can die."""
    kinds = {layer.kind for layer in info.layers}
    activations = {layer.activation for layer in info.layers}
    out: dict[Code, str] = {}
    if info.layers and not kinds & CONTAINERS and not activations & DYING_ACTIVATIONS:
        used = ", ".join(sorted(a for a in activations if a)) or "none"
        out[Code.dead_units] = f"no layer has a ReLU activation that can die (activations: {used})"
    return out


def _recurrent_rate(layer: keras.layers.Layer, name: str) -> float | None:
    """A recurrent layer's own dropout rate `name`, or that of the layer a Bidirectional wraps."""
    inner = getattr(layer, "forward_layer", layer)
    rate = getattr(inner, name, None)
    return float(rate) if isinstance(rate, int | float) else None


def describe(model: keras.Model, config: TrainingConfig) -> ModelInfo:
    """What the audits need to know; training.json wins over what the model was compiled with."""
    loss, from_logits = _loss_name(config.loss or getattr(model, "loss", None))
    if loss is None:
        raise BundleError("the model was saved without compile() and training.json names no loss")
    optimizer = getattr(model, "optimizer", None)
    optimizer_name = config.optimizer or (type(optimizer).__name__ if optimizer is not None else None)
    learning_rate = config.learning_rate
    if learning_rate is None and optimizer is not None:
        learning_rate = float(optimizer.learning_rate)
    layers = [
        LayerInfo(
            name=layer.name,
            kind=type(layer).__name__,
            activation=activation_name(layer),
            units=getattr(layer, "units", None),
            rate=getattr(layer, "rate", None),
            params=layer.count_params(),
            input_dropout=_recurrent_rate(layer, "dropout"),
            recurrent_dropout=_recurrent_rate(layer, "recurrent_dropout"),
        )
        for layer in model.layers
    ]
    output = model.outputs[0] if getattr(model, "outputs", None) else None
    output_units = int(output.shape[-1]) if output is not None and output.shape[-1] is not None else None
    # The output activation: the last layer that has one (a trailing Activation layer counts).
    last_activation = next((layer.activation for layer in reversed(layers) if layer.activation), None)
    inputs = getattr(model, "inputs", None)
    return ModelInfo(
        loss=loss,
        from_logits=from_logits,
        output_units=output_units,
        output_activation=last_activation,
        param_count=model.count_params(),
        layers=layers,
        optimizer=optimizer_name.lower() if optimizer_name else None,
        learning_rate=learning_rate,
        input_shape=tuple(inputs[0].shape) if inputs else None,
        normalizes_inputs=_normalizes_inputs(model),
        output_shape=tuple(output.shape[1:]) if output is not None else None,
        batch_size=config.batch_size,
    )


def _normalizes_inputs(model: keras.Model) -> bool:
    """The first layer is a Normalization layer with statistics: given in its config, or adapted
    (a mean or variance other than the 0 and 1 an un-adapted one holds)."""
    first = next((layer for layer in model.layers if type(layer).__name__ != "InputLayer"), None)
    if first is None or type(first).__name__ != "Normalization":
        return False
    config = first.get_config()
    if config.get("mean") is not None:
        return True
    weights = [np.asarray(w) for w in first.get_weights()]
    return len(weights) >= 2 and bool(np.any(weights[0] != 0) or np.any(weights[1] != 1))


def make_optimizer(
    info: ModelInfo, learning_rate: float | None = None, name: str | None = None
) -> keras.optimizers.Optimizer:
    import keras

    name = name or info.optimizer or "adam"
    try:
        optimizer = keras.optimizers.get(name)
    except ValueError:
        optimizer = keras.optimizers.Adam()
    rate = learning_rate if learning_rate is not None else info.learning_rate
    if rate is not None:
        optimizer.learning_rate = rate
    return optimizer


def loss_object(name: str, from_logits: bool) -> keras.losses.Loss:
    """A loss instance; the cross-entropies get `from_logits`, which only they take."""
    import keras

    crossentropies = {
        "binary_crossentropy": keras.losses.BinaryCrossentropy,
        "categorical_crossentropy": keras.losses.CategoricalCrossentropy,
        "sparse_categorical_crossentropy": keras.losses.SparseCategoricalCrossentropy,
    }
    if name in crossentropies:
        return crossentropies[name](from_logits=from_logits)
    return keras.losses.get(name)


def fresh_copy(
    model: keras.Model,
    info: ModelInfo,
    *,
    learning_rate: float | None = None,
    optimizer: str | None = None,
    loss: str | None = None,
    from_logits: bool | None = None,
    clone_function: Callable[[keras.layers.Layer], keras.layers.Layer] | None = None,
    metrics: bool = True,
    per_unit_accuracy: bool = False,
) -> keras.Model:
    """The same architecture with freshly initialized weights, compiled as the user trains it
    (or with the loss and rate a fix trial swaps in).

    Frozen layers keep the weights they were loaded with: training never changes them, so
    they are part of the setup (a pretrained base, or one whose weights failed to load), and
    a random re-draw would probe a different model. So do layers whose weights are all
    non-trainable (an adapted Normalization layer's mean and variance, a lookup's vocabulary):
    that state was computed from the data before training, and a clone resets it.

    `metrics=False` compiles the loss alone, for probes that read nothing else: an accuracy
    metric is updated on every step (and read back by train_on_batch) for nothing.

    `per_unit_accuracy`: the accuracy scores each output unit as its own yes/no (multi-label
    rows under a binary loss). Keras resolves "accuracy" by the output's width, and over several
    units it takes the arg-max class, which a row of several true tags does not have."""
    import keras

    loss = loss or info.loss or "mean_squared_error"
    clone = keras.models.clone_model(model, clone_function=clone_function)
    for original, copy in zip(model.layers, clone.layers, strict=False):
        weights = original.get_weights()
        fixed = not original.trainable or not original.trainable_weights
        if fixed and weights and [w.shape for w in weights] == [tuple(w.shape) for w in copy.weights]:
            copy.set_weights(weights)
            # Preprocessing layers compute what they apply from their variables once (Keras's
            # Normalization keeps mean and variance as tensors): without this the copy holds the
            # adapted statistics and still applies the 0 and 1 it was built with. Other layers
            # have no such step.
            finalize = getattr(copy, "finalize_state", None)
            if finalize is not None:
                finalize()
    clone.compile(
        optimizer=make_optimizer(info, learning_rate, optimizer),
        loss=loss_object(loss, info.from_logits if from_logits is None else from_logits),
        metrics=[_accuracy(per_unit_accuracy)] if metrics and "crossentropy" in loss else [],
    )
    return clone


def _accuracy(per_unit: bool) -> Any:
    """The accuracy metric, named "accuracy" either way so the replay's curves read the same."""
    import keras

    return keras.metrics.BinaryAccuracy(name="accuracy") if per_unit else "accuracy"
