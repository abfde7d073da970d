"""How an error message quotes what a client sent, and what it may show of the machine.

An error names the bad value so the sender can find it, but a value can be 10 MB (a metric
name, a cell, a header), and echoing it back costs memory, bandwidth and log space for
nothing: a short prefix finds it just as well. `quote` is the one way every message quotes
a value; `public_detail` is applied once more where a message leaves the service (an HTTP
problem, a failed job's error, a webhook record), as a last bound and so that no internal
path (a worker's temporary directory, the bundle store) reaches a client.
"""

from __future__ import annotations

import re
import reprlib

# The most of one bad value an error message quotes.
MAX_QUOTE_CHARS = 80
# The most a whole message may carry once it leaves the service: several quoted values and
# the sentence around them fit; a message built from an unbounded list does not.
MAX_DETAIL_CHARS = 1000
# An absolute path: a slash that starts a word (not one inside a URL, a media type or a rate
# like 50/second, nor one of our own routes), at least one directory, then the file name.
# Only the file name is kept.
_ABSOLUTE_PATH = re.compile(r"(?<![\w.:/~-])/(?!v1/)(?:[\w.@+-]+/)+([\w.@+-]*)")

# reprlib bounds a repr while building it, so a 10 MB string or a 200,000-item list is never
# rendered whole only to be cut afterwards.
_repr = reprlib.Repr()
_repr.maxlevel = 2
_repr.maxtuple = _repr.maxlist = _repr.maxarray = _repr.maxset = _repr.maxfrozenset = _repr.maxdeque = 6
_repr.maxdict = 4
_repr.maxstring = _repr.maxother = _repr.maxlong = MAX_QUOTE_CHARS


def quote(value: object) -> str:
    """`value` as Python would quote it, cut to about MAX_QUOTE_CHARS characters: a string
    to its first MAX_QUOTE_CHARS, saying how long it was."""
    if isinstance(value, str) and len(value) > MAX_QUOTE_CHARS:
        return f"{value[:MAX_QUOTE_CHARS]!r}... ({len(value)} characters)"
    text = _repr.repr(value)
    return text if len(text) <= MAX_QUOTE_CHARS else text[: MAX_QUOTE_CHARS - 3] + "..."


def public_detail(message: str) -> str:
    """A message fit to leave the service: absolute paths reduced to their file name, and at
    most MAX_DETAIL_CHARS characters."""
    message = _ABSOLUTE_PATH.sub(r"\1", message)
    if len(message) > MAX_DETAIL_CHARS:
        message = message[: MAX_DETAIL_CHARS - 3] + "..."
    return message
