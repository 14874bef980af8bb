"""Greedy forward ensemble selection with replacement (Caruana et al., 2004) over every finished
trial's validation predictions: diverse members rather than the best K near-twins."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

STEPS = 50  # additions with replacement; the best prefix is kept


@dataclass(frozen=True)
class Selection:
    """Chosen columns, how often each was added, and the blend's validation RMSE."""

    columns: tuple[int, ...]  # in the order first chosen (the first is the best alone)
    counts: tuple[int, ...]
    rmse: float

    @property
    def weights(self) -> np.ndarray:
        """Each chosen column's share of the average."""
        counts = np.asarray(self.counts, dtype=np.float64)
        return counts / counts.sum()


def greedy_selection(
    predictions: np.ndarray, target: np.ndarray, max_members: int, steps: int = STEPS
) -> Selection:
    """Start from the best column alone, then repeatedly add (with replacement) the column that
    lowers the average's RMSE most, never holding more than `max_members` distinct columns;
    keep the best prefix. Averaging counts, not free weights, is what keeps it from overfitting
    the validation rows (a column must earn each share)."""
    x = predictions.astype(np.float64)
    y = target.astype(np.float64)
    if x.ndim != 2 or x.shape[1] == 0 or len(y) != len(x):
        raise ValueError("selection needs one prediction column per candidate, one row per target")
    counts = np.zeros(x.shape[1], dtype=np.int64)
    total = np.zeros(len(y))
    best = (np.inf, counts.copy())
    for k in range(1, steps + 1):
        allowed = np.arange(x.shape[1]) if (counts > 0).sum() < max_members else counts.nonzero()[0]
        err = (total[:, None] + x[:, allowed]) / k - y[:, None]
        scores = np.sqrt(np.mean(err * err, axis=0))
        pick = allowed[int(np.argmin(scores))]
        counts[pick] += 1
        total += x[:, pick]
        if scores.min() < best[0] - 1e-12:
            best = (float(scores.min()), counts.copy())
    rmse, chosen = best
    order = _first_chosen(chosen, x, y)
    return Selection(tuple(order), tuple(int(chosen[c]) for c in order), rmse)


def _first_chosen(counts: np.ndarray, x: np.ndarray, y: np.ndarray) -> list[int]:
    """Chosen columns, the best alone first (it draws the ensemble's map)."""
    chosen = counts.nonzero()[0]
    alone = np.sqrt(np.mean((x[:, chosen] - y[:, None]) ** 2, axis=0))
    return [int(c) for c in chosen[np.argsort(alone, kind="stable")]]
