"""Seeded data sets for the data-audit tests: healthy blobs and regressions, and the
faults the checks look for, injected."""

from __future__ import annotations

import numpy as np

from diagnosis import Finding, Severity
from diagnosis.bundle import BundleData


def blobs(n: int, d: int = 10, k: int = 3, separation: float = 5.0, seed: int = 0) -> tuple:
    """Standardized gaussian classes with balanced labels: what healthy tabular data looks like."""
    rng = np.random.default_rng(seed)
    centers = rng.normal(size=(k, d))
    centers *= separation / np.linalg.norm(centers, axis=1, keepdims=True)
    y = np.arange(n) % k
    rng.shuffle(y)
    x = centers[y] + rng.normal(size=(n, d))
    return ((x - x.mean(axis=0)) / x.std(axis=0)).astype(np.float32), y


def split(x: np.ndarray, y: np.ndarray, val: float = 0.2) -> BundleData:
    cut = int(len(x) * (1 - val))
    return BundleData(x[:cut], y[:cut], x[cut:], y[cut:])


def regression(n: int, d: int = 8, seed: int = 0) -> tuple:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d))
    return x, x @ rng.normal(size=d) / np.sqrt(d) + 0.1 * rng.normal(size=n)


def flip(y: np.ndarray, rate: float, k: int, seed: int = 1) -> np.ndarray:
    """Labels with `rate` of them moved to another class at random."""
    rng = np.random.default_rng(seed)
    wrong = rng.random(len(y)) < rate
    noisy = y.copy()
    noisy[wrong] = (y[wrong] + rng.integers(1, k, wrong.sum())) % k
    return noisy


def warnings_or_errors(findings: list[Finding]) -> list[str]:
    return [f"{f.code}: {f.summary}" for f in findings if f.severity is not Severity.info]
