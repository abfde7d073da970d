"""The engine's inputs and outputs built with defaults, for tests: a model's summary
(ModelInfo) and a finding. Histories are in testkit.histories; whole bundles in testkit.bundles."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from diagnosis.bundle import LayerInfo, ModelInfo
from diagnosis.models import Finding, Severity
from diagnosis.taxonomy import Category

# The output a loss expects, where a test does not say: what a working model would have.
OUTPUT_FOR_LOSS = {"binary_crossentropy": "sigmoid", "mean_squared_error": "linear"}


def model_info(
    loss: str | None = "sparse_categorical_crossentropy",
    units: int = 3,
    activation: str | None = None,
    *,
    hidden: tuple[int, ...] | None = None,
    layers: list[LayerInfo] | None = None,
    params: int = 2000,
    optimizer: str | None = None,
    learning_rate: float | None = None,
    from_logits: bool = False,
) -> ModelInfo:
    """A compiled model's summary. `activation` defaults to what the loss expects (softmax for
    the rest). `hidden` lists ReLU Dense widths, followed by the output layer; `layers` gives the
    whole list instead; with neither, no layers are listed (a model whose graph was not read)."""
    activation = activation or OUTPUT_FOR_LOSS.get(loss or "", "softmax")
    if layers is None and hidden is not None:
        dense = [LayerInfo(f"h{i}", "Dense", "relu", width) for i, width in enumerate(hidden)]
        layers = [*dense, LayerInfo("out", "Dense", activation, units)]
    return ModelInfo(
        loss=loss,
        from_logits=from_logits,
        output_units=units,
        output_activation=activation,
        param_count=params,
        layers=layers or [],
        optimizer=optimizer,
        learning_rate=learning_rate,
    )


def finding(
    code: str,
    supports: Mapping[str, float] | None = None,
    *,
    severity: Severity = Severity.warning,
    confidence: float = 1.0,
    category: Category = Category.training_dynamics,
    summary: str | None = None,
    **fields: Any,
) -> Finding:
    """A finding with `code`, evidence for the causes in `supports` (code: weight)."""
    return Finding.model_validate(
        {
            "code": code,
            "category": category,
            "severity": severity,
            "confidence": confidence,
            "summary": summary or f"{code} seen.",
            "recommendation": "Change it.",
            "supports": dict(supports or {}),
            **fields,
        }
    )
