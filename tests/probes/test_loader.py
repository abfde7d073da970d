"""Hostile and broken bundles are refused with a message that names the problem."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

from diagnosis.probes.loader import BundleError, Limits, open_bundle
from testkit.bundles import blobs, make_bundle, mlp

LIMITS = Limits(max_unpacked_bytes=5 * 1024 * 1024)


def _compiled(features: int = 8, classes: int = 3):
    model = mlp(features, classes)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> Path:
    x, y = blobs(n=200)
    return make_bundle(
        tmp_path_factory.mktemp("good") / "good.zip", _compiled(), x, y, training={"batch_size": 16}
    )


def _rezip(
    source: Path, target: Path, extra: dict[str, bytes] | None = None, drop: str | None = None
) -> Path:
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in original.infolist():
            if info.filename != drop:
                out.writestr(info.filename, original.read(info.filename))
        for name, data in (extra or {}).items():
            out.writestr(name, data)
    return target


def _npz(**arrays: object) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def test_a_good_bundle_opens(good: Path, tmp_path: Path) -> None:
    opened = open_bundle(good, tmp_path, LIMITS)
    assert opened.data.x_train.shape == (200, 8)
    assert opened.config.batch_size == 16
    assert opened.model.count_params() > 0


@pytest.mark.parametrize("name", ["../escape.txt", "/etc/evil", "a/../../b"])
def test_unsafe_member_paths_are_refused(good: Path, tmp_path: Path, name: str) -> None:
    bad = _rezip(good, tmp_path / "bad.zip", {name: b"x"})
    with pytest.raises(BundleError, match="unsafe path"):
        open_bundle(bad, tmp_path, LIMITS)
    assert not (tmp_path.parent / "escape.txt").exists()


def test_zip_bomb_stops_at_the_unpacked_cap(good: Path, tmp_path: Path) -> None:
    bomb = _rezip(
        good, tmp_path / "bomb.zip", drop="data.npz", extra={"data.npz": b"\0" * (20 * 1024 * 1024)}
    )
    assert bomb.stat().st_size < 1024 * 1024  # small on the wire
    with pytest.raises(BundleError, match="unpacks to more than"):
        open_bundle(bomb, tmp_path, LIMITS)


def test_pickled_arrays_are_refused(good: Path, tmp_path: Path) -> None:
    pickled = _npz(x_train=np.array([{"a": 1}, {"b": 2}], dtype=object), y_train=np.array([0, 1]))
    bad = _rezip(good, tmp_path / "pickle.zip", drop="data.npz", extra={"data.npz": pickled})
    with pytest.raises(BundleError, match="pickled"):
        open_bundle(bad, tmp_path, LIMITS)


def test_lambda_layer_is_refused(tmp_path: Path) -> None:
    import keras

    model = keras.Sequential(
        [keras.layers.Input((8,)), keras.layers.Lambda(lambda t: t * 2), keras.layers.Dense(3)]
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    x, y = blobs(n=50)
    bundle = make_bundle(tmp_path / "lambda.zip", model, x, y)
    with pytest.raises(BundleError, match="Lambda layer"):
        open_bundle(bundle, tmp_path / "work", LIMITS)


@pytest.mark.parametrize(
    ("drop", "extra", "needle"),
    [
        ("data.npz", None, "no data.npz"),
        ("model.keras", None, "no model.keras"),
        ("data.npz", {"data.npz": _npz(x_train=np.zeros((5, 2)))}, "no 'y_train'"),
        (
            "data.npz",
            {"data.npz": _npz(x_train=np.zeros((5, 2)), y_train=np.zeros(4))},
            "5 samples but y_train has 4",
        ),
        ("data.npz", {"data.npz": b"not an npz"}, "not a valid .npz"),
        ("training.json", {"training.json": b"{not json"}, "training.json is not valid JSON"),
        (
            "training.json",
            {"training.json": json.dumps({"batch_size": 0}).encode()},
            "batch_size must be a positive",
        ),
        ("model.keras", {"model.keras": b"garbage"}, "cannot be loaded"),
    ],
)
def test_broken_bundles_name_the_problem(
    good: Path, tmp_path: Path, drop: str | None, extra: dict[str, bytes] | None, needle: str
) -> None:
    bad = _rezip(good, tmp_path / "bad.zip", extra, drop)
    with pytest.raises(BundleError, match=needle):
        open_bundle(bad, tmp_path, LIMITS)


def test_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "x.zip"
    path.write_bytes(b"hello")
    with pytest.raises(BundleError, match="not a readable zip"):
        open_bundle(path, tmp_path, LIMITS)
