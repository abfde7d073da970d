"""How the bundle pipeline settles each alarm against everything else the bundle showed.

A check sees one thing: the data audit sees the arrays, a curve rule the replay's curves, a
probe one measurement. Some of their alarms are explained away by what another check measured
(a validation gap by Dropout layers when the audit found no leakage; dead units on a fresh copy
by a replay that trained without a symptom). Where, and why, is the check's own declaration
(`Unit.settle`); this module asks each alarm's check in turn and sets the alarm at info with
its reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from diagnosis.audit import REGISTRY as DATA_CHECKS
from diagnosis.bundle import ModelInfo, TrainingConfig
from diagnosis.models import EvidenceSource, Finding, Severity
from diagnosis.probes.model_audit import REGISTRY as MODEL_CHECKS
from diagnosis.probes.registry import REGISTRY as PROBES
from diagnosis.probes.training import Prepared, Replay
from diagnosis.rules import REGISTRY as RULES
from diagnosis.taxonomy import Code
from diagnosis.units import Settled, Unit

CURVES = frozenset({EvidenceSource.curve_rule, EvidenceSource.metadata})


@dataclass(frozen=True)
class BundleFacts:
    """What a check may settle its alarm against."""

    info: ModelInfo
    config: TrainingConfig
    # The finite rows the probes trained on, and the baseline replay of the user's setup.
    data: Prepared
    replay: Replay
    # Every finding so far: those settled before the one asked about, as settled.
    findings: tuple[Finding, ...] = ()
    # The replay's curve findings as the rules raised them, before any settling: a replay cut
    # short still shows the slow descent a rate suspicion is corroborated by.
    symptoms: tuple[Finding, ...] = ()

    @property
    def replayed_epochs(self) -> int:
        return len(self.replay.history.get("loss", []))

    def symptom_supports(self, code: Code) -> bool:
        """The replay's curves raised, before settling, a warning or error that lists this
        cause among its causes: what bears a check's suspicion out."""
        return any(code in s.supports for s in self.symptoms if s.severity is not Severity.info)

    def alarms(self, *sources: EvidenceSource) -> list[Finding]:
        """The warnings and errors raised by checks of these kinds."""
        return [f for f in self.findings if f.severity is not Severity.info and f.source in sources]


def owners(finding: Finding) -> list[Unit]:
    """The checks that raise this finding's code from its kind of evidence."""
    code, source = finding.code, finding.source
    if source in CURVES:
        return [RULES[code]()] if code in RULES else []
    if source is EvidenceSource.data_audit:
        return [DATA_CHECKS[code]()] if code in DATA_CHECKS else []
    units = MODEL_CHECKS if source is EvidenceSource.model_audit else PROBES
    return [unit() for unit in units.values() if code in unit.codes]


def demoted(finding: Finding, settled: Settled) -> Finding:
    """The finding at info, its summary ending with why, its evidence with the numbers."""
    return finding.model_copy(
        update={
            "severity": Severity.info,
            "summary": f"{finding.summary.rstrip('.')}; {settled.reason}.",
            "evidence": {**finding.evidence, **settled.evidence},
        }
    )


def settle(stages: Sequence[Sequence[Finding]], facts: BundleFacts) -> list[list[Finding]]:
    """Each stage's alarms (the audit's, the replay's curves', the probes') asked in turn, each
    against everything found: what was asked before it as settled, the rest as raised."""
    current = [list(stage) for stage in stages]
    for stage in current:
        for i, finding in enumerate(stage):
            if finding.severity is Severity.info:
                continue
            seen = replace(facts, findings=tuple(f for s in current for f in s))
            settled = next((s for unit in owners(finding) if (s := unit.settle(finding, seen))), None)
            if settled is not None:
                stage[i] = demoted(finding, settled)
    return current


# Why a suspicion that nothing bore out is set at info.
UNCORROBORATED = Settled("a suspicion that neither a symptom of the replay nor a fix trial bore out")


def corroborate(findings: Sequence[Finding], facts: BundleFacts) -> list[Finding]:
    """After the fix trials: a warning its check holds only a suspicion, set at info unless the
    bundle's other evidence (facts, and the trial on the finding itself) corroborates it."""
    return [
        demoted(f, UNCORROBORATED)
        if f.severity is Severity.warning and not all(unit.corroborated(f, facts) for unit in owners(f))
        else f
        for f in findings
    ]
