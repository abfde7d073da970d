"""The text `model.fit(verbose=1|2)` prints, from a console or a job log.

    Epoch 3/20
    32/32 [==============================] - 1s 12ms/step - loss: 0.4123 - acc: 0.81   Keras 2
    32/32 ━━━━━━━━━━━━━━━━━━━━ 1s 12ms/step - accuracy: 0.81 - loss: 0.4123           Keras 3
    32/32 - 1s - 12ms/step - loss: 0.4123 - accuracy: 0.81                             verbose=2
     - 1s - loss: 0.4123 - acc: 0.81                                       verbose=2, old Keras

With verbose=1 the bar is redrawn in place: all of an epoch's redraws share one physical line,
each starting after `\\b...\\r`, and the last one (the only one with the val_ metrics) is
the epoch's result. Keras 3 also colours it with ANSI escapes. Everything else (warnings,
tracebacks, prints, `model.evaluate` output) is noise to skip.
"""

from __future__ import annotations

import re

from diagnosis.formats.columns import Runs
from diagnosis.history import HistoryError, TrainingHistory

# `Epoch 3/20` alone on a line. The pattern opens with that literal so the regex engine can
# jump between occurrences; the look-behind then asks for a line start. Digit counts are
# bounded so int() never meets a 5,000-digit "epoch number".
EPOCH_LINE = re.compile(r"Epoch (?<![^\n]Epoch )(\d{1,9})/(\d{1,9})[ \t]*\r?$", re.MULTILINE)
_ANSI = r"\x1b\[[0-9;]*[A-Za-z]"
# The last redraw of a physical line (what a terminal finally shows) when it looks like
# progress. The leading [\r\n] lets the engine skip to line and redraw starts; possessive
# quantifiers keep the scan linear on any input.
_LAST_REDRAW = re.compile(
    rf"[\r\n](?P<redraw>(?:{_ANSI}|[ \t\b])*+(?:\d{{1,12}}/\d{{1,12}}|- )[^\r\n]*+)(?=\r?\n|\r?\Z)"
)
_COUNTER = re.compile(r"(\d{1,12})/(\d{1,12})\b")
_NUMBER = r"[-+]?(?:nan|inf(?:inity)?|(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)"
_METRIC = re.compile(rf"([A-Za-z_][\w.]{{0,99}}): ({_NUMBER})", re.IGNORECASE)
_ANSI_ESCAPE = re.compile(_ANSI)
# A progress line is a few hundred characters; a longer "redraw" is something else.
MAX_LINE = 1 << 16
NO_EPOCHS = (
    "found no 'Epoch N/M' line; expected Keras History JSON, a CSVLogger file, the output of "
    "model.fit, TensorBoard event files or a zip/tar.gz of a TensorBoard log directory"
)


def _metrics(redraw: str) -> dict[str, float] | None:
    """The metrics of a progress line that ends an epoch; None for anything else."""
    line = _ANSI_ESCAPE.sub("", redraw.replace("\b", "")).strip()
    counter = _COUNTER.match(line)
    if counter and int(counter[1]) != int(counter[2]):
        return None  # stopped mid-epoch
    metrics = {}
    for part in line.split(" - ")[1:]:
        metric = _METRIC.fullmatch(part.strip())
        if metric:
            metrics[metric[1]] = float(metric[2])
    return metrics or None


def _epoch_result(content: str, start: int, end: int) -> dict[str, float] | None:
    """The first epoch-ending progress line between an `Epoch` line and the next. Later ones
    are `model.evaluate` (it prints the same shape) and are ignored."""
    for redraw in _LAST_REDRAW.finditer(content, start, end):
        if redraw.end() - redraw.start() <= MAX_LINE and (metrics := _metrics(redraw["redraw"])):
            return metrics
    return None


def parse(content: str) -> list[TrainingHistory]:
    """One run per `fit` call: a new one starts where `Epoch k/N` restarts or N changes."""
    markers = EPOCH_LINE.finditer(content)
    marker = next(markers, None)
    if marker is None:
        raise HistoryError(NO_EPOCHS)
    runs = Runs()
    last: tuple[int, int] | None = None
    while marker is not None:
        following = next(markers, None)
        epoch, total = int(marker[1]), int(marker[2])
        if last is not None and (total != last[1] or epoch <= last[0]):
            runs.start_new()
        last = (epoch, total)
        metrics = _epoch_result(content, marker.end(), following.start() if following else len(content))
        if metrics:
            runs.current.add_epoch(metrics)
        marker = following
    histories = runs.histories()
    if not histories:
        raise HistoryError(
            "the log has 'Epoch N/M' lines but no finished epoch with metrics "
            "(a line like '32/32 ... - loss: 0.41')"
        )
    return histories
