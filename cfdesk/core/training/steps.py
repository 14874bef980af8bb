"""One optimizer step over a batch, behind one interface whatever the path: autograd on dense
weights, autograd on the batch's gathered rows (row-sparse), or hand-written gradients."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import torch

from cfdesk.core.config import TrainConfig
from cfdesk.core.model import CollabModel
from cfdesk.core.training.hand_grad import HandGradOptimizer, has_hand_gradients
from cfdesk.core.training.implicit import ImplicitTerm
from cfdesk.core.training.optim import build_optimizer
from cfdesk.core.training.row_sparse import RowSparseOptimizer

Outputs = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


class Step(Protocol):
    """What the trainer calls each batch; the schedule writes lr and momentum into param_groups."""

    param_groups: list[dict]

    def train_step(
        self, users: torch.Tensor, items: torch.Tensor, target: torch.Tensor, micro: int
    ) -> torch.Tensor:
        """Update the weights from one batch in micro-batches; return the summed squared error."""
        ...

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget a half-done step (after running out of memory)."""
        ...


def make_step(
    module: CollabModel,
    config: TrainConfig,
    lr: float,
    row_sparse: bool,
    implicit: ImplicitTerm | None,
    device: torch.device,
) -> Step:
    """The fastest path that trains this model with these settings on this device."""
    bf16 = config.bf16 and device.type == "cuda" and module.kind == "nn"
    if not row_sparse:
        return AutogradStep(module, build_optimizer(module, config), implicit, bf16)
    if has_hand_gradients(module):
        return HandGradOptimizer(module, config, lr)
    return RowSparseStep(RowSparseOptimizer(module, config, lr), bf16)


def _batch_loss(
    module: CollabModel, outputs: Outputs, users, items, target: torch.Tensor, micro: int,
    bf16: bool,
) -> torch.Tensor:  # fmt: skip
    """Backpropagate the model's loss (mean over the batch) pass by pass; return the batch's
    summed squared error, which the trainer reports as RMSE."""
    total = torch.zeros((), device=target.device)
    for u, i, r in zip(users.split(micro), items.split(micro), target.split(micro), strict=True):
        with torch.autocast(target.device.type, dtype=torch.bfloat16, enabled=bf16):
            out = outputs(u, i)
        loss, squares = module.loss(out, r)
        (loss / len(target)).backward()
        total += squares.detach()
    return total


class AutogradStep:
    """Dense weights and a torch optimizer; the implicit term, when on, steps with them."""

    def __init__(
        self,
        module: CollabModel,
        optimizer: torch.optim.Optimizer,
        implicit: ImplicitTerm | None,
        bf16: bool,
    ) -> None:
        self.module, self.optimizer, self.implicit, self.bf16 = module, optimizer, implicit, bf16
        self.param_groups = optimizer.param_groups

    def zero_grad(self, set_to_none: bool = True) -> None:
        self.optimizer.zero_grad(set_to_none=set_to_none)

    def train_step(self, users, items, target, micro: int) -> torch.Tensor:
        self.zero_grad()
        total = _batch_loss(
            self.module, self.module.fit_outputs, users, items, target, micro, self.bf16
        )
        if self.implicit is not None:
            self.implicit.step(self.optimizer)
        else:
            self.optimizer.step()
        return total


class RowSparseStep:
    """Autograd on the batch's gathered rows (models without hand-written gradients)."""

    def __init__(self, optimizer: RowSparseOptimizer, bf16: bool) -> None:
        self.optimizer, self.bf16 = optimizer, bf16
        self.param_groups = optimizer.param_groups

    def zero_grad(self, set_to_none: bool = True) -> None:
        self.optimizer.zero_grad(set_to_none=set_to_none)

    def train_step(self, users, items, target, micro: int) -> torch.Tensor:
        self.zero_grad()
        rows = self.optimizer.gather(users, items)

        def outputs(u: torch.Tensor, i: torch.Tensor) -> torch.Tensor:
            return self.optimizer.outputs(rows, u, i)

        total = _batch_loss(
            self.optimizer.module, outputs, rows.user_pos, rows.item_pos, target, micro, self.bf16
        )
        self.optimizer.step(rows)
        return total
