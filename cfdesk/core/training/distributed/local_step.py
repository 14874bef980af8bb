"""A process's optimizer step on its block batch, through the single-process step classes:
dense AdamW (every row of the user part and of the held item shard moves each step, as on one
process), the hand-written row-sparse step, or row-sparse autograd for the nn model. An empty
batch still steps, so each process takes part in the step's exchanges and every row keeps the
single-process count of updates."""

from __future__ import annotations

import torch
from torch import nn

from cfdesk.core.config import TrainConfig
from cfdesk.core.model import CollabModel
from cfdesk.core.training.distributed.comm import Comm
from cfdesk.core.training.distributed.sharded_implicit import ShardedImplicit
from cfdesk.core.training.distributed.sync import (
    ReplicaSync,
    SyncedOptimizer,
    SyncedRowSparse,
    replicated_parameters,
)
from cfdesk.core.training.hand_grad import HandGradOptimizer, has_hand_gradients
from cfdesk.core.training.optim import build_optimizer
from cfdesk.core.training.steps import AutogradStep, RowSparseStep


def item_tables(module: nn.Module) -> dict[str, nn.Parameter]:
    """The embedding tables indexed by item (factors, biases): what a held shard is made of."""
    return {
        f"{name}.weight": sub.weight
        for name, sub in module.named_modules()
        if isinstance(sub, nn.Embedding) and name.startswith("item")
    }


def _fresh_state(optimizer: torch.optim.Optimizer, params: list[nn.Parameter]) -> None:
    """Create the optimizer's per-weight state now (zeros, as its first step would), so the
    moments that travel with an item shard exist on every process from the start."""
    for p in params:
        if isinstance(optimizer, torch.optim.AdamW):
            optimizer.state[p] = {
                "step": torch.tensor(0.0),
                "exp_avg": torch.zeros_like(p),
                "exp_avg_sq": torch.zeros_like(p),
            }
        else:
            optimizer.state[p] = {"momentum_buffer": torch.zeros_like(p)}


class LocalStep:
    """The step of one process; `param_groups` takes the schedule as the trainer's steps do."""

    def __init__(
        self,
        module: CollabModel,
        config: TrainConfig,
        lr: float,
        row_sparse: bool,
        implicit: ShardedImplicit | None,
        comm: Comm,
    ) -> None:
        self.module, self.implicit = module, implicit
        self.sync = ReplicaSync(replicated_parameters(module), comm)
        device = module.user_factors.weight.device
        bf16 = config.bf16 and device.type == "cuda" and module.kind == "nn"
        items = item_tables(module)
        if not row_sparse:
            torch_opt = build_optimizer(module, config)
            _fresh_state(torch_opt, list(items.values()))
            self.optimizer = SyncedOptimizer(torch_opt, self.sync)
            self.step = AutogradStep(module, self.optimizer, implicit, bf16)
            moments = [t for p in items.values() for t in torch_opt.state[p].values() if t.dim()]
        else:
            if has_hand_gradients(module):  # dot products: no replicated weights to average
                self.optimizer = HandGradOptimizer(module, config, lr)
                self.step = self.optimizer
            else:
                self.optimizer = SyncedRowSparse(module, config, lr, self.sync)
                self.step = RowSparseStep(self.optimizer, bf16)
            state = self.optimizer.state
            moments = [t for name in items for k, t in state[name].items() if k != "step"]
        self.item_params = [p.data for p in items.values()]
        self.item_moments = moments
        self.param_groups = self.step.param_groups

    def state_size(self) -> int:
        """Optimizer values this process holds: its rows' moments and the replicated ones."""
        return sum(
            t.numel()
            for state in self.optimizer.state.values()
            for t in state.values()
            if isinstance(t, torch.Tensor) and t.dim()
        )

    def train_step(self, users, items, target, micro: int) -> torch.Tensor:
        """Step on this batch (maybe empty); returns its summed squared error."""
        self.sync.n_local = len(target)
        if len(target):
            return self.step.train_step(users, items, target, micro)
        self._step_without_ratings(users, items)
        return torch.zeros((), device=target.device)

    def _step_without_ratings(self, users: torch.Tensor, items: torch.Tensor) -> None:
        """What a step does with no ratings: zero gradients, the same updates and exchanges."""
        opt = self.optimizer
        if isinstance(opt, SyncedOptimizer):
            opt.zero_grad()
            y = None if self.implicit is None else self.module.implicit.weight
            for p in self.module.parameters():
                if p is not y:
                    p.grad = torch.zeros_like(p)
            if self.implicit is None:
                opt.step()
            else:
                self.implicit.step(opt)
        else:  # row-sparse: no rows gathered, the replicated weights still averaged and stepped
            opt.zero_grad()
            if not isinstance(opt, HandGradOptimizer):
                opt.step(opt.gather(users, items))
            opt.advance(opt.roles)
