"""Row-sparse steps for the dot-product models with gradients written out by hand.

At MovieLens-25M's shape autograd and functional_call cost more than the arithmetic: each batch
here gathers its unique rows once, computes the error and the gradients in closed form, sums
them onto the unique rows with `index_add_`, and gives only those rows the lazy AdamW (or
momentum SGD) update of `row_sparse` — the same maths as the autograd path, fewer passes.

On the CPU a step runs in blocks of whole users (`CPU_BLOCK` ratings): a block's user rows are
gathered, differentiated, updated and stored while they are still in cache, and only the item
rows (few, and shared by every block) wait for the end of the step. A real allocation failure on
the CPU is a RuntimeError, which the trainer never retries.

On CUDA the rows sit in fixed-size slot tables (`slots.py`) and micro-batches are plain slices:
no op's size depends on the data, so the host never waits for the GPU during a step.
"""

from __future__ import annotations

import torch

from cfdesk.core.config import TrainConfig
from cfdesk.core.errors import TrainingError
from cfdesk.core.model import CollabModel
from cfdesk.core.training.device import sync_free, waits_spin
from cfdesk.core.training.row_sparse import RowSparseOptimizer

HAND_KINDS = ("dot", "dotbias")
CPU_BLOCK = 4096  # ratings per block on the CPU (docs/training.md: the fastest size tried)


def has_hand_gradients(module: CollabModel) -> bool:
    """Only the dot-product family has a closed-form gradient here (not the MLP)."""
    return module.kind in HAND_KINDS


def _stores_blocks_early(device: torch.device) -> bool:
    """On the CPU a block's rows are stored while in cache; elsewhere every row waits for the
    end of the step, so the trainer's out-of-memory retry steps each row once."""
    return device.type == "cpu"


def _blocks_pay() -> bool:
    """Blocks run more, smaller ops: worth it on one thread, or when idle OpenMP threads spin
    a little between ops; threads that sleep at once would wake for each op."""
    return torch.get_num_threads() == 1 or waits_spin()


def user_blocks(counts: torch.Tensor, size: int) -> list[tuple[int, int, int, int]]:
    """(first user, end user, first rating, end rating) of consecutive blocks of whole users,
    each about `size` ratings, for ratings sorted by user with `counts` ratings per user."""
    ends = counts.cumsum(0)
    marks = torch.arange(size, max(size, int(ends[-1])), size, device=counts.device)
    cuts = torch.searchsorted(ends, marks) + 1  # a block ends with the user holding its mark
    cuts = torch.unique_consecutive(torch.cat([cuts, cuts.new_tensor([len(counts)])]))
    rating_ends = ends.index_select(0, cuts - 1).tolist()
    cuts = cuts.tolist()
    return list(zip([0, *cuts[:-1]], cuts, [0, *rating_ends[:-1]], rating_ends, strict=True))


class HandGradOptimizer(RowSparseOptimizer):
    """RowSparseOptimizer whose `train_step` needs no autograd (dot and dotbias models)."""

    def __init__(self, module: CollabModel, config: TrainConfig, lr: float) -> None:
        super().__init__(module, config, lr)
        items = self.params["item_factors.weight"]
        self._marks = torch.zeros(len(items), dtype=torch.bool, device=items.device)  # in batch?
        self._slots = torch.empty(len(items), dtype=torch.long, device=items.device)  # its place

    def train_step(
        self, users: torch.Tensor, items: torch.Tensor, target: torch.Tensor, micro: int
    ) -> torch.Tensor:
        """One optimizer step over the batch in micro-batches of whole users; returns the summed
        squared error. Several CPU blocks store their user rows as they go; otherwise every new
        row is stored at the end (see `apply`)."""
        if sync_free(users.device):
            return self._slot_step(users, items, target, micro)
        users, order = torch.sort(users)  # grouped by user: blocks of whole users, rows in order
        items, target = items.index_select(0, order), target.index_select(0, order)
        uniq_u, user_pos, counts = torch.unique_consecutive(
            users, return_inverse=True, return_counts=True
        )
        uniq_i, item_pos = self._item_index(items)
        n, early = len(target), _stores_blocks_early(users.device)
        size = min(micro, CPU_BLOCK) if early and _blocks_pay() else micro
        blocks = user_blocks(counts, size) if size < n else [(0, len(uniq_u), 0, n)]
        stored: list[int] = []  # blocks whose user rows are already stored
        try:
            sq_total = self._run_blocks(
                blocks, early and len(blocks) > 1, stored, uniq_u, user_pos, uniq_i, item_pos,
                target,
            )  # fmt: skip
        except torch.OutOfMemoryError as error:
            if not stored:
                raise  # nothing stored: the trainer's retry steps each row once
            raise TrainingError(
                f"out of memory after {len(stored)} blocks of a step were stored; lower the "
                "batch size setting and train again"
            ) from error
        self.advance(self.roles)
        return sq_total

    def _run_blocks(
        self, blocks, per_block: bool, stored: list[int], uniq_u, user_pos, uniq_i, item_pos, target
    ) -> torch.Tensor:
        """Gradients and new rows block by block; with `per_block` each block's user rows are
        stored at once (and noted in `stored`), else all rows are stored at the end."""
        n = len(target)
        item_tables = self._rows("item", uniq_i)
        item_grads = {name: torch.zeros_like(t) for name, t in item_tables.items()}
        sq_total, staged = torch.zeros((), device=target.device), []
        for k, (first, end, lo, hi) in enumerate(blocks):
            rows = uniq_u[first:end]
            user_tables = self._rows("user", rows)
            grads = {name: torch.zeros_like(t) for name, t in user_tables.items()}
            sq_total += self._accumulate(
                {**user_tables, **item_tables},
                {**grads, **item_grads},
                user_pos[lo:hi] - first,
                item_pos[lo:hi],
                target[lo:hi],
                n,
            )
            block = [(name, rows, grads[name], user_tables[name]) for name in user_tables]
            if per_block:
                self.apply(block)
                stored.append(k)
            else:
                staged += block
        items_update = [(name, uniq_i, item_grads[name], item_tables[name]) for name in item_tables]
        self.apply(staged + items_update)
        return sq_total

    def _slot_step(self, users, items, target, micro: int) -> torch.Tensor:
        """The step in fixed-size slot tables: shapes depend on the batch size only, and every
        row is stored at the end, so the trainer's out-of-memory retry steps each row once."""
        sides = self.slots(users, items)
        tables = {
            **self._rows("user", sides["user"].rows),
            **self._rows("item", sides["item"].rows),
        }
        grads = {name: torch.zeros_like(t) for name, t in tables.items()}
        sq_total, n = torch.zeros((), device=target.device), len(target)
        for lo in range(0, n, micro):
            part = slice(lo, lo + micro)
            sq_total += self._accumulate(
                tables, grads, sides["user"].pos[part], sides["item"].pos[part], target[part], n
            )
        side = {name: sides[role] for name, role in self.roles.items()}
        self.apply(
            [(name, side[name].rows, side[name].fill(grads[name]), t) for name, t in tables.items()]
        )
        self.advance(self.roles)
        return sq_total

    def _item_index(self, items: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """torch.unique(items, return_inverse=True) through a mark per item row (no sort)."""
        self._marks.index_fill_(0, items, True)
        unique = self._marks.nonzero().squeeze(1)
        self._marks.index_fill_(0, unique, False)
        self._slots.index_copy_(0, unique, torch.arange(len(unique), device=items.device))
        return unique, self._slots.index_select(0, items)

    def _rows(self, role: str, rows: torch.Tensor) -> dict[str, torch.Tensor]:
        """Copies of `rows` of every table of one role ("user" or "item")."""
        return {
            name: self.params[name].detach().index_select(0, rows)
            for name, owner in self.roles.items()
            if owner == role
        }

    def _accumulate(self, tables, grads, u, i, r, n: int) -> torch.Tensor:
        """Add d(mean squared error)/d(row) of one micro-batch onto `grads`; return its sum sq."""
        uf = tables["user_factors.weight"].index_select(0, u)
        vf = tables["item_factors.weight"].index_select(0, i)
        raw = (uf * vf).sum(dim=1)
        biased = "user_bias.weight" in tables
        if biased:
            raw += tables["user_bias.weight"].index_select(0, u).squeeze(1)
            raw += tables["item_bias.weight"].index_select(0, i).squeeze(1)
        y_range = self.module.y_range
        if y_range is None:
            pred, slope = raw, None
        else:
            low, high = y_range
            sig = torch.sigmoid(raw)
            pred = sig * (high - low) + low
            slope = sig * (1 - sig) * (high - low)
        err = pred - r
        g = err * (2.0 / n)
        if slope is not None:
            g *= slope
        g = g.unsqueeze(1)
        grads["user_factors.weight"].index_add_(0, u, vf.mul_(g))
        grads["item_factors.weight"].index_add_(0, i, uf.mul_(g))
        if biased:
            grads["user_bias.weight"].index_add_(0, u, g)
            grads["item_bias.weight"].index_add_(0, i, g)
        return (err * err).sum()
