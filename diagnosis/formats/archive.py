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

from diagnosis.history import HistoryError

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
        raise HistoryError(f"the archive member {name!r} has an absolute path or '..'; refused")


def _too_large(limit: int) -> HistoryError:
    return HistoryError(f"the archive unpacks to more than {limit} bytes")


def gunzip(data: bytes, limit: int) -> bytes:
    """The content of a gzip file, refusing more than `limit` bytes of it."""
    decompressor = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        content = decompressor.decompress(data, limit + 1)
    except zlib.error as exc:
        raise HistoryError(f"the gzip data is corrupt: {exc}") from None
    if len(content) > limit:
        raise _too_large(limit)
    if not decompressor.eof:
        raise HistoryError("the gzip data is truncated")
    return content


def zip_event_files(data: bytes, limit: int) -> dict[str, bytes]:
    """The event files in a zip, by path. Declared sizes can lie, so reads are capped too."""
    files: dict[str, bytes] = {}
    left = limit
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            for info in members:
                _check_name(info.filename)
            for info in members:
                if info.is_dir() or not is_event_file(info.filename):
                    continue
                if info.file_size > left:
                    raise _too_large(limit)
                with archive.open(info) as member:
                    content = member.read(left + 1)
                if len(content) > left:
                    raise _too_large(limit)
                left -= len(content)
                files[info.filename] = content
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, EOFError, OSError, zlib.error) as exc:
        # BadZipFile: not a zip or a bad CRC; NotImplementedError: a compression method we lack;
        # RuntimeError: encrypted members.
        raise HistoryError(f"the zip archive cannot be read: {exc}") from None
    return files


def tar_event_files(data: bytes) -> dict[str, bytes]:
    """The event files in an (already decompressed, so already capped) tar, by path."""
    files: dict[str, bytes] = {}
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as archive:
            for member in archive:
                _check_name(member.name)
                if member.isfile() and is_event_file(member.name) and (reader := archive.extractfile(member)):
                    files[member.name] = reader.read()
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise HistoryError(f"the tar archive cannot be read: {exc}") from None
    return files
