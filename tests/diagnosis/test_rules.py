"""Each rule fires on the shape it detects and stays silent on healthy runs."""

from __future__ import annotations

import math

import numpy as np
import pytest

from diagnosis import Severity, diagnose
from diagnosis.curves import first_trained, rank_correlation, relative_noise
from diagnosis.history import history_from_mapping
from diagnosis.models import SourceInfo
from diagnosis.rules import REGISTRY, overfitting
from diagnosis.rules.loss_diverging import (
    DRIFT_EPOCHS,
    DRIFT_TREND,
    LATE_CLIMB_GIVEBACK,
    NOISE_MULTIPLE,
    RISE,
)
from diagnosis.rules.loss_diverging import LATE_START as DIVERGING_LATE_START
from diagnosis.rules.loss_oscillating import (
    AMPLITUDE,
    LARGE_UNDONE,
    UNDONE_SHARE,
    UP_SHARE,
    UP_SHARE_UNDOING,
    VAL_STEADY,
    progress_undone,
)
from diagnosis.rules.loss_plateau import LATE_START as PLATEAU_LATE_START
from diagnosis.rules.loss_task_mismatch import ZERO_LOSS, ZERO_LOSS_ACCURACY
from diagnosis.rules.underfitting import LATE_START as UNDERFITTING_LATE_START
from diagnosis.rules.unexpected_initial_loss import LATE_START as INITIAL_LATE_START
from diagnosis.rules.val_better_than_train import ACCURACY_GAP
from diagnosis.taxonomy import Code
from testkit import histories


def codes(raw: dict, **metadata: object) -> dict[str, Severity]:
    result = diagnose(history_from_mapping(raw, metadata))
    return {f.code: f.severity for f in result.findings}


def started_at(first_epoch: int, raw: dict, **metadata: object) -> dict[str, Severity]:
    """codes() of a log whose first epoch the input numbers `first_epoch` (an excerpt from it on)."""
    result = diagnose(history_from_mapping(raw, metadata, SourceInfo(first_epoch=first_epoch)))
    return {f.code: f.severity for f in result.findings}


def test_every_rule_is_registered() -> None:
    assert {"loss_nan", "loss_diverging", "loss_plateau", "overfitting"} <= set(REGISTRY)


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("epochs", [5, 12, 30, 100])
def test_healthy_runs_have_no_warning_or_error(seed: int, epochs: int) -> None:
    result = diagnose(history_from_mapping(histories.healthy(epochs, seed)))
    assert result.healthy, [f.code for f in result.findings]


def test_loss_nan_names_the_first_bad_epoch() -> None:
    result = diagnose(history_from_mapping(histories.nan_loss(at=7), {"learning_rate": 0.01}))
    finding = result.findings[0]
    assert finding.code == "loss_nan"
    assert finding.severity is Severity.error
    assert finding.evidence["first_nonfinite_epoch"] == 7
    assert finding.fix["learning_rate"] == pytest.approx(0.001)
    assert not result.healthy


def test_nan_in_val_loss_only_is_reported_too() -> None:
    raw = histories.healthy(10)
    raw["val_loss"][4] = float("nan")
    assert codes(raw).get("loss_nan") is Severity.error


def test_a_gradient_norm_non_finite_to_the_end_is_a_nan() -> None:
    # Wild log w1757's shape: a loss of exactly 0.0 beside grad_norm nan in every entry.
    raw = {"loss": [0.0] * 13, "grad_norm": [float("nan")] * 13}
    finding = next(f for f in diagnose(history_from_mapping(raw)).findings if f.code == "loss_nan")
    assert finding.severity is Severity.error
    assert finding.evidence["metric"] == "grad_norm"
    # A learning loss whose gradient norm went non-finite for good at epoch 6.
    healthy = histories.healthy(10)
    broken = {**healthy, "grad_norm": [1.0] * 6 + [float("inf")] * 4}
    found = next(f for f in diagnose(history_from_mapping(broken)).findings if f.code == "loss_nan")
    assert found.evidence["first_nonfinite_epoch"] == 6
    # One non-finite norm that finite ones follow is a step the loss scaler skipped.
    skipped = {**healthy, "grad_norm": [1.0] * 3 + [float("nan")] + [1.0] * 6}
    assert "loss_nan" not in codes(skipped)


def test_validation_every_other_epoch_is_a_gap_not_a_nan() -> None:
    # CSVLogger's `NA` (validation_freq=2) reads as NaN: a cadence of gaps, training finite.
    raw = histories.healthy(12)
    raw["val_loss"] = [v if i % 2 else float("nan") for i, v in enumerate(raw["val_loss"])]
    assert "loss_nan" not in codes(raw)
    # The same cadence with the validation gone NaN for good from epoch 8 is still reported.
    raw["val_loss"][8:] = [float("nan")] * 4
    assert codes(raw).get("loss_nan") is Severity.error


def test_a_value_the_input_did_not_log_is_no_nan() -> None:
    # Wild log w1449's shape: one validation value missing mid-run (an empty CSV cell).
    raw = histories.healthy(12)
    raw["val_loss"][7] = float("nan")
    assert codes(raw).get("loss_nan") is Severity.error  # a NaN the run printed
    unlogged = history_from_mapping(raw, source=SourceInfo(not_logged={"val_loss": [7]}))
    assert "loss_nan" not in {f.code for f in diagnose(unlogged).findings}
    # A training loss not logged in the last epoch is no NaN either; a printed one still is.
    raw["val_loss"][7] = raw["val_loss"][6]
    raw["loss"][-1] = float("nan")
    unlogged = history_from_mapping(raw, source=SourceInfo(not_logged={"loss": [11]}))
    assert "loss_nan" not in {f.code for f in diagnose(unlogged).findings}
    printed = history_from_mapping(raw, source=SourceInfo(not_logged={"val_loss": [11]}))
    assert "loss_nan" in {f.code for f in diagnose(printed).findings}


def test_a_log_saved_before_its_last_evaluation_is_not_a_nan() -> None:
    # A trainer_state.json written mid-epoch: the last epoch has a training loss, no eval yet.
    raw = histories.healthy(10)
    raw["val_loss"][-1] = float("nan")
    assert "loss_nan" not in codes(raw)
    raw["val_loss"][-2] = float("nan")  # two epochs without validation, every epoch before had one
    assert codes(raw).get("loss_nan") is Severity.error
    raw["val_loss"][-2] = raw["val_loss"][-3]
    raw["loss"][-1] = float("nan")  # the training loss went NaN with it: a symptom
    assert codes(raw).get("loss_nan") is Severity.error


def test_validation_before_its_first_evaluation_is_a_gap_not_a_nan() -> None:
    # Wild log w185 (a Hugging Face fine-tune evaluating every 100 steps of 80-step epochs): the
    # first epoch has no evaluation yet, every one after it has.
    raw = {
        "loss": [1.8174, 0.6645, 0.3784, 0.2572, 0.1704],
        "val_loss": [float("nan"), 0.729, 0.4048, 0.3236, 0.2949],
    }
    assert "loss_nan" not in codes(raw)
    raw["val_loss"][3:] = [float("nan")] * 2  # then gone NaN for good: a symptom
    assert codes(raw).get("loss_nan") is Severity.error
    raw["val_loss"] = [float("nan")] * 5  # never evaluated finite at all
    assert codes(raw).get("loss_nan") is Severity.error


@pytest.mark.parametrize("seed", range(5))
def test_diverging_loss(seed: int) -> None:
    assert codes(histories.diverging(seed=seed)).get("loss_diverging") is Severity.error


def test_loss_that_gives_back_most_of_its_progress_is_a_warning() -> None:
    loss = [1.0, 0.6, 0.3, 0.2, 0.2, 0.4, 0.6, 0.7, 0.72, 0.75]
    assert codes({"loss": loss}).get("loss_diverging") is Severity.warning


def test_a_loss_that_never_improved_gives_back_nothing() -> None:
    # Best at the first epoch, then frozen a hair above it (the wild log w828): the rise is
    # 0.14 % of the loss, not "billions of percent of its improvement".
    frozen = {"loss": [5.7178, 5.7257, 5.7257, 5.7257, 5.7257, 5.7257]}
    assert "loss_diverging" not in codes(frozen)
    # A loss that never improved and then climbs well above its start still diverges.
    climbing = {"loss": [1.0, 1.0, 1.05, 1.2, 1.5, 1.9, 2.4, 3.0]}
    assert codes(climbing).get("loss_diverging") is Severity.error
    # One that creeps up a few percent from its first epoch is drifting off (w626's shape).
    creeping = {"loss": [0.841, 0.8435, 0.8536, 0.8509, 0.8497, 0.8604, 0.8597, 0.8686, 0.8729]}
    assert codes(creeping).get("loss_diverging") is Severity.warning


def test_a_loss_drifting_up_through_its_noise_is_drifting_off() -> None:
    # Wild log w1696's shape: best 0.741 at epoch 64 of 200, then up to 1.22 at the end, a dip
    # every few epochs so that no three rises in a row reach RISE above where they began, and it
    # gave back under half of its progress from 1.87.
    rng = np.random.default_rng(5)
    fall = 0.74 + 1.13 * np.exp(-np.arange(64) / 8.0)
    rise = np.linspace(0.741, 1.22, 136) * (1 + rng.normal(0, 0.004, 136))
    zigzag = rise + np.where(np.arange(136) % 3 == 2, -0.012, 0.0)
    loss = np.concatenate((fall, zigzag))
    best = int(np.argmin(loss))
    assert loss.size - best >= DRIFT_EPOCHS
    assert rank_correlation(loss[best:]) >= DRIFT_TREND
    assert np.median(loss[-40:]) >= (1 + RISE) * loss[best]
    assert codes({"loss": loss.tolist()}).get("loss_diverging") is Severity.warning
    # The same noise about a level, with no trend after the best, is a converged loss.
    level = np.concatenate((fall, 0.741 * (1 + rng.normal(0, 0.004, 136)) + 0.01))
    assert "loss_diverging" not in codes({"loss": level.tolist()})


def test_an_excerpt_that_ends_above_its_first_line_did_not_rise_above_its_start() -> None:
    # Epochs 64-73 of a run: the first line is a trained model's loss, so ending above it is no
    # "worse than where it started" (error); the improvement it gave back still is (warning).
    loss = {"loss": [1.0, 0.6, 0.5, 0.6, 0.8, 1.0, 1.2, 1.3, 1.35, 1.4]}
    assert started_at(DIVERGING_LATE_START, loss)["loss_diverging"] is Severity.error
    assert started_at(DIVERGING_LATE_START + 1, loss)["loss_diverging"] is Severity.warning
    # A short one is judged on levels wherever it starts: above its first line in every epoch.
    short = started_at(DIVERGING_LATE_START + 1, {"loss": [0.297, 16.1, 16.1]})
    assert short["loss_diverging"] is Severity.error


def test_noisy_but_improving_loss_is_not_diverging() -> None:
    rng = np.random.default_rng(3)
    loss = (np.linspace(1.0, 0.3, 40) + rng.normal(0, 0.03, 40)).tolist()
    assert "loss_diverging" not in codes({"loss": loss})


@pytest.mark.parametrize("seed", range(5))
def test_plateau_from_the_start(seed: int) -> None:
    assert codes(histories.plateau(seed=seed)).get("loss_plateau") is Severity.warning


def test_a_flat_loss_far_below_ln_2_is_a_finished_run_continued() -> None:
    # Five more epochs of a classifier trained before: flat, at a sixth of ln 2.
    continued = {
        "loss": [0.1165, 0.1152, 0.1147, 0.1141, 0.1138],
        "accuracy": [0.944, 0.945, 0.945, 0.946, 0.946],
    }
    assert "loss_plateau" not in codes(continued)
    # As flat at ln 2's level: stuck.
    stuck = {"loss": [0.7, 0.695, 0.694, 0.693, 0.6929], "accuracy": [0.5, 0.51, 0.5, 0.51, 0.5]}
    assert codes(stuck).get("loss_plateau") is Severity.warning


def test_an_excerpt_is_not_still_high_against_its_first_line() -> None:
    # Fell 30 % in two epochs, then flat at 0.7: stalled while still above HIGH_START of where the
    # run started, but only where the first line is the start; an excerpt started trained.
    stall = {"loss": [1.0, 0.8, 0.7, 0.701, 0.699, 0.702, 0.698, 0.7, 0.699, 0.701]}
    assert started_at(PLATEAU_LATE_START, stall)["loss_plateau"] is Severity.warning
    assert "loss_plateau" not in started_at(PLATEAU_LATE_START + 1, stall)


def test_converged_run_is_not_a_plateau() -> None:
    loss = [1.0, 0.4, 0.2, *([0.1] * 30)]
    assert "loss_plateau" not in codes({"loss": loss})


@pytest.mark.parametrize("seed", range(5))
def test_overfitting_onset_and_early_stopping(seed: int) -> None:
    result = diagnose(history_from_mapping(histories.overfitting(seed=seed)))
    finding = next(f for f in result.findings if f.code == "overfitting")
    assert 5 <= finding.evidence["onset_epoch"] <= 15
    assert finding.fix["early_stopping"]["restore_best_weights"] is True
    assert finding.fix["epochs_saved"] == 39 - finding.evidence["onset_epoch"]


def test_a_gap_from_the_start_is_overfitting_with_the_shift_first_among_causes() -> None:
    t = np.arange(30)
    train = 0.02 + 2.0 * np.exp(-t / 4)  # fits the training data
    val = 1.7 + 2.0 * np.exp(-t / 4)  # never better than 74 % of ln 10: no U-shape, just a gap
    raw = {"loss": train.tolist(), "val_loss": val.tolist()}
    result = diagnose(history_from_mapping(raw, {"num_classes": 10}))
    finding = next(f for f in result.findings if f.code == "overfitting")
    assert finding.severity is Severity.warning
    assert result.verdict.causes[0].code in {"train_val_shift", "insufficient_data"}
    assert finding.explained_by == result.verdict.causes[0].code
    assert "does not carry over" in finding.summary
    # The same gap far below what a model that learned nothing scores is a fine model.
    assert "overfitting" not in codes({**raw, "val_loss": (val / 20).tolist()}, num_classes=10)


def test_validation_ten_times_the_training_loss_from_the_first_epoch_needs_no_k() -> None:
    # Wild logs w1480/w1487: validation images fed unscaled to a CNN trained on rescaled ones.
    # Validation 33x the first epoch's training loss, 90x its end, at 98 % validation accuracy;
    # no num_classes, so no ln K: ln 2, the least a classifier that learned nothing scores.
    t = np.arange(10)
    train = (0.09 + 1.1 * np.exp(-t / 2)).tolist()
    val = (8.0 + 32.0 * np.exp(-t / 2)).tolist()
    accuracy = (0.97 - 0.38 * np.exp(-t / 2)).tolist()
    val_accuracy = (0.984 - 0.11 * np.exp(-t / 2)).tolist()
    raw = {"loss": train, "accuracy": accuracy, "val_loss": val, "val_accuracy": val_accuracy}
    result = diagnose(history_from_mapping(raw))
    finding = next(f for f in result.findings if f.code == "overfitting")
    assert finding.severity is Severity.warning
    assert finding.evidence["baseline_loss"] == pytest.approx(math.log(2), abs=1e-6)
    assert result.verdict.causes[0].code == "train_val_shift"
    # Validation near the training loss after the first epoch, memorized away from later on (the
    # training loss to 0.003 while validation rests at 0.9): no such yardstick.
    memorized = {**raw, "loss": (0.003 + 1.1 * np.exp(-t / 2)).tolist(), "val_loss": [1.5, *[0.9] * 9]}
    assert "overfitting" not in {
        f.code for f in diagnose(history_from_mapping(memorized)).findings if f.severity is not Severity.info
    }


def test_val_loss_rising_with_train_loss_is_not_overfitting() -> None:
    t = np.arange(20)
    raw = {"loss": (0.5 + 0.02 * t).tolist(), "val_loss": (0.5 + 0.03 * t).tolist()}
    assert "overfitting" not in codes(raw)


def test_findings_are_ordered_worst_first() -> None:
    raw = histories.overfitting()
    raw["loss"][-1] = float("nan")
    result = diagnose(history_from_mapping(raw))
    assert result.findings[0].severity is Severity.error


@pytest.mark.parametrize("seed", range(3))
def test_oscillating_loss(seed: int) -> None:
    found = codes(histories.oscillating(seed=seed))
    assert found.get("loss_oscillating") is Severity.warning


def test_a_wobble_small_against_what_the_run_learned_is_not_oscillating() -> None:
    # Down from 2 to 0.01 in ten epochs, then 25 % up and 20 % down in alternate epochs: over a
    # third of the steps go up by far more than AMPLITUDE of the level, yet each undoes a
    # fraction of a percent of the way the loss came.
    t = np.arange(60)
    wobble = np.where(t % 2 == 0, 1.25, 0.8)
    converged = 2.0 * np.exp(-t / 3) + 0.01 * np.where(t >= 10, wobble, 1.0)
    steps = np.diff(converged)
    assert np.mean(steps > 0) > UP_SHARE
    assert np.median(steps[steps > 0]) / np.median(converged) > AMPLITUDE
    assert progress_undone(converged, steps) < UNDONE_SHARE
    assert "loss_oscillating" not in codes({"loss": converged.tolist()})
    # The same wobble on a loss that learned little: each step up is a step back.
    stuck = 0.3 + 0.2 * np.exp(-t / 6) + 0.1 * wobble
    assert codes({"loss": stuck.tolist()}).get("loss_oscillating") is Severity.warning


def test_small_steps_on_a_high_floor_that_undo_most_of_the_progress_are_oscillating() -> None:
    # A loss pasted as a bare list from an issue: around 9 with no trend, up and down by
    # 0.3-1.4 (5 % of its level, under AMPLITUDE), each step up undoing most of its progress.
    loss = [9.28, 8.96, 9.01, 8.55, 8.94, 8.42, 9.06, 8.36, 8.58, 9.36, 8.43, 8.64, 9.04, 9.86, 8.57]
    steps = np.diff(loss)
    assert np.median(steps[steps > 0]) / np.median(loss) < AMPLITUDE
    assert progress_undone(np.array(loss), steps) > LARGE_UNDONE
    assert codes({"loss": loss}).get("loss_oscillating") is Severity.warning
    # The same steps on a loss that fell from 30 first undo little of what it learned.
    assert "loss_oscillating" not in codes({"loss": [30.0, 20.0, 12.0, *loss]})


def test_steps_up_in_a_third_of_the_epochs_that_each_undo_half_the_progress_are_oscillating() -> None:
    # SGD at 0.1 with momentum 0.9 on Fashion-MNIST: up in 3 of 9 steps (under UP_SHARE), each
    # giving back half of what the run had learned, so no net progress after epoch 3.
    loss = [0.8221, 0.764, 0.7269, 0.758, 0.6855, 0.7389, 0.7793, 0.7708, 0.7464, 0.693]
    steps = np.diff(loss)
    assert UP_SHARE_UNDOING <= np.mean(steps > 0) < UP_SHARE
    assert codes({"loss": loss}).get("loss_oscillating") is Severity.warning
    # The same share of steps up on a loss that went on falling undo little: a noisy descent.
    falling = [0.82, 0.70, 0.62, 0.64, 0.55, 0.50, 0.52, 0.45, 0.41, 0.42]
    assert "loss_oscillating" not in codes({"loss": falling})


def test_small_steps_up_on_a_loss_falling_fast_are_not_oscillating() -> None:
    # Wild log w1946, a DenseNet121 digit model without validation: 0.24 -> 0.04 in 50 epochs,
    # up in 37 % of its steps. Its typical step is a tenth of its level, most of it the fall;
    # its typical step up is 7 %: small wobbles on a steady descent, no optimizer going back up.
    loss = [0.2445, 0.2113, 0.1882, 0.1777, 0.1668, 0.1439, 0.1319, 0.1263, 0.1238, 0.1148]
    loss += [0.1095, 0.0998, 0.1011, 0.0874, 0.0818, 0.0889, 0.0871, 0.0779, 0.0763, 0.0741]
    loss += [0.0783, 0.0759, 0.0631, 0.0657, 0.0725, 0.0607, 0.0602, 0.0624, 0.0588, 0.0592]
    loss += [0.0498, 0.0596, 0.0396, 0.0526, 0.0526, 0.0458, 0.0507, 0.0606, 0.0427, 0.0485]
    loss += [0.0408, 0.0469, 0.0375, 0.0396, 0.0401, 0.0501, 0.0471, 0.0363, 0.041, 0.0417]
    steps = np.diff(loss)
    assert np.mean(steps > 0) > UP_SHARE
    assert np.median(np.abs(steps)) / np.median(loss) > AMPLITUDE
    assert np.median(steps[steps > 0]) / np.median(loss) < AMPLITUDE
    assert progress_undone(np.array(loss), steps) > UNDONE_SHARE
    assert "loss_oscillating" not in codes({"loss": loss})
    # The same curve with each step up half as large again goes back up by a sizeable step.
    larger = np.where(steps > 0, 1.5 * steps, steps)
    bumped = np.concatenate([[loss[0]], loss[0] + np.cumsum(larger)])
    assert codes({"loss": bumped.tolist()}).get("loss_oscillating") is Severity.warning


def test_a_training_wobble_beside_a_validation_accuracy_near_1_is_info() -> None:
    # Wild logs w1526 and w1837: the training loss goes up in over a third of its epochs while
    # validation accuracy holds at 0.995-1.0 through the second half: the weights are not thrown
    # about; the training epochs' dropout and augmentation move their loss.
    t = np.arange(40)
    loss = (0.3 + 0.2 * np.exp(-t / 6) + 0.1 * np.where(t % 2 == 0, 1.25, 0.8)).tolist()
    val_accuracy = np.minimum(0.9 + 0.01 * t, 0.996).tolist()
    raw = {"loss": loss, "accuracy": [0.95] * 40, "val_loss": loss, "val_accuracy": val_accuracy}
    assert codes(raw).get("loss_oscillating") is Severity.info
    # Below NEAR_PERFECT on validation too, it is an optimizer that overshoots.
    lower = {**raw, "val_accuracy": np.minimum(0.9 + 0.01 * t, 0.97).tolist()}
    assert codes(lower).get("loss_oscillating") is Severity.warning


def test_a_training_wobble_beside_a_validation_loss_falling_every_epoch_is_info() -> None:
    # Wild log w1030, a fine-tune on 168 images: the training loss goes up in 41 % of its epochs
    # while the validation loss falls in 28 of 29 steps: the weights improve steadily.
    loss = [0.7049, 0.31, 0.1882, 0.1113, 0.09118, 0.07536, 0.1335, 0.07282, 0.08781, 0.06805]
    loss += [0.02748, 0.0702, 0.07874, 0.02594, 0.03287, 0.03344, 0.03354, 0.01617, 0.09184, 0.07293]
    loss += [0.02244, 0.03662, 0.02566, 0.03602, 0.01894, 0.03958, 0.01659, 0.01458, 0.02962, 0.01786]
    val = [0.755 * 0.955**i for i in range(30)]
    val[20] = val[19] * 1.01
    assert codes({"loss": loss, "val_loss": val}).get("loss_oscillating") is Severity.info
    # The same training loss beside a validation loss that goes up and down with it overshoots.
    wobbly = [v * (1.15 if i % 3 == 0 else 1.0) for i, v in enumerate(val)]
    assert np.mean(np.diff(wobbly) < 0) < VAL_STEADY
    assert codes({"loss": loss, "val_loss": wobbly}).get("loss_oscillating") is Severity.warning


def test_a_short_run_that_goes_up_as_often_as_down_by_large_steps_is_oscillating() -> None:
    # Five epochs of a binary classifier on unscaled inputs: the loss jumps between 56 and 181
    # with no trend, up in three of four steps.
    swinging = [124.1, 137.7, 181.5, 56.3, 143.6]
    assert codes({"loss": swinging}).get("loss_oscillating") is Severity.warning
    # Two steps up in five on a loss that fell by two thirds: a noisy descent, however large
    # its steps.
    descent = [1.0, 0.6, 0.75, 0.45, 0.55, 0.3]
    assert "loss_oscillating" not in codes({"loss": descent})
    # Three epochs are too few to tell anything.
    assert "loss_oscillating" not in codes({"loss": swinging[1:4]})


def test_a_per_step_curve_going_up_and_down_is_batch_noise_not_overshooting() -> None:
    # The stuck wobble above, read as an epoch curve, is an optimizer that overshoots; read per
    # logged step (a Trainer's loss every few batches) the same ups are the batches' noise that
    # no epoch mean smoothed: reported, but as info.
    t = np.arange(60)
    stuck = (0.3 + 0.2 * np.exp(-t / 6) + 0.1 * np.where(t % 2 == 0, 1.25, 0.8)).tolist()
    per_epoch = diagnose(history_from_mapping({"loss": stuck}))
    per_step = diagnose(history_from_mapping({"loss": stuck}, source=SourceInfo(granularity="step")))
    assert {f.code: f.severity for f in per_epoch.findings}[Code.loss_oscillating] is Severity.warning
    found = next(f for f in per_step.findings if f.code == "loss_oscillating")
    assert found.severity is Severity.info
    assert found.evidence["per_step"] is True
    assert "logged steps" in found.summary


def test_epoch_means_wobbling_within_their_sampling_noise_are_no_overshooting() -> None:
    # Epoch means of a few logged steps each (Lightning's train_loss every few steps, averaged per
    # epoch; wild log w1458: 0.74, 0.70, 0.75, 0.72, 0.68 at a standard error near 0.018): steps
    # up within two standard errors of a difference of two means are the batches' noise.
    wobble = [0.86, 0.74, 0.70, 0.745, 0.716, 0.683, 0.701, 0.713, 0.664, 0.706]
    assert codes({"loss": wobble}).get("loss_oscillating") is Severity.warning
    noisy = SourceInfo(epoch_mean_noise={"loss": 0.018})
    found = diagnose(history_from_mapping({"loss": wobble}, source=noisy)).findings
    oscillating = next(f for f in found if f.code == "loss_oscillating")
    assert oscillating.severity is Severity.info
    assert oscillating.evidence["within_epoch_mean_noise"] is True
    # Means of many steps each (a small standard error): the same ups are the optimizer's.
    precise = SourceInfo(epoch_mean_noise={"loss": 0.002})
    found = diagnose(history_from_mapping({"loss": wobble}, source=precise)).findings
    assert {f.code: f.severity for f in found}[Code.loss_oscillating] is Severity.warning
    # Epoch points that are one logged step each are read as a per-step log.
    single = SourceInfo(epoch_mean_noise={"loss": 0.0})
    found = diagnose(history_from_mapping({"loss": wobble}, source=single)).findings
    assert {f.code: f.severity for f in found}[Code.loss_oscillating] is Severity.info


def test_spikes_of_epoch_points_that_are_one_logged_step_each_are_batch_noise() -> None:
    single = SourceInfo(epoch_mean_noise={"loss": 0.0})
    found = diagnose(history_from_mapping({"loss": W173_STEP_LOSS}, source=single)).findings
    assert {f.code: f.severity for f in found}[Code.loss_spikes] is Severity.info


def test_spikes_that_recover() -> None:
    result = diagnose(history_from_mapping(histories.spikes(at=(12, 21))))
    finding = next(f for f in result.findings if f.code == "loss_spikes")
    assert finding.evidence["spike_epochs"] == [12, 21]
    assert "loss_diverging" not in {f.code for f in result.findings}
    assert finding.severity is Severity.warning


def test_one_spike_the_run_left_behind_is_info_and_one_it_did_not_is_a_warning() -> None:
    assert codes(histories.spikes(at=(12,))).get("loss_spikes") is Severity.info
    # The run never gets back under the 0.30 it reached before the spike.
    stuck = {"loss": [1.0, 0.6, 0.4, 0.3, 0.3, 0.3, 0.9, 0.32, 0.31, 0.31, 0.31, 0.31]}
    assert codes(stuck).get("loss_spikes") is Severity.warning


def test_one_spike_on_a_noisy_plateau_ending_within_its_noise_of_the_best_is_info() -> None:
    # A plateau near 0.45 that wobbles by ~10 % an epoch (a few hundred samples each), one spike
    # to 1.4x, and an end 8 % above the one lucky epoch before the spike.
    rng = np.random.default_rng(0)
    plateau = 0.45 * (1 + 0.1 * rng.standard_normal(60))
    loss = [2.4, 1.6, 1.1, 0.8, 0.6, *plateau.tolist()]
    loss[35] = 1.5 * float(np.median(loss[32:35])) + 0.2
    loss[-1] = 1.08 * min(loss[:35])
    assert codes({"loss": loss}).get("loss_spikes") is Severity.info
    # The same end on a smooth plateau is beyond its noise: the spike cost the run something.
    smooth = [2.4, 1.6, 1.1, 0.8, 0.6, *([0.45] * 60)]
    smooth[35], smooth[-1] = 0.9, 1.08 * 0.45
    assert codes({"loss": smooth}).get("loss_spikes") is Severity.warning


def test_a_spike_is_left_behind_within_its_own_curves_noise_however_short_the_curve() -> None:
    # Wild log w249's training loss: 15 epochs wandering 0.03-0.06 after a fine-tune, one spike
    # (epoch 11, the curve's only excursion) and an end 1.23x the lucky 0.0349 before it, within
    # three widths of the curve's noise. A spike counted among the excursions it is judged by
    # left no noisy curve rare enough to be allowed its noise.
    w249 = [0.0553, 0.06, 0.0608, 0.0511, 0.0469, 0.0408, 0.0476, 0.0372, 0.0349, 0.0446, 0.0391]
    w249 += [0.066, 0.0308, 0.0322, 0.0431]
    assert codes({"loss": w249}).get("loss_spikes") is Severity.info
    # The same spike and end on a smooth descent are beyond its noise: a warning.
    smooth = np.linspace(0.055, 0.035, 15).tolist()
    smooth[11], smooth[-1] = 0.066, 0.0431
    assert codes({"loss": smooth}).get("loss_spikes") is Severity.warning


def test_a_validation_spike_is_left_behind_within_the_validation_curves_noise() -> None:
    # Wild log w1164's validation MSE (in 1e9), a house-price regression: it wobbles 5.1-7.1
    # while falling, spikes once (epoch 23, 7.87) in an epoch the training loss took in stride,
    # and ends 1.7 % above the 5.17 it hit once before: its own noise, not a lasting harm. A
    # regression has no accuracy to say it ended well, so RECOVERED alone did not apply.
    val = [10.078, 9.2611, 8.8406, 8.2099, 7.0234, 7.103, 6.5723, 7.0525, 6.5645, 5.9491, 6.5751]
    val += [6.5083, 5.8583, 5.5767, 5.4502, 7.1169, 6.2185, 5.7943, 5.4572, 5.8537, 5.2062, 5.1682]
    val += [5.621, 7.8749, 5.2187, 5.2307, 5.1486, 5.7896, 6.3862, 5.8129, 5.1234, 5.2567]
    loss = (5.7 + 10 * np.exp(-np.arange(32) / 4)).tolist()
    found = diagnose(history_from_mapping({"loss": loss, "val_loss": val})).findings
    finding = next(f for f in found if f.code == "loss_spikes")
    assert finding.evidence["spike_epochs"] == [23]
    assert finding.severity is Severity.info
    # Ending half as high again as that best is beyond its noise: the spike cost the run.
    lifted = [*val[:-1], 1.5 * 5.1682]
    assert codes({"loss": loss, "val_loss": lifted}).get("loss_spikes") is Severity.warning


# Wild log w173's training loss, one point per 10 logged steps of a Hugging Face ViT fine-tune.
W173_STEP_LOSS = [
    0.2579, 0.1457, 0.0975, 0.0565, 0.0579, 0.0302, 0.0039, 0.0441, 0.0414, 0.0443, 0.1463,
    0.0683, 0.0551, 0.1104, 0.0087, 0.0566, 0.1618, 0.1098, 0.0608, 0.0349, 0.0455, 0.0756,
    0.0065, 0.0255, 0.0841, 0.1931, 0.0206, 0.0431, 0.0103, 0.003, 0.0345, 0.0022, 0.0362,
    0.0733, 0.1402, 0.0135, 0.0309, 0.0301, 0.0023, 0.002, 0.0193, 0.0465, 0.0019, 0.0019,
    0.0017, 0.0015, 0.0014, 0.0014, 0.0014, 0.0014, 0.0014, 0.0013, 0.0014, 0.0104, 0.0012,
    0.0012, 0.0013, 0.0013, 0.0013, 0.0011, 0.0424, 0.0013, 0.0033,
]  # fmt: skip


def test_per_step_spikes_the_run_left_behind_are_batch_noise() -> None:
    per_step = SourceInfo(granularity="step")
    found = diagnose(history_from_mapping({"loss": W173_STEP_LOSS}, source=per_step)).findings
    spikes = next(f for f in found if f.code == "loss_spikes")
    assert len(spikes.evidence["spike_epochs"]) > 1
    assert spikes.severity is Severity.info
    # The same curve read per epoch spiked again and again: a warning.
    assert codes({"loss": W173_STEP_LOSS}).get("loss_spikes") is Severity.warning
    # Per step, spikes that left the loss above its best before them are still a warning.
    lifted = [*W173_STEP_LOSS[:20], *(v + 0.05 for v in W173_STEP_LOSS[20:])]
    found = diagnose(history_from_mapping({"loss": lifted}, source=per_step)).findings
    assert {f.code: f.severity for f in found}.get(Code.loss_spikes) is Severity.warning


@pytest.mark.parametrize("seed", range(3))
def test_slow_steady_descent_is_slow_convergence(seed: int) -> None:
    result = diagnose(
        history_from_mapping(histories.slow(seed=seed), {"optimizer": "sgd", "learning_rate": 1e-5})
    )
    finding = next(f for f in result.findings if f.code == "slow_convergence")
    assert finding.severity is Severity.warning
    top = result.verdict.causes[0]
    assert top.code == "lr_too_low"
    assert top.fix.fix["learning_rate"] == pytest.approx(0.01)
    assert result.verdict.first_fix is not None
    assert result.verdict.first_fix.cause == "lr_too_low"


def test_good_progress_still_improving_is_only_info() -> None:
    loss = (1.0 - 0.6 * np.arange(20) / 19).tolist()  # 60% down and still going
    result = diagnose(history_from_mapping({"loss": loss}))
    assert next(f for f in result.findings if f.code == "slow_convergence").severity is Severity.info
    assert result.healthy


@pytest.mark.parametrize("seed", range(3))
def test_underfitting_against_ln_k(seed: int) -> None:
    raw = histories.underfit(seed=seed)
    assert codes(raw, num_classes=10).get("underfitting") is Severity.warning
    assert codes(raw, num_classes=10, task="multiclass").get("underfitting") is Severity.warning


def test_underfitting_needs_a_yardstick() -> None:
    raw = histories.underfit()
    del raw["accuracy"]
    assert "underfitting" not in codes(raw)  # a regression-like loss has no ln K to compare with


def _regression_levelling_off(level: float, epochs: int = 30, seed: int = 0) -> dict[str, list[float]]:
    """An MSE that falls from 1.5 and levels off at `level`, with mild noise."""
    rng = np.random.default_rng(seed)
    loss = level + (1.5 - level) * np.exp(-np.arange(epochs) / 4) + rng.normal(0, 0.003, epochs)
    return {"loss": loss.tolist(), "mae": np.sqrt(loss).tolist()}


@pytest.mark.parametrize("seed", range(3))
def test_regression_underfitting_against_the_callers_baseline_loss(seed: int) -> None:
    stuck = _regression_levelling_off(0.8, seed=seed)
    assert "underfitting" not in codes(stuck, task="regression")  # no yardstick: silent
    assert codes(stuck, task="regression", baseline_loss=1.0)["underfitting"] is Severity.warning
    # The same curve is a good fit when predicting the mean would have scored 10.
    assert "underfitting" not in codes(stuck, task="regression", baseline_loss=10.0)
    finding = next(
        f
        for f in diagnose(history_from_mapping(stuck, {"baseline_loss": 1.0})).findings
        if f.code == "underfitting"
    )
    assert finding.evidence["baseline_from"] == "metadata"
    assert "predicting the mean" in finding.summary


def test_validation_that_never_beats_the_mean_is_underfitting_while_training_creeps_down() -> None:
    epochs = np.arange(30)
    creeping = {
        "loss": (0.9 + 2.0 * np.exp(-epochs / 8)).tolist(),  # still falling 3 %/epoch at the end
        "val_loss": (1.0 + 0.1 * np.exp(-epochs / 3)).tolist(),  # at the mean's loss throughout
    }
    assert "underfitting" not in codes(creeping, task="regression")
    finding = next(
        f
        for f in diagnose(history_from_mapping(creeping, {"baseline_loss": 1.0})).findings
        if f.code == "underfitting"
    )
    assert finding.severity is Severity.warning
    assert "carries over" in finding.summary
    # A model that fits its training data and fails on validation is not underfitting.
    shifted = {"loss": (0.1 + np.exp(-epochs / 4)).tolist(), "val_loss": [2.0] * 30}
    assert "underfitting" not in codes(shifted, baseline_loss=1.0)


def test_a_regression_excerpt_has_no_first_epoch_to_hold_validation_against() -> None:
    # Wild log w1407's curves, epochs 64-73 of 100: validation at 169 % of the first training
    # loss is "learned nothing" only where that loss is an untrained model's.
    excerpt = {
        "loss": [0.0064, 0.0064, 0.0064, 0.0063, 0.0064, 0.0062, 0.0064, 0.0063, 0.0062, 0.0062],
        "val_loss": [0.0120, 0.0111, 0.0114, 0.0122, 0.0119, 0.0111, 0.0108, 0.0111, 0.0116, 0.0118],
    }
    assert started_at(UNDERFITTING_LATE_START, excerpt, task="regression")["underfitting"] is Severity.warning
    assert "underfitting" not in started_at(UNDERFITTING_LATE_START + 1, excerpt, task="regression")


def test_a_high_loss_still_falling_however_noisily_is_slow_convergence() -> None:
    rng = np.random.default_rng(0)
    loss = 3.0 - 1.1 * np.arange(30) / 29 + rng.normal(0, 0.03, 30)  # at ~83 % of ln 10, noisy
    found = codes({"loss": loss.tolist()}, num_classes=10)
    assert found.get("slow_convergence") is Severity.warning
    assert "underfitting" not in found  # it has not levelled off


def test_a_baseline_of_zero_is_no_yardstick() -> None:
    assert "underfitting" not in codes(_regression_levelling_off(0.8), task="regression", baseline_loss=0.0)


def test_a_fast_fall_early_in_a_live_run_is_not_lagging() -> None:
    """Epoch 10 of a run whose loss falls 15 % an epoch: still high, but it will get there."""
    loss = [1.5 * 0.85**epoch for epoch in range(10)]  # 58 % of the baseline at the end
    assert set(codes({"loss": loss}, baseline_loss=0.6).values()) <= {Severity.info}
    # A crawl of 0.5 % an epoch, at 86 % of the baseline after 30 epochs, is lagging.
    crawl = [1.0 * 0.995**epoch for epoch in range(30)]
    assert codes({"loss": crawl}, baseline_loss=1.0)["slow_convergence"] is Severity.warning


def test_accuracy_at_chance_and_frozen_accuracy() -> None:
    rng = np.random.default_rng(0)
    at_chance = {
        "loss": (1.1 - 0.01 * np.arange(10)).tolist(),
        "accuracy": (0.34 + rng.normal(0, 0.01, 10)).tolist(),
    }
    assert codes(at_chance, num_classes=3).get("accuracy_at_chance") is Severity.error
    frozen = {
        "loss": (0.3 - 0.001 * np.arange(10)).tolist(),
        "val_accuracy": [0.95] * 10,
        "accuracy": [0.95] * 10,
    }
    result = diagnose(history_from_mapping(frozen))
    assert result.findings[0].code == "accuracy_at_chance"
    assert result.verdict.causes[0].code == "class_imbalance"


@pytest.mark.parametrize("seed", range(3))
def test_noisy_validation(seed: int) -> None:
    assert codes(histories.noisy_validation(seed=seed)).get("val_noisy") is Severity.warning


def test_val_better_than_train_is_info_when_modest_and_warning_when_large() -> None:
    train = (0.5 + 0.3 * np.exp(-np.arange(20) / 4)).tolist()
    modest = codes({"loss": train, "val_loss": [v * 0.8 for v in train]})
    assert modest.get("val_better_than_train") is Severity.info
    large = codes({"loss": train, "val_loss": [v * 0.3 for v in train]})
    assert large.get("val_better_than_train") is Severity.warning


def test_a_loss_gap_against_single_step_training_points_is_info() -> None:
    """Training points that are one logged batch each (Lightning logging every 50 steps of a
    33-step epoch) are no level to hold validation's against; an accuracy gap still counts."""
    train = (0.5 + 0.3 * np.exp(-np.arange(20) / 4)).tolist()
    raw = {"loss": train, "val_loss": [v * 0.3 for v in train]}
    single = SourceInfo(epoch_mean_noise={"loss": 0.0})
    found = diagnose(history_from_mapping(raw, source=single)).findings
    gap = next(f for f in found if f.code == "val_better_than_train")
    assert (gap.severity, gap.evidence["single_steps"]) == (Severity.info, True)
    accuracy = {**raw, "accuracy": [0.6] * 20, "val_accuracy": [0.9] * 20}
    found = diagnose(history_from_mapping(accuracy, source=single)).findings
    assert {f.code: f.severity for f in found}[Code.val_better_than_train] is Severity.warning


def test_a_loss_gap_the_accuracy_does_not_share_is_info() -> None:
    """Small losses at 0.08 and 0.03: a few confidently wrong training samples set that ratio
    when both sets are predicted about equally well (90 % and 91 %)."""
    loss = (0.07 + 0.5 * np.exp(-np.arange(30) / 3)).tolist()
    raw = {
        "loss": loss,
        "val_loss": [v * 0.4 for v in loss],
        "accuracy": [0.9] * 30,
        "val_accuracy": [0.91] * 30,
    }
    assert codes(raw).get("val_better_than_train") is Severity.info
    raw["val_accuracy"] = [0.9 + 2 * ACCURACY_GAP] * 30
    assert codes(raw).get("val_better_than_train") is Severity.warning


def test_validation_ahead_while_learning_fast_is_the_epoch_average_lag() -> None:
    """Training accuracy is an epoch's average, validation's is taken at its end: while the
    model learns fast, validation leads by about one epoch, and that is not a finding."""
    acc = [0.19, 0.27, 0.41, 0.49, 0.62, 0.68, 0.79, 0.85, 0.89]
    val_acc = [*acc[1:], 0.91]  # one epoch ahead
    loss = [1.3 - 0.09 * epoch for epoch in range(9)]
    raw = {"loss": loss, "accuracy": acc, "val_loss": [v - 0.09 for v in loss], "val_accuracy": val_acc}
    assert set(codes(raw, num_classes=3).values()) <= {Severity.info}
    # 30 points ahead is more than the lag explains.
    ahead = {**raw, "val_accuracy": [min(1.0, a + 0.3) for a in acc]}
    assert codes(ahead, num_classes=3).get("val_better_than_train") is Severity.warning


def test_unexpected_initial_loss() -> None:
    raw = {"loss": [9.0, 5.0, 3.0, 2.5, 2.4], "accuracy": [0.2, 0.3, 0.35, 0.4, 0.41]}
    assert codes(raw, num_classes=3).get("unexpected_initial_loss") is Severity.warning
    assert "unexpected_initial_loss" not in codes({"loss": [1.2, 0.9, 0.7, 0.6, 0.5]}, num_classes=3)
    # Twice ln 10 as the first epoch's average: the model started far off.
    assert codes({"loss": [4.8, 2.0, 1.5, 1.2, 1.1]}, num_classes=10).get("unexpected_initial_loss")
    negative = codes({"loss": [-0.5, -1.0, -1.5, -2.0, -2.5]}, task="binary")
    assert negative.get("unexpected_initial_loss") is Severity.error


def test_an_excerpts_first_loss_is_no_initial_loss() -> None:
    far_off = {"loss": [9.0, 5.0, 3.0, 2.5, 2.4], "accuracy": [0.2, 0.3, 0.35, 0.4, 0.41]}
    at_start = started_at(INITIAL_LATE_START, far_off, num_classes=3)
    assert at_start["unexpected_initial_loss"] is Severity.warning
    assert "unexpected_initial_loss" not in started_at(INITIAL_LATE_START + 1, far_off, num_classes=3)
    huge = {"loss": [40_000.0, 900.0, 40.0, 3.0, 1.2, 1.0]}
    assert "unexpected_initial_loss" in started_at(INITIAL_LATE_START, huge, task="regression")
    assert "unexpected_initial_loss" not in started_at(INITIAL_LATE_START + 1, huge, task="regression")
    # A negative cross-entropy is invalid labels wherever the run is.
    negative = {"loss": [-0.5, -1.0, -1.5, -2.0, -2.5]}
    late = started_at(INITIAL_LATE_START + 1, negative, task="binary")
    assert late["unexpected_initial_loss"] is Severity.error


def test_a_far_off_start_in_a_run_that_learned_points_at_the_input_scale() -> None:
    """Still far off after the first epoch, yet the run ended with most samples right: the output
    and the loss fit the task, so the raw input scale leads, not the wiring."""
    loss = [60.0, 25.0, 8.0, 2.0, 0.6, 0.3, 0.2, 0.15]
    learned = {
        "loss": loss,
        "accuracy": [0.3, 0.5, 0.7, 0.8, 0.9, 0.93, 0.95, 0.96],
        "val_loss": [v * 1.1 for v in loss],
        "val_accuracy": [0.3, 0.5, 0.7, 0.8, 0.88, 0.9, 0.92, 0.93],
    }
    stuck = {**learned, "accuracy": [0.3] * 8, "val_accuracy": [0.3] * 8}

    def initial(raw: dict) -> dict[Code, float]:
        found = diagnose(history_from_mapping(raw, {"num_classes": 3})).findings
        return next(f for f in found if f.code == "unexpected_initial_loss").supports

    ended_well, ended_badly = initial(learned), initial(stuck)
    assert max(ended_well, key=lambda code: ended_well[code]) == Code.unscaled_features
    assert max(ended_badly, key=lambda code: ended_badly[code]) == Code.output_activation_mismatch


def test_a_huge_first_regression_loss_on_targets_of_unit_variance_is_the_inputs() -> None:
    raw = {"loss": [40_000.0, 900.0, 40.0, 3.0, 1.2, 1.0], "val_loss": [5000.0, 200.0, 9.0, 2.0, 1.3, 1.1]}

    def supports(**metadata: object) -> dict[Code, float]:
        found = diagnose(history_from_mapping(raw, {"task": "regression", **metadata})).findings
        return next(f for f in found if f.code == "unexpected_initial_loss").supports

    unknown, unit, wide = supports(), supports(baseline_loss=1.0), supports(baseline_loss=5000.0)
    assert max(unknown, key=lambda code: unknown[code]) == Code.unscaled_targets
    assert max(wide, key=lambda code: wide[code]) == Code.unscaled_targets
    assert max(unit, key=lambda code: unit[code]) == Code.unscaled_features
    assert unit[Code.unscaled_targets] < unit[Code.lr_too_high]


def test_a_regression_loss_that_stays_on_its_large_scale_names_the_targets() -> None:
    """House prices in dollars: 4.3e11 -> 2.5e10 (17x) stays on the targets' scale, so the finding
    is unscaled_targets, not "targets or inputs"; unscaled inputs fall by orders of magnitude
    (2.5e5 -> 850) and keep unexpected_initial_loss; a custom loss in the thousands beside an MAE
    under 1 is not the targets."""
    prices = [4.3e11, 3.7e11, 1.1e11, 6.4e10, 3.9e10, 3.2e10, 2.8e10, 2.6e10, 2.5e10]
    raw = {"loss": prices, "val_loss": [v * 1.02 for v in prices]}
    found = codes(raw)
    assert found.get("unscaled_targets") is Severity.warning
    assert "unexpected_initial_loss" not in found
    inputs = [2.5e5, 9.0e4, 2.0e4, 5.0e3, 2.0e3, 1.2e3, 1.0e3, 900.0, 850.0]
    raw_inputs = {"loss": inputs, "val_loss": [v * 1.1 for v in inputs]}
    assert codes(raw_inputs).get("unexpected_initial_loss") is Severity.warning
    assert "unscaled_targets" not in codes(raw_inputs)
    custom = {**raw, "mae": [0.41, 0.3, 0.2, 0.15, 0.1, 0.09, 0.08, 0.075, 0.07]}
    assert "unscaled_targets" not in codes(custom)
    # Targets of unit variance (the caller's baseline_loss) cannot make it: the inputs did.
    assert "unscaled_targets" not in codes(raw, task="regression", baseline_loss=1.0)


def test_a_regression_baseline_of_zero_is_constant_targets_not_absent() -> None:
    raw = {"loss": [40_000.0, 900.0, 40.0, 3.0, 1.2, 1.0], "val_loss": [5000.0, 200.0, 9.0, 2.0, 1.3, 1.1]}
    found = diagnose(history_from_mapping(raw, {"task": "regression", "baseline_loss": 0.0})).findings
    finding = next(f for f in found if f.code == "unexpected_initial_loss")
    # Zero spread cannot make a first loss of 40,000: the inputs or an offset mean did.
    assert finding.evidence["baseline_loss"] == 0.0
    assert "variance is only 0" in finding.summary
    assert max(finding.supports, key=lambda code: finding.supports[code]) == Code.unscaled_features


def test_insufficient_data_from_metadata() -> None:
    raw = histories.healthy()
    assert codes(raw, num_samples=200, param_count=50_000).get("insufficient_data") is Severity.info
    assert codes(raw, num_samples=40).get("insufficient_data") is Severity.warning
    assert "insufficient_data" not in codes(raw, num_samples=50_000, param_count=100_000)
    assert "insufficient_data" not in codes(raw)


def test_a_tiny_training_set_that_validation_shows_was_not_memorized_is_info() -> None:
    # 36 sequences of a noisy sine: validation ends under the training loss, both still falling.
    epochs = np.arange(20)
    raw = {
        "loss": (0.05 + 0.35 * np.exp(-epochs / 3)).tolist(),
        "val_loss": (0.04 + 0.26 * np.exp(-epochs / 3)).tolist(),
    }
    assert codes(raw, num_samples=36).get("insufficient_data") is Severity.info
    # Memorized: the training loss far under validation's stays a warning.
    memorized = {**raw, "loss": (0.001 + 0.4 * np.exp(-epochs / 3)).tolist()}
    assert codes(memorized, num_samples=36).get("insufficient_data") is Severity.warning
    # With no validation nothing says it was not memorized.
    assert codes({"loss": raw["loss"]}, num_samples=36).get("insufficient_data") is Severity.warning


def test_causes_are_reweighted_by_metadata() -> None:
    raw = histories.diverging()

    def lr_too_high(metadata: dict) -> float:
        verdict = diagnose(history_from_mapping(raw, metadata)).verdict
        # Not listed: too unlikely to show.
        return next((c.probability for c in verdict.causes if c.code == "lr_too_high"), 0.0)

    plain = lr_too_high({})
    assert (
        lr_too_high({"optimizer": "adam", "learning_rate": 0.5})
        > plain
        > lr_too_high({"optimizer": "adam", "learning_rate": 1e-4})
    )
    huge = diagnose(history_from_mapping(raw, {"optimizer": "adam", "learning_rate": 0.5})).verdict
    assert huge.causes[0].code == "lr_too_high"
    assert huge.causes[0].fix.fix["learning_rate"] == pytest.approx(1e-3)


def test_inferred_classes_and_schedule_in_the_summary() -> None:
    stuck = {"loss": [2.31, 2.30, 2.302, 2.301, 2.30], "accuracy": [0.1] * 5}
    assert diagnose(history_from_mapping(stuck)).run.num_classes == 10
    raw = histories.healthy(20)
    raw["learning_rate"] = [1e-3] * 10 + [1e-4] * 10
    schedule = diagnose(history_from_mapping(raw)).run.lr_schedule
    assert [change.epoch for change in schedule] == [10]
    assert schedule[0].learning_rate == pytest.approx(1e-4)


def test_a_zero_loss_beside_accuracy_that_did_not_learn_is_a_loss_task_mismatch() -> None:
    """Categorical cross-entropy over one sigmoid unit is 0.0000 at every epoch while the
    accuracy sits at a coin flip (wild log w1928): the loss does not see the labels, whether
    or not the accuracy's steps tell the sample count."""
    chance = [0.5675, 0.517, 0.5185, 0.527, 0.596]
    raw = {"loss": [0.0] * 5, "accuracy": chance, "val_loss": [0.0] * 5, "val_accuracy": chance}
    assert codes(raw).get("loss_task_mismatch") is Severity.error
    # One head of a multi-output model logs its own accuracy, in percent here.
    heads = {"loss": [ZERO_LOSS] * 3, "char_0_loss": [0.0] * 3, "char_0_accuracy": [2.6, 1.9, 5.8]}
    assert codes(heads).get("loss_task_mismatch") is Severity.error
    # A loss that sees the labels is zero only when they are all right.
    learned = {**raw, "accuracy": [ZERO_LOSS_ACCURACY, 0.95, 0.97, 1.0, 1.0]}
    assert "loss_task_mismatch" not in codes(learned)
    assert "loss_task_mismatch" not in codes({**raw, "loss": [0.01] * 5})


def test_loss_below_any_cross_entropy_is_a_loss_task_mismatch() -> None:
    # binary_crossentropy over 10 one-hot units: per-unit averaging puts it far under ln 10.
    raw = {"loss": [0.48, 0.26, 0.17, 0.12, 0.1], "accuracy": [0.28, 0.63, 0.82, 0.88, 0.91]}
    assert codes(raw, num_classes=10).get("loss_task_mismatch") is Severity.error
    # The same curve for two classes is an ordinary binary cross-entropy.
    assert "loss_task_mismatch" not in codes(raw, num_classes=2)
    # MSE on class ids: below ln 2 * (1 - accuracy) epoch after epoch.
    mse = {"loss": [2.0, 0.7, 0.4, 0.3, 0.25], "accuracy": [0.24, 0.3, 0.35, 0.4, 0.42]}
    assert codes(mse, num_classes=4).get("loss_task_mismatch") is Severity.error
    honest = {"loss": [1.3, 0.9, 0.7, 0.6, 0.55], "accuracy": [0.4, 0.6, 0.7, 0.75, 0.78]}
    assert "loss_task_mismatch" not in codes(honest, num_classes=4)
    # Three classes: binary cross-entropy's first epoch sits at ln 2, a cross-entropy's at ln 3.
    three = {"loss": [0.70, 0.61, 0.53, 0.46, 0.40], "accuracy": [0.36, 0.55, 0.61, 0.75, 0.8]}
    assert codes(three, num_classes=3).get("loss_task_mismatch") is Severity.error
    assert "loss_task_mismatch" not in codes({**three, "loss": [1.1, 0.9, 0.7, 0.6, 0.5]}, num_classes=3)
    # An epoch of learning pulls binary cross-entropy's start a little above ln 2 (0.76 = 1.1 ln 2);
    # a three-class cross-entropy's first epoch stays far above the midpoint, 1.26 ln 2 = 0.87.
    assert (
        codes({**three, "loss": [0.76, 0.65, 0.56, 0.48, 0.42]}, num_classes=3).get("loss_task_mismatch")
        is Severity.error
    )
    assert "loss_task_mismatch" not in codes({**three, "loss": [0.95, 0.8, 0.7, 0.6, 0.5]}, num_classes=3)


def test_accuracy_near_the_majority_share_is_class_imbalance() -> None:
    # 7 % minority: the baseline loss (the class entropy, 0.254) says so, and an accuracy that
    # creeps from 92.4 to 94 % has removed little of the majority answer's 7 % error.
    epochs = 30
    raw = {
        "loss": np.linspace(0.3, 0.15, epochs).tolist(),
        "accuracy": np.linspace(0.924, 0.945, epochs).tolist(),
        "val_loss": np.linspace(0.3, 0.19, epochs).tolist(),
        "val_accuracy": np.linspace(0.923, 0.94, epochs).tolist(),
    }
    finding = next(
        f
        for f in diagnose(history_from_mapping(raw, {"task": "binary", "baseline_loss": 0.254})).findings
        if f.code == "class_imbalance"
    )
    assert finding.severity is Severity.warning
    assert finding.evidence["majority_share"] == pytest.approx(0.93, abs=0.002)
    assert finding.fix == {"class_weight": "balanced"}
    # A model that removed most of those errors learned the minority too.
    learned = {**raw, "val_accuracy": np.linspace(0.93, 0.985, epochs).tolist()}
    assert "class_imbalance" not in codes(learned, task="binary", baseline_loss=0.254)
    # Balanced classes (entropy ln 2), or no baseline: nothing to compare with.
    assert "class_imbalance" not in codes(raw, task="binary", baseline_loss=0.693)
    assert "class_imbalance" not in codes(raw, task="binary")


@pytest.mark.parametrize("seed", range(20))
def test_majority_share_bounds_hold_the_largest_class(seed: int) -> None:
    from diagnosis.infer import majority_share_bounds

    rng = np.random.default_rng(seed)
    classes = int(rng.integers(2, 12))
    shares = rng.dirichlet(np.full(classes, rng.choice([0.2, 1.0, 5.0])))
    shares = shares[shares > 0]
    entropy = float(-(shares * np.log(shares)).sum())
    low, high = majority_share_bounds(entropy, classes)
    assert low - 1e-9 <= shares.max() <= high + 1e-9
    if classes == 2:
        assert low == pytest.approx(shares.max(), abs=1e-6)
        assert high == pytest.approx(shares.max(), abs=1e-6)


def test_a_frozen_accuracy_no_single_answer_could_score_is_not_at_chance() -> None:
    # Five balanced classes: the validation accuracy sits at 0.996 (one sample wrong) while the
    # loss keeps falling; a model answering one class scores at most a fifth.
    epochs = 20
    raw = {
        "loss": np.geomspace(0.5, 0.006, epochs).tolist(),
        "accuracy": [0.9, *([0.9987] * (epochs - 1))],
        "val_loss": np.geomspace(0.3, 0.025, epochs).tolist(),
        "val_accuracy": [0.976, *([0.996] * (epochs - 1))],
    }
    assert "accuracy_at_chance" not in codes(raw, task="multiclass", num_classes=5, baseline_loss=1.609)
    # Without the class shares a 99.6 % majority cannot be ruled out.
    assert codes(raw, task="multiclass", num_classes=5)["accuracy_at_chance"] is Severity.error
    # 99.6 % of one class (entropy 0.026): the frozen accuracy is the majority answer's.
    assert (
        codes(raw, task="binary", num_classes=2, baseline_loss=0.0258)["accuracy_at_chance"] is Severity.error
    )


def test_an_accuracy_climbing_inside_the_frozen_range_is_not_frozen() -> None:
    # Wild log w978 (a U-Net on ReduceLROnPlateau): over its last 19 epochs the validation
    # accuracy moves 0.0011 in all, up at every step, while its loss keeps falling.
    raw = {
        "loss": [
            0.0560319, 0.0426583, 0.0391477, 0.0397572, 0.0327752, 0.0300134, 0.0292846, 0.028315,
            0.0272399, 0.0268905, 0.0267188, 0.0265483, 0.0263422, 0.0260232, 0.0259751, 0.0259527,
            0.0258978, 0.0258512, 0.0258513, 0.025823, 0.0258057, 0.0257821, 0.0257905, 0.0258018,
        ],
        "accuracy": [
            0.9847438, 0.9869334, 0.9874939, 0.9872701, 0.9886749, 0.9890798, 0.9892411, 0.9894055,
            0.9896327, 0.9897325, 0.9897901, 0.9898474, 0.9899072, 0.9900073, 0.9900111, 0.9900423,
            0.9900523, 0.9900596, 0.9900632, 0.9900749, 0.9900684, 0.9900778, 0.9900812, 0.990077,
        ],
        "val_loss": [
            0.0546364, 0.045329, 0.0452594, 0.0506948, 0.0388205, 0.0365864, 0.0365817, 0.0367525,
            0.0355023, 0.035191, 0.0345929, 0.0346674, 0.0349299, 0.034474, 0.0345661, 0.0345639,
            0.0345201, 0.0345154, 0.0345128, 0.0344962, 0.0345146, 0.0345097, 0.0344911, 0.0344857,
        ],
        "val_accuracy": [
            0.9850144, 0.9858249, 0.9860513, 0.9857941, 0.9868841, 0.9873483, 0.9874445, 0.9876789,
            0.9878762, 0.9879879, 0.9881483, 0.9882591, 0.9883021, 0.9883571, 0.9883757, 0.9883895,
            0.9883986, 0.9884064, 0.9884118, 0.988415, 0.9884169, 0.9884188, 0.9884218, 0.9884245,
        ],
    }  # fmt: skip
    assert "accuracy_at_chance" not in codes(raw)
    # The same level standing still over those epochs is one answer for every sample.
    raw["val_accuracy"][5:] = [0.9884245] * 19
    assert codes(raw)["accuracy_at_chance"] is Severity.error


def test_a_learning_rate_beyond_any_usual_one_that_did_not_learn_is_lr_too_high() -> None:
    # Adam at 5 on a regression: huge first epochs, then a crawl at 68 % of the baseline.
    crawl = {"loss": [1.7e5, 2.9e4, 2.0e3, 48.0, *np.linspace(5.0, 0.68, 26).tolist()]}
    meta = {"task": "regression", "baseline_loss": 1.0, "optimizer": "adam"}
    finding = next(
        f
        for f in diagnose(history_from_mapping(crawl, {**meta, "learning_rate": 5.0})).findings
        if f.code == "lr_too_high"
    )
    assert finding.severity is Severity.warning
    assert finding.fix == {"learning_rate": 0.001}
    # 10x is a suspicion for the causes, not a finding; and a run that learned well at a
    # scaled-up rate (large-batch SGD at 1.0) is left alone.
    assert "lr_too_high" not in codes(crawl, **meta, learning_rate=0.01)
    learned = {"loss": np.geomspace(1.0, 0.05, 30).tolist()}
    assert "lr_too_high" not in codes(
        learned, task="regression", baseline_loss=1.0, optimizer="sgd", learning_rate=1.0
    )


def test_a_hidden_layer_narrower_than_the_classes_need_is_capacity_too_low() -> None:
    # Ten classes through two units: steady but slow, at over half of ln 10 after 30 epochs.
    slow = {"loss": np.geomspace(2.3, 1.24, 30).tolist(), "accuracy": np.linspace(0.1, 0.53, 30).tolist()}
    found = codes(slow, task="multiclass", num_classes=10, hidden_units=[2])
    assert found["capacity_too_low"] is Severity.warning
    # Wide enough (half of K - 1 = 4.5), unknown, or no hidden layer at all: silent.
    for widths in ([64, 5], None, []):
        assert "capacity_too_low" not in codes(slow, task="multiclass", num_classes=10, hidden_units=widths)
    # Narrow, but the run learned anyway: worth knowing, not a warning.
    learned = {"loss": np.geomspace(2.3, 0.2, 30).tolist()}
    assert (
        codes(learned, task="multiclass", num_classes=10, hidden_units=[3])["capacity_too_low"]
        is Severity.info
    )


def test_recall_stuck_at_zero_means_the_positive_class_is_never_predicted() -> None:
    raw = {
        "loss": (0.3 - 0.005 * np.arange(20)).tolist(),
        "accuracy": (0.946 + 0.0008 * np.arange(20)).tolist(),
        "val_recall": [0.0] * 20,
    }
    result = diagnose(history_from_mapping(raw, {"task": "binary"}))
    finding = result.findings[0]
    assert finding.code == "accuracy_at_chance"
    assert finding.evidence["metric"] == "val_recall"
    assert result.verdict.causes[0].code == "class_imbalance"


def test_regression_loss_far_from_unit_scale() -> None:
    raw = {"loss": [16553.0, 16000.0, 15000.0, 14000.0, 13000.0], "mae": [101.0, 100.0, 98.0, 96.0, 94.0]}
    result = diagnose(history_from_mapping(raw))
    # The loss stayed on the scale it started on: the targets' (rules.unscaled_targets).
    assert any(f.code == "unscaled_targets" for f in result.findings)
    assert result.verdict.causes[0].code == "unscaled_targets"
    assert "unexpected_initial_loss" not in codes(
        {"loss": [1.2, 0.9, 0.7, 0.6, 0.5], "mae": [0.9, 0.8, 0.7, 0.6, 0.5]}
    )


def test_early_spikes_and_validation_spikes_count() -> None:
    early = {"loss": [3.6, 0.8, 7.3, 0.4, 0.35, 0.3, 0.28, 0.27]}
    assert (
        2 in next(f for f in diagnose(history_from_mapping(early)).findings if f.code == "loss_spikes").epochs
    )
    val = histories.healthy(20)
    val["val_loss"][9] *= 5
    finding = next(f for f in diagnose(history_from_mapping(val)).findings if f.code == "loss_spikes")
    assert finding.evidence["metric"] == "val_loss"


def test_validation_only_spikes_the_run_left_behind_are_info() -> None:
    run = histories.healthy(40)
    for epoch in (8, 17, 26):
        run["val_loss"][epoch] *= 4
    finding = next(f for f in diagnose(history_from_mapping(run)).findings if f.code == "loss_spikes")
    assert finding.evidence["validation_only"]
    assert finding.severity is Severity.info
    # The same spikes in the training loss too: the updates blew up, a warning.
    for epoch in (8, 17, 26):
        run["loss"][epoch] *= 4
    assert codes(run).get("loss_spikes") is Severity.warning


def test_validation_spikes_apart_from_one_training_spike_the_run_left_behind_are_info() -> None:
    run = histories.healthy(40)
    run["loss"][3] *= 4  # one training spike, left behind
    for epoch in (12, 21, 30):  # validation spikes in epochs the training loss took in stride
        run["val_loss"][epoch] *= 4
    finding = next(f for f in diagnose(history_from_mapping(run)).findings if f.code == "loss_spikes")
    assert not finding.evidence["validation_only"]
    assert finding.severity is Severity.info
    # The validation loss spiking in the same epochs as a second training spike: a warning.
    run["loss"][21] *= 4
    assert codes(run).get("loss_spikes") is Severity.warning


def test_a_run_ending_within_the_recovery_tolerance_of_its_best_left_the_spike_behind() -> None:
    # A noisy validation loss with one lucky epoch (0.30) before its spike: the run ended well
    # (validation accuracy 0.86) at its usual level (0.35), within RECOVERED of that epoch though
    # not under it, and the training loss never spiked.
    loss = (0.3 + 0.5 * np.exp(-np.arange(20) / 5)).tolist()
    val = [0.85, 0.6, 0.42, 0.30, 0.40, 0.44, 0.38, 0.41, 0.39, 0.40]
    val += [0.38, 0.41, 0.39, 0.37, 0.40, 0.38, 0.36, 0.39, 0.37, 0.35]
    val[5] = 0.65
    accuracy = np.linspace(0.6, 0.88, 20).tolist()
    raw = {"loss": loss, "val_loss": val, "accuracy": accuracy, "val_accuracy": accuracy}
    finding = next(f for f in diagnose(history_from_mapping(raw)).findings if f.code == "loss_spikes")
    assert finding.evidence["spike_epochs"] == [5]
    assert finding.severity is Severity.info
    # The same curve in a run with nothing to show it ended well gets no tolerance.
    assert codes({"loss": loss, "val_loss": val}).get("loss_spikes") is Severity.warning
    # Ending half as high again as that epoch is a spike the run did not leave behind: a warning.
    raw["val_loss"] = [*val[:-3], 0.44, 0.46, 0.45]
    assert codes(raw).get("loss_spikes") is Severity.warning


def test_a_first_epoch_whose_validation_ended_it_below_ln_2_was_back_in_range() -> None:
    # Wild log w1233: a first epoch at 1.90 (above ln 2) that the training loss then fell from
    # to 8e-6, 236,000x, memorizing a small set; validation at the end of that first epoch was
    # 0.559, under what a classifier that learned nothing scores, at accuracy 0.85, and the run
    # ended at 0.99. Not "3x what training fell to next" (a training loss near zero sets no
    # range), but in range all the same: no blow-up to speak of.
    raw = {
        "loss": [1.9007, 0.2237, 8.1089e-06, 8.0525e-06],
        "accuracy": [0.5465, 0.9438, 1.0, 1.0],
        "val_loss": [0.5589, 0.1225, 0.0216, 0.0211],
        "val_accuracy": [0.8478, 0.9678, 0.9937, 0.9937],
    }
    assert codes(raw).get("loss_spikes") in (None, Severity.info)
    # Validation still above ln 2 at the end of the first epoch: the weights were out of range.
    assert codes({**raw, "val_loss": [5.0, 0.1225, 0.0216, 0.0211]}).get("loss_spikes") is Severity.warning
    # Without an accuracy nothing says what a model that learned nothing scores: no such reading.
    losses = {"loss": raw["loss"], "val_loss": raw["val_loss"]}
    assert codes(losses).get("loss_spikes") is Severity.warning


def test_a_first_epoch_below_ln_2_is_no_blowup_however_far_the_run_fell() -> None:
    accuracy = [0.9, 0.99, 0.999, 0.9995, 0.9996, 0.9997]
    fast = {"loss": [0.34, 0.01, 0.001, 0.0003, 0.0003, 0.0002], "accuracy": accuracy}
    assert "loss_spikes" not in codes(fast)
    blown = {"loss": [40.0, 0.3, 0.2, 0.15, 0.12, 0.1], "accuracy": accuracy}
    assert codes(blown).get("loss_spikes") is Severity.warning


def test_a_regression_first_epoch_below_unit_scale_is_no_blowup() -> None:
    # Wild log w943 (a one-step temperature forecast, MSE with an MAE metric): 0.688 is what a
    # fresh network scores on unit-scale targets, and the run learned fast from there.
    fast = {
        "loss": [0.688, 0.0204, 0.0054, 0.0051, 0.0050, 0.0051],
        "mean_absolute_error": [0.5809, 0.0966, 0.0424, 0.0399, 0.0398, 0.0398],
        "val_loss": [0.0796, 0.0039, 0.0030, 0.0029, 0.0029, 0.0029],
        "val_mean_absolute_error": [0.2212, 0.0471, 0.0403, 0.0399, 0.0400, 0.0401],
    }
    assert "loss_spikes" not in codes(fast)
    # The same fall from a first epoch of 700, far above a fresh network's loss, blew up.
    blown = {**fast, "loss": [700.0, *fast["loss"][1:]]}
    assert codes(blown).get("loss_spikes") is Severity.warning


def test_a_small_rise_after_early_stopping_patience_is_not_overfitting() -> None:
    loss = (0.03 + 1.8 * np.exp(-np.arange(20) / 3)).tolist()
    val = [
        1.06,
        0.43,
        0.24,
        0.17,
        0.15,
        0.12,
        0.11,
        0.1,
        0.095,
        0.09,
        0.088,
        0.085,
        0.083,
        0.082,
        0.08,
        0.083,
        0.092,
        0.09,
        0.089,
        0.088,
    ]
    assert "overfitting" not in codes({"loss": loss, "val_loss": val})


def test_a_rise_from_a_lucky_best_within_the_validation_noise_is_not_memorizing() -> None:
    # Wild log w187 (a Lightning forecaster): validation wobbles 0.025-0.12 about a falling
    # trend; its best, 0.0249, is one epoch between 0.085 and 0.043, and it ends at 0.038.
    raw = {
        "loss": [
            0.4743, 0.0653, 0.0432, 0.0334, 0.0346, 0.0283, 0.0283, 0.024, 0.0249, 0.0239, 0.0237,
            0.0211, 0.0191, 0.0216, 0.0165, 0.0174, 0.0162,
        ],
        "val_loss": [
            0.0718, 0.2001, 0.0503, 0.0495, 0.0353, 0.0503, 0.1195, 0.0287, 0.0847, 0.0249, 0.043,
            0.0325, 0.0723, 0.0421, 0.0374, 0.0356, 0.0384,
        ],
    }  # fmt: skip
    assert codes(raw).get("overfitting") in (None, Severity.info)
    # The same run with validation that climbs well past its wobble from there memorizes.
    raw["val_loss"][-4:] = [0.06, 0.07, 0.08, 0.09]
    assert codes(raw).get("overfitting") is Severity.warning


def test_validation_accuracy_far_above_training_accuracy() -> None:
    raw = histories.healthy(20)
    raw["accuracy"] = [0.38] * 20
    raw["val_accuracy"] = [0.75] * 20
    assert codes(raw).get("val_better_than_train") is Severity.warning
    # Logged in percent, one point ahead is 0.01 of the samples, not 1.0.
    percent = {**raw, "accuracy": [38.0] * 20, "val_accuracy": [39.0] * 20}
    assert codes(percent).get("val_better_than_train") in (None, Severity.info)
    assert codes({**percent, "val_accuracy": [75.0] * 20}).get("val_better_than_train") is Severity.warning


def test_validation_evaluated_on_a_cadence_is_judged_on_its_evaluated_epochs() -> None:
    # Wild log w207 (a Whisper fine-tune read per epoch): evaluated at epochs 2, 4, 7, 9 and 12
    # only, validation climbs at every evaluation while the training loss goes to zero.
    nan = float("nan")
    raw = {
        "loss": [
            0.419, 0.1774, 0.09038, 0.04726, 0.02555, 0.01294, 0.006181, 0.002869, 0.001135,
            0.0005188, 0.0003529, 0.00025, 0.000225,
        ],
        "val_loss": [
            nan, nan, 0.3075, nan, 0.3558, nan, nan, 0.4214, nan, 0.4519, nan, nan, 0.4679,
        ],
    }  # fmt: skip
    found = next(f for f in diagnose(history_from_mapping(raw)).findings if f.code == "overfitting")
    assert found.severity is Severity.warning
    # The onset and the epochs saved are the run's epochs, not positions among evaluations.
    assert found.evidence["onset_epoch"] == 2
    assert found.fix["epochs_saved"] == 10
    assert found.evidence["evaluated_epochs"] == [2, 4, 7, 9, 12]
    # Evaluations that improve at every step are no overfitting, gaps or not.
    raw["val_loss"] = [nan, nan, 0.4679, nan, 0.4519, nan, nan, 0.4214, nan, 0.3558, nan, nan, 0.3075]
    assert codes(raw).get("overfitting") in (None, Severity.info)
    # Too few evaluations to see a best one and a rise after it: nothing to judge.
    raw["val_loss"] = [nan] * 10 + [0.3075, 0.3558, 0.4214]
    assert codes(raw).get("overfitting") in (None, Severity.info)


def test_a_training_loss_still_climbing_at_the_last_epoch_is_judged_where_it_ended() -> None:
    # Wild log w796 (an audio CNN): the training loss climbs 0.851 -> 0.866 -> 0.936 -> 1.001 over
    # the last three epochs, 18 % above where the climb began; the median of those three is 10 %.
    raw = {
        "loss": [2.111, 1.174, 0.9674, 0.8968, 0.8815, 0.8513, 0.8655, 0.9355, 1.001],
        "val_loss": [0.942, 0.5909, 0.5832, 0.5151, 0.5381, 0.4639, 0.493, 0.5676, 0.5819],
    }
    found = next(f for f in diagnose(history_from_mapping(raw)).findings if f.code == "loss_diverging")
    assert found.severity is Severity.warning
    assert "rose 3 epochs in a row from epoch 5" in found.summary
    # The same climb that the run came back down from is judged on its final epochs' median:
    # one high epoch inside the tail does not decide it.
    raw["loss"] = [*raw["loss"][:-1], 1.001, 0.93, 0.89]
    raw["val_loss"] = [*raw["val_loss"], 0.58, 0.58]
    assert codes(raw).get("loss_diverging") in (None, Severity.info)


def test_a_climb_from_a_best_among_the_final_epochs_is_drifting_off() -> None:
    # Wild log w1006's shape (train only): converged to 0.08 by epoch 14 of 20, then 0.100, 0.282,
    # 0.420 and back only to 0.193: the best is among the final epochs, yet no longer improving.
    loss = [0.54, 0.37, 0.40, 0.38, 0.35, 0.29, 0.13, 0.095, 0.089, 0.094, 0.091, 0.087, 0.086, 0.079]
    raw = {"loss": [*loss, 0.100, 0.282, 0.420, 0.394, 0.307, 0.193]}
    assert codes(raw).get("loss_diverging") is Severity.warning
    # A converged loss's noise after a long descent gives back a fiftieth of it (under
    # LATE_CLIMB_GIVEBACK): a best among the final epochs is still improving.
    descent = [3.3, 2.0, 1.2, 0.8, 0.5, 0.3, 0.2, 0.15, 0.13, 0.12, 0.115, 0.112, 0.11, 0.108, 0.107]
    noisy = [*descent, 0.106, 0.1035, 0.1138, 0.1376, 0.1723]
    assert LATE_CLIMB_GIVEBACK > (0.1723 - 0.1035) / (3.3 - 0.1035)
    assert "loss_diverging" not in codes({"loss": noisy})


def test_a_climb_out_of_a_trough_of_single_batch_losses_is_their_scatter() -> None:
    # Wild log w1772's shape (MiniTorch prints one mini-batch's loss every 10 epochs): a falling
    # level under a batch's scatter, ending 1.6, 0.08, 0.77, 1.2, 1.9. The climb ends far above
    # the trough it started from, but by less than NOISE_MULTIPLE times the curve's scatter.
    rng = np.random.default_rng(7)
    level = 0.6 + 5 * np.exp(-np.arange(45) / 12)
    noisy = np.array([*(level * rng.uniform(0.1, 1.9, 45)), 1.6, 0.08, 0.77, 1.2, 1.9])
    before = float(np.median(noisy[-5:-2]))
    noise = relative_noise(noisy)
    assert noisy[-1] >= (1 + NOISE_MULTIPLE * noise) * before  # relative to the trough: a climb
    assert noisy[-1] - before < NOISE_MULTIPLE * noise * np.median(np.abs(noisy))
    assert codes({"loss": noisy.tolist()}).get("loss_diverging") in (None, Severity.info)
    # The same climb after a smooth descent is no scatter: the optimizer makes it worse.
    smooth = [*level, 0.62, 0.61, 0.8, 1.2, 1.9]
    assert codes({"loss": smooth}).get("loss_diverging") is Severity.warning


def test_a_zero_printed_before_training_is_no_starting_value() -> None:
    # Wild logs w1766/w1767 (MiniTorch): `Epoch: 0/1000, loss: 0, correct: 0` before any step,
    # then 36.9 falling at every line to 7.0. Measured from that 0 the loss "rose above its
    # starting value"; measured from its first trained epoch it fell by four fifths.
    trained = (7.0 + 29.9 * np.exp(-np.arange(100) / 40)).tolist()
    assert "loss_diverging" not in codes({"loss": trained})
    assert "loss_diverging" not in codes({"loss": [0.0, *trained]})
    # A curve that climbs from its first trained epoch still diverges, placeholder or not, and
    # is named by the epochs the run counts.
    climbing = [1.0, 1.0, 1.05, 1.2, 1.5, 1.9, 2.4, 3.0]
    found = next(
        f
        for f in diagnose(history_from_mapping({"loss": [0.0, *climbing]})).findings
        if f.code == "loss_diverging"
    )
    assert found.severity is Severity.error
    assert found.epochs == [1]
    assert found.evidence["best_epoch"] == 1
    # A first loss of 0 that later ones sit at too is a loss at zero, not a placeholder.
    assert first_trained(np.array([0.0, 0.0, 0.3])) == 0
    assert first_trained(np.array([0.0, 36.9, 36.3])) == 1


def test_a_negative_first_validation_cross_entropy_is_labels_the_loss_cannot_take() -> None:
    # Wild log w273: a sigmoid under binary_crossentropy validated on rows labelled 0, 1, 2, 2;
    # the training labels fit (its loss is positive), the validation loss starts below zero.
    raw = {
        "loss": [4.902, 3.857, 2.842, 1.859, 1.056, 0.6096, 0.5664, 0.5879, 0.6054, 0.6115],
        "accuracy": [0.2157, 0.2157, 0.2157, 0.2255, 0.2745, 0.7745, 0.7843, 0.7843, 0.7843, 0.7843],
        "val_loss": [-0.1062, -0.0208, 0.0659, 0.1557, 0.2396, 0.3087, 0.3581, 0.3858, 0.3994, 0.4073],
        "val_accuracy": [0.25] * 10,
    }
    result = diagnose(history_from_mapping(raw))
    found = next(f for f in result.findings if f.code == "unexpected_initial_loss")
    assert found.severity is Severity.error
    assert "validation cross-entropy is negative" in found.summary
    assert "label_format_mismatch" in [c.code for c in result.verdict.causes]
    # The same validation loss above zero from its first epoch is no such sign.
    raw["val_loss"] = [v + 0.2 for v in raw["val_loss"]]
    assert codes(raw).get("unexpected_initial_loss") is not Severity.error


def test_validation_levelled_off_early_under_a_training_loss_far_below_it_is_overfitting() -> None:
    # After wild log w328 (an MLP regressor): validation reaches its level by epoch 10 and
    # wanders there, never rising 10 % above its best, while the training loss falls on to a
    # hundredth of it.
    epochs = 60
    rng = np.random.default_rng(3)
    val = np.concatenate([np.geomspace(380.0, 118.0, 10), 112.0 + 8.0 * rng.random(epochs - 10)])
    train = np.geomspace(4000.0, 0.3, epochs)
    raw = {"loss": train.tolist(), "val_loss": val.tolist()}
    found = next(f for f in diagnose(history_from_mapping(raw)).findings if f.code == "overfitting")
    assert found.severity is Severity.warning
    assert "levelled off" in found.summary
    assert found.evidence["onset_epoch"] <= 0.45 * epochs
    # The training loss ending only a few times under validation's level is no such gap.
    raw["loss"] = np.geomspace(4000.0, 40.0, epochs).tolist()
    assert codes(raw).get("overfitting") in (None, Severity.info)
    # A classifier whose validation accuracy ended well levelled off where its answers carry
    # over: the training loss far under it is confidence on samples it already gets right.
    classifier = {
        "loss": np.geomspace(1.4, 0.003, 40).tolist(),
        "val_loss": [*np.geomspace(0.69, 0.135, 10).tolist(), *([0.137] * 30)],
        "accuracy": [*np.linspace(0.65, 1.0, 10).tolist(), *([1.0] * 30)],
        "val_accuracy": [*np.linspace(0.85, 0.97, 10).tolist(), *([0.97] * 30)],
    }
    assert codes(classifier).get("overfitting") in (None, Severity.info)


def test_a_training_loss_on_another_scale_than_validations_is_no_confident_start() -> None:
    # After wild log w383 (a graph classifier logging batch sums): the training loss falls
    # 89.9 -> 40.4, validation's 11.4 -> 5.4, both accuracies 0.57 -> 0.87.
    epochs = 20
    accuracy = np.linspace(0.57, 0.87, epochs).tolist()
    raw = {
        "loss": np.geomspace(89.9, 40.4, epochs).tolist(),
        "accuracy": accuracy,
        "val_loss": np.geomspace(11.4, 5.4, epochs).tolist(),
        "val_accuracy": accuracy,
    }
    findings = diagnose(history_from_mapping(raw)).findings
    found = next(f for f in findings if f.code == "unexpected_initial_loss")
    assert found.severity is Severity.info
    assert "another scale" in found.summary
    # A mean cross-entropy that high (logits in the thousands from unscaled inputs) is as high on
    # validation: the start was confidently wrong.
    raw["val_loss"] = np.geomspace(95.0, 45.0, epochs).tolist()
    assert codes(raw).get("unexpected_initial_loss") is Severity.warning
    # The same gap where validation gets far more samples right is no scale: still a warning.
    raw["val_loss"] = np.geomspace(11.4, 5.4, epochs).tolist()
    raw["accuracy"] = np.linspace(0.3, 0.6, epochs).tolist()
    assert codes(raw).get("unexpected_initial_loss") is Severity.warning


def test_validation_logged_by_its_accuracy_alone_is_judged_on_its_error_rate() -> None:
    # After wild log w398: 70 validation images, no validation loss; the accuracy jumps between
    # epochs while the training loss falls smoothly.
    val_accuracy = [0.33, 0.4, 0.34, 0.73, 0.69, 0.81, 0.83, 0.44, 0.47, 0.77, 0.51, 0.87, 0.7, 0.77]
    val_accuracy += [0.6, 0.44, 0.89, 0.99, 1.0, 0.97, 0.8, 0.93, 0.97, 0.99, 0.93, 1.0, 1.0, 1.0]
    epochs = len(val_accuracy)
    raw = {"loss": np.geomspace(1.06, 0.59, epochs).tolist(), "val_accuracy": val_accuracy}
    found = next(f for f in diagnose(history_from_mapping(raw)).findings if f.code == "val_noisy")
    assert found.severity is Severity.warning
    assert found.evidence["metric"] == "val_accuracy"
    # A validation accuracy that climbs smoothly is a measurement to trust.
    raw["val_accuracy"] = np.linspace(0.33, 0.95, epochs).tolist()
    assert "val_noisy" not in codes(raw)
    # In percent, the same swings are the same noise.
    raw["val_accuracy"] = [100 * a for a in val_accuracy]
    assert codes(raw).get("val_noisy") is Severity.warning


# Wild log w2373 (an image classifier, Keras CSVLogger): validation's best at epoch 9 of 20,
# then 0.11-0.38, while the training loss wobbles near zero (0.026 at the best, 0.01-0.05 after).
SPIKY_TRAIN = [0.3921, 0.1633, 0.1401, 0.0926, 0.0682, 0.0598, 0.0431, 0.0358, 0.0501, 0.0261]
SPIKY_TRAIN += [0.0112, 0.0437, 0.0161, 0.0227, 0.0181, 0.0435, 0.0099, 0.05, 0.0253, 0.0313]
SPIKY_VAL = [0.2719, 0.215, 0.1366, 0.129, 0.1251, 0.1249, 0.1474, 0.1237, 0.1327, 0.0971]
SPIKY_VAL += [0.1557, 0.1358, 0.1354, 0.1132, 0.1957, 0.1198, 0.132, 0.3756, 0.1796, 0.1536]


def test_validation_worse_for_half_the_run_under_a_training_loss_far_below_is_overfitting() -> None:
    raw = {"loss": SPIKY_TRAIN, "val_loss": SPIKY_VAL}
    found = next(f for f in diagnose(history_from_mapping(raw)).findings if f.code == "overfitting")
    assert found.severity is Severity.warning
    assert found.evidence["onset_epoch"] == 9
    assert found.evidence["gap_growth"] >= overfitting.WIDENING_GROWTH
    # The training loss climbing with validation (a run going bad on both) is not memorizing.
    rising = [t if i <= 9 else t + 0.06 for i, t in enumerate(SPIKY_TRAIN)]
    assert "overfitting" not in codes({"loss": rising, "val_loss": SPIKY_VAL})
    # The same best with only a patience window after it (epoch 16 of 20) is no such stretch.
    late = [*SPIKY_VAL[:9], *[v + 0.05 for v in SPIKY_VAL[9:16]], 0.0971, 0.112, 0.118, 0.115]
    assert "overfitting" not in codes({"loss": SPIKY_TRAIN, "val_loss": late})
