"""Pasted logger output the line readers read: excerpts of the seed-6879 holdout's logs (w1839,
w2016, w2027, w2029, w2030, w2039), quoted inline while that holdout is not yet retired."""

from __future__ import annotations

import math

import numpy as np
import pytest

from diagnosis.formats import load_runs
from diagnosis.history import HistoryError

# w2027 (SkeletonGCL on NW-UCLA): `time.asctime()` in brackets, a tab, then the message. The paste
# starts after epoch 14's `Training epoch: 14` line, with that epoch's training summary.
SKELETON_GCL = (
    "[ Sun Oct 29 17:00:03 2023 ] \tMean training loss: 0.7836. "
    "Mean graph loss: 0.0000.  Mean training acc: 70.04%.\n"
    "[ Sun Oct 29 17:00:03 2023 ] \tTime consumption: [Data]16%, [Network]84%\n"
    "[ Sun Oct 29 17:00:03 2023 ] Eval epoch: 14\n"
    "[ Sun Oct 29 17:00:09 2023 ] \tMean test loss of 8 batches: 0.5755612291395664.\n"
    "[ Sun Oct 29 17:00:09 2023 ] \tTop1: 80.60%\n"
    "[ Sun Oct 29 17:00:09 2023 ] Training epoch: 15\n"
    "[ Sun Oct 29 17:00:28 2023 ] \tMean training loss: 0.7648. "
    "Mean graph loss: 0.0000.  Mean training acc: 72.82%.\n"
    "[ Sun Oct 29 17:00:28 2023 ] \tTime consumption: [Data]15%, [Network]85%\n"
    "[ Sun Oct 29 17:00:28 2023 ] Eval epoch: 15\n"
    "[ Sun Oct 29 17:00:34 2023 ] \tMean test loss of 8 batches: 0.5971676260232925.\n"
    "[ Sun Oct 29 17:00:34 2023 ] \tTop1: 77.16%\n"
    "[ Sun Oct 29 17:00:34 2023 ] Training epoch: 16\n"
    "[ Sun Oct 29 17:00:55 2023 ] \tMean training loss: 0.7935. "
    "Mean graph loss: 0.0000.  Mean training acc: 70.14%.\n"
    "[ Sun Oct 29 17:00:55 2023 ] Eval epoch: 16\n"
    "[ Sun Oct 29 17:01:01 2023 ] \tMean test loss of 8 batches: 0.5277879051864147.\n"
    "[ Sun Oct 29 17:01:01 2023 ] Training epoch: 17\n"
)


def test_a_log_that_starts_like_json_falls_through_to_the_line_readers() -> None:
    # `[ Sun ...` is no JSON array: the JSON reader's error was all a user got.
    (run,) = load_runs(SKELETON_GCL.encode(), "log.txt")
    # The training summary above the first record (`Eval epoch: 14`) is that epoch's.
    assert run.metrics["loss"].tolist() == pytest.approx([0.7836, 0.7648, 0.7935])
    # `of 8 batches` is what the mean was over, and `70.04%.` ends a sentence.
    assert run.metrics["val_loss"].tolist() == pytest.approx([0.57556, 0.59717, 0.52779], abs=1e-5)


def test_an_evaluation_the_paste_starts_inside_keeps_its_validation_loss() -> None:
    # w2039 (TD-GCN): the paste starts inside epoch 13, after its training summary: its
    # evaluation is still a point of the validation curve.
    lines = SKELETON_GCL.splitlines(keepends=True)
    log = (
        "[ Tue Nov 14 00:18:29 2023 ] \tCurrent lr: 0.100.\n"
        "[ Tue Nov 14 00:18:29 2023 ] Eval epoch: 13\n"
        "[ Tue Nov 14 00:22:09 2023 ] \tMean test loss of 258 batches: 0.6897661312259444.\n"
        + "".join(lines[5:])
    )
    (run,) = load_runs(log.encode(), "log.txt")
    assert run.epochs == 3  # 13, 15 and 16
    assert math.isnan(run.metrics["loss"][0])
    assert run.metrics["val_loss"][0] == pytest.approx(0.68977, abs=1e-5)


# w2030 (nnU-Net v2): a `name value` line each under `Epoch N`, a timestamp and `: ` before it
# (the trailing space each line has in the log left out).
NNUNET = """```
2024-06-12 18:20:21.625154: Epoch 0
2024-06-12 18:20:21.630196: Current learning rate: 0.01
2024-06-12 18:26:16.488273: train_loss 0.3602
2024-06-12 18:26:16.493741: val_loss 0.3339
2024-06-12 18:26:16.497657: Pseudo dice [0.0, 0.0, 0.0]
2024-06-12 18:26:16.502149: Epoch time: 354.87 s
2024-06-12 18:26:18.638051:
2024-06-12 18:26:18.641770: Epoch 1
2024-06-12 18:26:18.646975: Current learning rate: 0.00999
2024-06-12 18:31:37.105687: train_loss 0.1213
2024-06-12 18:31:37.113853: val_loss 0.4789
2024-06-12 18:31:37.118266: Pseudo dice [0.0, 0.0, 0.0]
2024-06-12 18:31:38.829792:
2024-06-12 18:31:38.834197: Epoch 2
2024-06-12 18:31:38.840446: Current learning rate: 0.00998
2024-06-12 18:36:38.060880: train_loss 0.5986
2024-06-12 18:36:38.067308: val_loss 3.6355
"""


def test_fields_without_a_colon_under_epoch_lines() -> None:
    (run,) = load_runs(NNUNET.encode(), "log.txt")
    assert run.metrics["loss"].tolist() == pytest.approx([0.3602, 0.1213, 0.5986])
    assert run.metrics["val_loss"].tolist() == pytest.approx([0.3339, 0.4789, 3.6355])


def test_a_last_epoch_without_the_loss_is_cut_off() -> None:
    # w2029: the paste stops after epoch 1's learning rate.
    log = NNUNET.replace("0.3602", "nan").replace("0.3339", "nan").split("2024-06-12 18:26:18.641770")[0]
    log += "2024-06-12 18:26:18.641770: Epoch 1\n2024-06-12 18:26:18.646975: Current learning rate: 0.00999\n"
    (run,) = load_runs(log.encode(), "log.txt")
    assert run.epochs == 1
    assert math.isnan(run.metrics["loss"][-1])
    assert run.source.skipped_lines == 1


def test_an_invisible_character_in_a_printed_trainer_dict() -> None:
    # w2016: an emoji variation selector after some `'loss':` keys.
    log = "".join(
        f"{{'loss':{mark} 0.0, 'learning_rate': {i}e-05, 'epoch': 0.0}}                  \n"
        for i, mark in enumerate(["", "\ufe0f", "", "", "\ufe0f"], start=1)
    )
    (run,) = load_runs(log.encode(), "log.txt")
    assert run.epochs == 5
    assert run.metrics["learning_rate"][-1] == pytest.approx(5e-05)


def test_appended_fits_whose_loss_went_flat_are_one_training() -> None:
    # w1839: fastai's CSVLogger over twenty `fit_one_cycle` calls, its epoch counter restarting
    # at 0 each time; a stretch on the plateau may end above its own first loss (0.00623 ->
    # 0.00624, then 0.00614), which is still nowhere near where the training began (0.0327).
    stretches = [[0.032662, 0.021561, 0.009169], [0.006230, 0.006100, 0.006240], [0.006140, 0.006080]]
    rows = [
        f"{epoch},{loss},{loss * 1.5},00:14" for stretch in stretches for epoch, loss in enumerate(stretch)
    ]
    table = "epoch,train_loss,valid_loss,time\n" + "\n".join(rows) + "\n"
    (run,) = load_runs(table.encode(), "train_log.csv")
    assert run.epochs == 8
    # A restart back near the start makes the file one of runs, each restart one.
    fresh = table + "0,0.032,0.048,00:14\n1,0.021,0.032,00:14\n"
    assert [run.epochs for run in load_runs(fresh.encode(), "train_log.csv")] == [3, 3, 2, 2]
    assert np.isfinite(run.metrics["val_loss"]).all()


# w2104: pandas' CSV of a frame whose cells are History lists, the training row over the
# validation row (each list cut to its first three values here).
LIST_CELLS = (
    "accuracy,loss\n"
    '"[0.7304193037974683, 0.836629746835443, 0.8789556962025317]",'
    '"[0.6997548898186865, 0.4296972532815571, 0.34811635645507255]"\n'
    '"[0.7899305555555556, 0.8246527777777778, 0.890625]",'
    '"[0.5102344387107425, 0.44707875698804855, 0.3322020640286307]"\n'
)


@pytest.mark.parametrize("name", ["history.csv", "log.txt"])
def test_cells_that_are_whole_curves(name: str) -> None:
    (run,) = load_runs(LIST_CELLS.encode(), name)
    assert run.metrics["loss"].tolist() == pytest.approx([0.69975, 0.42970, 0.34812], abs=1e-5)
    assert run.metrics["val_loss"].tolist() == pytest.approx([0.51023, 0.44708, 0.33220], abs=1e-5)
    assert run.metrics["val_accuracy"][-1] == pytest.approx(0.890625)
    # A third row says no split: not such a table.
    with pytest.raises(HistoryError):
        load_runs((LIST_CELLS + LIST_CELLS.splitlines(keepends=True)[1]).encode(), name)


def test_one_epochs_record_among_step_lines_leaves_the_steps_the_curve() -> None:
    # w2009 (tf_unet): epoch 6's summary, then a line every other iteration.
    log = "2018-07-28 20:06:05,497 Epoch 6, Average loss: 0.0000, learning rate: 0.0010\n" + "".join(
        f"2018-07-28 20:06:{10 + i:02d},507 Iter {224 + 2 * i}, Minibatch Loss= 0.0{i}00, "
        "Training Accuracy= 1.0000, Minibatch error= 0.0%\n"
        for i in range(4)
    )
    (run,) = load_runs(log.encode(), "log.txt")
    assert run.source.granularity == "step"
    assert run.metrics["loss"].tolist() == pytest.approx([0.0, 0.01, 0.02, 0.03])
    # Two epochs' records stay the curve.
    two = log.replace("Epoch 6", "Epoch 5") + "2018-07-28 20:07:05,497 Epoch 6, Average loss: 0.0100\n"
    assert load_runs(two.encode(), "log.txt")[0].epochs == 2
