"""The implicit term (training/implicit.py) when users and items live on different processes.

z_u sums y over every item u rated, and a process holds all of its users' ratings but only one
item shard's factors at a time. So y is sharded statically (process r keeps y for item shard r,
registered on its module so the optimizer trains it like the single-process table) and every
IMPLICIT_EVERY steps, as on one process, the processes all-gather y to recompute z for their own
users, and reduce-scatter the summed gradients Nᵀ·grad z back to each shard's owner. The
arithmetic and the refresh cadence are the single-process ones; the y table exists whole only
for the moment of a refresh.
"""

from __future__ import annotations

import numpy as np
import torch

from cfdesk.core.data.ratings import Groups, Ratings
from cfdesk.core.model import CollabModel
from cfdesk.core.training.distributed.comm import Comm
from cfdesk.core.training.distributed.plan import ShardLayout
from cfdesk.core.training.implicit import IMPLICIT_EVERY, Bags

WHAT = "the implicit-term refresh"


class ShardedImplicit:
    """This process's shard of y and its users' z; `step` is what AutogradStep calls."""

    def __init__(
        self, module: CollabModel, train: Ratings, layout: ShardLayout, comm: Comm
    ) -> None:
        device = module.user_factors.weight.device
        counts = np.bincount(train.user_idx, minlength=train.n_users)
        weights = (1.0 / np.sqrt(np.maximum(counts, 1)))[train.user_idx]
        positions = layout.position(train.item_idx)  # rows of y gathered from every process
        rows = Groups.of(positions, layout.size * layout.n_shards)
        self.by_user = Bags(train.by_user(), positions, weights, device)  # z = N y
        self.by_position = Bags(rows, train.user_idx, weights, device)  # grad y = Nᵀ grad z
        self.module, self.comm = module, comm
        module.add_implicit_table()
        self.steps = 0
        self.refresh()

    @torch.no_grad()
    def refresh(self) -> None:
        """Recompute z from every process's y; the model reads it as a leaf collecting grads."""
        y = self.comm.all_gather(self.module.implicit.weight.detach(), WHAT)
        self.module.user_offsets = self.by_user.times(y).requires_grad_()

    def step(self, optimizer) -> None:
        """One optimizer step; every IMPLICIT_EVERY steps y gets the gradient collected by
        every process's users."""
        self.steps += 1
        due = self.steps % IMPLICIT_EVERY == 0
        if due:
            offsets = self.module.user_offsets
            collected = torch.zeros_like(offsets) if offsets.grad is None else offsets.grad
            grad = self.by_position.times(collected)
            self.module.implicit.weight.grad = self.comm.reduce_scatter(grad, WHAT)
        optimizer.step()
        if due:
            self.refresh()

    @torch.no_grad()
    def merge(self) -> None:
        """Fold z into the user factors and drop y: the module becomes an ordinary model."""
        self.refresh()
        self.module.user_factors.weight.add_(self.module.user_offsets)
        self.module.user_offsets = None
        self.module.implicit = None
