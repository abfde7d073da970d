"""The convdiag engine: pure functions from a training history (or a bundle) to a Diagnosis.

The history path uses numpy only; it must never import TensorFlow.
"""

from diagnosis.engine import diagnose
from diagnosis.history import HistoryError, TrainingHistory
from diagnosis.models import Diagnosis, Finding, RunMetadata, Severity
from diagnosis.taxonomy import Category

__all__ = [
    "Category",
    "Diagnosis",
    "Finding",
    "HistoryError",
    "RunMetadata",
    "Severity",
    "TrainingHistory",
    "diagnose",
]
