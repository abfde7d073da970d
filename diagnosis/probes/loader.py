"""Opening an untrusted bundle: a zip of `model.keras` (or a legacy `.h5`), `data.npz` and
an optional `training.json`.

Everything here assumes the upload is hostile. Zip members with absolute paths, `..` or
links are refused, the unpacked size is capped while bytes are written (a header can lie
about sizes), arrays load with `allow_pickle=False`, and the model loads in Keras' safe
mode. Safe mode alone has been bypassed again and again (CVE-2025-1550, CVE-2025-9906 and
CVE-2026-1462 named functions and layers that Keras then called), so before Keras sees a model
its config is walked here and every class and function it names must be on an allow-list of
Keras' own layers, activations, initializers, regularizers, constraints, losses, metrics and
optimizers (`check_config`); Lambda, TFSMLayer and the other layers that wrap foreign code are
refused by name. Array shapes are read from the .npy and HDF5 headers and their size capped
before anything is loaded, because a few kilobytes of header (a fill-value dataset, an npz
member that declares a billion rows) can ask for gigabytes. All of this runs inside the
bundle sandbox (convdiag.sandbox), which holds whatever gets past it.
"""

from __future__ import annotations

import json
import math
import stat
import warnings
import zipfile
from collections.abc import Collection, Iterable
from dataclasses import dataclass, fields
from pathlib import Path, PurePosixPath
from typing import IO, TYPE_CHECKING, Any

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
# The config inside model.keras (or an .h5's attrs) is JSON that describes layers, not weights:
# megabytes at most. Larger is a bomb aimed at the JSON parser.
MAX_CONFIG_BYTES = 16 * 1024 * 1024
# In-memory size of all arrays (data.npz plus the model's weights) when Limits does not say.
DEFAULT_MAX_ARRAY_BYTES = 1024**3
# Layers that run code the config carries or points at (a Python function, a SavedModel, a
# JAX/Flax/PyTorch module): never loaded, whatever safe mode says. Each with what to say.
FOREIGN_CODE_LAYERS = {
    "Lambda": ("a Lambda layer", "runs Python code"),
    "TFSMLayer": ("a TFSMLayer", "loads and runs a TensorFlow SavedModel"),
    "TorchModuleWrapper": ("a TorchModuleWrapper", "runs a PyTorch module"),
    "JaxLayer": ("a JaxLayer", "runs JAX functions"),
    "FlaxLayer": ("a FlaxLayer", "runs a Flax module"),
}
# The Keras namespaces whose public classes and functions a model config may name.
ALLOWED_NAMESPACES = (
    "layers",
    "activations",
    "initializers",
    "regularizers",
    "constraints",
    "losses",
    "metrics",
    "optimizers",
    "optimizers.schedules",
)
# Public names in those namespaces that are helpers, not objects a config describes.
NOT_CONFIG_OBJECTS = frozenset({"get", "serialize", "deserialize", "legacy", "schedules"})
# The model classes and the dtype policy a saved model's config names at its top level.
MODEL_CLASSES = frozenset(
    {"Functional", "Sequential", "Model", "DTypePolicy", "FloatDTypePolicy", "MetricsList"}
)
# Keras' own markers for plain values in a config (a tensor's shape, a constant array, a
# slice): data, never code. `__lambda__` (marshalled bytecode) and `__typespec__` (a class
# looked up by name) are not among them.
VALUE_MARKERS = frozenset(
    {"__keras_tensor__", "__tensor__", "__numpy__", "__bytes__", "__ellipsis__", "__slice__"}
)


class BundleError(ValueError):
    """The bundle cannot be used; the message names the problem for the user."""


class LimitError(BundleError):
    """The bundle asks for more of a resource than a job may use; `limit` names which."""

    def __init__(self, limit: str, detail: str) -> None:
        super().__init__(detail)
        self.limit = limit


@dataclass(frozen=True)
class Limits:
    max_unpacked_bytes: int
    # What the arrays may take in memory once loaded: data.npz's and the model's weights.
    max_array_bytes: int = DEFAULT_MAX_ARRAY_BYTES
    # Tests of the sandbox switch the allow-list and Keras' safe mode off (the
    # `unsafe_model_loading` setting) to let hostile code run and watch the sandbox hold it.
    trust_model: bool = False


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


def is_bundle(names: Iterable[str]) -> bool:
    """Whether a zip's member names are a bundle's: a model and data.npz."""
    base = {PurePosixPath(name).name for name in names}
    return DATA_NAME in base and not base.isdisjoint(MODEL_NAMES)


def _check_members(names: Collection[str]) -> None:
    if not any(name in names for name in MODEL_NAMES):
        raise BundleError("the bundle has no model.keras (or legacy model.h5)")
    if DATA_NAME not in names:
        raise BundleError("the bundle has no data.npz")


def check_archive(bundle: Path) -> None:
    """What can be told of a bundle without Keras (`convdiag probe` asks before it imports
    TensorFlow): a readable zip of safe members that holds a model and data.npz."""
    try:
        archive = zipfile.ZipFile(bundle)
    except (zipfile.BadZipFile, OSError) as exc:
        raise BundleError(f"the bundle is not a readable zip file: {exc}") from None
    with archive:
        _check_members({PurePosixPath(member.filename).name for member in _safe_members(archive)})


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
    _check_npz_headers(path, limits)
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


def _gb(size: int) -> str:
    return f"{size / 1024**3:.2f} GB"


def _memory_limit(what: str, size: int, limits: Limits) -> LimitError:
    return LimitError(
        "memory",
        f"memory limit: {what} would take {_gb(size)} in memory, more than the "
        f"{_gb(limits.max_array_bytes)} a job may load",
    )


def _check_npz_headers(path: Path, limits: Limits) -> None:
    """Each member's .npy header declares its shape and dtype, and np.load allocates that much
    before reading a byte of data: a 500 KB npz can ask for gigabytes. Sum them first."""
    total = 0
    try:
        with zipfile.ZipFile(path) as npz:
            for info in npz.infolist():
                with npz.open(info) as member:
                    version = np.lib.format.read_magic(member)
                    if version == (1, 0):
                        shape, _, dtype = np.lib.format.read_array_header_1_0(member)
                    else:
                        shape, _, dtype = np.lib.format.read_array_header_2_0(member)
                if dtype.hasobject:
                    raise BundleError("data.npz holds pickled objects, which are refused; save plain arrays")
                total += math.prod(shape) * dtype.itemsize
    except (ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise BundleError(f"data.npz cannot be read: {exc}") from None
    if total > limits.max_array_bytes:
        raise _memory_limit("data.npz's arrays", total, limits)


def _check_h5_datasets(source: Path | IO[bytes], what: str, limits: Limits) -> None:
    """Sum what every HDF5 dataset would take once read. A dataset that was never written is
    stored as its fill value alone, so a 20 KB file can declare gigabytes of weights."""
    import h5py

    total = 0

    def visit(_name: str, item: object) -> None:
        nonlocal total
        if isinstance(item, h5py.Dataset):
            total += math.prod(item.shape or ()) * item.dtype.itemsize

    try:
        with h5py.File(source, "r") as h5:
            h5.visititems(visit)
    except (OSError, ValueError) as exc:
        raise BundleError(f"{what} is not a readable HDF5 file: {exc}") from None
    if total > limits.max_array_bytes:
        raise _memory_limit(f"{what}'s weights", total, limits)


def _allowed_names() -> frozenset[str]:
    import keras

    names: set[str] = set(MODEL_CLASSES)
    for namespace in ALLOWED_NAMESPACES:
        module: Any = keras
        for part in namespace.split("."):
            module = getattr(module, part)
        names.update(n for n in dir(module) if not n.startswith("_") and n not in NOT_CONFIG_OBJECTS)
    return frozenset(names - FOREIGN_CODE_LAYERS.keys())


def _refuse_foreign(class_name: str, config: Any) -> None:
    if class_name in FOREIGN_CODE_LAYERS:
        what, does = FOREIGN_CODE_LAYERS[class_name]
        name = config.get("name") if isinstance(config, dict) else None
        named = f" ({name[:40]!r})" if isinstance(name, str) else ""
        raise BundleError(
            f"the model contains {what}{named}, which {does} and is refused for safety; "
            "replace it with built-in Keras layers"
        )


def check_config(config: Any, allowed: frozenset[str] | None = None) -> None:
    """Walk a model config (Keras 3's, with `module` keys, or a legacy .h5's without) and refuse
    every class or function it names that is not one of Keras' own built-ins."""
    allowed = _allowed_names() if allowed is None else allowed
    if isinstance(config, list):
        for item in config:
            check_config(item, allowed)
        return
    if not isinstance(config, dict):
        return
    class_name = config.get("class_name")
    if isinstance(class_name, str):
        inner = config.get("config")
        _refuse_foreign(class_name, inner)
        module = config.get("module")
        if module is not None and not (
            isinstance(module, str) and (module in ("keras", "builtins") or module.startswith("keras."))
        ):
            raise BundleError(f"the model config names {module}.{class_name}, which is not part of Keras")
        registered = config.get("registered_name")
        if class_name == "function":
            if not (isinstance(inner, str) and inner in allowed):
                raise BundleError(
                    f"the model config names the function {inner!r}, which is not a Keras activation, "
                    "loss or metric; only built-in Keras objects are loaded"
                )
        elif class_name not in allowed and class_name not in VALUE_MARKERS:
            raise BundleError(
                f"the model config names {class_name!r}, which is not a built-in Keras layer, "
                "activation, initializer, regularizer, constraint, loss, metric or optimizer; "
                "custom objects are refused for safety"
            )
        elif registered not in (None, class_name, "function") and registered not in allowed:
            raise BundleError(f"the model config names the custom object {registered!r}, which is refused")
    for value in config.values():
        check_config(value, allowed)


def _parse_config(raw: bytes | str, what: str) -> Any:
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BundleError(f"the model's {what} is not valid JSON: {exc}") from None


def _check_keras_archive(path: Path, limits: Limits) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            members = {info.filename: info for info in archive.infolist()}
            if "config.json" not in members:
                raise BundleError("model.keras has no config.json")
            if sum(info.file_size for info in members.values()) > limits.max_unpacked_bytes:
                raise BundleError(f"model.keras unpacks to more than {limits.max_unpacked_bytes} bytes")
            if members["config.json"].file_size > MAX_CONFIG_BYTES:
                raise BundleError(f"model.keras's config.json is larger than {MAX_CONFIG_BYTES} bytes")
            if not limits.trust_model:
                with archive.open("config.json") as member:
                    check_config(_parse_config(member.read(MAX_CONFIG_BYTES + 1), "config.json"))
            for name in members:
                if name.endswith(".h5"):
                    with archive.open(name) as weights:
                        _check_h5_datasets(weights, "model.keras", limits)
    except (zipfile.BadZipFile, OSError) as exc:
        raise BundleError(f"the model cannot be loaded: model.keras is not a valid archive: {exc}") from None


def _check_h5_model(path: Path, limits: Limits) -> None:
    import h5py

    _check_h5_datasets(path, "model.h5", limits)
    if limits.trust_model:
        return
    with h5py.File(path, "r") as h5:
        for key in ("model_config", "training_config"):
            raw = h5.attrs.get(key)
            if raw is None:
                continue
            if len(raw) > MAX_CONFIG_BYTES:
                raise BundleError(f"model.h5's {key} is larger than {MAX_CONFIG_BYTES} bytes")
            check_config(_parse_config(raw, key))


def check_model(path: Path, limits: Limits) -> None:
    """Everything that can be known about a model file before Keras reads it: the sizes of
    its weights always, the names in its config unless the model is trusted (tests only)."""
    if path.name.endswith(".keras"):
        _check_keras_archive(path, limits)
    else:
        _check_h5_model(path, limits)


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


def load_model(path: Path, limits: Limits) -> keras.Model:
    import keras

    check_model(path, limits)
    if limits.trust_model:
        # The probes copy the model from its config too; a sandbox test's Lambda must survive
        # that. Process-wide, and only ever in a disposable sandbox child under test.
        keras.config.enable_unsafe_deserialization()
    try:
        with warnings.catch_warnings():
            # The optimizer's slots are rebuilt by the probes anyway; its state is not needed.
            warnings.filterwarnings("ignore", message="Skipping variable loading for optimizer")
            return keras.saving.load_model(path, safe_mode=not limits.trust_model)
    except MemoryError:
        raise  # the sandbox's memory limit, not a fault of the file: reported as such
    except ValueError as exc:
        if "safe_mode" in str(exc):
            raise BundleError(
                "the model holds Python code, which is refused for safety; "
                "replace it with built-in Keras layers"
            ) from None
        raise BundleError(f"the model cannot be loaded: {exc}") from None
    except Exception as exc:  # Keras raises many types for a corrupt file; all mean the same here
        raise BundleError(f"the model cannot be loaded: {type(exc).__name__}: {exc}") from None


def open_bundle(bundle: Path, workdir: Path, limits: Limits) -> OpenedBundle:
    members = unpack(bundle, workdir, limits)
    _check_members(members)
    model_path = next(members[n] for n in MODEL_NAMES if n in members)
    data = load_arrays(members[DATA_NAME], limits)
    config = load_config(members.get(CONFIG_NAME))
    return OpenedBundle(data=data, model=load_model(model_path, limits), config=config)
