"""The whole bundle pipeline on real Keras models: silent on a healthy setup, and on a broken
one it names the cause and measures the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from diagnosis import Diagnosis, Severity
from diagnosis.probes.loader import BundleError, Limits
from diagnosis.probes.run import probe_bundle
from testkit.bundles import blobs, make_bundle, mlp

LIMITS = Limits(max_unpacked_bytes=50 * 1024 * 1024)


def _probe(
    tmp_path: Path,
    name: str,
    *,
    activation: str = "softmax",
    loss: str = "sparse_categorical_crossentropy",
    scale: float = 1.0,
    lr: float = 1e-3,
) -> Diagnosis:
    import keras

    keras.utils.set_random_seed(0)
    x, y = blobs(n=600)
    model = mlp(8, 3, activation)
    model.compile(optimizer=keras.optimizers.Adam(lr), loss=loss)
    stages: list[str] = []
    bundle = make_bundle(
        tmp_path / f"{name}.zip", model, x * scale, y, training={"batch_size": 32, "epochs": 8}
    )
    result = probe_bundle(bundle, LIMITS, lambda _fraction, stage: stages.append(stage))
    assert stages[0] == "loading"
    assert {"audit", "probes", "fix trials"} <= set(stages)
    return result


def test_healthy_bundle_has_no_warning_or_error(tmp_path: Path) -> None:
    result = _probe(tmp_path, "healthy")
    assert result.healthy, [(f.code, f.severity) for f in result.findings]
    assert result.verdict.status == "healthy"
    assert result.verdict.causes == []
    assert result.probes["overfit_one_batch"]["memorized"] is True
    assert result.probes["replay"]["score"]["accuracy"] > 0.8


def test_linear_output_with_probability_loss_is_found_and_the_fix_measured(tmp_path: Path) -> None:
    result = _probe(tmp_path, "linear", activation="linear")
    top = result.findings[0]
    assert top.code == "output_activation_mismatch"
    assert top.severity is Severity.error
    measured = top.fix["measured"]
    assert measured["after"]["accuracy"] >= measured["before"]["accuracy"]
    assert result.probes["replay"]["history"]["loss"]
    from convdiag.report.html import render_html

    page = render_html(result, result.probes["replay"]["history"])
    assert 'data-trial="val_accuracy"' in page  # the trial's curve against the replay's


def test_unscaled_inputs_are_found_and_standardizing_them_is_tried(tmp_path: Path) -> None:
    result = _probe(tmp_path, "unscaled", scale=1000.0)
    finding = next(f for f in result.findings if f.code == "unscaled_features")
    measured = finding.fix["measured"]
    assert measured["steps"] > 0
    assert measured["after"]["accuracy"] is not None
    # Judged against two seeds' run-to-run noise, never below the fixed floor.
    noise = measured["noise"]
    assert noise["seeds"] == [1234, 1235]
    assert noise["threshold"] >= max(0.02, 2 * noise["gap"])
    verdict = result.verdict
    assert verdict.status == "problems"
    assert verdict.causes[0].code == "unscaled_features", [(c.code, c.probability) for c in verdict.causes]
    # The first fix is the best measured action among the trials that helped.
    helped = [
        f.fix["measured"]["after"]["accuracy"]
        for f in result.findings
        if f.fix.get("measured", {}).get("improved") and f.code != "lr_too_low"
    ]
    if helped:
        assert verdict.first_fix is not None
        assert verdict.first_fix.measured is not None
        assert verdict.first_fix.measured["after"]["accuracy"] == max(helped)
        assert verdict.first_fix.action in verdict.headline
    # The audit ran and counted balanced classes: class_imbalance is ruled out, not ranked.
    assert "class_imbalance" not in [c.code for c in verdict.causes[:1]]


def test_a_model_that_does_not_fit_the_data_is_a_clear_error(tmp_path: Path) -> None:

    x, y = blobs(n=100, features=8)
    model = mlp(5, 3)  # expects 5 features, the data has 8
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    bundle = make_bundle(tmp_path / "shape.zip", model, x, y)
    with pytest.raises(BundleError, match="cannot be evaluated on the data"):
        probe_bundle(bundle, LIMITS)


def test_uncompiled_model_without_a_loss_is_a_clear_error(tmp_path: Path) -> None:
    x, y = blobs(n=100)
    bundle = make_bundle(tmp_path / "nocompile.zip", mlp(8, 3), x, y)
    with pytest.raises(BundleError, match="without compile"):
        probe_bundle(bundle, LIMITS)
