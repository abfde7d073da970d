"""loss_spikes: the training loss jumps up for an epoch or two, then comes back down.

A spike that recovers is not divergence: the optimizer hit a region (or a batch) where one
update was far too large. Repeated spikes are the classic sign of exploding gradients or
of a few extreme samples. A single excursion that the run left behind (it ended below where
it stood before the spike) did no lasting harm, so it is worth knowing (`info`), not a
warning: momentum SGD on a healthy run can do that once. Spikes in the validation loss,
however many, in epochs whose training loss did not spike (it spiked at most HARMLESS_SPIKES
times elsewhere, and the run left that behind too) are the same when the run left them all
behind: no update blew the weights up (the training loss would show it), so what jumped is the
validation measurement (a small or unrepresentative validation set, BatchNorm statistics), and
the run ended better than it was before the first one. For the validation loss of a run that
ended well, "left behind" allows the RECOVERED tolerance on its best epoch before the spike: a
real noisy validation curve (wild log w737, validation accuracy 0.86) ends at its usual level,
1.15x a lucky epoch before the spike that it never matches again; a run stuck at chance
(validation loss back at ln K) gets no such tolerance.

The training loss's best epoch before the spike is a lucky draw too where the curve is noisy from
epoch to epoch (a few hundred samples an epoch): "left behind" allows NOISE_WIDTHS times the
curve's relative noise on that best. A run of 1,500 epochs on 400 samples wanders 0.32-0.70 on
its plateau, spikes once to 0.695 and ends at 0.467, 1.12x a best of 0.418 it hit once before
the spike, where its level (the plateau's median) is 0.42 afterwards against 0.58 before. A
smooth curve has no noise to allow, and a spike that lifted the loss to a higher level for good
ends beyond a few noise widths. The allowance holds only where excursions of SPIKE_FACTOR over the
epochs before them (of any size) are rare, at most EXCURSION_RATE of the epochs (that run has 4 in
1,500) or no more than HARMLESS_SPIKES however short the curve (the spike being judged is one:
w249, 15 epochs of a fine-tune wandering 0.03-0.06, one spike and an end 1.23x a lucky best): a
curve that jumps every few epochs (11 epochs with 4 jumps of 7-1000x) is not noisy but spiking,
and its noise estimate is the spikes'. The validation loss gets the same allowance on its own
noise (at least RECOVERED where the run ended well): a regression's validation MSE wobbling
5.1-7.1 while it falls ends 1.7 % above a lucky epoch before its one spike (w1164), and no
accuracy says it ended well.

The first epoch can be the spike too: a first-epoch loss BLOWUP times what the run fell to
within BLOWUP_EPOCHS epochs. A fresh model starts near ln K, or near the targets' variance for
a regression, and an epoch of learning lowers that by a factor of a few, never by orders of
magnitude; a start that high means the first updates blew the weights up (far too large a
learning rate, or an initialization that explodes). A blow-up lifts the loss above what a model
that learned nothing scores (the caller's `baseline_loss` or ln K; for a classifier of unknown K
at least ln 2; for a regression about 1, REGRESSION_LEARNED_NOTHING): a first epoch
below that learned fast and blew nothing up, however far the run went on to fall. A blow-up
the model left behind inside that first epoch did no lasting harm, like a spike the run left
behind, and is `info`: the validation loss measured at the end of the epoch was already within
RECOVERED_BY_THEN of what the training loss fell to next (not orders of magnitude off), or under
what a model that learned nothing scores, and the run ended well (unexpected_initial_loss.ENDED_WELL).
A real run logged 239.7, then 1.1 with validation at 1.33 after the first epoch, and ended at
validation accuracy 0.86; the generated runs at too high a learning rate are still 2.4-830x off
after their first epoch, or end with no accuracy to speak of (a loss stuck at ln K). A training
loss that goes to zero next (a small set memorized: 1.90, 0.22, 8e-6) sets no range to be within
3x of; validation at 0.56 after that first epoch, under ln 2, at accuracy 0.85 (wild log w1233),
says the weights were in range.

The last epoch can be the spike too, with no epoch after it to show a recovery: a training loss
that jumped FINAL_JUMP times the epoch before it, to above every epoch before it (the untrained
first one included), is a warning whatever came before: the run ended with weights worse than
a fresh model's, and nothing in the log says they came back (a CNN at 0.0056 with accuracy 1.0,
then 3.51 at accuracy 0.87 in its last epoch: wild log w1579; an nnU-Net at 0.36, 0.12, then
0.60 with validation 7.6x up: w2030; a LadderNet at 0.16, then 1.6e18: w782). A median over the
final epochs, which the other shapes judge by, reads one such epoch as noise; in the wild
corpus's labelled logs every run whose training loss ends so is faulty (nine, none healthy).

A log read per step (`SourceInfo.granularity` "step": a Hugging Face Trainer's loss every
`logging_steps`) has no epoch mean to smooth the batches, so a point is a few batches' loss and
a batch of hard samples lifts it well past SPIKE_FACTOR (wild log w173, a ViT fine-tune: ten
such steps at 0.05-0.19 between steps at 0.002-0.04). There spikes of the training loss that
the run left behind, however many, are that sampling noise and `info`; one that blew the
weights up leaves the loss above where it stood, which stays a warning. So does a log read per
epoch whose epochs mostly logged a single step (`SourceInfo.single_steps`: Lightning logging every
50 steps of a 33-step epoch): each point is one batch's loss.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from diagnosis.curves import finite_curve, relative_noise, rounded, row_medians, windows
from diagnosis.history import TrainingHistory
from diagnosis.models import Finding, Severity
from diagnosis.rules.base import REGISTRY, Rule
from diagnosis.rules.unexpected_initial_loss import ended_well
from diagnosis.taxonomy import Category, Code
from diagnosis.wording import PER_STEP

# A spike: an epoch above this multiple of the median of the WINDOW epochs before it...
SPIKE_FACTOR = 1.5
WINDOW = 3
# ...that also jumps by at least this share of the run's whole loss range (ignores tiny losses)...
MIN_JUMP = 0.1
# ...and falls back under RECOVERED times that median within RECOVERY epochs.
RECOVERY = 3
RECOVERED = 1.2
# The first epoch blew up: BLOWUP times the least loss of the next BLOWUP_EPOCHS epochs.
BLOWUP = 100.0
BLOWUP_EPOCHS = 3
# The tasks whose learned-nothing loss is at least ln 2 (a balanced binary cross-entropy).
CLASSIFICATION_TASKS = frozenset({"classification", "binary", "multiclass"})
# A regression's learned-nothing loss where the caller sent no `baseline_loss`: a fresh network
# on targets of unit scale scores an MSE (or MAE) of about 1, the scale
# unscaled_targets.REGRESSION_SCALE measures against. A first epoch under it learned fast
# (wild log w943: 0.688, then 0.020 and 0.005 on a one-step temperature forecast); a blow-up
# on unit-scale targets lifts it above that, and targets far from unit scale are that rule's.
REGRESSION_LEARNED_NOTHING = 1.0
# ...unless the model was back in range by the end of that epoch: its validation loss within this
# multiple of the least training loss of the next BLOWUP_EPOCHS epochs (a blow-up leaves it
# BLOWUP-fold off), and the run ended well.
RECOVERED_BY_THEN = 3.0
BLOWUP_CAUSES = (("lr_too_high", 3.0), ("exploding_gradients", 2.0), ("unscaled_features", 1.0))
# The last epoch blew up: FINAL_JUMP times the epoch before it and above every earlier epoch.
# With no epoch after it to show a recovery, a doubling past the untrained first epoch is weights
# worse than a fresh model's (every wild log that ends so is faulty, see the docstring). It takes
# FINAL_MIN_EPOCHS: with two, the epoch before the last is the first, and being above every
# earlier epoch would add nothing to the jump.
FINAL_JUMP = 2.0
FINAL_MIN_EPOCHS = 3
# The training loss's tolerance on its pre-spike best: this many times its relative noise
# (curves.relative_noise, the typical distance from its running median); see the docstring.
NOISE_WIDTHS = 3.0
EXCURSION_RATE = 0.02
# More spikes than this, or a run that never got back under its pre-spike best, is a warning.
HARMLESS_SPIKES = 1


@dataclass
class LossSpikes(Rule):
    code = Code.loss_spikes
    category = Category.training_dynamics
    causes = (
        ("exploding_gradients", 2.0),
        ("lr_too_high", 2.0),
        ("batch_size_unsuitable", 1.0),
        ("nonfinite_values", 0.5),
    )
    monitors: tuple[str, ...] = ("loss", "val_loss")

    def check(self, run: TrainingHistory) -> Finding | None:
        final = self._final_blowup(run)
        if final is not None:
            return final
        found = {}
        for name in self.monitors:
            values = finite_curve(run.get(name))
            if values is not None and run.epochs >= 3 and (spikes := _spikes(values)):
                found[name] = spikes
        if not found:
            return self._blowup(run)
        metric = max(found, key=lambda name: len(found[name]))
        return self._spiked(run, metric, found)

    def _final_blowup(self, run: TrainingHistory) -> Finding | None:
        """The training loss's last epoch blew up (see the docstring), or None."""
        values = finite_curve(run.get(self.monitors[0]))
        if values is None or values.size < FINAL_MIN_EPOCHS:
            return None
        last, before, worst_before = float(values[-1]), float(values[-2]), float(values[:-1].max())
        if before <= 0 or last < FINAL_JUMP * before or last <= worst_before:
            return None
        return self.finding(
            run,
            severity=Severity.warning,
            confidence=0.7,
            summary=(
                f"loss jumped {last / before:.3g}x in the last {run.unit.one}, to {last:.4g}, above "
                f"every {run.unit.one} before it (the first one's {float(values[0]):.4g} "
                "included): the run ended with its weights blown up, and the log shows no recovery."
            ),
            evidence={
                "metric": self.monitors[0],
                "last": rounded(last),
                "before": rounded(before),
                "worst_before": rounded(worst_before),
                "jump": rounded(last / before, 3),
                "thresholds": {"final_jump": FINAL_JUMP},
            },
            recommendation=(
                "Clip gradients (optimizer clipnorm=1.0), lower the learning rate by 3x, and restore the "
                "best checkpoint (ModelCheckpoint(save_best_only=True)) rather than the last weights."
            ),
            fix={"clipnorm": 1.0, "learning_rate_factor": 0.3},
            epochs=[run.epochs - 1],
            causes=BLOWUP_CAUSES,
        )

    def _blowup(self, run: TrainingHistory) -> Finding | None:
        values = run.get("loss")
        ratio = _blowup_ratio(values)
        if values is None or ratio is None or ratio < BLOWUP:
            return None
        learned_nothing = run.facts.baseline_loss or (
            math.log(2)
            if run.facts.task in CLASSIFICATION_TASKS
            else REGRESSION_LEARNED_NOTHING
            if run.facts.task == "regression"
            else None
        )
        if learned_nothing is not None and values[0] <= learned_nothing:
            return None
        least_after = float(values[1 : BLOWUP_EPOCHS + 1].min())
        val = run.get("val_loss")
        left_behind = (
            val is not None
            and bool(np.isfinite(val[0]))
            and (
                float(val[0]) <= RECOVERED_BY_THEN * least_after
                or (learned_nothing is not None and float(val[0]) < learned_nothing)
            )
            and ended_well(run)
        )
        return self.finding(
            run,
            severity=Severity.info if left_behind else Severity.warning,
            confidence=0.7,
            summary=(
                f"The first {run.unit.one}'s loss, {float(values[0]):.4g}, was {ratio:.0f}x what "
                "the run fell "
                f"to within {run.unit.count(BLOWUP_EPOCHS)}: the first updates blew the weights up"
                + (
                    f", but the model was back in range by the end of it (val_loss {float(val[0]):.4g})."
                    if left_behind and val is not None
                    else "."
                )
            ),
            evidence={
                "metric": "loss",
                "first_epoch_loss": rounded(float(values[0])),
                "least_after": rounded(least_after),
                "left_behind": left_behind,
                "ratio": rounded(ratio, 3),
                "learned_nothing_loss": None if learned_nothing is None else rounded(learned_nothing),
                "thresholds": {
                    "blowup": BLOWUP,
                    "blowup_epochs": BLOWUP_EPOCHS,
                    "recovered_by_then": RECOVERED_BY_THEN,
                },
            },
            recommendation=(
                "Lower the learning rate by 10x, clip gradients (clipnorm=1.0), use the default "
                "(Glorot or He) initialization, and standardize the inputs."
            ),
            fix={"learning_rate_factor": 0.1, "clipnorm": 1.0},
            epochs=[0],
            causes=BLOWUP_CAUSES,
        )

    def _spiked(self, run: TrainingHistory, metric: str, found: dict[str, list[int]]) -> Finding:
        spikes = found[metric]
        values = run.metrics[metric]
        worst = max(spikes, key=lambda e: values[e])
        training = found.get(self.monitors[0], [])
        validation_only = not training  # the training loss never spiked
        # The validation loss is measured on a small set and wobbles by a fifth from epoch to
        # epoch: one lucky epoch before the spike sets a bar its typical epochs never meet again.
        # In a run that ended well, ending within RECOVERED of that best (the tolerance that
        # counts a spike as recovered) left the spike behind. The training loss, a mean over
        # every batch of an epoch, has no such luck.
        well = ended_well(run)
        per_step = run.source.granularity == PER_STEP or run.source.single_steps(self.monitors[0])

        def tolerance(name: str) -> float:
            values = run.metrics[name]
            noisy = (
                1.0 + NOISE_WIDTHS * relative_noise(values)
                if _excursions(values) <= max(EXCURSION_RATE * values.size, HARMLESS_SPIKES)
                else 1.0
            )
            if name == self.monitors[0]:
                return noisy
            return max(noisy, RECOVERED if well else 1.0)

        left_behind = _left_behind(values, spikes[0], tolerance(metric))
        harmless = all(
            _left_behind(run.metrics[name], epochs[0], tolerance(name))
            and (
                len(epochs) <= HARMLESS_SPIKES
                # A per-step training loss spikes with its batches (see the docstring).
                or (name == self.monitors[0] and per_step)
                # Validation spikes in epochs whose training loss did not spike: no update blew up.
                or (name != self.monitors[0] and not set(epochs) & set(training))
            )
            for name, epochs in found.items()
        )
        return self.finding(
            run,
            severity=Severity.info if harmless else Severity.warning,
            confidence=min(0.9, 0.6 + 0.1 * len(spikes)),
            summary=f"{metric} spiked in {len(spikes)} {run.unit.one}(s) and recovered each time.",
            evidence={
                "metric": metric,
                "spike_epochs": spikes,
                "worst_epoch": worst,
                "worst_value": rounded(float(values[worst])),
                "spikes_by_metric": found,
                "left_behind": left_behind,
                "validation_only": validation_only,
                "thresholds": {
                    "spike_factor": SPIKE_FACTOR,
                    "window": WINDOW,
                    "recovery": RECOVERY,
                    "harmless_spikes": HARMLESS_SPIKES,
                },
            },
            recommendation=(
                "Clip gradients (optimizer clipnorm=1.0), lower the learning rate by 3x, and look for "
                f"extreme or corrupt samples in the batches of those {run.unit.many}."
            ),
            fix={"clipnorm": 1.0, "learning_rate_factor": 0.3},
            epochs=spikes,
            # val_noisy's causes, read from the registry: val_noisy imports spike_epochs from here.
            causes=REGISTRY[Code.val_noisy].causes if validation_only else None,
        )


def _blowup_ratio(values: np.ndarray | None) -> float | None:
    if values is None or values.size <= BLOWUP_EPOCHS or not np.isfinite(values[: BLOWUP_EPOCHS + 1]).all():
        return None
    after = float(values[1 : BLOWUP_EPOCHS + 1].min())
    return float(values[0]) / after if after > 0 and values[0] > 0 else None


def _spikes(values: np.ndarray) -> list[int]:
    """Epochs (from the second) that jump above the median of the up-to-WINDOW epochs before
    them and fall back within RECOVERY epochs; the first epochs compare with what exists."""
    span = float(values.max() - values.min())
    candidates = np.arange(1, values.size - 1)
    # Epoch e < WINDOW reads the first epoch in place of the epochs before the run, so it
    # compares with the epochs it has; near the end the last epoch stands in for those after
    # the run, which changes no minimum.
    before = row_medians(windows(values, -WINDOW, -1)[1:-1])  # the rows of the candidates
    after = windows(values, 1, RECOVERY)[1:-1].min(axis=1)
    current = values[candidates]
    is_spike = (
        (before > 0)
        & (current >= SPIKE_FACTOR * before)
        & (current - before >= MIN_JUMP * span)
        & (after < RECOVERED * before)
    )
    return [int(e) for e in candidates[is_spike]]


def spike_epochs(values: np.ndarray) -> list[int]:
    """The epochs `_spikes` finds: val_noisy counts the validation loss's own spikes with it."""
    return _spikes(values)


def _excursions(values: np.ndarray) -> int:
    """Epochs (from the second) at SPIKE_FACTOR or more times the median of the up-to-WINDOW
    epochs before them, however small the jump and whether or not they recovered."""
    before = row_medians(windows(values, -WINDOW, -1)[1:])  # the rows of epochs 1..n-1
    return int(np.count_nonzero((before > 0) & (values[1:] >= SPIKE_FACTOR * before)))


def _left_behind(values: np.ndarray, spike: int, tolerance: float = 1.0) -> bool:
    """Whether the run ended at or under `tolerance` times its best before `spike` (an epoch from
    the second on, on a curve that is finite throughout)."""
    return bool(values[-1] <= tolerance * values[:spike].min())
