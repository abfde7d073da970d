"""The engine's inputs and outputs built with defaults, for tests: a model's summary
(ModelInfo: `model_info`, or `network` for a small compiled one), a finding, and what a bundle's
checks settle against (`bundle_facts`). Histories are in testkit.histories; whole bundles in
testkit.bundles. Tests build these here, not by hand."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from diagnosis.bundle import LayerInfo, ModelInfo, TrainingConfig
from diagnosis.models import Finding, Severity
from diagnosis.probes.settling import BundleFacts
from diagnosis.probes.training import Prepared, Replay
from diagnosis.taxonomy import Category

# The output a loss expects, where a test does not say: what a working model would have.
OUTPUT_FOR_LOSS = {"binary_crossentropy": "sigmoid", "mean_squared_error": "linear"}


def model_info(
    loss: str | None = "sparse_categorical_crossentropy",
    units: int = 3,
    activation: str | None = None,
    *,
    hidden: Sequence[int | LayerInfo] | None = None,
    layers: list[LayerInfo] | None = None,
    params: int = 2000,
    optimizer: str | None = None,
    learning_rate: float | None = None,
    from_logits: bool = False,
) -> ModelInfo:
    """A compiled model's summary. `activation` defaults to what the loss expects (softmax for
    the rest). `hidden` lists the layers below the output layer: a width is a ReLU Dense layer, a
    LayerInfo is taken as it is (a recurrent layer, a Dropout); `layers` gives the whole list
    instead; with neither, no layers are listed (a model whose graph was not read)."""
    activation = activation or OUTPUT_FOR_LOSS.get(loss or "", "softmax")
    if layers is None and hidden is not None:
        below = [
            layer if isinstance(layer, LayerInfo) else LayerInfo(f"h{i}", "Dense", "relu", layer)
            for i, layer in enumerate(hidden)
        ]
        layers = [*below, LayerInfo("out", "Dense", activation, units)]
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


def network(
    loss: str | None = "sparse_categorical_crossentropy",
    units: int = 3,
    activation: str | None = None,
    *,
    hidden: Sequence[int | LayerInfo] = (32,),
    params: int = 1000,
    optimizer: str | None = "adam",
    learning_rate: float | None = 1e-3,
    from_logits: bool = False,
) -> ModelInfo:
    """A small compiled network as the probe tests picture one: `hidden` (one ReLU Dense layer of
    32 unless said otherwise) below the output, Adam at 1e-3, a usual rate that the model audit's
    rate check leaves alone, so a test sees only the mismatch it builds."""
    return model_info(
        loss,
        units,
        activation,
        hidden=hidden,
        params=params,
        optimizer=optimizer,
        learning_rate=learning_rate,
        from_logits=from_logits,
    )


def bundle_facts(
    info: ModelInfo,
    data: Prepared | None = None,
    *,
    accuracy: float | None = None,
    epochs: int | None = None,
    replayed: int = 8,
    symptoms: Sequence[Finding] = (),
) -> BundleFacts:
    """What a bundle's checks settle against: the model, training.json's epochs, the finite
    rows (four zero rows unless given), a baseline replay of `replayed` epochs scoring
    `accuracy`, and the replay's curve findings as raised."""
    rows = np.zeros((4, 2), dtype=np.float32)
    return BundleFacts(
        info=info,
        config=TrainingConfig(epochs=epochs),
        data=data or Prepared(rows, np.zeros(4), rows, np.zeros(4)),
        replay=Replay(history={"loss": [1.0] * replayed}, score={"accuracy": accuracy}, steps=0),
        symptoms=tuple(symptoms),
    )
