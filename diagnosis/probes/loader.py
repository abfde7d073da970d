"""Opening an untrusted bundle: a zip of `model.keras` (or a legacy `.h5`), `data.npz` and
an optional `training.json`.

Everything here assumes the upload is hostile. Zip members with absolute paths, `..` or
links are refused, the unpacked size is capped while bytes are written (a header can lie
about sizes), arrays load with `allow_pickle=False`, and the model loads in Keras' safe
mode, which refuses a `Lambda` layer carrying Python code.
"""

from __future__ import annotations

import json
import stat
import warnings
import zipfile
from dataclasses import dataclass, fields
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

import numpy as np

from diagnosis.bundle import BundleData, TrainingConfig

if TYPE_CHECKING:
    import keras

MODEL_NAMES = ("model.keras", "model.h5")
DATA_NAME = "data.npz"
CONFIG_NAME = "training.json"
ARRAY_NAMES = ("x_train", "y_train", "x_val", "y_val")
# Members beyond these few are not ours to unpack; this also bounds the work per bundle.
MAX_MEMBERS = 16
CHUNK = 1 << 20


class BundleError(ValueError):
    """The bundle cannot be used; the message names the problem for the user."""


@dataclass(frozen=True)
class Limits:
    max_unpacked_bytes: int


@dataclass
class OpenedBundle:
    data: BundleData
    model: keras.Model
    config: TrainingConfig


def _safe_members(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise BundleError(f"the bundle has {len(members)} members; at most {MAX_MEMBERS} are expected")
    for member in members:
        path = PurePosixPath(member.filename)
        if path.is_absolute() or ".." in path.parts or "\\" in member.filename:
            raise BundleError(f"refusing zip member with an unsafe path: {member.filename!r}")
        if stat.S_ISLNK(member.external_attr >> 16):
            raise BundleError(f"refusing zip member that is a link: {member.filename!r}")
    return [m for m in members if not m.is_dir()]


def unpack(bundle: Path, into: Path, limits: Limits) -> dict[str, Path]:
    """Extract the bundle's members (flattened to their base names) under `into`."""
    try:
        archive = zipfile.ZipFile(bundle)
    except (zipfile.BadZipFile, OSError) as exc:
        raise BundleError(f"the bundle is not a readable zip file: {exc}") from None
    into.mkdir(parents=True, exist_ok=True)
    written = 0
    found: dict[str, Path] = {}
    with archive:
        for member in _safe_members(archive):
            name = PurePosixPath(member.filename).name
            if name not in (*MODEL_NAMES, DATA_NAME, CONFIG_NAME):
                continue  # not ours: never written to disk
            target = into / name
            try:
                with archive.open(member) as source, target.open("wb") as sink:
                    while chunk := source.read(CHUNK):
                        written += len(chunk)
                        if written > limits.max_unpacked_bytes:
                            raise BundleError(
                                f"the bundle unpacks to more than {limits.max_unpacked_bytes} bytes"
                            )
                        sink.write(chunk)
            except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
                raise BundleError(f"cannot unpack {member.filename!r}: {exc}") from None
            found[name] = target
    return found


def load_arrays(path: Path, limits: Limits) -> BundleData:
    # data.npz is a zip too: check what its arrays would take in memory before loading any.
    try:
        with zipfile.ZipFile(path) as npz:
            declared = sum(info.file_size for info in npz.infolist())
    except zipfile.BadZipFile:
        raise BundleError("data.npz is not a valid .npz file") from None
    if declared > limits.max_unpacked_bytes:
        raise BundleError(f"data.npz holds more than {limits.max_unpacked_bytes} bytes of arrays")
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in ARRAY_NAMES if name in npz.files}
    except ValueError as exc:
        if "allow_pickle" in str(exc):
            raise BundleError(
                "data.npz holds pickled objects, which are refused; save plain arrays"
            ) from None
        raise BundleError(f"data.npz cannot be read: {exc}") from None
    for required in ("x_train", "y_train"):
        if required not in arrays:
            raise BundleError(f"data.npz has no {required!r} array")
    if ("x_val" in arrays) != ("y_val" in arrays):
        raise BundleError("data.npz needs both x_val and y_val, or neither")
    for x_name, y_name in (("x_train", "y_train"), ("x_val", "y_val")):
        if x_name in arrays and len(arrays[x_name]) != len(arrays[y_name]):
            raise BundleError(
                f"{x_name} has {len(arrays[x_name])} samples but {y_name} has {len(arrays[y_name])}"
            )
    for name, array in arrays.items():
        if array.dtype.kind not in "biuf":
            raise BundleError(f"{name} must be numeric, got dtype {array.dtype}")
        if len(array) == 0:
            raise BundleError(f"{name} is empty")
    return BundleData(**arrays)


def load_config(path: Path | None) -> TrainingConfig:
    if path is None:
        return TrainingConfig()
    try:
        raw: Any = json.loads(path.read_text("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BundleError(f"training.json is not valid JSON: {exc}") from None
    if not isinstance(raw, dict):
        raise BundleError("training.json must be a JSON object")
    known = {f.name: f.type for f in fields(TrainingConfig)}
    values = {k: v for k, v in raw.items() if k in known}
    for key in ("batch_size", "epochs"):
        if key in values and (
            not isinstance(values[key], int) or isinstance(values[key], bool) or values[key] < 1
        ):
            raise BundleError(f"training.json: {key} must be a positive integer")
    if "learning_rate" in values and not (
        isinstance(values["learning_rate"], int | float) and values["learning_rate"] > 0
    ):
        raise BundleError("training.json: learning_rate must be a positive number")
    return TrainingConfig(**values)


def load_model(path: Path) -> keras.Model:
    import keras

    try:
        with warnings.catch_warnings():
            # The optimizer's slots are rebuilt by the probes anyway; its state is not needed.
            warnings.filterwarnings("ignore", message="Skipping variable loading for optimizer")
            return keras.saving.load_model(path, safe_mode=True)
    except ValueError as exc:
        if "Lambda" in str(exc) or "safe_mode" in str(exc):
            raise BundleError(
                "the model contains a Lambda layer with Python code, which is refused for safety; "
                "replace it with a built-in or registered layer"
            ) from None
        raise BundleError(f"the model cannot be loaded: {exc}") from None
    except Exception as exc:  # Keras raises many types for a corrupt file; all mean the same here
        raise BundleError(f"the model cannot be loaded: {type(exc).__name__}: {exc}") from None


def open_bundle(bundle: Path, workdir: Path, limits: Limits) -> OpenedBundle:
    members = unpack(bundle, workdir, limits)
    model_path = next((members[n] for n in MODEL_NAMES if n in members), None)
    if model_path is None:
        raise BundleError("the bundle has no model.keras (or legacy model.h5)")
    if DATA_NAME not in members:
        raise BundleError("the bundle has no data.npz")
    data = load_arrays(members[DATA_NAME], limits)
    config = load_config(members.get(CONFIG_NAME))
    return OpenedBundle(data=data, model=load_model(model_path), config=config)
