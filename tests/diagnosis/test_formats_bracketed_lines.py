"""Step lines people paste whose counts or names sit in brackets (issue 13): Paddle's
`[2 epoch]-[3100 step]  cost 6.8512` (a count before its word) and loguru's `| E5 iter[ 14/ 15] |
[Loss] 51566519.44 |` (a name in brackets before its value), and RSC's `30/42 of epoch 28/30 class :
0.014 - acc class : 100.00 [bs:128]` (a remark in brackets after the fields). The Paddle and RSC
excerpts are verbatim from the seed-6879 holdout logs named beside them (scored once; quoted
here, not read from the corpus, while their split is still `holdout`)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from diagnosis.engine import diagnose_runs
from diagnosis.formats import load_path, load_runs
from diagnosis.history import HistoryError
from tests.diagnosis.writers import wild_log

# PaddlePaddle/Paddle#22261 (w2004): the count before its word in brackets, fields without a
# colon (`cost 6.8512  prec1 54.49%`), the last evaluation in brackets after them, and the
# per-task losses on a line of values under each step's line.
PADDLE_STEPS = (
    "INFO:(pid=21010): [2 epoch]-[3100 step]  cost 6.8512  prec1 54.49%  [p-dev  69.7%]\n"
    "each loss is 2.866, 0.446, 3.388, 0.151\n"
    "each prec is 0.545, 0.826, 0.512, 0.949\n"
    "INFO:(pid=21010): [2 epoch]-[3150 step]  cost 7.0951  prec1 55.86%  [p-dev  69.7%]\n"
    "each loss is 2.881, 0.51, 3.562, 0.142\n"
    "each prec is 0.559, 0.777, 0.508, 0.949\n"
    "INFO:(pid=21010): [3 epoch]-[3200 step]  cost nan  prec1 0.0%  [p-dev  69.7%]\n"
    "each loss is nan, nan, nan, nan\n"
    "each prec is 0.0, 0.0, 0.0, 0.5\n"
)


def test_a_count_before_its_word_in_brackets_counts_the_steps() -> None:
    [run] = load_runs(PADDLE_STEPS.encode(), "log.txt")
    assert run.source.format == "keras_console"  # not a CSV whose header is `each loss is 2.866`
    assert run.source.granularity == "step"
    loss = run.metrics["loss"].tolist()
    assert loss[:2] == [6.8512, 7.0951]
    assert math.isnan(loss[2])
    # A percent after a value without a colon is a share; `[p-dev  69.7%]` is no field.
    assert run.metrics["prec1"].tolist() == [0.5449, 0.5586, 0.0]
    assert set(run.metrics) == {"loss", "prec1"}


def test_nan_is_no_word_of_a_name() -> None:
    # `cost nan  prec1 0.0%` is a NaN cost, not a field named `cost nan prec1`.
    [run] = load_runs(b"step 1  cost 0.9  prec1 50%\nstep 2  cost nan  prec1 0.0%\n", "log.txt")
    assert math.isnan(run.metrics["loss"][-1])
    assert run.metrics["prec1"].tolist() == [0.5, 0.0]


def test_a_name_in_brackets_names_the_value_after_it() -> None:
    # nv-tlabs/LION#9 (w1448, retired): an epoch abbreviated before its step counter, each name
    # in brackets; `[step]` a counter, `[best]` a best-so-far value, `[time] 0.4m` a duration.
    [run] = load_path(wild_log("w1448_lion-issue9-hvae-loss-5e7-then-nan-from-epoch-6.txt"))
    assert run.epochs == 5
    assert run.source.first_epoch == 5
    assert set(run.metrics) == {"loss"}
    assert run.metrics["loss"][0] == 51566519.44
    assert np.isnan(run.metrics["loss"][1:]).all()


def test_an_abbreviated_epoch_needs_its_step_counter() -> None:
    # `E5` is an epoch only before a step counter; an `E5` alone is some other label.
    [run] = load_runs(
        b"E1 iter[ 9/ 10] | [Loss] 0.91 | [step] 10\nE2 iter[ 9/ 10] | [Loss] 0.52 | [step] 20\n", "log.txt"
    )
    assert run.metrics["loss"].tolist() == [0.91, 0.52]
    with pytest.raises(HistoryError):
        load_runs(b"E1 | [Loss] 0.91\nE2 | [Loss] 0.52\n", "log.txt")


# DeLightCMU/RSC#2 (w2021, seed-6879 holdout, quoted): JiGen's logger, the step's count before
# the epoch, the loss named by its task (`class`) beside its accuracy (`acc class`), in percent,
# and the batch size in brackets after the fields.
RSC_STEPS = (
    "30/42 of epoch 28/30 class : 0.014 - acc class : 100.00 [bs:128]\n"
    "Accuracies on val: class : 96.75\n"
    "Accuracies on test: class : 80.35\n"
    "New epoch - lr: 0.0008\n"
    "0/42 of epoch 29/30 class : 0.010 - acc class : 100.00 [bs:128]\n"
    "30/42 of epoch 29/30 class : 0.047 - acc class : 99.22 [bs:128]\n"
    "Accuracies on val: class : 96.75\n"
    "Accuracies on test: class : 81.27\n"
    "New epoch - lr: 0.0008\n"
    "0/42 of epoch 30/30 class : 0.059 - acc class : 100.00 [bs:128]\n"
    "30/42 of epoch 30/30 class : 0.047 - acc class : 100.00 [bs:128]\n"
)


def test_a_step_count_before_the_epoch_leads_a_steps_record() -> None:
    [run] = load_runs(RSC_STEPS.encode(), "log.txt")
    assert run.source.first_epoch == 28
    assert run.source.aggregated is not None  # each epoch's last logged step
    # The task's loss beside its accuracy twin is the loss, the twin the accuracy.
    assert run.metrics["loss"].tolist() == [0.014, 0.047, 0.047]
    assert run.metrics["accuracy"].tolist() == [100.0, 99.22, 100.0]


def test_a_short_rise_at_near_perfect_accuracy_is_no_alarm() -> None:
    # Single batches' losses 0.014, 0.047, 0.047 at 99.2-100 % accuracy: confidence on a few
    # samples, not a model getting worse; the same rise with an accuracy falling is one.
    [run] = load_runs(RSC_STEPS.encode(), "log.txt")
    finding = next(f for f in diagnose_runs([run]).findings if f.code == "loss_diverging")
    assert finding.severity == "info"
    falling = RSC_STEPS.replace("acc class : 99.22", "acc class : 60.00").replace(
        "0.047 - acc class : 100.00", "0.047 - acc class : 55.00"
    )
    [worse] = load_runs(falling.encode(), "log.txt")
    finding = next(f for f in diagnose_runs([worse]).findings if f.code == "loss_diverging")
    assert finding.severity == "error"


# victorzhou.com's "CNNs, Part 2" example output (w2038, seed-6879 holdout, quoted): step lines
# under decorated `--- Epoch 1 ---` headers, each the mean over the past 100 steps, the label a
# window with a count (`Past 100 steps:`), a name without a colon.
NUMPY_CNN_BLOCKS = (
    "MNIST CNN initialized!\n"
    "--- Epoch 1 ---\n"
    "[Step 100] Past 100 steps: Average Loss 2.254 | Accuracy: 18%\n"
    "[Step 200] Past 100 steps: Average Loss 2.167 | Accuracy: 30%\n"
    "[Step 300] Past 100 steps: Average Loss 1.676 | Accuracy: 52%\n"
    "--- Epoch 2 ---\n"
    "[Step 100] Past 100 steps: Average Loss 0.447 | Accuracy: 89%\n"
    "[Step 200] Past 100 steps: Average Loss 0.401 | Accuracy: 86%\n"
)


def test_step_lines_under_an_epoch_header_end_on_the_last_step() -> None:
    [run] = load_runs(NUMPY_CNN_BLOCKS.encode(), "log.txt")
    assert run.metrics["loss"].tolist() == [1.676, 0.401]
    assert run.metrics["accuracy"].tolist() == [0.52, 0.86]
    assert run.source.aggregated is not None  # each epoch's last logged step


def test_a_field_in_brackets_of_its_own_is_a_field() -> None:
    # YellowFin#19 (w2305, ambiguous): the semantic segmentation scripts' step lines, each field
    # its name and value in brackets; `[iter 20 / 123]` the step, the epoch's last step its value.
    (run,) = load_path(wild_log("w2305_yellowfin-issue19-seg-train-loss-flat-0.15-lr-rising.txt"))
    assert run.epochs == 2
    assert run.metrics["loss"].tolist() == [0.14653, 0.15515]
    assert run.metrics["learning_rate"].tolist() == [0.06298, 0.069117]
