"""Every complete trial's predictions on the validation rows, the ensemble chosen from them, and
the blend weights: all fitted on validation rows, by models that never trained on them."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from cfdesk.core.config import TrainConfig
from cfdesk.core.data.ratings import Ratings
from cfdesk.core.data.split import known_mask
from cfdesk.core.fitted import FittedModel
from cfdesk.core.runs.blend import blend_rmse, fit_blend
from cfdesk.core.runs.selection import greedy_selection

SELECTION_ROWS = 50_000  # validation rows the selection reads at most (a seeded sample)


@dataclass
class Entry:
    """A complete trial: its settings, validation RMSE, time, and (while chosen) its model."""

    number: int
    params: dict
    config: TrainConfig
    valid_rmse: float
    seconds: float
    fitted: FittedModel | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Blend:
    """The chosen entries (best alone first) with their weights ≥ 0 and intercept."""

    entries: tuple[Entry, ...]
    weights: np.ndarray
    intercept: float
    valid_rmse: float


class TrialLibrary:
    """Holds each complete trial's validation predictions; keeps the models of the current
    choice only, so memory stays bounded however many trials run."""

    def __init__(self, train: Ratings, valid: Ratings, max_members: int, seed: int) -> None:
        rows = np.flatnonzero(known_mask(valid, train))
        if len(rows) > SELECTION_ROWS:
            rows = np.sort(np.random.default_rng(seed).choice(rows, SELECTION_ROWS, replace=False))
        self.users, self.items = valid.user_idx[rows], valid.item_idx[rows]
        self.target = valid.rating[rows].astype(np.float64)
        self.max_members = max_members
        self.entries: list[Entry] = []
        self._columns: list[np.ndarray] = []
        self._choice: Blend | None = None

    def add(self, entry: Entry) -> None:
        """Take a complete trial (with its model), choose again, and drop unchosen models."""
        self._columns.append(entry.fitted.predict(self.users, self.items).astype(np.float64))
        self.entries.append(entry)
        self._choice = self._choose()
        kept = {id(e) for e in self._choice.entries}
        for other in self.entries:
            if id(other) not in kept:
                other.fitted = None

    def best(self) -> Entry | None:
        """The entry with the lowest validation RMSE (the earliest on ties)."""
        return min(self.entries, key=lambda e: (e.valid_rmse, e.number), default=None)

    def choice(self) -> Blend | None:
        """The current ensemble: greedy selection of up to `max_members` trials, then
        non-negative weights and an intercept fitted on the same validation rows."""
        return self._choice

    def predictions(self, entries: tuple[Entry, ...]) -> np.ndarray:
        """The stored validation predictions of some entries, one column each."""
        where = {id(e): k for k, e in enumerate(self.entries)}
        return np.stack([self._columns[where[id(e)]] for e in entries], axis=1)

    def _choose(self) -> Blend:
        x = np.stack(self._columns, axis=1)
        picked = greedy_selection(x, self.target, self.max_members).columns
        chosen = x[:, list(picked)]
        weights, intercept = fit_blend(chosen, self.target)
        kept = [k for k, w in enumerate(weights) if w > 0]
        if len(kept) <= 1:  # one model alone is used as it is, not rescaled
            kept, weights, intercept = kept or [0], np.ones(len(picked)), 0.0
        entries = tuple(self.entries[picked[k]] for k in kept)
        weights = weights[kept]
        rmse = blend_rmse(chosen[:, kept], self.target, weights, intercept)
        return Blend(entries, weights, intercept, rmse)
