"""The data audit: numpy-only checks over a bundle's arrays (and what is known of the model).

Every module in this package but `base` and `arrays` defines one `Check` subclass; it is
registered by being defined and found by importing this package, so adding a check means
adding one module here plus its test.
"""

from __future__ import annotations

import importlib
import pkgutil

from threadpoolctl import threadpool_limits

from diagnosis.audit.base import REGISTRY, Check
from diagnosis.bundle import BundleData, ModelInfo
from diagnosis.models import Finding

_SUPPORT = {"base", "arrays"}
# BLAS threads for the checks' matrix products. They work on subsamples (at most a few
# thousand rows), which one thread handles in a fraction of a second; OpenBLAS's extra
# threads spin-wait between such small calls, and on the shared 2-core box they burned 3-5x
# the CPU of one thread for the same result (label noise on 10k x 784: 0.7-1.1 CPU-s
# against 0.22), CPU that the probes' training in the same process then lacks.
BLAS_THREADS = 1

for _module in pkgutil.iter_modules(__path__):
    if _module.name not in _SUPPORT:
        importlib.import_module(f"{__name__}.{_module.name}")


def _check_shapes(data: BundleData) -> None:
    if len(data.x_train) == 0:
        raise ValueError("x_train holds no samples")
    pairs = [("x_train", data.x_train, "y_train", data.y_train)]
    if data.x_val is not None and data.y_val is not None:
        pairs.append(("x_val", data.x_val, "y_val", data.y_val))
    for x_name, x, y_name, y in pairs:
        if len(x) != len(y):
            raise ValueError(f"{x_name} has {len(x)} samples but {y_name} has {len(y)}")


def audit_data(data: BundleData, model: ModelInfo | None = None) -> list[Finding]:
    """Run every registered check over the bundle's arrays; worst findings first.

    Raises ValueError when the arrays cannot be audited at all (no samples, or features and
    labels of different lengths).
    """
    _check_shapes(data)
    with threadpool_limits(limits=BLAS_THREADS, user_api="blas"):
        findings = [f for check in REGISTRY.values() if (f := check().check(data, model)) is not None]
    return sorted(findings, key=lambda f: (-f.severity.rank, -f.confidence, f.code))


__all__ = ["REGISTRY", "Check", "audit_data"]
