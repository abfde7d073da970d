"""What the engine reads from the curves when the caller sends no metadata at all (a pasted
console log or CSV): the tells in metric names, loss values and accuracy steps, and the rules
that use them."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diagnosis import Severity, diagnose, judgeable
from diagnosis.history import history_from_mapping
from diagnosis.infer import count_samples
from diagnosis.judgeable import why_inconclusive
from diagnosis.models import VerdictStatus
from diagnosis.rules import loss_plateau, overfitting


def codes(raw: dict, **metadata: object) -> dict[str, Severity]:
    return {f.code: f.severity for f in diagnose(history_from_mapping(raw, metadata)).findings}


def test_a_loss_equal_to_ln_k_to_four_digits_tells_k_and_a_stuck_model() -> None:
    # Learns for three epochs, then collapses onto uniform outputs over ten classes (2.3026).
    raw = {
        "loss": [2.1, 1.6, 1.3, 1.9, 2.3026, 2.3026, 2.3025, 2.3026, 2.3026, 2.3026],
        "accuracy": [0.3, 0.45, 0.55, 0.3, 0.1, 0.099, 0.1, 0.101, 0.1, 0.1],
    }
    run = history_from_mapping(raw)
    assert run.facts.num_classes == 10
    assert run.facts.classes_from == "loss equal to ln K"
    assert run.facts.uniform_epochs == (4, 5, 6, 7, 8, 9)
    found = codes(raw)
    assert found.get("loss_plateau") is Severity.warning
    assert found.get("accuracy_at_chance") is Severity.error
    # Near ln 10 but not equal to it to four digits: no claim about K from these epochs.
    near = {**raw, "loss": [2.1, 1.6, 1.3, 1.9, 2.29, 2.31, 2.28, 2.32, 2.27, 2.3]}
    assert history_from_mapping(near).facts.uniform_epochs == ()
    # A loss that wanders past ln K, entering its four-digit window now and then, is not held
    # there: a WTTE log-likelihood crawling near ln 27 = 3.2958 hit 3.296 in 3 of 14 epochs.
    wandering = [3.3015, 3.2989, 3.2961, 3.3029, 3.2975, 3.2955, 3.2927, 3.2912, 3.2894, 3.2884]
    wandering += [3.2880, 3.2915, 3.2887, 3.2860, 3.2852, 3.2954, 3.2907, 3.2854, 3.2840, 3.2835]
    facts = history_from_mapping({"loss": wandering}).facts
    assert (facts.num_classes, facts.uniform_epochs) == (None, ())


def test_a_run_that_only_passes_ln_2_on_the_way_down_is_not_stuck() -> None:
    loss = [0.6932, 0.6931, 0.6931, 0.6, 0.45, 0.33, 0.25, 0.2, 0.17, 0.15]
    raw = {"loss": loss, "accuracy": [0.5, 0.52, 0.55, 0.7, 0.8, 0.86, 0.9, 0.92, 0.93, 0.94]}
    assert history_from_mapping(raw).facts.num_classes == 2
    assert "loss_plateau" not in codes(raw)


@pytest.mark.parametrize("n", [17, 40, 112, 750])
def test_accuracy_steps_of_1_over_n_count_the_samples(n: int) -> None:
    rng = np.random.default_rng(n)
    correct = np.sort(rng.choice(np.arange(1, n), size=min(n - 1, 20), replace=False))
    assert count_samples(np.round(correct / n, 4)) == n
    # Too few distinct values to rule out a smaller n by chance.
    assert count_samples(np.round(correct[:3] / n, 4)) is None


def test_a_tiny_training_set_counted_from_the_accuracy_is_insufficient_data() -> None:
    epochs = 20
    correct = np.minimum(np.arange(epochs) + 10, 30)
    raw = {
        "loss": np.geomspace(0.7, 0.01, epochs).tolist(),
        "accuracy": (correct / 30).round(4).tolist(),
        "val_loss": np.linspace(0.6, 1.2, epochs).tolist(),
    }
    run = history_from_mapping(raw)
    assert run.facts.train_samples == 30
    assert "accuracy" in (run.facts.train_samples_from or "")
    finding = next(f for f in diagnose(run).findings if f.code == "insufficient_data")
    assert finding.severity is Severity.warning
    assert finding.evidence["num_samples"] == 30
    # Metadata wins: the caller's count is the one used.
    assert "insufficient_data" not in codes(raw, num_samples=5000)
    # A progress bar of 857 steps per epoch: each step drew a sample at least, so steps of 1/30
    # are one batch's accuracy (the last batch's, as some progress bars show), not the set's.
    batched = history_from_mapping(raw, {"steps_per_epoch": 857})
    assert batched.facts.train_samples is None
    assert "insufficient_data" not in {f.code for f in diagnose(batched).findings}


def test_an_accuracy_held_while_the_loss_moves_is_one_answer_for_all_the_majority_share() -> None:
    epochs = 30
    accuracy = [0.6, 0.8471, 0.8471, 0.8471, 0.8471, *np.linspace(0.848, 0.87, epochs - 5).round(4).tolist()]
    val_accuracy = [
        0.8,
        0.8453,
        0.8453,
        0.8453,
        0.8453,
        *np.linspace(0.846, 0.862, epochs - 5).round(4).tolist(),
    ]
    raw = {
        "loss": np.geomspace(1.3, 0.3, epochs).tolist(),
        "accuracy": accuracy,
        "val_loss": np.geomspace(1.0, 0.5, epochs).tolist(),
        "val_accuracy": val_accuracy,
    }
    run = history_from_mapping(raw)
    assert run.facts.single_answer_share == pytest.approx(0.8471)
    finding = next(f for f in diagnose(run).findings if f.code == "class_imbalance")
    assert finding.severity is Severity.warning
    assert finding.evidence["majority_from"] == "single_answer_accuracy"
    # A model that then learns the minority beats that share by far: not imbalance.
    learned = {**raw, "val_accuracy": val_accuracy[:5] + np.linspace(0.85, 0.98, epochs - 5).tolist()}
    assert "class_imbalance" not in codes(learned)
    # Validation accuracy that moves in those epochs: the answers change, no single answer.
    moving = {**raw, "val_accuracy": [0.8, 0.84, 0.85, 0.845, 0.85, *val_accuracy[5:]]}
    assert history_from_mapping(moving).facts.single_answer_share is None


def test_a_loss_under_any_cross_entropy_is_a_mismatch_without_knowing_k() -> None:
    # MSE on class ids: 0.05 at 72 % accuracy, under ln 2 * 0.28 = 0.19 for any K. The accuracy
    # is a share of 133 samples, so the run is a classifier.
    correct = [63, 68, 75, 81, 86, 90, 93, 94, 95, 96]
    mse = {
        "loss": [1.3, 0.9, 0.6, 0.4, 0.2, 0.1, 0.07, 0.06, 0.055, 0.05],
        "accuracy": [round(c / 133, 4) for c in correct],
    }
    assert history_from_mapping(mse).facts.train_samples == 133
    assert codes(mse).get("loss_task_mismatch") is Severity.error
    # A binary cross-entropy at the same accuracies sits above the bound.
    honest = {**mse, "loss": [0.69, 0.68, 0.66, 0.64, 0.62, 0.6, 0.59, 0.58, 0.575, 0.57]}
    assert "loss_task_mismatch" not in codes(honest)
    # A regression that logs `accuracy` (a per-pixel match, not a share of samples) has an MSE on
    # its own scale: nothing says it is a classifier.
    pixels = {
        **mse,
        "accuracy": [
            0.6382821798,
            0.654721200,
            0.6632048487,
            0.6682671904,
            0.6713,
            0.67591234,
            0.679912345,
            0.6812345678,
            0.6823456789,
            0.6834567891,
        ],
    }
    assert "loss_task_mismatch" not in codes(pixels)


def test_a_first_loss_too_high_for_any_plausible_k_is_unexpected() -> None:
    raw = {"loss": [603.0, 325.0, 247.0, 189.0, 153.0], "accuracy": [0.11, 0.16, 0.22, 0.27, 0.31]}
    finding = next(
        f for f in diagnose(history_from_mapping(raw)).findings if f.code == "unexpected_initial_loss"
    )
    assert finding.severity is Severity.warning
    assert finding.evidence["expected_near"] == pytest.approx(math.log(1000), rel=1e-4)
    # 6.7 could be a far-off start for ten classes, or an ordinary one for a thousand.
    assert "unexpected_initial_loss" not in codes({**raw, "loss": [6.7, 4.7, 3.4, 2.7, 2.1]})


def test_metric_names_tell_the_task() -> None:
    binary = history_from_mapping({"loss": [0.5, 0.4, 0.3], "binary_accuracy": [0.7, 0.8, 0.85]}).facts
    assert (binary.task, binary.num_classes, binary.classes_from) == ("binary", 2, "binary_accuracy")
    multi = history_from_mapping({"loss": [0.5, 0.4, 0.3], "sparse_categorical_accuracy": [0.7, 0.8, 0.85]})
    assert multi.facts.task == "multiclass"
    assert history_from_mapping({"loss": [0.5, 0.4, 0.3], "mae": [0.6, 0.5, 0.4]}).facts.task == "regression"


def test_values_exactly_on_a_grid_finer_than_their_decimals_count_exactly() -> None:
    # 25 samples: every accuracy k/25 is written with two decimals (0.44, 0.52, ...).
    values = np.array([11, 13, 16, 17, 20, 21, 22, 23]) / 25
    assert count_samples(values) == 25


def test_a_loss_that_stopped_after_its_first_epochs_while_high_is_a_plateau() -> None:
    # A sigmoid stack: the output bias learns the targets' mean in two epochs, then nothing.
    loss = [1.25, 1.08, 1.004, *np.linspace(1.003, 1.001, 17).tolist()]
    raw = {"loss": loss, "mae": [v * 0.8 for v in loss]}
    assert codes(raw).get("loss_plateau") is Severity.warning
    # Fell far in its first epochs, then converged low: finished, not stuck.
    converged = {"loss": [1.0, 0.3, 0.1, *([0.098] * 17)]}
    assert "loss_plateau" not in codes(converged)


def test_validation_that_never_improved_while_training_stays_above_it_is_a_plateau() -> None:
    # Dropout 0.95: the training loss falls from far above validation's towards it; validation
    # itself never moves.
    raw = {
        "loss": np.geomspace(13.6, 1.18, 30).tolist(),
        "val_loss": (1.2 - 0.05 * (1 - np.exp(-np.arange(30) / 5))).tolist(),
    }
    finding = next(f for f in diagnose(history_from_mapping(raw)).findings if f.code == "loss_plateau")
    assert finding.evidence["metric"] == "val_loss"
    # Learned everything in the first epoch: training ends below validation, not a plateau.
    learned = {**raw, "loss": np.geomspace(0.4, 0.02, 30).tolist()}
    assert "loss_plateau" not in codes(learned)


def test_a_first_loss_of_thousands_is_unexpected_whatever_the_task() -> None:
    raw = {"loss": [29006.0, 0.52, 0.51, 0.515, 0.507], "val_loss": [0.5, 0.51, 0.69, 0.5, 0.5]}
    assert codes(raw).get("unexpected_initial_loss") is Severity.warning


def test_a_regression_gap_is_held_against_its_first_epoch_without_a_baseline() -> None:
    # Twenty samples: the training loss goes to 5e-4 while validation stays at 0.75 of the start.
    epochs = 30
    raw = {
        "loss": np.geomspace(1.0, 5e-4, epochs).tolist(),
        "mae": np.geomspace(0.87, 0.02, epochs).tolist(),
        "val_loss": (0.76 + 0.25 * np.exp(-np.arange(epochs))).tolist(),
        "val_mae": (0.72 + 0.13 * np.exp(-np.arange(epochs))).tolist(),
    }
    finding = next(f for f in diagnose(history_from_mapping(raw)).findings if f.code == "overfitting")
    assert finding.evidence["baseline_from"] == "first epoch's training loss"
    # Validation that fell to a tenth of the start generalizes: no gap.
    fine = {**raw, "val_loss": np.geomspace(0.9, 0.1, epochs).tolist()}
    assert "overfitting" not in codes(fine)


def test_a_model_whose_every_head_logs_an_accuracy_is_a_classifier() -> None:
    # Wild log w992: a two-headed digit model, train only, the total loss beside each head's loss
    # and accuracy; 2.08 -> 0.275 fell less than FELL_TO asks of a loss of unknown task.
    heads = {
        "loss": [2.082, 0.6663, 0.4358, 0.3363, 0.2753],
        "first_num_loss": [1.0, 0.303, 0.1922, 0.1462, 0.1147],
        "second_num_loss": [1.006, 0.3055, 0.1907, 0.1399, 0.1118],
        "first_num_accuracy": [0.641, 0.8992, 0.9373, 0.9522, 0.9629],
        "second_num_accuracy": [0.6352, 0.8967, 0.9375, 0.9543, 0.9626],
    }
    run = history_from_mapping(heads)
    assert run.facts.task in {"classification", "binary", "multiclass"}
    assert why_inconclusive(run) is None
    # A regression head beside a classification head: the total adds an MSE to a cross-entropy,
    # and the task stays unknown.
    mixed = {name.replace("second_num", "power"): values for name, values in heads.items()}
    mixed["power_mae"] = mixed.pop("power_accuracy")
    assert history_from_mapping(mixed).facts.task is None


def test_what_the_curves_cannot_judge_is_said_not_called_healthy() -> None:
    one = history_from_mapping({"loss": [0.7], "accuracy": [0.6]})
    assert why_inconclusive(one) is not None
    assert "one epoch" in (why_inconclusive(one) or "")
    assert "two epochs" in (why_inconclusive(history_from_mapping({"loss": [0.7, 0.6]})) or "")
    # A regression with no yardstick and no validation: nothing says whether 0.4 is high.
    regression = {"loss": np.geomspace(1.0, 0.4, 20).tolist(), "mae": np.geomspace(0.8, 0.5, 20).tolist()}
    reason = why_inconclusive(history_from_mapping(regression))
    assert reason is not None
    assert "baseline_loss" in reason
    # Either a yardstick or validation data is enough.
    assert why_inconclusive(history_from_mapping(regression, {"baseline_loss": 1.0})) is None
    # A loss that fell to under a fifth of its first epoch's is its own yardstick; the median of
    # the last epochs decides, so one lucky last step does not.
    fell = {"loss": np.geomspace(1.0, 0.15, 20).tolist()}
    assert why_inconclusive(history_from_mapping(fell)) is None
    lucky = {"loss": [*np.geomspace(1.0, 0.3, 19).tolist(), 0.15]}
    assert why_inconclusive(history_from_mapping(lucky)) is not None
    # A 0 printed before any training step (MiniTorch's `loss: 0, correct: 0`, wild log w1766)
    # is no first epoch: the loss fell from its first trained epoch, as `fell` did.
    assert why_inconclusive(history_from_mapping({"loss": [0.0, *fell["loss"]]})) is None
    # A model that learned only the targets' mean falls far in its first epochs, then stops.
    mean_only = {"loss": [26.0, 2.0, 1.02, *np.linspace(1.01, 0.99, 17).tolist()]}
    assert why_inconclusive(history_from_mapping(mean_only)) is not None
    with_val = {**regression, "val_loss": np.geomspace(1.0, 0.45, 20).tolist()}
    assert why_inconclusive(history_from_mapping(with_val)) is None
    # A detector's mean average precision that ended high is a yardstick; one near 0 is not.
    detector = {"loss": np.geomspace(0.58, 0.21, 20).tolist(), "mAP_75": np.linspace(0.4, 0.89, 20).tolist()}
    assert why_inconclusive(history_from_mapping(detector)) is None
    blind = {**detector, "mAP_75": np.linspace(0.01, 0.05, 20).tolist()}
    assert why_inconclusive(history_from_mapping(blind)) is not None
    # A classifier has ln K as its yardstick, and its accuracy says how well it did.
    assert (
        why_inconclusive(history_from_mapping({"loss": [0.7, 0.5, 0.4], "accuracy": [0.5, 0.7, 0.8]})) is None
    )


def test_a_run_without_a_training_loss_or_an_accuracy_is_not_called_healthy() -> None:
    # A YOLOv5 results.csv: its loss in three parts, precision beside them, no `loss` to check.
    parts = np.geomspace(0.1, 0.06, 6).tolist()
    detector = {"box_loss": parts, "obj_loss": parts, "metrics_precision": np.linspace(0.1, 0.7, 6).tolist()}
    reason = why_inconclusive(history_from_mapping(detector)) or ""
    assert "no training loss or accuracy" in reason
    assert "box_loss" in reason
    assert diagnose(history_from_mapping(detector)).verdict.status is VerdictStatus.inconclusive
    # A loss (then judged as any loss of unknown task), an accuracy or a mean average precision
    # that ended high gives the run something to be judged by.
    with_loss = why_inconclusive(history_from_mapping({**detector, "loss": parts})) or ""
    assert "no training loss" not in with_loss
    assert "baseline_loss" in with_loss
    accuracy = {**detector, "accuracy": np.linspace(0.5, 0.9, 6).tolist()}
    assert why_inconclusive(history_from_mapping(accuracy)) is None
    assert (
        why_inconclusive(history_from_mapping({**detector, "mAP_50": np.linspace(0.2, 0.8, 6).tolist()}))
        is None
    )


def test_a_loss_that_fell_clearly_and_settled_is_judged_without_a_yardstick() -> None:
    # A forecaster's MSE, train only: 112 -> 25.5 by epoch 2, on down to a floor near 16 that it
    # holds (with wiggles) for its last third: a finished fit, judged though it fell to 15 %.
    floor = 16.4 + 0.3 * np.sin(np.arange(47))
    settled = [112.7, 31.7, 25.5, *np.geomspace(23.5, 16.6, 50).tolist(), *floor]
    run = history_from_mapping({"loss": settled, "mae": [x / 6 for x in settled]})
    assert run.facts.task == "regression"
    assert why_inconclusive(run) is None
    assert diagnose(run).verdict.status == VerdictStatus.healthy
    # The same fall still under way in its last third has not shown where it heads.
    assert why_inconclusive(history_from_mapping({"loss": np.geomspace(4.0, 1.5, 30).tolist()})) is not None
    # A fall of a fifth (a first minute of CIFAR steps, a cross-entropy from ln 2 to 0.5) that
    # levelled off may be a model still stuck near where it started.
    fifth = [0.69, 0.6, 0.59, *np.linspace(0.58, 0.55, 10).tolist(), *[0.55] * 7]
    assert why_inconclusive(history_from_mapping({"loss": fifth})) is not None
    # A loss that halved in its first epochs and then barely moved learned a mean, or a floor of
    # noise: the two look alike, so it stays inconclusive (the mean_only case above, flattened).
    stopped = [10.6, 4.23, 4.04, *(4.04 + 0.03 * np.sin(np.arange(17)))]
    assert why_inconclusive(history_from_mapping({"loss": stopped})) is not None
    # Too short to show a fall and a flattening.
    assert why_inconclusive(history_from_mapping({"loss": [8.0, 3.0, 2.0, 1.9, 1.9]})) is not None


def test_the_judgeable_learning_line_is_the_plateau_rules() -> None:
    assert judgeable.MIN_IMPROVEMENT == loss_plateau.MIN_IMPROVEMENT
    assert judgeable.EARLY_EPOCHS == loss_plateau.STALL_FROM


def test_binary_cross_entropy_over_one_hot_units_shows_in_the_first_epoch_without_k() -> None:
    # Under ln 2 at 22 % accuracy: a per-unit average, not one sigmoid's cross-entropy.
    correct = [302, 794, 1090, 1160, 1202, 1235, 1279, 1303, 1320, 1324]
    raw = {
        "loss": [0.567, 0.30, 0.19, 0.14, 0.11, 0.089, 0.056, 0.039, 0.030, 0.024],
        "accuracy": [round(c / 1347, 4) for c in correct],
    }
    assert codes(raw).get("loss_task_mismatch") is Severity.error
    # A sigmoid that starts mostly wrong pays more than ln 2: an ordinary binary start.
    binary = {**raw, "loss": [0.78, 0.5, 0.35, 0.3, 0.26, 0.23, 0.2, 0.18, 0.17, 0.16]}
    assert "loss_task_mismatch" not in codes(binary)


def test_an_accuracy_that_collapsed_back_to_its_start_is_an_error() -> None:
    raw = {
        "loss": [7.5, 5.9, 5.1, 4.3, 3.7, 3.4, 2.6, 2.0, 1.8, 1.7, 1.66, 1.64, 1.6, 1.57, 1.57],
        "accuracy": [
            0.23,
            0.33,
            0.37,
            0.42,
            0.42,
            0.42,
            0.35,
            0.31,
            0.29,
            0.27,
            0.25,
            0.24,
            0.24,
            0.24,
            0.24,
        ],
    }
    finding = next(f for f in diagnose(history_from_mapping(raw)).findings if f.code == "accuracy_at_chance")
    assert finding.severity is Severity.error
    assert finding.evidence["best_epoch"] == 3
    # A dip that the run climbed out of is not a collapse.
    recovered = {**raw, "accuracy": [*raw["accuracy"][:10], 0.35, 0.45, 0.55, 0.6, 0.62]}
    assert "accuracy_at_chance" not in codes(recovered)


def test_a_training_loss_that_rose_several_epochs_in_a_row_is_drifting_off() -> None:
    loss = [6.7, 4.7, 3.4, 2.7, 2.1, 1.8, 1.5, 1.37, 1.35, 1.52, 1.65, 1.79, 1.73, 1.72, 1.72]
    assert codes({"loss": loss}).get("loss_diverging") is Severity.warning
    # Ups and downs around a level, never three in a row: noise, not a drift.
    wobble = [6.7, 4.7, 3.4, 2.7, 2.1, 1.8, 1.5, 1.37, 1.35, 1.52, 1.4, 1.55, 1.42, 1.5, 1.45]
    assert "loss_diverging" not in codes({"loss": wobble})


def test_a_loss_that_falls_below_zero_without_bound_is_an_error() -> None:
    raw = {
        "loss": (-np.geomspace(3.4e4, 6.5e7, 30)).tolist(),
        "val_loss": (-np.geomspace(1.5e5, 1.3e8, 30)).tolist(),
    }
    result = diagnose(history_from_mapping(raw))
    finding = next(f for f in result.findings if f.code == "loss_diverging")
    assert finding.severity is Severity.error
    assert result.verdict.causes[0].code == "label_format_mismatch"
    # Cosine similarity is negative by design and stops at -1.
    cosine = {"loss": np.linspace(-0.2, -0.93, 30).tolist()}
    assert "loss_diverging" not in codes(cosine)


def test_two_tail_epochs_do_not_make_a_falling_loss_level() -> None:
    # Ten epochs, still falling 2-3 % an epoch: the last two alone read as level.
    loss = [1.782, 1.531, 1.416, 1.286, 1.135, 1.073, 0.9731, 0.9474, 0.9183, 0.9016]
    assert "underfitting" not in codes({"loss": loss}, task="multiclass", num_classes=5)
    stopped = [*loss[:7], 0.973, 0.972, 0.9725]
    assert codes({"loss": stopped}, task="multiclass", num_classes=5).get("underfitting") is Severity.warning


def test_accuracies_written_to_five_significant_digits_count_their_samples() -> None:
    # float32 shares of 1347 written to five significant digits: 0.22643, 0.087602, ...
    correct = np.array([118, 305, 794, 1090, 1160, 1202, 1235, 1254, 1270, 1279, 1291])
    values = np.array([float(f"{v:.5g}") for v in (correct / 1347).astype(np.float32)])
    assert count_samples(values) == 1347


def test_a_first_epoch_a_hundred_times_what_followed_is_a_blowup() -> None:
    loss = [2504.0, 20.1, 2.96, 1.03, 1.0, 1.004, 1.002, 1.003, 1.003, 1.004]
    finding = next(
        f for f in diagnose(history_from_mapping({"loss": loss})).findings if f.code == "loss_spikes"
    )
    assert finding.severity is Severity.warning
    assert max(finding.supports, key=finding.supports.__getitem__) == "lr_too_high"
    # Unscaled inputs: far off at the start, then a gradual descent over many epochs.
    gradual = [6532.0, 1725.0, 829.0, 444.0, 252.0, 148.0, 90.0, 42.0, 10.0, 2.0]
    assert "loss_spikes" not in codes({"loss": gradual})


def test_a_stall_while_mostly_wrong_is_a_plateau_even_after_a_far_off_first_epoch() -> None:
    # The first epoch at 4.4 makes the start no yardstick; the accuracy (never above 0.41) is one.
    raw = {
        "loss": [4.397, 1.524, 1.497, 1.494, 1.474, 1.466, 1.551, 1.477, 1.467, 1.468],
        "accuracy": [0.21, 0.335, 0.337, 0.345, 0.351, 0.375, 0.306, 0.345, 0.379, 0.402],
    }
    assert codes(raw).get("loss_plateau") is Severity.warning
    # The same stall at 97 % accuracy is a model that converged in two epochs.
    converged = {
        **raw,
        "loss": [4.397, 0.12, 0.118, 0.117, 0.116, 0.116, 0.117, 0.116, 0.116, 0.115],
        "accuracy": [0.6, 0.96, 0.965, 0.966, 0.967, 0.967, 0.966, 0.968, 0.967, 0.968],
    }
    assert "loss_plateau" not in codes(converged)


def test_a_single_answers_share_outranks_the_entropys_lower_bound() -> None:
    # Five classes at 85/4/4/4/3 %: the entropy (0.64) only bounds the majority from below
    # (about 0.80); the accuracy the model held while answering one class measures it.
    epochs = 30
    raw = {
        "loss": np.geomspace(1.0, 0.45, epochs).tolist(),
        "accuracy": [0.6, 0.8471, 0.8471, 0.8471, *np.linspace(0.848, 0.875, epochs - 4).round(4).tolist()],
        "val_loss": np.geomspace(0.9, 0.5, epochs).tolist(),
        "val_accuracy": [
            0.8,
            0.8453,
            0.8453,
            0.8453,
            *np.linspace(0.846, 0.869, epochs - 4).round(4).tolist(),
        ],
    }
    meta = {"task": "multiclass", "num_classes": 5, "baseline_loss": 0.55}
    finding = next(
        f for f in diagnose(history_from_mapping(raw, meta)).findings if f.code == "class_imbalance"
    )
    assert finding.evidence["majority_from"] == "single_answer_accuracy"
    assert finding.evidence["majority_share"] == pytest.approx(0.8471)


def test_a_loss_near_ln_2_with_accuracy_near_a_half_reads_as_two_classes() -> None:
    epochs = 16
    raw = {
        "loss": np.linspace(0.81, 0.70, epochs).tolist(),
        "accuracy": (0.5 + 0.01 * np.sin(np.arange(epochs))).tolist(),
        "val_loss": np.linspace(0.815, 0.707, epochs).tolist(),
        "val_accuracy": (0.46 - 0.001 * np.arange(epochs)).tolist(),
    }
    facts = history_from_mapping(raw).facts
    assert (facts.task, facts.num_classes) == ("binary", 2)
    assert codes(raw).get("accuracy_at_chance") is Severity.error
    # Under ln 2 at the same accuracy is a per-unit average, not a sigmoid at chance.
    per_unit = {**raw, "loss": np.linspace(0.58, 0.3, epochs).tolist()}
    assert history_from_mapping(per_unit).facts.num_classes is None


def test_validation_accuracy_held_from_the_start_while_training_climbs_to_it_is_frozen() -> None:
    # Old Keras issue 4662: val_acc 0.7202 -> 0.7188 for 15 epochs while training climbs to it.
    raw = {
        "loss": [
            1.003,
            0.891,
            0.837,
            0.818,
            0.744,
            0.69,
            0.654,
            0.652,
            0.634,
            0.627,
            0.607,
            0.615,
            0.611,
            0.601,
            0.598,
        ],
        "accuracy": [
            0.583,
            0.632,
            0.622,
            0.624,
            0.645,
            0.657,
            0.674,
            0.687,
            0.689,
            0.695,
            0.711,
            0.712,
            0.717,
            0.716,
            0.717,
        ],
        "val_loss": [
            0.964,
            0.985,
            0.885,
            0.797,
            0.762,
            0.686,
            0.659,
            0.652,
            0.628,
            0.612,
            0.632,
            0.609,
            0.61,
            0.606,
            0.612,
        ],
        "val_accuracy": [0.7202, 0.7202, 0.7198, 0.7198, *([0.7188] * 11)],
    }
    assert codes(raw).get("accuracy_at_chance") is Severity.error
    # A model that climbed to a ceiling and stays there on a small validation set is not this.
    ceiling = {
        **raw,
        "val_accuracy": [0.66, 0.74, 0.76, 0.79, *([0.9737] * 11)],
        "accuracy": [
            0.46,
            0.83,
            0.85,
            0.87,
            0.88,
            0.95,
            0.95,
            0.96,
            0.96,
            0.96,
            0.97,
            0.97,
            0.97,
            0.97,
            0.97,
        ],
    }
    assert "accuracy_at_chance" not in codes(ceiling)


def test_validation_held_at_the_training_start_is_underfitting_for_a_regression() -> None:
    # Shuffled targets: validation never gets below the first epoch's training loss.
    epochs = 16
    raw = {
        "loss": np.linspace(1.033, 0.951, epochs).tolist(),
        "mae": np.linspace(0.85, 0.81, epochs).tolist(),
        "val_loss": (1.01 + 0.002 * np.arange(epochs)).tolist(),
        "val_mae": np.linspace(0.83, 0.84, epochs).tolist(),
    }
    finding = next(f for f in diagnose(history_from_mapping(raw)).findings if f.code == "underfitting")
    assert finding.evidence["baseline_from"] == "first epoch's training loss"
    # A noisy target that levels off at half the start, validation well below it: no yardstick
    # says that is high, so no alarm.
    noisy = {
        **raw,
        "loss": np.geomspace(1.0, 0.55, epochs).tolist(),
        "val_loss": np.geomspace(0.9, 0.6, epochs).tolist(),
    }
    assert "underfitting" not in codes(noisy)


def test_validation_a_step_behind_training_still_shows_a_single_answer() -> None:
    # Validation is measured at an epoch's end, training averaged over it: validation holds its
    # value an epoch before training does.
    epochs = 30
    raw = {
        "loss": np.geomspace(1.34, 0.25, epochs).tolist(),
        "accuracy": [
            0.4978,
            0.8436,
            0.8471,
            0.8471,
            0.8471,
            *np.linspace(0.849, 0.87, epochs - 5).round(4).tolist(),
        ],
        "val_loss": np.geomspace(1.0, 0.52, epochs).tolist(),
        "val_accuracy": [
            0.8293,
            0.8453,
            0.8453,
            0.8453,
            0.848,
            *np.linspace(0.849, 0.866, epochs - 5).round(4).tolist(),
        ],
    }
    assert history_from_mapping(raw).facts.single_answer_share == pytest.approx(0.8471)


def test_both_curves_still_after_the_first_epochs_is_a_loss_that_never_moved() -> None:
    # A saturated tanh stack: a far-off first epoch, then training and validation frozen.
    raw = {
        "loss": [3.024, 1.183, 1.005, 1.007, 1.001, 1.0, 1.001, 1.001, 1.001, 1.001, 1.001, 1.001],
        "val_loss": [
            1.51,
            0.9307,
            0.947,
            0.9317,
            0.9304,
            0.9308,
            0.9308,
            0.9309,
            0.931,
            0.931,
            0.931,
            0.9311,
        ],
    }
    assert codes(raw).get("loss_plateau") is Severity.warning
    # Training that keeps improving after the first epochs is learning, whatever validation does.
    learning = {**raw, "loss": [3.024, 1.183, 1.005, 0.95, 0.9, 0.85, 0.8, 0.76, 0.72, 0.69, 0.66, 0.63]}
    assert "loss_plateau" not in codes(learning)


def test_a_loss_falling_through_ln_k_says_nothing_of_k() -> None:
    # CIFAR-10 learning from its first epoch: the early median (1.63) sits near ln 5, but the
    # run started far above it and is on its way down.
    learning = {
        "loss": [2.062, 1.733, 1.634, 1.552, 1.498, 1.443, 1.397, 1.355, 1.316, 1.282],
        "accuracy": [0.263, 0.383, 0.428, 0.454, 0.476, 0.49, 0.513, 0.523, 0.544, 0.553],
    }
    assert history_from_mapping(learning).facts.num_classes is None
    # Starting at ln 5 and staying near it: five classes, a model that learned nothing.
    stuck = {**learning, "loss": [1.63, 1.612, 1.607, 1.61, 1.604, 1.606, 1.605, 1.603, 1.604, 1.6]}
    facts = history_from_mapping(stuck).facts
    assert (facts.num_classes, facts.classes_from) == (5, "early loss near ln K")
    # A first epoch far above ln 10 that settles there while the accuracy stays at 1/10: a CNN
    # of ten outputs that learned nothing (a ship-images log of the shared set).
    settled = {
        "loss": [3.089, 2.36, 2.273, 2.192, 2.126, 2.076, 1.973, 1.896],
        "accuracy": [0.091, 0.098, 0.107, 0.122, 0.122, 0.125, 0.113, 0.095],
    }
    assert history_from_mapping(settled).facts.num_classes == 10


# Conv1d + GRU on the Jena climate data (MAE, keras 1 console): validation best 0.2730 at epoch
# 3, then creeping up to 0.2952 over 16 epochs while training falls 0.283 -> 0.2215.
JENA_TRAIN = [0.3387, 0.3055, 0.2904, 0.283, 0.2767, 0.2696, 0.2642, 0.2595, 0.2546, 0.2506]
JENA_TRAIN += [0.2459, 0.2433, 0.2411, 0.236, 0.235, 0.2315, 0.2285, 0.228, 0.2249, 0.2215]
JENA_VAL = [0.303, 0.2864, 0.2841, 0.273, 0.2757, 0.2819, 0.2787, 0.292, 0.2919, 0.2772]
JENA_VAL += [0.2801, 0.2807, 0.2855, 0.2858, 0.2834, 0.2917, 0.2944, 0.2923, 0.291, 0.2952]


def test_validation_creeping_up_for_most_of_the_run_is_overfitting() -> None:
    raw = {"loss": JENA_TRAIN, "val_loss": JENA_VAL}
    finding = next(f for f in diagnose(history_from_mapping(raw)).findings if f.code == "overfitting")
    assert finding.severity is Severity.warning
    assert finding.evidence["onset_epoch"] == 3
    assert finding.evidence["val_fitted_rise"] >= 0.05
    # The same drift after a first validation epoch ten times as high gives back too little of
    # what validation gained: a tail that stopped improving.
    far = {"loss": JENA_TRAIN, "val_loss": [3.0, *JENA_VAL[1:]]}
    assert "overfitting" not in codes(far)
    # A climb as steep over the last five epochs of thirty only: an EarlyStopping patience window.
    level = [0.31 - 0.0009 * i for i in range(25)]
    late = {
        "loss": [0.5 - 0.01 * i for i in range(30)],
        "val_loss": [*level, 0.292, 0.296, 0.3, 0.303, 0.306],
    }
    assert "overfitting" not in codes(late)


def test_validation_rising_nearly_every_epoch_for_ten_epochs_is_overfitting_after_any_first_epoch() -> None:
    # A text classifier's shape: the first validation epoch six times its best, the best at epoch
    # 25 of 40, then 1 % worse every epoch while the training loss keeps falling.
    epochs = 40
    loss = [1.5 * 0.92**i for i in range(epochs)]
    down = [0.31 + 1.5 * 0.8**i for i in range(26)]
    wobble = [0.004, -0.003, 0.002, -0.002, 0.003, -0.004, 0.002]
    wobble += [0.0, -0.002, 0.003, -0.003, 0.001, 0.002, -0.001]
    up = [down[-1] * (1 + 0.01 * (i + 1)) + w for i, w in enumerate(wobble)]
    raw = {"loss": loss, "val_loss": [*down, *up]}
    finding = next(f for f in diagnose(history_from_mapping(raw)).findings if f.code == "overfitting")
    assert finding.severity is Severity.warning
    assert finding.evidence["steady"] is True
    assert finding.evidence["giveback"] < 0.25
    assert finding.fix["epochs_saved"] == epochs - 1 - finding.evidence["onset_epoch"]
    # The same rise, but up and down by more than it climbs from one epoch to the next: a level
    # with noise on it, and too little of the gain given back.
    noisy = [u + (0.02 if i % 2 else -0.02) for i, u in enumerate(up)]
    assert "overfitting" not in codes({**raw, "val_loss": [*down, *noisy]})
    # Climbing every epoch for the last six epochs only: a patience window.
    short = {"loss": loss[:32], "val_loss": [*down, *up[:6]]}
    assert "overfitting" not in codes(short)


def test_training_accuracy_near_perfect_far_above_validations_is_overfitting_whatever_the_losses() -> None:
    # Both losses keep falling (a large class count, a learning rate stepped down), so no loss
    # shape shows it; the accuracies do: all but one training sample in a hundred right, four
    # new ones in ten wrong.
    learned = [1 - 0.8**i for i in range(20)]
    raw = {
        "loss": [0.05 + 3.0 * 0.8**i for i in range(20)],
        "val_loss": [1.5 + 1.7 * 0.8**i for i in range(20)],
        "accuracy": [0.3 + 0.7 * x for x in learned],
        "val_accuracy": [0.25 + 0.35 * x for x in learned],
    }
    finding = next(f for f in diagnose(history_from_mapping(raw)).findings if f.code == "overfitting")
    assert finding.severity is Severity.warning
    assert finding.evidence["accuracy_gap"] == pytest.approx(0.39, abs=0.01)
    # Validation a fifth of the samples behind: a hard task's gap.
    close = {**raw, "val_accuracy": [0.25 + 0.55 * x for x in learned]}
    assert "overfitting" not in codes(close)
    # The same gap under a training accuracy that still misses one sample in ten: not memorized.
    unsure = {**raw, "accuracy": [0.3 + 0.6 * x for x in learned]}
    unsure["val_accuracy"] = [0.25 + 0.25 * x for x in learned]
    assert "overfitting" not in codes(unsure)


def test_validation_never_better_than_its_first_epoch_while_training_memorizes_is_overfitting() -> None:
    # Keras 1 text classifier without pretrained embeddings, 200 samples: validation stays at
    # ln 2 and above while the training loss goes to 0.0035.
    raw = {
        "loss": [0.6941, 0.505, 0.2807, 0.1223, 0.0584, 0.0307, 0.0166, 0.0098, 0.0058, 0.0035],
        "val_loss": [0.692, 0.6949, 0.7131, 0.6997, 0.7043, 0.7051, 0.7345, 0.7173, 0.7201, 0.7244],
    }
    finding = next(f for f in diagnose(history_from_mapping(raw)).findings if f.code == "overfitting")
    assert finding.severity is Severity.warning
    assert finding.evidence["val_first"] == 0.692
    # A training loss only a little below validation's: the model learned little, memorized nothing.
    assert "overfitting" not in codes({**raw, "loss": [0.71 - 0.003 * i for i in range(10)]})


def test_validation_worse_since_early_on_while_training_keeps_falling_is_overfitting() -> None:
    # Speech digits: val_loss best 0.144 at epoch 6, 0.17-0.22 after, training 0.10 -> 0.045.
    raw = {
        "loss": [
            1.576,
            0.4,
            0.219,
            0.164,
            0.134,
            0.116,
            0.102,
            0.083,
            0.084,
            0.067,
            0.071,
            0.052,
            0.065,
            0.051,
            0.049,
            0.045,
            0.0445,
        ],
        "val_loss": [
            0.647,
            0.296,
            0.23,
            0.178,
            0.178,
            0.164,
            0.144,
            0.195,
            0.182,
            0.182,
            0.182,
            0.172,
            0.187,
            0.218,
            0.157,
            0.176,
            0.174,
        ],
    }
    finding = next(f for f in diagnose(history_from_mapping(raw)).findings if f.code == "overfitting")
    assert finding.evidence["onset_epoch"] == 6
    # Validation level (under 1 % above its best) while training converges: healthy.
    level = {
        **raw,
        "val_loss": [
            *raw["val_loss"][:6],
            0.144,
            0.1445,
            0.145,
            0.1448,
            0.1446,
            0.145,
            0.1451,
            0.1449,
            0.145,
            0.1452,
            0.1451,
        ],
    }
    assert "overfitting" not in codes(level)


def test_a_training_loss_blown_up_in_its_last_epoch_is_a_spike_with_no_recovery() -> None:
    # A horses-vs-humans CNN (wild log w1579): 0.0056 at accuracy 1.0, then 3.51 in the last epoch.
    loss = [1.0083, 0.8123, 0.5273, 0.4343, 0.2116, 0.3034, 0.4344, 0.1254, 0.0742, 0.0434]
    loss += [0.3181, 0.0285, 0.0307, 0.0056, 3.5085]
    finding = next(
        f for f in diagnose(history_from_mapping({"loss": loss})).findings if f.code == "loss_spikes"
    )
    assert finding.severity is Severity.warning
    assert finding.epochs == [len(loss) - 1]
    # A last epoch up 2x but still under the untrained first epoch: no blow-up past the start.
    lower = diagnose(history_from_mapping({"loss": [*loss[:-1], 0.9]})).findings
    assert not any("worst_before" in f.evidence for f in lower)
    # A converged run's last epoch a little up: nothing.
    assert "loss_spikes" not in codes({"loss": [1.0, 0.5, 0.3, 0.2, 0.15, 0.12, 0.11, 0.125]})


def test_a_loss_at_zero_from_its_first_logged_step_is_stuck() -> None:
    # A segmenter's `Current_Loss = 0.0000` at every report (wild log w2047) and a detector's
    # -6.43825e-20 with both heads at 0 (w1413): a loss over no targets, not a fit.
    for loss in ([0.0] * 12, [-6.43825e-20] * 3):
        found = diagnose(history_from_mapping({"loss": loss}))
        finding = next(f for f in found.findings if f.code == "loss_plateau")
        assert finding.severity is Severity.warning
        assert finding.evidence["zero_epochs"] == len(loss)
        assert "label_format_mismatch" in finding.supports
    # A loss that trained down to zero shows the descent: not this shape.
    assert "loss_plateau" not in codes({"loss": [0.9, 0.4, 0.1, 0.01, 0.0, 0.0]})
    # Two points say too little.
    assert "loss_plateau" not in codes({"loss": [0.0, 0.0]})


def test_a_classifier_certain_of_every_training_sample_to_the_end_is_stuck() -> None:
    # A character LSTM on 1.24 M sequences (wild log w2241): 0.439, then float32's epsilon for
    # its last five epochs, train only; a VGG16 whose generator repeats one batch sits there too.
    eps = 1.1921e-07
    loss = [3.0435, 1.7512, 1.3421, 1.2557, 0.4390, *[eps] * 5]
    found = diagnose(history_from_mapping({"loss": loss})).findings
    finding = next(f for f in found if f.code == "loss_plateau")
    assert finding.severity is Severity.warning
    assert finding.evidence["certain_epochs"] == 5
    assert finding.evidence["first_certain_epoch"] == 5
    assert "duplicate_samples" in finding.supports
    # Two epochs at epsilon are not yet a frozen stretch.
    assert "loss_plateau" not in codes({"loss": [*loss[:8], 0.3, eps, eps]})
    # With validation logged, overfitting holds the certainty against validation instead.
    val = {"loss": loss, "val_loss": [3.1, 1.9, 1.5, 1.4, 1.2, 1.1, 1.05, 1.0, 0.98, 0.97]}
    found = diagnose(history_from_mapping(val)).findings
    assert not any("certain_epochs" in f.evidence for f in found)
    # A regression's loss far under epsilon (an exactly representable fit) is not a softmax.
    assert "loss_plateau" not in codes({"loss": [0.24, 0.085, 6.9e-05, 2.5e-08, 6.7e-11, 4.3e-14]})


def test_validation_giving_back_half_its_small_gain_while_training_falls_is_overfitting() -> None:
    # A translation model (wild log w2121): validation 4.89 -> 4.71 at epoch 2, then creeping
    # back to 4.81 (half its gain, 2 % above its best) while training goes 5.90 -> 4.02.
    raw = {
        "loss": [5.9047, 5.0228, 4.6027, 4.4021, 4.3, 4.2073, 4.1446, 4.0974, 4.0606, 4.0221],
        "val_loss": [4.8919, 4.7115, 4.7235, 4.724, 4.7487, 4.7587, 4.7649, 4.781, 4.8085, 4.8112],
    }
    finding = next(f for f in diagnose(history_from_mapping(raw)).findings if f.code == "overfitting")
    assert finding.evidence["onset_epoch"] == 1
    assert finding.evidence["giveback"] >= overfitting.GAVE_BACK
    # The same validation beside a training loss that levelled off with it: nothing learned by
    # heart after the best epoch.
    level = {**raw, "loss": [5.9047, 5.0228, *[4.9 - 0.01 * i for i in range(8)]]}
    assert "overfitting" not in codes(level)
    # Validation that kept most of its gain (a quarter given back): a tail that stopped improving.
    kept = {**raw, "val_loss": [5.2, *raw["val_loss"][1:]]}
    assert "overfitting" not in codes(kept)


def test_a_training_accuracy_levelled_under_a_half_is_underfitting_without_k() -> None:
    # Segmentation with categorical_accuracy 0.44 -> 0.49 in 20 epochs, the loss creeping.
    epochs = 20
    raw = {
        "loss": [1.392, *np.linspace(1.283, 1.18, epochs - 1).tolist()],
        "categorical_accuracy": np.linspace(0.442, 0.489, epochs).tolist(),
    }
    finding = next(f for f in diagnose(history_from_mapping(raw)).findings if f.code == "underfitting")
    assert finding.evidence["accuracy_metric"] == "categorical_accuracy"
    # The same loss curve with most training samples right is not underfitting by itself.
    right = {**raw, "categorical_accuracy": np.linspace(0.8, 0.9, epochs).tolist()}
    assert "underfitting" not in codes(right)


def test_a_binary_classifier_that_separates_most_samples_is_not_underfitting() -> None:
    # Tabular binary data (Titanic, heart failure): from ln 2 to 0.42 and level at 82 %
    # accuracy, validation beside training. Half of ln 2 (0.35 nats) needs ~90 % separable data.
    epochs = 60
    loss = (0.42 + 0.273 * np.exp(-np.arange(epochs) / 8)).round(4)
    accuracy = (0.82 - 0.32 * np.exp(-np.arange(epochs) / 8) + 0.004 * np.sin(np.arange(epochs))).round(4)
    raw = {
        "loss": loss.tolist(),
        "accuracy": accuracy.tolist(),
        "val_loss": (loss + 0.01).tolist(),
        "val_accuracy": (accuracy - 0.01).tolist(),
    }
    run = history_from_mapping(raw)
    assert run.facts.num_classes == 2
    assert "underfitting" not in codes(raw)
    # The same loss with most samples still wrong (faulty wild w972: 0.71 and 0.67) is underfitting.
    low = {**raw, "accuracy": (accuracy - 0.12).tolist(), "val_accuracy": (accuracy - 0.13).tolist()}
    assert codes(low).get("underfitting") is Severity.warning
    # An accuracy frozen at one value is one answer for every sample: the majority's share.
    frozen = {**low, "val_accuracy": [0.8] * epochs}
    assert codes(frozen).get("underfitting") is Severity.warning
    # Validation loss 30 % under training: Dropout holds the training loss up (excessive_dropout).
    dropout = {**raw, "val_loss": (loss * 0.7).tolist()}
    assert codes(dropout).get("underfitting") is Severity.warning


def test_a_training_loss_at_float32_epsilon_is_a_saturated_output_held_against_ln_2() -> None:
    # Unscaled inputs: certain of every training sample (1.19e-07) while validation pays 6.9.
    raw = {
        "loss": [75.5, 23.2, 15.4, 11.6, 9.1, 7.5, 4.2, 1.8, 0.74, 0.28, 0.03, 1.6e-07, 1.2e-07, 1.1921e-07],
        "accuracy": [
            0.81,
            0.918,
            0.946,
            0.955,
            0.967,
            0.97,
            0.972,
            0.984,
            0.986,
            0.993,
            0.998,
            1.0,
            1.0,
            1.0,
        ],
        "val_loss": [49.3, 32.9, 25.4, 21.2, 18.1, 15.3, 11.1, 8.6, 7.6, 7.8, 8.2, 7.3, 6.92, 6.91],
    }
    run = history_from_mapping(raw)
    assert run.facts.saturated_epochs == (11, 12, 13)
    finding = next(f for f in diagnose(run).findings if f.code == "overfitting")
    assert "float32" in finding.evidence["baseline_from"]
    # Training that merely got small (1e-3) is no saturation.
    assert (
        history_from_mapping({**raw, "loss": [*raw["loss"][:11], 2e-3, 1.5e-3, 1e-3]}).facts.saturated_epochs
        == ()
    )


@given(
    st.lists(st.floats(allow_nan=True, allow_infinity=True, width=32), min_size=1, max_size=40),
    st.sampled_from(["accuracy", "binary_accuracy", "mae", "val_accuracy", "auc"]),
)
@settings(max_examples=200, deadline=None)
def test_any_curves_are_read_without_crashing(values: list[float], name: str) -> None:
    """Whatever numbers a pasted log holds, reading its tells and diagnosing it never raises,
    and what is inferred stays in range."""
    raw = {"loss": values, name: [abs(v) % 1 if math.isfinite(v) else v for v in values]}
    run = history_from_mapping(raw)
    facts = run.facts
    assert facts.num_classes is None or facts.num_classes >= 2
    assert facts.train_samples is None or facts.train_samples >= 1
    assert facts.single_answer_share is None or 0 < facts.single_answer_share <= 1
    diagnose(run)


def test_noisy_validation_says_how_many_samples_its_accuracy_counts() -> None:
    rng = np.random.default_rng(5)
    epochs = 30
    correct = np.clip(np.linspace(20, 35, epochs) + rng.normal(0, 2.5, epochs), 1, 37).round()
    raw = {
        "loss": np.geomspace(1.1, 0.1, epochs).tolist(),
        "val_loss": (np.geomspace(1.0, 0.2, epochs) * (1 + rng.normal(0, 0.25, epochs))).tolist(),
        "accuracy": np.linspace(0.5, 0.97, epochs).tolist(),
        "val_accuracy": (correct / 38).round(4).tolist(),
    }
    finding = next(f for f in diagnose(history_from_mapping(raw)).findings if f.code == "val_noisy")
    assert finding.evidence["val_samples"] == 38
    assert "38 samples" in finding.summary


def test_a_first_epoch_blow_up_the_model_recovered_from_inside_that_epoch_is_info() -> None:
    # Epoch 0 averages a blow-up in its first steps (27.7); validation after it is 1.25 and the
    # run falls steadily to an accuracy of 0.93: the whole curve says healthy.
    raw = {
        "loss": [27.7, 1.51, 0.57, 0.42, 0.33, 0.25, 0.21, 0.12, 0.115, 0.071],
        "accuracy": [0.376, 0.599, 0.758, 0.821, 0.864, 0.9, 0.939, 0.954, 0.961, 0.973],
        "val_loss": [1.25, 0.59, 0.46, 0.41, 0.3, 0.27, 0.27, 0.25, 0.23, 0.21],
        "val_accuracy": [0.457, 0.75, 0.803, 0.8, 0.857, 0.907, 0.89, 0.907, 0.893, 0.933],
    }
    found = next(
        f for f in diagnose(history_from_mapping(raw)).findings if f.code == "unexpected_initial_loss"
    )
    assert found.severity is Severity.info
    assert found.evidence["after_first_epoch"] == {"val_loss[0]": 1.25, "loss[1]": 1.51}
    # Validation after the first epoch still far off (unscaled inputs): confidently wrong.
    far = {**raw, "val_loss": [53.9, 20.0, 9.0, 4.0, 2.0, 1.0, 0.6, 0.5, 0.45, 0.43]}
    assert codes(far).get("unexpected_initial_loss") is Severity.warning
    # In range after the first epoch but most samples still wrong at the end (an MSE on class ids).
    wrong = {**raw, "val_accuracy": [0.1, 0.12, 0.13, 0.14, 0.15, 0.15, 0.16, 0.16, 0.16, 0.16]}
    assert codes(wrong).get("unexpected_initial_loss") is Severity.warning


def test_a_loss_with_no_yardstick_that_falls_every_epoch_is_converging_not_stalled() -> None:
    # A VAE: the first epoch over 60,000 samples did most of the learning, then the loss falls
    # by less every epoch, 15 % below its first epoch in all.
    loss = [0.2109, 0.1933, 0.1886, 0.1858, 0.184, 0.1827, 0.1816, 0.1807, 0.18, 0.1794]
    val = [0.1966, 0.1899, 0.1862, 0.1851, 0.183, 0.1816, 0.1813, 0.1827, 0.1806, 0.1801]
    assert "loss_plateau" not in codes({"loss": loss, "val_loss": val})
    # Too small a learning rate: every epoch a little lower, 2 % in the whole run.
    slow = np.linspace(1.135, 1.112, 30).tolist()
    assert codes({"loss": slow, "val_loss": [v + 0.01 for v in slow]}).get("loss_plateau") is Severity.warning
    # With a yardstick (a binary classifier near ln 2) the same descent is still judged on it.
    near_ln2 = (np.array(loss) / 0.2109 * 0.74).tolist()
    binary = {
        "loss": near_ln2,
        "binary_accuracy": [0.5, 0.52, 0.53, 0.54, 0.55, 0.55, 0.56, 0.56, 0.57, 0.57],
    }
    assert codes(binary).get("loss_plateau") is Severity.warning


def test_an_accuracy_that_climbed_to_its_ceiling_and_stayed_is_not_one_answer() -> None:
    # Validation accuracy 0.64 -> 0.998, then still for 16 epochs while its loss falls 0.023 -> 0.003.
    val_acc = [0.636, 0.958, 0.996, 0.996, *([0.998, 0.9987] * 8)]
    raw = {
        "loss": np.geomspace(2.28, 0.0097, 20).tolist(),
        "accuracy": [0.468, 0.901, 0.967, 0.984, *np.linspace(0.991, 0.9988, 16).tolist()],
        "val_loss": [2.8, 1.05, 0.166, 0.046, *np.geomspace(0.0228, 0.00296, 16).tolist()],
        "val_accuracy": val_acc,
    }
    assert "accuracy_at_chance" not in codes(raw)
    # The same still accuracy with a loss that stopped with it: one answer for every sample.
    stopped = {**raw, "val_loss": [2.8, 1.05, 0.166, 0.046, *([0.0228] * 16)]}
    assert codes(stopped).get("accuracy_at_chance") is Severity.error


def test_a_first_epoch_blow_up_left_behind_inside_that_epoch_is_info() -> None:
    # 239.7 as the first epoch's average, validation 1.33 at its end, then a steady run to 0.86.
    loss = [239.7, 1.105, 0.862, 0.732, 0.694, 0.609, 0.573, 0.505, 0.442, 0.439]
    raw = {
        "loss": loss,
        "accuracy": [0.372, 0.552, 0.658, 0.706, 0.719, 0.765, 0.765, 0.798, 0.833, 0.824],
        "val_loss": [1.329, 1.048, 0.873, 0.823, 0.768, 0.887, 0.813, 0.751, 0.873, 0.696],
        "val_accuracy": [0.538, 0.666, 0.711, 0.735, 0.768, 0.673, 0.704, 0.744, 0.666, 0.78],
    }
    found = next(f for f in diagnose(history_from_mapping(raw)).findings if f.code == "loss_spikes")
    assert (found.severity, found.evidence["left_behind"]) == (Severity.info, True)
    # Still blown up when the first epoch ended (validation 80x what training fell to next).
    blown = {**raw, "val_loss": [88.0, *raw["val_loss"][1:]]}
    assert codes(blown).get("loss_spikes") is Severity.warning
    # Back in range but stuck at chance afterwards: nothing says the run recovered.
    stuck = {**raw, "val_accuracy": [0.1] * 10, "accuracy": [0.1] * 10}
    assert codes(stuck).get("loss_spikes") is Severity.warning


def test_a_validation_accuracy_frozen_at_one_beside_a_learning_model_is_a_perfect_score() -> None:
    # Validation right on every sample from epoch 2; training at 0.9995 with its loss near 0.001,
    # under the 0.004 that any constant answer at that accuracy costs.
    epochs = 20
    raw = {
        "loss": np.geomspace(0.042, 0.0008, epochs).tolist(),
        "accuracy": [0.987, *np.linspace(0.9982, 0.9997, epochs - 1).tolist()],
        "val_loss": np.geomspace(0.0022, 1e-5, epochs).tolist(),
        "val_accuracy": [0.9992, *([1.0] * (epochs - 1))],
    }
    assert "accuracy_at_chance" not in codes(raw)
    # The same frozen 1.0 beside a training side at the constant answer's loss (0.9 of one
    # class, entropy 0.325): one answer for every sample on a validation set of one class.
    constant = {**raw, "loss": [0.4, *([0.33] * (epochs - 1))], "accuracy": [0.9] * epochs}
    assert codes(constant).get("accuracy_at_chance") is Severity.error


def test_a_short_excerpt_falling_a_percent_every_epoch_is_not_a_plateau() -> None:
    # Epochs 21-25 of a detector's run: both losses lower in every epoch, about 1 % an epoch.
    raw = {
        "loss": [3.9607, 3.9102, 3.8544, 3.8153, 3.7673],
        "val_loss": [4.1032, 4.0817, 3.9811, 3.9209, 3.9202],
    }
    assert "loss_plateau" not in codes(raw)
    # The same few percent spread over 30 epochs is a run that hardly moves.
    slow = {name: np.linspace(values[0], values[-1], 30).tolist() for name, values in raw.items()}
    assert codes(slow).get("loss_plateau") is Severity.warning


def test_an_excerpt_still_falling_at_pace_after_its_first_epochs_has_not_stalled() -> None:
    # Wild log w794, epochs 154-161 of 200 of a forecaster: the training loss falls 1.2 % in its
    # first two epochs, then 2.8 % in five more (half a percent an epoch), validation with it.
    raw = {
        "loss": [13.111, 13.056, 12.957, 12.886, 12.835, 12.743, 12.673, 12.597],
        "val_loss": [6.556, 6.542, 6.502, 6.441, 6.409, 6.350, 6.341, 6.323],
    }
    assert "loss_plateau" not in codes(raw)
    # Validation that stopped while the training loss creeps on is no convergence (w846: a
    # triplet model's val_loss frozen at its margin, 0.2000): a stall still.
    creeping = {"loss": [0.1902, 0.1872, 0.1844, 0.182, 0.1794, 0.1777, 0.1775], "val_loss": [0.2] * 7}
    assert codes(creeping).get("loss_plateau") is Severity.warning
    # The same excerpt's training loss at a tenth of the pace after its first epochs stalled.
    slow = [13.111, 13.056, 12.957, *(12.957 - 0.007 * np.arange(1, 6)).tolist()]
    assert codes({**raw, "loss": slow}).get("loss_plateau") is Severity.warning


def test_a_loss_wandering_near_zero_while_the_accuracy_holds_near_one_is_info() -> None:
    # Right on 99.9 % of the training samples from epoch 2; the loss goes up and down between
    # 0.0002 and 0.0025 and climbs over its last epochs.
    loss = [0.042, 0.0067, 0.0028, 0.0026, 0.0037, 0.0021, 0.0017, 0.0014, 0.0010, 0.0006]
    loss += [0.0009, 0.0016, 0.0025, 0.0016, 0.0005, 0.00017, 0.00019, 0.00066, 0.0015, 0.0019]
    accuracy = [0.987, *([0.9994, 0.9998] * 9), 0.9994]
    found = codes({"loss": loss, "accuracy": accuracy})
    assert (found.get("loss_oscillating"), found.get("loss_diverging")) == (Severity.info, Severity.info)
    # The same loss beside an accuracy that moves with it (0.90-0.97): answers thrown about.
    moving = [0.85, *([0.90, 0.97] * 9), 0.93]
    found = codes({"loss": loss, "accuracy": moving})
    warned = (Severity.warning, Severity.warning)
    assert (found.get("loss_oscillating"), found.get("loss_diverging")) == warned


def test_an_accuracy_in_percent_near_a_hundred_settles_a_wobbling_loss_too() -> None:
    # The same run as above with its accuracy logged in percent (`train_accuracy` 98.7 ... 99.98).
    loss = [0.042, 0.0067, 0.0028, 0.0026, 0.0037, 0.0021, 0.0017, 0.0014, 0.0010, 0.0006]
    loss += [0.0009, 0.0016, 0.0025, 0.0016, 0.0005, 0.00017, 0.00019, 0.00066, 0.0015, 0.0019]
    percent = [98.7, *([99.94, 99.98] * 9), 99.94]
    found = codes({"loss": loss, "accuracy": percent})
    assert (found.get("loss_oscillating"), found.get("loss_diverging")) == (Severity.info, Severity.info)
    moving = [85.0, *([90.0, 97.0] * 9), 93.0]
    found = codes({"loss": loss, "accuracy": moving})
    warned = (Severity.warning, Severity.warning)
    assert (found.get("loss_oscillating"), found.get("loss_diverging")) == warned


def test_a_loss_frozen_from_its_first_epochs_is_a_plateau_whatever_its_sign_or_size() -> None:
    # Targets outside [0, 1] under a cross-entropy: a negative loss that never moved again.
    negative = {
        "loss": [-4.4077, -4.441, -4.441, -4.441],
        "accuracy": [0.3267, 0.3268, 0.3268, 0.3268],
        "val_loss": [-4.3856] * 4,
    }
    assert codes(negative).get("loss_plateau") is Severity.warning
    # A sigmoid saturated on the majority class: the loss even rose a hair, then froze.
    saturated = {"loss": [5.7178, 5.7257, 5.7257, 5.7257], "accuracy": [0.6446, 0.6448, 0.6448, 0.6448]}
    assert codes(saturated).get("loss_plateau") is Severity.warning
    # The same run still moving in its fourth digit is too short to call stuck.
    moving = {"loss": [5.7178, 5.7257, 5.7251, 5.7263], "accuracy": [0.6446, 0.6448, 0.6448, 0.6448]}
    assert "loss_plateau" not in codes(moving)


def test_a_converged_loss_that_repeats_its_last_digits_is_not_frozen() -> None:
    # Converged, then equal to four decimals: it improved first.
    converged = {
        "loss": [0.0085, 0.0051, 0.0025, 0.0025, 0.0025],
        "accuracy": [0.997, 0.998, 0.999, 0.999, 0.999],
    }
    assert "loss_plateau" not in codes(converged)
    # An excerpt from the end of a converged run: two significant digits cannot show a change.
    excerpt = {"loss": [0.0012, 0.0012, 0.0012, 0.0012]}
    assert "loss_plateau" not in codes(excerpt)
    # A classifier frozen far under ln 2 was trained already (a checkpoint resumed at its end).
    resumed = {"loss": [0.0412, 0.0412, 0.0412, 0.0412], "accuracy": [0.9871, 0.9871, 0.9871, 0.9871]}
    assert "loss_plateau" not in codes(resumed)


def test_a_loss_frozen_before_the_run_learned_is_a_plateau_for_those_epochs() -> None:
    # Wild log w1702's shape: a binary classifier saturated at exactly 7.7125 with accuracy 0.5 in
    # epochs 1-4, then it breaks out and learns to 0.42.
    learning = np.round(0.42 + 0.3 * np.exp(-np.arange(25) / 6.0), 4).tolist()
    raw = {
        "loss": [7.6796, 7.7125, 7.7125, 7.7125, 7.7125, 6.2624, *learning],
        "accuracy": [0.497, 0.5, 0.5, 0.5, 0.5, 0.508, *np.linspace(0.53, 0.82, 25).tolist()],
    }
    finding = next(f for f in diagnose(history_from_mapping(raw)).findings if f.code == "loss_plateau")
    assert finding.evidence["first_frozen_epoch"] == 1
    assert finding.evidence["frozen_epochs"] == 4
    # Frozen for FROZEN_EPOCHS - 1 epochs only: a coincidence of the written digits, not a stall.
    brief = {"loss": [7.6796, 7.7125, 7.7125, 7.7, 7.69, 6.2624, *learning], "accuracy": raw["accuracy"]}
    assert loss_plateau.FROZEN_EPOCHS > 2
    assert "loss_plateau" not in codes(brief)
    # The same value three times at a level the run had learned down to is converged, not stuck.
    settled = {"loss": [*learning[:10], 0.5, 0.5, 0.5, *learning[13:]], "accuracy": raw["accuracy"][6:]}
    assert "loss_plateau" not in codes(settled)


def test_validation_climbing_from_the_start_at_ln_2_is_overfitting_too() -> None:
    # A binary model whose training loss falls every epoch while validation, never better than
    # ln 2, climbs every epoch after its second: memorizing from the start, generalizing nothing.
    raw = {
        "loss": [0.6807, 0.6693, 0.6678, 0.6485, 0.6175, 0.586, 0.5521],
        "accuracy": [0.5745, 0.5843, 0.5857, 0.6128, 0.6478, 0.6778, 0.7081],
        "val_loss": [0.677, 0.6765, 0.6789, 0.6913, 0.7101, 0.7268, 0.7586],
        "val_accuracy": [0.5802, 0.5796, 0.5801, 0.5599, 0.5591, 0.5556, 0.5456],
    }
    found = codes(raw)
    assert found.get("overfitting") is Severity.warning
    assert found.get("underfitting") is Severity.warning
    # Training that levelled off high while validation drifts up is underfitting alone.
    flat = {**raw, "loss": [0.6807, 0.6693, 0.6678, 0.6675, 0.6676, 0.6674, 0.6675]}
    assert codes(flat).get("overfitting") in (None, Severity.info)


def test_a_short_validation_loss_that_swings_beside_a_calm_training_loss_is_noisy() -> None:
    # Six epochs: validation jumps 1.5-2.3x up and down, the training loss moves a few percent.
    raw = {
        "loss": [0.0798, 0.0745, 0.0745, 0.0741, 0.0728, 0.0699],
        "val_loss": [14.23, 7.95, 7.97, 13.87, 20.29, 8.87],
    }
    assert codes(raw).get("val_noisy") is Severity.warning
    # A healthy start: validation falls steeply with training, in one direction.
    falling = {"loss": [0.52, 0.49, 0.47, 0.46, 0.45, 0.44], "val_loss": [2.1, 0.9, 0.55, 0.5, 0.48, 0.47]}
    assert "val_noisy" not in codes(falling)
    # Validation that jumps with a training loss that jumped too: the model moved, not the measure.
    jumpy = {**raw, "loss": [0.0798, 0.05, 0.08, 0.12, 0.07, 0.0699]}
    assert "val_noisy" not in codes(jumpy)


def test_a_training_accuracy_twice_validations_far_above_it_is_overfitting() -> None:
    # A 40-class model: training accuracy climbs to 0.46 while validation stays near 0.13.
    epochs = 25
    raw = {
        "loss": np.linspace(4.93, 1.86, epochs).round(4).tolist(),
        "accuracy": np.linspace(0.035, 0.46, epochs).round(4).tolist(),
        "val_loss": [3.7, 3.59, 3.49, 3.45, 3.41] + [3.42, 3.38] * 10,
        "val_accuracy": [0.05, 0.06, 0.08, 0.095, 0.105] + [0.13, 0.125] * 10,
    }
    assert codes(raw).get("overfitting") is Severity.warning
    # Validation that keeps pace, a quarter below training but above half of it: no alarm.
    keeping = {**raw, "val_accuracy": (np.linspace(0.035, 0.46, epochs) * 0.7).round(4).tolist()}
    assert "overfitting" not in codes(keeping)


def test_an_accuracy_under_a_thousandth_beside_a_regression_metric_is_no_classifiers() -> None:
    # Wild log w1161: an RNN regression (MSE, with MAE and MAPE) whose Keras `accuracy` is the
    # share of outputs exactly equal to a continuous target: 0.00027 training, 0 validation.
    n = 12
    raw = {
        "loss": [0.0052 - 0.00005 * i for i in range(n)],
        "mean_absolute_error": [0.035 - 0.0002 * i for i in range(n)],
        "accuracy": [0.00026742] * n,
        "val_loss": [0.0047 - 0.00004 * i for i in range(n)],
        "val_mean_absolute_error": [0.031 - 0.0001 * i for i in range(n)],
        "val_accuracy": [0.0] * n,
    }
    run = history_from_mapping(raw)
    assert run.facts.task == "regression"
    assert run.facts.accuracy_metric is None
    found = codes(raw)
    assert "accuracy_at_chance" not in found
    assert "loss_task_mismatch" not in found
    # An accuracy a classifier scores (a regression loss on class ids) keeps its meaning.
    mismatch = {**raw, "accuracy": [0.33 + 0.01 * i for i in range(n)], "val_accuracy": [0.35] * n}
    assert history_from_mapping(mismatch).facts.accuracy_metric == "accuracy"


def test_a_short_run_in_which_nothing_moved_while_mostly_wrong_is_a_plateau() -> None:
    # Wild log w1228's shape: four epochs at ln 10 with 10 % accuracy, validation the same.
    raw = {
        "loss": [2.3036, 2.3035, 2.3036, 2.3033],
        "accuracy": [0.1019, 0.0998, 0.098, 0.0997],
        "val_loss": [2.3031, 2.303, 2.3034, 2.303],
        "val_accuracy": [0.1, 0.1, 0.1, 0.1],
    }
    finding = next(f for f in diagnose(history_from_mapping(raw)).findings if f.code == "loss_plateau")
    assert finding.severity is Severity.warning
    assert finding.evidence["epochs"] == 4
    # A short excerpt that learns moves: its loss at a percent an epoch...
    falling = {**raw, "loss": [2.3036, 2.28, 2.26, 2.24]}
    assert "loss_plateau" not in codes(falling)
    # ...or its accuracy past what guessing scores.
    learning = {**raw, "accuracy": [0.3, 0.45, 0.52, 0.58], "val_accuracy": [0.35, 0.47, 0.55, 0.6]}
    assert "loss_plateau" not in codes(learning)
    # A flat loss without an accuracy may be a converged excerpt: too little to call stuck.
    assert "loss_plateau" not in codes({"loss": raw["loss"], "val_loss": raw["val_loss"]})
    # Two epochs stay too few to judge.
    assert "loss_plateau" not in codes({name: values[:2] for name, values in raw.items()})
    # The same accuracies logged in percent (wild log w2001: 10.18, 10.08, 10.19, 10.09 %) are
    # the same shares of samples right; a percent accuracy that learned is not stuck either.
    percent = {**raw, "accuracy": [100 * a for a in raw["accuracy"]], "val_accuracy": [10.0] * 4}
    assert codes(percent).get("loss_plateau") is Severity.warning
    learned = {**percent, "accuracy": [30.0, 45.0, 52.0, 58.0], "val_accuracy": [35.0, 47.0, 55.0, 60.0]}
    assert "loss_plateau" not in codes(learned)


def test_a_short_run_whose_loss_rose_and_stayed_above_its_first_epoch_diverged() -> None:
    # Wild log w1221's shape: a tfjs-node run, three epochs, accuracy collapsing to 0.
    raw = {"loss": [0.297, 16.12, 16.12], "acc": [0.917, 0.0, 0.0]}
    assert codes(raw).get("loss_diverging") is Severity.error
    # A loss that dipped below its first epoch on the way is no rise that stayed...
    assert "loss_diverging" not in codes({**raw, "loss": [0.297, 0.25, 16.12]})
    # ...nor is one within a tenth of its start (noise about a level).
    assert "loss_diverging" not in codes({**raw, "loss": [0.297, 0.31, 0.32]})
    # A learning short run falls, and two epochs stay too few to judge.
    assert "loss_diverging" not in codes({"loss": [0.9, 0.6, 0.5], "acc": [0.6, 0.8, 0.85]})
    assert "loss_diverging" not in codes({name: values[:2] for name, values in raw.items()})


def test_an_accuracy_gap_held_at_the_end_of_three_epochs_is_overfitting() -> None:
    # Wild log w1203's shape: epochs 48-50 of a model that memorized its 49 samples.
    raw = {
        "loss": [0.0228, 0.0186, 0.015],
        "accuracy": [0.9796, 1.0, 1.0],
        "val_loss": [3.3064, 3.3164, 3.3186],
        "val_accuracy": [0.6923, 0.6923, 0.6923],
    }
    assert codes(raw).get("overfitting") is Severity.warning
    # Validation within a fifth of the samples of training: no gap to speak of.
    assert "overfitting" not in codes({**raw, "val_accuracy": [0.82, 0.83, 0.83]})
    # Two epochs stay too few to judge.
    assert "overfitting" not in codes({name: values[:2] for name, values in raw.items()})


def test_an_accuracy_gap_where_validation_turned_down_early_is_overfitting() -> None:
    # Wild log w1790's shape, train only with no validation loss: training accuracy climbs to
    # 0.85 while validation's peaks at 0.70 early and falls back to 0.55 (short of both the
    # memorized and the twice-validation's gap).
    rng = np.random.default_rng(1)
    epochs = np.arange(60)
    train = 0.5 + 0.35 * (1 - np.exp(-epochs / 10)) + rng.normal(0, 0.01, 60)
    val = np.where(epochs < 8, 0.5 + 0.025 * epochs, 0.55 + 0.15 * np.exp(-(epochs - 8) / 4))
    val = val + rng.normal(0, 0.005, 60)
    loss = 31.0 - 11.0 * (1 - np.exp(-epochs / 10))
    raw = {"loss": loss.tolist(), "accuracy": train.tolist(), "val_accuracy": val.tolist()}
    finding = next(f for f in diagnose(history_from_mapping(raw)).findings if f.code == "overfitting")
    assert finding.evidence["val_turned_at"] is not None
    assert finding.evidence["val_turned_at"] <= overfitting.STALL_ONSET * 60
    # The same gap with validation still at its best at the end is a hard task, not memorized.
    level = {**raw, "val_accuracy": np.minimum(val, 0.55 + 0.001 * epochs).tolist()}
    assert "overfitting" not in codes(level)
    # Nor is a validation accuracy that turned down by less than TURN_DROP.
    small = {**raw, "val_accuracy": np.minimum(val, 0.55 + overfitting.TURN_DROP * 0.8).tolist()}
    assert "overfitting" not in codes(small)


def test_an_accuracy_that_never_moved_while_the_loss_halved_is_at_chance() -> None:
    # Wild log w1231's shape: sparse labels read by an accuracy for one-hot ones; the loss falls
    # 1.48 -> 0.61 while the accuracy sits at 0.10 and validation's at or below it.
    raw = {
        "loss": [1.4824, 1.073, 0.9272, 0.7987, 0.7081, 0.6056],
        "accuracy": [0.0998, 0.101, 0.1016, 0.1019, 0.1012, 0.1019],
        "val_loss": [1.1893, 0.8896, 0.915, 0.8087, 0.8707, 0.7688],
        "val_accuracy": [0.1003, 0.0832, 0.072, 0.0864, 0.0928, 0.0851],
    }
    finding = next(f for f in diagnose(history_from_mapping(raw)).findings if f.code == "accuracy_at_chance")
    assert finding.severity is Severity.error
    assert finding.supports.get("label_format_mismatch") == 3.0
    # A model right on most samples from its first epoch is at its ceiling, not unmoved.
    ceiling = {
        "loss": [0.2, 0.15, 0.12, 0.1, 0.095, 0.09],
        "accuracy": [0.97, 0.975, 0.973, 0.976, 0.975, 0.977],
        "val_loss": [0.15, 0.13, 0.12, 0.11, 0.11, 0.1],
        "val_accuracy": [0.965, 0.97, 0.968, 0.972, 0.97, 0.974],
    }
    assert "accuracy_at_chance" not in codes(ceiling)
    # An accuracy that climbs with the falling loss learns.
    learning = {
        **raw,
        "accuracy": [0.1, 0.2, 0.28, 0.35, 0.4, 0.44],
        "val_accuracy": [0.1, 0.2, 0.3, 0.34, 0.4, 0.42],
    }
    assert "accuracy_at_chance" not in codes(learning)
    # A loss that fell a fifth with the accuracy still: nothing learned on either side to compare.
    # (Its loss near ln 4 may still put it at chance for four classes: another shape.)
    slow = {**raw, "loss": [1.4824, 1.4, 1.35, 1.3, 1.25, 1.2]}
    findings = diagnose(history_from_mapping(slow)).findings
    assert not any("loss_first" in f.evidence for f in findings if f.code == "accuracy_at_chance")


def test_an_overlap_score_gap_is_overfitting_where_no_accuracy_is_logged() -> None:
    # Wild log w1222's shape: a U-Net's training IoU climbs while validation's falls to nothing.
    raw = {
        "loss": [1.445, 1.179, 1.065, 0.9659],
        "iou_score": [0.1352, 0.2088, 0.242, 0.305],
        "val_loss": [3.512, 10.72, 3.647, 3.588],
        "val_iou_score": [0.166, 0.1657, 0.0106, 0.0045],
    }
    finding = next(f for f in diagnose(history_from_mapping(raw)).findings if f.code == "overfitting")
    assert finding.evidence["metric"] == "iou_score"
    # Validation's score a little behind training's: a hard task, not memorized.
    close = {**raw, "val_iou_score": [0.12, 0.18, 0.21, 0.26]}
    assert "overfitting" not in codes(close)
    # Precision and recall alone are no overlap score: answering one class games either.
    other = {"loss": raw["loss"], "val_loss": raw["val_loss"]}
    other |= {"precision": raw["iou_score"], "val_precision": raw["val_iou_score"]}
    assert "overfitting" not in codes(other)


def test_a_loss_that_stopped_after_its_first_epochs_for_a_long_run_is_a_plateau() -> None:
    # Wild log w1561's shape: raw Boston prices; the network learns the mean in two epochs (the
    # targets' variance, 85) and moves under a percent in the 97 epochs after.
    rng = np.random.default_rng(0)
    loss = [327.2, 100.2, 84.8, *(85.0 + 1.0 * rng.random(97)).tolist()]
    raw = {"loss": loss, "mse": loss}
    finding = next(f for f in diagnose(history_from_mapping(raw)).findings if f.code == "loss_plateau")
    assert finding.severity is Severity.warning
    assert "stopped learning" in finding.summary
    # The same stop over a few epochs is a fast start, too short to call stuck.
    short = {"loss": loss[:12], "mse": loss[:12]}
    assert "loss_plateau" not in codes(short)
    # A classifier that stopped far under ln 2 had finished, however long it went on.
    done = {"loss": [0.6, 0.2, 0.05, *(0.049 + 0.001 * rng.random(40)).tolist()]}
    done["accuracy"] = [0.7, 0.93, 0.985, *([0.986] * 40)]
    assert "loss_plateau" not in codes(done)


def test_a_validation_loss_that_zig_zags_while_training_settles_is_noisy() -> None:
    # A U-Net's log (w411): training falls 1.08 -> 0.051 with a 3 % wobble; validation zig-zags
    # 0.10 -> 0.17 -> 0.23 over its second half. Every second epoch is its running median, so
    # the running-median measure reads no noise at all.
    loss = [1.079, 0.879, 0.715, 0.5673, 0.4423, 0.3189, 0.2223, 0.1588, 0.1258, 0.1034, 0.0916]
    loss += [0.0782, 0.0746, 0.0705, 0.0698, 0.0654, 0.0621, 0.0611, 0.0566, 0.0569, 0.059]
    loss += [0.0552, 0.0546, 0.0603, 0.0571, 0.0528, 0.0514, 0.053, 0.0503, 0.0498, 0.051]
    val = [0.9961, 0.835, 0.7679, 0.6114, 0.4698, 0.5426, 0.3042, 0.2874, 0.2353, 0.2643, 0.2242]
    val += [0.1842, 0.1501, 0.1743, 0.1753, 0.1871, 0.2099, 0.2091, 0.1011, 0.1678, 0.2277]
    val += [0.1159, 0.1769, 0.2364, 0.1763, 0.1579, 0.1703, 0.1804, 0.1254, 0.1187, 0.1131]
    raw = {"loss": loss, "val_loss": val}
    assert codes(raw).get("val_noisy") is Severity.warning
    # The same wobble below the training loss: validation says at every epoch that the model
    # generalizes, whichever epoch a checkpoint keeps.
    below = {"loss": [3 * v for v in val], "val_loss": val}
    assert "val_noisy" not in codes(below)
    # A steady fall with the same 3 % wobble as training's: no alarm.
    steady = {"loss": loss, "val_loss": [1.4 * x for x in loss]}
    assert "val_noisy" not in codes(steady)


def test_a_validation_score_frozen_to_every_digit_is_a_constant_output() -> None:
    # A U-Net (w1275): its validation Dice moved every epoch, then sat at 0.663446 for the last
    # eleven while both losses crept down in their fifth digit after a drop: all background.
    dice = [0.126201, 0.186702, 0.164103, 0.346604, 0.313105, 0.418906, 0.331307, 0.333708]
    loss = [0.9387, 0.8929, 0.8595, 0.8301, 0.8097, 0.8039, 0.7927, 0.787]
    val_loss = [0.9053, 0.9153, 0.8581, 0.8732, 0.815, 0.8221, 0.827, 0.8057]
    raw = {
        "loss": loss + [0.708820, 0.588439] + [0.343917 - 3e-5 * i for i in range(10)],
        "val_loss": val_loss + [0.748877, 0.338129] + [0.336803 - 2e-5 * i for i in range(10)],
        "val_dice_coef": dice + [0.405923] + [0.663446] * 11,
    }
    found = codes(raw)
    assert found.get("loss_plateau") is Severity.warning
    # A score frozen near perfect has nothing left to change: no alarm.
    settled = {**raw, "val_dice_coef": dice + [0.905923] + [0.991446] * 11}
    assert "loss_plateau" not in codes(settled)
    # A validation accuracy repeating a count (70 of 80 right) is no frozen output.
    counted = {**raw, "val_dice_coef": dice + [0.405923] + [0.663446 + 1e-6 * i for i in range(11)]}
    counted["val_accuracy"] = [0.5 + 0.03 * i for i in range(9)] + [0.875] * 11
    assert "loss_plateau" not in codes(counted)


def test_a_validation_loss_worse_in_every_epoch_from_the_first_is_overfitting() -> None:
    # Three epochs (w1213): validation 0.265 -> 0.278 -> 0.328 while training 0.320 -> 0.121.
    raw = {"loss": [0.3203, 0.1934, 0.1207], "val_loss": [0.265, 0.2776, 0.328]}
    assert codes(raw).get("overfitting") is Severity.warning
    # A rise of a few percent in all is the noise of a level, not a model moving away from new data.
    level = {"loss": [0.3203, 0.1934, 0.1207], "val_loss": [0.265, 0.2676, 0.271]}
    assert "overfitting" not in codes(level)
    # Validation that fell once is no longer worse from the start (other shapes may judge it).
    dipped = {"loss": [0.3203, 0.1934, 0.1207, 0.1], "val_loss": [0.265, 0.26, 0.328, 0.33]}
    findings = diagnose(history_from_mapping(dipped)).findings
    assert not any("val_rise" in f.evidence for f in findings if f.code == "overfitting")


def test_a_validation_loss_that_spikes_again_and_again_alone_is_noisy() -> None:
    # A classifier (w142): validation leaps and falls back in three epochs of its last ten while
    # the training loss falls through them; the median of distances reads no noise at all.
    loss = np.geomspace(3.5, 0.85, 30).round(4).tolist()
    val = np.geomspace(3.4, 1.1, 30)
    for epoch in (20, 24, 28):
        val[epoch] *= 1.7
    raw = {"loss": loss, "val_loss": val.round(4).tolist()}
    found = next(f for f in diagnose(history_from_mapping(raw)).findings if f.code == "val_noisy")
    assert found.evidence["spike_epochs"] == [20, 24, 28]
    # Two such spikes are luck, not a measurement that jumps.
    val[28] /= 1.7
    assert "val_noisy" not in codes({**raw, "val_loss": val.round(4).tolist()})
    # Spikes the training loss shares are the model's (loss_spikes judges them), not the measure's.
    val[28] *= 1.7
    shared = np.array(loss)
    for epoch in (20, 24, 28):
        shared[epoch] *= 1.7
    assert "val_noisy" not in codes({"loss": shared.tolist(), "val_loss": val.round(4).tolist()})
