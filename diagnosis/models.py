"""The diagnosis contract: what every door (HTTP, worker, CLI) returns.

These pydantic models are the single definition of a finding and a diagnosis; the
OpenAPI schema, the worker's stored result and the CLI's `--json` output all come from
them. A finding's `code` is public API: once published it keeps its meaning.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from diagnosis.taxonomy import Category, Code
from diagnosis.wording import PointWords, point_words


class Severity(StrEnum):
    """How bad a finding is; ordered so that `max()` gives the worst."""

    info = "info"
    warning = "warning"
    error = "error"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {Severity.info: 0, Severity.warning: 1, Severity.error: 2}


class EvidenceSource(StrEnum):
    """Where a piece of evidence comes from."""

    curve_rule = "curve_rule"
    metadata = "metadata"
    data_audit = "data_audit"
    model_audit = "model_audit"
    probe = "probe"
    fix_trial = "fix_trial"


class Finding(BaseModel):
    """One thing wrong (or worth knowing) about a training run."""

    code: Code = Field(description="Stable snake_case id from the taxonomy in docs/design.md.")
    category: Category
    source: EvidenceSource = Field(
        default=EvidenceSource.curve_rule, description="Which kind of check raised it."
    )
    severity: Severity
    confidence: float = Field(ge=0.0, le=1.0)
    summary: str = Field(description="One sentence a person reads first.")
    evidence: dict[str, Any] = Field(
        default_factory=dict, description="The numbers behind the finding, thresholds included."
    )
    recommendation: str = Field(description="What to change, concretely.")
    fix: dict[str, Any] = Field(
        default_factory=dict,
        description="The recommendation as data where it can be, e.g. {'learning_rate': 3e-4}.",
    )
    epochs: list[int] = Field(
        default_factory=list,
        description="Epochs (0-based) where the finding shows, for marking on a plot.",
    )
    supports: dict[Code, float] = Field(
        default_factory=dict,
        description="The causes this finding is evidence for, each with the weight the check "
        "declares (how much likelier the finding is when that cause is present; the verdict's "
        "evidence model turns it into a likelihood ratio).",
    )
    explained_by: Code | None = Field(
        default=None, description="The verdict's cause that accounts for this finding, if one does."
    )

    @property
    def fix_helped(self) -> bool:
        """A bundle probe tried this fix and it measurably helped."""
        measured = self.fix.get("measured")
        return isinstance(measured, dict) and measured.get("improved") is True


class LearningRateChange(BaseModel):
    """A step in a logged learning-rate schedule and what the loss did next."""

    epoch: int
    learning_rate: float
    loss_change_after: float | None = Field(
        description="Relative change of the training loss over the next few epochs (negative = better)."
    )


class SkippedLines(BaseModel):
    """Lines of the input that looked like training output but were not read into the run."""

    lines: str = Field(description="1-based line numbers, e.g. '14' or '14-17'.", examples=["14-17"])
    reason: str = Field(examples=["an epoch that never finished (the log ends mid-epoch)"])


class InputFacts(BaseModel):
    """What the input itself says about the run besides its curves, read for free by the
    parser; the caller's metadata wins where both say something."""

    num_samples: int | None = Field(default=None, description="From 'Train on N samples'.")
    val_samples: int | None = Field(default=None, description="From 'validate on M samples'.")
    steps_per_epoch: int | None = Field(
        default=None, description="From the progress bar's 'N/N' of a finished epoch."
    )
    batch_size: int | None = Field(default=None, description="Where the log names it.")
    loss: str | None = Field(
        default=None, description="The loss function, where the input names it (a column or compile call)."
    )
    learning_rate: float | None = Field(
        default=None, description="The first logged learning rate (an lr/learning_rate column or scalar)."
    )


class RunMetadata(BaseModel):
    """What the caller may tell about the run; every field is optional."""

    model_config = ConfigDict(extra="allow")

    task: str | None = Field(
        default=None, description="'binary', 'multiclass' or 'regression'.", examples=["binary"]
    )
    num_classes: int | None = Field(default=None, ge=1)
    optimizer: str | None = None
    learning_rate: float | None = Field(default=None, gt=0)
    batch_size: int | None = Field(default=None, ge=1)
    num_samples: int | None = Field(default=None, ge=0)
    param_count: int | None = Field(default=None, ge=0)
    baseline_loss: float | None = Field(
        default=None,
        ge=0,
        allow_inf_nan=False,
        description=(
            "The loss of a model that learned nothing: the run's own loss for always predicting the "
            "training targets' mean (for class labels, the class frequencies); for MSE, the targets' "
            "variance. It tells how high is high for a regression loss, as ln K does for a classifier."
        ),
        examples=[1.0],
    )
    hidden_units: list[Annotated[int, Field(ge=0)]] | None = Field(
        default=None,
        max_length=1000,
        description=(
            "Widths of the model's hidden layers from input to output (Dense and recurrent units), "
            "without the output layer; [] for a linear or logistic model. A layer narrower than the "
            "output needs is a bottleneck that curves alone show only as a slow model."
        ),
        examples=[[128, 64]],
    )
    loss: str | None = Field(
        default=None,
        max_length=200,
        description=(
            "The loss the model was compiled with, by its Keras name (sparse_categorical_crossentropy, "
            "binary_crossentropy, mse, ...): with the output layer it tells the task and K."
        ),
        examples=["sparse_categorical_crossentropy"],
    )
    output_activation: str | None = Field(
        default=None, max_length=200, description="The output layer's activation.", examples=["softmax"]
    )
    output_units: int | None = Field(
        default=None, ge=1, description="The output layer's width: K for a softmax classifier.", examples=[10]
    )
    steps_per_epoch: int | None = Field(
        default=None, ge=1, description="Batches per epoch, as Keras counts them for fit.", examples=[24]
    )


class SourceInfo(BaseModel):
    """How the input was read: its format, whether its points are epochs or steps, what was
    skipped, and the facts it carried besides the curves."""

    format: str | None = Field(default=None, examples=["keras_console"])
    granularity: str = Field(
        default="epoch",
        description="'epoch' when every point is an epoch; 'step' when the input logs by step and "
        "the run is judged per logged step.",
    )
    aggregated: str | None = Field(
        default=None,
        description="How per-step values were turned into points: per-epoch aggregation, or the "
        "metrics a per-step reading left out.",
    )
    epoch_mean_noise: dict[str, float] = Field(
        default_factory=dict,
        description="For a training metric whose epoch values are the means of its logged step "
        "values: the typical standard error of an epoch's mean (the median over epochs of the "
        "steps' standard deviation over the square root of their count), the batch-to-batch noise "
        "each epoch point still carries; 0 where an epoch held a single logged step (its value is "
        "one batch's, with no mean to smooth it).",
        examples=[{"loss": 0.018}],
    )
    left_out: list[str] = Field(
        default_factory=list,
        description="Metrics the input logged that a per-step reading left out, logged at too few "
        "steps to judge per step (an evaluation after each epoch).",
        examples=[["val_loss", "val_accuracy"]],
    )
    not_logged: dict[str, list[int]] = Field(
        default_factory=dict,
        description="Per metric, the points (counted from 0) where the input has no value for it (an "
        "empty cell, CSVLogger's `NA`, an epoch whose line or rows leave it out): NaN in the curve, "
        "but a value never written, not a non-finite one the run printed.",
        examples=[{"val_loss": [7]}],
    )
    skipped: list[SkippedLines] = Field(
        default_factory=list,
        description="Lines that looked like training output but were not read (the first few).",
    )
    skipped_lines: int = Field(default=0, description="How many lines were skipped in all.")
    first_epoch: int | None = Field(
        default=None,
        ge=0,
        description="The number the input gives the run's first epoch, as it counts them (Keras' "
        "console from 1, its CSVLogger from 0): 64 for a paste that starts at 'Epoch 64/100'. A run "
        "that starts late is an excerpt or a fit resumed from a checkpoint, whose first values are "
        "a trained model's. None where the input numbers no epochs.",
        examples=[64],
    )
    facts: InputFacts = Field(default_factory=InputFacts)

    def single_steps(self, name: str) -> bool:
        """Most epoch values of `name` are one logged step's (`epoch_mean_noise` 0): each point
        is a batch's loss, as noisy as a per-step log's."""
        return self.epoch_mean_noise.get(name) == 0.0


class RunSummary(BaseModel):
    """What the engine read from the input, and what it inferred from it."""

    epochs: int
    metrics: list[str]
    final: dict[str, float | None] = Field(
        default_factory=dict, description="Last value of every metric (None where not finite)."
    )
    task: str | None = Field(
        default=None, description="binary, multiclass, classification or regression: given or inferred."
    )
    num_classes: int | None = Field(default=None, description="Given, or inferred from a loss near ln K.")
    lr_schedule: list[LearningRateChange] = Field(
        default_factory=list, description="Changes in a logged learning_rate column."
    )
    source: SourceInfo = Field(
        default_factory=SourceInfo,
        description="How the input was read: format, skipped lines, facts it carried besides the curves.",
    )

    @property
    def unit(self) -> PointWords:
        """What the run's points are called in text: epochs, or logged steps (diagnosis.wording)."""
        return point_words(self.source.granularity)


class VerdictStatus(StrEnum):
    healthy = "healthy"
    problems = "problems"
    inconclusive = "inconclusive"


class Evidence(BaseModel):
    """One piece of evidence for or against a cause, with its source and its numbers."""

    source: EvidenceSource
    code: str = Field(description="The finding code, metadata field, check or trial it comes from.")
    likelihood_ratio: float = Field(
        gt=0, description="How much likelier this evidence is with the cause than without it."
    )
    detail: str = Field(description="What was seen, in words and numbers.")
    numbers: dict[str, Any] = Field(default_factory=dict)


class CauseFix(BaseModel):
    """What to change for a cause, as words and as data, and what trying it measured."""

    action: str
    fix: dict[str, Any] = Field(default_factory=dict)
    measured: dict[str, Any] | None = Field(
        default=None,
        description="After a bundle probe: the fix trial's before/after scores, steps, the "
        "run-to-run noise it was judged against, and whether it helped.",
    )


class VerdictCause(BaseModel):
    code: Code
    category: Category
    probability: float = Field(
        ge=0.0,
        le=1.0,
        description="Probability that this cause is present, from a prior and the evidence's "
        "likelihood ratios (see BENCHMARKS.md for how well it is calibrated).",
    )
    confidence: str = Field(description="The probability in words: low, medium, high, near certain.")
    explains: list[Code] = Field(default_factory=list, description="The findings it accounts for.")
    evidence_for: list[Evidence] = Field(default_factory=list)
    evidence_against: list[Evidence] = Field(default_factory=list)
    fix: CauseFix
    probe: str | None = Field(
        default=None, description="The bundle probe that would tell whether it is there (POST /v1/bundles)."
    )


class FirstFix(BaseModel):
    """The one action to take first: the best measured one where a fix trial helped, else the
    top cause's fix."""

    cause: Code
    action: str
    fix: dict[str, Any] = Field(default_factory=dict)
    measured: dict[str, Any] | None = None


class Verdict(BaseModel):
    """The answer to "why": a status, one sentence, one ranked list of causes, the first fix."""

    status: VerdictStatus
    headline: str = Field(description="One sentence that answers why, with its numbers.")
    missing: list[str] = Field(
        default_factory=list, description="For an inconclusive verdict: what the input lacks to judge."
    )
    causes: list[VerdictCause] = Field(default_factory=list, description="Most likely first.")
    first_fix: FirstFix | None = None


class Diagnosis(BaseModel):
    """The verdict, then the findings behind it, worst first."""

    verdict: Verdict
    healthy: bool = Field(description="True when no finding is a warning or an error.")
    findings: list[Finding]
    run: RunSummary
    engine_version: str
    probes: dict[str, Any] = Field(
        default_factory=dict,
        description="What each bundle probe measured (initial loss, one-batch overfit, LR range test, "
        "gradient statistics, the replay's score); empty for a history.",
    )
    runs: list[Diagnosis] = Field(
        default_factory=list,
        description="Earlier runs found in the same input (a log with several runs), oldest first; "
        "the top level is the last run.",
    )

    def _repr_html_(self) -> str | None:
        """How a notebook shows a Diagnosis: the verdict and the findings, escaped, once the
        report (convdiag.report) is imported; before that None, which a notebook takes as no
        HTML form and shows the plain repr."""
        return None if _html_renderer is None else _html_renderer(self)

    @classmethod
    def from_findings(
        cls, findings: list[Finding], run: RunSummary, version: str, verdict: Verdict
    ) -> Diagnosis:
        # Worst first; among equals, a fix that was tried and measurably helped comes first.
        ordered = sorted(findings, key=lambda f: (-f.severity.rank, not f.fix_helped, -f.confidence, f.code))
        healthy = all(f.severity is Severity.info for f in ordered)
        return cls(verdict=verdict, healthy=healthy, findings=ordered, run=run, engine_version=version)


# The engine renders nothing: the report sits beside the other output formats, in the shell
# (convdiag.report), which imports this module and so cannot be imported from it. It hands its
# notebook renderer over here when it is imported (the client, the CLI and the API import it).
_html_renderer: Callable[[Diagnosis], str] | None = None


def register_html_renderer(render: Callable[[Diagnosis], str]) -> None:
    """Set what `Diagnosis._repr_html_` returns: the shell's report calls this on import."""
    global _html_renderer
    _html_renderer = render
