"""ConvergenceMonitor trains real Keras models against the real service."""

from __future__ import annotations

import logging

import httpx
import numpy as np
import pytest

from testkit.support import free_port
from tests.conftest import KEY_ACME


def _model_and_data(seed: int = 0):
    import keras

    keras.utils.set_random_seed(seed)
    x = np.random.default_rng(seed).normal(size=(256, 4)).astype("float32")
    y = (x[:, 0] + x[:, 1] > 0).astype("float32")
    model = keras.Sequential(
        [
            keras.layers.Input((4,)),
            keras.layers.Dense(8, activation="relu"),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model, x, y


def test_epochs_stream_to_a_live_run(api_url: str) -> None:
    from convdiag.keras_callback import ConvergenceMonitor

    model, x, y = _model_and_data()
    monitor = ConvergenceMonitor(url=api_url, api_key=KEY_ACME)
    history = model.fit(x, y, epochs=5, validation_split=0.25, verbose=0, callbacks=[monitor])
    run = httpx.get(
        f"{api_url}/v1/runs/{monitor.run_id}", headers={"Authorization": f"Bearer {KEY_ACME}"}
    ).json()
    assert run["epochs"] == 5
    assert run["diagnosis"]["run"]["final"]["val_loss"] == pytest.approx(
        history.history["val_loss"][-1], rel=1e-5
    )


def test_the_run_starts_with_the_models_metadata_and_the_callers(api_url: str) -> None:
    from convdiag.keras_callback import ConvergenceMonitor

    model, x, y = _model_and_data()
    # The caller's value wins over the model's: an explicit metadata entry is deliberate.
    monitor = ConvergenceMonitor(
        url=api_url, api_key=KEY_ACME, metadata={"task": "binary", "num_samples": 256, "param_count": 7}
    )
    model.fit(x, y, epochs=2, verbose=0, callbacks=[monitor])
    run = httpx.get(
        f"{api_url}/v1/runs/{monitor.run_id}", headers={"Authorization": f"Bearer {KEY_ACME}"}
    ).json()
    assert run["epochs"] == 2
    assert {name: value for name, value in run["metadata"].items() if value is not None} == {
        "task": "binary",
        "num_samples": 256,
        "param_count": 7,
        "hidden_units": [8],
        "optimizer": "adam",
        "learning_rate": 0.001,
        "loss": "binary_crossentropy",
        "output_activation": "sigmoid",
        "output_units": 1,
        "steps_per_epoch": 8,  # 256 samples in batches of 32
    }


def test_refused_metadata_does_not_stop_the_stream(api_url: str, caplog: pytest.LogCaptureFixture) -> None:
    from convdiag.keras_callback import ConvergenceMonitor

    model, x, y = _model_and_data()
    monitor = ConvergenceMonitor(url=api_url, api_key=KEY_ACME, metadata={"num_samples": -1})
    with caplog.at_level(logging.WARNING, logger="convdiag.monitor"):
        model.fit(x, y, epochs=2, verbose=0, callbacks=[monitor])
    run = httpx.get(
        f"{api_url}/v1/runs/{monitor.run_id}", headers={"Authorization": f"Bearer {KEY_ACME}"}
    ).json()
    assert run["epochs"] == 2
    assert not any(run["metadata"].values())
    assert sum("metadata refused" in record.message for record in caplog.records) == 1


def test_an_error_finding_stops_training_when_asked(api_url: str, caplog: pytest.LogCaptureFixture) -> None:
    from convdiag.keras_callback import ConvergenceMonitor

    model, x, y = _model_and_data()
    y[::7] = np.nan  # NaN labels: the loss is NaN from the first epoch
    monitor = ConvergenceMonitor(url=api_url, api_key=KEY_ACME, stop_on_error=True)
    with caplog.at_level(logging.INFO, logger="convdiag.monitor"):
        history = model.fit(x, y, epochs=30, verbose=0, callbacks=[monitor])
    assert monitor.stop_reason is not None
    assert monitor.stop_reason.code == "loss_nan"
    assert len(history.epoch) < 30
    assert (
        sum("loss_nan" in record.message for record in caplog.records if "stopping" not in record.message)
        == 1
    )
    # The verdict's headline is logged when the answer changes, not every epoch.
    verdicts = [r.message for r in caplog.records if "verdict at epoch" in r.message]
    assert verdicts
    assert len(verdicts) == len(monitor.headlines) <= len(history.epoch)
    assert verdicts[0].endswith(monitor.headlines[0])


def test_service_down_never_breaks_training_and_logs_once(caplog: pytest.LogCaptureFixture) -> None:
    from convdiag.keras_callback import ConvergenceMonitor

    model, x, y = _model_and_data()
    monitor = ConvergenceMonitor(url=f"http://127.0.0.1:{free_port()}", flush_timeout=2)
    with caplog.at_level(logging.WARNING, logger="convdiag.monitor"):
        history = model.fit(x, y, epochs=4, verbose=0, callbacks=[monitor])
    assert len(history.epoch) == 4
    unavailable = [r for r in caplog.records if "service unavailable" in r.message]
    assert len(unavailable) == 1


def test_the_model_tells_the_task_and_k_so_ln_k_is_the_yardstick() -> None:
    """A softmax over five classes under a Loss object with a decaying rate: the monitor reads
    the loss's name, the output's activation and width and the rate at the current step, and
    the engine takes task, K and ln K from them, with no accuracy metric to go by."""
    import keras

    from convdiag.keras_callback import model_metadata
    from diagnosis.history import history_from_mapping

    keras.utils.set_random_seed(1)
    model = keras.Sequential(
        [
            keras.layers.Input((6,)),
            keras.layers.Dense(16, activation="relu"),
            keras.layers.Dense(5, activation="softmax"),
        ]
    )
    schedule = keras.optimizers.schedules.ExponentialDecay(0.01, decay_steps=10, decay_rate=0.5)
    model.compile(optimizer=keras.optimizers.SGD(schedule), loss=keras.losses.SparseCategoricalCrossentropy())
    told = model_metadata(model)
    assert told["loss"] == "sparse_categorical_crossentropy"
    assert (told["output_activation"], told["output_units"]) == ("softmax", 5)
    assert told["hidden_units"] == [16]
    assert told["learning_rate"] == pytest.approx(0.01)
    facts = history_from_mapping({"loss": [1.62, 1.61, 1.6]}, told).facts
    assert (facts.task, facts.num_classes) == ("multiclass", 5)
    assert facts.chance_loss == pytest.approx(np.log(5))
    # A regression head under MSE is a regression; with an accuracy logged it is left open.
    model = keras.Sequential([keras.layers.Input((6,)), keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    told = model_metadata(model)
    assert (told["loss"], told["output_activation"], told["output_units"]) == ("mse", "linear", 1)
    assert history_from_mapping({"loss": [1.0, 0.5, 0.4]}, told).facts.task == "regression"
    assert (
        history_from_mapping({"loss": [1.0, 0.5, 0.4], "accuracy": [0.2, 0.3, 0.3]}, told).facts.task
        != "regression"
    )


def test_fit_params_give_steps_and_where_passed_samples_and_batch_size() -> None:
    from convdiag.keras_callback import fit_metadata

    # Keras 3 and tf.keras 2.x pass verbose, epochs and steps.
    assert fit_metadata({"verbose": 0, "epochs": 5, "steps": 8}) == {"steps_per_epoch": 8}
    # Standalone Keras 2.x also passed samples and batch_size.
    assert fit_metadata({"epochs": 5, "steps": None, "samples": 256, "batch_size": 32}) == {
        "num_samples": 256,
        "batch_size": 32,
    }
    assert fit_metadata({"steps": True, "samples": 0}) == {}
