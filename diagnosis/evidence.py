"""The evidence model: from findings, metadata, audits and fix trials to one ranked list of
causes, a status, a headline and the first fix (a Diagnosis's `verdict`).

Each cause is weighed on its own (a run can have several): its prior odds times the
likelihood ratio of every group of evidence. A likelihood ratio (LR) says how much likelier
the evidence is when the cause is present than when it is not; above 1 it is evidence for,
below 1 evidence against. Every ratio used is a named constant below with its reason.

Two pitfalls are designed against:
- One fact seen several ways (a loss stuck at ln K is also a plateau, accuracy at chance and
  an unexpected initial loss) is not several facts. Symptoms are grouped by the fact they
  read (SYMPTOM_GROUPS); within a group, each cause takes the strongest ratio, not the product.
- A fix trial measures an action, not a cause: a lower learning rate also cures exploding
  gradients and dead units. A trial that helped raises every cause its action cures
  (ACTION_CURES), and the first fix is the best measured action.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from diagnosis.history import TrainingHistory
from diagnosis.judgeable import why_inconclusive
from diagnosis.models import (
    CauseFix,
    Evidence,
    EvidenceSource,
    Finding,
    FirstFix,
    RunMetadata,
    Severity,
    Verdict,
    VerdictCause,
    VerdictStatus,
)
from diagnosis.taxonomy import CATALOGUE, CATEGORY, CAUSE_CODES, Category, Code
from diagnosis.wording import EPOCHS, PointWords

C = Code
S = EvidenceSource

# --- priors -------------------------------------------------------------------------------
# How often each cause is behind a run that someone asks about, before any evidence. One
# default: how often each cause is behind a given symptom is what the symptoms' weights say,
# so a higher prior for the common causes would count that twice. Causes that are rare in
# reports of non-converging Keras models (and that a history cannot show at all) start lower.
PRIOR = 0.05
PRIORS: dict[Code, float] = {
    C.output_shape_mismatch: 0.03,
    C.constant_features: 0.03,
    C.conflicting_labels: 0.03,
    C.cannot_overfit_batch: 0.03,
}

# --- likelihood ratios ---------------------------------------------------------------------
# A symptom's check declares a weight per cause it supports (1 = "a usual cause", 3-4 = "the
# first thing to suspect"). Each unit of weight triples the odds: a plateau (weight 2 for
# lr_too_low) takes a 6 % prior to about 28 %, and no symptom alone makes a cause certain.
SYMPTOM_LR_PER_WEIGHT = 3.0
# A finding that names a cause outright (an audit measured it, the model's wiring shows it, a
# probe saw it): an error is a cause that breaks training on its own, a warning one that hurts.
DIRECT_LR = {Severity.error: 40.0, Severity.warning: 12.0}
# An audit or probe that measured the cause and found it below the level that hurts (an info
# finding): a little evidence against it being why this run fails.
MEASURED_MINOR_LR = 0.5
# An audit that ran but could not measure its cause: `MEASURED_KEY` False in its evidence (the
# label-noise estimate where no simple model reads the labels off the features). It still weighs
# MEASURED_MINOR_LR against its cause: without it, a heavily imbalanced run whose class-weight
# trial is scored on accuracy (which weighting lowers) ranked label_noise over class_imbalance
# (real12-gh-credit-card-baseline-unweighted).
MEASURED_KEY = "measured"
# A check that ran and found nothing: a data audit that counted balanced classes rules out
# class_imbalance, short of certainty (a check has its blind spots).
CLEARED_LR = 0.1
# A cause the model's wiring leaves no room for (Context.ruled_out: dead units in a model with no
# ReLU): not a check's silence but the cause's precondition missing, so far below CLEARED_LR;
# not zero, for a layer whose activation the description cannot read.
RULED_OUT_LR = 0.02
# A fix trial that beat the run-to-run noise: the action worked, so a cause it cures is near
# certain (with a 5 % prior, 0.5 after this). One that did not help lowers them.
TRIAL_HELPED_LR = 20.0
TRIAL_FLAT_LR = 0.3
# A fix trial worth its replay is expected to move the probabilities of the causes it cures by
# at least this much in all (order_for_trials). A cause at its 5 % prior makes 0.056, so a cause
# no check raised is worth trying; one a check that ran silent cleared (0.5 %) makes 0.004, and a
# replay to confirm what a check already ruled out is wasted.
MIN_TRIAL_SHIFT = 0.02
# A short replay favours a higher rate whatever rate suits the whole run (short-horizon bias,
# Wu et al. 2018): a higher rate that helped it is weak evidence, and the first fix only when
# no other trial helped.
SHORT_HORIZON_FAVOURED = frozenset({"raise_learning_rate"})
SHORT_HORIZON_HELPED_LR = 2.0
# The configured learning rate against the optimizer's usual one (metadata, or the bundle's
# optimizer). Beyond any usual setup it nearly settles the matter; 10x is a strong hint.
TYPICAL_LR = {
    "adam": 1e-3,
    "adamw": 1e-3,
    "nadam": 1e-3,
    "adamax": 2e-3,
    "rmsprop": 1e-3,
    "sgd": 1e-2,
    "adagrad": 1e-2,
    "adadelta": 1.0,
    "lion": 1e-4,
}
# Ratios of the configured to the typical rate that count as off (3x), far off (10x) and
# beyond any setup that trains normally (100x, or 1e-4x: at 100x, Adam's steps are ~0.1 per
# weight, the size of a Glorot weight in a 100-unit layer; at 1e-4x a run of thousands of
# steps moves no weight measurably).
LR_OFF, LR_FAR = 3.0, 10.0
LR_BEYOND_HIGH, LR_BEYOND_LOW = 100.0, 1e-4
LR_METADATA_LR = {"beyond": 20.0, "far": 6.0, "off": 2.0, "usual": 0.5, "against": 0.3}
# The model audit's rate check reads the configured rate against the usual one, the very fact
# _lr_evidence reads from the metadata (a bundle's replay metadata carries the model's rate): its
# alarm joins the metadata group, so one rate is counted once (strongest of), not twice. Counted
# twice, SGD at 3.0 in Nielsen's digits network (no hidden activations, MSE on one-hot labels)
# outweighed the wiring fault that kept it from learning (real12-x-digits-no-activations-mse-rate-
# three). Settled to info (the replay trained at that rate), it is what the replay showed, apart.
READS_CONFIGURED_RATE = frozenset({C.lr_too_high, C.lr_too_low})
# The usual rates are usual for inputs and targets of unit scale. Where the data audit found them
# far from it, a rate at or below the usual one is no evidence against a rate too high: a raw
# grid (x up to 199) makes SGD blow up at a hundredth of the usual rate. Its evidence against
# lr_too_high is then left out; a rate far above the usual one still counts for it.
RAW_SCALE = frozenset({C.unscaled_features, C.unscaled_targets})
# Samples against parameters (metadata): fewer samples per parameter than SAMPLES_PER_PARAM
# is a model that can memorize its data; fewer than FEW_SAMPLES is small for any deep model.
SAMPLES_PER_PARAM = 0.1
FEW_SAMPLES = 1000
DATA_SIZE_LR = {"crowded": 4.0, "few": 2.0, "plenty": 0.3}
DATA_SIZE_CAUSES = (C.insufficient_data, C.capacity_too_high)
# The layer widths (metadata hidden_units) held against what the output needs, with no layer
# found too narrow (capacity_too_low's rule ran silent): some evidence against a model too
# small. Only some: the width floor knows the number of outputs, not how hard the task is, and
# of the generated runs built too small 16 of 34 pass it (a ratio of about 16/34).
WIDTHS_CLEARED_LR = 0.5
# A loss that is NaN from the first epoch on points at the data before the dynamics: a rate
# needs steps to blow up, a NaN in the inputs does not.
NAN_FROM_START_LR = 4.0
# How an overfitting run fits its training data tells its causes apart. A model that
# memorizes a small set drives its training loss to near zero; one fed wrong labels cannot,
# so a training loss still above NOISY_FIT_SHARE of the learned-nothing loss while validation
# worsens points at the labels. A validation loss that was never below the learned-nothing
# loss while the training loss fell under half of it says the validation set is not drawn
# like the training set (a shift, or preprocessing applied to one split only).
NOISY_FIT_SHARE = 0.15
NOISY_FIT_LR = {C.label_noise: 6.0, C.insufficient_data: 0.5, C.capacity_too_high: 0.5}
FOREIGN_VAL_FIT_SHARE = 0.5
FOREIGN_VAL_LR = {C.train_val_shift: 8.0, C.label_noise: 2.0}
# A validation loss clearly above the learned-nothing loss (FOREIGN_VAL_SHARE of it: a fresh
# model's first validation loss measures that loss to within a few percent, so beyond this the
# validation set itself is scored worse than guessing) is the shift's mark. Between
# NOTHING_CARRIED_SHARE and that, the model fit its training data while its best validation loss
# stayed at what guessing scores: nothing it learned carried over. A model short of data learns
# the signal first and overfits after (its best validation loss well below guessing); labels
# that are mostly noise leave no signal to learn, and the model memorizes from its first epochs.
# So it points at the labels first, a shift second, and away from too little data or too large
# a model. On the generated corpus's tuning splits (curves only), of the overfitting alarms with
# a memorized training set, 39 of 40 runs with noisy or shuffled labels end in this band, against
# 8 of 27 runs short of data and 14 of 61 with a shifted or differently preprocessed validation
# set; between 1.0 and FOREIGN_VAL_SHARE lie 11 noisy-label runs and 6 shifted ones.
FOREIGN_VAL_SHARE = 1.1
NOTHING_CARRIED_SHARE = 0.8
NOTHING_CARRIED_LR = {
    C.label_noise: 6.0,
    C.train_val_shift: 2.0,
    C.insufficient_data: 0.5,
    C.capacity_too_high: 0.5,
}

# Labels that neither a nearest-neighbour vote nor a linear model on the features predicts
# better than chance (the label-noise audit, `MEASURED_KEY` False), in a run whose network did not
# learn either (a did-not-learn alarm, or an overfit: it memorized what it could not generalize):
# the labels do not depend on the inputs, the mark of shuffled or misaligned labels. Simple models
# also miss structure a network finds, but then the network learns. Over the bundle corpus (497
# bundles, every split) the audit could not measure 3 of the 15 with label noise against 12 of
# the 482 without: a ratio of (3/15) / (12/482), about 8. Most of those 12 are heavy class
# imbalance (a majority vote agrees with the labels no better than chance does), constant inputs
# or copies with conflicting labels: where one of those is raised, it explains labels that the
# features do not predict, and the reading is left out.
UNPREDICTABLE_LABELS_LR = {C.label_noise: 8.0}
UNPREDICTABLE_EXPLAINED_BY = frozenset({C.class_imbalance, C.constant_features, C.conflicting_labels})

# Symptoms that read one fact: within a group each cause takes its strongest ratio.
SYMPTOM_GROUPS: dict[Code, str] = {
    C.loss_plateau: "did_not_learn",
    C.accuracy_at_chance: "did_not_learn",
    C.unexpected_initial_loss: "did_not_learn",
    C.slow_convergence: "did_not_learn",
    C.underfitting: "did_not_learn",
    C.loss_nan: "unstable",
    C.loss_diverging: "unstable",
    C.loss_oscillating: "unstable",
    C.loss_spikes: "unstable",
    C.overfitting: "generalization",
    C.val_noisy: "generalization",
    C.val_better_than_train: "generalization",
}
# Once the loss is NaN the weights are too: accuracy frozen at chance, a plateau, a loss that
# never fell are the NaN seen again, so they weigh nothing of their own (a frozen accuracy
# after a NaN says nothing about class imbalance); the NaN's causes explain them.
NAN_SWALLOWS = "did_not_learn"
# A loss that never moved from where it started (within NEVER_MOVED of its first value) had
# steps too small to move any weight: a small model still learns what it can, a broken
# wiring usually moves the loss somewhere before it stalls.
NEVER_MOVED = 0.02
NEVER_MOVED_LR = {C.lr_too_low: 3.0, C.capacity_too_low: 0.5}
# A one-batch stall (cannot_overfit_batch) where every check of output layer, loss and labels
# ran silent (STALL_WIRING, all in Context.checked, none raised) while the replay of the user's
# setup was still falling at its end (slow_convergence raised, at any severity): a model that
# learns, too slowly for the probe's 150 steps of Adam at 1e-3 (XOR under mean absolute error
# moved its loss 7 % there), not a wiring block. Its reading as a wiring fault is cleared
# (CLEARED_LR), and it counts as the slowness it is, for a rate too low, at slow_convergence's
# own weight for it (3). Blocks the checks cannot read (frozen or zeroed layers) leave the
# replay flat as well, so they keep their stall.
STALL_WIRING = frozenset(
    {C.output_activation_mismatch, C.loss_task_mismatch, C.output_shape_mismatch, C.label_format_mismatch}
)
SLOW_STALL_LR = {C.cannot_overfit_batch: CLEARED_LR, C.lr_too_low: 1.0 + SYMPTOM_LR_PER_WEIGHT * 3.0}
# A loss equal to ln K to four digits through the end (loss_plateau's uniform shape): the
# softmax outputs 1/K whatever the input, so nothing reaches it from the input. Hidden units
# that are dead or saturated, or gradients that vanished before the early layers, do that; a
# small model that is alive still fits something (below ln K), a slow one creeps off ln K's
# fourth digit, and imbalanced classes pull even a bias-only model below ln K (it learns the
# class shares). Of the generated runs that end there, none had those three causes.
UNIFORM_OUTPUT_LR = {
    C.dead_units: 4.0,
    C.vanishing_gradients: 3.0,
    C.saturated_activations: 3.0,
    C.capacity_too_low: 0.3,
    C.lr_too_low: 0.3,
    C.class_imbalance: 0.3,
}
# The same stuck loss after a first epoch that blew up (loss_spikes' blow-up shape: the first
# epoch's loss a hundred times what followed): updates that large pushed the units where no
# gradient reaches them, so what made them that large is the cause and the dead network its
# consequence. A deep stack whose gradients grow layer by layer does it at any usual rate; a rate
# too high does it to any network. On the generated tuning splits all 3 runs of this shape (in
# each metadata mode) were exploding gradients, none dead units from their initialization.
UNIFORM_AFTER_BLOWUP_LR = {C.exploding_gradients: 3.0, C.lr_too_high: 2.0}
BLOWUP_KEY = "first_epoch_loss"

# One fault read from two sides. Labels that do not fit the loss and output layer
# (label_format_mismatch, from the data audit) and a loss or output layer that does not fit
# the labels (from the model audit): when the audit says the model's side is at fault
# (FAULT_SIDE_KEY = MODEL_SIDE: the labels are a task the model was not built for) and a
# model-side finding is raised, the label finding is that cause's consequence. And a rate the
# range test finds too high although it is the optimizer's usual one (DATA_SIDE: usual rates
# are set for unit-scale data) where the inputs or targets are far from unit scale: the test
# measured the data's scale, which sets how large a step the loss can take. The mirrored
# finding's evidence joins its owner's own group (strongest of, not multiplied), a trial of its
# action counts for the owner, and it is listed under it. MIRROR_SIDE: the side each code's
# finding must name for the mirror to hold.
MIRRORED_BY: dict[Code, frozenset[Code]] = {
    C.label_format_mismatch: frozenset(
        {C.loss_task_mismatch, C.output_shape_mismatch, C.output_activation_mismatch}
    ),
    C.lr_too_high: frozenset({C.unscaled_features, C.unscaled_targets}),
}
FAULT_SIDE_KEY, MODEL_SIDE, DATA_SIDE = "fault_side", "model", "data"
MIRROR_SIDE: dict[Code, str] = {C.label_format_mismatch: MODEL_SIDE, C.lr_too_high: DATA_SIDE}
# A fault that other checks see again as faults of their own. Inputs that are all constant
# (constant_features at error: every feature) carry nothing: no model can memorize a batch of
# them, every sample shares its input with samples of other classes (and repeats them), and
# with one input for all (blank images are zeros) the ReLU units and the first layer's gradient
# get no signal. Raised beside that error, those alarms are its consequences: their evidence
# joins its group (strongest of) and they are listed under it. Unlike a mirror, a trial that
# cures a consequence (He initialization for dead units) does not cure the fault.
PLAIN_DEPTH_KEY = "plain_relu_layers"
CONSEQUENCES: dict[Code, frozenset[Code]] = {
    C.constant_features: frozenset(
        {
            C.cannot_overfit_batch,
            C.conflicting_labels,
            C.duplicate_samples,
            C.dead_units,
            C.vanishing_gradients,
        }
    ),
    # A wiring fault (an output layer or loss that does not fit the labels, labels the loss
    # cannot read) is what the one-batch overfit probe exists to catch: its stall is that fault
    # measured again, not a second one. So is a target scale far off (unscaled_targets): Adam
    # moves an output about its learning rate per step, so 150 steps cannot reach targets with a
    # spread of 100, and a NaN in the data leaves no loss to drive down.
    **{
        owner: frozenset({C.cannot_overfit_batch})
        for owner in (
            C.output_activation_mismatch,
            C.loss_task_mismatch,
            C.output_shape_mismatch,
            C.label_format_mismatch,
            C.unscaled_targets,
            C.nonfinite_values,
        )
    },
    # A deep plain ReLU stack (the model audit's deep_plain_stack, its finding carrying
    # PLAIN_DEPTH_KEY) loses its signal on the way through, and the units of its later layers die
    # of it: dead units found there are the stack's fault seen per unit. Only that reading of
    # vanishing_gradients owns them: a gradient measured small in a shallow model is as often
    # the dead units' consequence as their cause.
    C.vanishing_gradients: frozenset({C.dead_units}),
}
# The evidence key an owner's finding must carry for its consequences to follow from it, where
# only one reading of its code owns them (see PLAIN_DEPTH_KEY).
CONSEQUENCE_OWNER_KEY: dict[Code, str] = {C.vanishing_gradients: PLAIN_DEPTH_KEY}
# The severity an owner's finding needs for its consequences to follow from it (error unless
# named): constant_features at warning is some features constant, which leaves the rest to
# learn from; a target scale is raised as a warning but stalls a short fit at any size it is
# raised at (its LARGE threshold already means an initial MSE of 10^4).
CONSEQUENCE_OWNER_SEVERITY: dict[Code, frozenset[Severity]] = {
    C.unscaled_targets: frozenset({Severity.error, Severity.warning}),
    C.vanishing_gradients: frozenset({Severity.error, Severity.warning}),
}

# Findings that cannot both stand: a training loss left high (underfitting) against one
# driven far below the validation loss (overfitting), or a validation loss below the
# training one. The stronger (severity, then confidence) stays; the other becomes info.
# Underfitting contradicts overfitting only where it says the training loss levelled off
# (`levelled_off` in its evidence): its other shape, a validation loss that never beat the
# learned-nothing loss while the training loss still falls, agrees with overfitting that
# nothing learned carries over (a model that memorizes from its first epochs shows both).
CONTRADICTIONS: tuple[tuple[Code, Code], ...] = (
    (C.underfitting, C.overfitting),
    (C.overfitting, C.val_better_than_train),
)

# What each fix trial's action cures (a trial measures the action, not one cause).
ACTION_CURES: dict[str, frozenset[Code]] = {
    "lower_learning_rate": frozenset({C.lr_too_high, C.exploding_gradients, C.dead_units}),
    "raise_learning_rate": frozenset({C.lr_too_low}),
    "standardize_inputs": frozenset({C.unscaled_features, C.nonfinite_values}),
    # A bounded output (tanh, sigmoid) that cannot reach the targets is also fixed by bringing
    # the targets into its reach; the trial runs only on regression targets.
    "standardize_targets": frozenset({C.unscaled_targets, C.output_activation_mismatch}),
    "class_weight": frozenset({C.class_imbalance}),
    "swap_loss": frozenset({C.loss_task_mismatch, C.label_format_mismatch}),
    "fix_output_activation": frozenset({C.output_activation_mismatch}),
    "lower_dropout": frozenset({C.excessive_dropout}),
    "relu_he_init": frozenset({C.vanishing_gradients, C.saturated_activations, C.dead_units}),
    "add_capacity": frozenset({C.capacity_too_low}),
    "raise_batch_size": frozenset({C.batch_size_unsuitable}),
}
# Causes an action cures only in one of their forms: a lower rate keeps units from dying in
# training but revives none that are dead from the start (a bias of -20, a checkpoint's dead
# units). Its trial helping counts for them; its not helping says nothing against them. Counted
# against, a flat lower-rate trial put dead_units-negative-bias's dead units (0.97) under the
# vanishing gradients they cause (0.95), the stand-in trial having been planned per cause.
PARTIAL_CURES: dict[str, frozenset[Code]] = {"lower_learning_rate": frozenset({C.dead_units})}
ACTION_WORDS = {
    "lower_learning_rate": "lowering the learning rate",
    "raise_learning_rate": "raising the learning rate",
    "standardize_inputs": "standardizing the inputs",
    "standardize_targets": "standardizing the targets",
    "class_weight": "weighting the classes",
    "swap_loss": "using the loss that fits the labels",
    "fix_output_activation": "changing the output activation",
    "lower_dropout": "lowering the dropout",
    "relu_he_init": "ReLU with He initialization",
    "add_capacity": "a larger model",
    "raise_batch_size": "larger batches",
}

# The trial scores that are accuracies (higher is better; the rest, the MSE, lower), in words.
ACCURACY_WORDS = {"accuracy": "accuracy", "balanced_accuracy": "balanced accuracy"}

# --- the verdict's shape -------------------------------------------------------------------
# Causes listed: every one with evidence for it at or above MIN_LISTED, and at least
# MIN_SHOWN of those with any evidence for them (a reader then sees the runners-up), at most
# MAX_LISTED.
MIN_LISTED, MIN_SHOWN, MAX_LISTED = 0.2, 3, 6
# Alarms about the validation measurement alone: a validation loss noisier than the training
# loss says the validation set is small or unrepresentative, not that training went wrong. A
# run whose only alarms are these lists the causes that reach MIN_LISTED and no runners-up:
# guessing training causes (a rate, a batch size) from a measurement would be noise. A
# validation better than training (val_better_than_train) compares the two measurements: the
# validation set is easier (an overlap, another distribution) or training runs under noise that
# validation does not see (Dropout, augmentation). Alone it leaves the fit to new data as good as
# validation measures it: Dropout heavy enough to hurt shows as a training loss left high too
# (underfitting, a plateau), an alarm about training that brings the runners-up back.
MEASUREMENT_ONLY: frozenset[Code] = frozenset({C.val_noisy, C.val_better_than_train})
# A spike in the validation loss alone (loss_spikes with `validation_only`: the training loss
# never spiked, so no update blew the weights up) is the validation measurement jumping, the
# fact val_noisy reads: it joins val_noisy's group (strongest of, not multiplied with it) and
# counts as a measurement alarm. Where val_noisy is raised beside it, the spike is that alarm
# said again and becomes info (reconcile): a run whose validation loss jumps about is one
# alarm, not two (wild log w1580: a validation loss of 3e-05-0.08 on a small set, val_noisy and a
# spike on the same jumps). Of the wild corpus's tuning logs with both raised, every faulty one
# is named by val_noisy or another alarm.
VALIDATION_ONLY_KEY = "validation_only"
# The probability in words, for readers and for causes whose probability is uncalibrated.
CONFIDENCE_WORDS = ((0.9, "near certain"), (0.6, "high"), (0.3, "medium"), (0.0, "low"))


@dataclass(frozen=True)
class TrialOutcome:
    """What one fix trial measured: `helped` means beyond the run-to-run noise."""

    action: str
    measured: dict[str, Any]
    fix: dict[str, Any] = field(default_factory=dict)

    @property
    def helped(self) -> bool:
        return self.measured.get("improved") is True

    @property
    def failed(self) -> bool:
        """The trial's replay raised (a swapped loss the labels cannot feed): it measured nothing,
        so it is no evidence that its action does not help."""
        return "error" in self.measured and "after" not in self.measured

    @property
    def gain(self) -> float:
        """The improvement it measured, for choosing the best action (accuracy points, or the
        relative fall of the MSE)."""
        before, after = self.measured.get("before") or {}, self.measured.get("after") or {}
        for metric in _metrics(self.measured):
            b, a = before.get(metric), after.get(metric)
            if isinstance(a, int | float) and isinstance(b, int | float):
                return (a - b) if metric in ACCURACY_WORDS else (b - a) / max(abs(b), 1e-12)
        return 0.0


@dataclass(frozen=True)
class Context:
    """What the verdict needs beyond the findings."""

    epochs: int
    metadata: RunMetadata = field(default_factory=RunMetadata)
    # What the run's points are called in the verdict's words (TrainingHistory.unit).
    unit: PointWords = EPOCHS
    # Why the input cannot support a judgement (judgeable.why_inconclusive); used only when no
    # alarm was raised, since a problem the curves show stays a problem.
    missing: tuple[str, ...] = ()
    loss_first: float | None = None
    loss_last: float | None = None
    # The loss of a model that learned nothing (metadata, or ln K), when known.
    baseline_loss: float | None = None
    nan_from_start: bool = False
    # Codes whose checks ran over data or the model: a cause among them without a finding is
    # cleared (a history has none).
    checked: frozenset[Code] = frozenset()
    # Causes the model's wiring leaves no room for, with why (a bundle's model; a history has none).
    ruled_out: Mapping[Code, str] = field(default_factory=dict)
    trials: tuple[TrialOutcome, ...] = ()


def _finite(values: np.ndarray | None) -> np.ndarray:
    return values[np.isfinite(values)] if values is not None else np.array([])


def history_context(run: TrainingHistory, **extra: Any) -> Context:
    loss = run.get("loss")
    finite = _finite(loss)
    return Context(
        epochs=run.epochs,
        metadata=run.metadata,
        unit=run.unit,
        missing=tuple(filter(None, [why_inconclusive(run)])),
        baseline_loss=run.facts.baseline_loss,
        loss_first=float(finite[0]) if finite.size else None,
        loss_last=float(finite[-1]) if finite.size else None,
        nan_from_start=loss is not None and not bool(np.isfinite(loss[0])),
        **extra,
    )


# --- metadata evidence ---------------------------------------------------------------------


def lr_ratio(meta: RunMetadata) -> float | None:
    """Configured learning rate over the optimizer's typical one, when both are known."""
    typical = TYPICAL_LR.get((meta.optimizer or "").lower())
    if not meta.learning_rate or typical is None:
        return None
    return meta.learning_rate / typical


def _metadata(key: str, ratio: float, said: str, numbers: dict[str, Any]) -> Evidence:
    """What one metadata field says about a cause."""
    return Evidence(source=S.metadata, code=key, likelihood_ratio=ratio, detail=said, numbers=numbers)


def _lr_evidence(meta: RunMetadata) -> Iterable[tuple[Code, Evidence]]:
    ratio = lr_ratio(meta)
    if ratio is None:
        return
    numbers = {
        "learning_rate": meta.learning_rate,
        "optimizer": meta.optimizer,
        "ratio": float(f"{ratio:.3g}"),
    }
    typical = TYPICAL_LR[(meta.optimizer or "").lower()]
    said = f"learning_rate {meta.learning_rate:g} is {ratio:.3g}x {meta.optimizer}'s usual {typical:g}"
    for code, high in ((C.lr_too_high, ratio), (C.lr_too_low, 1.0 / ratio)):
        beyond = LR_BEYOND_HIGH if code is C.lr_too_high else 1.0 / LR_BEYOND_LOW
        if high >= beyond:
            key = "beyond"
        elif high >= LR_FAR:
            key = "far"
        elif high >= LR_OFF:
            key = "off"
        elif high <= 1.0 / LR_OFF:
            key = "against"
        else:
            key = "usual"  # within 3x of the usual rate: setups train there every day
        yield code, _metadata("learning_rate", LR_METADATA_LR[key], said, numbers)


def _data_size_evidence(meta: RunMetadata) -> Iterable[tuple[Code, Evidence]]:
    if meta.num_samples is None:
        return
    numbers = {"num_samples": meta.num_samples, "param_count": meta.param_count}
    if meta.param_count and meta.num_samples / meta.param_count < SAMPLES_PER_PARAM:
        key, said = "crowded", f"{meta.num_samples} samples for {meta.param_count} parameters"
    elif meta.num_samples < FEW_SAMPLES:
        key, said = "few", f"only {meta.num_samples} training samples"
    else:
        key, said = "plenty", f"{meta.num_samples} training samples"
    for code in DATA_SIZE_CAUSES:
        yield code, _metadata("num_samples", DATA_SIZE_LR[key], said, numbers)


# --- weighing ------------------------------------------------------------------------------


@dataclass
class _Tally:
    """The evidence on one cause, by group; a group's ratio is its strongest item's."""

    groups: dict[str, list[Evidence]] = field(default_factory=dict)
    explains: list[Code] = field(default_factory=list)

    def add(self, group: str, item: Evidence) -> None:
        self.groups.setdefault(group, []).append(item)

    def ratio(self) -> float:
        total = 1.0
        for items in self.groups.values():
            ratios = [e.likelihood_ratio for e in items]
            total *= max(ratios) if max(ratios) > 1 else min(ratios)
        return total

    def items(self) -> list[Evidence]:
        return [e for items in self.groups.values() for e in items]


def _confidence_weighted(ratio: float, confidence: float) -> float:
    """A finding the check is only partly sure of gives part of its ratio (on the log scale)."""
    return float(math.exp(math.log(ratio) * confidence))


def reconcile(findings: list[Finding]) -> list[Finding]:
    """Contradictory alarms: the weaker of each pair becomes info and says why; so does a spike
    of the validation loss alone beside val_noisy (see VALIDATION_ONLY_KEY)."""
    alarms = {f.code: f for f in findings if f.severity is not Severity.info}
    demoted: dict[Code, str] = {}
    for a, b in CONTRADICTIONS:
        if a in alarms and b in alarms and a not in demoted and b not in demoted:
            fa, fb = alarms[a], alarms[b]
            if C.underfitting in (a, b) and alarms[C.underfitting].evidence.get("levelled_off") is False:
                continue
            weaker, stronger = (
                (fb, fa)
                if (fa.severity.rank, fa.confidence) >= (fb.severity.rank, fb.confidence)
                else (fa, fb)
            )
            demoted[weaker.code] = stronger.code
    said_again = C.val_noisy in alarms and C.loss_spikes in alarms and _validation_only(alarms[C.loss_spikes])
    return [
        f.model_copy(
            update={
                "severity": Severity.info,
                "summary": f"{f.summary.rstrip('.')}; set aside: it contradicts {demoted[f.code]}, "
                "which the curves show more strongly.",
            }
        )
        if f.code in demoted and f.severity is not Severity.info
        else f.model_copy(
            update={
                "severity": Severity.info,
                "summary": f"{f.summary.rstrip('.')}; set aside: val_noisy reports the same jumps of "
                "the validation loss.",
            }
        )
        if said_again and f.code is C.loss_spikes and f.severity is not Severity.info
        else f
        for f in findings
    ]


def _weigh(findings: Sequence[Finding], context: Context) -> dict[Code, _Tally]:
    tallies: dict[Code, _Tally] = {code: _Tally() for code in CAUSE_CODES}
    nan = any(f.code == C.loss_nan and f.severity is not Severity.info for f in findings)
    swallowed: list[Code] = []
    mirrors = mirrored(findings)
    grouped = {**consequences(findings, mirrors), **mirrors}
    for f in findings:
        alarm = f.severity is not Severity.info
        if f.code in grouped:
            ratio = _confidence_weighted(DIRECT_LR[f.severity], f.confidence)
            for cause in grouped[f.code]:
                tallies[cause].add(f"finding:{cause}", _from_finding(f, ratio))
                tallies[cause].explains.append(f.code)
            continue
        if f.code in CAUSE_CODES:
            if alarm:
                ratio = _confidence_weighted(DIRECT_LR[f.severity], f.confidence)
            elif f.source in {S.data_audit, S.model_audit, S.probe}:
                ratio = MEASURED_MINOR_LR
            else:
                ratio = 1.0
            if ratio != 1.0:
                # A metadata rule reads the same fact as the metadata evidence: one group; so
                # does the model audit's rate alarm (READS_CONFIGURED_RATE).
                same_fact = f.source is S.metadata or (
                    alarm and f.source is S.model_audit and f.code in READS_CONFIGURED_RATE
                )
                group = f"metadata:{f.code}" if same_fact else f"finding:{f.code}"
                tallies[f.code].add(group, _from_finding(f, ratio))
                if alarm:
                    tallies[f.code].explains.append(f.code)
        if not alarm:
            continue
        group = (
            SYMPTOM_GROUPS[C.val_noisy]
            if _validation_only(f)
            else SYMPTOM_GROUPS.get(f.code, f"finding:{f.code}")
        )
        if nan and group == NAN_SWALLOWS:
            swallowed.append(f.code)
            continue
        for cause, weight in f.supports.items():
            if cause == f.code or cause not in tallies:
                continue
            ratio = _confidence_weighted(1.0 + SYMPTOM_LR_PER_WEIGHT * weight, f.confidence)
            tallies[cause].add(group, _from_finding(f, ratio))
            tallies[cause].explains.append(f.code)
    for tally in tallies.values():
        if C.loss_nan in tally.explains:
            tally.explains.extend(swallowed)
    found = {f.code for f in findings}
    for code in context.checked - found:
        if code in tallies:
            tallies[code].add(
                f"cleared:{code}",
                Evidence(
                    source=S.model_audit if CATEGORY[code] is Category.model else S.data_audit,
                    code=code,
                    likelihood_ratio=CLEARED_LR,
                    detail=f"the {code} check ran on the bundle and found nothing",
                ),
            )
    for code, why in context.ruled_out.items():
        tallies[code].add(
            f"cleared:{code}",
            Evidence(
                source=S.model_audit, code=code, likelihood_ratio=RULED_OUT_LR, detail=f"the model has {why}"
            ),
        )
    raw = any(f.code in RAW_SCALE and f.severity is not Severity.info for f in findings)
    for code, item in [*_lr_evidence(context.metadata), *_data_size_evidence(context.metadata)]:
        if raw and code is C.lr_too_high and item.likelihood_ratio < 1:
            continue  # see RAW_SCALE
        tallies[code].add(f"metadata:{code}", item)
    if context.metadata.hidden_units and C.capacity_too_low not in found:
        widths = context.metadata.hidden_units
        tallies[C.capacity_too_low].add(
            "cleared:capacity_too_low",
            _metadata(
                "hidden_units",
                WIDTHS_CLEARED_LR,
                f"no hidden layer too narrow for the output (widths {widths})",
                {"hidden_units": min(widths)},
            ),
        )
    # The readings below look closer at an alarm's shape: a cause they raise accounts for that
    # alarm as much as one the finding supports directly (label noise explains the overfitting
    # whose unmemorized training loss pointed at it).
    alarm_codes = {f.code for f in findings if f.severity is not Severity.info}
    shapes = [
        ("never_moved", _never_moved(findings, context)),
        ("slow_stall", _slow_stall(findings, context)),
        ("uniform_output", _uniform_output(findings, context.unit)),
        ("unpredictable_labels", _unpredictable_labels(findings)),
        # Without a learned-nothing loss, the first epoch's loss stands in: the model had
        # learned little by then, so the shares err towards "still high".
        ("overfit_shape", _overfit_shape(findings, context.baseline_loss or context.loss_first)),
    ]
    for name, readings in shapes:
        for code, item in readings:
            tallies[code].add(f"{name}:{code}", item)
            if item.code in alarm_codes:
                tallies[code].explains.append(Code(item.code))
    if context.nan_from_start:
        tallies[C.nonfinite_values].add(
            "nan_from_start",
            Evidence(
                source=S.curve_rule,
                code="loss_nan",
                likelihood_ratio=NAN_FROM_START_LR,
                detail=f"the loss was NaN from the first {context.unit.one}, before any step could blow up",
            ),
        )
    for trial in context.trials:
        if trial.failed:
            continue  # see TrialOutcome.failed
        for code in cures(trial.action, mirrors):
            if not trial.helped and code in PARTIAL_CURES.get(trial.action, frozenset()):
                continue  # see PARTIAL_CURES
            helped = SHORT_HORIZON_HELPED_LR if trial.action in SHORT_HORIZON_FAVOURED else TRIAL_HELPED_LR
            ratio = helped if trial.helped else TRIAL_FLAT_LR
            tallies[code].add(
                f"trial:{trial.action}",
                Evidence(
                    source=S.fix_trial,
                    code=trial.action,
                    likelihood_ratio=ratio,
                    detail=f"{action_words(trial.action, trial.fix)} "
                    f"{'helped' if trial.helped else 'did not help'}: "
                    f"{_before_after(trial.measured)}",
                    numbers={k: v for k, v in trial.measured.items() if k != "history"},
                ),
            )
    return tallies


def action_words(action: str, fix: Mapping[str, Any]) -> str:
    """What a trial did, in words: the hidden activation and initializer it tried where its fix
    names them (SELU with LeCun normal weights for a deep stack, leaky ReLU for dead units)."""
    activation, initializer = fix.get("hidden_activation"), fix.get("kernel_initializer")
    if action == "relu_he_init" and isinstance(activation, str) and isinstance(initializer, str):
        return f"{activation} hidden layers with {initializer} weights"
    return ACTION_WORDS[action]


def cures(action: str, mirrors: Mapping[Code, frozenset[Code]]) -> frozenset[Code]:
    """The causes an action cures (ACTION_CURES), a mirrored finding's standing for the causes
    it belongs to: a trial that fixed the labels' side of a fault fixed that fault."""
    cured = ACTION_CURES.get(action, frozenset())
    return frozenset(owner for code in cured for owner in mirrors.get(code, frozenset({code})))


def mirrored(findings: Sequence[Finding]) -> dict[Code, frozenset[Code]]:
    """Alarms that are another raised cause's fault seen from another side (MIRRORED_BY), with
    the causes they belong to."""
    alarms = {f.code for f in findings if f.severity is not Severity.info}
    out: dict[Code, frozenset[Code]] = {}
    for f in findings:
        owners = MIRRORED_BY.get(f.code, frozenset()) & alarms
        side = MIRROR_SIDE.get(f.code)
        if owners and f.severity is not Severity.info and f.evidence.get(FAULT_SIDE_KEY) == side:
            out[f.code] = owners
    return out


def consequences(
    findings: Sequence[Finding], mirrors: Mapping[Code, frozenset[Code]] | None = None
) -> dict[Code, frozenset[Code]]:
    """Alarms raised beside an error whose consequences they are (CONSEQUENCES), with the
    errors they follow from; an owner that is itself another cause's mirror (`mirrors`) hands
    them on to that cause."""
    mirrors = mirrored(findings) if mirrors is None else mirrors
    owners = [
        f
        for f in findings
        if f.code in CONSEQUENCES
        and f.severity in CONSEQUENCE_OWNER_SEVERITY.get(f.code, frozenset({Severity.error}))
        and (f.code not in CONSEQUENCE_OWNER_KEY or CONSEQUENCE_OWNER_KEY[f.code] in f.evidence)
    ]
    # One fact has one explanation: where several raised faults could account for it, the
    # strongest finding (an error before a warning, then the surer) takes it; handing it to each
    # would lift a weak owner to the strength of the consequence.
    owners.sort(key=lambda f: (f.severity is not Severity.error, -f.confidence, f.code.value))
    out: dict[Code, frozenset[Code]] = {}
    for f in findings:
        if f.severity is Severity.info:
            continue
        # An owner can itself follow from another (a deep stack's vanishing gradients beside
        # constant inputs), never from itself.
        owner = next((o.code for o in owners if o is not f and f.code in CONSEQUENCES[o.code]), None)
        if owner is not None:
            out[f.code] = mirrors.get(owner, frozenset({owner}))
    return out


def _validation_only(f: Finding) -> bool:
    """A spike alarm read on the validation loss alone (see VALIDATION_ONLY_KEY)."""
    return f.code == C.loss_spikes and f.evidence.get(VALIDATION_ONLY_KEY) is True


def _never_moved(findings: Sequence[Finding], context: Context) -> Iterable[tuple[Code, Evidence]]:
    """A stalled run whose training loss ended where it began (see NEVER_MOVED)."""
    stalled = any(
        SYMPTOM_GROUPS.get(f.code) == "did_not_learn" and f.severity is not Severity.info for f in findings
    )
    first, last = context.loss_first, context.loss_last
    if not stalled or first is None or last is None or first <= 0 or context.nan_from_start:
        return
    change = abs(first - last) / first
    if change >= NEVER_MOVED:
        return
    said = f"the training loss ended within {change:.1%} of where it started ({first:.4g} -> {last:.4g})"
    numbers = {"loss_first": round(first, 6), "loss_last": round(last, 6)}
    yield from _each_cause(NEVER_MOVED_LR, S.curve_rule, "loss_plateau", said, numbers)


def _slow_stall(findings: Sequence[Finding], context: Context) -> Iterable[tuple[Code, Evidence]]:
    """A one-batch stall beside clean wiring and a replay still learning (see SLOW_STALL_LR)."""
    stall = next(
        (f for f in findings if f.code == C.cannot_overfit_batch and f.severity is not Severity.info), None
    )
    learning = any(f.code == C.slow_convergence for f in findings)
    wired = context.checked >= STALL_WIRING and not any(
        f.code in STALL_WIRING and f.severity is not Severity.info for f in findings
    )
    if stall is None or not learning or not wired:
        return
    said = (
        "the model cannot memorize one batch in the probe's steps, but the replay of this setup was "
        "still learning when it stopped and the checks of output layer, loss and labels found "
        "nothing: a model that learns slowly, not a wiring block"
    )
    yield from _each_cause(SLOW_STALL_LR, S.probe, C.cannot_overfit_batch, said, _numbers(stall))


def _uniform_output(findings: Sequence[Finding], unit: PointWords) -> Iterable[tuple[Code, Evidence]]:
    """A loss stuck at ln K to four digits (see UNIFORM_OUTPUT_LR)."""
    found = next(
        (f for f in findings if f.code == C.loss_plateau and "uniform_epochs" in f.evidence),
        None,
    )
    if found is None or found.severity is Severity.info:
        return
    said = (
        f"the loss equals ln {found.evidence.get('num_classes')} to four digits in "
        f"{unit.count(found.evidence['uniform_epochs'])} up to the last: the output ignores the input"
    )
    blown = any(
        f.code == C.loss_spikes and f.severity is not Severity.info and BLOWUP_KEY in f.evidence
        for f in findings
    )
    ratios = {**UNIFORM_OUTPUT_LR, **(UNIFORM_AFTER_BLOWUP_LR if blown else {})}
    if blown:
        said += f", after a first {unit.one} that blew up"
    yield from _each_cause(ratios, S.curve_rule, "loss_plateau", said, _numbers(found))


def _unpredictable_labels(findings: Sequence[Finding]) -> Iterable[tuple[Code, Evidence]]:
    """Labels no simple model predicts, in a run that learned nothing either (see
    UNPREDICTABLE_LABELS_LR)."""
    audit = next(
        (f for f in findings if f.code == C.label_noise and f.evidence.get(MEASURED_KEY) is False), None
    )
    stalled = next(
        (
            f
            for f in findings
            if f.severity is not Severity.info
            and (SYMPTOM_GROUPS.get(f.code) == "did_not_learn" or f.code == C.overfitting)
        ),
        None,
    )
    explained = any(
        f.code in UNPREDICTABLE_EXPLAINED_BY and f.severity is not Severity.info for f in findings
    )
    if audit is None or stalled is None or explained:
        return
    best = max(
        (v for k in ("knn_accuracy", "logistic_accuracy") if isinstance(v := audit.evidence.get(k), float)),
        default=None,
    )
    chance = audit.evidence.get("chance_accuracy")
    scores = f" ({best:.0%} against {chance:.0%})" if best is not None and isinstance(chance, float) else ""
    said = (
        "neither a nearest-neighbour vote nor a linear model predicts the labels from the features "
        f"better than chance{scores}, and the network learned nothing that carries over either "
        f"({stalled.code})"
    )
    yield from _each_cause(UNPREDICTABLE_LABELS_LR, S.data_audit, C.label_noise, said, _numbers(audit))


def _overfit_shape(findings: Sequence[Finding], baseline: float | None) -> Iterable[tuple[Code, Evidence]]:
    """What the shape of an overfitting alarm says about its cause (see NOISY_FIT_SHARE)."""
    found = next((f for f in findings if f.code == C.overfitting and f.severity is not Severity.info), None)
    # A classifier of unknown K held against ln 2 by the alarm itself (overfitting's
    # FOREIGN_FROM_START): that is its yardstick, not the first epoch's training loss.
    own = found.evidence if found is not None else {}
    if own.get("foreign_from_start") is True and isinstance(own.get("baseline_loss"), int | float):
        baseline = float(own["baseline_loss"])
    if found is None or not baseline:
        return
    train = found.evidence.get("train_end_median")
    val_best = found.evidence.get("val_best")
    if not isinstance(train, int | float):
        return
    share = train / baseline
    numbers = {"train_end_median": train, "val_best": val_best, "baseline_loss": round(baseline, 4)}
    # The best validation loss of a run that memorized its training set (None otherwise).
    best = val_best if isinstance(val_best, int | float) and share < FOREIGN_VAL_FIT_SHARE else None
    if best is not None and best >= FOREIGN_VAL_SHARE * baseline:
        said = (
            f"the validation loss never got below {baseline:.3g}, what a model that learned nothing "
            f"scores (best {val_best:.3g}), while the training loss fell to {share:.0%} of it"
        )
        ratios = FOREIGN_VAL_LR
    elif best is not None and best >= NOTHING_CARRIED_SHARE * baseline:
        said = (
            f"the best validation loss, {val_best:.3g}, stayed within {1 - NOTHING_CARRIED_SHARE:.0%} of "
            f"{baseline:.3g}, what a model that learned nothing scores, while the training loss fell "
            f"to {share:.0%} of it: nothing the model learned carried over to new data"
        )
        ratios = NOTHING_CARRIED_LR
    elif share >= NOISY_FIT_SHARE:
        said = (
            f"while overfitting, the training loss stayed at {share:.0%} of what a model that learned "
            "nothing scores: it could not memorize its own labels"
        )
        ratios = NOISY_FIT_LR
    else:
        return
    yield from _each_cause(ratios, S.curve_rule, "overfitting", said, numbers)


def _from_finding(f: Finding, ratio: float) -> Evidence:
    """A finding as evidence, weighing `ratio`: its source, code, words and numbers."""
    return Evidence(
        source=f.source, code=f.code, likelihood_ratio=round(ratio, 3), detail=f.summary, numbers=_numbers(f)
    )


def _each_cause(
    ratios: Mapping[Code, float], source: S, code: str, said: str, numbers: dict[str, Any]
) -> Iterable[tuple[Code, Evidence]]:
    """One piece of evidence, `said` by `source` about `code`, weighed per cause by `ratios`."""
    for cause, ratio in ratios.items():
        yield cause, Evidence(source=source, code=code, likelihood_ratio=ratio, detail=said, numbers=numbers)


def _numbers(f: Finding) -> dict[str, Any]:
    return {
        k: v for k, v in f.evidence.items() if k != "thresholds" and isinstance(v, int | float | str | bool)
    }


def _metrics(measured: Mapping[str, Any]) -> list[str]:
    """The scores a trial is read on, the one it was judged on (`metric`) first."""
    judged = measured.get("metric")
    return [*([judged] if isinstance(judged, str) else []), "accuracy", "mse"]


def _before_after(measured: dict[str, Any]) -> str:
    before, after = measured.get("before") or {}, measured.get("after") or {}
    for metric in _metrics(measured):
        if isinstance(after.get(metric), int | float) and isinstance(before.get(metric), int | float):
            name = f"validation {ACCURACY_WORDS.get(metric, 'MSE')}"
            return f"{name} {before[metric]:.3g} -> {after[metric]:.3g} in {measured.get('steps')} steps"
    return str(measured.get("error", "no score"))


def _observed(item: Evidence) -> bool:
    """Evidence that something was seen (a finding, a trial), not only what the metadata
    makes likely: a cause is listed only with some of it, so a large model with no symptom of
    overfitting is not called one."""
    return item.source is not S.metadata or item.code in CAUSE_CODES


def confidence_word(probability: float) -> str:
    return next(word for floor, word in CONFIDENCE_WORDS if probability >= floor)


def _posterior(code: Code, tally: _Tally) -> float:
    prior = PRIORS.get(code, PRIOR)
    odds = prior / (1 - prior) * tally.ratio()
    return odds / (1 + odds)


def concrete_fix(code: Code, meta: RunMetadata, findings: Sequence[Finding]) -> CauseFix:
    """The fix for a cause: its own finding's recommendation where one was raised (the most
    concrete), else the catalogue's, with the configured learning rate turned into a value."""
    own = next((f for f in findings if f.code == code), None)
    info = CATALOGUE[code]
    if own is not None:
        fix = {k: v for k, v in own.fix.items() if k != "measured"}
        return CauseFix(
            action=own.recommendation, fix=fix or dict(info.fix), measured=own.fix.get("measured")
        )
    fix = dict(info.fix)
    typical = TYPICAL_LR.get((meta.optimizer or "").lower())
    if code in {C.lr_too_high, C.lr_too_low} and meta.learning_rate:
        if code is C.lr_too_high:
            target = meta.learning_rate / 10 if typical is None else min(meta.learning_rate / 10, typical)
        else:
            target = meta.learning_rate * 10 if typical is None else max(meta.learning_rate * 10, typical)
        fix.pop("learning_rate_factor", None)  # the factor, applied
        fix["learning_rate"] = float(f"{target:.3g}")
    return CauseFix(action=info.change, fix=fix)


def conclude(findings: list[Finding], context: Context) -> tuple[list[Finding], Verdict]:
    """Reconcile the findings, weigh the evidence, and say the verdict; the findings come back
    with `explained_by` set where a listed cause accounts for them."""
    findings = reconcile(findings)
    alarms = [f for f in findings if f.severity is not Severity.info]
    if not alarms:
        missing = list(context.missing)
        if missing:
            verdict = Verdict(
                status=VerdictStatus.inconclusive,
                headline=f"Cannot judge this run: {'; '.join(missing)}.",
                missing=missing,
            )
        else:
            verdict = Verdict(status=VerdictStatus.healthy, headline=_healthy_headline(context))
        return findings, verdict

    tallies = _weigh(findings, context)
    scored = sorted(
        (
            (code, _posterior(code, t), t)
            for code, t in tallies.items()
            if any(e.likelihood_ratio > 1 and _observed(e) for e in t.items())
        ),
        key=lambda item: (-item[1], item[0].value),
    )
    shown = 0 if all(f.code in MEASUREMENT_ONLY or _validation_only(f) for f in alarms) else MIN_SHOWN
    listed = [s for i, s in enumerate(scored) if s[1] >= MIN_LISTED or i < shown][:MAX_LISTED]
    mirrors = mirrored(findings)
    causes = [_cause(code, p, t, context, findings, mirrors) for code, p, t in listed]
    explained: dict[Code, Code] = {}
    for cause in causes:
        for code in cause.explains:
            explained.setdefault(code, cause.code)
    findings = [
        f.model_copy(update={"explained_by": explained.get(f.code)}) if f.severity is not Severity.info else f
        for f in findings
    ]
    first_fix = _first_fix(causes, context, mirrors)
    verdict = Verdict(
        status=VerdictStatus.problems,
        headline=_problem_headline(causes, alarms, first_fix),
        causes=causes,
        first_fix=first_fix,
    )
    return findings, verdict


def _cause(
    code: Code,
    probability: float,
    tally: _Tally,
    context: Context,
    findings: Sequence[Finding],
    mirrors: Mapping[Code, frozenset[Code]],
) -> VerdictCause:
    items = sorted(tally.items(), key=lambda e: -abs(math.log(e.likelihood_ratio)))
    fix = concrete_fix(code, context.metadata, findings)
    trials = [t for t in context.trials if code in cures(t.action, mirrors)]
    if trials and fix.measured is None:
        best = max(trials, key=lambda t: (t.helped, t.gain))
        fix = fix.model_copy(update={"measured": {**best.measured, "action": best.action}})
    return VerdictCause(
        code=code,
        category=CATEGORY[code],
        probability=round(probability, 3),
        confidence=confidence_word(probability),
        explains=sorted(set(tally.explains), key=lambda c: c.value),
        evidence_for=[e for e in items if e.likelihood_ratio > 1],
        evidence_against=[e for e in items if e.likelihood_ratio < 1],
        fix=fix,
        probe=CATALOGUE[code].probe,
    )


def _first_fix(
    causes: Sequence[VerdictCause], context: Context, mirrors: Mapping[Code, frozenset[Code]]
) -> FirstFix | None:
    helped = [t for t in context.trials if t.helped]
    rank = {c.code: i for i, c in enumerate(causes)}

    def merit(trial: TrialOutcome) -> tuple[bool, float, int]:
        # Equal gains (two fixes that both reach 100 %): the one curing the higher-ranked cause.
        cured = [rank.get(code, len(causes)) for code in cures(trial.action, mirrors)]
        return (
            trial.action not in SHORT_HORIZON_FAVOURED,
            round(trial.gain, 6),
            -min(cured, default=len(causes)),
        )

    if helped:
        best = max(helped, key=merit)
        cured = cures(best.action, mirrors)
        cause = next((c.code for c in causes if c.code in cured), None) or min(cured, key=lambda c: c.value)
        return FirstFix(
            cause=cause,
            action=action_words(best.action, best.fix),
            fix=best.fix,
            measured={k: v for k, v in best.measured.items() if k != "history"},
        )
    if not causes:
        return None
    top = causes[0]
    return FirstFix(cause=top.code, action=top.fix.action, fix=top.fix.fix)


def _healthy_headline(context: Context) -> str:
    if context.loss_first is not None and context.loss_last is not None:
        return (
            f"No problems found: the training loss fell from {context.loss_first:.3g} to "
            f"{context.loss_last:.3g} over {context.unit.count(context.epochs)} without a warning sign."
        )
    return f"No problems found in {context.unit.count(context.epochs)}."


def _problem_headline(
    causes: Sequence[VerdictCause], alarms: Sequence[Finding], first_fix: FirstFix | None
) -> str:
    if first_fix is not None and first_fix.measured is not None:
        title = CATALOGUE[first_fix.cause].title
        return f"The likely cause is {title}: {first_fix.action} took {_before_after(first_fix.measured)}."
    if not causes:
        worst = alarms[0]
        return f"{worst.summary.rstrip('.')} (no cause stands out; see the findings)."
    top = causes[0]
    strongest = top.evidence_for[0] if top.evidence_for else None
    because = f": {strongest.detail.rstrip('.')}" if strongest is not None else ""
    return f"Most likely {CATALOGUE[top.code].title} ({top.probability:.0%}){because}."


def _expected_shift(probability: float) -> float:
    """How far a trial of a fix for a cause at this probability is expected to move it: up to
    what TRIAL_HELPED_LR makes of it if the fix helps (likely when the cause is there), down to
    what TRIAL_FLAT_LR makes of it if not. Largest for a cause in doubt, near nothing for one
    already near certain or ruled out."""
    odds = probability / (1 - probability) if probability < 1 else math.inf
    helped = 1.0 if odds == math.inf else odds * TRIAL_HELPED_LR / (1 + odds * TRIAL_HELPED_LR)
    flat = 1.0 if odds == math.inf else odds * TRIAL_FLAT_LR / (1 + odds * TRIAL_FLAT_LR)
    return probability * (helped - probability) + (1 - probability) * (probability - flat)


def order_for_trials(findings: list[Finding], context: Context) -> list[tuple[str, float, tuple[Code, ...]]]:
    """The fix trials worth running, in the order they should run: every action (ACTION_CURES),
    each valued by the sum of `_expected_shift` over the causes it cures at their probabilities
    before any trial, the largest first. Planned per cause, not per raised finding: a cause no
    check raised (a model too small where only a layer count was flagged) is tried as readily as
    a raised one in as much doubt, and an uncertain cause ranked fifth before a near-certain first
    one. Actions below MIN_TRIAL_SHIFT are left out, and every action where no alarm stands: a
    trial cannot change a verdict of healthy. Each comes with its value and the causes it cures,
    the most probable first (whose fix the trial should take)."""
    reconciled = reconcile(findings)
    if all(f.severity is Severity.info for f in reconciled):
        return []
    tallies = _weigh(reconciled, context)
    posterior = {code: _posterior(code, tally) for code, tally in tallies.items()}
    mirrors = mirrored(reconciled)
    ranked = sorted(
        (
            (action, sum(_expected_shift(posterior[c]) for c in cures(action, mirrors)))
            for action in ACTION_CURES
        ),
        key=lambda item: (-item[1], item[0]),
    )
    return [
        (action, round(value, 4), tuple(sorted(ACTION_CURES[action], key=lambda c: (-posterior[c], c.value))))
        for action, value in ranked
        if value >= MIN_TRIAL_SHIFT
    ]
