"""Make the history-format fixtures in tests/fixtures/formats/ by training tiny real Keras models.

    .venv/bin/python scripts/make_format_fixtures.py

Every fixture is what Keras itself wrote: the console text `model.fit(verbose=1|2)` printed
(captured from a child process, warnings and all), CSVLogger files with three separators and
a TensorBoard log directory. Next to each one, `<name>.expected.json` holds the
`History.history` of every run in it, in the `{"runs": [...]}` form, so the tests compare
what a parser reads with what Keras recorded. Host names are taken out of event file names.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "fixtures" / "formats"
# Keras 3 redraws the progress bar at most every 0.05 s; slower batches make it redraw.
BATCH_SECONDS = 0.06


def _json_value(v: float) -> float | None:
    return v if math.isfinite(v) else None


def _expected(name: str, histories: list[dict[str, list[float]]]) -> None:
    runs = [{"history": {k: [_json_value(float(x)) for x in v] for k, v in h.items()}} for h in histories]
    (OUT / f"{name}.expected.json").write_text(json.dumps({"runs": runs}, indent=1) + "\n")


class _Recorder:
    """Each epoch's logs, aligned: a metric missing in an epoch (validation_freq) is NaN.
    `History.history` would append only the epochs that had it, losing the alignment."""

    def __init__(self) -> None:
        import keras

        self.epochs: list[dict[str, float]] = []
        self.callback = keras.callbacks.LambdaCallback(
            on_epoch_end=lambda epoch, logs: self.epochs.append(dict(logs))
        )

    @property
    def history(self) -> dict[str, list[float]]:
        names = list(dict.fromkeys(name for logs in self.epochs for name in logs))
        return {name: [float(logs.get(name, math.nan)) for logs in self.epochs] for name in names}


def _fit(model, x, y, *, callbacks=(), **kwargs) -> dict[str, list[float]]:
    recorder = _Recorder()
    model.fit(x, y, batch_size=16, callbacks=[*callbacks, recorder.callback], **kwargs)
    return recorder.history


def _data(seed: int, n: int = 64):
    import numpy as np

    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype("float32")
    y = (x.sum(axis=1) > 0).astype("float32")
    return x, y


def _classifier(learning_rate: float = 0.01):
    import keras

    model = keras.Sequential(
        [
            keras.Input((4,)),
            keras.layers.Dense(8, activation="relu"),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(keras.optimizers.Adam(learning_rate), "binary_crossentropy", metrics=["accuracy"])
    return model


def _regression(learning_rate: float):
    """With a learning rate of 1e4 the loss overflows to inf, then nan: values a parser must keep."""
    import keras

    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    model.compile(keras.optimizers.SGD(learning_rate), "mse")
    return model


def _slow_batches():
    import keras

    return keras.callbacks.LambdaCallback(on_train_batch_end=lambda batch, logs: time.sleep(BATCH_SECONDS))


def _halve_lr():
    import keras

    return keras.callbacks.LearningRateScheduler(lambda epoch, lr: lr / 2 if epoch else lr)


def console(verbose: int) -> None:
    """Child process: print what a training script prints, then the histories on the last line."""
    import traceback
    import warnings

    import keras

    keras.utils.set_random_seed(0)
    print("loading data from ./data ...")
    x, y = _data(0)
    model = _classifier()
    callbacks = [_slow_batches(), _halve_lr()]
    histories = [_fit(model, x, y, epochs=3, validation_split=0.25, verbose=verbose, callbacks=callbacks)]
    model.evaluate(x, y, batch_size=16, verbose=verbose)
    warnings.warn("the learning rate looks large", UserWarning, stacklevel=1)
    try:
        raise RuntimeError("retrying with another model")
    except RuntimeError:
        traceback.print_exc(file=sys.stdout)
    model = _regression(1e4)
    histories.append(_fit(model, x, y * 10, epochs=4, verbose=verbose, callbacks=[_slow_batches()]))
    model.evaluate(x, y * 10, batch_size=16, verbose=verbose)
    print("done.")
    print("\nHISTORIES " + json.dumps(histories))


def _capture_console(name: str, verbose: int) -> None:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "1", "PYTHONWARNINGS": "default"}
    result = subprocess.run(
        [sys.executable, __file__, "console", str(verbose)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
        check=True,
    )
    text, _, tail = result.stdout.decode().rpartition("\nHISTORIES ")
    (OUT / name).write_bytes(text.replace(str(ROOT), "/home/user/project").encode())
    _expected(name, json.loads(tail))


def csv_files() -> None:
    import keras

    keras.utils.set_random_seed(1)
    x, y = _data(1)
    for name, separator in (
        ("csvlogger.csv", ","),
        ("csvlogger_semicolon.csv", ";"),
        ("csvlogger.tsv", "\t"),
    ):
        logger = keras.callbacks.CSVLogger(str(OUT / name), separator=separator)
        # The scheduler first: it puts learning_rate in the logs that CSVLogger then writes.
        history = _fit(
            _classifier(), x, y, epochs=4, validation_split=0.25, verbose=0, callbacks=[_halve_lr(), logger]
        )
        _expected(name, [history])
    # Two runs appended to one file: CSVLogger(append=True) writes the header once and the epoch
    # counter starts again at 0. Validating every 2nd epoch makes it write NA in between, and
    # the second run's loss overflows to inf, then nan.
    path = OUT / "csvlogger_two_runs_nan.csv"
    path.unlink(missing_ok=True)
    histories = [
        _fit(
            model,
            x,
            y * 10,
            epochs=4,
            validation_split=0.25,
            validation_freq=2,
            verbose=0,
            callbacks=[keras.callbacks.CSVLogger(str(path), append=True)],
        )
        for model in (_regression(0.01), _regression(1e4))
    ]
    _expected(path.name, histories)


def tensorboard() -> None:
    """Two runs under one log directory, as `logs/fit/<run>/{train,validation}`."""
    import keras

    keras.utils.set_random_seed(2)
    x, y = _data(2)
    root = OUT / "tensorboard"
    shutil.rmtree(root, ignore_errors=True)
    histories = []
    for run, (model, target) in enumerate([(_classifier(), y), (_regression(1e4), y * 10)], start=1):
        board = keras.callbacks.TensorBoard(str(root / f"run-{run}"))
        histories.append(
            _fit(model, x, target, epochs=3, validation_split=0.25, verbose=0, callbacks=[board, _halve_lr()])
        )
        time.sleep(1)  # event file names carry the time in seconds; keep the runs apart
    for path in root.rglob("events.out.tfevents.*"):
        # events.out.tfevents.<time>.<host, maybe dotted>.<pid>.<n>.v2: keep the host out of git.
        parts = path.name.split(".")
        path.rename(path.with_name(".".join([*parts[:4], "host", *parts[-3:]])))
    _expected("tensorboard", histories)


if __name__ == "__main__":
    if sys.argv[1:2] == ["console"]:
        console(int(sys.argv[2]))
    else:
        OUT.mkdir(parents=True, exist_ok=True)
        _capture_console("keras3_verbose1.log", 1)
        _capture_console("keras3_verbose2.log", 2)
        csv_files()
        tensorboard()
