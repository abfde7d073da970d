"""The training probes (diagnosis/probes/training.py): a loss still falling is slow memorization
and a flat one is stuck, the probes get only the finite rows, multi-hot outputs are scored per
tag, and dead units in the saved weights are told apart from a fresh draw's."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from diagnosis.bundle import ModelInfo, TrainingConfig, label_info
from diagnosis.models import Severity
from diagnosis.probes.training import (
    LR_MAX,
    LR_MIN,
    LR_STEPS,
    MIN_REPLAY_STEPS,
    MOVING_AVERAGE_LEFT,
    OVERFIT_STEPS,
    REPLAY_EPOCHS,
    STALL_GAIN,
    FreshStart,
    Memorization,
    Prepared,
    ProbeResults,
    TargetScale,
    gradient_stats,
    lr_range_test,
    moving_average_steps,
    overfit_one_batch,
    replay,
    replay_epochs,
    saved_weights,
    task_score,
)
from testkit.factories import network


def test_multi_hot_scores_each_tag() -> None:
    class Echo:  # a "model" that predicts the labels, wrong on one tag of one row
        def __call__(self, x: np.ndarray, training: bool = False) -> np.ndarray:
            return x

    y = np.array([[1, 0, 1], [0, 1, 1]], dtype=np.float32)
    guess = y.copy()
    guess[0, 0] = 0.2
    assert task_score(Echo(), guess, y, label_info(y)) == {"accuracy": pytest.approx(5 / 6, abs=1e-4)}


def test_class_ids_are_also_scored_on_the_mean_recall_over_classes() -> None:
    """Predicting the majority of 9:1 classes is 90 % accurate and half right on balance: the
    balanced accuracy is what a class-weighting trial is judged on."""
    y = np.array([0] * 9 + [1], dtype=np.int64)
    majority = lambda x, training=False: np.tile([[0.9, 0.1]], (len(x), 1))  # noqa: E731
    score = task_score(majority, np.zeros((10, 2)), y, label_info(y, "sparse_categorical_crossentropy"))
    assert score == {"accuracy": 0.9, "balanced_accuracy": 0.5}
    one_unit = lambda x, training=False: np.full((len(x), 1), 0.2)  # noqa: E731
    binary = task_score(one_unit, np.zeros((10, 2)), y, label_info(y, "binary_crossentropy"))
    assert binary == {"accuracy": 0.9, "balanced_accuracy": 0.5}


def test_a_loss_still_falling_a_few_percent_is_not_stuck() -> None:
    steps = np.arange(OVERFIT_STEPS, dtype=np.float64)
    # A slow learner: 1.12 -> 0.96, about 5 % over the last 50 steps, like the 1-D CNN.
    slow = Memorization(list(1.12 * np.exp(-steps / 1000)))
    # A wiring fault: the loss has levelled off to within a fraction of a percent.
    stuck = Memorization(list(0.68 + 0.2 * np.exp(-steps / 10)))
    assert not slow.memorized
    assert slow.still_falling
    assert slow.late_gain is not None
    assert slow.late_gain < 0.1  # the old 10 % rule called it stuck
    assert not stuck.memorized
    assert not stuck.still_falling
    assert stuck.late_gain is not None
    assert stuck.late_gain < STALL_GAIN


def _dense(bias: float) -> tuple[object, ModelInfo, Prepared]:
    import keras

    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.layers.Input((6,)),
            keras.layers.Dense(16, activation="relu"),
            keras.layers.Dense(16, activation="relu", name="last_hidden"),
            keras.layers.Dense(1),
        ]
    )
    layer = model.get_layer("last_hidden")
    kernel, b = layer.get_weights()
    layer.set_weights([kernel, np.full_like(b, bias)])
    model.compile(optimizer="adam", loss="mse")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 6)).astype(np.float32)
    y = x.sum(axis=1).astype(np.float32)
    info = network("mean_squared_error", 1, hidden=(16,), params=200)
    return model, info, Prepared(x, y, x[:50], y[:50])


def test_dead_units_in_the_saved_weights_are_found_before_any_reinitialization() -> None:
    model, info, data = _dense(bias=-20.0)
    out = ProbeResults()
    saved_weights(model, FreshStart(model, info), data, out)
    [finding] = out.findings
    assert finding.code == "dead_units"
    assert finding.severity is Severity.warning
    assert [layer["layer"] for layer in finding.evidence["layers"]] == ["last_hidden"]
    assert finding.evidence["layers"][0]["share"] == 1.0
    assert finding.evidence["layers"][0]["fresh_share"] < 0.5


def test_saved_weights_that_a_fresh_draw_matches_are_quiet() -> None:
    model, info, data = _dense(bias=0.0)
    out = ProbeResults()
    saved_weights(model, FreshStart(model, info), data, out)
    assert out.findings == []
    assert out.measurements["saved_weights"]["batch"] == len(data.x[:256])


def test_a_loss_still_falling_is_slow_memorization_and_a_flat_one_is_stuck() -> None:
    steps = np.arange(OVERFIT_STEPS)
    falling = Memorization(list(0.8 * np.exp(-steps / 120)))  # 0.8 -> 0.23, still dropping
    flat = Memorization(list(0.7 - 0.1 * (1 - np.exp(-steps / 10))))  # levelled off at 0.6
    assert not falling.memorized
    assert falling.still_falling
    assert not flat.memorized
    assert not flat.still_falling
    blown = Memorization([0.7] * 10 + [float("nan")])
    assert blown.late_gain is None
    assert blown.blew_up
    assert not flat.blew_up


def test_a_batch_whose_loss_overflows_is_no_wiring_fault() -> None:
    """Inputs of 1e20 overflow the MSE on the first step: the reference run blew up, which is
    the replay's instability to read, not a model that cannot learn."""
    model, info, data = _dense(0.0)
    huge = Prepared(data.x * np.float32(1e20), data.y, data.x_val, data.y_val)
    out = ProbeResults()
    overfit_one_batch(model, FreshStart(model, info), info, huge, out)
    assert out.measurements["overfit_one_batch"]["reference_adam"]["blew_up"] is True
    assert out.findings == []


def test_model_probes_get_only_the_finite_rows() -> None:
    x = np.ones((10, 3), dtype=np.float32)
    x[2, 1] = np.nan
    y = np.arange(10.0)
    y[5] = np.inf
    prepared = Prepared(x, y, x[:4].copy(), y[:4].copy())
    finite = prepared.finite()
    assert len(finite.x) == 8
    assert np.isfinite(finite.x).all()
    assert np.isfinite(finite.y).all()
    assert finite.x_val.shape == (3, 3)


@pytest.mark.parametrize("started_finite", [True, False])
def test_a_gradient_that_went_non_finite_from_a_finite_start_exploded(started_finite: bool) -> None:
    """SGD at a rate of 1e6 blows the weights up within the warm-up steps: the non-finite
    gradient norm is an explosion, not a norm of 0. A loss non-finite from the start is the
    wiring's, and no explosion."""
    model, info, data = _dense(0.0)
    info = dataclasses.replace(info, optimizer="sgd", learning_rate=1e6)
    out = ProbeResults()
    out.measurements["initial_loss"] = {"loss": 1.0 if started_finite else None}
    gradient_stats(FreshStart(model, info), data, out)
    assert out.measurements["gradient_stats"]["global_grad_norm"] is None
    codes = [f.code for f in out.findings]
    assert ("exploding_gradients" in codes) is started_finite


def test_dead_units_behind_a_relu_layer_are_found() -> None:
    """Dense then ReLU() (the usual way after BatchNormalization): the ReLU layer has no
    `activation` attribute, and its dead units are as dead as a Dense(relu)'s."""
    import keras

    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.layers.Input((6,)),
            keras.layers.Dense(16, name="pre"),
            keras.layers.ReLU(name="gate"),
            keras.layers.Dense(1),
        ]
    )
    layer = model.get_layer("pre")
    kernel, b = layer.get_weights()
    layer.set_weights([kernel, np.full_like(b, -20.0)])
    model.compile(optimizer="adam", loss="mse")
    x = np.random.default_rng(0).normal(size=(300, 6)).astype(np.float32)
    y = x.sum(axis=1).astype(np.float32)
    info = network("mean_squared_error", 1, hidden=(16,), params=129)
    out = ProbeResults()
    saved_weights(model, FreshStart(model, info), Prepared(x, y, x[:50], y[:50]), out)
    [finding] = out.findings
    assert finding.code == "dead_units"
    assert [layer["layer"] for layer in finding.evidence["layers"]] == ["gate"]


def test_a_range_test_with_batches_of_one_judges_the_rate_on_steady_batches() -> None:
    """Batches of one on a raw grid (x = 0..199, y = 2x): one sample's loss swings by orders of
    magnitude, so a range test on single samples ended on noise before judging any rate. On
    LR_MIN_BATCH rows it finds where SGD blows up (about 2 / mean(x**2)), and 1e-3 is far above."""
    import keras

    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.layers.Input((1,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=1e-3), loss="mse")
    x = np.random.default_rng(0).permutation(200).astype(np.float32).reshape(-1, 1)
    y = 2 * x[:, 0]
    info = network(
        "mean_squared_error", 1, "linear", hidden=(), params=2, optimizer="sgd", learning_rate=1e-3
    )
    out = ProbeResults()
    data = Prepared(x, y, x[:40], y[:40])
    lr_range_test(FreshStart(model, info), info, data, TrainingConfig(batch_size=1), out)
    assert out.measurements["lr_range_test"]["blows_up_at"] < 1e-3
    assert [f.code for f in out.findings] == ["lr_too_high"]


class _Scripted:
    """A model whose training loss is scripted per step, for the range test's bookkeeping."""

    def __init__(self, losses: list[float]) -> None:
        import keras

        self.losses = iter(losses)
        self.optimizer = keras.optimizers.SGD(learning_rate=1e-3)

    def restored(self) -> _Scripted:
        return self

    def train_on_batch(self, x: np.ndarray, y: np.ndarray) -> float:
        return next(self.losses)


def test_a_range_test_whose_loss_overflows_records_where_it_blew_up() -> None:
    """A loss that goes from steady to NaN in one step never rises LR_BLOWUP times its best on the
    way; the overflow itself is the blow-up, and a configured rate above a third of it is too high."""
    rates = np.geomspace(LR_MIN, LR_MAX, LR_STEPS)
    losses = [1.0] * 40 + [float("nan")]
    info = network("mean_squared_error", 1, "linear", optimizer="sgd", learning_rate=float(rates[40]))
    x = np.zeros((64, 1), dtype=np.float32)
    out = ProbeResults()
    lr_range_test(_Scripted(losses), info, Prepared(x, x[:, 0], x, x[:, 0]), TrainingConfig(), out)  # type: ignore[arg-type]
    assert out.measurements["lr_range_test"]["blows_up_at"] == pytest.approx(rates[40], rel=1e-2)
    assert [f.code for f in out.findings] == ["lr_too_high"]


def test_a_replay_on_standardized_targets_is_scored_in_the_users_units() -> None:
    """Targets around 1000 under Adam at 1e-3: a hundred steps of about 1e-3 each cannot move the
    output there, standardized targets it can fit. The trial's score maps its predictions back,
    so its MSE is in the user's units (far above 1) and comparable with the replay's."""
    import keras

    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 1)).astype(np.float32)
    y = (300 * x[:, 0] + 1000).astype(np.float32)
    data = Prepared(x[:320], y[:320], x[320:], y[320:])
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.layers.Input((1,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3), loss="mse")
    info = network("mean_squared_error", 1, "linear", hidden=(), params=2)
    start, config, labels = (
        FreshStart(model, info),
        TrainingConfig(epochs=8),
        label_info(y, "mean_squared_error"),
    )
    raw = replay(start, data, config, labels).score["mse"]
    scale = TargetScale.of(data.y)
    scaled = replay(start, data, config, labels, targets=scale).score["mse"]
    assert raw is not None
    assert scaled is not None
    assert 1.0 < scaled < raw / 5
    assert np.allclose(scale.scaled(y).std(), 1.0, atol=0.05)


def test_a_full_batch_replay_runs_as_many_steps_as_a_usual_one_within_the_users_epochs() -> None:
    """Eight epochs are hundreds of steps on 2000 rows at batch 32, but eight on a full batch:
    the replay then runs MIN_REPLAY_STEPS steps, never more epochs than the user trains for."""
    assert replay_epochs(TrainingConfig(batch_size=32, epochs=500), 63) == REPLAY_EPOCHS
    assert replay_epochs(TrainingConfig(batch_size=320, epochs=1000), 1) == MIN_REPLAY_STEPS
    assert replay_epochs(TrainingConfig(batch_size=320, epochs=20), 1) == 20
    assert replay_epochs(TrainingConfig(batch_size=320), 4) == -(-MIN_REPLAY_STEPS // 4)


def test_a_replay_with_batch_normalization_runs_until_its_moving_averages_settle() -> None:
    """Validation reads the moving averages: at momentum 0.99 they keep 5 % of their start
    after 299 steps, so a replay of a batch-normalized model runs at least that many."""
    import keras

    plain = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3), keras.layers.Dense(2)])
    normalized = keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(3), keras.layers.BatchNormalization(), keras.layers.Dense(2)]
    )
    assert moving_average_steps(plain) == 0
    steps = moving_average_steps(normalized)
    assert 0.99**steps <= MOVING_AVERAGE_LEFT < 0.99 ** (steps - 1)
    assert steps > MIN_REPLAY_STEPS
    assert replay_epochs(TrainingConfig(batch_size=64, epochs=30), 18, steps) * 18 >= steps
    import keras

    rng = np.random.default_rng(0)
    x = rng.normal(size=(100, 2)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.float32)
    data = Prepared(x[:80], y[:80], x[80:], y[80:])
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.layers.Input((2,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-2), loss="binary_crossentropy")
    info = network("binary_crossentropy", 1, "sigmoid", hidden=(), params=3)
    config = TrainingConfig(batch_size=80, epochs=1000)
    run = replay(FreshStart(model, info, metrics=True), data, config, label_info(y, "binary_crossentropy"))
    assert run.steps == MIN_REPLAY_STEPS
    assert len(run.history["loss"]) == MIN_REPLAY_STEPS


def test_a_multi_label_replay_counts_each_tag_in_its_accuracy_curve() -> None:
    """Keras reads "accuracy" over several units as the arg-max class; over multi-hot rows that
    is no accuracy (a fixed multi-label net read 0.23 against a chance of 1/2). The replay's
    curve then scores each tag, as task_score does, under the same name."""
    import keras

    from diagnosis.probes.model_info import describe

    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 4)).astype(np.float32)
    y = (x[:, :3] > 0).astype(np.float32)  # three independent tags, often several per row
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.layers.Input((4,)), keras.layers.Dense(3, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-2), loss="binary_crossentropy")
    info = describe(model, TrainingConfig())
    data = Prepared(x[:160], y[:160], x[160:], y[160:])
    labels = label_info(y, "binary_crossentropy")
    config = TrainingConfig(batch_size=32, epochs=8)
    per_tag = replay(FreshStart(model, info, metrics=True, per_unit_accuracy=True), data, config, labels)
    argmax = replay(FreshStart(model, info, metrics=True), data, config, labels)
    assert per_tag.history["val_accuracy"][-1] == pytest.approx(per_tag.score["accuracy"], abs=1e-3)
    assert per_tag.history["val_accuracy"][-1] > 0.7
    # The arg-max reading scores the same weights (the same seed) as something else.
    assert argmax.score == per_tag.score
    assert abs(argmax.history["val_accuracy"][-1] - argmax.score["accuracy"]) > 0.1
