"""The model probes share one compiled fresh copy, restored before each of them: a restored
copy must train exactly as a freshly seeded clone would, whatever the previous probe did to
its weights, moving statistics, dropout seeds and optimizer slots."""

from __future__ import annotations

import numpy as np
import pytest

from diagnosis.bundle import TrainingConfig
from diagnosis.probes.model_info import describe, fresh_copy
from diagnosis.probes.training import OVERFIT_BATCH, FreshStart, _seed


def _model(optimizer: str) -> object:
    import keras

    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((6,)),
            keras.layers.Dense(16),
            keras.layers.BatchNormalization(),
            keras.layers.Activation("relu"),
            keras.layers.Dropout(0.3),
            keras.layers.Dense(3, activation="softmax"),
        ]
    )
    model.compile(optimizer=keras.optimizers.get(optimizer), loss="sparse_categorical_crossentropy")
    return model


@pytest.mark.parametrize("optimizer", ["adam", "adagrad", "sgd"])
def test_a_restored_start_trains_exactly_like_a_fresh_seeded_copy(optimizer: str) -> None:
    model = _model(optimizer)
    info = describe(model, TrainingConfig())
    rng = np.random.default_rng(0)
    x = rng.normal(size=(OVERFIT_BATCH, 6)).astype(np.float32)
    y = rng.integers(0, 3, OVERFIT_BATCH)

    def losses(copy: object) -> list[float]:
        return [float(copy.train_on_batch(x, y)) for _ in range(15)]  # type: ignore[attr-defined]

    _seed()
    expected = losses(fresh_copy(model, info, metrics=False))
    start = FreshStart(model, info)
    first = losses(start.restored())
    start.restored().optimizer.learning_rate.assign(0.5)  # as the range test does
    again = losses(start.restored())
    assert first == expected
    assert again == expected
