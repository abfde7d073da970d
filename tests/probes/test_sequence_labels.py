"""Sequence outputs with a label per time step (a language model predicting the next word at
each step): the labels are read per step, the way the model predicts them, by the audits, the
replay's score and the whole pipeline."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from diagnosis.bundle import label_info, position_rows
from diagnosis.probes.loader import Limits
from diagnosis.probes.run import probe_bundle
from diagnosis.probes.training import task_score
from testkit.bundles import make_bundle

LIMITS = Limits(max_unpacked_bytes=50 * 1024 * 1024)
VOCAB, STEPS = 12, 4


def _windows(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Windows of word ids from a chain where each word has one likely successor, and the next
    word at each step as the label (n, STEPS)."""
    rng = np.random.default_rng(seed)
    successor = rng.permutation(VOCAB)
    words = np.empty((n, STEPS + 1), dtype=np.int64)
    words[:, 0] = rng.integers(VOCAB, size=n)
    for t in range(STEPS):
        noise = rng.random(n) < 0.1
        words[:, t + 1] = np.where(noise, rng.integers(VOCAB, size=n), successor[words[:, t]])
    return words[:, :STEPS].astype(np.int32), words[:, 1:]


def _language_model(loss: str, lr: float) -> object:
    import keras

    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((STEPS,), dtype="int32"),
            keras.layers.Embedding(VOCAB, 16),
            keras.layers.LSTM(16, return_sequences=True),
            keras.layers.TimeDistributed(keras.layers.Dense(VOCAB, activation="softmax")),
        ]
    )
    model.compile(optimizer=keras.optimizers.Adam(lr), loss=loss)
    return model


def test_labels_per_step_are_read_as_one_class_per_step() -> None:
    _, words = _windows(50)
    one_hot = np.eye(VOCAB)[words]
    sparse = label_info(words, "sparse_categorical_crossentropy", (STEPS, VOCAB))
    dense = label_info(one_hot, "categorical_crossentropy", (STEPS, VOCAB))
    assert (sparse.format, sparse.num_classes) == ("integer", int(words.max()) + 1)
    assert (dense.format, dense.num_classes, dense.columns) == ("one_hot", VOCAB, VOCAB)
    # Without positions in the output, the same (n, STEPS) array stays one row per sample.
    assert position_rows(words, (VOCAB,)) is None
    assert label_info(words, "sparse_categorical_crossentropy").format != "integer"


def test_the_score_counts_each_step() -> None:
    _, words = _windows(40)
    one_hot = np.eye(VOCAB)[words]
    # A "model" right on the first two steps of every window and wrong on the other two.
    guess = np.eye(VOCAB)[np.concatenate([words[:, :2], (words[:, 2:] + 1) % VOCAB], axis=1)]
    for labels, loss in ((one_hot, "categorical_crossentropy"), (words, "sparse_categorical_crossentropy")):
        info = label_info(labels, loss, (STEPS, VOCAB))
        score = task_score(lambda x, training=False: guess[: len(x)], words, labels, info)
        assert score["accuracy"] == 0.5


@pytest.mark.parametrize("loss", ["sparse_categorical_crossentropy", "categorical_crossentropy"])
def test_a_language_model_with_a_label_per_step_is_probed_end_to_end(tmp_path: Path, loss: str) -> None:
    x, words = _windows(600)
    y = words if loss.startswith("sparse") else np.eye(VOCAB, dtype=np.float32)[words]
    model = _language_model(loss, 1e-2)
    bundle = make_bundle(tmp_path / "lm.zip", model, x, y, training={"batch_size": 32, "epochs": 6})
    result = probe_bundle(bundle, LIMITS)
    # Chance is 1/12 per step; the chain's next word is 90 % predictable.
    assert result.probes["replay"]["score"]["accuracy"] > 0.5
    assert result.probes["initial_loss"]["expected"] == pytest.approx(np.log(VOCAB), abs=1e-3)
    assert not {"loss_task_mismatch", "output_shape_mismatch", "label_format_mismatch"} & {
        f.code for f in result.findings
    }
