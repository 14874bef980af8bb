"""How well a model predicts held-out ratings: RMSE, the two baselines every run is compared with,
and validation or test rows prepared once for scoring every epoch (rows training never saw are
counted, not scored)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from cfdesk.core.data.ratings import Ratings
from cfdesk.core.data.split import UNALIGNED_NOTE, align_ratings, known_mask

ArrayLike = np.ndarray | torch.Tensor
CHUNK = 1 << 18  # rows per forward pass when scoring, bounds memory on big held-out sets


def _diff(pred: ArrayLike, target: ArrayLike) -> np.ndarray:
    """Float64 errors so sums over millions of rows stay exact enough to compare runs."""
    p = pred.detach().cpu().numpy() if isinstance(pred, torch.Tensor) else np.asarray(pred)
    t = target.detach().cpu().numpy() if isinstance(target, torch.Tensor) else np.asarray(target)
    if p.shape != t.shape:
        raise ValueError(f"predictions {p.shape} and targets {t.shape} differ in shape")
    return p.astype(np.float64) - t.astype(np.float64)


def rmse(pred: ArrayLike, target: ArrayLike) -> float:
    """Root mean squared error; NaN for no rows so an empty split never looks perfect."""
    d = _diff(pred, target)
    return float(np.sqrt(np.mean(d * d))) if d.size else float("nan")


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


@dataclass(frozen=True, eq=False)
class EvalRows:
    """Validation or test rows on the device, restricted to users and items training saw."""

    name: str
    ratings: Ratings | None
    n_skipped: int
    tensors: tuple[torch.Tensor, torch.Tensor, torch.Tensor] | None

    @property
    def n(self) -> int:
        return 0 if self.ratings is None else self.ratings.n_ratings

    @classmethod
    def build(
        cls, rows: Ratings | None, train: Ratings, device: torch.device, name: str
    ) -> EvalRows:
        """Keep the judgeable rows; count the rest (plus rows dropped when aligning a file)."""
        if rows is None:
            return cls(name, None, 0, None)
        if rows.users is not train.users or rows.items is not train.items:
            rows, _ = align_ratings(rows, train)  # a separately loaded file
        known = known_mask(rows, train)
        kept = rows.subset(known)
        skipped = int((~known).sum()) + int(rows.notes.get(UNALIGNED_NOTE, 0))
        tensors = (
            torch.as_tensor(kept.user_idx, dtype=torch.long).to(device),
            torch.as_tensor(kept.item_idx, dtype=torch.long).to(device),
            torch.as_tensor(kept.rating).to(device),
        )
        return cls(name, kept, skipped, tensors)

    @torch.no_grad()
    def score(self, module: torch.nn.Module) -> tuple[float, float]:
        """(RMSE, MAE) of the module on these rows; NaN, NaN when there are none."""
        if not self.n:
            return math.nan, math.nan
        was_training = module.training
        module.eval()
        users, items, target = self.tensors
        sq = torch.zeros((), dtype=torch.float64, device=target.device)
        ab = torch.zeros((), dtype=torch.float64, device=target.device)
        for start in range(0, self.n, CHUNK):
            sl = slice(start, start + CHUNK)
            err = (module(users[sl], items[sl]).float() - target[sl]).double()
            sq += (err * err).sum()
            ab += err.abs().sum()
        module.train(was_training)
        return math.sqrt(float(sq) / self.n), float(ab) / self.n


def baselines_on(train: Ratings, *held_out: EvalRows) -> dict:
    """Baseline RMSE per held-out set, e.g. {"global_mean": {"valid": .., "test": ..}}."""
    out: dict[str, dict[str, float]] = {"global_mean": {}, "user_item_bias": {}}
    for rows in held_out:
        if rows.n:
            for name, value in baseline_rmses(train, rows.ratings).items():
                out[name][rows.name] = value
    return out


def first_baselines(train: Ratings, valid: EvalRows) -> dict[str, float]:
    """What FitStarted shows: baselines on validation, or on training rows without validation."""
    target = valid.ratings if valid.n else train
    return baseline_rmses(train, target)
