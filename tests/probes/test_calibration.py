"""The calibrations the bundle-probe benchmark's tune split asked for, one behaviour each:
slow memorization is not a wiring bug, model probes skip non-finite rows, rate suspicions need
a symptom that explains them, a Dropout model's val gap is settled by the audit, frozen layers
keep their weights (and an adapted Normalization layer its statistics), and a loss-swap trial
gets a head the new loss can use."""

from __future__ import annotations

import numpy as np

from diagnosis.bundle import LayerInfo, ModelInfo, label_info
from diagnosis.models import Category, Finding, Severity
from diagnosis.probes.fixes import _head_for
from diagnosis.probes.run import _confirm, _settle_val_gap
from diagnosis.probes.training import OVERFIT_STEPS, Memorization, Prepared


def _finding(
    code: str, severity: Severity = Severity.warning, causes: tuple[str, ...] = (), **fix
) -> Finding:
    return Finding(
        code=code,
        category=Category.training_dynamics,
        severity=severity,
        confidence=0.8,
        summary=f"{code}.",
        recommendation="Change it.",
        fix=fix,
        supports=dict.fromkeys(causes, 1.0),
    )


def _info(*kinds: str) -> ModelInfo:
    return ModelInfo(
        loss="binary_crossentropy",
        from_logits=False,
        output_units=1,
        output_activation="sigmoid",
        param_count=100,
        layers=[LayerInfo(name=k.lower(), kind=k) for k in kinds],
    )


def test_a_loss_still_falling_is_slow_memorization_and_a_flat_one_is_stuck() -> None:
    steps = np.arange(OVERFIT_STEPS)
    falling = Memorization(list(0.8 * np.exp(-steps / 120)))  # 0.8 -> 0.23, still dropping
    flat = Memorization(list(0.7 - 0.1 * (1 - np.exp(-steps / 10))))  # levelled off at 0.6
    assert not falling.memorized
    assert falling.still_falling
    assert not flat.memorized
    assert not flat.still_falling
    assert Memorization([0.7] * 10 + [float("nan")]).late_gain is None


def test_model_probes_get_only_the_finite_rows() -> None:
    x = np.ones((10, 3), dtype=np.float32)
    x[2, 1] = np.nan
    y = np.arange(10.0)
    y[5] = np.inf
    prepared = Prepared(x, y, x[:4].copy(), y[:4].copy())
    finite = prepared.finite()
    assert len(finite.x) == 8
    assert np.isfinite(finite.x).all()
    assert np.isfinite(finite.y).all()
    assert finite.x_val.shape == (3, 3)


def test_a_rate_suspicion_needs_a_symptom_that_lists_it() -> None:
    helped = {"measured": {"improved": True}}
    low = _finding("lr_too_low", **helped)
    high = _finding("lr_too_high", **helped)
    nan = _finding("loss_nan", causes=("nonfinite_values", "lr_too_high"))
    plateau = _finding("loss_plateau", causes=("lr_too_low",))

    # A short replay that a higher rate helped does not confirm a low rate; a lower one it does.
    assert [f.severity for f in _confirm([low, high], [])] == [Severity.info, Severity.warning]
    assert _confirm([low], [nan])[0].severity is Severity.info
    assert _confirm([low], [plateau])[0].severity is Severity.warning
    assert _confirm([low], [plateau.model_copy(update={"severity": Severity.info})])[0].severity is (
        Severity.info
    )


def test_a_dropout_models_val_gap_is_info_unless_the_audit_found_leakage() -> None:
    gap = [_finding("val_better_than_train")]
    settled = _settle_val_gap(gap, [], _info("Dense", "Dropout", "Dense"))
    assert settled[0].severity is Severity.info
    assert "no leakage" in settled[0].summary
    leaked = [_finding("duplicate_samples")]
    assert _settle_val_gap(gap, leaked, _info("Dense", "Dropout", "Dense"))[0].severity is Severity.warning
    assert _settle_val_gap(gap, [], _info("Dense", "Dense"))[0].severity is Severity.warning


def test_a_loss_swap_brings_the_output_head_it_needs() -> None:
    ten = label_info(np.arange(50) % 10)
    assert _head_for("sparse_categorical_crossentropy", {}, ten) == {"activation": "softmax", "units": 10}
    assert _head_for("binary_crossentropy", {}, ten) == {"units": 1, "activation": "sigmoid"}
    assert _head_for("mean_squared_error", {}, label_info(np.linspace(0, 1, 20))) == {"activation": "linear"}


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
