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


def oscillating(epochs: int = 30, seed: int = 0) -> dict[str, list[float]]:
    t = np.arange(epochs)
    loss = 0.8 + 0.25 * np.sin(t * 2.1) + _noise(epochs, 0.02, seed)
    return {"loss": loss.tolist()}


def spikes(epochs: int = 30, at: tuple[int, ...] = (12, 21)) -> dict[str, list[float]]:
    loss = 0.1 + 0.6 * np.exp(-np.arange(epochs) / 5)
    for epoch in at:
        loss[epoch] *= 4
    return {"loss": loss.tolist()}


def slow(epochs: int = 40, seed: int = 0) -> dict[str, list[float]]:
    loss = 0.69 - 0.004 * np.arange(epochs) + _noise(epochs, 0.0005, seed)
    return {"loss": loss.tolist(), "accuracy": (0.5 + 0.004 * np.arange(epochs)).tolist()}


def underfit(epochs: int = 30, seed: int = 0, classes: int = 10) -> dict[str, list[float]]:
    t = np.arange(epochs)
    level = np.log(classes)
    loss = level * (0.7 + 0.25 * np.exp(-t / 3)) + _noise(epochs, 0.003, seed)
    acc = 0.3 - 0.1 * np.exp(-t / 3)
    return {"loss": loss.tolist(), "accuracy": acc.tolist(), "val_loss": (loss + 0.01).tolist()}


def noisy_validation(epochs: int = 30, seed: int = 0) -> dict[str, list[float]]:
    base = healthy(epochs, seed)
    rng = np.random.default_rng(seed + 7)
    base["val_loss"] = (np.array(base["val_loss"]) * rng.uniform(0.6, 1.6, epochs)).tolist()
    return base
