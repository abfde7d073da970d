"""loss_plateau: the training loss barely moved over the whole run.

A converged run also ends flat, so flatness alone is not a finding: the rule fires only
when the loss never improved much from where it started (it was stuck, not finished), or when
the run ends with the loss equal to ln K to four digits (`RunFacts.uniform_epochs`): a softmax
that outputs 1/K for every class has learned nothing, whatever the loss did before (a run that
collapses there after a few epochs of learning is stuck too). A loss that never improved is
stuck only where there was something to learn: one that started below HIGH_LOSS of what a model
that learned nothing scores (the baseline loss, or ln 2, the least any classifier that learned
nothing scores) was trained already, and flat there is finished (a run continued from a
checkpoint), not stuck.

Shapes a practitioner flags at a glance, whatever the yardstick:
- stalled from its first epochs: after epoch STALL_FROM the loss never improved by
  MIN_IMPROVEMENT again, over at least STALL_EPOCHS epochs, while it was still above HIGH_START of
  where it started (a bias that learned the targets' mean in the first epochs, then nothing).
  A log that starts after epoch LATE_START did not start there: its first loss is a trained
  model's (a pasted excerpt, epochs 64-73 of 100, 0.0064 -> 0.0062: wild log w1407), and
  HIGH_START of it is no "still high"; the other shapes below still judge it.
  A run that fell far in its first epochs and then converged is not this. Nor is it stuck
  for a few epochs after a fast start; but a loss that then moved less than MIN_IMPROVEMENT
  in LONG_STALL_EPOCHS epochs or more stopped learning wherever it started, unless it stands
  under HIGH_LOSS of what a model that learned nothing scores (finished, where a yardstick
  says so): a sigmoid network on raw Boston prices that learned the mean price in two epochs
  (327 -> 85, the targets' variance) and sat at 84.7-87.6 for 97 more (wild log w1561). Nor is a run with no
  yardstick for "still high" (no K, no baseline: an autoencoder, a language model) whose loss
  still falls in every epoch after those first ones and ended STEADY_FALL below its first
  epoch: on a large data set the first epoch does most of the learning, so where it started is
  no untrained loss, and a loss that keeps falling, by less each epoch, is converging. Nor,
  with no such yardstick, is a loss that went on falling after those first epochs at the pace
  below (MIN_IMPROVEMENT every PACE_EPOCHS epochs): a short excerpt of a long run (epochs
  154-161 of 200, 12.96 -> 12.60 in five) cannot move MIN_IMPROVEMENT in so few epochs, and
  "stopped learning" is the same misreading of its length as "never improved".
- nothing generalized: the validation loss never improved MIN_IMPROVEMENT on its first epoch
  while the training loss ended no lower than (1 - MIN_IMPROVEMENT) of validation's best: the
  model neither learned anything new data shows nor memorized its training data (what heavy
  Dropout does: the training loss falls towards validation's from far above it). A model that
  learned everything in its first epoch has a training loss below validation's, not above.

- frozen: the last FROZEN_EPOCHS epochs or more logged the very same loss, to every digit
  written, and the run never improved MIN_IMPROVEMENT on its first epoch: the weights stopped
  changing (a zero gradient: saturated outputs, dead units, labels the loss cannot fit). This
  needs neither MIN_EPOCHS nor a positive loss: a loss frozen at -4.4410 (a cross-entropy on
  targets outside [0, 1]) or at 5.7257 (a sigmoid saturated on the majority class) never moved
  from its first epochs, whatever its sign or size. A frozen loss under HIGH_LOSS of what a
  model that learned nothing scores is finished, not stuck (a checkpoint resumed at its end),
  and equality means nothing where the written digits are too few to show a change
  (0.0012 three times at four decimals): the value must show FROZEN_DIGITS significant digits.
  A run that learned in the end but first sat frozen so, FROZEN_EPOCHS or more epochs at the
  very same loss before it had improved MIN_IMPROVEMENT on its first epoch, was stuck for those
  epochs just the same (a binary classifier at exactly 7.7125 with accuracy 0.5000 in epochs
  2-5, saturated outputs, before it broke out in epoch 6: wild log w1702). In the wild corpus's
  labelled logs every run with such a stretch is faulty; the healthy ones that log one value
  three times running do it at a level they had learned down to.

- zero throughout: every training loss the log holds, FROZEN_EPOCHS or more, is zero (to within
  ZERO_LOSS, far under float32's epsilon): not a fit but a loss with nothing in it. Keras clips
  a saturated softmax's probability, so a model certain of every right answer still pays
  1.1921e-07; a loss of exactly zero from the first logged step on is a loss over no targets
  (empty or masked label images, labels the pipeline mis-read into the ignored class) or not
  computed at all (an LLM fine-tune whose loss is 0.0 at every step from the first, a
  segmenter's `Current_Loss = 0.0000` through its third epoch, a detector's -6.4e-20 with both
  heads at 0: wild logs w2016, w2047, w1413, w2009). The frozen shape leaves zero out (its digits
  show nothing); here the level itself is the tell. In the wild corpus's labelled logs every run
  whose loss ends at zero two epochs running or more is faulty.

- certain to the end: a classifier's training loss at float32's epsilon (infer's saturated
  epochs: a softmax clipped on the right class for every sample) for its last FROZEN_EPOCHS
  epochs or more, with no validation curve to show what it learned. No honest fit of real data
  is certain of every training sample epoch after epoch: a loader that repeats one batch (a
  VGG16 at 1.1921e-07 and accuracy 1.0000 from its second epoch, its generator yielding the
  same slice: wild log w1564) or outputs saturated on the labels (a character LSTM on 1.24 M
  sequences at 1.1921e-07 for its last five epochs, no longer generating text: w2241). The
  issue names the value as the tell of a saturated output. With validation logged, overfitting
  holds the same fact against validation's loss instead.

- answers frozen: the validation overlap score (IoU, Dice, Jaccard, F1, AUC: overfitting.SCORE)
  logged the very same value, to every one of at least FROZEN_DIGITS significant digits written,
  for the last FROZEN_EPOCHS epochs or more, short of SCORE_SETTLED. Such a score counts pixels
  or samples by the model's thresholded answers on fixed data: any change in the weights moves
  it in some digit, so a frozen one is a model whose answers stopped changing: a constant output
  (saturated units, dead units), whatever the loss does as its outputs saturate further (a U-Net
  whose validation Dice sat at 0.663446 for its last 11 epochs, having moved every epoch before,
  while both losses crept down in their fifth digit after a drop: it collapsed to all
  background). A score at SCORE_SETTLED or above (a model right on nearly every sample) can sit
  still because nothing is left to change (healthy runs in the wild corpus: F1 0.991-0.998, AUC
  0.9997-1.0), and an accuracy is left out: on a small validation set it counts few samples,
  and the same count several epochs running is a converged model (70 of 80 right, 0.875).

A short run (SHORT_EPOCHS up to MIN_EPOCHS epochs, the fewest judgeable.why_inconclusive
judges) is stuck when nothing in it moved: the training loss, and validation's where logged,
neither improved MIN_IMPROVEMENT nor fell at the pace below, while every accuracy it logged
stayed where a model that learned nothing scores (under MOSTLY_WRONG, or within
accuracy_at_chance.MARGIN of 1/K where K is known), read as a share of samples where it was
logged in percent (a MobileNet excerpt at 10.1 % with its loss settling on ln 10 = 2.3026: wild
log w2001; an OpenNMT transformer at 36-42 % with its cross-entropy at 3.96-4.02: w1423). A
pasted excerpt of a run that learns moves in three epochs (its loss, or its accuracy); one
whose loss sits at ln 10 with 10 % accuracy for four epochs of 200 (wild log w1228, Keras'
cifar10_cnn under Keras 1.1.0) has shown what it does. A short run without an accuracy says too
little to call stuck: a converged excerpt is flat too.

"Never improved MIN_IMPROVEMENT" is a judgement on a run of some length: a short excerpt (epochs
21-25 of 150, training 3.96 -> 3.77 and validation 4.10 -> 3.92, both lower every epoch) moves a
few percent in all while its pace, a percent an epoch, would take the loss down a quarter in 30
epochs. A curve that fell from its first epoch to its last at MIN_IMPROVEMENT every PACE_EPOCHS
epochs or faster is slow at most (slow_convergence's to judge), not stuck; the generated runs at
too small a rate fall under 5 % in 30 epochs, a sixth of that pace.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from diagnosis.curves import as_share, finite_curve, rounded
from diagnosis.history import TrainingHistory
from diagnosis.infer import FLOAT32_EPSILON, SATURATED_FACTOR, written_decimals
from diagnosis.judgeable import LATE_START
from diagnosis.judgeable import MIN_EPOCHS as SHORT_EPOCHS
from diagnosis.models import Finding, Severity
from diagnosis.rules.accuracy_at_chance import MARGIN as CHANCE_MARGIN
from diagnosis.rules.base import Rule
from diagnosis.rules.loss_oscillating import PERCENT
from diagnosis.rules.loss_spikes import CLASSIFICATION_TASKS
from diagnosis.rules.overfitting import MEMORIZED_ACCURACY, SCORE
from diagnosis.rules.underfitting import HIGH_LOSS, matches_simple_model
from diagnosis.taxonomy import Category, Code
from diagnosis.units import Settled

if TYPE_CHECKING:
    from diagnosis.probes.settling import BundleFacts

# Total improvement, as a share of the starting loss, below which the run never learned.
MIN_IMPROVEMENT = 0.05
# Fewer epochs than this are too short to call anything stuck.
MIN_EPOCHS = 5
# Stuck at uniform outputs: the last epoch and at least this many in all equal ln K.
UNIFORM_EPOCHS = 3
# Stalled from the first epochs.
STALL_FROM = 2
STALL_EPOCHS = MIN_EPOCHS
HIGH_START = 0.5
# ...or while the model was still wrong on most samples: a logged accuracy that never reached
# MOSTLY_WRONG after those first epochs (a first epoch far off makes the start no yardstick).
MOSTLY_WRONG = 0.5
# A steady descent, not a stall: with no learned-nothing loss to hold it against, a training loss
# that fell in every epoch after STALL_FROM and ended this share below its first epoch. Twice
# MIN_IMPROVEMENT: too small a learning rate moves the loss a few percent in a whole run (the
# generated runs at lr 1e-6 fall under 5 % in 30 epochs, every epoch a little), while a healthy
# run that learned most in its first epoch still fell 10-15 % over ten (a VAE, a char-RNN).
STEADY_FALL = 2 * MIN_IMPROVEMENT
# ...and still fell STEADY_TAIL_FALL (relative) after STALL_FROM: a loss creeping a fraction of a
# percent in as many epochs (a bias that learned the mean, 1.004 -> 1.001) is flat, while the
# healthy runs above still fell 2-5 % after their first two epochs.
STEADY_TAIL_FALL = 0.01
# Frozen: this many final epochs with the very same loss. Three, not two: two equal epochs can be
# a rounding coincidence of a loss moving in its fifth digit; a training run that changes its
# weights does not log the same value three times running (healthy runs in the wild corpus
# that did had converged: 0.0085 -> 0.0025, frozen at their end after improving 70 %).
FROZEN_EPOCHS = 3
# ...shown with at least this many significant digits (a loss at 0.0012 written to four
# decimals has two: its equal epochs are rounding, not a frozen model).
FROZEN_DIGITS = 3
# What freezes a loss is mostly a gradient of zero: a too-large step that saturated the output
# or killed the units feeding it, or labels the loss cannot fit (a negative cross-entropy). A
# learning rate far too low can hold the written digits too (SGD at 1e-6: 1.438 for five
# epochs), so it stays a cause, weighted below them.
FROZEN_CAUSES = (
    ("dead_units", 2.0),
    ("saturated_activations", 2.0),
    ("lr_too_high", 1.5),
    ("lr_too_low", 1.0),
    ("label_format_mismatch", 1.0),
    ("loss_task_mismatch", 1.0),
)
# Zero throughout (see the docstring): every logged training loss within this of zero, far
# under the 1.1921e-07 (float32's epsilon) a clipped softmax pays even when certain and right,
# so no fit lands in it; a loss over no targets, or never computed, does (a detector's -6.4e-20).
ZERO_LOSS = 1e-12
# A loss with nothing in it: targets the loss never sees (label_format_mismatch) or a loss that
# does not fit the labels it is given.
ZERO_CAUSES = (("label_format_mismatch", 3.0), ("loss_task_mismatch", 1.0))
# Certain to the end (see the docstring): outputs saturated on the labels, or a loader repeating
# its data (duplicate_samples' own reading is samples shared across splits, so it ranks second);
# a leak of the label into the inputs gives the same certainty.
CERTAIN_CAUSES = (("saturated_activations", 2.0), ("duplicate_samples", 1.5), ("label_format_mismatch", 1.0))
# A frozen validation overlap score short of this is a model whose answers stopped changing
# (see the docstring); at it or above, one with nothing left to change (overfitting's
# MEMORIZED_ACCURACY: all but a few samples right).
SCORE_SETTLED = MEMORIZED_ACCURACY
# Falling at MIN_IMPROVEMENT per PACE_EPOCHS epochs or faster, first epoch to last: not stuck,
# however few the epochs (see the docstring).
PACE_EPOCHS = 10
# A stall this long needs no high start (see the docstring): at the pace that tells slow from
# stuck (MIN_IMPROVEMENT every PACE_EPOCHS epochs), a loss still learning falls two
# MIN_IMPROVEMENTs in this many epochs; one that fell less than one has stopped. In the wild
# corpus's labelled logs every run of this shape is faulty but one healthy run, whose rate was
# cut to 6e-5, that allows loss_plateau.
LONG_STALL_EPOCHS = 2 * PACE_EPOCHS


@dataclass
class LossPlateau(Rule):
    code = Code.loss_plateau
    category = Category.training_dynamics
    causes = (
        ("lr_too_low", 2.0),
        ("loss_task_mismatch", 1.5),
        ("output_activation_mismatch", 1.5),
        ("dead_units", 1.0),
        ("vanishing_gradients", 1.0),
        ("unscaled_features", 1.0),
        ("lr_too_high", 1.0),
        ("label_noise", 0.5),
    )
    monitor: str = "loss"
    min_improvement: float = MIN_IMPROVEMENT

    def settle(self, finding: Finding, facts: BundleFacts) -> Settled | None:
        """A regression loss that levelled off where a simple model's does on the same rows is
        the data's noise, not a stall (underfitting's yardstick, with its slack): a noisy line fit
        at once sits there for the rest of the run. A classifier's plateau stands: a reference at
        chance (blank inputs, XOR for a linear model) cannot tell chance from a ceiling."""
        if finding.severity is not Severity.warning or facts.replay.score.get("mse") is None:
            return None
        found = matches_simple_model(facts)
        if found is None:
            return None
        said, evidence = found
        return Settled(f"but it levelled off where a simple model does ({said}): the data's noise", evidence)

    def check(self, run: TrainingHistory) -> Finding | None:
        values = run.get(self.monitor)
        if values is None:
            return None
        uniform = run.facts.uniform_epochs
        if run.epochs >= MIN_EPOCHS and len(uniform) >= UNIFORM_EPOCHS and uniform[-1] == run.epochs - 1:
            return self._uniform(run, uniform)
        if values.size >= FROZEN_EPOCHS and bool((np.abs(values) <= ZERO_LOSS).all()):
            return self._zero(run)
        certain = _certain_to_the_end(run)
        if certain and self.monitor == "loss":
            return self._certain(run, certain)
        learned_nothing = _learned_nothing(run)
        if _frozen(values, learned_nothing):
            return self._frozen(run, values)
        score = _frozen_score(run)
        if score is not None:
            return self._frozen_score(run, score)
        if run.epochs < MIN_EPOCHS:
            stuck = _short_stuck(run, self.monitor, self.min_improvement)
            return self._short_stuck(run, values) if stuck else None
        if not np.isfinite(values).all():
            return None
        accuracy = run.facts.accuracy_metric
        val = finite_curve(run.get(f"val_{self.monitor}"))
        from_start = run.starts_at_beginning(LATE_START)
        stalled = _stalled(
            values, finite_curve(run.get(accuracy)) if accuracy else None, val, learned_nothing, from_start
        )
        if stalled and not (learned_nothing is None and _converging(values, val, self.min_improvement)):
            return self._stalled(run, values)
        if (
            val is not None
            and _nothing_generalized(values, val, self.min_improvement)
            and not _at_pace(val, self.min_improvement)
        ):
            return self._val_flat(run, values, val)
        start = float(values[0])
        best = float(values.min())
        if start <= 0:
            return None  # a loss already at zero has nothing left to improve
        improvement = (start - best) / start
        if improvement >= self.min_improvement or _at_pace(values, self.min_improvement):
            stretch = _frozen_stretch(values, learned_nothing)
            return None if stretch is None else self._frozen_first(run, values, *stretch)
        if learned_nothing is not None and start < HIGH_LOSS * learned_nothing:
            return None
        return self.finding(
            run,
            severity=Severity.warning,
            confidence=0.8 if improvement < self.min_improvement / 2 else 0.6,
            summary=(
                f"{self.monitor} improved only {improvement:.1%} in {run.unit.count(run.epochs)}: "
                "the model is not learning."
            ),
            evidence={
                "metric": self.monitor,
                "start": rounded(start),
                "best": rounded(best),
                "relative_improvement": rounded(improvement, 3),
                "epochs": run.epochs,
                "thresholds": {"min_improvement": self.min_improvement},
            },
            recommendation=(
                "Check that the labels match the loss and that the inputs are standardized "
                "(zero mean, unit variance); then try a learning rate 10x higher, and make "
                "sure the model can overfit a single batch."
            ),
            fix={"learning_rate_factor": 10.0, "standardize_inputs": True},
            epochs=list(range(run.epochs)),
        )

    def _uniform(self, run: TrainingHistory, epochs: tuple[int, ...]) -> Finding:
        classes = run.facts.num_classes or 2
        return self.finding(
            run,
            severity=Severity.warning,
            confidence=0.9,
            summary=(
                f"The loss equals ln {classes} = {np.log(classes):.4f} in {run.unit.count(len(epochs))} up "
                f"to the last: the model outputs probability 1/{classes} for every class, it has "
                "learned nothing."
            ),
            evidence={
                "metric": self.monitor,
                "uniform_epochs": len(epochs),
                "first_uniform_epoch": epochs[0],
                "num_classes": classes,
                "ln_k": rounded(float(np.log(classes))),
                "thresholds": {"uniform_epochs": UNIFORM_EPOCHS},
            },
            recommendation=(
                "Lower the learning rate by 10x (a too-large step kills the units feeding the softmax), "
                "check that the inputs are standardized and the labels match the loss, and make sure the "
                "model can overfit a single batch."
            ),
            fix={"learning_rate_factor": 0.1, "standardize_inputs": True},
            epochs=list(epochs),
        )

    def _zero(self, run: TrainingHistory) -> Finding:
        return self.finding(
            run,
            severity=Severity.warning,
            confidence=0.8,
            summary=(
                f"{self.monitor} is zero in all {run.epochs} {run.unit.logged}: there is nothing "
                "in the loss to learn from, no fit reaches exactly zero from its first step."
            ),
            evidence={
                "metric": self.monitor,
                "zero_epochs": run.epochs,
                "thresholds": {"zero_loss": ZERO_LOSS, "frozen_epochs": FROZEN_EPOCHS},
            },
            recommendation=(
                "Check the targets the loss sees: load a batch and count its labels per class (empty or "
                "all-background masks, label values outside the classes the loss expects, an ignore "
                "index covering every pixel), and check that the loss is computed on the model's output."
            ),
            epochs=list(range(run.epochs)),
            causes=ZERO_CAUSES,
        )

    def _certain(self, run: TrainingHistory, epochs: tuple[int, ...]) -> Finding:
        return self.finding(
            run,
            severity=Severity.warning,
            confidence=0.6,
            summary=(
                f"{self.monitor} sits at float32's epsilon (1.1921e-07) for the last "
                f"{run.unit.count(len(epochs))}: "
                "the model is certain of every training sample, which no honest fit of real data is, "
                "and no validation curve shows what it learned."
            ),
            evidence={
                "metric": self.monitor,
                "certain_epochs": len(epochs),
                "first_certain_epoch": epochs[0],
                "thresholds": {"frozen_epochs": FROZEN_EPOCHS},
            },
            recommendation=(
                "Check what the model trains on: that the data generator moves through the data set "
                "(not the same batch again), that no input carries the label, and hold out a validation "
                "split to see whether it learned anything that generalizes."
            ),
            epochs=list(epochs),
            causes=CERTAIN_CAUSES,
        )

    def _frozen(self, run: TrainingHistory, values: np.ndarray) -> Finding:
        level = float(values[-1])
        epochs = _frozen_epochs(values)
        return self.finding(
            run,
            severity=Severity.warning,
            confidence=0.8,
            summary=(
                f"{self.monitor} has been exactly {level:.6g} for the last {run.unit.count(epochs)} "
                f"and never improved on its first {run.unit.one} ({float(values[0]):.6g}): the "
                "weights stopped changing."
            ),
            evidence={
                "metric": self.monitor,
                "start": rounded(float(values[0])),
                "frozen_at": rounded(level),
                "frozen_epochs": epochs,
                "thresholds": {
                    "frozen_epochs": FROZEN_EPOCHS,
                    "frozen_digits": FROZEN_DIGITS,
                    "min_improvement": self.min_improvement,
                },
            },
            recommendation=(
                "Check that the labels match the loss (binary_crossentropy needs targets in [0, 1], "
                "a negative loss means they are not), lower the learning rate by 10x (a too-large step "
                "saturates the output or kills the units feeding it), standardize the inputs, and make "
                "sure the model can overfit a single batch."
            ),
            fix={"learning_rate_factor": 0.1, "standardize_inputs": True},
            epochs=list(range(run.epochs - epochs, run.epochs)),
            causes=FROZEN_CAUSES,
        )

    def _frozen_first(self, run: TrainingHistory, values: np.ndarray, first: int, epochs: int) -> Finding:
        level, last = float(values[first]), first + epochs - 1
        return self.finding(
            run,
            severity=Severity.warning,
            confidence=0.7,
            summary=(
                f"{self.monitor} was exactly {level:.6g} in {run.unit.many} {first}-{last}, never having "
                f"improved on its first {run.unit.one} ({float(values[0]):.6g}): the weights "
                f"stopped changing for {run.unit.count(epochs)} before the run learned."
            ),
            evidence={
                "metric": self.monitor,
                "start": rounded(float(values[0])),
                "frozen_at": rounded(level),
                "first_frozen_epoch": first,
                "frozen_epochs": epochs,
                "thresholds": {
                    "frozen_epochs": FROZEN_EPOCHS,
                    "frozen_digits": FROZEN_DIGITS,
                    "min_improvement": self.min_improvement,
                },
            },
            recommendation=(
                "Lower the learning rate by 10x or add a warm-up (a too-large first step saturates the "
                "output or kills the units feeding it), standardize the inputs, and check the output "
                "activation against the loss."
            ),
            fix={"learning_rate_factor": 0.1, "standardize_inputs": True},
            epochs=list(range(first, last + 1)),
            causes=FROZEN_CAUSES,
        )

    def _frozen_score(self, run: TrainingHistory, name: str) -> Finding:
        values = run.metrics[name]
        level = float(values[-1])
        epochs = _frozen_epochs(values)
        return self.finding(
            run,
            severity=Severity.warning,
            confidence=0.7,
            summary=(
                f"{name} has been exactly {level:.6g} for the last {run.unit.count(epochs)}: the model's "
                "answers on the validation data stopped changing (a constant output), whatever the loss does."
            ),
            evidence={
                "metric": name,
                "frozen_at": rounded(level),
                "frozen_epochs": epochs,
                "thresholds": {
                    "frozen_epochs": FROZEN_EPOCHS,
                    "frozen_digits": FROZEN_DIGITS,
                    "score_settled": SCORE_SETTLED,
                },
            },
            recommendation=(
                "Look at what the model predicts on a few validation samples (a constant mask or class "
                "says the output saturated); lower the learning rate by 10x, check the output "
                "activation against the loss, and standardize the inputs."
            ),
            fix={"learning_rate_factor": 0.1, "standardize_inputs": True},
            epochs=list(range(run.epochs - epochs, run.epochs)),
            causes=FROZEN_CAUSES,
        )

    def _val_flat(self, run: TrainingHistory, train: np.ndarray, val: np.ndarray) -> Finding:
        first, best = float(val[0]), float(val.min())
        return self.finding(
            run,
            severity=Severity.warning,
            confidence=0.7,
            summary=(
                f"val_{self.monitor} improved only {(first - best) / first:.1%} in "
                f"{run.unit.count(run.epochs)} while "
                f"the training loss ended at {float(train[-1]):.4g}, no lower than validation's best: the "
                "model learned nothing that shows on new data, and fits its training data no better."
            ),
            evidence={
                "metric": f"val_{self.monitor}",
                "val_first": rounded(first),
                "val_best": rounded(best),
                "train_end": rounded(float(train[-1])),
                "thresholds": {"min_improvement": self.min_improvement},
            },
            recommendation=(
                "Lower Dropout to 0.2-0.3 (rates of 0.5 and more on small layers leave too little to "
                "learn from), check that the inputs are standardized and the labels right, and make "
                "sure the model can overfit a single batch."
            ),
            fix={"dropout": 0.2},
            epochs=list(range(run.epochs)),
        )

    def _short_stuck(self, run: TrainingHistory, values: np.ndarray) -> Finding:
        start, end = float(values[0]), float(values[-1])
        best_accuracy = _best_accuracy(run)
        return self.finding(
            run,
            severity=Severity.warning,
            confidence=0.6,
            summary=(
                f"{self.monitor} went from {start:.4g} to {end:.4g} in {run.unit.count(run.epochs)} and "
                f"no accuracy rose above {best_accuracy:.3g}: in all the run shows, the model did not learn."
            ),
            evidence={
                "metric": self.monitor,
                "start": rounded(start),
                "end": rounded(end),
                "best_accuracy": rounded(best_accuracy),
                "epochs": run.epochs,
                "thresholds": {
                    "short_epochs": SHORT_EPOCHS,
                    "min_improvement": self.min_improvement,
                    "pace_epochs": PACE_EPOCHS,
                    "mostly_wrong": MOSTLY_WRONG,
                    "chance_margin": CHANCE_MARGIN,
                },
            },
            recommendation=(
                "Check that the labels match the loss and that the inputs are standardized "
                "(zero mean, unit variance); then make sure the model can overfit a single batch, "
                "and send the whole history: a longer run tells a slow start from a stuck one."
            ),
            fix={"standardize_inputs": True},
            epochs=list(range(run.epochs)),
        )

    def _stalled(self, run: TrainingHistory, values: np.ndarray) -> Finding:
        start, at, best = float(values[0]), float(values[STALL_FROM]), float(values[STALL_FROM:].min())
        return self.finding(
            run,
            severity=Severity.warning,
            confidence=0.7,
            summary=(
                f"{self.monitor} fell from {start:.4g} to {at:.4g} in its first {run.unit.count(STALL_FROM)} "
                f"and then improved only {(at - best) / at:.1%} in {run.epochs - STALL_FROM} more: the "
                "model stopped learning while the loss was still high."
            ),
            evidence={
                "metric": self.monitor,
                "start": rounded(start),
                "after_first_epochs": rounded(at),
                "best_after": rounded(best),
                "thresholds": {
                    "stall_from": STALL_FROM,
                    "stall_epochs": STALL_EPOCHS,
                    "min_improvement": self.min_improvement,
                    "high_start": HIGH_START,
                },
            },
            recommendation=(
                "Check that the hidden units are alive (ReLU after a large step, sigmoid/tanh stacks "
                "saturate): use He initialization and ReLU or LeakyReLU, standardize the inputs and "
                "targets, and make sure the model can overfit a single batch."
            ),
            fix={"standardize_inputs": True},
            epochs=list(range(STALL_FROM, run.epochs)),
        )


def _learned_nothing(run: TrainingHistory) -> float | None:
    """What a model that learned nothing scores: the baseline loss, or ln 2 for a classifier of
    unknown K (the least any classifier that learned nothing scores); None without a yardstick."""
    return run.facts.baseline_loss or (math.log(2) if run.facts.task in CLASSIFICATION_TASKS else None)


def _accuracies(run: TrainingHistory) -> list[np.ndarray]:
    name = run.facts.accuracy_metric
    if name is None:
        return []
    curves = (finite_curve(run.get(metric)) for metric in (name, f"val_{name}"))
    return [values for values in curves if values is not None]


def _best_accuracy(run: TrainingHistory) -> float:
    return max(float(values.max()) for values in _accuracies(run))


def _moved(values: np.ndarray | None, min_improvement: float) -> bool:
    """A loss curve that improved `min_improvement` on its first epoch or fell at the pace."""
    if values is None:
        return False
    first = float(values[0])
    if first <= 0:
        return True  # a loss at or below zero is no cross-entropy stuck at its start
    return (first - float(values.min())) / first >= min_improvement or _at_pace(values, min_improvement)


def _short_stuck(run: TrainingHistory, monitor: str, min_improvement: float) -> bool:
    """A run of SHORT_EPOCHS up to MIN_EPOCHS epochs in which nothing moved (see the docstring)."""
    values = run.get(monitor)
    if values is None or not SHORT_EPOCHS <= run.epochs < MIN_EPOCHS or not np.isfinite(values).all():
        return False
    accuracies = _accuracies(run)
    if not accuracies or any(float(a.min()) < 0 or float(a.max()) > PERCENT for a in accuracies):
        return False  # no accuracy, or none a share of samples: nothing says the model is still wrong
    chance = run.facts.chance_accuracy
    learned_nothing = max(MOSTLY_WRONG, chance + CHANCE_MARGIN) if chance is not None else MOSTLY_WRONG
    # An accuracy logged in percent (10.18 %) is the same share of samples right.
    if max(float(as_share(a).max()) for a in accuracies) >= learned_nothing:
        return False
    val = finite_curve(run.get(f"val_{monitor}"))
    return not _moved(values, min_improvement) and not _moved(val, min_improvement)


def _trailing(mask: np.ndarray) -> int:
    """How many final entries of `mask` are true."""
    return int(mask.size if mask.all() else mask.size - 1 - int(np.flatnonzero(~mask)[-1]))


def _frozen_epochs(values: np.ndarray) -> int:
    """How many final epochs logged the very same value as the last."""
    return _trailing(values == values[-1])


def _frozen_level(values: np.ndarray) -> float | None:
    """The non-zero value the last FROZEN_EPOCHS epochs or more logged to every digit, written
    with FROZEN_DIGITS significant digits or more (fewer may be rounding, see the docstring);
    None where the curve did not end so frozen."""
    if values.size < FROZEN_EPOCHS or not np.isfinite(values).all():
        return None
    level = float(values[-1])
    if level == 0 or _frozen_epochs(values) < FROZEN_EPOCHS:
        return None
    return level if _shows_digits(level, written_decimals(values)) else None


def _shows_digits(level: float, decimals: int | None) -> bool:
    """Whether `level`, written with `decimals` decimals, shows FROZEN_DIGITS significant digits."""
    return decimals is None or abs(level) * 10.0**decimals >= 10.0 ** (FROZEN_DIGITS - 1)


def _frozen(values: np.ndarray, learned_nothing: float | None) -> bool:
    """The loss ended frozen (see the docstring) without ever improving on its first epoch."""
    level = _frozen_level(values)
    if level is None:
        return False
    if learned_nothing is not None and 0 <= level < HIGH_LOSS * learned_nothing:
        return False
    start = float(values[0])
    return start - float(values.min()) < MIN_IMPROVEMENT * abs(start)


def _frozen_stretch(values: np.ndarray, learned_nothing: float | None) -> tuple[int, int] | None:
    """(first epoch, length) of the first stretch of FROZEN_EPOCHS or more epochs at the very same
    non-zero loss, shown with FROZEN_DIGITS digits, not under HIGH_LOSS of `learned_nothing`, that
    ended before the loss had improved MIN_IMPROVEMENT on its first epoch; None where there is
    none (see the docstring). The curve is finite throughout (the caller's check)."""
    start = float(values[0])
    decimals = written_decimals(values)
    edges = np.flatnonzero(np.diff(values) != 0) + 1
    for first, end in zip([0, *edges.tolist()], [*edges.tolist(), values.size], strict=True):
        level = float(values[first])
        if start - float(values[:end].min()) >= MIN_IMPROVEMENT * abs(start):
            return None  # improved by then: a later stretch is at a level the run learned down to
        if end - first < FROZEN_EPOCHS or level == 0 or not _shows_digits(level, decimals):
            continue
        if learned_nothing is None or not 0 <= level < HIGH_LOSS * learned_nothing:
            return first, end - first
    return None


def _frozen_score(run: TrainingHistory) -> str | None:
    """The validation overlap score frozen short of SCORE_SETTLED (see the docstring), or None."""
    for name, values in run.metrics.items():
        if not name.startswith("val_") or not SCORE.match(name.removeprefix("val_")):
            continue
        level = _frozen_level(values)
        if level is not None and 0 < level < SCORE_SETTLED:
            return name
    return None


def _steady_descent(values: np.ndarray) -> bool:
    """The loss fell in every epoch after STALL_FROM, STEADY_TAIL_FALL in all, and ended
    STEADY_FALL below its first."""
    after = values[STALL_FROM:]
    end = float(values[-1])
    return (
        bool((np.diff(after) < 0).all())
        and end <= (1 - STEADY_TAIL_FALL) * float(after[0])
        and end <= (1 - STEADY_FALL) * float(values[0])
    )


def _stalled(
    values: np.ndarray,
    accuracy: np.ndarray | None,
    val: np.ndarray | None,
    learned_nothing: float | None,
    from_start: bool,
) -> bool:
    """Whether the loss stopped improving after its first STALL_FROM epochs, still high (or for
    LONG_STALL_EPOCHS, not under HIGH_LOSS of `learned_nothing`). HIGH_START of the first epoch
    is "high" only `from_start`, where that epoch is the run's start (LATE_START)."""
    if values.size - STALL_FROM < STALL_EPOCHS or values[0] <= 0:
        return False
    at = float(values[STALL_FROM])
    best = float(values[STALL_FROM:].min())
    if at <= 0 or (at - best) / at >= MIN_IMPROVEMENT:
        return False
    mostly_wrong = accuracy is not None and float(accuracy[STALL_FROM:].max()) < MOSTLY_WRONG
    both = val is not None and _nothing_generalized(values[STALL_FROM:], val[STALL_FROM:], MIN_IMPROVEMENT)
    long = values.size - STALL_FROM >= LONG_STALL_EPOCHS and (
        learned_nothing is None or at >= HIGH_LOSS * learned_nothing
    )
    high = from_start and at >= HIGH_START * float(values[0])
    return high or mostly_wrong or both or long


def _converging(values: np.ndarray, val: np.ndarray | None, min_improvement: float) -> bool:
    """A loss with no yardstick that is converging, not stalled, after its first STALL_FROM
    epochs: a steady descent, or a fall at the pace (see the docstring) with validation, where
    logged, still improving too (MIN_IMPROVEMENT in all, or at the pace). A validation loss
    that stopped while the training loss creeps on is no sign of convergence (a triplet model's
    val_loss frozen at its margin, 0.2000, while the training loss falls 4 % in five epochs)."""
    if _steady_descent(values):
        return True
    if not _at_pace(values[STALL_FROM:], min_improvement):
        return False
    if val is None:
        return True
    after = val[STALL_FROM:]
    first = float(after[0])
    improved = first > 0 and (first - float(after.min())) / first >= min_improvement
    return improved or _at_pace(after, min_improvement)


def _at_pace(values: np.ndarray, min_improvement: float) -> bool:
    """The curve fell from its first epoch to its last by `min_improvement` (relative) every
    PACE_EPOCHS epochs or faster (see the docstring)."""
    first = float(values[0])
    if first <= 0 or values.size < 2:
        return False
    pace = (first - float(values[-1])) / first / (values.size - 1)
    return pace >= min_improvement / PACE_EPOCHS


def _nothing_generalized(train: np.ndarray, val: np.ndarray, min_improvement: float) -> bool:
    first, best = float(val[0]), float(val.min())
    if first <= 0:
        return False
    return (first - best) / first < min_improvement and float(train[-1]) >= (1 - min_improvement) * best


def _certain_to_the_end(run: TrainingHistory) -> tuple[int, ...]:
    """The final run of epochs, FROZEN_EPOCHS or more, whose training loss sits at float32's
    epsilon (run.facts.saturated_epochs, and no further than SATURATED_FACTOR under it: a loss
    far below is no clipped softmax, e.g. an exactly representable regression at 1e-14), on a
    run without a validation loss; else ()."""
    loss = run.get("loss")
    if loss is None or run.get("val_loss") is not None:
        return ()
    certain = np.zeros(loss.size, dtype=bool)
    certain[list(run.facts.saturated_epochs)] = True
    certain &= loss >= FLOAT32_EPSILON / SATURATED_FACTOR
    final = _trailing(certain)
    return tuple(range(loss.size - final, loss.size)) if final >= FROZEN_EPOCHS else ()
