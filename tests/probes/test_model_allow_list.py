"""A model config may name only Keras' own layers, activations, initializers, regularizers,
constraints, losses, metrics and optimizers; everything else is refused before Keras loads it,
with a message that names what was found."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from diagnosis.probes.loader import BundleError, Limits, check_config, load_model
from testkit.bundles import blobs, make_bundle, mlp

LIMITS = Limits(max_unpacked_bytes=5 * 1024 * 1024)


def _saved(tmp_path: Path, model: Any, name: str = "model.keras") -> Path:
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    path = tmp_path / name
    model.save(path)
    return path


def _edited(path: Path, edit: Any) -> Path:
    """model.keras with its config.json passed through `edit`."""
    out = path.with_name("edited.keras")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "config.json":
                config = json.loads(data)
                edit(config)
                data = json.dumps(config).encode()
            target.writestr(info.filename, data)
    return out


def _first_dense(config: dict[str, Any]) -> dict[str, Any]:
    return next(layer for layer in config["config"]["layers"] if layer["class_name"] == "Dense")


def test_built_in_layers_of_every_kind_load(tmp_path: Path) -> None:
    import keras

    inputs = keras.layers.Input((6, 4))
    hidden = keras.layers.Conv1D(
        8, 3, kernel_regularizer="l2", kernel_constraint=keras.constraints.MaxNorm(2)
    )(inputs)
    hidden = keras.layers.BatchNormalization()(hidden)
    hidden = keras.layers.Bidirectional(keras.layers.LSTM(4))(hidden)
    outputs = keras.layers.Dense(3, activation="softmax", kernel_initializer="he_normal")(hidden)
    model = keras.Model(inputs, outputs)
    schedule = keras.optimizers.schedules.ExponentialDecay(1e-3, 100, 0.9)
    model.compile(
        optimizer=keras.optimizers.Adam(schedule),
        loss=keras.losses.SparseCategoricalCrossentropy(),
        metrics=["accuracy", keras.metrics.SparseTopKCategoricalAccuracy(2)],
    )
    model.save(tmp_path / "model.keras")
    assert load_model(tmp_path / "model.keras", LIMITS).count_params() > 0


@pytest.mark.parametrize(("layer", "needle"), [("Lambda", "Lambda layer"), ("TFSMLayer", "TFSMLayer")])
def test_code_carrying_layers_are_refused_by_their_own_name(tmp_path: Path, layer: str, needle: str) -> None:
    path = _saved(tmp_path, mlp(8, 3))

    def swap(config: dict[str, Any]) -> None:
        dense = _first_dense(config)
        dense["class_name"] = layer
        dense["config"]["name"] = "sneaky"

    with pytest.raises(BundleError, match=rf"{needle} \('sneaky'\)") as caught:
        load_model(_edited(path, swap), LIMITS)
    if layer == "TFSMLayer":
        assert "Lambda" not in str(caught.value)


def test_a_real_lambda_layer_is_refused(tmp_path: Path) -> None:
    import keras

    model = keras.Sequential(
        [keras.layers.Input((8,)), keras.layers.Lambda(lambda t: t * 2), keras.layers.Dense(3)]
    )
    x, y = blobs(n=50)
    bundle = make_bundle(tmp_path / "lambda.zip", model, x, y)
    with zipfile.ZipFile(bundle) as archive:
        archive.extract("model.keras", tmp_path)
    with pytest.raises(BundleError, match="Lambda layer"):
        load_model(tmp_path / "model.keras", LIMITS)


@pytest.mark.parametrize(
    ("activation", "needle"),
    [
        # An exported Keras function that changes the whole process's settings when called.
        ({"module": "keras.config", "class_name": "function", "config": "set_epsilon"}, "set_epsilon"),
        ({"module": "os", "class_name": "function", "config": "system"}, "os.function"),
        ({"module": "builtins", "class_name": "function", "config": "eval"}, "'eval'"),
        ({"module": "keras.src.utils", "class_name": "Progbar", "config": {}}, "'Progbar'"),
        ({"module": "keras.layers", "class_name": "Dense", "registered_name": "evil>Dense"}, "evil>Dense"),
        ({"class_name": "__lambda__", "config": {"value": "AAAA"}}, "'__lambda__'"),
    ],
)
def test_names_outside_the_allow_list_are_refused(
    tmp_path: Path, activation: dict[str, Any], needle: str
) -> None:
    path = _saved(tmp_path, mlp(8, 3))

    def point(config: dict[str, Any]) -> None:
        _first_dense(config)["config"]["activation"] = activation

    with pytest.raises(BundleError, match=needle):
        load_model(_edited(path, point), LIMITS)


def test_built_in_functions_by_name_are_allowed() -> None:
    relu = {"module": "builtins", "class_name": "function", "config": "relu", "registered_name": "function"}
    check_config(relu)  # refused names raise


def test_legacy_h5_configs_are_walked_too(tmp_path: Path) -> None:
    import h5py
    import keras

    model = keras.Sequential(
        [keras.layers.Input((8,)), keras.layers.Lambda(lambda t: t * 2), keras.layers.Dense(3)]
    )
    model.save(tmp_path / "model.h5")
    with h5py.File(tmp_path / "model.h5") as h5:
        assert "Lambda" in str(h5.attrs["model_config"])
    with pytest.raises(BundleError, match="Lambda layer"):
        load_model(tmp_path / "model.h5", LIMITS)


def test_trusting_the_model_skips_the_allow_list(tmp_path: Path) -> None:
    """The test-only switch the sandbox tests use: the Lambda really runs."""
    import keras

    model = keras.Sequential(
        [keras.layers.Input((8,)), keras.layers.Lambda(lambda t: t * 2), keras.layers.Dense(3)]
    )
    model.save(tmp_path / "model.keras")
    trusted = Limits(max_unpacked_bytes=LIMITS.max_unpacked_bytes, trust_model=True)
    assert load_model(tmp_path / "model.keras", trusted).layers[0].name.startswith("lambda")
