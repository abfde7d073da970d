"""Bytes to text for the text formats: JSON, CSV and console logs."""

from __future__ import annotations

import codecs
import re

from diagnosis.history import HistoryError

# Windows PowerShell's `>` writes UTF-16 with a byte order mark; everything else is UTF-8.
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
# For the format sniffer: a console log's `Epoch 3/20` header anywhere at a line start, after
# any wrapping. Here, not in console.py, so that sniffing a JSON file skips that module's regexes.
EPOCH_LINE = re.compile(r"^[ \t>#]*Epoch[ \t]+\d{1,9}(?:/\d{1,9})?[ \t]*\r?$", re.MULTILINE)


def decode(data: bytes) -> str:
    """The input as text, or a HistoryError saying it is none of the formats we read."""
    encoding = "utf-16" if data.startswith(_UTF16_BOMS) else "utf-8-sig"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise HistoryError(
            f"the input is not UTF-8 text (bad byte at offset {exc.start}) and not a TensorBoard "
            "event file, zip or tar.gz archive"
        ) from None
