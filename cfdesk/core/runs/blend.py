"""Ensembles from Tune's best trials: blend weights fitted on the validation split, and the
blend wrapped as a FittedModel that saves, opens, recommends and exports like any other."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from cfdesk.core.data.ratings import Ratings
from cfdesk.core.ensemble import Ensemble
from cfdesk.core.fitted import FittedModel

SWEEPS = 2000  # coordinate-descent sweeps; K is a handful, so this takes microseconds


def nonnegative_least_squares(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """argmin ||x w - y||² with w ≥ 0, by coordinate descent on the Gram matrix: negative
    weights would bet against a model, which overfits the validation rows."""
    gram, target = x.T @ x, x.T @ y
    w = np.zeros(x.shape[1])
    diag = np.maximum(np.diag(gram), 1e-12)
    for _ in range(SWEEPS):
        before = w.copy()
        for j in range(len(w)):
            w[j] = max(0.0, w[j] + (target[j] - gram[j] @ w) / diag[j])
        if np.abs(w - before).max() < 1e-12:
            break
    return w


def fit_blend(predictions: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, float]:
    """(weights ≥ 0, intercept) minimising the blend's squared error on these rows."""
    x = predictions.astype(np.float64)
    y = target.astype(np.float64)
    means = x.mean(axis=0)
    weights = nonnegative_least_squares(x - means, y - y.mean())
    return weights, float(y.mean() - means @ weights)


def validation_predictions(
    members: list[FittedModel], valid: Ratings
) -> tuple[np.ndarray, np.ndarray]:
    """Each member's predictions (one column each) on the validation rows training saw."""
    first = members[0]
    known = (first.user_count[valid.user_idx] > 0) & (first.item_count[valid.item_idx] > 0)
    users, items = valid.user_idx[known], valid.item_idx[known]
    columns = [m.predict(users, items) for m in members]
    return np.stack(columns, axis=1), valid.rating[known]


def blend_rmse(predictions: np.ndarray, target: np.ndarray, weights, intercept: float) -> float:
    """RMSE of a blend on rows whose member predictions are known."""
    err = predictions.astype(np.float64) @ np.asarray(weights) + intercept - target
    return float(np.sqrt(np.mean(err * err)))


def blend(members: list[FittedModel], weights: np.ndarray, intercept: float) -> FittedModel:
    """One FittedModel of the members with positive weight, the best member first (its item
    factors draw the map); ids, seen items and statistics come from that member."""
    kept = [(m, float(w)) for m, w in zip(members, weights, strict=True) if w > 0]
    if not kept:
        kept = [(members[0], 1.0)]
    module = Ensemble([m.module for m, _ in kept], [w for _, w in kept], intercept)
    module.eval().requires_grad_(False)
    head = kept[0][0]
    info = {
        "intercept": intercept,
        "members": [
            {"weight": w, "config": m.config.to_dict(), "valid_rmse": m.metrics.get("valid_rmse")}
            for m, w in kept
        ],
    }
    return replace(head, module=module, metrics={**head.metrics, "ensemble": info})
