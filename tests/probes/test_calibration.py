"""The calibrations the bundle-probe benchmark's tune split asked for, one behaviour each:
slow memorization is not a wiring bug, model probes skip non-finite rows, rate suspicions need
a symptom that explains them, a Dropout model's val gap is settled by the audit, frozen layers
keep their weights, and a loss-swap trial gets a head the new loss can use."""

from __future__ import annotations

import numpy as np

from diagnosis.bundle import LayerInfo, ModelInfo, label_info
from diagnosis.models import Category, Cause, Finding, Severity
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
        causes=[
            Cause(code=c, category=Category.hyperparameters, likelihood=0.5, check="-", change="-")
            for c in causes
        ],
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
