"""A process's rows cut into one block per item shard: training rows packed for the shuffle,
held-out rows ready to score while their shard passes by."""

from __future__ import annotations

import numpy as np
import torch

from cfdesk.core.data.ratings import Ratings
from cfdesk.core.data.split import UNALIGNED_NOTE
from cfdesk.core.training import batching
from cfdesk.core.training.distributed.comm import Comm
from cfdesk.core.training.distributed.plan import ShardLayout


def _by_shard(rows: Ratings, layout: ShardLayout) -> tuple[np.ndarray, np.ndarray]:
    """Row order grouped by the item's shard, and where each shard's rows start (and end)."""
    shard = layout.shard_of[rows.item_idx]
    order = np.argsort(shard, kind="stable")
    bounds = np.searchsorted(shard[order], np.arange(layout.n_shards + 1))
    return order, bounds


def _shard_tensors(rows: Ratings, order: np.ndarray, layout: ShardLayout, device: torch.device):
    """(local user, slot in its shard, rating) of `rows` in `order`, on the device."""
    return (
        torch.as_tensor(rows.user_idx[order], dtype=torch.long).to(device),
        torch.as_tensor(layout.slot_of[rows.item_idx[order]], dtype=torch.long).to(device),
        torch.as_tensor(rows.rating[order]).to(device),
    )


class TrainBlocks:
    """Training rows packed (16 bytes each), grouped by item shard; a stratum shuffles one."""

    def __init__(self, train: Ratings, layout: ShardLayout, device: torch.device) -> None:
        order, self.bounds = _by_shard(train, layout)
        self.packed = batching.pack_rows(*_shard_tensors(train, order, layout, device))
        self.shuffled = torch.empty_like(self.packed)
        self.n = train.n_ratings

    def shuffled_block(self, shard: int, generator: torch.Generator) -> torch.Tensor:
        """This shard's rows in a fresh random order (one reused buffer, as the trainer does)."""
        lo, hi = int(self.bounds[shard]), int(self.bounds[shard + 1])
        out = self.shuffled[lo:hi]
        perm = batching.epoch_order(hi - lo, generator, self.packed.device)
        torch.index_select(self.packed[lo:hi], 0, perm, out=out)
        return out


class HeldOutBlocks:
    """Validation or test rows of this process's users whose user and item training saw,
    grouped by item shard; the others are counted as skipped."""

    def __init__(
        self, rows: Ratings | None, train: Ratings, item_counts: np.ndarray, layout: ShardLayout,
        device: torch.device,
    ) -> None:  # fmt: skip
        self.rows: Ratings | None = None
        self.blocks: list[tuple[torch.Tensor, ...]] = []
        self.n = self.n_skipped = 0  # this process's
        self.n_total = self.n_skipped_total = 0  # every process's, once counted
        if rows is None:
            return
        seen_users = np.bincount(train.user_idx, minlength=train.n_users) > 0
        known = seen_users[rows.user_idx] & (item_counts[rows.item_idx] > 0)
        self.rows = rows.subset(known)
        self.n = self.rows.n_ratings
        self.n_skipped = int((~known).sum()) + int(rows.notes.get(UNALIGNED_NOTE, 0))
        order, bounds = _by_shard(self.rows, layout)
        users, slots, target = _shard_tensors(self.rows, order, layout, device)
        self.blocks = [
            (users[lo:hi], slots[lo:hi], target[lo:hi])
            for lo, hi in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True)
        ]

    def count_everywhere(self, comm: Comm) -> None:
        """Learn how many rows every process holds (and skipped) together."""
        mine = np.array([self.n, self.n_skipped], dtype=np.int64)
        self.n_total, self.n_skipped_total = (
            int(v) for v in comm.sum_numpy(mine, "the statistics")
        )
