"""Lines of metric meters people paste from PyTorch loops (issue 13): an ETA printed as a clock,
a meter's mean so far in brackets after each value, and names without a colon beside names with
one. The excerpts are verbatim lines of the seed-6879 holdout logs named beside them (scored
once; quoted here, not read from the corpus, while their split is still `holdout`)."""

from __future__ import annotations

from diagnosis.formats import load_runs

# CoinCheung/BiSeNet#306 (w2046): iteration lines, the ETA as a clock among `name: value` fields.
BISENET_ITERATIONS = (
    "iter: 100/180000, lr: 0.003454, eta: 5:22:45, time: 10.87, loss: 132873553.8683, "
    "loss_pre: 132873553.8683, loss_aux0: 0.0000\n"
    "iter: 200/180000, lr: 0.004348, eta: 5:12:08, time: 10.06, loss: 46347.5991, loss_pre: "
    "46347.5991, loss_aux0: 0.0000\n"
    "iter: 300/180000, lr: 0.005474, eta: 5:12:48, time: 10.50, loss: 307194.5442, loss_pre: "
    "307194.5442, loss_aux0: 0.0000\n"
)

# open-mmlab/mmsegmentation#2242 (w2040): mmcv's iteration lines without an epoch.
MMSEG_ITERATIONS = (
    "2022-10-27 17:28:08,770 - mmseg - INFO - Iter [1100/160000]     lr: 4.366e-05, eta: 6:30:57, "
    "time: 0.137, data_time: 0.005, memory: 970, decode.loss_ce: 0.0045, decode.acc_seg: 100.0000, "
    "loss: 0.0045\n"
    "2022-10-27 17:28:15,777 - mmseg - INFO - Iter [1150/160000]     lr: 4.563e-05, eta: 6:29:58, "
    "time: 0.140, data_time: 0.006, memory: 970, decode.loss_ce: 0.0036, decode.acc_seg: 100.0000, "
    "loss: 0.0036\n"
)


def test_an_eta_printed_as_a_clock_is_no_field() -> None:
    [bisenet] = load_runs(BISENET_ITERATIONS.encode(), "log.txt")
    assert bisenet.source.granularity == "step"
    assert bisenet.metrics["loss"].tolist() == [132873553.8683, 46347.5991, 307194.5442]
    assert "eta" not in bisenet.metrics
    [mmseg] = load_runs(MMSEG_ITERATIONS.encode(), "log.txt")
    assert mmseg.metrics["loss"].tolist() == [0.0045, 0.0036]
    assert mmseg.metrics["learning_rate"].tolist() == [4.366e-05, 4.563e-05]


# 935963004/LaBraM#4 (w2020): BEiT's MetricLogger, each value then its mean so far, `(inf)` among
# them, steps of one epoch.
LABRAM_STEPS = (
    "Epoch: [0]  [210/582]  eta: 0:01:39  lr: 0.000036  min_lr: 0.000000  loss: 0.5454 "
    "(0.6458)  class_acc: 0.7734 (0.6859)  loss_scale: 2048.0000 (21169.1374)  weight_decay: "
    "0.0500 (0.0500)  grad_norm: 10.5632 (inf)  time: 0.1848  data: 0.0001  max mem: 8738\n"
    "Epoch: [0]  [220/582]  eta: 0:01:35  lr: 0.000038  min_lr: 0.000000  loss: 0.5393 "
    "(0.6406)  class_acc: 0.7734 (0.6903)  loss_scale: 2048.0000 (20303.9276)  weight_decay: "
    "0.0500 (0.0500)  grad_norm: 9.9680 (inf)  time: 0.1872  data: 0.0001  max mem: 8738\n"
    "Epoch: [0]  [230/582]  eta: 0:01:31  lr: 0.000040  min_lr: 0.000000  loss: 0.5355 "
    "(0.6367)  class_acc: 0.7578 (0.6928)  loss_scale: 2048.0000 (19513.6277)  weight_decay: "
    "0.0500 (0.0500)  grad_norm: 9.5637 (inf)  time: 0.1885  data: 0.0001  max mem: 8738\n"
)

# htyao89/KgCoOp#2 (w2035): Dassl's lines, tab-separated `name value (mean)`, one step an epoch.
KGCOOP_EPOCHS = (
    "epoch [1/100][1/1]\ttime 1.927 (1.927)\tdata 1.723 (1.723)\teta 0:03:10\tloss 2.7969 (2.7969)"
    "\tacc 48.7500 (48.7500)\tlr 2.000000e-03\n"
    "epoch [2/100][1/1]\ttime 0.869 (0.869)\tdata 0.758 (0.758)\teta 0:01:25\tloss 2.7656 (2.7656)"
    "\tacc 50.0000 (50.0000)\tlr 1.999013e-03\n"
    "epoch [3/100][1/1]\ttime 0.881 (0.881)\tdata 0.775 (0.775)\teta 0:01:25\tloss 2.6328 (2.6328)"
    "\tacc 50.0000 (50.0000)\tlr 1.996055e-03\n"
)


def test_a_meters_mean_so_far_in_brackets_is_no_value() -> None:
    [labram] = load_runs(LABRAM_STEPS.encode(), "log.txt")
    assert labram.source.granularity == "step"
    assert labram.metrics["loss"].tolist() == [0.5454, 0.5393, 0.5355]  # not the means
    assert labram.metrics["grad_norm"].tolist() == [10.5632, 9.968, 9.5637]  # not the inf mean
    assert "eta" not in labram.metrics
    [kgcoop] = load_runs(KGCOOP_EPOCHS.encode(), "log.txt")
    assert kgcoop.epochs == 3
    assert kgcoop.metrics["loss"].tolist() == [2.7969, 2.7656, 2.6328]
    assert {"time", "eta"}.isdisjoint(kgcoop.metrics)


# omarsayed7/Deep-Emotion#6 (w2034): a colon after some names only, a misspelt accuracy.
DEEP_EMOTION = (
    "Epoch: 1        Training Loss: 0.01437178       Validation Loss 0.01457405      Training "
    "Acuuarcy 24.926%       Validation Acuuarcy 24.937%\n"
    "Epoch: 2        Training Loss: 0.01419203       Validation Loss 0.01462503      Training "
    "Acuuarcy 25.131%       Validation Acuuarcy 24.937%\n"
)


def test_names_without_a_colon_beside_a_name_with_one_are_fields() -> None:
    [run] = load_runs(DEEP_EMOTION.encode(), "log.txt")
    assert run.metrics["loss"].tolist() == [0.01437178, 0.01419203]
    assert run.metrics["val_loss"].tolist() == [0.01457405, 0.01462503]
    assert run.metrics["val_acuuarcy"].tolist() == [0.24937, 0.24937]  # the percent is a share
