"""label_noise: an estimate of the share of wrong labels in y_train, by confident learning.

Out-of-sample class probabilities come from two simple numpy models on standardized
features, and the one that agrees better with the labels (Cohen's kappa) is used: a
k-nearest-neighbour vote (leave-one-out: each sample's neighbours exclude itself), which
follows curved class boundaries, and a softmax (multinomial logistic) regression fitted k-fold,
each fold's probabilities from a model that never saw it. The regression looks at every
feature with a learned weight, so it is not diluted by noise features the way neighbour
distances are, and label noise drags it less: the vote of 10 neighbours follows the wrong
labels around each sample, a linear model averages them over the whole class. Following cleanlab's confident
joint, each class j gets a threshold t_j, the average probability of j among samples
labelled j; a sample counts as "really class j" when p_j >= t_j (the likeliest such j), and
the counts, calibrated to the class sizes, estimate how many labels say one class while the
features say another. Noisy labels cap accuracy and make the validation loss stall or rise.

The estimate is only as good as the model: unless the better one is clearly better than
chance on these features (kappa), nothing is estimated and the finding says so.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from diagnosis.audit.arrays import (
    SEED,
    Classes,
    class_labels,
    column_stats,
    embeds_tokens,
    finite_samples,
    listed,
    sample_indices,
)
from diagnosis.audit.base import Check
from diagnosis.audit.duplicate_samples import PROPORTION_SD
from diagnosis.bundle import BundleData, ModelInfo
from diagnosis.curves import rounded
from diagnosis.evidence import MEASURED_KEY
from diagnosis.models import Finding, Severity
from diagnosis.taxonomy import Code
from diagnosis.units import Settled

if TYPE_CHECKING:
    from diagnosis.probes.settling import BundleFacts

# The neighbour vote: 10 neighbours give probabilities in steps of 0.1.
NEIGHBORS = 10
# kNN is quadratic in the samples: at most this many (a seeded random subset) take part,
# which keeps it near 0.1 s; the estimate's standard error at a 30% rate is then ~1 point.
MAX_SAMPLES = 2000
# Distances use a random projection to this many dimensions when there are more features
# (Johnson-Lindenstrauss: distances survive within ~20%, and the cost stops growing with d).
MAX_DIMS = 64
# Too few samples (in all, or per class) for a neighbour vote to mean anything.
MIN_SAMPLES = 100
MIN_PER_CLASS = 10
# Cohen's kappa of the neighbour model against the given labels below which its view of the
# labels is too close to chance to estimate anything ("fair agreement" starts at 0.2).
MIN_KAPPA = 0.2
# Estimated shares of wrong labels: from WARNING_RATE on they visibly cap what training
# reaches; from INFO_RATE on they are worth a look at the listed samples.
WARNING_RATE = 0.15
INFO_RATE = 0.05
# Samples listed for review, least self-confident first.
LISTED = 10
REVIEW = 100
# Distances are computed for this many query rows at a time (memory: BLOCK x MAX_SAMPLES).
BLOCK = 500
# The softmax regression: out-of-fold over FOLDS folds (cleanlab's default), fitted by
# Nesterov-accelerated full-batch gradient descent for LOGISTIC_STEPS steps with step 1/L (L
# bounds the loss's curvature, so it cannot diverge); a light L2 penalty keeps the weights
# finite on separable classes. 100 steps give the same estimates as 400 on the tuning corpus;
# at 2000 x 64 x 10 they cost ~0.3 s on one core.
FOLDS = 5
LOGISTIC_STEPS = 100
L2 = 1e-3
LABEL_SMOOTHING = 0.1
MODEL_NAMES = {
    "knn": "{neighbors}-nearest-neighbour vote, leave-one-out, standardized features",
    "logistic": "softmax regression, {folds}-fold out-of-fold, standardized features",
}


def _nearest(points: np.ndarray, queries: np.ndarray, k: int, own: bool) -> Iterator[tuple[int, np.ndarray]]:
    """Blocks of queries as (first row, indices of each one's k nearest points, Euclidean); with
    `own`, the queries are the points and each one's own row is left out."""
    norms = (points * points).sum(axis=1)
    query_norms = (queries * queries).sum(axis=1)
    for start in range(0, len(queries), BLOCK):
        query = queries[start : start + BLOCK]
        distances = query_norms[start : start + BLOCK, None] + norms[None, :] - 2 * query @ points.T
        if own:
            distances[np.arange(len(query)), np.arange(start, start + len(query))] = np.inf
        yield start, np.argpartition(distances, k - 1, axis=1)[:, :k]


def neighbour_probabilities(
    points: np.ndarray, codes: np.ndarray, k: int, classes: int, queries: np.ndarray | None = None
) -> np.ndarray:
    """Class probabilities as the class shares among the k nearest points (Euclidean): of each
    query, or without queries of each point among the other points (leave-one-out)."""
    own = queries is None
    queries = points if queries is None else queries
    k = min(k, len(points) - 1 if own else len(points))
    probabilities = np.zeros((len(queries), classes))
    for start, nearest in _nearest(points, queries, k, own):
        rows = len(nearest)
        cells = np.arange(rows)[:, None] * classes + codes[nearest]
        votes = np.bincount(cells.ravel(), minlength=rows * classes)
        probabilities[start : start + rows] = votes.reshape(rows, classes) / k
    return probabilities


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    probabilities: np.ndarray = shifted / shifted.sum(axis=1, keepdims=True)
    return probabilities


def fit_softmax_regression(points: np.ndarray, codes: np.ndarray, classes: int) -> np.ndarray:
    """Weights (features + 1 bias row, classes) of an L2-penalized multinomial logistic regression."""
    x = np.hstack([points, np.ones((len(points), 1), dtype=points.dtype)]).astype(np.float32)
    targets = np.eye(classes, dtype=np.float32)[codes]
    # The mean cross-entropy's Hessian is at most X'X / (2n) per class (softmax's covariance <= 1/2).
    curvature = float(np.linalg.norm(x, 2)) ** 2 / (2 * len(x)) + L2
    weights = np.zeros((x.shape[1], classes), dtype=np.float32)
    previous = weights
    for step in range(1, LOGISTIC_STEPS + 1):
        ahead = weights + (step - 1) / (step + 2) * (weights - previous)
        gradient = x.T @ (_softmax(x @ ahead) - targets) / len(x) + L2 * ahead
        previous, weights = weights, ahead - gradient / curvature
    return weights


def out_of_fold_probabilities(points: np.ndarray, codes: np.ndarray, classes: int) -> np.ndarray:
    """Each sample's class probabilities from a softmax regression fitted on the other folds."""
    folds = np.random.default_rng(SEED).permutation(len(points)) % FOLDS
    probabilities = np.zeros((len(points), classes))
    for fold in range(FOLDS):
        held = folds == fold
        weights = fit_softmax_regression(points[~held], codes[~held], classes)
        rows = np.hstack([points[held], np.ones((int(held.sum()), 1), dtype=points.dtype)])
        probabilities[held] = _softmax(rows @ weights)
    return probabilities


def confident_joint_issues(probabilities: np.ndarray, codes: np.ndarray) -> tuple[float, np.ndarray]:
    """cleanlab's estimate: (share of wrong labels, mask of samples counted off the diagonal)."""
    n, classes = probabilities.shape
    given = np.bincount(codes, minlength=classes)
    self_confidence = np.bincount(codes, weights=probabilities[np.arange(n), codes], minlength=classes)
    thresholds = np.where(given > 0, self_confidence / np.maximum(given, 1), np.inf)
    above = probabilities >= thresholds[None, :]
    counted = above.any(axis=1)
    likely = np.where(above, probabilities, -1.0).argmax(axis=1)
    joint = np.zeros((classes, classes))
    np.add.at(joint, (codes[counted], likely[counted]), 1.0)
    row_totals = joint.sum(axis=1, keepdims=True)
    calibrated = np.divide(joint, row_totals, out=np.zeros_like(joint), where=row_totals > 0) * given[:, None]
    rate = float((calibrated.sum() - np.trace(calibrated)) / n)
    return rate, counted & (likely != codes)


def _kappa(predicted: np.ndarray, codes: np.ndarray, classes: int) -> tuple[float, float, float]:
    """(accuracy, chance agreement, Cohen's kappa) of predictions against the labels."""
    accuracy = float((predicted == codes).mean())
    expected = float(
        (np.bincount(predicted, minlength=classes) * np.bincount(codes, minlength=classes)).sum()
        / len(codes) ** 2
    )
    kappa = (accuracy - expected) / (1 - expected) if expected < 1 else 0.0
    return accuracy, expected, kappa


def _embedding(rows: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    """Rows to points: standardized by these rows' statistics, projected to MAX_DIMS dimensions
    when there are more."""
    stats = column_stats(rows)
    scale = np.where(stats.std > 0, stats.std, 1.0)
    projection = None
    if rows.shape[1] > MAX_DIMS:
        drawn = np.random.default_rng(SEED).normal(size=(rows.shape[1], MAX_DIMS)).astype(np.float32)
        projection = drawn / math.sqrt(MAX_DIMS)

    def embed(other: np.ndarray) -> np.ndarray:
        points = ((other - stats.mean) / scale).astype(np.float32)
        embedded: np.ndarray = points if projection is None else points @ projection
        return embedded

    return embed


def reference_accuracy(
    x: np.ndarray, y: np.ndarray, x_val: np.ndarray, y_val: np.ndarray, model: ModelInfo | None
) -> tuple[float, int] | None:
    """(accuracy, rows) on the validation rows of the better of the two reference models, each
    fitted on (a sample of) the training rows as the estimate fits them: how well a model
    that sees the features the way the estimate does predicts labels it never saw. None where
    the labels are not classes or the splits do not line up."""
    train, val = finite_samples(x, y), finite_samples(x_val, y_val)
    if train is None or val is None or train.y is None or val.y is None or not len(val.x):
        return None
    if train.x.shape[1] != val.x.shape[1] or train.y.shape[1:] != val.y.shape[1:]:
        return None
    chosen = sample_indices(len(train.x), MAX_SAMPLES)
    # Read together, so that a label gets the same class code in both splits.
    both = class_labels(np.concatenate([train.y[chosen], val.y]), model)
    if both is None or both.present.sum() < 2:
        return None
    codes, val_codes = both.codes[: len(chosen)], both.codes[len(chosen) :]
    embed = _embedding(train.x[chosen])
    points, queries = embed(train.x[chosen]), embed(val.x)
    classes = len(both.labels)
    weights = fit_softmax_regression(points, codes, classes)
    predictions = (
        neighbour_probabilities(points, codes, NEIGHBORS, classes, queries),
        _softmax(np.hstack([queries, np.ones((len(queries), 1), dtype=queries.dtype)]) @ weights),
    )
    return max(float((p.argmax(axis=1) == val_codes).mean()) for p in predictions), len(val_codes)


def reference_mse(
    x: np.ndarray, y: np.ndarray, x_val: np.ndarray, y_val: np.ndarray
) -> tuple[float, int] | None:
    """(MSE, rows) on the validation rows of the better of two simple regressions fitted on (a
    sample of) the training rows, seeing the features as reference_accuracy's models do: the
    mean of the NEIGHBORS nearest targets, and a ridge regression (penalty L2 per row). What a
    simple model gets from these features is a yardstick for what the data allows. None where
    the splits do not line up."""
    train, val = finite_samples(x, y), finite_samples(x_val, y_val)
    if train is None or val is None or train.y is None or val.y is None or len(val.x) == 0:
        return None
    if train.x.shape[1] != val.x.shape[1] or len(train.x) <= NEIGHBORS:
        return None
    chosen = sample_indices(len(train.x), MAX_SAMPLES)
    targets = np.asarray(train.y[chosen], dtype=np.float64).reshape(len(chosen), -1)
    truth = np.asarray(val.y, dtype=np.float64).reshape(len(val.y), -1)
    if targets.shape[1] != truth.shape[1]:
        return None
    embed = _embedding(train.x[chosen])
    points, queries = embed(train.x[chosen]), embed(val.x)
    near = np.zeros_like(truth)
    for start, nearest in _nearest(points, queries, NEIGHBORS, own=False):
        near[start : start + len(nearest)] = targets[nearest].mean(axis=1)
    design = np.hstack([points, np.ones((len(points), 1))]).astype(np.float64)
    weights = np.linalg.solve(
        design.T @ design + L2 * len(design) * np.eye(design.shape[1]), design.T @ targets
    )
    linear = np.hstack([queries, np.ones((len(queries), 1))]) @ weights
    return min(float(np.mean((p - truth) ** 2)) for p in (near, linear)), len(truth)


@dataclass
class LabelNoise(Check):
    code = Code.label_noise
    max_samples: int = MAX_SAMPLES
    neighbors: int = NEIGHBORS

    def settle(self, finding: Finding, facts: BundleFacts) -> Settled | None:
        """The estimate counts the reference model's disagreements with the labels as wrong
        labels, so it also counts that model's own errors where it cannot follow the task
        (spherical class shells). The user's model, replayed on the same labels, tells them
        apart: where it predicts a larger share of the same validation labels than the better
        reference model, at least that margin (less its sampling noise, PROPORTION_SD /
        sqrt(rows), the largest standard error of an accuracy) of the reference's disagreements
        are its own errors. The warning stands only if what is left of the estimate after taking
        that margin off still reaches WARNING_RATE."""
        model_accuracy = facts.replay.score.get("accuracy")
        if finding.severity is not Severity.warning or model_accuracy is None:
            return None
        data = facts.data
        reference = reference_accuracy(data.x, data.y, data.x_val, data.y_val, facts.info)
        if reference is None:
            return None
        reference_val, rows = reference
        margin = model_accuracy - reference_val - PROPORTION_SD / math.sqrt(rows)
        left = float(finding.evidence["estimated_noise_rate"]) - max(0.0, margin)
        if left >= WARNING_RATE:
            return None
        return Settled(
            f"but the model itself, trained on these labels, predicts {model_accuracy:.0%} of {rows} "
            f"validation labels against the reference model's {reference_val:.0%}, so most of those "
            f"disagreements are the reference model's own errors (about {max(0.0, left):.0%} left)",
            {
                "replay_val_accuracy": model_accuracy,
                "reference_val_accuracy": rounded(reference_val, 4),
                "val_rows": rows,
                "noise_left_after_margin": rounded(left, 4),
            },
        )

    def check(self, data: BundleData, model: ModelInfo | None) -> Finding | None:
        train = finite_samples(data.x_train, data.y_train)
        if train is None or train.y is None or embeds_tokens(data.x_train, model):
            return None
        chosen = sample_indices(len(train.x), self.max_samples)
        classes = class_labels(train.y[chosen], model)
        if classes is None or classes.present.sum() < 2:
            return None
        n, k = len(chosen), len(classes.labels)
        if n < MIN_SAMPLES or n < MIN_PER_CLASS * classes.present.sum():
            return None
        points = _embedding(train.x[chosen])(train.x[chosen])
        candidates = {
            "knn": neighbour_probabilities(points, classes.codes, self.neighbors, k),
            "logistic": out_of_fold_probabilities(points, classes.codes, k),
        }
        agreement = {
            name: _kappa(probs.argmax(axis=1), classes.codes, k) for name, probs in candidates.items()
        }
        chosen_model = max(agreement, key=lambda name: agreement[name][2])
        probabilities = candidates[chosen_model]
        accuracy, chance, kappa = agreement[chosen_model]
        projected = f" projected to {MAX_DIMS} dimensions" if train.x.shape[1] > MAX_DIMS else ""
        evidence: dict[str, Any] = {
            "samples_used": n,
            "subsampled": n < len(train.x),
            "model": MODEL_NAMES[chosen_model].format(neighbors=self.neighbors, folds=FOLDS) + projected,
            "chance_accuracy": rounded(chance, 4),
            **{
                f"{name}_{measure}": rounded(value, 4)
                for name, (acc, _, kap) in agreement.items()
                for measure, value in (("accuracy", acc), ("kappa", kap))
            },
            "thresholds": {"min_kappa": MIN_KAPPA, "warning_rate": WARNING_RATE, "info_rate": INFO_RATE},
        }
        if kappa < MIN_KAPPA:
            return self._unmeasurable(evidence, accuracy, chance)
        rate, issues = confident_joint_issues(probabilities, classes.codes)
        if rate < INFO_RATE:
            return None
        return self._noisy(evidence, rate, issues, probabilities, classes, train.index[chosen], kappa)

    def _noisy(
        self,
        evidence: dict[str, Any],
        rate: float,
        issues: np.ndarray,
        probabilities: np.ndarray,
        classes: Classes,
        index: np.ndarray,
        kappa: float,
    ) -> Finding:
        flagged = np.flatnonzero(issues)
        self_confidence = probabilities[flagged, classes.codes[flagged]]
        flagged = flagged[np.argsort(self_confidence, kind="stable")]
        suggested = classes.labels[probabilities[flagged].argmax(axis=1)]
        warning = rate >= WARNING_RATE
        return self.finding(
            severity=Severity.warning if warning else Severity.info,
            score=min(0.9, kappa),
            summary=f"About {rate:.0%} of the training labels disagree with what the features predict out "
            f"of sample ({flagged.size} of {len(index)} checked samples flagged).",
            evidence={
                **evidence,
                "estimated_noise_rate": rounded(rate, 4),
                "flagged_samples": int(flagged.size),
                "examples": [
                    {
                        "sample": int(index[i]),
                        "label": int(classes.labels[classes.codes[i]]),
                        "likely": int(s),
                    }
                    for i, s in zip(flagged[:LISTED], suggested[:LISTED], strict=True)
                ],
            },
            recommendation=(
                "Review the labels of the samples in fix.review_indices (least self-confident first, e.g. "
                f"{', '.join(str(int(index[i])) for i in flagged[:5])}); until they are cleaned, train on "
                "one-hot labels with keras.losses.CategoricalCrossentropy("
                f"label_smoothing={LABEL_SMOOTHING})."
            ),
            fix={"label_smoothing": LABEL_SMOOTHING, "review_indices": listed(index[flagged], REVIEW)},
        )

    def _unmeasurable(self, evidence: dict[str, Any], accuracy: float, chance: float) -> Finding:
        return self.finding(
            severity=Severity.info,
            score=0.3,
            summary=f"Label noise not estimated: neither a nearest-neighbour vote nor a linear model on the "
            f"raw features does much better than chance ({accuracy:.0%} against {chance:.0%} by chance), "
            "so they cannot tell a wrong label from a hard sample.",
            evidence={**evidence, "estimated_noise_rate": None, MEASURED_KEY: False},
            recommendation="If the network also stays at chance, check that x and y are aligned (shuffled "
            "together, from the same rows); otherwise the classes depend on structure a neighbour vote or a "
            "linear model on raw features does not see, which is no fault of the labels.",
        )
