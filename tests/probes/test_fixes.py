"""Fix trials (diagnosis/probes/fixes.py): a loss swap brings the output head the new loss needs."""

from __future__ import annotations

import numpy as np

from diagnosis.bundle import label_info
from diagnosis.probes.fixes import _head_for


def test_a_loss_swap_brings_the_output_head_it_needs() -> None:
    ten = label_info(np.arange(50) % 10)
    assert _head_for("sparse_categorical_crossentropy", {}, ten) == {"activation": "softmax", "units": 10}
    assert _head_for("binary_crossentropy", {}, ten) == {"units": 1, "activation": "sigmoid"}
    assert _head_for("mean_squared_error", {}, label_info(np.linspace(0, 1, 20))) == {"activation": "linear"}
