"""Two baselines every run is compared with: the global mean and regularised user + item biases."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cfdesk.core.metrics import rmse
from cfdesk.core.ratings import Ratings


@dataclass(frozen=True, eq=False)
class BiasBaseline:
    """rating ≈ mean + user bias + item bias, biases shrunk towards 0 for sparse rows."""

    mean: float
    user_bias: np.ndarray  # per user_idx
    item_bias: np.ndarray  # per item_idx

    def predict(self, user_idx: np.ndarray, item_idx: np.ndarray) -> np.ndarray:
        """Predicted ratings for index pairs."""
        return self.mean + self.user_bias[user_idx] + self.item_bias[item_idx]


def fit_bias_baseline(
    train: Ratings, reg_user: float = 15.0, reg_item: float = 10.0, sweeps: int = 5
) -> BiasBaseline:
    """Alternating least squares over the biases (Surprise's baseline defaults: 15 and 10)."""
    r = train.rating.astype(np.float64)
    mean = float(r.mean()) if len(r) else 0.0
    u, i = train.user_idx, train.item_idx
    n_u = np.bincount(u, minlength=train.n_users)
    n_i = np.bincount(i, minlength=train.n_items)
    bu = np.zeros(train.n_users)
    bi = np.zeros(train.n_items)
    for _ in range(sweeps):
        bi = np.bincount(i, weights=r - mean - bu[u], minlength=train.n_items) / (reg_item + n_i)
        bu = np.bincount(u, weights=r - mean - bi[i], minlength=train.n_users) / (reg_user + n_u)
    return BiasBaseline(mean, bu.astype(np.float32), bi.astype(np.float32))


def baseline_rmses(train: Ratings, target: Ratings) -> dict[str, float]:
    """RMSE of both baselines on `target` (rows must use the training index space)."""
    bias = fit_bias_baseline(train)
    mean = float(train.rating.mean()) if train.n_ratings else 0.0
    return {
        "global_mean": rmse(np.full(target.n_ratings, mean, np.float32), target.rating),
        "user_item_bias": rmse(bias.predict(target.user_idx, target.item_idx), target.rating),
    }
