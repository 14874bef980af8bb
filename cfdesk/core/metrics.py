"""Accuracy of rating predictions: RMSE (what training minimises) and MAE (easier to read)."""

from __future__ import annotations

import numpy as np
import torch

ArrayLike = np.ndarray | torch.Tensor


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


def mae(pred: ArrayLike, target: ArrayLike) -> float:
    """Mean absolute error; NaN for no rows."""
    d = _diff(pred, target)
    return float(np.mean(np.abs(d))) if d.size else float("nan")
