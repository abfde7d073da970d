"""The model audit's batch-size check: batch statistics from too few samples are a cause on
their own, a batch of one only a suspicion that a replay symptom or its trial must bear out."""

from __future__ import annotations

import dataclasses

import numpy as np

from diagnosis.bundle import LayerInfo, ModelInfo, label_info
from diagnosis.models import EvidenceSource, Finding, Severity
from diagnosis.probes.fixes import ACTION_OF
from diagnosis.probes.model_audit.batch_size import BATCH_TRIAL, BN_MIN_BATCH, BatchSize
from diagnosis.probes.settling import corroborate
from diagnosis.taxonomy import Category, Code
from testkit.factories import bundle_facts, model_info

CLASSES = label_info(np.arange(3).repeat(5))


def _model(batch: int | None, *, batch_norm: bool = False) -> ModelInfo:
    hidden: list[int | LayerInfo] = [16, LayerInfo("bn", "BatchNormalization")] if batch_norm else [16]
    info = model_info(hidden=hidden, optimizer="sgd", learning_rate=0.01)
    return dataclasses.replace(info, batch_size=batch)


def _checked(info: ModelInfo) -> Finding:
    """The check's finding as the model audit reports it."""
    finding = BatchSize().check(info, CLASSES)
    assert finding is not None
    return finding.model_copy(update={"source": EvidenceSource.model_audit})


def _measured(finding: Finding, improved: bool) -> Finding:
    return finding.model_copy(update={"fix": {**finding.fix, "measured": {"improved": improved}}})


def test_batch_normalization_needs_enough_samples_per_batch() -> None:
    for batch in (1, BN_MIN_BATCH - 1):
        finding = _checked(_model(batch, batch_norm=True))
        assert finding.code is Code.batch_size_unsuitable
        assert finding.evidence["batch_normalization"] == ["bn"]
        assert finding.fix == {"batch_size": BATCH_TRIAL}
    assert BatchSize().check(_model(BN_MIN_BATCH, batch_norm=True), CLASSES) is None
    assert BatchSize().check(_model(None, batch_norm=True), CLASSES) is None


def test_without_batch_normalization_only_a_batch_of_one_is_suspected() -> None:
    one, normalized = _checked(_model(1)), _checked(_model(1, batch_norm=True))
    assert one.confidence < normalized.confidence
    assert BatchSize().check(_model(2), CLASSES) is None
    assert ACTION_OF[Code.batch_size_unsuitable] == "raise_batch_size"


def test_a_batch_of_one_stands_only_where_the_bundle_bears_it_out() -> None:
    info = _model(1)
    suspicion = _checked(info)
    quiet = bundle_facts(info)
    noisy = bundle_facts(
        info,
        symptoms=[
            Finding(
                code=Code.loss_oscillating,
                category=Category.training_dynamics,
                severity=Severity.warning,
                confidence=0.8,
                summary="oscillates",
                recommendation="-",
                supports={Code.batch_size_unsuitable: 1.5},
            )
        ],
    )
    assert [f.severity for f in corroborate([suspicion], quiet)] == [Severity.info]
    assert [f.severity for f in corroborate([suspicion], noisy)] == [Severity.warning]
    assert [f.severity for f in corroborate([_measured(suspicion, True)], quiet)] == [Severity.warning]
    assert [f.severity for f in corroborate([_measured(suspicion, False)], quiet)] == [Severity.info]
    # Batch statistics from one sample need no corroboration.
    normalized = _checked(_model(1, batch_norm=True))
    assert [f.severity for f in corroborate([normalized], quiet)] == [Severity.warning]
