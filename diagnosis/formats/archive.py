"""A TensorBoard log directory uploaded as a zip or a tar(.gz), unpacked in memory.

Nothing is written to disk, yet member names are still checked: an archive with absolute
paths or `..` in them is broken or hostile, and is refused whole. What gets unpacked is
capped, so a small compressed bomb cannot take the memory of the process reading it.
"""

from __future__ import annotations

import io
import tarfile
import zipfile
import zlib
from pathlib import PurePosixPath, PureWindowsPath
from typing import IO

from diagnosis.history import HistoryError
from diagnosis.quoting import quote

ZIP_MAGIC = b"PK\x03\x04"
GZIP_MAGIC = b"\x1f\x8b"
_TAR_MAGIC_OFFSET = 257  # "ustar" in the first header block of POSIX and GNU tar files


def is_event_file(path: str) -> bool:
    """TensorBoard names them events.out.tfevents.<time>.<host>...; the rest of a log
    directory (profiles, plugin assets) is not read."""
    return "tfevents" in PurePosixPath(path).name


def is_tar(data: bytes) -> bool:
    return data[_TAR_MAGIC_OFFSET : _TAR_MAGIC_OFFSET + 5] == b"ustar"


def _check_name(name: str) -> None:
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or PureWindowsPath(name).drive:
        raise HistoryError(f"the archive member {quote(name)} has an absolute path or '..'; refused")


class _Budget:
    """What is left of the cap on unpacked bytes. Declared sizes can lie and a sparse tar member
    is mostly holes, so every read is capped, not only checked against a size up front."""

    def __init__(self, limit: int) -> None:
        self.limit = self.left = limit

    def read(self, member: IO[bytes]) -> bytes:
        content = member.read(self.left + 1)
        if len(content) > self.left:
            raise HistoryError(f"the archive unpacks to more than {self.limit} bytes")
        self.left -= len(content)
        return content


def gunzip(data: bytes, limit: int) -> bytes:
    """The content of a gzip file, refusing more than `limit` bytes of it."""
    decompressor = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        content = decompressor.decompress(data, limit + 1)
    except zlib.error as exc:
        raise HistoryError(f"the gzip data is corrupt: {exc}") from None
    if len(content) > limit:
        raise HistoryError(f"the archive unpacks to more than {limit} bytes")
    if not decompressor.eof:
        raise HistoryError("the gzip data is truncated")
    return content


# The first bytes of an HDF5 file: a legacy Keras model (model.h5), never a history.
HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
# A Keras 3 `.keras` file is a zip of these (and metadata.json).
KERAS_MODEL_MEMBERS = frozenset({"config.json", "model.weights.h5"})
MODEL_NOT_HISTORY = (
    "this is a saved Keras model, not a training history: zip it with its data.npz as a bundle "
    "and probe it (`convdiag probe BUNDLE.zip` or POST /v1/bundles)"
)
BUNDLE_NOT_HISTORY = (
    "this is a bundle (a model with its data), not a training history: "
    "probe it with `convdiag probe BUNDLE.zip` or POST it to /v1/bundles"
)


def refuse_models(names: list[str]) -> None:
    """A zip that is a bundle or a saved model gets an answer that says where it goes."""
    from diagnosis.probes.loader import is_bundle  # numpy only; never Keras

    if is_bundle(names):
        raise HistoryError(BUNDLE_NOT_HISTORY)
    if set(names) >= KERAS_MODEL_MEMBERS:
        raise HistoryError(MODEL_NOT_HISTORY)


def zip_event_files(data: bytes, limit: int) -> dict[str, bytes]:
    """The event files in a zip, by path."""
    files: dict[str, bytes] = {}
    budget = _Budget(limit)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            for info in members:
                _check_name(info.filename)
            for info in members:
                if not info.is_dir() and is_event_file(info.filename):
                    with archive.open(info) as member:
                        files[info.filename] = budget.read(member)
    except HistoryError:
        raise
    # BadZipFile: not a zip, or a bad CRC; NotImplementedError: a compression method we lack;
    # RuntimeError: an encrypted member; zlib.error: a corrupt member; ValueError and the rest:
    # offsets that point nowhere.
    except (
        zipfile.BadZipFile,
        NotImplementedError,
        RuntimeError,
        zlib.error,
        ValueError,
        EOFError,
        OSError,
    ) as exc:
        raise HistoryError(f"the zip archive cannot be read: {exc}") from None
    if not files:
        refuse_models([info.filename for info in members])
    return files


def tar_event_files(data: bytes, limit: int) -> dict[str, bytes]:
    """The event files in a tar, by path."""
    files: dict[str, bytes] = {}
    budget = _Budget(limit)
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as archive:
            for member in archive:
                _check_name(member.name)
                if member.isfile() and is_event_file(member.name) and (reader := archive.extractfile(member)):
                    files[member.name] = budget.read(reader)
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise HistoryError(f"the tar archive cannot be read: {exc}") from None
    return files
