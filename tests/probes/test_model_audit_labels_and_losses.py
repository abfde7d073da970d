"""The model audit against the labels (diagnosis/probes/model_audit.py, diagnosis/bundle.py):
count and direction losses (Poisson, cosine similarity), multi-hot labels as a label format,
output units held against regression target columns, and a recurrent layer's own dropout."""

from __future__ import annotations

import numpy as np
import pytest

from diagnosis.audit import audit_data
from diagnosis.bundle import BundleData, LayerInfo, ModelInfo, label_info
from diagnosis.models import Finding, Severity
from diagnosis.probes.model_audit import audit_model
from diagnosis.probes.model_audit.output_activation_mismatch import COUNT_OUTPUT
from diagnosis.probes.model_audit.output_shape_mismatch import OutputShape
from diagnosis.probes.settling import settle
from testkit import factories


def _model(
    loss: str, activation: str = "linear", units: int = 1, layers: list[LayerInfo] | None = None
) -> ModelInfo:
    """A network whose output `activation` every test here names (the factory's default follows
    the loss, and these losses are the ones it does not know)."""
    return factories.network(loss, units, activation, hidden=layers or (32,))


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
    gap = factories.finding("val_better_than_train", confidence=0.75)
    facts = factories.bundle_facts(_model("sparse_categorical_crossentropy", "softmax", 3, [mild]))
    assert settle([[gap]], facts)[0][0].severity is Severity.info


ALARMS = (Severity.warning, Severity.error)


def _multi_hot(n: int = 300, tags: int = 3, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 6)).astype(np.float32)
    y = (x[:, :tags] + 0.3 * rng.normal(size=(n, tags)) > 0).astype(np.float32)
    assert (y.sum(axis=1) != 1).any()  # several tags per row: not one-hot
    return x, y


def test_multi_hot_rows_are_a_label_format_that_sigmoid_and_binary_crossentropy_fit() -> None:
    x, y = _multi_hot()
    labels = label_info(y)
    assert (labels.format, labels.columns, labels.num_classes) == ("multi_hot", 3, None)
    info = factories.network("binary_crossentropy", 3, "sigmoid", hidden=(16,), params=200)
    findings = audit_data(BundleData(x, y), info) + audit_model(info, labels)
    assert [f.code for f in findings if f.severity in ALARMS] == []
    # Too few sigmoid units for the tags is the output's width, not the task.
    short = audit_model(factories.network("binary_crossentropy", 2, "sigmoid"), labels)
    assert [(f.code, f.fix) for f in short] == [("output_shape_mismatch", {"output_units": 3})]


@pytest.mark.parametrize(("units", "flagged"), [(1, True), (2, True), (3, False)])
def test_regression_outputs_are_held_against_the_target_columns(units: int, flagged: bool) -> None:
    targets = label_info(np.linspace(-1.0, 1.0, 30).reshape(10, 3))
    finding = OutputShape().check(factories.network("mean_squared_error", units, "linear"), targets)
    assert (finding is not None) == flagged
    if finding is not None:
        assert finding.severity is Severity.error
        assert finding.evidence["needed_units"] == 3
    one_target = label_info(np.linspace(-1.0, 1.0, 30))
    assert OutputShape().check(factories.network("mean_squared_error", 1, "linear"), one_target) is None


@pytest.mark.parametrize(
    ("y", "loss", "activation", "units", "cause"),
    [
        # Prices under binary cross-entropy: the labels state a regression, the loss is wrong.
        (np.linspace(5e4, 5e5, 400), "binary_crossentropy", "sigmoid", 1, "loss_task_mismatch"),
        # Ten digit classes into one sigmoid unit.
        (np.arange(400) % 10, "binary_crossentropy", "sigmoid", 1, "loss_task_mismatch"),
        # Categorical cross-entropy over one sigmoid unit with 0/1 labels: the loss is the odd one.
        (np.arange(400) % 2, "categorical_crossentropy", "sigmoid", 1, "loss_task_mismatch"),
        # ... over a one-unit softmax: softmax and loss agree on classes; the one unit is wrong.
        (np.arange(400) % 2, "categorical_crossentropy", "softmax", 1, "output_shape_mismatch"),
    ],
)
def test_labels_that_state_another_task_are_the_model_fault_seen_twice(
    y: np.ndarray, loss: str, activation: str, units: int, cause: str
) -> None:
    """One fault read from the labels' side and the model's is one cause with the label finding
    listed under it, not two causes with the labels' first."""
    from diagnosis.evidence import Context, TrialOutcome, conclude

    y = y.astype(np.float32)
    x = np.random.default_rng(0).normal(size=(len(y), 4)).astype(np.float32)
    info = _model(loss, activation, units)
    findings = audit_data(BundleData(x, y), info) + audit_model(info, label_info(y, loss))
    assert {"label_format_mismatch", cause} <= _codes(findings)
    concluded, verdict = conclude(findings, Context(epochs=20))
    assert verdict.causes[0].code == cause
    assert "label_format_mismatch" in verdict.causes[0].explains
    assert "label_format_mismatch" not in [c.code for c in verdict.causes]
    label = next(f for f in concluded if f.code == "label_format_mismatch")
    assert label.explained_by == cause
    # The label finding's own fix trial (another loss) that helped measured the same fault.
    measured = {"before": {"accuracy": 0.5}, "after": {"accuracy": 0.9}, "steps": 240, "improved": True}
    trial = TrialOutcome("swap_loss", measured, {"loss": "binary_crossentropy"})
    _, tried = conclude(findings, Context(epochs=20, trials=(trial,)))
    assert tried.causes[0].code == cause
    assert "label_format_mismatch" not in [c.code for c in tried.causes]
    assert tried.first_fix is not None
    assert tried.first_fix.cause == cause


@pytest.mark.parametrize(
    ("y", "loss", "units"),
    [
        (np.arange(400) % 4 + 1, "sparse_categorical_crossentropy", 4),  # classes 1..4 for 0..3
        (np.where(np.arange(400) % 2, 1.0, -1.0), "binary_crossentropy", 1),  # -1/1 for 0/1
    ],
)
def test_labels_in_another_encoding_stay_their_own_cause(y: np.ndarray, loss: str, units: int) -> None:
    """Labels carrying the task in the wrong encoding are the labels' fault, whatever else the
    model audit says about the widths."""
    from diagnosis.evidence import Context, conclude

    y = y.astype(np.float32)
    x = np.random.default_rng(0).normal(size=(len(y), 4)).astype(np.float32)
    info = _model(loss, "softmax" if units > 1 else "sigmoid", units)
    findings = audit_data(BundleData(x, y), info) + audit_model(info, label_info(y, loss))
    label = next(f for f in findings if f.code == "label_format_mismatch")
    assert label.evidence["fault_side"] == "labels"
    _, verdict = conclude(findings, Context(epochs=20))
    assert "label_format_mismatch" in [c.code for c in verdict.causes]


def test_whole_number_regression_targets_on_a_grid_are_quantities_not_class_labels() -> None:
    """The eighth round's line (y = 2x for x = 0..199) and parabola (y = x**2 + 3) under MSE were
    read as 397 and 9804 class labels; they leave most of 0..max empty, so they are quantities."""
    mse = _model("mean_squared_error")
    x = np.arange(200, dtype=np.float32)
    line = label_info(2 * x, "mean_squared_error")
    parabola = label_info(x[:100] ** 2 + 3, "mean_squared_error")
    assert (line.format, parabola.format) == ("continuous", "continuous")
    assert line.value_range == (0.0, 398.0)
    assert "loss_task_mismatch" not in _codes(audit_model(mse, line))
    assert "loss_task_mismatch" not in _codes(audit_model(mse, parabola))
    # A contiguous quantity that takes a new value at every sample (y = x + 1) is no class id either.
    assert label_info(x + 1, "mean_squared_error").format == "continuous"


def test_class_ids_under_mse_are_still_class_labels() -> None:
    """Real class ids 0..9, each seen several times, under MSE: the mismatch the check exists for."""
    ids = (np.arange(200) % 10).astype(np.float32)
    labels = label_info(ids, "mean_squared_error")
    assert (labels.format, labels.num_classes) == ("integer", 10)
    finding = next(
        f for f in audit_model(_model("mean_squared_error"), labels) if f.code == "loss_task_mismatch"
    )
    assert finding.severity is Severity.error
    assert finding.fix == {"loss": "sparse_categorical_crossentropy"}
    # Three classes in five samples are too few for the repetition test to call them a quantity.
    assert label_info(np.array([0, 1, 2, 1, 0]), "mean_squared_error").format == "integer"


def test_gapped_ids_under_a_classification_loss_stay_classes() -> None:
    """The loss says these are classes; their gaps (0/255) are label_format_mismatch's to report."""
    assert label_info(np.array([0, 255, 255, 0]), "binary_crossentropy").format == "integer"
    assert label_info(2 * np.arange(200), "sparse_categorical_crossentropy").format == "integer"
