"""Which item shard this process holds, and moving shards between processes: for training the
factors travel with their optimizer moments; to score held-out rows the factors alone go once
around the ring and come home."""

from __future__ import annotations

from collections.abc import Callable

import torch

from cfdesk.core.training.distributed.comm import Comm
from cfdesk.core.training.distributed.plan import held_shard


class ItemPlacement:
    """The shard held now is `held_shard(rank, offset, size)`; every process starts at offset 0
    (process r holds shard r)."""

    def __init__(self, comm: Comm, params: list[torch.Tensor], moments: list[torch.Tensor]) -> None:
        self.comm, self.params, self.moments = comm, params, moments
        self.offset = 0

    @property
    def shard(self) -> int:
        return held_shard(self.comm.rank, self.offset, self.comm.size)

    def move_to(self, offset: int) -> None:
        """Hold the shard of stratum `offset`: one shift of factors and moments together."""
        by = (offset - self.offset) % self.comm.size
        self.comm.shift_(self.params + self.moments, by, "the item-shard exchange")
        self.offset = offset

    def settle_at(self, offset: int) -> None:
        """Record that the factors now held are those of `offset` (a restored snapshot)."""
        self.offset = offset

    @torch.no_grad()
    def visit_all(self, visit: Callable[[int], None], what: str) -> None:
        """Call `visit(shard)` with each shard's factors held in turn (moments stay put); the
        factors end where they started."""
        for step in range(self.comm.size):
            visit(held_shard(self.comm.rank, self.offset + step, self.comm.size))
            self.comm.shift_(self.params, 1, what)
