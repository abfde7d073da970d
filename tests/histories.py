"""Small synthetic Keras histories with a known shape, seeded."""

from __future__ import annotations

import numpy as np


def _noise(n: int, scale: float, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).normal(0.0, scale, n)


def healthy(epochs: int = 30, seed: int = 0) -> dict[str, list[float]]:
    t = np.arange(epochs)
    loss = 0.15 + 0.55 * np.exp(-t / 6) + _noise(epochs, 0.005, seed)
    val = 0.2 + 0.5 * np.exp(-t / 6) + _noise(epochs, 0.008, seed + 1)
    acc = 0.95 - 0.4 * np.exp(-t / 6)
    return {
        "loss": loss.tolist(),
        "val_loss": val.tolist(),
        "accuracy": acc.tolist(),
        "val_accuracy": (acc - 0.02).tolist(),
    }


def overfitting(epochs: int = 40, seed: int = 0) -> dict[str, list[float]]:
    t = np.arange(epochs)
    loss = 0.02 + 0.7 * np.exp(-t / 8) + _noise(epochs, 0.004, seed)
    val = 0.45 + 0.3 * np.exp(-t / 4) + 0.012 * np.maximum(0, t - 10) + _noise(epochs, 0.006, seed + 1)
    return {"loss": loss.tolist(), "val_loss": val.tolist()}


def nan_loss(epochs: int = 20, at: int = 7) -> dict[str, list[float | None]]:
    loss: list[float | None] = [float(v) for v in 1.0 / (1 + np.arange(epochs))]
    for i in range(at, epochs):
        loss[i] = None
    return {"loss": loss}


def diverging(epochs: int = 30, seed: int = 0) -> dict[str, list[float]]:
    t = np.arange(epochs)
    loss = np.where(t < 8, 1.0 - 0.06 * t, 0.52 + 0.15 * (t - 8)) + _noise(epochs, 0.01, seed)
    return {"loss": loss.tolist()}


def plateau(epochs: int = 30, seed: int = 0) -> dict[str, list[float]]:
    loss = 0.6931 + _noise(epochs, 0.002, seed)
    acc = 0.5 + _noise(epochs, 0.005, seed + 1)
    return {"loss": loss.tolist(), "accuracy": acc.tolist()}
