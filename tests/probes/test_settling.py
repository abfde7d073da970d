"""How the bundle pipeline settles one check's alarm against the others' (diagnosis/probes/settling.py
asks the check that raised it, `Unit.settle`): a rate suspicion needs a symptom that lists it, a val
gap on a Dropout model is settled by the audit, dead units on a fresh copy count only where
training shows the cost, a label-noise estimate the user's model contradicts is info, and a replay
cut short says so."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest

from diagnosis.audit import audit_data
from diagnosis.audit.label_noise import LabelNoise
from diagnosis.bundle import BundleData, LayerInfo, ModelInfo
from diagnosis.evidence import Context
from diagnosis.models import Category, EvidenceSource, Finding, Severity
from diagnosis.probes.model_audit.learning_rate import USUAL_RATE_BAND
from diagnosis.probes.run import judged_by_score
from diagnosis.probes.settling import BundleFacts, corroborate, settle
from diagnosis.probes.training import FRESH_COPY_STEPS, Prepared
from testkit.factories import bundle_facts, finding, model_info, network


def _finding(code: str, severity: Severity = Severity.warning, **evidence: object) -> Finding:
    return finding(code, severity=severity, confidence=0.75, evidence=evidence)


def _probe(code: str, severity: Severity = Severity.warning, **evidence: object) -> Finding:
    return _finding(code, severity, **evidence).model_copy(update={"source": EvidenceSource.probe})


def test_dead_units_on_a_fresh_copy_are_a_warning_only_when_training_shows_the_cost() -> None:
    dead = _probe("dead_units", **{FRESH_COPY_STEPS: 20})
    in_checkpoint = _probe("dead_units", batch=256)  # the saved weights: the replay cannot judge them
    facts = _facts()
    assert _settled([dead], facts)[0].severity is Severity.info
    assert _settled([in_checkpoint], facts)[0].severity is Severity.warning
    assert settle([[_finding("loss_plateau")], [dead]], facts)[1][0].severity is Severity.warning
    assert settle([[_finding("loss_plateau", Severity.info)], [dead]], facts)[1][0].severity is Severity.info
    stalled = _probe("cannot_overfit_batch", Severity.error)
    assert _settled([dead, stalled], facts)[0].severity is Severity.warning


def test_a_linear_models_one_batch_stall_is_its_capacity_not_a_wiring_fault() -> None:
    linear = model_info(
        "binary_crossentropy",
        1,
        "sigmoid",
        params=3,
        layers=[LayerInfo("out", "Dense", "sigmoid", 1, params=3)],
    )
    stalled = _probe("cannot_overfit_batch", Severity.error)
    underfit = [_finding("underfitting")]
    (settled,) = settle([underfit, [stalled]], _facts(linear))[1]
    assert settled.severity is Severity.info
    assert "capacity_too_low" in settled.summary
    # Without the replay's symptom, or with a hidden layer, the stall stays a wiring fault.
    assert settle([[], [stalled]], _facts(linear))[1][0].severity is Severity.error
    hidden = dataclasses.replace(
        linear, layers=[LayerInfo("h", "Dense", "relu", 8, params=24), *linear.layers]
    )
    assert settle([underfit, [stalled]], _facts(hidden))[1][0].severity is Severity.error


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


def _facts(info: ModelInfo | None = None, data: Prepared | None = None, **replay: Any) -> BundleFacts:
    return bundle_facts(info or network("binary_crossentropy", 1, "sigmoid"), data, **replay)


def _settled(findings: list[Finding], facts: BundleFacts) -> list[Finding]:
    (settled,) = settle([findings], facts)
    return settled


def test_a_label_noise_estimate_the_users_model_contradicts_is_info() -> None:
    x, y = _shells(0, 2000)
    x_val, y_val = _shells(1, 500)
    info = network("sparse_categorical_crossentropy", 3, "softmax")
    audit = [f for f in audit_data(BundleData(x, y, x_val, y_val), info) if f.code == "label_noise"]
    assert audit
    assert audit[0].severity is Severity.warning  # the reference models' own errors
    data = Prepared(x, y, x_val, y_val)
    settled = _settled(audit, _facts(info, data, accuracy=0.9))[0]
    assert settled.severity is Severity.info
    assert settled.evidence["replay_val_accuracy"] == 0.9
    assert settled.evidence["reference_val_accuracy"] < 0.75
    # A model no better than the reference leaves the warning standing.
    assert _settled(audit, _facts(info, data, accuracy=0.62))[0].severity is Severity.warning


def test_real_label_noise_stays_a_warning_when_the_reference_model_is_competent() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2500, 6)).astype(np.float32)
    y = (x[:, 0] + x[:, 1] > 0).astype(np.int64)
    flipped = rng.random(len(y)) < 0.3
    y[flipped] = 1 - y[flipped]
    info = network("binary_crossentropy", 1, "sigmoid")
    data = Prepared(x[:2000], y[:2000], x[2000:], y[2000:])
    finding = LabelNoise().check(BundleData(data.x, data.y), info)
    assert finding is not None
    assert finding.severity is Severity.warning
    audit = [finding]
    # The network can only do as well as the labels allow (about 70 %): the estimate stands.
    assert _settled(audit, _facts(info, data, accuracy=0.72))[0].severity is Severity.warning


def _suspicion(code: str) -> Finding:
    """The range test's rate suspicion."""
    return finding(code, confidence=0.8, category=Category.hyperparameters, source=EvidenceSource.probe)


def _corroborated(finding: Finding, info: ModelInfo, *symptoms: Finding) -> Severity:
    (judged,) = corroborate([finding], _facts(info, symptoms=symptoms))
    return judged.severity


def test_a_slow_replay_does_not_confirm_a_usual_rate_as_too_low() -> None:
    plateau = finding("slow_convergence", {"lr_too_low": 1.0}, confidence=0.7)
    usual = network("sparse_categorical_crossentropy", 3, "softmax", hidden=(16,), params=200)
    low = dataclasses.replace(usual, learning_rate=1e-3 / (USUAL_RATE_BAND * 3))
    assert _corroborated(_suspicion("lr_too_low"), usual, plateau) is Severity.info
    assert _corroborated(_suspicion("lr_too_low"), low, plateau) is Severity.warning
    # A rate too high is still confirmed by its symptoms at any rate.
    high = finding("slow_convergence", {"lr_too_high": 1.0}, confidence=0.7)
    assert _corroborated(_suspicion("lr_too_high"), usual, high) is Severity.warning


@pytest.mark.parametrize(("configured", "demoted"), [(20, True), (8, False), (None, False)])
def test_slow_convergence_on_a_replay_cut_short_describes_the_cut(
    configured: int | None, demoted: bool
) -> None:
    slow = finding(
        "slow_convergence", confidence=0.7, summary="Loss was still falling when training stopped."
    )
    other = slow.model_copy(update={"code": "loss_plateau"})
    settled = _settled([slow, other], _facts(epochs=configured, replayed=8))
    assert settled[0].severity is (Severity.info if demoted else Severity.warning)
    assert settled[1].severity is Severity.warning


def _symptom(
    code: str, severity: Severity = Severity.warning, causes: tuple[str, ...] = (), **fix
) -> Finding:
    return finding(code, dict.fromkeys(causes, 1.0), severity=severity, confidence=0.8, fix=fix)


def _model_of_layers(*kinds: str) -> ModelInfo:
    return model_info(
        "binary_crossentropy", 1, params=100, layers=[LayerInfo(name=k.lower(), kind=k) for k in kinds]
    )


def test_a_rate_suspicion_needs_a_symptom_that_lists_it() -> None:
    helped = {"measured": {"improved": True}}
    probed = {"source": EvidenceSource.probe}
    low = _symptom("lr_too_low", **helped).model_copy(update=probed)
    high = _symptom("lr_too_high", **helped).model_copy(update=probed)
    nan = _symptom("loss_nan", causes=("nonfinite_values", "lr_too_high"))
    plateau = _symptom("loss_plateau", causes=("lr_too_low",))
    unknown_rate = dataclasses.replace(network("binary_crossentropy", 1, "sigmoid"), learning_rate=None)

    # A short replay that a higher rate helped does not confirm a low rate; a lower one it does.
    assert [f.severity for f in corroborate([low, high], _facts(unknown_rate))] == [
        Severity.info,
        Severity.warning,
    ]
    assert _corroborated(low, unknown_rate, nan) is Severity.info
    assert _corroborated(low, unknown_rate, plateau) is Severity.warning
    quiet = plateau.model_copy(update={"severity": Severity.info})
    assert _corroborated(low, unknown_rate, quiet) is Severity.info
    # A curve rule's warning is no suspicion: corroboration is the range test's and the audit's.
    assert _corroborated(_symptom("loss_plateau"), unknown_rate) is Severity.warning


def test_a_dropout_models_val_gap_is_info_unless_the_audit_found_leakage() -> None:
    gap = [_symptom("val_better_than_train")]
    dropout = _facts(_model_of_layers("Dense", "Dropout", "Dense"))
    settled = _settled(gap, dropout)
    assert settled[0].severity is Severity.info
    assert "no leakage" in settled[0].summary
    leaked = [_symptom("duplicate_samples").model_copy(update={"source": EvidenceSource.data_audit})]
    assert settle([leaked, gap], dropout)[1][0].severity is Severity.warning
    # The same code from another kind of check is not the audit's finding.
    assert settle([[_symptom("duplicate_samples")], gap], dropout)[1][0].severity is Severity.info
    assert _settled(gap, _facts(_model_of_layers("Dense", "Dense")))[0].severity is Severity.warning


def _noisy_linear(seed: int, n: int, flip: float) -> tuple[np.ndarray, np.ndarray]:
    """Two classes split by a line, a `flip` share of labels drawn wrong: a ceiling of 1 - flip."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 6)).astype(np.float32)
    y = (x[:, 0] - x[:, 1] > 0).astype(np.int64)
    wrong = rng.random(n) < flip
    y[wrong] = 1 - y[wrong]
    return x, y


def test_underfitting_at_the_datas_ceiling_is_info_and_below_it_stands() -> None:
    """Underfitting is judged against what a simple model gets from the same rows: a model at the
    ceiling that 15 % wrong labels leave (about 85 %, as on census income data) fits what there
    is; one well below it underfits."""
    x, y = _noisy_linear(0, 2000, 0.15)
    x_val, y_val = _noisy_linear(1, 500, 0.15)
    info = network("binary_crossentropy", 1, "sigmoid")
    data = Prepared(x, y, x_val, y_val)
    alarm = [_finding("underfitting")]
    at_ceiling = _settled(alarm, _facts(info, data, accuracy=0.85))[0]
    assert at_ceiling.severity is Severity.info
    assert 0.8 < at_ceiling.evidence["reference_score"] < 0.9
    assert _settled(alarm, _facts(info, data, accuracy=0.7))[0].severity is Severity.warning


def test_regression_underfitting_is_judged_against_a_simple_models_mse() -> None:
    rng = np.random.default_rng(2)
    x = rng.uniform(-1, 1, size=(2500, 1)).astype(np.float32)
    # x**4 is symmetric: a linear model learns nothing of it, the nearest-neighbour mean nearly all.
    y = (x[:, 0] ** 4 + rng.normal(0, 0.05, len(x))).astype(np.float32)
    info = network("mean_squared_error", 1, "linear")
    data = Prepared(x[:2000], y[:2000], x[2000:], y[2000:])
    alarm = [_finding("underfitting")]

    def facts(mse: float) -> BundleFacts:
        plain = _facts(info, data)
        return dataclasses.replace(plain, replay=dataclasses.replace(plain.replay, score={"mse": mse}))

    # The noise's variance (0.0025) is all a model can leave; the targets' own variance is 0.07.
    assert _settled(alarm, facts(0.0027))[0].severity is Severity.info
    assert _settled(alarm, facts(float(y.var())))[0].severity is Severity.warning


def test_too_few_samples_is_info_when_the_replay_generalizes_as_a_simple_model_does() -> None:
    """Eighty samples forecast memorizing; a replay whose validation accuracy reaches a simple
    model's on the same rows shows they were enough. One well below it leaves the warning, and a
    class short of examples, or too few validation rows to tell, leave it standing."""
    x, y = _noisy_linear(0, 80, 0.05)
    x_val, y_val = _noisy_linear(1, 200, 0.05)
    info = network("binary_crossentropy", 1, "sigmoid")
    alarm = [f for f in audit_data(BundleData(x, y, x_val, y_val), info) if f.code == "insufficient_data"]
    assert alarm
    assert alarm[0].severity is Severity.warning
    data = Prepared(x, y, x_val, y_val)
    generalizes = _settled(alarm, _facts(info, data, accuracy=0.95))[0]
    assert generalizes.severity is Severity.info
    assert "generalizes" in generalizes.summary
    assert generalizes.evidence["reference_score"] > 0.85
    assert _settled(alarm, _facts(info, data, accuracy=0.6))[0].severity is Severity.warning
    short = [alarm[0].model_copy(update={"evidence": {**alarm[0].evidence, "short_classes": {1: 3}}})]
    assert _settled(short, _facts(info, data, accuracy=0.95))[0].severity is Severity.warning
    # Twenty validation rows cannot tell a model that generalizes from a lucky one.
    few = Prepared(x, y, x_val[:20], y_val[:20])
    assert _settled(alarm, _facts(info, few, accuracy=0.95))[0].severity is Severity.warning


def test_scale_and_rate_hazards_are_info_when_the_replay_fit_the_data_anyway() -> None:
    """Raw targets and inputs, a rate off the usual one, heavy dropout, a large first gradient or
    first loss forecast a training that struggles; the replay runs the user's own setup, and one that left
    under 1 % of the validation targets' variance shows they cost nothing. On a noiseless line the
    linear reference fits exactly, so that share, not the simple model, is the yardstick. A replay
    that fit less, or too few validation rows to tell, leave them standing."""
    rng = np.random.default_rng(3)
    x = rng.uniform(0, 200, size=(250, 1)).astype(np.float32)
    y = (2 * x[:, 0]).astype(np.float32)
    info = network("mean_squared_error", 1, "linear")

    def hazards() -> list[Finding]:
        sources = {
            "unscaled_targets": EvidenceSource.data_audit,
            "unscaled_features": EvidenceSource.data_audit,
            "lr_too_high": EvidenceSource.model_audit,
            "excessive_dropout": EvidenceSource.model_audit,
            "exploding_gradients": EvidenceSource.probe,
            "unexpected_initial_loss": EvidenceSource.curve_rule,
        }
        return [_finding(code).model_copy(update={"source": source}) for code, source in sources.items()]

    def facts(mse: float, rows: int = 50) -> BundleFacts:
        plain = _facts(info, Prepared(x[:200], y[:200], x[200 : 200 + rows], y[200 : 200 + rows]))
        replay = dataclasses.replace(plain.replay, score={"mse": mse}, history={"loss": [mse] * 8})
        return dataclasses.replace(plain, replay=replay)

    variance = float(y[200:].var())
    fit = _settled(hazards(), facts(0.001 * variance))
    assert {f.severity for f in fit} == {Severity.info}
    assert all("fit the data" in f.summary for f in fit)
    # 5 % of the variance left: the hazards may have cost that; only the first loss, a one-time
    # start that the replay left far behind (replay_learned), is settled.
    partly = {f.code: f.severity for f in _settled(hazards(), facts(0.05 * variance))}
    assert partly.pop("unexpected_initial_loss") is Severity.info
    assert set(partly.values()) == {Severity.warning}
    few = {f.code: f.severity for f in _settled(hazards(), facts(0.001 * variance, rows=20))}
    assert few.pop("unexpected_initial_loss") is Severity.info
    assert set(few.values()) == {Severity.warning}


def test_a_regression_plateau_at_a_simple_models_loss_is_the_datas_noise() -> None:
    """A noisy line is fit in two epochs and its loss sits at the noise for the rest: a plateau
    where a simple model's MSE sits is info. One well above it stands, and so does a classifier's
    plateau, whose reference may be at chance itself."""
    rng = np.random.default_rng(4)
    x = rng.normal(size=(600, 1)).astype(np.float32)
    y = (x[:, 0] + rng.normal(0, 0.5, len(x))).astype(np.float32)
    info = network("mean_squared_error", 1, "linear")
    data = Prepared(x[:500], y[:500], x[500:], y[500:])
    plateau = [_finding("loss_plateau").model_copy(update={"source": EvidenceSource.curve_rule})]

    def facts(score: dict[str, float]) -> BundleFacts:
        plain = _facts(info, data)
        return dataclasses.replace(plain, replay=dataclasses.replace(plain.replay, score=score))

    assert _settled(plateau, facts({"mse": 0.25})).pop().severity is Severity.info
    assert _settled(plateau, facts({"mse": float(y.var())})).pop().severity is Severity.warning
    classes = Prepared(x[:500], (x[:500, 0] > 0).astype(np.int64), x[500:], (x[500:, 0] > 0).astype(np.int64))
    classifier = bundle_facts(network("binary_crossentropy", 1, "sigmoid"), classes, accuracy=0.99)
    assert _settled(plateau, classifier).pop().severity is Severity.warning


def test_a_one_epoch_replay_that_fit_the_data_is_judged_by_its_score() -> None:
    """One epoch shows no trend, so a history of one is inconclusive; a bundle's replay of one
    epoch that left under 1 % of the targets' variance is judged by that score, not left open.
    One that fit less stays inconclusive."""
    x = np.linspace(0, 199, 250, dtype=np.float32).reshape(-1, 1)
    y = 2 * x[:, 0]
    plain = _facts(network("mean_squared_error", 1, "linear"), Prepared(x[:200], y[:200], x[200:], y[200:]))
    one_epoch = Context(epochs=1, missing=("one epoch: too few to tell a trend",))

    def scored(mse: float) -> BundleFacts:
        return dataclasses.replace(plain, replay=dataclasses.replace(plain.replay, score={"mse": mse}))

    assert judged_by_score(one_epoch, scored(1e-4)).missing == ()
    assert judged_by_score(one_epoch, scored(float(y[200:].var()))).missing == one_epoch.missing


def test_a_first_loss_far_off_that_the_replay_left_in_its_first_epoch_is_info() -> None:
    """The initial-loss probe's alarm, read as the curve rule reads a history: a replay back in
    range by the end of its first epoch that went on to end well (half the way from what one
    answer for all scores to 1) recovered from it. Still far off after that epoch, an end near
    chance, or an accuracy no better than the majority class's share leave it standing."""
    rng = np.random.default_rng(5)

    def rows(classes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x = (np.eye(3)[classes] + 0.01 * rng.normal(size=(len(classes), 3))).astype(np.float32)
        return x, np.eye(3, dtype=np.float32)[classes]

    x, y = rows(np.arange(200) % 3)
    info = network("categorical_crossentropy", 3, "softmax")
    far = _probe("unexpected_initial_loss", initial_loss=8.6, expected=float(np.log(3)))

    balanced = np.arange(100) % 3

    def facts(val_loss: float, accuracy: float, val_classes: np.ndarray = balanced) -> BundleFacts:
        plain = _facts(info, Prepared(x, y, *rows(val_classes)))
        history = {"loss": [1.4, 0.46, 0.41], "val_loss": [val_loss, 0.3, 0.29]}
        replay = dataclasses.replace(plain.replay, history=history, score={"accuracy": accuracy})
        return dataclasses.replace(plain, replay=replay)

    # The simple model scores 1.0 on these rows: the replay's 0.87 does not settle it as fit.
    (recovered,) = _settled([far], facts(0.31, 0.87))
    assert recovered.severity is Severity.info
    assert "recovered" in recovered.summary
    assert _settled([far], facts(7.5, 0.87))[0].severity is Severity.warning
    assert _settled([far], facts(0.31, 0.5))[0].severity is Severity.warning
    # Nine rows in ten of one class: 0.91 is one answer for all.
    mostly_one = (np.arange(100) % 10 == 0).astype(int)
    assert _settled([far], facts(0.31, 0.91, mostly_one))[0].severity is Severity.warning


def test_a_recovered_start_needs_one_class_per_validation_sample() -> None:
    """Class ids count their largest class as one-hot rows do: nine in ten of one id make 0.91
    one answer for all. Multi-hot tags have no single majority class a constant answer scores,
    so a replay's accuracy on them does not show the start recovered."""
    rng = np.random.default_rng(6)
    far = _probe("unexpected_initial_loss", initial_loss=8.6, expected=float(np.log(3)))

    def facts(info: ModelInfo, y: np.ndarray, y_val: np.ndarray, accuracy: float) -> BundleFacts:
        # Features that give the labels away, so a simple model fits them and the replay's
        # accuracy alone does not settle the alarm (trained_through).
        def rows(labels: np.ndarray) -> np.ndarray:
            onto = labels if labels.ndim == 2 else np.eye(3)[labels]
            return (onto + 0.01 * rng.normal(size=onto.shape)).astype(np.float32)

        plain = _facts(info, Prepared(rows(y), y, rows(y_val), y_val))
        history = {"loss": [1.4, 0.46, 0.41], "val_loss": [0.31, 0.3, 0.29]}
        replay = dataclasses.replace(plain.replay, history=history, score={"accuracy": accuracy})
        return dataclasses.replace(plain, replay=replay)

    sparse = network("sparse_categorical_crossentropy", 3, "softmax")
    ids, mostly_one = np.arange(200) % 3, (np.arange(100) % 10 == 0).astype(np.int64)
    assert _settled([far], facts(sparse, ids, np.arange(100) % 3, 0.87))[0].severity is Severity.info
    assert _settled([far], facts(sparse, ids, mostly_one, 0.91))[0].severity is Severity.warning
    tags = network("binary_crossentropy", 3, "sigmoid")
    multi_hot = (rng.random((200, 3)) < 0.5).astype(np.float32)
    val_tags = (rng.random((100, 3)) < 0.5).astype(np.float32)
    assert _settled([far], facts(tags, multi_hot, val_tags, 0.87))[0].severity is Severity.warning


def test_a_one_batch_stall_is_info_when_the_replay_learned_the_data() -> None:
    """Adam at 1e-3 for 150 steps is short for raw targets of 100 or a Dropout model: a replay of
    the user's own setup whose training loss ended under half of the loss of learning nothing
    (ln 2 for balanced binary labels here) shows a model wired to learn. A replay that stayed
    near that loss, or one that only got to 60 % of it, leaves the stall standing."""
    y = (np.arange(200) % 2).astype(np.int64)
    x = np.c_[y, 1 - y].astype(np.float32)
    info = network("binary_crossentropy", 1, "sigmoid")
    stalled = _probe("cannot_overfit_batch", Severity.error)

    def facts(losses: list[float]) -> BundleFacts:
        plain = _facts(info, Prepared(x[:150], y[:150], x[150:], y[150:]))
        return dataclasses.replace(plain, replay=dataclasses.replace(plain.replay, history={"loss": losses}))

    (learned,) = _settled([stalled], facts([0.8, 0.4, 0.25, 0.2, 0.21]))
    assert learned.severity is Severity.info
    assert learned.evidence["replay_loss_share_of_baseline"] == pytest.approx(0.21 / np.log(2), abs=1e-3)
    assert _settled([stalled], facts([0.8, 0.7, 0.69, 0.69]))[0].severity is Severity.error
    assert _settled([stalled], facts([0.8, 0.5, 0.42, 0.41]))[0].severity is Severity.error


def test_a_regressions_first_loss_far_off_is_info_when_the_replay_learned_the_data() -> None:
    """Raw targets near 50 (variance ~900) start a fresh network at an MSE of thousands, which
    the curve rule reads as a scale far off; a replay whose training loss ended at a third of
    the targets' variance recovered from it. One still at the variance, or a negative loss (no
    progress: labels outside the loss's range), leave it standing."""
    rng = np.random.default_rng(6)
    x = rng.uniform(-10, 10, size=(200, 1)).astype(np.float32)
    y = (x[:, 0] ** 2 + 3).astype(np.float32)
    info = network("mean_squared_error", 1, "linear")
    far = _finding("unexpected_initial_loss", first_epoch_loss=2048.0).model_copy(
        update={"source": EvidenceSource.curve_rule}
    )
    variance = float(y[:150].var())

    def facts(losses: list[float]) -> BundleFacts:
        plain = _facts(info, Prepared(x[:150], y[:150], x[150:], y[150:]))
        replay = dataclasses.replace(plain.replay, history={"loss": losses}, score={"mse": 0.37 * variance})
        return dataclasses.replace(plain, replay=replay)

    (recovered,) = _settled([far], facts([2048.0, 900.0, 0.35 * variance, 0.33 * variance]))
    assert recovered.severity is Severity.info
    assert recovered.evidence["replay_loss_share_of_baseline"] == pytest.approx(0.35, abs=0.02)
    assert _settled([far], facts([2048.0, 1.1 * variance, variance]))[0].severity is Severity.warning
    assert _settled([far], facts([2048.0, -3.0, -5.0]))[0].severity is Severity.warning


@pytest.mark.parametrize(
    ("val_loss", "configured", "settled"),
    [
        # Down 56 % over its last three epochs, 0.11 above the line (0.9 x 0.5): under it in one.
        ([1.27, 1.03, 0.79, 0.56], 200, True),
        ([1.27, 1.03, 0.79, 0.56], 4, False),  # the replay was the whole run
        ([0.62, 0.6, 0.59, 0.58], 200, False),  # 2 % an epoch: 11 more, past the 4 replayed
    ],
)
def test_underfitting_on_a_replay_cut_short_while_still_learning_is_info(
    val_loss: list[float], configured: int, settled: bool
) -> None:
    """The second shape of underfitting (nothing carries over yet, the training loss still
    falling) on a replay of a few of the user's epochs: a validation loss on pace to cross the
    learned-nothing line within the epochs left, and no further ahead than the replay ran, is a
    run cut short. The first shape, a training loss that levelled off, is not judged by pace."""
    rows = np.zeros((4, 2), dtype=np.float32)
    info = network("mean_squared_error", 1, "linear")
    alarm = _finding("underfitting", metric="loss", baseline_loss=0.5, levelled_off=False)
    plain = _facts(info, Prepared(rows, np.zeros(4), rows, np.zeros(4)), epochs=configured, replayed=4)
    history = {"loss": [1.3, 1.1, 0.9, 0.7], "val_loss": val_loss}
    facts = dataclasses.replace(plain, replay=dataclasses.replace(plain.replay, history=history, score={}))
    (judged,) = _settled([alarm], facts)
    assert judged.severity is (Severity.info if settled else Severity.warning)
    levelled = alarm.model_copy(update={"evidence": {**alarm.evidence, "levelled_off": True}})
    assert _settled([levelled], facts)[0].severity is Severity.warning


def test_a_saturating_stack_and_a_large_gradient_norm_need_training_to_bear_them_out() -> None:
    """Four tanh layers, or a gradient norm of 1e5 from raw targets, are suspicions: they stand
    when the replay showed a symptom that lists them (a plateau for the stack, spikes for the
    norm) or the stack's fix trial helped; a replay that trained without one sets them at info.
    Another of the gradient probe's codes needs no such corroboration."""
    info = network("binary_crossentropy", 1, "sigmoid")
    stack = _symptom("vanishing_gradients").model_copy(update={"source": EvidenceSource.model_audit})
    norm = _symptom("exploding_gradients").model_copy(update={"source": EvidenceSource.probe})
    plateau = _symptom("loss_plateau", causes=("vanishing_gradients",))
    spikes = _symptom("loss_spikes", causes=("exploding_gradients", "lr_too_high"))
    assert _corroborated(stack, info) is Severity.info
    assert _corroborated(stack, info, plateau) is Severity.warning
    assert _corroborated(stack, info, spikes) is Severity.info
    helped = stack.model_copy(update={"fix": {"measured": {"improved": True}}})
    assert _corroborated(helped, info) is Severity.warning
    assert _corroborated(norm, info) is Severity.info
    assert _corroborated(norm, info, spikes) is Severity.warning
    assert _corroborated(norm, info, plateau) is Severity.info
    saturated = _symptom("saturated_activations").model_copy(update={"source": EvidenceSource.probe})
    assert _corroborated(saturated, info) is Severity.warning
