"""Held-out RMSE and the two baselines when rows, users and item factors are spread over the
processes: each scores its own users' rows as the item shards pass by, then the sums meet."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from cfdesk.core.data.ratings import Ratings
from cfdesk.core.training.distributed.blocks import HeldOutBlocks
from cfdesk.core.training.distributed.comm import Comm
from cfdesk.core.training.distributed.placement import ItemPlacement
from cfdesk.core.training.evaluation import CHUNK

REG_USER, REG_ITEM, SWEEPS = 15.0, 10.0, 5  # evaluation.fit_bias_baseline's (Surprise's) defaults


def _rmse(sq: float, n: float) -> float:
    return math.sqrt(sq / n) if n else math.nan


@torch.no_grad()
def score_held_out(
    module: torch.nn.Module, placement: ItemPlacement, rows: HeldOutBlocks, comm: Comm, what: str
) -> tuple[float, float]:
    """(RMSE, MAE) over every process's held-out rows; every process must call it."""
    device = placement.params[0].device
    totals = torch.zeros(3, dtype=torch.float64, device=device)
    was_training = module.training
    module.eval()

    def visit(shard: int) -> None:
        if not rows.blocks:
            return
        users, slots, target = rows.blocks[shard]
        for start in range(0, len(target), CHUNK):
            sl = slice(start, start + CHUNK)
            err = (module(users[sl], slots[sl]).float() - target[sl]).double()
            totals[0] += (err * err).sum()
            totals[1] += err.abs().sum()

    placement.visit_all(visit, what)
    module.train(was_training)
    totals[2] = rows.n
    sq, ab, n = comm.all_reduce_(totals, what).tolist()
    return _rmse(sq, n), (ab / n if n else math.nan)


@dataclass(frozen=True, eq=False)
class SharedBiases:
    """The regularised bias baseline fitted over every process's rows."""

    mean: float
    user: np.ndarray  # this process's users
    item: np.ndarray  # every item

    @classmethod
    def fit(cls, train: Ratings, comm: Comm) -> SharedBiases:
        """Alternating least squares over the biases; item sums meet once per sweep."""
        r = train.rating.astype(np.float64)
        total, count = comm.sum_numpy(np.array([r.sum(), len(r)]), "the baseline fit")
        mean = total / count if count else 0.0
        u, i = train.user_idx, train.item_idx
        n_u = np.bincount(u, minlength=train.n_users)
        n_i = comm.sum_numpy(
            np.bincount(i, minlength=train.n_items).astype(np.int64), "the baseline fit"
        )
        bu = np.zeros(train.n_users)
        bi = np.zeros(train.n_items)
        for _ in range(SWEEPS):
            sums = np.bincount(i, weights=r - mean - bu[u], minlength=train.n_items)
            bi = comm.sum_numpy(sums, "the baseline fit") / (REG_ITEM + n_i)
            bu = np.bincount(u, weights=r - mean - bi[i], minlength=train.n_users) / (
                REG_USER + n_u
            )
        return cls(float(mean), bu, bi)

    def rmses(self, rows: Ratings | None, comm: Comm) -> dict[str, float]:
        """Both baselines' RMSE over every process's `rows` (local users, global items)."""
        sq = np.zeros(3)
        if rows is not None and rows.n_ratings:
            target = rows.rating.astype(np.float64)
            biased = self.mean + self.user[rows.user_idx] + self.item[rows.item_idx]
            sq[:] = ((self.mean - target) ** 2).sum(), ((biased - target) ** 2).sum(), len(target)
        mean_sq, bias_sq, n = comm.sum_numpy(sq, "the baseline fit")
        return {"global_mean": _rmse(mean_sq, n), "user_item_bias": _rmse(bias_sq, n)}
