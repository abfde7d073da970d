"""The training probes as registered units, like the rules, the data audit and the model audit.

Each probe trains or evaluates a fresh copy of the user's model (diagnosis/probes/training.py
holds how, and each probe's thresholds at its top); its unit here declares the codes it can
raise, the thresholds that decide them, the fix trial for each code, and runs it. The pipeline
runs every registered probe in the order they are defined: the first one, the initial loss,
evaluates the model on the data at all (`checks_wiring`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from diagnosis.bundle import LabelInfo, ModelInfo, TrainingConfig
from diagnosis.models import EvidenceSource, Finding, Severity
from diagnosis.probes import training as t
from diagnosis.probes.model_audit.learning_rate import rate_corroborated
from diagnosis.probes.model_audit.linear_capacity import linear_model_too_small
from diagnosis.rules.underfitting import replay_learned, trained_through
from diagnosis.rules.unexpected_initial_loss import ABOVE, FACTOR, replay_recovered
from diagnosis.taxonomy import Code
from diagnosis.units import Settled, Unit

if TYPE_CHECKING:
    import keras

    from diagnosis.probes.settling import BundleFacts

REGISTRY: dict[str, type[Probe]] = {}
# Findings that show dead units cost the training: the one-batch overfit stalled. (Any alarm
# the replay's curves raised counts too.) Without either, a fresh copy's units that went quiet
# in the first steps left enough live ones to learn with: ReLU networks commonly carry many
# units that never fire, and a model that fits (a 1-D CNN regression at R^2 0.99 with half of
# one dense layer's units silent) is not hurt by them.
DEAD_UNIT_COSTS = frozenset({Code.cannot_overfit_batch})
CURVES = (EvidenceSource.curve_rule, EvidenceSource.metadata)


@dataclass(frozen=True)
class ProbeRun:
    """What a probe runs on: the user's model, a fresh copy's start, the finite rows."""

    model: keras.Model
    start: t.FreshStart
    info: ModelInfo
    data: t.Prepared
    labels: LabelInfo
    config: TrainingConfig
    out: t.ProbeResults


class Probe(ABC, Unit):
    name: ClassVar[str]
    codes: ClassVar[tuple[Code, ...]]
    thresholds: ClassVar[tuple[tuple[str, float], ...]]
    # A failure here means the model cannot run on the data at all (a wiring error).
    checks_wiring: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.name in REGISTRY:
            raise TypeError(f"two probes claim the name {cls.name!r}")
        REGISTRY[cls.name] = cls

    @abstractmethod
    def run(self, on: ProbeRun) -> None:
        """Measure, and add findings and measurements to `on.out`."""


class InitialLoss(Probe):
    name = "initial_loss"
    codes = (Code.unexpected_initial_loss,)
    thresholds = (("factor", FACTOR), ("above", ABOVE), ("samples", t.INIT_SAMPLES))
    checks_wiring = True

    def run(self, on: ProbeRun) -> None:
        t.initial_loss(on.start, on.info, on.data, on.labels, on.out)

    def settle(self, finding: Finding, facts: BundleFacts) -> Settled | None:
        """A first loss far off is a hazard of scale: a replay that fit the data anyway shows
        it cost nothing (trained_through), and so does one that left it within its first
        epoch and went on to learn (replay_recovered, the curve rule's own reading)."""
        expected = finding.evidence.get("expected")
        recovered = replay_recovered(facts, float(expected)) if isinstance(expected, int | float) else None
        return trained_through(facts) or recovered


class OverfitOneBatch(Probe):
    name = "overfit_one_batch"
    codes = (Code.cannot_overfit_batch,)
    thresholds = (
        ("batch", t.OVERFIT_BATCH),
        ("steps", t.OVERFIT_STEPS),
        ("ratio", t.OVERFIT_RATIO),
        ("stall_gain", t.STALL_GAIN),
        ("reference_lr", t.REFERENCE_LR),
    )

    def run(self, on: ProbeRun) -> None:
        t.overfit_one_batch(on.model, on.start, on.info, on.data, on.out)

    def settle(self, finding: Finding, facts: BundleFacts) -> Settled | None:
        """A model with no hidden layer that cannot fit its task is too small
        (linear_capacity): its one-batch stall is then that capacity, not the wiring bug this
        probe points at, since a hyperplane cannot memorize a batch of more samples than inputs.
        And a model whose replay learned the data (replay_learned) is wired to learn: 150 steps
        at one rate are short for a slow-but-sound setup (raw targets of 100 that Adam at 1e-3
        moves 0.15 in 150 steps; Dropout, which keeps any model from memorizing a batch)."""
        learned = replay_learned(facts)
        if learned is not None:
            return learned
        probed = [f for f in facts.findings if f.source is EvidenceSource.probe]
        curves = [f for f in facts.findings if f.source in CURVES]
        if linear_model_too_small(facts.info, probed, curves) is None:
            return None
        return Settled(
            "a model with no hidden layer cannot memorize more samples than it has inputs, "
            "so this is its capacity (capacity_too_low), not a wiring fault"
        )


class LrRangeTest(Probe):
    name = "lr_range_test"
    codes = (Code.lr_too_high, Code.lr_too_low)
    thresholds = (("high", t.LR_HIGH), ("low", t.LR_LOW), ("valley", t.LR_VALLEY), ("blowup", t.LR_BLOWUP))
    trials = ((Code.lr_too_high, "lower_learning_rate"), (Code.lr_too_low, "raise_learning_rate"))

    def run(self, on: ProbeRun) -> None:
        t.lr_range_test(on.start, on.info, on.data, on.config, on.out)

    def settle(self, finding: Finding, facts: BundleFacts) -> Settled | None:
        """The range test's suggestion is for a fresh copy's first steps; the replay runs the
        configured rate through whole epochs, and one that fit the data shows the rate suits
        this setup (trained_through)."""
        return trained_through(facts)

    def corroborated(self, finding: Finding, facts: BundleFacts) -> bool:
        return rate_corroborated(finding, facts, dict(self.trials))


class GradientStats(Probe):
    name = "gradient_stats"
    codes = (Code.exploding_gradients, Code.vanishing_gradients, Code.dead_units, Code.saturated_activations)
    thresholds = (
        ("exploding_norm", t.EXPLODING_NORM),
        ("vanishing_ratio", t.VANISHING_RATIO),
        ("dead_share", t.DEAD_SHARE),
        ("saturated_share", t.SATURATED_SHARE),
    )
    trials = (
        (Code.vanishing_gradients, "relu_he_init"),
        (Code.dead_units, "relu_he_init"),
        (Code.saturated_activations, "relu_he_init"),
    )

    def run(self, on: ProbeRun) -> None:
        t.gradient_stats(on.start, on.data, on.out)

    def settle(self, finding: Finding, facts: BundleFacts) -> Settled | None:
        """Dead units found on a fresh copy are a warning only when training shows their cost:
        an alarm of the replay, which trains the same fresh copy for longer, or a stalled
        one-batch overfit (DEAD_UNIT_COSTS). Dead units in the saved weights are the
        saved_weights probe's: the replay starts from a fresh draw and cannot show their cost.
        A large gradient norm on a fresh copy is a hazard: a replay that fit the data anyway
        shows it cost nothing (trained_through)."""
        if finding.code is Code.exploding_gradients:
            return trained_through(facts)
        fresh = finding.code is Code.dead_units and t.FRESH_COPY_STEPS in finding.evidence
        if not fresh or finding.severity is not Severity.warning:
            return None
        costs = facts.alarms(*CURVES) + [
            f for f in facts.alarms(EvidenceSource.probe) if f.code in DEAD_UNIT_COSTS
        ]
        if costs:
            return None
        return Settled("the replay of a fresh copy trained without any symptom, so the live units sufficed")

    def corroborated(self, finding: Finding, facts: BundleFacts) -> bool:
        """A large gradient norm on a fresh copy is a suspicion: a raw norm scales with the
        error, so targets of 100 give norms of 1e4 to a model that trains steadily. Exploding
        gradients show in training (a NaN, spikes, a divergence, an oscillation: the replay's
        symptoms that list this cause); without one, the norm was only the problem's scale."""
        return finding.code is not Code.exploding_gradients or facts.symptom_supports(finding.code)


class SavedWeights(Probe):
    name = "saved_weights"
    codes = (Code.dead_units, Code.saturated_activations)
    thresholds = (("dead_share", t.DEAD_SHARE), ("saturated_share", t.SATURATED_SHARE))
    trials = ((Code.dead_units, "relu_he_init"), (Code.saturated_activations, "relu_he_init"))

    def run(self, on: ProbeRun) -> None:
        t.saved_weights(on.model, on.start, on.data, on.out)
