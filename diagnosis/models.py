"""The diagnosis contract: what every door (HTTP, worker, CLI) returns.

These pydantic models are the single definition of a finding and a diagnosis; the
OpenAPI schema, the worker's stored result and the CLI's `--json` output all come from
them. A finding's `code` is public API: once published it keeps its meaning.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field


class Category(StrEnum):
    data = "data"
    model = "model"
    hyperparameters = "hyperparameters"
    implementation = "implementation"
    training_dynamics = "training_dynamics"


class Severity(StrEnum):
    """How bad a finding is; ordered so that `max()` gives the worst."""

    info = "info"
    warning = "warning"
    error = "error"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {Severity.info: 0, Severity.warning: 1, Severity.error: 2}


class Cause(BaseModel):
    """A likely reason behind a symptom, ranked by how often it is the culprit given the
    evidence; the bundle probes can confirm or rule it out."""

    code: str = Field(
        description="Cause code from the taxonomy (data, model, hyperparameters, implementation)."
    )
    category: Category
    likelihood: float = Field(ge=0.0, le=1.0, description="Relative weight among this symptom's causes.")
    check: str = Field(description="What to look at to confirm it.")
    change: str = Field(description="What to change if it is the cause, concretely.")
    fix: dict[str, Any] = Field(default_factory=dict)
    probe: str | None = Field(
        default=None, description="The bundle probe that would settle it (POST /v1/bundles)."
    )


class Finding(BaseModel):
    """One thing wrong (or worth knowing) about a training run."""

    code: str = Field(description="Stable snake_case id from the taxonomy in docs/design.md.")
    category: Category
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
    causes: list[Cause] = Field(default_factory=list, description="Likely causes, most likely first.")

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
        default=None, description="How per-step values were turned into per-epoch ones, where they were."
    )
    skipped: list[SkippedLines] = Field(
        default_factory=list,
        description="Lines that looked like training output but were not read (the first few).",
    )
    skipped_lines: int = Field(default=0, description="How many lines were skipped in all.")
    facts: InputFacts = Field(default_factory=InputFacts)


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


class Diagnosis(BaseModel):
    """Findings for one training run, worst first."""

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

    @classmethod
    def from_findings(cls, findings: list[Finding], run: RunSummary, version: str) -> Diagnosis:
        # Worst first; among equals, a fix that was tried and measurably helped comes first.
        ordered = sorted(findings, key=lambda f: (-f.severity.rank, not f.fix_helped, -f.confidence, f.code))
        healthy = all(f.severity is Severity.info for f in ordered)
        return cls(healthy=healthy, findings=ordered, run=run, engine_version=version)
