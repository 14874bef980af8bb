"""A batch's distinct rows in tables of fixed size, so a GPU step never waits to learn their count.

`torch.unique` returns as many rows as the batch has distinct ids: the host must read that count
back from the GPU before it can launch the next kernel, once per table per step. Here the
distinct ids fill the first slots of a table of `min(batch, rows)` slots and the remaining slots
repeat the last distinct id. A repeated slot gathers the same row, takes the same gradient (see
`Slots.fill`) and so computes bit-identical new values: storing every slot with `index_copy_`
writes a repeated row twice with the same bytes, whichever write lands last.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class Slots:
    """One side's distinct rows of a batch, in a table whose size depends only on the shapes."""

    rows: torch.Tensor  # per slot: the row id it holds (slots past the last distinct one repeat it)
    pos: torch.Tensor  # per sample: its slot
    source: torch.Tensor  # per slot: itself, or the last distinct slot that it repeats

    def fill(self, grad: torch.Tensor) -> torch.Tensor:
        """Gradients of the slots with each repeated slot given its original's gradient."""
        return grad.index_select(0, self.source)


def slots_of(ids: torch.Tensor, n_rows: int) -> Slots:
    """Distinct `ids` (sorted) in min(len(ids), n_rows) slots, with each sample's slot; every
    op here has a size known on the host, so nothing waits for the device."""
    size = min(len(ids), n_rows)
    ordered, order = torch.sort(ids)
    fresh = torch.ones_like(ordered, dtype=torch.bool)
    torch.ne(ordered[1:], ordered[:-1], out=fresh[1:])
    slot = fresh.cumsum(0).sub_(1)  # per sorted sample: its distinct id's place
    pos = torch.empty_like(slot).scatter_(0, order, slot)
    first = torch.empty(size, dtype=ids.dtype, device=ids.device)
    first.scatter_(0, slot, ordered)  # every sample of an id writes the same value
    source = torch.minimum(torch.arange(size, device=ids.device), slot[-1])
    return Slots(first.index_select(0, source), pos, source)
