"""SVD++'s implicit feedback, made cheap: which items a user rated shapes their vector.

Each user's vector gains z_u = |N(u)|^-1/2 · Σ_{j ∈ N(u)} y_j over the items N(u) they rated in
training (Koren 2008). Computing z for every step is slow; here z is recomputed from the item
table y only every IMPLICIT_EVERY steps: between refreshes the model sees z as a constant whose
gradient is summed, and a refresh turns that sum into y's gradient (a second weighted
embedding_bag, far cheaper on the CPU than embedding_bag's own backward; figures in
docs/training.md) before the optimizer step. Trained models are merged into a plain one
(user factors + z), so files, fold-in, maps and recommendations see an ordinary model.
"""

from __future__ import annotations

import copy

import numpy as np
import torch
import torch.nn.functional as F

from cfdesk.core.config import TrainConfig
from cfdesk.core.data.ratings import Groups, Ratings
from cfdesk.core.errors import TrainingError
from cfdesk.core.model import CollabModel

IMPLICIT_EVERY = 8  # optimizer steps between refreshes of z (1 = exact SVD++, much slower)


def wants_implicit(config: TrainConfig, row_sparse: bool) -> bool:
    """The setting, or automatic: on whenever all weights train densely (small and mid data)."""
    if config.implicit and row_sparse:
        raise TrainingError(
            "The implicit term needs dense training: turn off row-sparse updates "
            "(row_sparse=False) or the implicit term (implicit=False, --no-implicit)."
        )
    return (not row_sparse) if config.implicit is None else config.implicit


class Bags:
    """A sparse matrix as embedding_bag arguments: each group's columns with weights."""

    def __init__(self, groups: Groups, cols: np.ndarray, weights: np.ndarray,
                 device: torch.device) -> None:  # fmt: skip
        self.cols = torch.as_tensor(cols[groups.order], dtype=torch.long).to(device)
        self.weights = torch.as_tensor(weights[groups.order], dtype=torch.float32).to(device)
        self.offsets = torch.as_tensor(groups.indptr[:-1], dtype=torch.long).to(device)

    def times(self, table: torch.Tensor) -> torch.Tensor:
        """This matrix times `table`: one weighted-sum embedding_bag (fast on CPU and GPU)."""
        return F.embedding_bag(self.cols, table, self.offsets, mode="sum",
                               per_sample_weights=self.weights)  # fmt: skip


class ImplicitTerm:
    """Owns the item table y (registered on the module so the optimizer trains it) and z."""

    def __init__(self, module: CollabModel, train: Ratings, device: torch.device) -> None:
        counts = np.bincount(train.user_idx, minlength=train.n_users)
        weights = (1.0 / np.sqrt(np.maximum(counts, 1)))[train.user_idx]
        users, items = train.user_idx, train.item_idx
        self.by_user = Bags(train.by_user(), items, weights, device)  # z = N y
        self.by_item = Bags(train.by_item(), users, weights, device)  # grad y = Nᵀ grad z
        self.module = module
        module.add_implicit_table()
        self.steps = 0
        self.refresh()

    @torch.no_grad()
    def refresh(self) -> None:
        """Recompute z from y; the model reads it as a leaf whose gradient is collected."""
        z = self.by_user.times(self.module.implicit.weight)
        self.module.user_offsets = z.requires_grad_()

    def step(self, optimizer: torch.optim.Optimizer) -> None:
        """One optimizer step; every IMPLICIT_EVERY steps y gets the collected gradient."""
        self.steps += 1
        due = self.steps % IMPLICIT_EVERY == 0
        collected = self.module.user_offsets.grad
        if due and collected is not None:
            self.module.implicit.weight.grad = self.by_item.times(collected)
        optimizer.step()
        if due:
            self.refresh()

    @torch.no_grad()
    def merged(self) -> CollabModel:
        """A copy without the implicit table: each user's factors include their z."""
        out = copy.deepcopy(self.module)
        out.user_factors.weight.add_(self.by_user.times(self.module.implicit.weight))
        out.user_offsets = None
        out.implicit = None
        return out
