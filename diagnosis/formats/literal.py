"""A printed Python literal (a History dict or list as `print(history.history)` shows it, a
Hugging Face Trainer's printed log entry) as data. `nan`/`inf` and numpy 2's reprs
(`np.float32(0.5)`, `array([...])`) are mapped to literals first, then read with
`ast.literal_eval`, never `eval`. A leaf module: the JSON, console and step readers all use it."""

from __future__ import annotations

import ast
import re
import warnings

from diagnosis.history import MAX_JSON_DEPTH, HistoryError, json_depth

# `nan`, `inf`, `-inf` as Python prints them, outside quotes; literal_eval knows neither.
_NON_FINITE = re.compile(r"(?<![\w'\"])(-?)(nan|inf)(?![\w'\"])")
# numpy scalars and arrays as numpy 2 prints them: `np.float32(0.5)`, `array([0.5], dtype=...)`.
_NUMPY_SCALAR = re.compile(r"(?:np|numpy)\.(?:float|int)\d*\(([^()]{0,64})\)")
_NUMPY_ARRAY = re.compile(r"\barray\((\[[^()]*\])(?:,\s*dtype=[\w.]+)?\)")

# A pasted repr is small; ast.literal_eval takes ~10 us a number, so bigger ones go as JSON.
MAX_LITERAL_CHARS = 2_000_000


def python_literal(content: str) -> object:
    """A printed History dict (or list) as data; `nan` and `inf` become NaN and infinity."""
    if len(content) > MAX_LITERAL_CHARS:
        raise HistoryError(
            f"a printed History dict longer than {MAX_LITERAL_CHARS} characters; save it as JSON "
            "(json.dump(history.history, f)) instead"
        )
    if json_depth(content) > MAX_JSON_DEPTH:
        raise HistoryError(f"the input is nested deeper than {MAX_JSON_DEPTH} levels")
    text = _NUMPY_ARRAY.sub(r"\1", _NUMPY_SCALAR.sub(r"\1", content))
    # 1e999 is how a literal spells infinity; None stands for NaN (history readers map it).
    text = _NON_FINITE.sub(lambda m: "None" if m[2] == "nan" else f"{m[1]}1e999", text)
    try:
        with warnings.catch_warnings():  # a malformed literal warns on stderr before it fails
            warnings.simplefilter("ignore", SyntaxWarning)
            return ast.literal_eval(text.strip())
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        raise HistoryError(
            "not JSON and not a printed Python dict or list of numbers (like {'loss': [0.69, 0.52]})"
        ) from None
