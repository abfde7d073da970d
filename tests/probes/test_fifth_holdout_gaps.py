"""The gaps the fifth bundle holdout showed, one behaviour each: count and direction losses
(Poisson, cosine similarity) are known, a recurrent layer's own dropout is read, dead units on a
fresh copy that trained fine are worth knowing only, and a label-noise estimate whose reference
model the user's own model clearly outpredicts is not a warning."""

from __future__ import annotations

import numpy as np

from diagnosis.audit import audit_data
from diagnosis.audit.label_noise import LabelNoise
from diagnosis.bundle import BundleData, LayerInfo, ModelInfo, label_info
from diagnosis.models import Category, Finding, Severity
from diagnosis.probes.model_audit import COUNT_OUTPUT, audit_model
from diagnosis.probes.run import _settle_dead_units, _settle_label_noise, _settle_val_gap
from diagnosis.probes.training import FRESH_COPY_STEPS, Prepared, Replay


def _model(
    loss: str, activation: str = "linear", units: int = 1, layers: list[LayerInfo] | None = None
) -> ModelInfo:
    return ModelInfo(
        loss=loss,
        from_logits=False,
        output_units=units,
        output_activation=activation,
        param_count=1000,
        layers=[
            *(layers or [LayerInfo("h", "Dense", "relu", 32)]),
            LayerInfo("out", "Dense", activation, units),
        ],
        optimizer="adam",
        learning_rate=1e-3,
    )


def _codes(findings: list[Finding]) -> set[str]:
    return {f.code for f in findings if f.severity is not Severity.info}


def _counts(seed: int = 0, n: int = 2000) -> np.ndarray:
    """Event counts with a mean near 2 and a long tail: most values rare, as class ids would be."""
    rng = np.random.default_rng(seed)
    return rng.poisson(np.exp(0.5 + 0.5 * rng.normal(size=n))).astype(np.float32)


def test_poisson_counts_are_quantities_not_classes() -> None:
    counts = _counts()
    x = np.random.default_rng(1).normal(size=(len(counts), 8)).astype(np.float32)
    assert label_info(counts).format == "integer"  # without the loss they could be class ids
    labels = label_info(counts, "poisson")
    assert labels.format == "continuous"
    assert labels.value_range == (0.0, float(counts.max()))
    info = _model("poisson", "exponential")
    # No class shares, no rare classes, no loss/task or width complaint for the usual count model.
    assert _codes(audit_data(BundleData(x, counts), info)) == set()
    assert _codes(audit_model(info, labels)) == set()
    assert _codes(audit_model(_model("poisson", "softplus"), labels)) == set()


def test_a_poisson_loss_needs_a_positive_output_that_reaches_the_counts() -> None:
    labels = label_info(_counts(), "poisson")
    for activation in ("linear", "tanh"):
        (finding,) = [f for f in audit_model(_model("poisson", activation), labels) if f.code != "lr_too_low"]
        assert finding.code == "output_activation_mismatch"
        assert finding.fix == {"output_activation": COUNT_OUTPUT}
    # A sigmoid is positive but stops at 1, below the counts.
    codes = {f.code for f in audit_model(_model("poisson", "sigmoid"), labels)}
    assert "output_activation_mismatch" in codes
    # Negative targets are no counts at all.
    signed = label_info(np.linspace(-2.0, 3.0, 50), "poisson")
    assert "loss_task_mismatch" in {f.code for f in audit_model(_model("poisson", "exponential"), signed)}


def test_cosine_similarity_on_one_target_is_the_wrong_loss_but_fine_on_vectors() -> None:
    one = label_info(np.linspace(-2.0, 3.0, 50)[:, None])
    (finding,) = [f for f in audit_model(_model("cosine_similarity"), one) if f.code == "loss_task_mismatch"]
    assert finding.fix == {"loss": "mean_squared_error"}
    vectors = label_info(np.random.default_rng(0).normal(size=(50, 8)))
    assert _codes(audit_model(_model("cosine_similarity", units=8), vectors)) == set()


def test_a_recurrent_layers_own_dropout_and_spatial_dropout_are_read() -> None:
    three = label_info(np.arange(30) % 3)
    lstm = LayerInfo("lstm", "LSTM", "tanh", 24, input_dropout=0.8, recurrent_dropout=0.8)
    (finding,) = [
        f
        for f in audit_model(_model("sparse_categorical_crossentropy", "softmax", 3, [lstm]), three)
        if f.code == "excessive_dropout"
    ]
    assert [layer["name"] for layer in finding.evidence["layers"]] == [
        "lstm (dropout)",
        "lstm (recurrent_dropout)",
    ]
    mild = LayerInfo("lstm", "LSTM", "tanh", 24, input_dropout=0.2, recurrent_dropout=0.2)
    assert "excessive_dropout" not in _codes(
        audit_model(_model("sparse_categorical_crossentropy", "softmax", 3, [mild]), three)
    )
    spatial = LayerInfo("drop", "SpatialDropout2D", rate=0.7)
    assert "excessive_dropout" in _codes(
        audit_model(_model("sparse_categorical_crossentropy", "softmax", 3, [spatial]), three)
    )
    # Recurrent dropout acts in training only, so it explains a validation loss below training's.
    gap = _finding("val_better_than_train")
    assert (
        _settle_val_gap([gap], [], _model("sparse_categorical_crossentropy", "softmax", 3, [mild]))[
            0
        ].severity
        is Severity.info
    )


def _finding(code: str, severity: Severity = Severity.warning, **evidence: object) -> Finding:
    return Finding(
        code=code,
        category=Category.training_dynamics,
        severity=severity,
        confidence=0.75,
        summary=f"{code}.",
        evidence=evidence,
        recommendation="Change it.",
    )


def test_dead_units_on_a_fresh_copy_are_a_warning_only_when_training_shows_the_cost() -> None:
    dead = _finding("dead_units", **{FRESH_COPY_STEPS: 20})
    in_checkpoint = _finding("dead_units", batch=256)  # the saved weights: the replay cannot judge them
    assert _settle_dead_units([dead], [])[0].severity is Severity.info
    assert _settle_dead_units([in_checkpoint], [])[0].severity is Severity.warning
    assert _settle_dead_units([dead], [_finding("loss_plateau")])[0].severity is Severity.warning
    assert _settle_dead_units([dead], [_finding("loss_plateau", Severity.info)])[0].severity is Severity.info
    stalled = _finding("cannot_overfit_batch", Severity.error)
    assert _settle_dead_units([dead, stalled], [])[0].severity is Severity.warning


def _shells(seed: int, n: int, noise: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Three classes by distance from the origin in 6-D (Gaussian quantile shells): no neighbour
    vote or linear model on the raw features follows them well; a network does."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 6)).astype(np.float32)
    radius = (x**2).sum(axis=1)
    y = np.digitize(radius, np.quantile(radius, [1 / 3, 2 / 3])).astype(np.int64)
    flipped = rng.random(n) < noise
    y[flipped] = (y[flipped] + rng.integers(1, 3, int(flipped.sum()))) % 3
    return x, y


def _replayed(accuracy: float) -> Replay:
    return Replay(history={}, score={"accuracy": accuracy}, steps=0)


def test_a_label_noise_estimate_the_users_model_contradicts_is_info() -> None:
    x, y = _shells(0, 2000)
    x_val, y_val = _shells(1, 500)
    info = _model("sparse_categorical_crossentropy", "softmax", 3)
    audit = [f for f in audit_data(BundleData(x, y, x_val, y_val), info) if f.code == "label_noise"]
    assert audit
    assert audit[0].severity is Severity.warning  # the reference models' own errors
    data = Prepared(x, y, x_val, y_val)
    settled = _settle_label_noise(audit, data, _replayed(0.9), info)[0]
    assert settled.severity is Severity.info
    assert settled.evidence["replay_val_accuracy"] == 0.9
    assert settled.evidence["reference_val_accuracy"] < 0.75
    # A model no better than the reference leaves the warning standing.
    assert _settle_label_noise(audit, data, _replayed(0.62), info)[0].severity is Severity.warning


def test_real_label_noise_stays_a_warning_when_the_reference_model_is_competent() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2500, 6)).astype(np.float32)
    y = (x[:, 0] + x[:, 1] > 0).astype(np.int64)
    flipped = rng.random(len(y)) < 0.3
    y[flipped] = 1 - y[flipped]
    info = _model("binary_crossentropy", "sigmoid")
    data = Prepared(x[:2000], y[:2000], x[2000:], y[2000:])
    finding = LabelNoise().check(BundleData(data.x, data.y), info)
    assert finding is not None
    assert finding.severity is Severity.warning
    audit = [finding]
    # The network can only do as well as the labels allow (about 70 %): the estimate stands.
    assert _settle_label_noise(audit, data, _replayed(0.72), info)[0].severity is Severity.warning
