"""TFRecord framing, the container of TensorBoard event files, read from bytes in memory.

Each record is: length (uint64 LE), masked CRC32C of those 8 bytes, data, masked CRC32C of
the data. We parse the framing ourselves because no library reads it without TensorFlow:
TensorBoard's event loader imports TensorFlow whenever it is installed (it is here, for the
probes), and this path must never import it.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

from diagnosis.history import HistoryError

_HEADER = struct.Struct("<QI")
_CRC = struct.Struct("<I")
_MASK_DELTA = 0xA282EAD8
_CASTAGNOLI = 0x82F63B78


def _crc_table() -> list[int]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ (_CASTAGNOLI if crc & 1 else 0)
        table.append(crc)
    return table


_TABLE = _crc_table()


def masked_crc32c(data: bytes) -> int:
    """CRC32C as TFRecord stores it (rotated and offset, so a CRC of CRCs stays strong).
    Pure Python runs at a few MB/s: callers check only the small records they use."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc = _TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    crc ^= 0xFFFFFFFF
    return (((crc >> 15) | (crc << 17)) + _MASK_DELTA) & 0xFFFFFFFF


def is_tfrecord(data: bytes) -> bool:
    """Whether the input starts with a record header whose checksum holds (2^-32 by chance)."""
    return len(data) >= _HEADER.size and masked_crc32c(data[:8]) == _CRC.unpack_from(data, 8)[0]


def records(data: bytes, name: str) -> Iterator[tuple[bytes, int]]:
    """(data, stored masked CRC) of each record. A truncated last record is dropped, as
    TensorBoard does: the writer of a live run may be in the middle of it."""
    position = 0
    while len(data) - position >= _HEADER.size:
        length, crc = _HEADER.unpack_from(data, position)
        if masked_crc32c(data[position : position + 8]) != crc:
            raise HistoryError(f"{name}: corrupt TFRecord header at byte {position}")
        start = position + _HEADER.size
        end = start + length
        if end + _CRC.size > len(data):
            return
        yield data[start:end], _CRC.unpack_from(data, end)[0]
        position = end + _CRC.size
