"""Logs people paste from training loops outside Keras, logged per iteration or per epoch with
names Keras never uses (issue 13): nanoGPT's iter lines, NRI's `nll_train`/`acc_val` names, a
counter named with a word before it. The excerpts are verbatim lines of the logs named beside
them; tests/fixtures/formats/wild holds longer ones (SOURCES.md there)."""

from __future__ import annotations

import math

import pytest

from diagnosis.formats import load_runs
from diagnosis.formats.columns import canonical_name
from diagnosis.history import HistoryError

# karpathy/nanoGPT#215 (w1754): a blockquoted paste, a timestamp before each line, the asker's
# `> ` blank lines between them, an evaluation and a checkpoint message among the iterations.
NANOGPT_BLOCKQUOTED = """\
> 2023-03-22 09:31:45 iter 2980: loss 3.8993, time 1099.18ms, mfu 15.34%
>
> 2023-03-22 09:31:56 iter 2990: loss 3.8853, time 1096.65ms, mfu 15.34%
>
> 2023-03-22 09:32:32 step 3000: train loss 4.0390, val loss 4.0427
>
> saving checkpoint to out
>
> 2023-03-22 09:32:41 iter 3000: loss 4.2490, time 35392.33ms, mfu 13.85%
>
> 2023-03-22 09:32:52 iter 3010: loss nan, time 1019.95ms, mfu 14.12%
"""

# nanogpt-iter-lines-rope-rmsnorm-readme-EXCERPT.txt's first lines: the evaluation comes first.
NANOGPT_EVALUATION_FIRST = """\
step 0: train loss 4.1979, val loss 4.2041
iter 0: loss 4.2163, time 40632.86ms, mfu -100.00%
iter 10: loss 3.4410, time 1970.20ms, mfu 0.19%
iter 20: loss 3.0326, time 2001.26ms, mfu 0.19%
"""


def _losses(text: str) -> list[float]:
    [run] = load_runs(text.encode(), "log.txt")
    assert run.source.granularity == "step"
    return [float(v) for v in run.metrics["loss"]]


def test_nanogpt_iter_lines_are_points_whatever_wraps_them() -> None:
    losses = _losses(NANOGPT_BLOCKQUOTED)
    assert losses[:3] == [3.8993, 3.8853, 4.2490]
    assert len(losses) == 4
    assert math.isnan(losses[3])


def test_the_lines_most_lines_are_like_are_the_points_not_the_first_one() -> None:
    # The evaluation before the first iteration names other fields: it is skipped and said.
    [run] = load_runs(NANOGPT_EVALUATION_FIRST.encode(), "log.txt")
    assert run.metrics["loss"].tolist() == [4.2163, 3.4410, 3.0326]
    assert "val_loss" not in run.metrics
    assert run.source.skipped[0].lines == "1"


def test_a_split_after_the_metric_names_it() -> None:
    assert [canonical_name(n) for n in ("nll_train", "acc_val", "loss_val", "kl_train")] == [
        "nll",
        "val_accuracy",
        "val_loss",
        "kl",
    ]


@pytest.mark.parametrize(
    "text",
    [
        # juexinwang/NRI-MD#9 (w1746), its first two epochs.
        "Epoch: 0000 nll_train: 93185.7750843593 kl_train: 195.2919983183 mse_train: 0.0316958412 "
        "acc_train: 0.0915887710 nll_val: 104181.9461495536 kl_val: -0.2983094061 mse_val: 0.0354360349 "
        "acc_val: 0.0000000000 time: 866.2107s\nBest model so far, saving...\n"
        "Epoch: 0001 nll_train: 40856.0143786839 kl_train: 204.9207121985 mse_train: 0.0138966030 "
        "acc_train: 0.0893383126 nll_val: 75632.8662109375 kl_val: -0.1133307992 mse_val: 0.0257254635 "
        "acc_val: 0.0000000000 time: 713.4318s\n",
        # The same loop's lines in another user's plotting script (search index id 36671218669).
        "Epoch: 0000 nll_train: 1371303624.0000000000 kl_train: 490.5704803467 mse_train: 184.3150053024 "
        "acc_train: 0.4828207789 nll_val: 4166472.8055555555 kl_val: -535.0803561740 mse_val: 0.5600097775 "
        "acc_val: 1.0000000000 time: 48.2029s\n"
        "Epoch: 0001 nll_train: 1326480856.0000000000 kl_train: 484.7265491486 mse_train: 178.2904386520 "
        "acc_train: 0.5294081686 nll_val: 4031887.6111111110 kl_val: -535.0375569661 mse_val: 0.5419203904 "
        "acc_val: 0.6735919891 time: 48.3876s\n",
    ],
)
def test_nri_epoch_lines_read_the_negative_log_likelihood_as_the_loss(text: str) -> None:
    [run] = load_runs(text.encode(), "log.txt")
    assert run.epochs == 2
    assert {"loss", "val_loss", "accuracy", "val_accuracy"} <= set(run.metrics)
    assert run.metrics["val_loss"][0] > run.metrics["val_loss"][1]


def test_a_counter_named_with_a_word_before_it_counts_steps() -> None:
    # guillaume-chevalier/LSTM-Human-Activity-Recognition#8 (w1749): `traing iter` is no curve.
    text = (
        "traing iter: 194, test accuracy : 0.18052256107330322, loss : -0.07819265872240067\n"
        "traing iter: 195, test accuracy : 0.18052256107330322, loss : -0.07812502235174179\n"
    )
    [run] = load_runs(text.encode(), "log.txt")
    assert run.source.granularity == "step"
    assert sorted(run.metrics) == ["loss", "val_accuracy"]


# open-mmlab/mmdetection#5911 (w1755): mmcv's lines behind Python logging's prefix, the asker's
# markdown bold inside a value (`92.77**39`) and after the last one.
MMDET_BOLD = (
    "2021-08-18 19:36:36,093 - mmdet - INFO - Epoch [1][100/5808]\tlr: 1.000e-02, eta: 4:49:14, "
    "time: 0.717, data_time: 0.020, memory: 8104, loss_rpn_cls: 0.3281, loss_rpn_bbox: 0.1095, "
    "loss_cls: 0.4124, acc: 93.2749, loss_bbox: 0.1914, loss: 1.0415\n"
    "2021-08-18 19:37:12,902 - mmdet - INFO - Epoch [1][150/5808]\tlr: 1.000e-02, eta: 4:46:48, "
    "time: 0.736, data_time: 0.020, memory: 8104, loss_rpn_cls: 0.3319, loss_rpn_bbox: 0.1191, "
    "loss_cls: 0.4035, acc: 92.77**39, loss_bbox: nan, loss: nan**\n"
)


def test_mmdet_iteration_lines_are_steps_of_their_epoch() -> None:
    [run] = load_runs(MMDET_BOLD.encode(), "log.txt")
    assert run.source.granularity == "step"
    assert run.metrics["loss"][0] == 1.0415
    assert math.isnan(run.metrics["loss"][1])
    assert run.metrics["accuracy"].tolist() == [93.2749, 92.7739]  # the bold taken out
    # The ETA, the durations and the memory held are no curves; the learning rate is one.
    assert {"eta", "time", "data_time", "memory"}.isdisjoint(run.metrics)
    assert run.metrics["learning_rate"].tolist() == [0.01, 0.01]


MMDET_TWO_EPOCHS = (
    "2021-12-21 21:54:49,453 - mmdet - INFO - Epoch [1][850/930]     lr: 2.000e-02, eta: 0:43:12, "
    "time: 0.245, data_time: 0.008, memory: 3050, loss_rpn_cls: 0.0281, loss_rpn_bbox: 0.0059, "
    "loss_cls: 0.1013, acc: 98.1250, loss_bbox: 0.0431, loss_mask: 0.2680, loss: 0.4463\n"
    "2021-12-21 21:55:02,245 - mmdet - INFO - Epoch [1][900/930]     lr: 2.000e-02, eta: 0:43:02, "
    "time: 0.256, data_time: 0.008, memory: 3050, loss_rpn_cls: 0.0243, loss_rpn_bbox: 0.0065, "
    "loss_cls: 0.1063, acc: 98.0195, loss_bbox: 0.0462, loss_mask: 0.2775, loss: 0.4607\n"
    "2021-12-21 21:55:09,711 - mmdet - INFO - Saving checkpoint at 1 epochs\n"
    "2021-12-21 21:56:24,156 - mmdet - INFO - Epoch(val) [1][764]    bbox_mAP: 0.0110, "
    "bbox_mAP_50: 0.0170, bbox_mAP_75: 0.0130, bbox_mAP_s: 0.1500, bbox_mAP_m: 0.0130, "
    "bbox_mAP_l: 0.0130, bbox_mAP_copypaste: 0.011 0.017 0.013 0.150 0.013 0.013, segm_mAP: 0.0110, "
    "segm_mAP_50: 0.0170, segm_mAP_75: 0.0120, segm_mAP_s: 0.0500, segm_mAP_m: 0.0130, "
    "segm_mAP_l: 0.0130, segm_mAP_copypaste: 0.011 0.017 0.012 0.050 0.013 0.013\n"
    "2021-12-21 21:59:59,688 - mmdet - INFO - Epoch [2][850/930]     lr: 2.000e-02, eta: 0:38:49, "
    "time: 0.246, data_time: 0.008, memory: 3050, loss_rpn_cls: 0.0183, loss_rpn_bbox: 0.0052, "
    "loss_cls: 0.0937, acc: 97.9336, loss_bbox: 0.0432, loss_mask: 0.2523, loss: 0.4127\n"
    "2021-12-21 22:00:12,573 - mmdet - INFO - Epoch [2][900/930]     lr: 2.000e-02, eta: 0:38:38, "
    "time: 0.258, data_time: 0.008, memory: 3050, loss_rpn_cls: 0.0199, loss_rpn_bbox: 0.0059, "
    "loss_cls: 0.0975, acc: 97.9297, loss_bbox: 0.0428, loss_mask: 0.2603, loss: 0.4264\n"
)


def test_mmdet_epochs_are_read_per_epoch_from_their_last_iteration() -> None:
    # Lines of mmdet-epoch-iter-lines-mask-rcnn-sockets-notes-EXCERPT.txt's source: the last two
    # iterations of its epochs 1 and 2 and the evaluation between them (no step of either).
    [run] = load_runs(MMDET_TWO_EPOCHS.encode(), "log.txt")
    assert run.source.granularity == "epoch"
    assert run.source.aggregated is not None
    assert run.metrics["loss"].tolist() == [0.4607, 0.4264]


@pytest.mark.parametrize(
    ("text", "last"),
    [
        # facebookresearch/demucs#198 (w1745): a memory size and a duration in hours.
        (
            "Epoch 000: train=0.17936380 valid=0.23429446 best=0.2343 ms=0.00MB cms=0.00MB "
            "duration=0.48 hrs\n"
            "Epoch 001: train=0.16199168 valid=0.22592303 best=0.2259 ms=0.00MB cms=0.00MB "
            "duration=0.49 hrs\n",
            (0.16199168, 0.22592303),
        ),
        # facebookresearch/demucs#142, another user's run (an empty data set: all zero).
        (
            "Epoch 000: train=0.00000000 valid=0.00000000 best=0.0000 duration=0.82 s\n"
            "Epoch 001: train=0.00000000 valid=0.00000000 best=0.0000 duration=2.16 s\n",
            (0.0, 0.0),
        ),
    ],
)
def test_a_split_word_alone_names_its_loss_and_best_so_far_is_no_curve(
    text: str, last: tuple[float, float]
) -> None:
    [run] = load_runs(text.encode(), "log.txt")
    assert sorted(run.metrics) == ["loss", "val_loss"]
    assert (run.metrics["loss"][-1], run.metrics["val_loss"][-1]) == last


def test_values_said_in_words_after_a_counter_with_a_word_before_it() -> None:
    # sirius-ai/MobileFaceNet_TF#40 (w1747): InsightFace_TF's lines, one epoch of steps.
    text = (
        "epoch 0, total_step 24050, total loss is 47.09 , inference loss is 47.01, reg_loss is 0.08, "
        "training accuracy is 0.000000, time 229.386 samples/sec\n"
        "epoch 0, total_step 24100, total loss is 48.51 , inference loss is 48.43, reg_loss is 0.08, "
        "training accuracy is 0.000000, time 244.295 samples/sec\n"
    )
    [run] = load_runs(text.encode(), "log.txt")
    assert run.source.granularity == "step"
    assert run.metrics["loss"].tolist() == [47.09, 48.51]  # the total loss
    assert run.metrics["accuracy"].tolist() == [0.0, 0.0]
    assert "total_step" not in run.metrics


# Adnan-0786/GRU-based-Noise-suppressor's training_history.csv (w1648), its header, epochs 0-2,
# 28-29 of the first fit and 0-1 of the second: CSVLogger(append=True) after reloading the
# weights, the loss going on from 0.0516 (0.0539), not back to 0.1020.
RESUMED_CSV = (
    "epoch,accuracy,loss,mae,val_accuracy,val_loss,val_mae\r\n"
    "0,0.09142441302537918,0.10202464461326599,0.2806321978569031,NA,NA,NA\r\n"
    "1,0.1288808286190033,0.08596032112836838,0.24718806147575378,NA,NA,NA\r\n"
    "2,0.14396075904369354,0.07764030992984772,0.22996631264686584,NA,NA,NA\r\n"
    "28,0.1682121902704239,0.05342286825180054,0.17245854437351227,NA,NA,NA\r\n"
    "29,0.17428778111934662,0.05155391991138458,0.1688258796930313,NA,NA,NA\r\n"
    "0,0.16985464096069336,0.05393567681312561,0.17322860658168793,NA,NA,NA\r\n"
    "1,0.17218749225139618,0.052258800715208054,0.17041632533073425,NA,NA,NA\r\n"
)


def test_a_csvlogger_file_whose_restarts_resume_one_training_is_one_run() -> None:
    [run] = load_runs(RESUMED_CSV.encode(), "history.csv")
    assert run.epochs == 7
    assert run.metrics["loss"][-1] == 0.052258800715208054


def test_a_csvlogger_file_with_a_fresh_restart_holds_runs() -> None:
    # The same rows with the second fit's loss back at the first one's start: a new run.
    text = RESUMED_CSV.replace("0.05393567681312561", "0.10193567681312561")
    assert [run.epochs for run in load_runs(text.encode(), "history.csv")] == [5, 2]


@pytest.mark.parametrize(
    "text",
    [
        # Settings and results said in words are no epochs, however many lines say them.
        "Learning rate is 0.01\nBatch size is 32\nThe model is 3 layers deep.\n",
        "Final loss is 0.25\nTest loss is 0.30\n",
        "The loss is 0.5 after the first epoch.\nThe loss is 0.3 after the second epoch.\n",
    ],
)
def test_values_said_in_words_in_prose_are_no_epochs(text: str) -> None:
    with pytest.raises(HistoryError, match="found no training epochs"):
        load_runs(text.encode(), "notes.txt")


def test_the_windows_runtimes_nan_is_a_printed_nan() -> None:
    # microsoft/CNTK#406 (w1412): `TrainLossPerSample =  1.#QNAN000`, a NaN the run printed.
    text = (
        " Epoch[ 1 of 1]-Minibatch[   1- 500]: SamplesSeen = 500; TrainLossPerSample =  5.87155566; "
        "EvalErr[0]PerSample = 0.27600000\n"
        " Epoch[ 1 of 1]-Minibatch[ 501-1000]: SamplesSeen = 500; TrainLossPerSample =  1.#QNAN000; "
        "EvalErr[0]PerSample = 0.48000000\n"
    )
    [run] = load_runs(text.encode(), "log.txt")
    assert math.isnan(run.metrics["loss"][-1])
    assert "loss" not in run.source.not_logged
    [run] = load_runs(text.replace("1.#QNAN000", "-1.#INF000").encode(), "log.txt")
    assert run.metrics["loss"][-1] == -math.inf
