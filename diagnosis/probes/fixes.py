"""Fix trials: re-run the short replay with one cause's fix applied, and measure the effect.

The before/after numbers use a task metric computed from predictions (accuracy, or MSE on
the validation data), not the loss, so a trial that swaps the loss is compared fairly.
Only fixes that change the model, the optimizer or the preprocessing can be tried; data
problems (duplicates, leakage, label noise) need the user's hands and are left untried.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from diagnosis.audit import REGISTRY as DATA_CHECKS
from diagnosis.bundle import BINARY_LOSSES, REGRESSION_LOSSES, LabelInfo, ModelInfo, TrainingConfig
from diagnosis.evidence import ACCURACY_WORDS, TrialOutcome, concrete_fix
from diagnosis.models import Finding, RunMetadata, Severity
from diagnosis.probes.model_audit import REGISTRY as MODEL_CHECKS
from diagnosis.probes.model_info import fresh_copy
from diagnosis.probes.registry import REGISTRY as PROBES
from diagnosis.probes.training import SEED, FreshStart, Prepared, ProbeResults, Replay, TargetScale, replay
from diagnosis.rules import REGISTRY as RULES
from diagnosis.taxonomy import CATEGORY, Code
from diagnosis.units import Unit

if TYPE_CHECKING:
    import keras

# A trial "helped" when the metric improves by at least this much (relative for MSE,
# absolute accuracy points for accuracy), and by more than NOISE_MULTIPLE times the gap
# between two replays of the unchanged configuration under two seeds (SEED and NOISE_SEED:
# other initial weights, another data order). The floor holds where two seeds happen to
# agree; twice the measured gap keeps one lucky draw from reading as a fix. The gain is counted
# from the worse of the two seeds (`_reference`), which is beating the better one by the gap:
# which seed the baseline replay happened to draw does not decide it. Counted from the baseline
# alone, a larger model that took 15 two-unit tanh layers from 0.79 to 1.00 (the other seed
# 0.65) did not help, since 0.79 + 2 x 0.14 lies above any accuracy.
MIN_ACCURACY_GAIN = 0.02
MIN_MSE_GAIN = 0.05
NOISE_MULTIPLE = 2.0
NOISE_SEED = SEED + 1
# A trial is judged on its Trial.metric (a score of training.task_score), else on accuracy,
# else on the MSE; higher is better for the accuracies (evidence.ACCURACY_WORDS), lower for MSE.
# Weighting the classes trades majority-class hits for minority-class ones: on 600:1 classes it
# lowers accuracy while it lifts the minority's recall from 0. Judged on accuracy it reads as a
# fix that did not help (and counted against class_imbalance); the mean recall over the classes
# (balanced accuracy) measures what it changes.
BALANCED_METRIC = "balanced_accuracy"
# At most this many trials per bundle, in the order diagnosis.evidence.order_for_trials gives
# (the trials expected to move the ranking most first): each costs one replay.
MAX_TRIALS = 4
# Layer arguments that set a dropout rate: a dropout layer's, a recurrent layer's on its inputs
# and on its state.
DROPOUT_KEYS = ("rate", "dropout", "recurrent_dropout")


@dataclass(frozen=True)
class Bench:
    """What every trial runs against: the user's model and setup, the prepared data, and the
    baseline replay (under SEED) that each trial's replay is compared with."""

    model: keras.Model
    info: ModelInfo
    config: TrainingConfig
    prepared: Prepared
    labels: LabelInfo
    probes: ProbeResults
    baseline: Replay
    start: FreshStart


@dataclass
class Trial:
    """How to apply one fix to a replay."""

    build: Callable[[], keras.Model] | None = None  # None: the replay's own model, restored
    learning_rate: float | None = None
    transform: Callable[[np.ndarray], np.ndarray] | None = None
    class_weight: dict[int, float] | None = None
    batch_size: int | None = None  # None: the user's own
    targets: TargetScale | None = None
    metric: str | None = None  # the score it is judged on; None: accuracy, else the MSE


def _standardizer(x: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    flat = x.reshape(len(x), -1)
    finite = np.where(np.isfinite(flat), flat, np.nan)
    mean = np.nan_to_num(np.nanmean(finite, axis=0))
    std = np.nan_to_num(np.nanstd(finite, axis=0), nan=1.0)
    std[std == 0] = 1.0

    def transform(values: np.ndarray) -> np.ndarray:
        shaped = values.reshape(len(values), -1)
        clean = np.where(np.isfinite(shaped), shaped, mean)  # impute non-finite cells with the mean
        standardized: np.ndarray = ((clean - mean) / std).reshape(values.shape).astype(np.float32)
        return standardized

    return transform


def _edit_layers(
    edit: Callable[[dict[str, Any], keras.layers.Layer], dict[str, Any] | None],
) -> Callable[[keras.layers.Layer], keras.layers.Layer]:
    """A clone_function that rebuilds each layer from its config with `edit` applied."""

    def clone(layer: keras.layers.Layer) -> keras.layers.Layer:
        config = layer.get_config()
        return type(layer).from_config(edit(dict(config), layer) or config)

    return clone


def _head_for(loss: str, fix: dict[str, Any], labels: LabelInfo) -> dict[str, Any]:
    """The output layer a swapped-in loss needs. Swapping the loss alone keeps a head the new
    loss cannot use (one linear unit under a 10-class cross-entropy), and the trial then
    measures nothing or fails on the first batch."""
    if loss in REGRESSION_LOSSES:
        return {"activation": fix.get("output_activation", "linear")}
    if loss in BINARY_LOSSES:
        return {"units": 1, "activation": "sigmoid"}
    units = fix.get("output_units") or labels.num_classes
    return {"activation": fix.get("output_activation", "softmax")} | ({"units": units} if units else {})


def _fresh(bench: Bench, **kwargs: Any) -> Callable[[], keras.Model]:
    return lambda: fresh_copy(bench.model, bench.info, **kwargs)


def _last(bench: Bench) -> str | None:
    return bench.model.layers[-1].name if bench.model.layers else None


def _standardize(finding: Finding, bench: Bench) -> Trial | None:
    return Trial(transform=_standardizer(bench.prepared.x))


def _standardize_targets(finding: Finding, bench: Bench) -> Trial | None:
    if bench.labels.format != "continuous":
        return None
    return Trial(targets=TargetScale.of(bench.prepared.y))


def _rate(finding: Finding, bench: Bench) -> Trial | None:
    rate = finding.fix.get("learning_rate") or bench.probes.suggested_lr
    return Trial(learning_rate=rate) if rate else None


def _class_weight(finding: Finding, bench: Bench) -> Trial | None:
    weights = finding.fix.get("class_weight")
    if not isinstance(weights, dict):
        return None
    return Trial(class_weight={int(k): float(v) for k, v in weights.items()}, metric=BALANCED_METRIC)


def _swap_loss(finding: Finding, bench: Bench) -> Trial | None:
    fix, last = finding.fix, _last(bench)
    if "loss" not in fix:
        return None
    head = _head_for(fix["loss"], fix, bench.labels)

    def set_head(config: dict[str, Any], layer: keras.layers.Layer) -> dict[str, Any] | None:
        if layer.name != last:
            return None
        # Only the keys the layer has: a trailing Activation layer takes no units.
        return {**config, **{k: v for k, v in head.items() if k in config}}

    return Trial(
        build=_fresh(bench, loss=fix["loss"], from_logits=False, clone_function=_edit_layers(set_head))
    )


def _output_activation(finding: Finding, bench: Bench) -> Trial | None:
    if "output_activation" not in finding.fix:
        return None
    activation, last = finding.fix["output_activation"], _last(bench)

    def set_output(config: dict[str, Any], layer: keras.layers.Layer) -> dict[str, Any] | None:
        return {**config, "activation": activation} if layer.name == last else None

    return Trial(build=_fresh(bench, from_logits=False, clone_function=_edit_layers(set_output)))


def _lower_dropout(finding: Finding, bench: Bench) -> Trial | None:
    rate = finding.fix.get("dropout", 0.2)

    def lower(config: dict[str, Any], layer: keras.layers.Layer) -> dict[str, Any] | None:
        # Lowered, never raised: an LSTM without recurrent dropout keeps none.
        keys = [k for k in DROPOUT_KEYS if isinstance(config.get(k), int | float) and config[k] > rate]
        return {**config, **{k: rate for k in keys}} if keys else None

    return Trial(build=_fresh(bench, clone_function=_edit_layers(lower))) if _changes(bench, lower) else None


def _relu_he_init(finding: Finding, bench: Bench) -> Trial | None:
    """The hidden layers with the finding's activation and initializer (ReLU and He normal unless
    it names others: SELU with LeCun normal for a deep plain stack)."""
    activation, last = finding.fix.get("hidden_activation", "relu"), _last(bench)
    initializer = finding.fix.get("kernel_initializer", "he_normal")

    def relu(config: dict[str, Any], layer: keras.layers.Layer) -> dict[str, Any] | None:
        if layer.name == last or "activation" not in config or "kernel_initializer" not in config:
            return None
        if config["activation"] == activation and _initializer_is(config["kernel_initializer"], initializer):
            return None  # already what the trial would make it
        return {**config, "activation": activation, "kernel_initializer": initializer}

    return Trial(build=_fresh(bench, clone_function=_edit_layers(relu))) if _changes(bench, relu) else None


def _initializer_is(value: Any, name: str) -> bool:
    """A layer config's kernel initializer is the one `name` names (Keras serializes it by class:
    he_normal as HeNormal)."""
    if isinstance(value, dict):
        return bool(value.get("class_name", "").lower() == name.replace("_", ""))
    return bool(value == name)


def _changes(
    bench: Bench, edit: Callable[[dict[str, Any], keras.layers.Layer], dict[str, Any] | None]
) -> bool:
    """Whether `edit` changes any layer of the user's model. A trial that changes nothing replays
    the baseline and measures only noise, which the evidence would read as the fix not helping
    (ReLU with He initialization tried on a model that has both)."""
    return any(edit(dict(layer.get_config()), layer) is not None for layer in bench.model.layers)


def _add_capacity(finding: Finding, bench: Bench) -> Trial | None:
    last = _last(bench)
    if "add_hidden_layer" in finding.fix:
        units = int(finding.fix["add_hidden_layer"])

        def add_hidden(layer: keras.layers.Layer) -> keras.layers.Layer:
            import keras

            copy = type(layer).from_config(layer.get_config())
            if layer.name != last:
                return copy
            # The output layer becomes a hidden ReLU layer followed by itself: a model with no
            # hidden layer has none to widen.
            return keras.Sequential([keras.layers.Dense(units, activation="relu"), copy])

        return Trial(build=_fresh(bench, clone_function=add_hidden))

    # A model with no hidden layer has none to widen: that trial would replay the same model and
    # measure nothing but noise (which the evidence would read as a larger model not helping).
    with_units = [i for i, layer in enumerate(bench.info.layers) if layer.units is not None]
    if len(with_units) < 2:
        return None

    def widen(config: dict[str, Any], layer: keras.layers.Layer) -> dict[str, Any] | None:
        if layer.name == last or "units" not in config:
            return None
        return {**config, "units": max(16, config["units"] * 4)}

    return Trial(build=_fresh(bench, clone_function=_edit_layers(widen)))


def _batch_size(finding: Finding, bench: Bench) -> Trial | None:
    size = finding.fix.get("batch_size")
    return Trial(batch_size=int(size)) if isinstance(size, int) and size != bench.config.batch_size else None


Planner = Callable[[Finding, Bench], "Trial | None"]
# How each action is tried (None from a planner: the finding lacks what the action needs).
PLANNERS: dict[str, Planner] = {
    "standardize_inputs": _standardize,
    "standardize_targets": _standardize_targets,
    "lower_learning_rate": _rate,
    "raise_learning_rate": _rate,
    "class_weight": _class_weight,
    "swap_loss": _swap_loss,
    "fix_output_activation": _output_activation,
    "lower_dropout": _lower_dropout,
    "relu_he_init": _relu_he_init,
    "add_capacity": _add_capacity,
    "raise_batch_size": _batch_size,
}


def _declared_trials() -> dict[str, str]:
    """The action for each code, as the checks that raise it declare (`Unit.trials`)."""
    units: list[type[Unit]] = [
        *RULES.values(),
        *DATA_CHECKS.values(),
        *MODEL_CHECKS.values(),
        *PROBES.values(),
    ]
    actions: dict[str, str] = {}
    for unit in units:
        for code, action in unit.trials:
            if actions.setdefault(code, action) != action:
                raise TypeError(
                    f"{unit.__name__} tries {code} with {action}, another check with {actions[code]}"
                )
    return actions


# The action each finding's trial takes (diagnosis.evidence.ACTION_CURES says what it cures).
ACTION_OF: dict[str, str] = _declared_trials()


def judged_on(score: dict[str, float | None], metric: str | None = None) -> str:
    """The score a comparison reads: `metric` where the score has it, else accuracy, else MSE."""
    if metric is not None and metric in score:
        return metric
    return "accuracy" if "accuracy" in score else "mse"


def noise(
    first: dict[str, float | None], second: dict[str, float | None], metric: str | None = None
) -> float | None:
    """The gap between two seeds' scores of one configuration on `metric` (judged_on): points
    of an accuracy, or the MSE's relative difference (None when either score is missing)."""
    name = judged_on(first, metric)
    a, b = first.get(name), second.get(name)
    if a is None or b is None:
        return None
    if name in ACCURACY_WORDS:
        return abs(a - b)
    return abs(a - b) / max(abs(a), abs(b)) if max(abs(a), abs(b)) else None


def threshold(gap: float | None, accuracy: bool) -> float:
    """The least gain that counts as a fix helping, in the metric's own terms."""
    floor = MIN_ACCURACY_GAIN if accuracy else MIN_MSE_GAIN
    return max(floor, NOISE_MULTIPLE * (gap or 0.0))


def _improved(
    before: dict[str, float | None],
    after: dict[str, float | None],
    gap: float | None,
    metric: str | None = None,
) -> bool:
    name = judged_on(after, metric)
    b, a = before.get(name), after.get(name)
    if name in ACCURACY_WORDS:
        return a is not None and (b is None or a - b >= threshold(gap, accuracy=True))
    return a is not None and (b is None or (b - a) >= threshold(gap, accuracy=False) * b)


def _seed_noise(bench: Bench) -> dict[str, Any]:
    """The unchanged configuration replayed under NOISE_SEED (fresh weights, another order),
    against the baseline replay under SEED: the gap a fix must beat."""
    try:
        again = replay(
            bench.start,
            bench.prepared,
            bench.config,
            bench.labels,
            build=lambda: fresh_copy(bench.model, bench.info),
            seed=NOISE_SEED,
        )
    except Exception as exc:  # Keras raises many types; without a second seed the floor alone judges
        return {"seeds": [SEED], "gap": None, "error": f"{type(exc).__name__}: {str(exc)[:200]}"}
    bench.probes.count("fix_trials", again.steps)
    return {"seeds": [SEED, NOISE_SEED], "scores": [bench.baseline.score, again.score]}


def _reference(
    seeds: dict[str, Any], before: dict[str, float | None], metric: str
) -> dict[str, float | None]:
    """The score a trial's gain is counted from: the worse of the two seeds' on `metric` (the
    baseline's where the second seed failed or scored nothing)."""
    scores = [s for s in seeds.get("scores") or [] if s.get(metric) is not None]
    if len(scores) < 2:
        return before
    sign = 1.0 if metric in ACCURACY_WORDS else -1.0
    return min(scores, key=lambda s: sign * float(s[metric] or 0.0))


def _gap(seeds: dict[str, Any], metric: str) -> float | None:
    """The seeds' gap on the metric a trial is judged on (None where the second seed failed)."""
    scores = seeds.get("scores")
    return noise(scores[0], scores[1], metric) if scores else None


def stand_in(code: Code, meta: RunMetadata, findings: Sequence[Finding]) -> Finding:
    """What a trial of a cause no check raised is planned from: an info finding carrying the
    cause's fix, made concrete (evidence.concrete_fix: the configured rate divided or multiplied
    by ten). Never reported: only its `fix` is read."""
    fix = concrete_fix(code, meta, findings)
    return Finding(
        code=code,
        category=CATEGORY[code],
        severity=Severity.info,
        confidence=0.0,
        summary=f"Not raised by any check; tried because the verdict weighs {code}.",
        recommendation=fix.action,
        fix=fix.fix,
    )


def _planned(action: str, candidates: Sequence[Finding], bench: Bench) -> tuple[Finding, Trial] | None:
    """The first candidate (the findings declaring the action, strongest first, then a stand-in)
    from which the action's trial can be planned."""
    for finding in candidates:
        trial = PLANNERS[action](finding, bench)
        if trial is not None:
            return finding, trial
    return None


def try_fixes(
    findings: list[Finding],
    bench: Bench,
    order: Sequence[tuple[str, float, tuple[Code, ...]]],
    meta: RunMetadata,
) -> tuple[list[Finding], tuple[TrialOutcome, ...]]:
    """Run up to MAX_TRIALS actions in `order` (evidence.order_for_trials: each action with its
    value and the causes it cures, the most probable first), each once, judged against the noise
    of two seeds (measured once, before the first trial). An action takes the fix of the findings
    that declare it (ACTION_OF), the most probable cause's first (a deep stack's SELU before its
    dead units' leaky ReLU), else of a stand-in for the most probable cause a check declares it
    for. Returns the findings, each declaring a tried action with `fix["measured"]` filled in,
    and the trials as the evidence reads them."""
    out, tried = list(findings), list[TrialOutcome]()
    seeds: dict[str, Any] | None = None
    for action, _value, causes in order:
        if len(tried) >= MAX_TRIALS:
            break
        rank = {code: i for i, code in enumerate(causes)}
        owners = sorted(
            (f for f in findings if ACTION_OF.get(f.code) == action),
            key=lambda f: (rank.get(f.code, len(rank)), -f.severity.rank, -f.confidence),
        )
        declared = [code for code in causes if ACTION_OF.get(code) == action]
        extra = [stand_in(declared[0], meta, findings)] if declared else []
        planned = _planned(action, [*owners, *extra], bench)
        if planned is None:
            continue
        finding, trial = planned
        if seeds is None:
            seeds = _seed_noise(bench)
        measured = _run(trial, bench, seeds)
        if "after" in measured:
            bench.probes.count("fix_trials", measured["steps"])
        fix = {k: v for k, v in finding.fix.items() if k != "measured"}
        tried.append(TrialOutcome(action=action, measured=measured, fix=fix))
        out = [
            f.model_copy(update={"fix": {**f.fix, "measured": measured}}) if f in owners else f for f in out
        ]
    return out, tuple(tried)


def _run(trial: Trial, bench: Bench, seeds: dict[str, Any]) -> dict[str, Any]:
    """One trial's replay, measured against the baseline replay and the seeds' noise."""
    config = bench.config
    if trial.batch_size is not None:
        config = replace(config, batch_size=trial.batch_size)
    try:
        after = replay(
            bench.start,
            bench.prepared,
            config,
            bench.labels,
            build=trial.build,
            learning_rate=trial.learning_rate,
            transform=trial.transform,
            class_weight=trial.class_weight,
            targets=trial.targets,
        )
    except Exception as exc:  # Keras raises many types; a failed trial must not lose the findings
        return {"error": f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}", "improved": False}
    before = bench.baseline.score
    metric = judged_on(after.score, trial.metric)
    gap = _gap(seeds, metric)
    reference = _reference(seeds, before, metric)
    return {
        "before": before,
        "after": after.score,
        "steps": after.steps,
        "metric": metric,
        "improved": _improved(reference, after.score, gap, metric),
        "noise": {
            **seeds,
            "gap": gap,
            "threshold": threshold(gap, accuracy=metric in ACCURACY_WORDS),
            "counted_from": reference.get(metric),
        },
        "on": "validation data of the replay",
        # The trial's curves, to draw against the replay's (probes.replay.history).
        "history": after.history,
    }
