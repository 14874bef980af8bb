"""Row-sparse training for big tables: only the embedding rows a batch uses are read and updated.

Dense AdamW reads and writes every row of every table each step; at MovieLens-25M's shape
(220k rows × 64 factors) that dominates an epoch. Here each batch gathers its unique user and
item rows into small tables, runs the model on those (torch.func.functional_call with inverse
indices), and gives just those rows the Adam (or momentum) update and the decoupled weight
decay; untouched rows are left alone, so a row is regularised in proportion to how often it is
used (like Surprise's per-rating L2).

On CUDA the unique rows sit in fixed-size slot tables (`slots.py`) and the step counts live on the
device, so a step never makes the host wait for the GPU.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from cfdesk.core.base_model import light_decay
from cfdesk.core.config import TrainConfig
from cfdesk.core.errors import TrainingError
from cfdesk.core.training.device import sync_free
from cfdesk.core.training.slots import Slots, slots_of

ROW_SPARSE_PARAMS = 2_000_000  # automatic row-sparse updates from this many embedding weights


def wants_row_sparse(setting: bool | None, module: nn.Module) -> bool:
    """The setting, or automatic: row-sparse once the embedding tables are big (never for a
    model whose predictions read rows outside the batch)."""
    if not getattr(module, "row_sparse_ready", True):
        if setting:
            raise TrainingError(
                f"the {module.kind} model computes each item from all its raters, so it trains "
                "every weight at once: turn off row-sparse updates (row_sparse=False)"
            )
        return False
    if setting is not None:
        return setting
    n = sum(m.weight.numel() for m in module.modules() if isinstance(m, nn.Embedding))
    return n >= ROW_SPARSE_PARAMS


@dataclass(frozen=True)
class RowBatch:
    """One batch's unique rows: small leaf tables to differentiate, and where each sample sits."""

    tables: dict[str, torch.Tensor]  # parameter name -> gathered rows (requires grad)
    rows: dict[str, torch.Tensor]  # "user"/"item" -> unique indices into the full tables
    user_pos: torch.Tensor  # per sample: row of its user in the small tables
    item_pos: torch.Tensor
    slots: dict[str, Slots] | None = None  # "user"/"item" -> fixed-size slots (CUDA), else None

    def grad(self, role: str, table: torch.Tensor) -> torch.Tensor:
        """A small table's gradient, with repeated slots given their original's gradient."""
        return table.grad if self.slots is None else self.slots[role].fill(table.grad)


class _FitOutputs(nn.Module):
    """functional_call runs `forward`: this one runs the model's `fit_outputs` instead."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, user_idx: torch.Tensor, item_idx: torch.Tensor) -> torch.Tensor:
        return self.model.fit_outputs(user_idx, item_idx)


class RowSparseOptimizer:
    """AdamW (`kind="adamw"`) or SGD with momentum on gathered rows; dense for other weights."""

    def __init__(self, module: nn.Module, config: TrainConfig, lr: float) -> None:
        self.module, self.kind = module, config.optimizer
        self.params = dict(module.named_parameters())
        self.roles = {
            f"{name}.weight": "user" if name.startswith("user") else "item"
            for name, sub in module.named_modules()
            if isinstance(sub, nn.Embedding)
        }
        self.decay = {
            n: config.bias_weight_decay if light_decay(n) else config.weight_decay
            for n in self.params
        }
        self.param_groups = [{"lr": lr, "betas": (0.9, 0.99), "momentum": 0.9, "eps": 1e-8}]
        self.state = {n: self._fresh(p) for n, p in self.params.items()}
        self._fit_outputs = _FitOutputs(module)

    def _fresh(self, param: torch.Tensor) -> dict:
        """Per-row moments as 2-D tables (row, width): 2-D index_select is far faster than 3-D
        on the CPU, and contiguous moments let torch's fused AdamW do the update in one pass."""
        names = ("exp_avg", "exp_avg_sq") if self.kind == "adamw" else ("momentum",)
        shape = (param.shape[0], _width(param))
        step = torch.zeros((), dtype=torch.float32, device=param.device)  # steps taken so far
        return {"step": step, **{name: param.new_zeros(shape) for name in names}}

    def slots(self, users: torch.Tensor, items: torch.Tensor) -> dict[str, Slots]:
        """Both sides' distinct rows of a batch in fixed-size slot tables (see slots.py)."""
        return {
            role: slots_of(ids, len(self.params[f"{role}_factors.weight"]))
            for role, ids in (("user", users), ("item", items))
        }

    def gather(self, users: torch.Tensor, items: torch.Tensor) -> RowBatch:
        """Unique rows of this batch, copied into small tables that collect the gradients."""
        slots = None
        if sync_free(users.device):
            slots = self.slots(users, items)
            rows = {role: s.rows for role, s in slots.items()}
            user_pos, item_pos = slots["user"].pos, slots["item"].pos
        else:
            uniq_u, user_pos = torch.unique(users, return_inverse=True)
            uniq_i, item_pos = torch.unique(items, return_inverse=True)
            rows = {"user": uniq_u, "item": uniq_i}
        tables = {
            name: self.params[name].detach().index_select(0, rows[role]).requires_grad_()
            for name, role in self.roles.items()
        }
        return RowBatch(tables, rows, user_pos, item_pos, slots)

    def outputs(self, batch: RowBatch, user_pos: torch.Tensor, item_pos: torch.Tensor):
        """What the model's loss reads (`fit_outputs`), its tables swapped for the batch's."""
        tables = {f"model.{name}": table for name, table in batch.tables.items()}
        return torch.func.functional_call(self._fit_outputs, tables, (user_pos, item_pos))

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear the dense weights' gradients (the small tables are new every batch)."""
        self.module.zero_grad(set_to_none=set_to_none)

    @torch.no_grad()
    def step(self, batch: RowBatch) -> None:
        """Update the gathered rows and every dense weight that has a gradient."""
        roles = self.roles
        updates = [
            (name, batch.rows[roles[name]], batch.grad(roles[name], table), table.detach())
            for name, table in batch.tables.items()
            if table.grad is not None
        ]
        updates += [
            (name, None, param.grad, param.detach().clone())
            for name, param in self.params.items()
            if name not in self.roles and param.grad is not None
        ]
        self.apply(updates)
        self.advance({name for name, *_ in updates})

    @torch.no_grad()
    def apply(
        self, updates: list[tuple[str, torch.Tensor | None, torch.Tensor, torch.Tensor]]
    ) -> None:
        """Compute every table's new rows first, then store them all: an out-of-memory error
        while computing leaves weights and moments untouched, so a retry steps each table once.
        The step count stays until `advance`, so one step may store its rows in several calls."""
        staged = [self._compute(*update) for update in updates]
        for name, rows, moments, value in staged:
            self._commit(name, rows, moments, value)

    def advance(self, names) -> None:
        """End the step for these tables: Adam's bias correction counts it from now on (one
        kernel for every table's count, which stays on the device)."""
        torch._foreach_add_([self.state[name]["step"] for name in names], 1.0)

    def _compute(self, name: str, rows, grad: torch.Tensor, value: torch.Tensor):
        """One step for `rows` of a weight (all of it when None) on copies; `value` holds their
        values and is updated in place. Returns what `_commit` stores."""
        group, state = self.param_groups[0], self.state[name]
        lr = group["lr"]
        grad = grad.reshape(len(grad), -1)
        flat = value.view(len(value), -1)
        moments = {
            k: state[k].clone() if rows is None else state[k].index_select(0, rows)
            for k in state
            if k != "step"
        }
        if self.kind == "adamw":
            adamw_(
                flat, grad, moments["exp_avg"], moments["exp_avg_sq"], state["step"] + 1,
                lr=lr, betas=group["betas"], weight_decay=self.decay[name], eps=group["eps"],
            )  # fmt: skip
        else:
            flat.mul_(1 - lr * self.decay[name])
            moments["momentum"].mul_(group["momentum"]).add_(grad)
            flat.add_(moments["momentum"], alpha=-lr)
        return name, rows, moments, value

    def _commit(self, name: str, rows, moments: dict, value: torch.Tensor) -> None:
        """Store one computed step: the moments and the rows' values."""
        state = self.state[name]
        for key, moment in moments.items():
            _store(state[key], rows, moment)
        _store(self.params[name].data, rows, value)


def adamw_(
    value: torch.Tensor,
    grad: torch.Tensor,
    exp_avg: torch.Tensor,
    exp_avg_sq: torch.Tensor,
    step: torch.Tensor,
    *,
    lr: float,
    betas: tuple[float, float],
    weight_decay: float,
    eps: float,
) -> None:
    """One AdamW step in place, as torch.optim.AdamW takes it: torch's fused kernel (one pass)
    where this torch has it for the device, else the same arithmetic op by op. `step` (from 1)
    is a 0-d tensor on the device: neither branch reads it back to the host."""
    beta1, beta2 = betas
    if _has_fused_adamw(value.device):
        torch._fused_adamw_(
            [value], [grad], [exp_avg], [exp_avg_sq], [], [step],
            lr=lr, beta1=beta1, beta2=beta2, weight_decay=weight_decay, eps=eps,
            amsgrad=False, maximize=False,
        )  # fmt: skip
        return
    value.mul_(1 - lr * weight_decay)
    exp_avg.lerp_(grad, 1 - beta1)
    exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
    # torch.optim.AdamW's capturable arithmetic: the bias corrections stay device tensors
    step_size_neg = (lr / (1 - torch.pow(beta1, step))).neg()
    bias2_sqrt = (1 - torch.pow(beta2, step)).sqrt()
    denom = (exp_avg_sq.sqrt() / (bias2_sqrt * step_size_neg)).add_(eps / step_size_neg)
    value.addcdiv_(exp_avg, denom)


_FUSED: dict[str, bool] = {}


def _has_fused_adamw(device: torch.device) -> bool:
    """Whether torch._fused_adamw_ (private, CPU support since torch 2.4) runs on this device
    type; tried once on a scalar and remembered."""
    if device.type not in _FUSED:
        probe = [torch.zeros(1, device=device) for _ in range(4)]
        try:
            torch._fused_adamw_(
                probe[:1], probe[1:2], probe[2:3], probe[3:4], [],
                [torch.ones((), device=device)], lr=0.0, beta1=0.9, beta2=0.99,
                weight_decay=0.0, eps=1e-8, amsgrad=False, maximize=False,
            )  # fmt: skip
            _FUSED[device.type] = True
        except (AttributeError, NotImplementedError, RuntimeError):
            _FUSED[device.type] = False
    return _FUSED[device.type]


def _width(param: torch.Tensor) -> int:
    return param[0].numel() if param.dim() else 1


def _store(target: torch.Tensor, rows: torch.Tensor | None, value: torch.Tensor) -> None:
    if rows is None:
        target.copy_(value)
    else:
        _wide(target).index_copy_(0, rows, _wide(value))


def _wide(table: torch.Tensor) -> torch.Tensor:
    """The same bytes seen as fewer, wider elements per row: index_copy_ works element by
    element, so 16-byte elements scatter rows faster."""
    if table.dim() != 2 or not table.is_contiguous():
        return table
    row_bytes = table.shape[1] * table.element_size()
    widths = (torch.int64,) if table.device.type == "mps" else (torch.complex128, torch.int64)
    for wide in widths:  # MPS has no complex128
        if row_bytes % wide.itemsize == 0 and wide.itemsize > table.element_size():
            return table.view(wide)
    return table
