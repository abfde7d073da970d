"""loss_nan: the loss became NaN or infinite; training is broken from that epoch on.

The gradient norm a trainer logs beside the loss (Hugging Face's `grad_norm`) says the same of
the update itself where it is non-finite from some point to the end of the run: every step since
applied a NaN update or none at all, whatever the loss shows (a loss of exactly 0.0 beside
`grad_norm: nan` in every entry, wild logs w1756 and w1757). An isolated non-finite norm that
finite ones follow is mixed precision's loss scaler at work: it skips that step, lowers its
scale and goes on (a healthy fine-tune, wild log w873: one in 1000 steps).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from diagnosis.curves import first_nonfinite, rounded
from diagnosis.history import TrainingHistory
from diagnosis.models import Finding, Severity
from diagnosis.rules.base import Rule
from diagnosis.taxonomy import Category, Code

# Dividing the learning rate by ten is the usual first step: NaN mostly comes from an update
# that overshoots, and a tenth of the rate is small enough to tell if that was the cause.
LR_FACTOR = 0.1
# Keras' `clipnorm` caps each gradient's norm; 1.0 is the value most reference code uses.
CLIPNORM = 1.0
# A validation value missing while the training loss is finite is a gap, not a symptom, where
# it follows the validation cadence: validation every N epochs (a CSVLogger `NA`, an eval every
# ~2 epochs in a Hugging Face log) leaves at least this many separate missing stretches with
# a validated epoch after each. One isolated NaN between finite values is still reported (a
# validation batch that overflowed); a diverged run keeps its NaN to the end.
CADENCE_GAPS = 2
# A log saved mid-epoch (a trainer_state.json written at epoch 4.5) ends before that epoch's
# evaluation ran: a trailing missing validation stretch no longer than the cadence's longest
# gap (or one epoch where validation ran every epoch) while the training loss stays finite.
TRAILING_UNEVALUATED = 1
# The gradient norm's names, as trainers log it beside the loss.
GRAD_NORMS = ("grad_norm", "gradient_norm")
# Before the first evaluation: validation missing from the first epoch up to its first finite
# value, beside a finite training loss, is an evaluation that had not run yet (a Hugging Face
# Trainer evaluating every 100 steps on epochs of 80 evaluates first in the second epoch),
# however long: a run broken at the start has no finite validation value to come back to. It
# sets no cadence for a trailing stretch.


@dataclass
class LossNaN(Rule):
    code = Code.loss_nan
    category = Category.training_dynamics
    causes = (
        ("lr_too_high", 3.0),
        ("nonfinite_values", 2.0),
        ("exploding_gradients", 2.0),
        ("loss_task_mismatch", 1.0),
        ("unscaled_features", 1.0),
    )
    monitors: tuple[str, ...] = ("loss", "val_loss")

    def check(self, run: TrainingHistory) -> Finding | None:
        hits = {}
        for name in self.monitors:
            values = _logged(run, name)
            if values is not None and name != "loss":
                values = _without_gaps(values, run.get("loss"))
            epoch = None if values is None else first_nonfinite(values)
            if epoch is not None:
                hits[name] = epoch
        for name in GRAD_NORMS:
            epoch = _nonfinite_to_the_end(_logged(run, name))
            if epoch is not None:
                hits[name] = epoch
        if not hits:
            return None
        metric, epoch = min(hits.items(), key=lambda item: item[1])
        values = run.metrics[metric]
        fix: dict[str, float] = {"learning_rate_factor": LR_FACTOR, "clipnorm": CLIPNORM}
        if run.metadata.learning_rate:
            fix["learning_rate"] = run.metadata.learning_rate * LR_FACTOR
        return self.finding(
            run,
            severity=Severity.error,
            confidence=1.0,
            summary=f"{metric} became non-finite at {run.unit.one} {epoch}; nothing after it is learning.",
            evidence={
                "metric": metric,
                "first_nonfinite_epoch": epoch,
                "last_finite_value": rounded(values[epoch - 1]) if epoch > 0 else None,
                "nonfinite_epochs": int((~np.isfinite(values)).sum()),
            },
            recommendation=(
                f"Divide the learning rate by {round(1 / LR_FACTOR)}, add gradient clipping "
                f"(optimizer clipnorm={CLIPNORM}), and check inputs and labels for NaN or "
                "infinite values; keras.callbacks.TerminateOnNaN stops such runs early."
            ),
            fix=fix,
            epochs=[epoch],
        )


def _logged(run: TrainingHistory, name: str) -> np.ndarray | None:
    """The curve with each point the input has no value for (`SourceInfo.not_logged`: an empty
    cell, an epoch without validation) holding the value logged before it, or the first one
    where none was: NaN there is a value never written, no symptom (wild log w1449: one empty
    RMSE_Val cell mid-run). A NaN the run printed stays."""
    values = run.get(name)
    gaps = run.source.not_logged.get(name)
    if values is None or not gaps:
        return values
    missing = np.zeros(values.size, dtype=bool)
    missing[[epoch for epoch in gaps if epoch < values.size]] = True
    return values if missing.all() else _filled(values, missing)


def _nonfinite_to_the_end(values: np.ndarray | None) -> int | None:
    """The epoch from which the curve is non-finite up to its end, or None (see the docstring)."""
    if values is None or np.isfinite(values[-1]):
        return None
    finite = np.flatnonzero(np.isfinite(values))
    return int(finite[-1]) + 1 if finite.size else 0


def _without_gaps(values: np.ndarray, loss: np.ndarray | None) -> np.ndarray:
    """A validation curve with the epochs it was not evaluated in filled by the value before
    (see CADENCE_GAPS and TRAILING_UNEVALUATED, and before the first evaluation): what is
    left non-finite is a symptom."""
    if loss is None or loss.size != values.size:
        return values
    missing = ~np.isfinite(values) & np.isfinite(loss)
    if not missing.any():
        return values
    # Stretches of consecutive missing epochs: (start, end) with end exclusive.
    edges = np.flatnonzero(np.diff(np.concatenate(([0], missing.view(np.int8), [0]))))
    stretches = list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))
    interior = [(a, b) for a, b in stretches if b < values.size and np.isfinite(values[b])]
    gaps: list[tuple[int, int]] = interior if len(interior) >= CADENCE_GAPS else []
    longest = max((b - a for a, b in gaps), default=TRAILING_UNEVALUATED)
    if not gaps and interior and interior[0][0] == 0:
        gaps.append(interior[0])  # before the first evaluation, on no cadence
    last = stretches[-1]
    if last[1] == values.size and last[0] > 0 and last[1] - last[0] <= longest:
        gaps.append(last)
    if not gaps:
        return values
    unevaluated = np.zeros(values.size, dtype=bool)
    for a, b in gaps:
        unevaluated[a:b] = True
    return _filled(values, unevaluated)


def _filled(values: np.ndarray, missing: np.ndarray) -> np.ndarray:
    """The curve with each `missing` point holding the value before it, or, before the first
    point not missing (the caller leaves one), that point's value."""
    positions = np.arange(values.size)
    before = np.maximum.accumulate(np.where(missing, -1, positions))
    return values[np.where(before >= 0, before, int(np.argmin(missing)))]
