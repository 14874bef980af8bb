"""Held-out rows prepared once for repeated scoring; rows training never saw are counted, not scored."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from cfdesk.core.baselines import baseline_rmses
from cfdesk.core.ratings import Ratings
from cfdesk.core.split import UNALIGNED_NOTE, align_ratings, known_mask

CHUNK = 1 << 18  # rows per forward pass when scoring, bounds memory on big held-out sets


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
