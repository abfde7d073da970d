"""The evidence model behind the verdict: each named ratio moves the causes it should."""

from __future__ import annotations

import pytest

from diagnosis.engine import diagnose
from diagnosis.evidence import (
    CLEARED_LR,
    FOREIGN_VAL_SHARE,
    LR_METADATA_LR,
    MEASURED_KEY,
    MIN_LISTED,
    MIN_SHOWN,
    MIN_TRIAL_SHIFT,
    NOTHING_CARRIED_SHARE,
    PRIOR,
    RULED_OUT_LR,
    STALL_WIRING,
    UNIFORM_AFTER_BLOWUP_LR,
    UNPREDICTABLE_LABELS_LR,
    WIDTHS_CLEARED_LR,
    Context,
    TrialOutcome,
    conclude,
    order_for_trials,
)
from diagnosis.history import history_from_mapping
from diagnosis.models import Category, EvidenceSource, RunMetadata, Severity, VerdictStatus
from diagnosis.rules.val_noisy import ValNoisy
from diagnosis.taxonomy import Code
from testkit import histories
from testkit.factories import finding


def _probability(verdict, code: str) -> float:
    return next((c.probability for c in verdict.causes if c.code == code), 0.0)


PLATEAU = finding("loss_plateau", {"class_imbalance": 1.0, "lr_too_low": 2.0})


def test_an_audit_that_ran_silent_rules_its_cause_out() -> None:
    frozen = finding("accuracy_at_chance", {"class_imbalance": 3.0, "dead_units": 1.5})
    _, blind = conclude([frozen], Context(epochs=20))
    _, audited = conclude([frozen], Context(epochs=20, checked=frozenset({"class_imbalance"})))
    assert blind.causes[0].code == "class_imbalance"
    assert audited.causes[0].code == "dead_units"
    against = next(c for c in audited.causes if c.code == "class_imbalance").evidence_against
    assert [(e.source, e.likelihood_ratio) for e in against] == [(EvidenceSource.data_audit, CLEARED_LR)]


def test_one_fact_seen_three_ways_counts_once() -> None:
    chance = finding("accuracy_at_chance", {"lr_too_low": 2.0})
    initial = finding("unexpected_initial_loss", {"lr_too_low": 2.0})
    _, one = conclude([PLATEAU], Context(epochs=20))
    _, three = conclude([PLATEAU, chance, initial], Context(epochs=20))
    assert _probability(three, "lr_too_low") == pytest.approx(_probability(one, "lr_too_low"))
    # A symptom from another group (an instability) is another fact: it does add up.
    spikes = finding("loss_spikes", {"lr_too_low": 2.0})
    _, two_facts = conclude([PLATEAU, spikes], Context(epochs=20))
    assert _probability(two_facts, "lr_too_low") > _probability(one, "lr_too_low")


def test_a_trial_that_helped_raises_every_cause_its_action_cures_and_is_the_first_fix() -> None:
    nan = finding("loss_nan", {"lr_too_high": 3.0, "nonfinite_values": 2.0, "exploding_gradients": 2.0})
    measured = {"before": {"accuracy": 0.3}, "after": {"accuracy": 0.8}, "steps": 240, "improved": True}
    helped = TrialOutcome("lower_learning_rate", measured, {"learning_rate": 1e-3})
    _, plain = conclude([nan], Context(epochs=20))
    _, tried = conclude([nan], Context(epochs=20, trials=(helped,)))
    for code in ("lr_too_high", "exploding_gradients"):
        assert _probability(tried, code) > 0.85 > _probability(plain, code)
    assert _probability(tried, "nonfinite_values") == pytest.approx(_probability(plain, "nonfinite_values"))
    assert tried.first_fix is not None
    assert tried.first_fix.fix == {"learning_rate": 1e-3}
    assert tried.first_fix.measured is not None
    assert "0.3 -> 0.8 in 240 steps" in tried.headline
    flat = TrialOutcome("lower_learning_rate", {**measured, "after": {"accuracy": 0.3}, "improved": False})
    _, failed = conclude([nan], Context(epochs=20, trials=(flat,)))
    assert _probability(failed, "lr_too_high") < _probability(plain, "lr_too_high")


def test_a_trial_is_read_on_the_metric_it_was_judged_on() -> None:
    """Class weights judged on balanced accuracy: their gain and the headline read that score,
    not the accuracy the weighting lowered."""
    measured = {
        "before": {"accuracy": 0.998, "balanced_accuracy": 0.5},
        "after": {"accuracy": 0.97, "balanced_accuracy": 0.9},
        "metric": "balanced_accuracy",
        "steps": 300,
        "improved": True,
    }
    weighted = TrialOutcome("class_weight", measured, {"class_weight": {0: 0.5, 1: 300.0}})
    assert weighted.gain == pytest.approx(0.4)
    imbalance = finding("class_imbalance", source=EvidenceSource.data_audit)
    _, verdict = conclude([imbalance], Context(epochs=20, trials=(weighted,)))
    assert "validation balanced accuracy 0.5 -> 0.9 in 300 steps" in verdict.headline


def test_a_hidden_activation_trial_says_what_it_tried() -> None:
    """The deep stack's trial tried SELU with LeCun normal weights, not ReLU: the headline and
    the first fix say so."""
    measured = {"before": {"accuracy": 0.09}, "after": {"accuracy": 0.17}, "steps": 315, "improved": True}
    selu = TrialOutcome(
        "relu_he_init", measured, {"hidden_activation": "selu", "kernel_initializer": "lecun_normal"}
    )
    stack = finding("vanishing_gradients", source=EvidenceSource.model_audit)
    _, verdict = conclude([stack], Context(epochs=5, trials=(selu,)))
    assert verdict.first_fix is not None
    assert verdict.first_fix.action == "selu hidden layers with lecun_normal weights"
    assert verdict.headline.endswith(
        "selu hidden layers with lecun_normal weights took validation accuracy 0.09 -> 0.17 in 315 steps."
    )
    plain = TrialOutcome("relu_he_init", measured)
    _, verdict = conclude([stack], Context(epochs=5, trials=(plain,)))
    assert "ReLU with He initialization took" in verdict.headline


def test_a_one_batch_stall_with_clean_wiring_and_a_replay_still_learning_is_slowness() -> None:
    """XOR under mean absolute error: Adam at 1e-3 cannot memorize it in the probe's steps, but
    the replay was still falling (slow_convergence, settled to info) and every wiring check ran
    silent: the stall reads as a rate too low, not a wiring fault. Without the checks, with one
    of them raised, or with a flat replay (a frozen layer), the stall stays a wiring fault."""
    stall = finding(
        "cannot_overfit_batch", severity=Severity.error, confidence=0.85, source=EvidenceSource.probe
    )
    slow = finding("slow_convergence", {"lr_too_low": 3.0}, severity=Severity.info)
    clean = Context(epochs=20, checked=STALL_WIRING)
    _, verdict = conclude([stall, slow], clean)
    assert verdict.causes[0].code == "lr_too_low"
    assert "cannot_overfit_batch" in verdict.causes[0].explains
    assert verdict.status is VerdictStatus.problems  # the stall stays an alarm
    for findings, context in (
        ([stall, slow], Context(epochs=20)),
        ([stall], clean),
        (
            [
                stall,
                slow,
                finding("loss_task_mismatch", severity=Severity.error, source=EvidenceSource.model_audit),
            ],
            clean,
        ),
    ):
        _, other = conclude(findings, context)
        assert "lr_too_low" not in [c.code for c in other.causes[:1]]
        assert _probability(other, "cannot_overfit_batch") > 0 or other.causes[0].code == "loss_task_mismatch"


def test_a_lower_rate_that_did_not_help_says_nothing_against_units_dead_from_the_start() -> None:
    """A lower rate keeps units from dying, revives none: its flat trial still weighs against a
    rate too high, not against dead units; helping, it counts for both."""
    dead = finding("dead_units", severity=Severity.warning, confidence=0.8, source=EvidenceSource.probe)
    flat = {"before": {"accuracy": 0.3}, "after": {"accuracy": 0.3}, "steps": 100, "improved": False}
    lowered = TrialOutcome("lower_learning_rate", flat, {"learning_rate": 1e-4})
    _, plain = conclude([dead, PLATEAU], Context(epochs=20))
    _, tried = conclude([dead, PLATEAU], Context(epochs=20, trials=(lowered,)))
    assert _probability(tried, "dead_units") == pytest.approx(_probability(plain, "dead_units"))
    helped = TrialOutcome("lower_learning_rate", {**flat, "after": {"accuracy": 0.8}, "improved": True})
    _, cured = conclude([dead, PLATEAU], Context(epochs=20, trials=(helped,)))
    assert _probability(cured, "dead_units") > _probability(plain, "dead_units")


def test_the_metadata_rate_weighs_in() -> None:
    raw = histories.nan_loss()
    wild = diagnose(history_from_mapping(raw, {"optimizer": "sgd", "learning_rate": 10.0})).verdict
    usual = diagnose(history_from_mapping(raw, {"optimizer": "sgd", "learning_rate": 0.01})).verdict
    assert wild.causes[0].code == "lr_too_high"
    assert _probability(wild, "lr_too_high") > _probability(usual, "lr_too_high")
    metadata = [e for e in wild.causes[0].evidence_for if e.source is EvidenceSource.metadata]
    assert metadata[0].numbers["ratio"] == 1000


def test_the_configured_rate_counts_once_from_metadata_and_model_audit() -> None:
    """The model audit's rate alarm and the metadata read one configured rate: counted once (the
    stronger), not multiplied, so a wiring error is not outweighed by the rate read twice."""
    sgd3 = Context(epochs=20, metadata=RunMetadata(optimizer="sgd", learning_rate=3.0))
    audit = finding("lr_too_high", confidence=0.9, source=EvidenceSource.model_audit)
    _, both = conclude([PLATEAU, audit], sgd3)
    # 300x SGD's usual rate: the metadata's ratio for a rate beyond any usual setup, alone.
    odds = PRIOR / (1 - PRIOR) * LR_METADATA_LR["beyond"]
    assert _probability(both, "lr_too_high") == pytest.approx(odds / (1 + odds), abs=1e-3)
    wiring = finding("loss_task_mismatch", severity=Severity.error, source=EvidenceSource.model_audit)
    _, verdict = conclude([wiring, audit], sgd3)
    assert verdict.causes[0].code == "loss_task_mismatch"
    # A probe's measurement of the rate (the range test) is another fact: it still adds up.
    probe = finding("lr_too_high", confidence=0.8, source=EvidenceSource.probe)
    _, measured = conclude([PLATEAU, probe], sgd3)
    assert _probability(measured, "lr_too_high") > _probability(both, "lr_too_high")


def test_a_noisy_validation_alone_lists_no_runners_up() -> None:
    noisy = finding("val_noisy", {"insufficient_data": 2.0, "lr_too_high": 1.0})
    _, alone = conclude([noisy], Context(epochs=30))
    assert alone.status is VerdictStatus.problems
    assert all(c.probability >= MIN_LISTED for c in alone.causes)
    assert _probability(alone, "lr_too_high") == 0.0
    # Beside an alarm about training itself, the runners-up are shown as ever.
    spikes = finding("loss_spikes", {"exploding_gradients": 1.0})
    _, both = conclude([noisy, spikes], Context(epochs=30))
    assert len(both.causes) >= MIN_SHOWN
    assert _probability(both, "lr_too_high") > 0.0


def test_validation_better_than_training_alone_lists_no_runners_up() -> None:
    better = finding(
        "val_better_than_train",
        {"excessive_dropout": 2.0, "duplicate_samples": 1.5, "train_val_shift": 1.5},
        confidence=0.7,
    )
    _, alone = conclude([better], Context(epochs=30))
    assert alone.status is VerdictStatus.problems
    assert all(c.probability >= MIN_LISTED for c in alone.causes)
    assert _probability(alone, "train_val_shift") == 0.0
    # Beside a training loss left high (Dropout that hurts), the runners-up are shown as ever.
    underfit = finding("underfitting", {"capacity_too_low": 2.0, "excessive_dropout": 1.0})
    _, both = conclude([better, underfit], Context(epochs=30))
    assert len(both.causes) >= MIN_SHOWN
    assert _probability(both, "excessive_dropout") > 0.0


def test_a_spike_in_the_validation_loss_alone_is_the_noisy_measurement_again() -> None:
    noisy = finding("val_noisy", {"insufficient_data": 2.0, "lr_too_high": 1.0})
    val_spike = finding(
        "loss_spikes", {"insufficient_data": 2.0, "lr_too_high": 1.0}, evidence={"validation_only": True}
    )
    _, alone = conclude([noisy], Context(epochs=30))
    _, both = conclude([noisy, val_spike], Context(epochs=30))
    # One fact (the validation curve jumps) seen twice counts once, and lists no runners-up.
    assert _probability(both, "insufficient_data") == pytest.approx(_probability(alone, "insufficient_data"))
    assert all(c.probability >= MIN_LISTED for c in both.causes)
    # A spike in the training loss is another fact: it adds up.
    train_spike = val_spike.model_copy(update={"evidence": {"validation_only": False}})
    _, two = conclude([noisy, train_spike], Context(epochs=30))
    assert _probability(two, "insufficient_data") > _probability(alone, "insufficient_data")
    # The rule gives a validation-only spike the validation measurement's causes, not an update's.
    run = {
        "loss": [1.0, 0.8, 0.65, 0.55, 0.48, 0.43, 0.39, 0.36, 0.34, 0.32, 0.31, 0.3],
        "val_loss": [1.0, 0.82, 0.7, 2.1, 0.6, 0.56, 0.53, 1.9, 0.5, 0.48, 0.47, 0.46],
    }
    spikes = next(f for f in diagnose(history_from_mapping(run)).findings if f.code == "loss_spikes")
    assert spikes.evidence["validation_only"] is True
    assert set(spikes.supports) == {code for code, _ in ValNoisy.causes}
    assert "exploding_gradients" not in spikes.supports


def test_a_validation_spike_beside_val_noisy_is_set_aside_as_the_same_alarm() -> None:
    noisy = finding("val_noisy", {"insufficient_data": 2.0, "lr_too_high": 1.0})
    val_spike = finding(
        "loss_spikes", {"insufficient_data": 2.0, "lr_too_high": 1.0}, evidence={"validation_only": True}
    )
    found, _ = conclude([noisy, val_spike], Context(epochs=30))
    severity = {f.code: f.severity for f in found}
    assert (severity[Code.val_noisy], severity[Code.loss_spikes]) == (Severity.warning, Severity.info)
    assert "val_noisy" in next(f for f in found if f.code == Code.loss_spikes).summary
    # Alone, it is the only alarm about the jumps: it stays one.
    alone, _ = conclude([val_spike], Context(epochs=30))
    assert alone[0].severity is Severity.warning
    # A spike of the training loss is another fact: both stay alarms.
    train_spike = val_spike.model_copy(update={"evidence": {"validation_only": False}})
    two, _ = conclude([noisy, train_spike], Context(epochs=30))
    assert {f.severity for f in two} == {Severity.warning}


def test_a_loss_stuck_at_ln_k_after_a_blowup_points_at_a_dead_network() -> None:
    # A CNN's loss blows up, then sits at ln 10 to four digits: the output ignores its input.
    ln10 = 2.302585
    run = {
        "loss": [6.64, 6.41, 6.38, 4.54] + [ln10] * 8,
        "accuracy": [0.1, 0.1, 0.1, 0.1] + [0.1] * 8,
        "val_loss": [6.2, 6.1, 5.9, 3.1] + [ln10] * 8,
        "val_accuracy": [0.1] * 12,
    }
    verdict = diagnose(history_from_mapping(run)).verdict
    assert verdict.causes[0].code == "dead_units"
    for code in ("capacity_too_low", "lr_too_low"):
        assert _probability(verdict, code) < _probability(verdict, "dead_units")
    assert any("ignores the input" in e.detail for e in verdict.causes[0].evidence_for)
    # Stuck a little above ln K instead (a slow model that is alive): no such evidence.
    stuck = [2.36, 2.35, 2.35, 2.34, 2.34, 2.34, 2.33, 2.33]
    alive = {**run, "loss": run["loss"][:4] + stuck, "val_loss": run["val_loss"][:4] + stuck}
    alive_verdict = diagnose(history_from_mapping(alive)).verdict
    details = [e.detail for c in alive_verdict.causes for e in c.evidence_for + c.evidence_against]
    assert details
    assert not any("ignores the input" in d for d in details)


def test_underfitting_and_overfitting_are_reconciled() -> None:
    under = finding("underfitting", {"capacity_too_low": 3.0}, confidence=0.8)
    over = finding("overfitting", {"insufficient_data": 3.0}, confidence=0.6)
    findings, verdict = conclude([under, over], Context(epochs=20))
    severity = {f.code: f.severity for f in findings}
    assert severity == {"underfitting": Severity.warning, "overfitting": Severity.info}
    assert "contradicts underfitting" in next(f.summary for f in findings if f.code == "overfitting")
    assert [c.code for c in verdict.causes][:1] == ["capacity_too_low"]
    assert next(f for f in findings if f.code == "underfitting").explained_by == "capacity_too_low"


def test_validation_that_learned_nothing_agrees_with_overfitting() -> None:
    # Underfitting's validation shape (the training loss still falls) and overfitting both say
    # nothing learned carries over: both stand.
    generalized_nothing = finding(
        "underfitting", {"capacity_too_low": 3.0}, confidence=0.8, evidence={"levelled_off": False}
    )
    over = finding("overfitting", {"insufficient_data": 3.0}, confidence=0.6)
    findings, _ = conclude([generalized_nothing, over], Context(epochs=20))
    assert {f.code: f.severity for f in findings} == {
        "underfitting": Severity.warning,
        "overfitting": Severity.warning,
    }
    # A training loss that levelled off high still contradicts one driven below validation's.
    levelled = generalized_nothing.model_copy(update={"evidence": {"levelled_off": True}})
    findings, _ = conclude([levelled, over], Context(epochs=20))
    assert {f.code: f.severity for f in findings} == {
        "underfitting": Severity.warning,
        "overfitting": Severity.info,
    }


def test_status_healthy_has_no_causes_and_an_untrendable_run_is_inconclusive() -> None:
    healthy = diagnose(history_from_mapping(histories.healthy())).verdict
    assert healthy.status is VerdictStatus.healthy
    assert healthy.causes == []
    assert healthy.first_fix is None
    one = diagnose(history_from_mapping({"loss": [0.7], "accuracy": [0.5]})).verdict
    assert one.status is VerdictStatus.inconclusive
    assert one.missing
    # A problem the curves show stays a problem however short the run.
    nan = diagnose(history_from_mapping({"loss": [float("nan")], "accuracy": [0.5]})).verdict
    assert nan.status is VerdictStatus.problems


def test_trials_go_first_where_they_would_move_the_ranking_most() -> None:
    # The rate is near certain already (x20 metadata, and the range test measured it too);
    # whether dropout is to blame is open.
    dropout = finding("excessive_dropout", severity=Severity.info, source=EvidenceSource.model_audit)
    lr = finding("lr_too_high", severity=Severity.error, source=EvidenceSource.probe)
    slow = finding("slow_convergence", {"excessive_dropout": 2.0})
    context = Context(epochs=20, metadata=RunMetadata(optimizer="adam", learning_rate=1.0))
    actions = [action for action, _, _ in order_for_trials([lr, slow, dropout], context)]
    assert actions.index("lower_dropout") < actions.index("lower_learning_rate")


def test_trials_are_planned_per_cause_not_per_raised_finding() -> None:
    """A model too small that no check raised (only a stack of tanh layers was flagged) is tried
    as readily as the flagged cause; a cause a silent check cleared is not worth a replay, and
    nothing is tried where no alarm stands."""
    stack = finding("vanishing_gradients", confidence=0.6, source=EvidenceSource.model_audit)
    context = Context(epochs=20, checked=frozenset({"excessive_dropout"}))
    order = {action: value for action, value, _ in order_for_trials([stack], context)}
    assert order["relu_he_init"] > order["add_capacity"] >= MIN_TRIAL_SHIFT
    assert "lower_dropout" not in order
    quiet = finding("vanishing_gradients", severity=Severity.info, source=EvidenceSource.model_audit)
    assert order_for_trials([quiet], context) == []


def test_a_usual_rate_too_high_for_raw_data_is_the_datas_scale() -> None:
    """A range test that finds the optimizer's usual rate too high (fault_side "data") where the
    targets are far from unit scale measured that scale: the rate finding and its trial count for
    unscaled_targets, listed under it. A rate off the usual one (no side) stays its own cause."""
    nan = finding("loss_nan", {"lr_too_high": 3.0, "exploding_gradients": 2.0})
    targets = finding(
        "unscaled_targets", severity=Severity.warning, confidence=0.75, source=EvidenceSource.data_audit
    )
    measured = {"before": {"mse": None}, "after": {"mse": 0.5}, "steps": 80, "improved": True}
    lowered = TrialOutcome("lower_learning_rate", measured, {"learning_rate": 1e-4})

    def rate(**evidence: object):
        return finding(
            "lr_too_high",
            severity=Severity.warning,
            confidence=0.8,
            source=EvidenceSource.probe,
            evidence=evidence,
        )

    context = Context(epochs=8, trials=(lowered,))
    _, scale = conclude([nan, targets, rate(fault_side="data")], context)
    assert scale.causes[0].code == "unscaled_targets"
    assert "lr_too_high" in scale.causes[0].explains
    assert scale.first_fix is not None
    assert scale.first_fix.cause == "unscaled_targets"
    _, off = conclude([nan, targets, rate()], context)
    assert off.causes[0].code == "lr_too_high"


def test_alarms_that_follow_from_all_inputs_constant_are_listed_under_it() -> None:
    """Blank inputs: the one-batch overfit stalls, ReLU units see nothing, every sample conflicts
    with another class. Beside constant_features at error those are its consequences, listed under
    it, not causes of their own; a trial that cured one would not cure blank inputs. Beside a
    warning (some features constant) they stand."""

    def audit(severity: Severity):
        return finding(
            "constant_features", severity=severity, category=Category.data, source=EvidenceSource.data_audit
        )

    others = [
        finding(
            "cannot_overfit_batch", severity=Severity.error, confidence=0.85, source=EvidenceSource.probe
        ),
        finding("dead_units", confidence=0.75, source=EvidenceSource.probe),
        finding("conflicting_labels", confidence=0.7, source=EvidenceSource.data_audit),
    ]
    flat = TrialOutcome(
        "relu_he_init", {"before": {"accuracy": 0.5}, "after": {"accuracy": 0.5}, "improved": False}
    )
    _, blank = conclude([audit(Severity.error), *others], Context(epochs=8, trials=(flat,)))
    assert [c.code for c in blank.causes] == ["constant_features"]
    assert {"cannot_overfit_batch", "dead_units", "conflicting_labels"} <= set(blank.causes[0].explains)
    assert not blank.causes[0].evidence_against
    _, some = conclude([audit(Severity.warning), *others], Context(epochs=8))
    assert {"cannot_overfit_batch", "dead_units"} <= {c.code for c in some.causes}


def test_a_one_batch_stall_beside_a_wiring_fault_is_listed_under_it() -> None:
    """A linear output under binary_crossentropy cannot memorize a batch: the stall is the
    mismatch measured again, listed under it, not a second cause ranked above it. Beside labels
    the audit blames on the model's side, it follows the model-side cause the labels mirror. With
    no such fault raised the stall stands on its own."""
    stall = finding(
        "cannot_overfit_batch", severity=Severity.error, confidence=0.85, source=EvidenceSource.probe
    )
    output = finding(
        "output_activation_mismatch",
        severity=Severity.error,
        confidence=0.95,
        category=Category.model,
        source=EvidenceSource.model_audit,
    )
    _, wired = conclude([output, stall], Context(epochs=8))
    assert [c.code for c in wired.causes][:1] == ["output_activation_mismatch"]
    assert "cannot_overfit_batch" not in [c.code for c in wired.causes]
    assert "cannot_overfit_batch" in wired.causes[0].explains
    labels = finding(
        "label_format_mismatch",
        severity=Severity.error,
        confidence=0.95,
        category=Category.data,
        source=EvidenceSource.data_audit,
        evidence={"fault_side": "model"},
    )
    _, mirrored = conclude([labels, output, stall], Context(epochs=8))
    assert [c.code for c in mirrored.causes][:1] == ["output_activation_mismatch"]
    assert {c.code for c in mirrored.causes}.isdisjoint({"cannot_overfit_batch", "label_format_mismatch"})
    _, alone = conclude([stall], Context(epochs=8))
    assert alone.causes[0].code == "cannot_overfit_batch"


def test_targets_far_off_scale_explain_a_one_batch_stall() -> None:
    """Targets with a spread of 100+ (unscaled_targets, a warning) cannot be reached in the probe's
    150 Adam steps: the stall goes under that cause, unless a stronger fault owns it."""
    stall = finding(
        "cannot_overfit_batch", severity=Severity.error, confidence=0.85, source=EvidenceSource.probe
    )
    targets = finding(
        "unscaled_targets", severity=Severity.warning, confidence=0.62, source=EvidenceSource.data_audit
    )
    _, verdict = conclude([targets, stall], Context(epochs=8))
    assert [c.code for c in verdict.causes][:1] == ["unscaled_targets"]
    assert "cannot_overfit_batch" in verdict.causes[0].explains
    assert "cannot_overfit_batch" not in [c.code for c in verdict.causes]
    # Beside an output that cannot reach them (an error), the stall is that error's alone: it
    # must not lift the weaker target-scale warning to an error's strength.
    output = finding(
        "output_activation_mismatch",
        severity=Severity.error,
        confidence=0.95,
        category=Category.model,
        source=EvidenceSource.model_audit,
    )
    _, both = conclude([targets, output, stall], Context(epochs=8))
    assert [c.code for c in both.causes][:2] == ["output_activation_mismatch", "unscaled_targets"]
    assert "cannot_overfit_batch" not in next(c for c in both.causes if c.code == "unscaled_targets").explains


def test_a_rate_below_the_usual_one_is_no_alibi_on_raw_data() -> None:
    """SGD at 0.001 is a tenth of its usual rate, evidence against a rate too high on unit-scale
    data; on a raw grid (unscaled inputs raised) it can still be far too high, so that evidence
    is left out there. A rate far above the usual one counts either way."""
    nan = finding("loss_nan", {"lr_too_high": 3.0})
    rate = finding("lr_too_high", confidence=0.8, source=EvidenceSource.probe)
    raw = finding("unscaled_features", confidence=0.7, source=EvidenceSource.data_audit)
    low = Context(epochs=8, metadata=RunMetadata(optimizer="sgd", learning_rate=1e-3))

    def against(verdict) -> list[str]:
        cause = next(c for c in verdict.causes if c.code == "lr_too_high")
        return [e.source for e in cause.evidence_against]

    assert against(conclude([nan, rate], low)[1]) == [EvidenceSource.metadata]
    assert against(conclude([nan, rate, raw], low)[1]) == []
    high = Context(epochs=8, metadata=RunMetadata(optimizer="sgd", learning_rate=1.0))
    cause = next(c for c in conclude([nan, rate, raw], high)[1].causes if c.code == "lr_too_high")
    assert EvidenceSource.metadata in [e.source for e in cause.evidence_for]


def test_targets_brought_into_a_bounded_outputs_reach_count_for_the_output() -> None:
    """A tanh output cannot reach targets up to 200; standardizing them brings them into its
    reach, so a trial of that helping counts for output_activation_mismatch as for
    unscaled_targets, and the error stays first."""
    output = finding(
        "output_activation_mismatch",
        severity=Severity.error,
        confidence=0.95,
        source=EvidenceSource.model_audit,
    )
    scale = finding("unscaled_targets", confidence=0.6, source=EvidenceSource.data_audit)
    measured = {"before": {"mse": 12000.0}, "after": {"mse": 1400.0}, "steps": 200, "improved": True}
    flat = {"before": {"mse": 12000.0}, "after": {"mse": 11800.0}, "steps": 200, "improved": False}
    trials = (TrialOutcome("standardize_targets", measured), TrialOutcome("fix_output_activation", flat))
    _, verdict = conclude([output, scale], Context(epochs=8, trials=trials))
    assert verdict.causes[0].code == "output_activation_mismatch"
    assert _probability(verdict, "unscaled_targets") > 0.5


@pytest.mark.parametrize(
    ("val_best_share", "first"),
    [
        # The model learned the signal, then memorized: too little data for its size.
        (0.4, "insufficient_data"),
        # Its best validation loss stayed at what guessing scores: nothing carried over, the
        # labels first.
        ((NOTHING_CARRIED_SHARE + FOREIGN_VAL_SHARE) / 2, "label_noise"),
        # Scored worse than guessing from the start: the validation set is not like training.
        (FOREIGN_VAL_SHARE + 0.2, "train_val_shift"),
    ],
)
def test_where_an_overfit_runs_best_validation_loss_stood_tells_its_cause(
    val_best_share: float, first: str
) -> None:
    baseline = 2.3
    over = finding(
        "overfitting",
        {"insufficient_data": 3.0, "capacity_too_high": 2.5, "train_val_shift": 0.5},
        confidence=0.95,
        evidence={"train_end_median": 0.05 * baseline, "val_best": val_best_share * baseline},
    )
    _, verdict = conclude([over], Context(epochs=40, baseline_loss=baseline))
    assert verdict.causes[0].code == first


def test_layer_widths_that_pass_the_width_check_weigh_against_a_model_too_small() -> None:
    under = finding("underfitting", {"capacity_too_low": 3.0, "excessive_dropout": 1.5})
    blind = Context(epochs=30)
    wide = Context(epochs=30, metadata=RunMetadata(hidden_units=[64, 64]))
    assert conclude([under], blind)[1].causes[0].code == "capacity_too_low"
    verdict = conclude([under], wide)[1]
    assert verdict.causes[0].code == "excessive_dropout"
    against = next(c for c in verdict.causes if c.code == "capacity_too_low").evidence_against
    assert [(e.source, e.likelihood_ratio) for e in against] == [(EvidenceSource.metadata, WIDTHS_CLEARED_LR)]
    # The width rule raised its finding (here at info: narrow, but the run learned): not cleared.
    narrow = finding("capacity_too_low", severity=Severity.info, source=EvidenceSource.metadata)
    verdict = conclude([under, narrow], wide)[1]
    assert verdict.causes[0].code == "capacity_too_low"


def test_a_network_dead_after_a_first_epoch_that_blew_up_points_at_the_blowup() -> None:
    ln2 = 0.693147
    blown = {
        "loss": [4.9e8] + [ln2] * 24,
        "accuracy": [0.5] * 25,
        "val_loss": [ln2] * 25,
        "val_accuracy": [0.5] * 25,
    }
    verdict = diagnose(history_from_mapping(blown)).verdict
    assert "exploding_gradients" in [c.code for c in verdict.causes[:3]]
    exploding = next(c for c in verdict.causes if c.code == "exploding_gradients")
    assert any(
        e.likelihood_ratio == UNIFORM_AFTER_BLOWUP_LR["exploding_gradients"] for e in exploding.evidence_for
    )
    # The same dead network from its first epoch on: nothing blew up, no such evidence.
    calm = diagnose(history_from_mapping({**blown, "loss": [ln2] * 25})).verdict
    for cause in calm.causes:
        assert not any("blew up" in e.detail for e in cause.evidence_for)


def test_a_cause_read_from_an_overfits_shape_explains_the_overfitting() -> None:
    # A training loss that stayed high while validation worsened points at the labels; that
    # cause accounts for the overfitting alarm it was read from, as a direct supporter would.
    baseline = 2.3
    over = finding(
        "overfitting",
        {"insufficient_data": 3.0, "capacity_too_high": 2.5},
        confidence=0.9,
        evidence={"train_end_median": 0.3 * baseline, "val_best": 0.4 * baseline},
    )
    _, verdict = conclude([over], Context(epochs=20, baseline_loss=baseline))
    noise = next(c for c in verdict.causes if c.code == "label_noise")
    assert noise.explains == ["overfitting"]
    assert any("could not memorize" in e.detail for e in noise.evidence_for)


def test_labels_no_simple_model_predicts_in_a_run_that_learned_nothing_point_at_the_labels() -> None:
    chance = finding("accuracy_at_chance", {"dead_units": 1.0, "label_noise": 1.0}, severity=Severity.error)
    unmeasured = finding(
        "label_noise",
        severity=Severity.info,
        source=EvidenceSource.data_audit,
        evidence={
            "knn_accuracy": 0.12,
            "logistic_accuracy": 0.11,
            "chance_accuracy": 0.1,
            MEASURED_KEY: False,
        },
    )
    _, verdict = conclude([chance, unmeasured], Context(epochs=20))
    assert verdict.causes[0].code == "label_noise"
    noise = verdict.causes[0]
    assert [e.likelihood_ratio for e in noise.evidence_for if e.source is EvidenceSource.data_audit] == [
        UNPREDICTABLE_LABELS_LR["label_noise"]
    ]
    # One it made, below the level that hurts, is; and it reads nothing off the run's shape.
    measured = unmeasured.model_copy(update={"evidence": {"estimated_noise_rate": 0.06}})
    _, verdict = conclude([chance, measured], Context(epochs=20))
    assert verdict.causes[0].code == "dead_units"
    # Constant inputs (or heavy imbalance, conflicting copies) explain unpredictable labels.
    constant = finding("constant_features", severity=Severity.warning, source=EvidenceSource.data_audit)
    _, verdict = conclude([chance, unmeasured, constant], Context(epochs=20))
    assert not any(
        e.likelihood_ratio == UNPREDICTABLE_LABELS_LR["label_noise"]
        for c in verdict.causes
        for e in c.evidence_for
    )
    # A network that learned is no sign the labels are unpredictable: the simple models missed.
    spikes = finding("loss_spikes", {"lr_too_high": 1.0})
    _, verdict = conclude([spikes, unmeasured], Context(epochs=20))
    assert "label_noise" not in [c.code for c in verdict.causes]


def test_a_cause_the_wiring_leaves_no_room_for_is_ruled_out() -> None:
    chance = finding("accuracy_at_chance", {"dead_units": 1.5, "capacity_too_low": 1.0})
    assert conclude([chance], Context(epochs=20))[1].causes[0].code == "dead_units"
    why = "no layer has a ReLU activation that can die"
    _, verdict = conclude([chance], Context(epochs=20, ruled_out={Code.dead_units: why}))
    assert verdict.causes[0].code == "capacity_too_low"
    dead = next((c for c in verdict.causes if c.code == "dead_units"), None)
    assert dead is None or [e.likelihood_ratio for e in dead.evidence_against] == [RULED_OUT_LR]


def test_a_trial_whose_replay_raised_is_no_evidence_against_its_causes() -> None:
    wiring = finding("loss_task_mismatch", severity=Severity.error, source=EvidenceSource.model_audit)
    failed = TrialOutcome(
        "swap_loss", {"error": "InvalidArgumentError: Graph execution error", "improved": False}
    )
    flat = TrialOutcome(
        "swap_loss",
        {"before": {"accuracy": 0.1}, "after": {"accuracy": 0.1}, "steps": 240, "improved": False},
    )
    alone = _probability(conclude([wiring], Context(epochs=20))[1], "loss_task_mismatch")
    crashed = _probability(conclude([wiring], Context(epochs=20, trials=(failed,)))[1], "loss_task_mismatch")
    measured = _probability(conclude([wiring], Context(epochs=20, trials=(flat,)))[1], "loss_task_mismatch")
    assert crashed == pytest.approx(alone)
    assert measured < alone
