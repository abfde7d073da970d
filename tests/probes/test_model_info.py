"""Fresh copies of the user's model (diagnosis/probes/model_info.py) keep what must not be
re-drawn: the weights of frozen layers and an adapted Normalization layer's statistics."""

from __future__ import annotations

import numpy as np

from diagnosis.models import Severity


def test_fresh_copies_keep_the_weights_of_frozen_layers() -> None:
    import keras

    from diagnosis.bundle import TrainingConfig
    from diagnosis.probes.model_info import describe, fresh_copy

    model = keras.Sequential(
        [keras.layers.Input((4,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(1)]
    )
    frozen = model.layers[0]
    frozen.set_weights([np.full((4, 8), 0.5, "float32"), np.zeros(8, "float32")])
    frozen.trainable = False
    model.compile(optimizer="adam", loss="mse")
    copy = fresh_copy(model, describe(model, TrainingConfig()))
    assert np.allclose(copy.layers[0].get_weights()[0], 0.5)
    assert not np.allclose(copy.layers[1].get_weights()[0], model.layers[1].get_weights()[0])


def test_an_adapted_normalization_layer_keeps_its_statistics_and_the_audit_trusts_it() -> None:
    """Raw features on scales up to 1e4, standardized inside the model as the Keras guides do:
    the fresh copies keep the adapted mean and variance (a clone resets them to 0 and 1), and
    the data audit does not call the raw arrays unscaled."""
    import keras

    from diagnosis.audit.unscaled_features import UnscaledFeatures
    from diagnosis.bundle import BundleData, TrainingConfig
    from diagnosis.probes.model_info import describe, fresh_copy

    x = np.random.default_rng(0).normal([1e4, 1.0, 300.0], [2e3, 0.5, 80.0], (200, 3)).astype("float32")
    y = (x[:, 0] > 1e4).astype("float32")
    normalization = keras.layers.Normalization()
    normalization.adapt(x)
    model = keras.Sequential(
        [
            keras.layers.Input((3,)),
            normalization,
            keras.layers.Dense(8, activation="relu"),
            keras.layers.Dense(1),
        ]
    )
    model.compile(optimizer="adam", loss="binary_crossentropy")
    info = describe(model, TrainingConfig())
    assert info.normalizes_inputs
    copy = fresh_copy(model, info)
    for kept, adapted in zip(copy.layers[0].get_weights(), normalization.get_weights(), strict=True):
        assert np.allclose(kept, adapted)
    # And applies them: the copy's first layer standardizes the raw features as the original's does.
    assert np.allclose(np.asarray(copy.layers[0](x)), np.asarray(normalization(x)), atol=1e-5)
    assert abs(float(np.asarray(copy.layers[0](x)).std()) - 1.0) < 0.05
    assert not np.allclose(copy.layers[1].get_weights()[0], model.layers[1].get_weights()[0])
    data = BundleData(x, y)
    assert UnscaledFeatures().check(data, info) is None
    # The same arrays into a model without the layer, or with one never adapted, are unscaled.
    bare = keras.Sequential([keras.layers.Input((3,)), keras.layers.Dense(1, activation="sigmoid")])
    bare.compile(optimizer="adam", loss="binary_crossentropy")
    unadapted = keras.Sequential(
        [keras.layers.Input((3,)), keras.layers.Normalization(), keras.layers.Dense(1)]
    )
    unadapted.compile(optimizer="adam", loss="binary_crossentropy")
    for other in (bare, unadapted):
        other_info = describe(other, TrainingConfig())
        assert not other_info.normalizes_inputs
        finding = UnscaledFeatures().check(data, other_info)
        assert finding is not None
        assert finding.severity is Severity.warning


def test_a_trailing_relu_layer_is_the_output_activation_not_a_bottleneck() -> None:
    """Dense(1) then ReLU() is a one-output model with a ReLU output, not a one-unit hidden
    layer; a one-unit layer before the output still is a bottleneck."""
    import keras

    from diagnosis.bundle import TrainingConfig, label_info
    from diagnosis.probes.model_audit import audit_model
    from diagnosis.probes.model_info import describe

    def codes(*layers: keras.layers.Layer) -> tuple[str | None, set[str]]:
        model = keras.Sequential([keras.layers.Input((1,)), *layers])
        model.compile(optimizer="sgd", loss="mse")
        info = describe(model, TrainingConfig())
        y = np.abs(np.random.default_rng(0).normal(size=100)).astype(np.float32)
        found = audit_model(info, label_info(y, info.loss))
        return info.output_activation, {f.code for f in found if f.severity is not Severity.info}

    activation, found = codes(keras.layers.Dense(1, use_bias=False), keras.layers.ReLU())
    assert activation == "relu"
    assert "capacity_too_low" not in found
    _, narrow = codes(keras.layers.Dense(1, activation="relu"), keras.layers.Dense(4), keras.layers.Dense(1))
    assert "capacity_too_low" in narrow


def test_a_model_without_a_relu_that_can_die_rules_dead_units_out() -> None:
    from diagnosis.bundle import LayerInfo
    from diagnosis.probes.model_info import ruled_out
    from testkit.factories import network

    assert "dead_units" in ruled_out(network(hidden=[]))
    assert "dead_units" in ruled_out(network(hidden=[LayerInfo("h", "Dense", "tanh", 16)]))
    assert ruled_out(network(hidden=[16])) == {}
    # A nested model's layers are not listed: its activations are unknown, nothing is ruled out.
    assert ruled_out(network(hidden=[LayerInfo("block", "Sequential")])) == {}
