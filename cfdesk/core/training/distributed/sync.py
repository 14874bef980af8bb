"""Weights every process keeps a full copy of (the nn model's MLP: small) stay identical: before
each optimizer step their gradients are averaged over processes, weighted by each process's
share of the step's ratings, which is the single-process gradient of the whole step."""

from __future__ import annotations

import torch
from torch import nn

from cfdesk.core.config import TrainConfig
from cfdesk.core.training.distributed.comm import Comm
from cfdesk.core.training.row_sparse import RowBatch, RowSparseOptimizer


def replicated_parameters(module: nn.Module) -> list[nn.Parameter]:
    """Every weight outside the embedding tables (which are sharded instead)."""
    tables = {id(m.weight) for m in module.modules() if isinstance(m, nn.Embedding)}
    return [p for p in module.parameters() if id(p) not in tables]


class ReplicaSync:
    """Averages the replicated weights' gradients over processes; `n_local` is this process's
    ratings in the current step."""

    def __init__(self, params: list[nn.Parameter], comm: Comm) -> None:
        self.params, self.comm = params, comm
        self.n_local = 0

    def __call__(self) -> None:
        if not self.params:
            return
        grads = [torch.zeros_like(p) if p.grad is None else p.grad for p in self.params]
        weight = float(self.n_local)
        flat = torch.cat(
            [g.reshape(-1) * weight for g in grads] + [grads[0].new_full((1,), weight)]
        )
        self.comm.all_reduce_(flat, "the MLP gradient average")
        flat = flat[:-1] / flat[-1].clamp_min(1.0)
        start = 0
        for p in self.params:
            p.grad = flat[start : start + p.numel()].view_as(p).clone()
            start += p.numel()


class SyncedOptimizer:
    """A torch optimizer whose step first averages the replicated gradients."""

    def __init__(self, optimizer: torch.optim.Optimizer, sync: ReplicaSync) -> None:
        self.optimizer, self.sync = optimizer, sync
        self.param_groups = optimizer.param_groups
        self.state = optimizer.state

    def zero_grad(self, set_to_none: bool = True) -> None:
        self.optimizer.zero_grad(set_to_none=set_to_none)

    def step(self) -> None:
        self.sync()
        self.optimizer.step()


class SyncedRowSparse(RowSparseOptimizer):
    """Row-sparse AdamW whose step first averages the replicated (MLP) gradients."""

    def __init__(
        self, module: nn.Module, config: TrainConfig, lr: float, sync: ReplicaSync
    ) -> None:
        super().__init__(module, config, lr)
        self.sync = sync

    def step(self, batch: RowBatch) -> None:
        self.sync()
        super().step(batch)
