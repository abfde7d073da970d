"""Building real bundles (a saved Keras model + data.npz + training.json, zipped) for tests."""

from __future__ import annotations

import io
import json
import textwrap
import zipfile
from pathlib import Path
from typing import Any

import numpy as np


def blobs(n: int = 600, features: int = 8, classes: int = 3, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Standardized, well separated Gaussian blobs: a data set any sane MLP learns."""
    rng = np.random.default_rng(seed)
    centers = rng.normal(0, 2.0, (classes, features))
    y = rng.integers(0, classes, n)
    x = centers[y] + rng.normal(0, 1.0, (n, features))
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    return x.astype("float32"), y.astype("int64")


def mlp(
    features: int,
    outputs: int,
    activation: str = "softmax",
    hidden: int = 32,
    dropout: float = 0.0,
    hidden_activation: str = "relu",
    depth: int = 1,
) -> Any:
    import keras

    layers: list[Any] = [keras.layers.Input((features,))]
    for _ in range(depth):
        layers.append(keras.layers.Dense(hidden, activation=hidden_activation))
        if dropout:
            layers.append(keras.layers.Dropout(dropout))
    layers.append(keras.layers.Dense(outputs, activation=activation))
    return keras.Sequential(layers)


def make_bundle(
    path: Path,
    model: Any,
    x: np.ndarray,
    y: np.ndarray,
    *,
    x_val: np.ndarray | None = None,
    y_val: np.ndarray | None = None,
    training: dict[str, Any] | None = None,
) -> Path:
    """Write model.keras, data.npz and training.json into a zip at `path`."""
    work = path.parent / f"{path.stem}-parts"
    work.mkdir(parents=True, exist_ok=True)
    model.save(work / "model.keras")
    arrays = {"x_train": x, "y_train": y}
    if x_val is not None and y_val is not None:
        arrays |= {"x_val": x_val, "y_val": y_val}
    np.savez(work / "data.npz", allow_pickle=False, **arrays)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(work / "model.keras", "model.keras")
        archive.write(work / "data.npz", "data.npz")
        if training is not None:
            archive.writestr("training.json", json.dumps(training))
    return path


# The attack runs only where the sandbox puts it (HOME is the job's directory, the uid is
# nobody's): Keras also calls the Lambda while this test builds the model, in this process.
GUARD = "import os, sys\nif os.environ.get('HOME') == '/job' and os.getuid() == 65534:\n"


def hostile_model(body: str, then_raise: bool = False) -> Any:
    """A model whose Lambda runs `body` the first time Keras calls it: at load, on a symbolic
    input, inside the sandbox only. The code is marshalled into the file with its constants.
    With `then_raise`, every call raises with what `body` left in `results`: Keras swallows
    that while it loads, and the probes' first evaluation reports it as the job's error."""
    import keras

    once = "if not hasattr(sys, 'attack_results'):\n    results = []\n"
    once += textwrap.indent(textwrap.dedent(body), "    ") + "\n    sys.attack_results = results\n"
    if then_raise:
        once += "raise RuntimeError(' '.join(sys.attack_results))\n"
    guarded = GUARD + textwrap.indent(once, "    ")
    source = "def attack(x):\n" + textwrap.indent(guarded, "    ") + "\n    return x\n"
    scope: dict[str, Any] = {}
    exec(compile(source, "<attack>", "exec"), scope)  # noqa: S102 - the test's own hostile model
    # Keras marshals a function's code into the file only for a lambda (and again when the
    # probes copy the model); a named function is saved by name and would not load at all.
    attack = scope["attack"]
    attack.__code__ = attack.__code__.replace(co_name="<lambda>", co_qualname="<lambda>")
    attack.__name__ = "<lambda>"
    model = keras.Sequential(
        [
            keras.layers.Input((8,)),
            keras.layers.Lambda(attack),
            keras.layers.Dense(3, activation="softmax"),
        ]
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model


def not_a_bundle() -> bytes:
    """A zip the API accepts (it never unpacks bundles) and the probe worker refuses: it holds
    no model and no data."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "no model, no data")
    return buffer.getvalue()
